// The assistant's panel on every store page. Without this script the button is a link to the
// assistant's own page, where the same forms post and reload.
(function () {
  "use strict";
  var POLL_MS = 3000;
  var timer = null;

  function dock() { return document.getElementById("assistant-dock"); }
  function slot() { return document.getElementById("assistant-slot"); }

  function scrollDown() {
    var log = document.getElementById("assistant-log");
    if (log) { log.scrollTop = log.scrollHeight; }
  }

  function show(html) {
    slot().innerHTML = html;
    scrollDown();
    var input = document.getElementById("assistant-text");
    if (input) { input.focus(); }
    schedule();
  }

  function load() {
    fetch(dock().getAttribute("data-panel"), {credentials: "same-origin", headers: {"X-Assistant": "1"}})
      .then(function (r) { return r.text(); }).then(show);
  }

  function withPerson() {
    var body = document.getElementById("assistant-body");
    var status = body ? body.getAttribute("data-status") : "";
    return status === "waiting" || status === "live";
  }

  function schedule() {
    if (timer) { window.clearTimeout(timer); timer = null; }
    if (!dock() || dock().hidden || !withPerson()) { return; }
    timer = window.setTimeout(poll, POLL_MS);
  }

  function poll() {
    var body = document.getElementById("assistant-body");
    if (!body) { return; }
    fetch(body.getAttribute("data-log"), {credentials: "same-origin"})
      .then(function (r) { return r.text(); })
      .then(function (html) {
        var box = document.createElement("div");
        box.innerHTML = html;
        var fresh = box.querySelector("#assistant-log");
        var old = document.getElementById("assistant-log");
        if (fresh && old && (fresh.getAttribute("data-last") !== old.getAttribute("data-last") ||
                             fresh.getAttribute("data-status") !== old.getAttribute("data-status"))) {
          if (fresh.getAttribute("data-status") !== body.getAttribute("data-status")) { load(); return; }
          old.replaceWith(fresh);
          scrollDown();
        }
        schedule();
      })
      .catch(schedule);
  }

  document.addEventListener("click", function (event) {
    var open = event.target.closest ? event.target.closest("#assistant-open") : null;
    if (open && dock()) {
      event.preventDefault();
      dock().hidden = false;
      document.body.classList.add("assistant-open");
      load();
      return;
    }
    if (event.target.closest && event.target.closest("#assistant-close")) {
      dock().hidden = true;
      document.body.classList.remove("assistant-open");
      schedule();
    }
  });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!dock() || !dock().contains(form)) { return; }
    event.preventDefault();
    var button = form.querySelector("button[type=submit]");
    if (button) { button.disabled = true; }
    fetch(form.getAttribute("action"), {method: "POST", body: new FormData(form), credentials: "same-origin",
                                        headers: {"X-Assistant": "1"}})
      .then(function (r) { return r.text(); }).then(show)
      .catch(function () { if (button) { button.disabled = false; } });
  });

  // the assistant's own page (no dock): keep polling while a person is on the conversation
  document.addEventListener("DOMContentLoaded", function () {
    if (!dock() && document.getElementById("assistant-body") && withPerson()) {
      window.setInterval(function () {
        var body = document.getElementById("assistant-body");
        fetch(body.getAttribute("data-log"), {credentials: "same-origin"}).then(function (r) { return r.text(); })
          .then(function (html) {
            var box = document.createElement("div");
            box.innerHTML = html;
            var fresh = box.querySelector("#assistant-log");
            var old = document.getElementById("assistant-log");
            if (fresh && old && fresh.getAttribute("data-last") !== old.getAttribute("data-last")) { old.replaceWith(fresh); scrollDown(); }
          });
      }, POLL_MS);
    }
    scrollDown();
  });
})();
