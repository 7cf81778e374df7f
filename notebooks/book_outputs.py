"""What a notebook hands to the book besides its lesson: glued values, figure alt text
and data tables, the shared figure style, and the article's number formats.

None of this is the analysis. It is kept here so that a chapter's visible code is the
lesson (select data, compute, draw), while every value the book pastes is still glued by
a call in the notebook itself, which names its key (``glue("table1_r", r)``); the
edition's replication map finds those calls.

Outside the book (a downloaded notebook, Colab, Binder) ``myst_nb`` may be absent:
``glue`` then does nothing, so a lesson runs with only pandas, seaborn, scipy and
frictionless.
"""
from __future__ import annotations

try:
    from myst_nb import glue as _myst_glue
except ImportError:  # running outside the book
    _myst_glue = None


def glue(key, value, display=False):
    """Store ``value`` under ``key`` for the book to paste (``{glue:text}`key```).

    Numbers are glued as plain Python numbers (``float(x)``), so that a paste can format
    them.
    Outside the book this does nothing (and shows the value when ``display`` is true).
    """
    if _myst_glue is not None:
        _myst_glue(key, value, display=display)
    elif display:
        from IPython.display import display as show

        show(value)


def markdown_table(frame, headers=None, floatfmt="g", index=False, **to_markdown):
    """A DataFrame as a Markdown table (a figure's "Data for Figure N" drop-down).

    Further keywords go to ``tabulate`` through ``DataFrame.to_markdown`` (``colalign``,
    ``disable_numparse``, ``missingval``).
    """
    from IPython.display import Markdown

    kwargs = {"index": index, "floatfmt": floatfmt, **to_markdown}
    if headers is not None:
        kwargs["headers"] = headers
    return Markdown(frame.to_markdown(**kwargs))


def glue_figure_text(key, alt, table, headers=None, floatfmt="g", **to_markdown):
    """Glue a figure's alt text (``<key>-alt``) and its data table (``<key>-data``).

    ``_ext/accessibility.py`` sets the alt text on the figure; the page shows the table
    in a drop-down under it, for readers who cannot see the figure.
    """
    glue(f"{key}-alt", alt)
    table = markdown_table(table, headers=headers, floatfmt=floatfmt, **to_markdown)
    glue(f"{key}-data", table)


def set_style():
    """One theme and one colour-blind-safe palette for every figure; vector output."""
    import matplotlib.pyplot as plt
    import seaborn as sns
    from matplotlib_inline.backend_inline import set_matplotlib_formats

    set_matplotlib_formats("svg", "pdf")
    sns.set_theme(style="whitegrid", palette="colorblind", context="notebook")
    # Stable ids inside SVG files: repeatable builds.
    plt.rcParams["svg.hashsalt"] = "ky2015"
    plt.rcParams["figure.dpi"] = 100


def spss(x):
    """A statistic as SPSS prints it and the article quotes it: .943, .000, -.120."""
    return f"{x:.3f}".replace("0.", ".", 1)


def join_names(names):
    """'A', 'A and B', 'A, B and C'."""
    names = list(names)
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
