// First-party store analytics, only with the visitor's consent (the adcc_consent cookie says
// "yes.<version>"). After the page has loaded, one beacon tells the store which page this is; the
// visit id lives in the adcc_visit cookie for 30 minutes of activity. The banner's buttons post the
// choice in the background (without this script the same form posts and comes back).
(function () {
  "use strict";
  var VISIT = "adcc_visit", ID = /^[0-9a-f]{16,32}$/;

  function cookie(name) {
    var parts = document.cookie ? document.cookie.split("; ") : [];
    for (var i = 0; i < parts.length; i++) {
      var eq = parts[i].indexOf("=");
      if (parts[i].slice(0, eq) === name) { return decodeURIComponent(parts[i].slice(eq + 1)); }
    }
    return "";
  }

  function consented() { return cookie("adcc_consent").indexOf("yes.") === 0; }

  function visitId() {
    var id = cookie(VISIT);
    if (!ID.test(id)) {
      var bytes = new Uint8Array(16);
      window.crypto.getRandomValues(bytes);
      id = Array.prototype.map.call(bytes, function (b) { return (b < 16 ? "0" : "") + b.toString(16); }).join("");
    }
    document.cookie = VISIT + "=" + id + "; path=/; max-age=1800; samesite=lax" +
      (window.location.protocol === "https:" ? "; secure" : "");
    return id;
  }

  function pageView(root) {
    if (!consented()) { return; }
    visitId();
    var body = JSON.stringify({ events: [{ kind: "page_view", url: window.location.pathname + window.location.search,
                                          referrer: document.referrer.slice(0, 500) }] });
    var url = root.getAttribute("data-collect");
    try {
      if (navigator.sendBeacon && navigator.sendBeacon(url, new Blob([body], { type: "application/json" }))) { return; }
    } catch (e) { /* an older browser refuses a JSON beacon: fetch below */ }
    if (window.fetch) {
      window.fetch(url, { method: "POST", body: body, keepalive: true, credentials: "same-origin",
                          headers: { "Content-Type": "application/json" } });
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    var root = document.getElementById("store-analytics");
    if (!root) { return; }
    var banner = document.getElementById("consent-banner");
    if (banner && window.fetch && window.FormData) {
      var form = banner.querySelector("form");
      form.addEventListener("click", function (event) {
        var button = event.target.closest ? event.target.closest("button[data-consent]") : null;
        if (!button) { return; }
        event.preventDefault();
        var data = new FormData(form);
        data.set("choice", button.getAttribute("data-consent"));
        window.fetch(form.action, { method: "POST", body: data, credentials: "same-origin",
                                    headers: { "X-Requested-With": "fetch" } })
          .then(function (response) {
            if (!response.ok) { throw new Error(String(response.status)); }
            banner.parentNode.removeChild(banner);
            pageView(root);
          })
          .catch(function () { form.submit(); });
      });
    }
    pageView(root);
  });
})();
