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
