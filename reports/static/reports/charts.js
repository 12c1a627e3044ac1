// Report charts: canvas[data-series] holds {type?, labels, datasets: [{label, data, color, dashed?}]} (CSP: no inline
// scripts). A dashed dataset is the comparison (the previous period, the expected band).
(function () {
  function draw(root) {
    if (!window.Chart) return;
    root.querySelectorAll("canvas[data-series]").forEach(function (canvas) {
      if (canvas.dataset.drawn) return;
      var d = JSON.parse(canvas.dataset.series);
      canvas.dataset.drawn = "1";
      var datasets = d.datasets.map(function (s) {
        return {label: s.label, data: s.data, borderColor: s.color, backgroundColor: s.color, borderDash: s.dashed ? [6, 4] : [],
          pointRadius: s.dashed ? 0 : 2, spanGaps: true, tension: 0.2, fill: false};
      });
      new window.Chart(canvas, {type: d.type || "line", data: {labels: d.labels, datasets: datasets},
        options: {responsive: true, maintainAspectRatio: false, animation: false, interaction: {mode: "index", intersect: false},
          plugins: {legend: {display: datasets.length > 1, position: "bottom"}}}});
    });
  }
  document.addEventListener("DOMContentLoaded", function () { draw(document); });
  window.addEventListener("load", function () { draw(document); });
  document.addEventListener("htmx:afterSwap", function (e) { draw(e.target); });
})();
