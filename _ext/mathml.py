"""Mathematics as MathML, written at build time: no MathJax, no script, nothing from a CDN.

The re-analysis chapter writes a few formulas in MyST's dollar syntax. Sphinx's default renderer
(MathJax) would load a script from a CDN on every page that holds maths, so the site would not work
offline (issue 6). This extension registers an HTML math renderer, ``mathml``, that converts each
formula's LaTeX to MathML with the ``latex2mathml`` package while the page is written. Browsers
(Chromium, Firefox, Safari) display MathML Core natively and screen readers read it as maths.

A formula that ``latex2mathml`` cannot convert is a warning naming the page and the formula, so the
strict build fails rather than showing raw LaTeX. The LaTeX (PDF) builder is untouched: it typesets
the same source with TeX.

Configuration (``_config.yml``)::

    sphinx:
      local_extensions:
        mathml: _ext
      config:
        html_math_renderer: mathml
"""
from __future__ import annotations

from html import escape

from docutils import nodes
from latex2mathml.converter import convert
from sphinx.util import logging
from sphinx.util.math import get_node_equation_number

logger = logging.getLogger(__name__)


def to_mathml(latex: str, display: str, node) -> str:
    try:
        return convert(latex.strip(), display=display)
    except Exception as error:  # latex2mathml raises its own exception types and plain ones
        logger.warning("cannot write this formula as MathML (%s: %s): %s",
                       type(error).__name__, error, latex, location=node,
                       type="mathml", subtype="convert")
        return f'<code class="math-error">{escape(latex)}</code>'


def visit_math(self, node: nodes.math) -> None:
    self.body.append(f'<span class="math notranslate">{to_mathml(node.astext(), "inline", node)}'
                     "</span>")
    raise nodes.SkipNode


def visit_displaymath(self, node: nodes.math_block) -> None:
    self.body.append(self.starttag(node, "div", CLASS="math notranslate"))
    if node.get("number"):
        number = get_node_equation_number(self, node)
        self.body.append(f'<span class="eqno">({number})')
        self.add_permalink_ref(node, "Link to this equation")
        self.body.append("</span>")
    self.body.append(to_mathml(node.astext(), "block", node))
    self.body.append("</div>\n")
    raise nodes.SkipNode


def setup(app):
    app.add_html_math_renderer("mathml", (visit_math, None), (visit_displaymath, None))
    app.add_css_file("mathml.css")  # in _static/
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1.0"}
