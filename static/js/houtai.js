// Houtai back office: small behaviours, no inline scripts (CSP: script-src 'self').
(function () {
  function init(root) {
    root.querySelectorAll("[data-select-all]").forEach(function (box) {
      box.addEventListener("change", function () {
        box.closest("table").querySelectorAll("input[name=ids]").forEach(function (c) { c.checked = box.checked; });
      });
    });
    root.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
      if (!window.Chart || canvas.dataset.drawn) return;
      var d = JSON.parse(canvas.dataset.chart);
      canvas.dataset.drawn = "1";
      new window.Chart(canvas, {type: d.type || "bar", data: {labels: d.labels, datasets: [{label: d.label, data: d.values, backgroundColor: "#1f6feb"}]},
        options: {responsive: true, plugins: {legend: {display: false}}}});
    });
    root.querySelectorAll("[data-progress-url]").forEach(function (bar) { poll(bar); });
  }
  function poll(bar) {
    fetch(bar.dataset.progressUrl, {headers: {"Accept": "application/json"}}).then(function (r) { return r.json(); }).then(function (p) {
      var pct = p.total ? Math.round(100 * p.done / p.total) : 0;
      bar.querySelector(".fill").style.width = pct + "%";
      bar.querySelector(".label").textContent = pct + "%";
      if (p.state === "running" || p.state === "queued") { setTimeout(function () { poll(bar); }, 700); }
      else if (bar.dataset.doneUrl) { window.location = bar.dataset.doneUrl; }
    });
  }
  document.addEventListener("submit", function (e) {
    var b = e.submitter || e.target.querySelector("[data-confirm]");
    if (b && b.dataset && b.dataset.confirm && !window.confirm(b.dataset.confirm)) e.preventDefault();
  });
  document.addEventListener("DOMContentLoaded", function () { init(document); });
  window.addEventListener("load", function () { init(document); });
  document.addEventListener("htmx:afterSwap", function (e) { init(e.target); });
})();
