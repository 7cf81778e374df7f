/* Reader view and code view (see _ext/code_view.py).
 *
 * One button in the page header folds or shows every code cell; the choice is stored and applies
 * on every page. ?code=shown or ?code=folded sets it; otherwise the book's default (a <meta> tag).
 * A folded cell keeps a "Show code" button in its place, which opens that cell only.
 * Without JavaScript nothing is folded.
 */
(function () {
  "use strict";
  if (window.ky2015CodeView) return;  // the page may link this script twice
  window.ky2015CodeView = true;
  var KEY = "ky2015-code";
  var root = document.documentElement;

  function stored() {
    try { return window.localStorage.getItem(KEY); } catch (e) { return null; }
  }
  function store(value) {
    try { window.localStorage.setItem(KEY, value); } catch (e) { /* private mode */ }
  }
  function fromUrl() {
    var match = /[?&]code=(shown|folded)\b/.exec(window.location.search);
    return match ? match[1] : null;
  }
  function bookDefault() {
    var meta = document.querySelector('meta[name="ky2015-code-default"]');
    return meta && meta.content === "shown" ? "shown" : "folded";
  }

  var url = fromUrl();
  if (url) store(url);
  var mode = url || stored() || bookDefault();

  function cells() {
    // Code cells whose source is on the page and not already behind myst-nb's own toggle.
    return Array.prototype.filter.call(
      document.querySelectorAll("div.cell > div.cell_input"),
      function (input) { return !input.closest("details"); });
  }

  // pydata-sphinx-theme puts a block that overflows its column in the tab order (so a keyboard
  // can scroll it) when the page loads; a folded cell did not overflow then. Re-measure the
  // blocks of cells that have just been shown, as the theme does.
  function updateTabStops(scope) {
    scope.querySelectorAll("div.cell_input pre").forEach(function (el) {
      el.tabIndex = el.scrollWidth > el.clientWidth || el.scrollHeight > el.clientHeight ? 0 : -1;
    });
  }

  function apply(value, header) {
    mode = value;
    root.setAttribute("data-code", value);
    cells().forEach(function (input) {
      var cell = input.parentElement;
      cell.classList.remove("code-open");
      var button = cell.querySelector(":scope > .code-view-cell");
      if (button) button.setAttribute("aria-expanded", "false");
    });
    if (header) {
      header.textContent = value === "folded" ? "Show all code" : "Hide all code";
      header.setAttribute("aria-pressed", value === "shown" ? "true" : "false");
    }
    updateTabStops(document);
  }

  function setup() {
    var inputs = cells();
    if (!inputs.length) return;  // a prose page: no control
    inputs.forEach(function (input, i) {
      var cell = input.parentElement;
      if (!input.id) input.id = "code-cell-" + (i + 1);
      var button = document.createElement("button");
      button.type = "button";
      button.className = "code-view-cell btn btn-sm";
      button.setAttribute("aria-controls", input.id);
      button.setAttribute("aria-expanded", "false");
      button.textContent = "Show code";
      button.addEventListener("click", function () {
        var open = cell.classList.toggle("code-open");
        button.setAttribute("aria-expanded", open ? "true" : "false");
        button.textContent = open ? "Hide code" : "Show code";
        updateTabStops(cell);
      });
      cell.insertBefore(button, input);
    });
    var header = document.createElement("button");
    header.type = "button";
    header.className = "btn btn-sm code-view-toggle";
    header.title = "Fold or show the code cells on every page of the book";
    header.addEventListener("click", function () {
      var next = mode === "folded" ? "shown" : "folded";
      store(next);
      apply(next, header);
    });
    var place = document.querySelector(".article-header-buttons") ||
                document.querySelector(".header-article-items__end");
    if (place) place.insertBefore(header, place.firstChild);
    apply(mode, header);
  }

  root.setAttribute("data-code", mode);
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setup);
  } else {
    setup();
  }
})();
