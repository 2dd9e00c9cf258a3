// The comparison's "differences only" switch without a page load. Without this script the same
// link loads ?diff=1, where the server leaves the equal rows out.
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("[data-toggle-diff]") : null;
    var table = document.getElementById("compare-table");
    if (!link || !table || table.getAttribute("data-all-rows") !== "1") { return; }
    event.preventDefault();
    var on = table.classList.toggle("diff-only");
    link.textContent = on ? link.getAttribute("data-label-all") : link.getAttribute("data-label-diff");
    link.setAttribute("aria-pressed", on ? "true" : "false");
    var url = new URL(window.location.href);
    if (on) { url.searchParams.set("diff", "1"); } else { url.searchParams.delete("diff"); }
    window.history.replaceState(null, "", url.toString());
    var box = document.querySelector("input[name=diff]");
    if (box) { box.checked = on; }
  });
})();

// The "swipe sideways" hint above the comparison: only while the table is wider than the screen.
(function () {
  "use strict";
  function update() {
    var hint = document.getElementById("compare-scroll-hint");
    var box = document.querySelector(".compare-scroll");
    if (!hint || !box) { return; }
    hint.hidden = box.scrollWidth <= box.clientWidth + 1;
  }
  document.addEventListener("DOMContentLoaded", update);
  window.addEventListener("resize", update);
})();

// A launch-day round's countdown: <span data-countdown="ISO time" data-done="…">; mm:ss (h:mm:ss
// beyond an hour) until then, refreshed every second; at zero the page reloads to show the next state.
(function () {
  "use strict";
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function tick() {
    var items = document.querySelectorAll("[data-countdown]");
    for (var i = 0; i < items.length; i++) {
      var el = items[i];
      var left = Math.floor((Date.parse(el.getAttribute("data-countdown")) - Date.now()) / 1000);
      if (isNaN(left)) { continue; }
      if (left <= 0) {
        el.textContent = el.getAttribute("data-done") || "0:00";
        if (!el.hasAttribute("data-reloaded")) { el.setAttribute("data-reloaded", "1"); window.setTimeout(function () { window.location.reload(); }, 1500); }
        continue;
      }
      var h = Math.floor(left / 3600), m = Math.floor((left % 3600) / 60), s = left % 60;
      el.textContent = (h ? h + ":" + pad(m) : m) + ":" + pad(s);
    }
  }
  document.addEventListener("DOMContentLoaded", function () {
    if (document.querySelector("[data-countdown]")) { tick(); window.setInterval(tick, 1000); }
  });
})();

// A launch-day entry without a page load: a form with data-enter posts its fields there (urlencoded,
// the CSRF token in X-CSRFToken); the receipt, or each reason on its field, shows in place. The
// button stays disabled while the entry is on its way (a double tap sends one). Without this
// script the form posts to the page, which answers with the same rules.
(function () {
  "use strict";
  function clear(form) {
    var old = form.querySelectorAll("[data-live-error]");
    for (var i = 0; i < old.length; i++) { if (old[i].parentNode) { old[i].parentNode.removeChild(old[i]); } }
    var marked = form.querySelectorAll("[aria-invalid]");
    for (var j = 0; j < marked.length; j++) { marked[j].removeAttribute("aria-invalid"); }
  }
  function show(form, error) {
    var input = error.field ? form.querySelector("[name='" + error.field + "']") : null;
    var note = document.createElement(input ? "small" : "p");
    note.setAttribute("data-live-error", "1");
    note.textContent = error.message;
    if (input) {
      note.className = "field-error";
      note.setAttribute("data-field", error.field);
      var holder = document.createElement("div");
      holder.className = "field-notes";
      holder.setAttribute("data-live-error", "1");
      holder.appendChild(note);
      input.parentNode.insertBefore(holder, input.nextSibling);
      input.setAttribute("aria-invalid", "true");
    } else {
      note.className = "notice error";
      note.setAttribute("role", "alert");
      form.insertBefore(note, form.firstChild);
    }
  }
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.getAttribute || !form.getAttribute("data-enter") || !window.fetch || !window.URLSearchParams) { return; }
    event.preventDefault();
    var button = form.querySelector("button[type=submit]");
    if (button && button.disabled) { return; }
    if (button) { button.disabled = true; }
    clear(form);
    var token = form.querySelector("[name=csrfmiddlewaretoken]");
    var receipt = document.getElementById("entry-receipt");
    receipt.innerHTML = "";  // the last person's receipt never stands for this entry
    fetch(form.getAttribute("data-enter"), {
      method: "POST", credentials: "same-origin", body: new URLSearchParams(new FormData(form)),
      headers: {"X-CSRFToken": token ? token.value : "", "Accept": "application/json"}
    }).then(function (response) {
      var type = response.headers.get("Content-Type") || "";
      if (type.indexOf("application/json") !== 0) {  // a page instead (expired form, moved campaign): reload
        return {ok: false, data: {errors: [{field: null, message: form.getAttribute("data-reload")}]}};
      }
      return response.json().then(function (data) { return {ok: response.status === 201, data: data}; });
    }).then(function (answer) {
      if (answer.ok) {
        receipt.innerHTML = "";
        var p = document.createElement("p");
        p.className = "notice success";
        p.textContent = answer.data.message;
        receipt.appendChild(p);
        form.reset();
        receipt.scrollIntoView({block: "nearest"});
      } else {
        (answer.data.errors || []).forEach(function (error) { show(form, error); });
      }
    }).catch(function () {
      show(form, {field: null, message: form.getAttribute("data-offline")});
    }).then(function () {
      if (button) { button.disabled = false; }
    });
  });
})();
