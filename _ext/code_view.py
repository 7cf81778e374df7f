"""Reader view and code view: one control folds or shows every code cell of the book.

HTML. ``_static/code-view.js`` puts one button in the header of every computed page ("Hide
code" / "Show code"). Its choice is stored in the browser (``localStorage``) and applies on every
page; ``?code=shown`` or ``?code=folded`` in a page's address sets it too. Where the reader has
not chosen, the default comes from ``code_view_default`` (``_config.yml``, ``sphinx: config:``):
``folded`` for the reading edition, ``shown`` for the student edition (tools/build_edition.py
overrides it). A folded cell leaves a "Show code" button in its place, reachable by keyboard, so
the page never hides that a number was computed; it opens that one cell. Without JavaScript every
cell is shown. Cells tagged ``remove-input``/``remove-cell`` are not on the page at all (they are
in the notebook's source and its .ipynb download).

PDF. Sphinx's LaTeX builder writes the full edition, with the code. With the environment variable
``KY2015_PDF_EDITION=reading`` the same build writes the reading edition: every cell's source is
left out (its outputs stay), and a note at the start of the book says where the code is. The
variable changes nothing Sphinx keeps between builds, so tools/build.sh runs the LaTeX writer
twice on one environment and no notebook is executed again.
"""
from __future__ import annotations

import os

from docutils import nodes

READING_NOTE = (
    "This is the reading edition: it leaves out the code that computes each figure, table and "
    "number. The full edition (ngos-in-kazakhstan.pdf) and the web edition show the code; the "
    "chapter 'Replication map' lists which notebook and code cell make each figure, table and "
    "glued number.")


def _is_cell_input(node) -> bool:
    return isinstance(node, nodes.container) and "cell_input" in node.get("classes", [])


def _reading_edition(app, doctree, docname):
    if app.builder.format != "latex" or os.environ.get("KY2015_PDF_EDITION") != "reading":
        return
    for node in list(doctree.findall(_is_cell_input)):
        node.parent.remove(node)
    if docname == app.config.root_doc:
        note = nodes.note("", nodes.paragraph("", READING_NOTE))
        section = next(iter(doctree.findall(nodes.section)), None)
        target = section if section is not None else doctree
        target.insert(1 if section is not None else 0, note)


def _default(app, pagename, templatename, context, doctree):
    choice = app.config.code_view_default
    if choice not in ("folded", "shown"):
        from sphinx.errors import ConfigError

        raise ConfigError(f'code_view_default must be "folded" or "shown", not {choice!r}')
    context["metatags"] = context.get("metatags", "") + (
        f'<meta name="ky2015-code-default" content="{choice}">\n')


def setup(app):
    app.add_config_value("code_view_default", "folded", "html")
    app.add_css_file("code-view.css")
    app.add_js_file("code-view.js", loading_method="defer")
    app.connect("doctree-resolved", _reading_edition)
    app.connect("html-page-context", _default)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1.0"}
