"""Keep the article's own figure and table numbers.

Captions carry their number in their text ("Figure 1: …", the article's numbering; "Figure E1: …"
for the edition's additions), so that adding a figure never renumbers the article's. Sphinx would
prefix its own running number ("Fig. 7 Figure 1: …"); sphinx-exercise forces `numfig` on, so the
prefix is formatted away instead: in HTML by an empty number format, in LaTeX by the caption
package (`\\captionsetup{labelformat=empty}` in the preamble, see _config.yml).
"""


def _hide_html_figure_numbers(app):
    if app.builder.format == "html":
        app.config.numfig_format.update({"figure": "%.0s", "table": "%.0s"})


def setup(app):
    app.connect("builder-inited", _hide_html_figure_numbers)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1.0"}
