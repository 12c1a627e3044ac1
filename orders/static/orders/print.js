// The "Print" button of packing slips and pick lists (no inline scripts: CSP).
document.addEventListener("click", function (e) {
  if (e.target.closest("[data-print]")) { window.print(); }
});
