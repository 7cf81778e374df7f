"""Accessible, self-contained HTML for the edition.

Four things the default Jupyter Book stack does not give, done here so that no accessibility rule
has to be switched off in the tests (``tests/test_accessibility.py``, ``tests/test_offline.py``):

1. **Figure alt text computed from the data.** myst-nb takes an image's ``alt`` only from the
   ``{glue:figure}`` directive's static ``:alt:`` option, and otherwise Sphinx writes the hashed
   file name. A notebook that glues a figure under ``fig-1`` also glues a plain string under
   ``fig-1-alt`` ("Bar chart: … Kazakhstan 15.2, …"), built from the same data as the figure.
   At ``doctree-resolved`` this extension reads the page's own glue data (myst-nb writes it to
   ``<output_folder>/<docname>.glue.json``) and sets that string as the alt text of the image in
   the figure whose ``:name:`` is ``fig-1`` (replacing any static ``:alt:``). A glued figure
   without its ``-alt`` string is a warning, so the strict build fails. (By the same convention
   the notebook glues the figure's data as a Markdown table, ``fig-1-data``, which the page shows
   in a "Data for Figure 1" dropdown under the figure.)

2. **Markup fixes in the page body** (``html-page-context``), where docutils or pandas write HTML
   that axe-core reports:

   * the reference list: docutils marks each entry ``role="doc-biblioentry"`` inside a
     ``role="list"`` container. ``doc-biblioentry`` is deprecated in DPUB-ARIA 1.1 and is not a
     list item, so the list has no items (axe ``aria-required-children``, critical). The entries
     become ``role="listitem"``;
   * pandas' DataFrame HTML leaves the corner cell above the index as an empty ``<th></th>``, and
     a MyST table with a blank corner (Table 1) gives ``<th><p></p></th>`` (axe
     ``empty-table-header``). An empty cell heads nothing, so it becomes a ``<td>``;
   * myst-nb's toggle for a hidden cell is ``<summary aria-label="Toggle hidden content">`` around
     the visible text "Show code cell source": the name must contain what is shown (axe
     ``label-content-name-mismatch``), so the ``aria-label`` goes and the visible text names it.

   One style sheet, ``_static/accessibility.css`` (added by this extension), darkens the link colour
   of the light theme, which fell below 4.5:1 on the tinted background of admonitions and
   exercises (axe ``color-contrast``); gives a focus ring back to the buttons that had none
   (sphinx-togglebutton's "Click to show" toggles and the article header's Bootstrap buttons);
   and lightens a search match highlighted inside a link in dark mode (2.1:1). One script,
   ``_static/accessibility.js``, names the code blocks, cell outputs and tables that the theme
   makes keyboard-scrollable (``tabindex="0"``), which are otherwise in the tab order without a
   name.

   The theme's own controls are fixed by template overrides in ``_templates/``:
   ``search-button-field.html`` (no ``aria-label`` that hides the visible "Search Ctrl+K"),
   ``theme-switcher.html`` (icons hidden from the accessible name, which is "Color mode") and
   ``navbar-logo.html`` (the book's title link in the sidebar sits in a ``nav`` landmark).

3. **Nothing from another origin.** A page whose scripts or style sheets point at another origin
   (MathJax from its CDN as soon as a page holds math, a theme's web font, …) would not work
   offline. Such a page is a warning naming the file, so the strict build fails; serve the file
   from ``_static/`` instead.

4. **The root page.** sphinx-external-toc writes ``index.html`` as a bare ``<meta>`` refresh to
   the front page, with no language or title (axe ``html-has-lang``, ``document-title``); it is
   rewritten as a small HTML page that redirects the same way and links to the front page.

Configuration (``_config.yml``)::

    sphinx:
      local_extensions:
        accessibility: _ext
      config:
        templates_path: ["_templates"]
"""
from __future__ import annotations

import ast
import json
import re
from pathlib import Path

from docutils import nodes
from sphinx.util import logging

logger = logging.getLogger(__name__)

ALT_SUFFIX = "-alt"

# docutils: <div class="citation" id="..." role="doc-biblioentry">
BIBLIOENTRY = re.compile(r'(<div class="citation"[^>]*?) role="doc-biblioentry"')
# An empty header cell (pandas' corner cell above the index, a MyST table's blank corner):
# nothing but whitespace and empty paragraphs between <th> and </th>.
EMPTY_TH = re.compile(r"<th(\s[^>]*)?>((?:\s|<p>\s*</p>)*)</th>")
# myst-nb's toggle of a hidden cell: <summary aria-label="Toggle hidden content"> around the visible
# "Show code cell source"
SUMMARY_LABEL = re.compile(r'(<summary\b[^>]*?) aria-label="Toggle hidden content"')
OFF_ORIGIN = re.compile(r"^(?:[a-z][a-z0-9+.-]*:)?//", re.I)


# -- 1. alt text from glue ----------------------------------------------------------------------

def _glue_data(app, docname: str) -> dict:
    folder = getattr(app.env, "mystnb_config", None)
    if folder is None:
        return {}
    path = Path(folder.output_folder).joinpath(*docname.split("/")[:-1],
                                               docname.split("/")[-1] + ".glue.json")
    if not path.exists():
        return {}
    return json.loads(path.read_text(encoding="utf-8"))


def glued_text(entry: dict) -> str | None:
    """The Python string a notebook glued (stored as its ``text/plain`` repr), or None."""
    plain = entry.get("data", {}).get("text/plain")
    if plain is None:
        return None
    if isinstance(plain, list):
        plain = "".join(plain)
    try:
        value = ast.literal_eval(plain)
    except (ValueError, SyntaxError):
        return None
    return value.strip() if isinstance(value, str) else None


def set_alt_from_glue(app, doctree: nodes.document, docname: str) -> None:
    glue = _glue_data(app, docname)
    if not glue:
        return
    for figure in doctree.findall(nodes.figure):
        images = list(figure.findall(nodes.image))
        names = [name for name in figure.get("names", []) if name in glue]
        if not images or not names:
            continue  # not a glued figure
        key = names[0] + ALT_SUFFIX
        alt = glued_text(glue[key]) if key in glue else None
        if alt:
            for image in images:
                image["alt"] = alt
        elif key in glue:
            logger.warning("glue key %r is not a non-empty string: a figure's alt text is glued as "
                           "str", key, location=figure, type="a11y", subtype="alt")
        else:
            logger.warning("glued figure %r has no alt text: glue a string %r that says what it "
                           "shows, computed from the data", names[0], key, location=figure,
                           type="a11y", subtype="alt")


# -- 2 and 3. page body markup; nothing from another origin -------------------------------------

def fix_body(body: str) -> str:
    """The page body with the reference list's roles, empty header cells and toggles repaired."""
    body = BIBLIOENTRY.sub(r'\1 role="listitem"', body)
    body = SUMMARY_LABEL.sub(r"\1", body)
    return EMPTY_TH.sub(r"<td\1>\2</td>", body)


def _url(asset) -> str:
    return str(getattr(asset, "filename", asset))


def on_page_context(app, pagename, templatename, context, doctree) -> None:
    if "body" in context:
        context["body"] = fix_body(context["body"])
    for key in ("script_files", "css_files"):
        for asset in context.get(key, []):
            url = _url(asset)
            if OFF_ORIGIN.match(url):
                logger.warning("%s.html would load %s from another origin (%s): the site must work "
                               "offline; serve it from _static/", pagename, key.split("_")[0], url,
                               type="a11y", subtype="offline")


# -- 4. the root redirect -------------------------------------------------------------------

REDIRECT_PAGE = """<!DOCTYPE html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<meta http-equiv="refresh" content="0; url={url}">
<link rel="canonical" href="{url}">
</head>
<body>
<main>
<h1><a href="{url}">{title}</a></h1>
</main>
</body>
</html>
"""


def write_root_redirect(app, exception) -> None:
    """Give the root ``index.html`` that sphinx-external-toc writes (a bare ``<meta>`` refresh,
    with no language, title or link) the markup of a page: ``lang``, a title and a link that
    works where the refresh does not."""
    if exception is not None or app.builder.format != "html":
        return
    index = Path(app.outdir) / "index.html"
    if not index.exists():
        return
    text = index.read_text(encoding="utf-8")
    # sphinx-external-toc's bare refresh, or this function's page from an earlier build
    match = re.search(r'<meta http-equiv="refresh" content="0; url=([^"]+)"', text, re.I)
    if match and len(text) < 2000:  # a redirect stub, not a page Sphinx wrote
        index.write_text(REDIRECT_PAGE.format(lang=app.config.language or "en", url=match.group(1),
                                              title="Go to the front page of the book"),
                         encoding="utf-8")


def setup(app):
    app.connect("doctree-resolved", set_alt_from_glue)
    app.connect("html-page-context", on_page_context)
    app.connect("build-finished", write_root_redirect, priority=600)  # after sphinx-external-toc
    app.add_css_file("accessibility.css")
    app.add_js_file("accessibility.js", loading_method="defer")
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1.0"}
