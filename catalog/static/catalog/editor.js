/* The product description: a Quill editor over the textarea[data-rich-text], which stays the form field
   (and the editor when JavaScript is off). The editor writes semantic HTML back into the textarea; the
   server sanitises it on save. No inline script or style: it runs under the site's CSP. */
(function () {
  "use strict";

  var TOOLBAR = [
    [{ header: [2, 3, false] }],
    ["bold", "italic", "underline"],
    [{ list: "ordered" }, { list: "bullet" }],
    ["link", "blockquote"],
    ["clean"],
  ];

  function html(quill) {
    if (quill.getText().trim() === "" && !quill.root.querySelector("img")) return "";
    // getSemanticHTML keeps real <ul>/<ol>; it writes every space as &nbsp;, which would stop lines wrapping.
    return quill.getSemanticHTML().replace(/&nbsp;/g, " ");
  }

  function mount(textarea) {
    if (typeof window.Quill === "undefined" || textarea.dataset.richTextMounted) return;
    textarea.dataset.richTextMounted = "1";
    var holder = document.createElement("div");
    holder.className = "rich-text";
    var area = document.createElement("div");
    holder.appendChild(area);
    textarea.parentNode.insertBefore(holder, textarea.nextSibling);
    var quill = new window.Quill(area, {
      theme: "snow",
      readOnly: textarea.disabled || textarea.readOnly,
      modules: { toolbar: TOOLBAR },
    });
    quill.setContents(quill.clipboard.convert({ html: textarea.value }), "silent");
    quill.root.setAttribute("data-testid", "rich-text-editor");
    var label = textarea.id && document.querySelector('label[for="' + textarea.id + '"]');
    if (label) quill.root.setAttribute("aria-label", label.textContent.trim());
    holder.querySelectorAll(".ql-picker.ql-header .ql-picker-item, .ql-picker.ql-header .ql-picker-label")
      .forEach(function (item) {
        var text = textarea.getAttribute("data-label-" + (item.getAttribute("data-value") ? "h" + item.getAttribute("data-value") : "normal"));
        if (text) item.setAttribute("data-label", text);
      });
    quill.on("editor-change", function () {
      var current = holder.querySelector(".ql-picker.ql-header .ql-picker-label");
      if (!current) return;
      var value = current.getAttribute("data-value");
      current.setAttribute("data-label", textarea.getAttribute("data-label-" + (value ? "h" + value : "normal")) || "");
    });
    textarea.hidden = true;
    quill.on("text-change", function () { textarea.value = html(quill); });
    if (textarea.form) textarea.form.addEventListener("submit", function () { textarea.value = html(quill); });
  }

  function init() {
    document.querySelectorAll("textarea[data-rich-text]").forEach(mount);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
