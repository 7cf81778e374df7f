/* Names for the blocks that the theme makes keyboard-scrollable; added by _ext/accessibility.py.
 *
 * pydata-sphinx-theme gives every code block, cell output and table that overflows its column
 * tabindex="0", so that a keyboard user can reach it and scroll it. An element in the tab order
 * needs an accessible name (WCAG 4.1.2), and a plain <pre> or <div> cannot carry one. Each such
 * block becomes a named group: "Code cell source (scrollable)", "Cell output (scrollable)",
 * "Table: <caption> (scrollable)" and so on. Blocks that fit their column stay out of the tab
 * order and are left alone.
 */
(function () {
  "use strict";
  var SELECTOR = [
    "pre",
    ".nboutput > .output_area",
    ".cell_output > .output",
    ".jp-RenderedHTMLCommon",
    ".pst-scrollable-table-container",
  ].join(", ");

  function captionOf(el) {
    var table = el.matches("table") ? el : el.querySelector("table");
    var caption = table && table.querySelector("caption");
    if (!caption) return table ? "" : null;
    var text = caption.textContent.replace(/\s+/g, " ").trim();
    return text.length > 100 ? text.slice(0, 99) + "…" : text;
  }

  function nameFor(el) {
    var caption = captionOf(el);
    if (caption) return "Table: " + caption + " (scrollable)";
    if (el.matches("pre")) {
      if (el.closest(".cell_input")) return "Code cell source (scrollable)";
      if (el.closest(".cell_output")) return "Cell output (scrollable)";
      return "Code block (scrollable)";
    }
    if (caption === "") return "Table (scrollable)";
    return "Cell output (scrollable)";
  }

  function nameScrollables() {
    document.querySelectorAll(SELECTOR).forEach(function (el) {
      if (el.tabIndex !== 0 || el.hasAttribute("aria-label") || el.hasAttribute("aria-labelledby")) {
        return;
      }
      if (!el.hasAttribute("role")) el.setAttribute("role", "group");
      el.setAttribute("aria-label", nameFor(el));
    });
  }

  function start() {
    nameScrollables();
    var main = document.getElementById("main-content");
    if (main && window.MutationObserver) {
      new MutationObserver(nameScrollables).observe(main, {
        subtree: true, attributes: true, attributeFilter: ["tabindex"],
      });
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
