// Report charts (reports/framework.py): data comes from json_script elements, no inline scripts (CSP).
(function () {
  var colours = ["#1f6feb", "#8b949e", "#2da44e", "#bf8700", "#cf222e"];
  function draw(canvas) {
    if (!window.Chart || canvas.dataset.drawn) return;
    var source = document.getElementById(canvas.dataset.reportChart);
    if (!source) return;
    var d = JSON.parse(source.textContent);
    canvas.dataset.drawn = "1";
    var datasets = d.datasets.map(function (s, i) {
      var c = colours[i % colours.length];
      return {label: s.label, data: s.data, borderColor: c, backgroundColor: s.dashed ? "rgba(139,148,158,0.5)" : c,
        borderDash: s.dashed ? [6, 4] : [], fill: false, tension: 0.2, pointRadius: d.type === "line" ? 2 : 0};
    });
    new window.Chart(canvas, {type: d.type, data: {labels: d.labels, datasets: datasets},
      options: {responsive: true, indexAxis: d.horizontal ? "y" : "x", plugins: {legend: {display: datasets.length > 1}}}});
  }
  function init() { document.querySelectorAll("canvas[data-report-chart]").forEach(draw); }
  document.addEventListener("DOMContentLoaded", init);
  window.addEventListener("load", init);
  document.addEventListener("htmx:afterSwap", init);
})();
