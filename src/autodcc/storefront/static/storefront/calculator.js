// The loan calculator: choosing a finance offer greys out the down-payment shares below its
// minimum (moving the choice up to it) and the terms it does not offer; picking a share or an
// amount selects how the down payment is given. Without this script the server refuses the same
// choices with a message on the field.
(function () {
  "use strict";
  function applyOffer(form) {
    var chosen = form.querySelector("input[name=offer]:checked");
    var min = chosen && chosen.getAttribute("data-min-down") ? parseFloat(chosen.getAttribute("data-min-down")) : 0;
    var terms = chosen && chosen.getAttribute("data-terms") ? chosen.getAttribute("data-terms").split(",") : null;
    var share = form.querySelector("select[name=down_pct]");
    if (share) {
      var firstAllowed = null;
      for (var i = 0; i < share.options.length; i++) {
        var option = share.options[i];
        option.disabled = parseFloat(option.value) < min;
        if (!option.disabled && firstAllowed === null) { firstAllowed = option; }
      }
      if (share.selectedOptions.length && share.selectedOptions[0].disabled && firstAllowed) { firstAllowed.selected = true; }
    }
    var months = form.querySelector("select[name=months]");
    if (months) {
      var firstTerm = null;
      for (var j = 0; j < months.options.length; j++) {
        var term = months.options[j];
        term.disabled = terms !== null && terms.indexOf(term.value) < 0;
        if (!term.disabled && firstTerm === null) { firstTerm = term; }
      }
      if (months.selectedOptions.length && months.selectedOptions[0].disabled && firstTerm) { firstTerm.selected = true; }
    }
    var own = form.querySelector(".own-rate");
    if (own) { own.hidden = !!(chosen && chosen.value !== "own"); }
  }
  function chooseDownBy(form, how) {
    var radio = form.querySelector("input[name=down_by][value=" + how + "]");
    if (radio) { radio.checked = true; }
  }
  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector("form.calc-form");
    if (!form) { return; }
    applyOffer(form);
    form.addEventListener("change", function (event) {
      var name = event.target.getAttribute("name");
      if (name === "offer") { applyOffer(form); }
      if (name === "down_pct") { chooseDownBy(form, "pct"); }
      if (name === "down_payment") { chooseDownBy(form, "amount"); }
    });
  });
})();
