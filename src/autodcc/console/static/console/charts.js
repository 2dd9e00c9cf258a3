// Charts of the insight pages, drawn with Apache ECharts (vendor/echarts) from declarative specs:
//   <div class="chart" data-chart='{"type": "bar", "labels": [...], "series": [{"name": ..., "data": [...]}]}'>
//   <div class="chart" data-chart-src="some-id"> + <script type="application/json" id="some-id">{...}</script>
// Types: "funnel" (data: [{name, value, weak}]), "bar" (labels, series) and "pareto" (labels, bars, line).
// No inline script or style anywhere (the CSP forbids them): specs are data, tooltips are drawn on
// the canvas (richText). Charts re-render after htmx swaps and follow the window's size. Pages with
// charts set hx-history="false": htmx's history snapshot would clone ECharts' styled elements (a CSP
// violation) and could not restore a canvas anyway, so "back" reloads the page instead. Chart
// elements carry no id (put it on a wrapper): while settling a swap, htmx copies an old element's
// attributes, ECharts' inline style included, onto the new element with the same id.
(function () {
  "use strict";

  var RED = "#c62828", ORANGE = "#ef6c00";
  var PALETTE = ["#1565c0", "#2e7d32", "#ef6c00", "#6a1b9a", "#00838f", "#795548", "#5d4037"];
  var FUNNEL_BLUES = ["#0d47a1", "#1565c0", "#1976d2", "#1e88e5", "#2196f3", "#42a5f5", "#64b5f6", "#90caf9"];
  var live = [];

  function readSpec(el) {
    var source = el.getAttribute("data-chart-src");
    var text = source ? (document.getElementById(source) || {}).textContent : el.getAttribute("data-chart");
    try { return JSON.parse(text || "null"); } catch (e) { return null; }
  }

  // A label's width in pixels at 12 px: CJK characters are square, others about half as wide.
  function textWidth(label) {
    var w = 0, text = String(label);
    for (var i = 0; i < text.length; i++) { w += text.charCodeAt(i) > 0x2e7f ? 12 : 7; }
    return w;
  }

  // Category labels that do not fit side by side in the chart's width are turned, and cut (with
  // "…", the whole label stays in the tooltip) so a narrow phone chart still reads.
  function categoryLabels(labels, width) {
    var slot = (width || 600) / Math.max(labels.length, 1) - 8;
    var widest = labels.reduce(function (m, l) { return Math.max(m, textWidth(l)); }, 0);
    if (widest <= slot && labels.length <= 8) { return { interval: 0, rotate: 0 }; }
    return { interval: 0, rotate: slot < 40 ? 60 : 35, width: 110, overflow: "truncate", ellipsis: "…" };
  }

  function empty(spec) {
    return { animation: false, title: { text: spec.empty || "—", left: "center", top: "middle",
      textStyle: { color: "#78909c", fontSize: 14, fontWeight: "normal" } } };
  }

  var builders = {
    funnel: function (spec) {
      var data = (spec.data || []).map(function (d, i) {
        return { name: d.name, value: d.value, weak: !!d.weak,
                 itemStyle: { color: d.weak ? RED : FUNNEL_BLUES[i % FUNNEL_BLUES.length] } };
      });
      var max = data.reduce(function (m, d) { return Math.max(m, d.value || 0); }, 0);
      return {
        animation: false,
        tooltip: { trigger: "item", renderMode: "richText", formatter: "{b}: {c}" },
        series: [{
          type: "funnel", name: spec.name || "", sort: "none", min: 0, max: max || 1, minSize: "12%",
          left: "8%", width: "84%", top: 8, bottom: 8, gap: 2,
          label: { show: true, position: "inside", color: "#fff", fontWeight: "bold",
                   formatter: function (p) { return p.name + "  " + p.value + (p.data.weak ? "  ⚠" : ""); } },
          labelLine: { show: false },
          data: data
        }]
      };
    },
    bar: function (spec, width) {
      var labels = spec.labels || [];
      if (!labels.length) { return empty(spec); }
      return {
        animation: false, color: PALETTE,
        tooltip: { trigger: "axis", renderMode: "richText" },
        legend: { top: 0 },
        grid: { left: 8, right: 16, top: 36, bottom: 8, containLabel: true },
        xAxis: { type: "category", data: labels, axisLabel: categoryLabels(labels, width) },
        yAxis: { type: "value", minInterval: 1 },
        series: (spec.series || []).map(function (s) {
          return { type: "bar", name: s.name, data: s.data, barMaxWidth: 36,
                   label: { show: labels.length <= 12, position: "top" } };
        })
      };
    },
    pareto: function (spec, width) {
      var labels = spec.labels || [];
      if (!labels.length) { return empty(spec); }
      var bars = spec.bars || {}, line = spec.line || {};
      return {
        animation: false,
        tooltip: { trigger: "axis", renderMode: "richText" },
        legend: { top: 0 },
        grid: { left: 8, right: 8, top: 40, bottom: 8, containLabel: true },
        xAxis: { type: "category", data: labels, axisLabel: categoryLabels(labels, width) },
        yAxis: [
          { type: "value", minInterval: 1, name: bars.name || "" },
          { type: "value", min: 0, max: 100, name: line.name || "", axisLabel: { formatter: "{value}%" },
            splitLine: { show: false } }
        ],
        series: [
          // the count inside the top of its bar, the cumulative share above its point (on a white
          // ground): where the line meets a bar's top the two labels no longer print on each other
          { type: "bar", name: bars.name || "", data: bars.data || [], barMaxWidth: 48,
            itemStyle: { color: PALETTE[0] },
            label: { show: true, position: "insideTop", color: "#fff", fontWeight: "bold" } },
          { type: "line", name: line.name || "", yAxisIndex: 1, data: line.data || [], symbolSize: 7,
            itemStyle: { color: ORANGE },
            label: { show: true, position: "top", distance: 6, color: ORANGE, fontWeight: "bold",
                     backgroundColor: "rgba(255,255,255,.85)", padding: [1, 3], borderRadius: 2,
                     formatter: function (p) { return p.value + "%"; } },
            // the 80 % reference line's label sits above the line inside the grid, not beside it
            // where the right axis already prints "80%"
            markLine: { silent: true, symbol: "none", lineStyle: { type: "dashed", color: "#90a4ae" },
                        label: { position: "insideEndTop", color: "#78909c",
                                 formatter: function () { return "80%"; } },
                        data: [{ yAxis: 80 }] } }
        ]
      };
    }
  };

  function render(el) {
    if (!window.echarts) { return; }
    var spec = readSpec(el);
    if (!spec || !builders[spec.type]) { return; }
    var chart = window.echarts.getInstanceByDom(el) ||
      window.echarts.init(el, null, { renderer: el.getAttribute("data-renderer") || "canvas" });
    chart.setOption(builders[spec.type](spec, el.clientWidth), true);
    el.setAttribute("data-rendered", spec.type);
    if (live.indexOf(el) < 0) { live.push(el); }
  }

  function forget() {
    // charts whose element an htmx swap took out of the page
    live = live.filter(function (el) {
      if (document.body.contains(el)) { return true; }
      var chart = window.echarts && window.echarts.getInstanceByDom(el);
      if (chart) { chart.dispose(); }
      return false;
    });
  }

  function renderAll() {
    forget();
    document.querySelectorAll(".chart[data-chart], .chart[data-chart-src]").forEach(render);
  }

  function resizeAll() {
    live.forEach(function (el) {
      var chart = window.echarts && window.echarts.getInstanceByDom(el);
      if (chart) { chart.resize(); render(el); }  // labels are laid out for the new width
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", renderAll);
  } else {
    renderAll();
  }
  document.addEventListener("htmx:afterSwap", renderAll);
  document.addEventListener("htmx:historyRestore", renderAll);
  window.addEventListener("resize", resizeAll);
  window.addEventListener("beforeprint", resizeAll);
  window.addEventListener("afterprint", resizeAll);

  // <button data-print>: the printable reports
  document.addEventListener("click", function (event) {
    var el = event.target;
    if (el.closest && el.closest("[data-print]")) { event.preventDefault(); window.print(); }
  });

  // <select data-dealer-links>: each option's value is the page to open
  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el.matches && el.matches("select[data-dealer-links]") && el.value) { window.location.assign(el.value); }
  });

  window.autodccCharts = { render: renderAll, resize: resizeAll };
})();
