// Submit the language switcher on change (no inline handlers: the CSP forbids them).
document.addEventListener("change", function (event) {
  var el = event.target;
  if (el.matches && el.matches("select[data-autosubmit]")) { el.form.submit(); }
});

// Wide tables marked data-sortable: a click on a column's heading sorts the rows by it (numbers as
// numbers, "—" last), a second click reverses; the heading says which way (aria-sort).
(function () {
  function value(cell) {
    var text = (cell ? cell.textContent : "").trim();
    if (text === "" || text === "—") { return null; }
    var number = parseFloat(text.replace(/[,%¥\s]/g, ""));
    return isNaN(number) || !/^[-\d.,%¥\s]+$/.test(text) ? text : number;
  }
  function sortBy(table, th) {
    var index = Array.prototype.indexOf.call(th.parentNode.children, th);
    var body = table.tBodies[0];
    var descending = th.getAttribute("aria-sort") !== "descending";
    var rows = Array.prototype.slice.call(body.rows).filter(function (r) { return r.cells.length > index; });
    rows.sort(function (a, b) {
      var x = value(a.cells[index]), y = value(b.cells[index]);
      if (x === null) { return y === null ? 0 : 1; }
      if (y === null) { return -1; }
      var order = typeof x === "number" && typeof y === "number" ? x - y : String(x).localeCompare(String(y), "zh");
      return descending ? -order : order;
    });
    rows.forEach(function (r) { body.appendChild(r); });
    Array.prototype.forEach.call(th.parentNode.children, function (h) { h.removeAttribute("aria-sort"); });
    th.setAttribute("aria-sort", descending ? "descending" : "ascending");
  }
  document.addEventListener("click", function (event) {
    var th = event.target.closest && event.target.closest("table[data-sortable] thead th");
    if (th && !event.target.closest("a")) { sortBy(th.closest("table"), th); }
  });
})();

// "Export to Excel" exports what the list shows now: filters changed in place (htmx) update the
// address bar but not the link rendered with the page, so the link takes the address's filters
// when it is followed (without the page number: the export is the whole filtered list).
document.addEventListener("click", function (event) {
  var link = event.target.closest ? event.target.closest("a[data-export]") : null;
  if (!link) { return; }
  var params = new URLSearchParams(window.location.search);
  params.delete("page");
  params.set("format", "xlsx");
  link.setAttribute("href", window.location.pathname + "?" + params.toString());
});

// Lists with ticks for a bulk action (the lead list's reassignment): the heading's box ticks every
// box of the page, and the bar counts the ticked ones.
(function () {
  function boxes(name) {
    return document.querySelectorAll('input[type=checkbox][name="' + name + '"]');
  }
  function count(name) {
    var n = Array.prototype.filter.call(boxes(name), function (b) { return b.checked; }).length;
    document.querySelectorAll('[data-selected-count="' + name + '"]').forEach(function (el) { el.textContent = n; });
  }
  document.addEventListener("change", function (event) {
    var el = event.target;
    if (!el.matches) { return; }
    if (el.matches("input[data-select-all]")) {
      var name = el.getAttribute("data-select-all");
      boxes(name).forEach(function (b) { b.checked = el.checked; });
      count(name);
    } else if (el.matches("input[type=checkbox][name]") && el.getAttribute("form")) {
      count(el.getAttribute("name"));
    }
  });
})();
