"""Keep the article's own figure and table numbers.

Captions carry their number in their text ("Figure 1: …", the article's numbering; "Figure E1: …"
for the edition's additions), so that adding a figure never renumbers the article's. Sphinx would
prefix its own running number ("Fig. 7 Figure 1: …"), and sphinx-exercise forces `numfig` on (it
numbers exercises). So the HTML writer skips the prefix for figures and tables, and LaTeX drops it
through the caption package (`\\captionsetup{labelformat=empty}` in the preamble, see _config.yml).

The writer is patched rather than `numfig_format` changed per builder: a configuration value that
differs between builds would make Sphinx re-read, and so re-execute, every page.
"""
from sphinx.writers.html5 import HTML5Translator

_add_fignumber = HTML5Translator.add_fignumber


def add_fignumber(self, node):
    if self.builder.env.domains["std"].get_enumerable_node_type(node) in ("figure", "table"):
        return
    _add_fignumber(self, node)


def setup(app):
    HTML5Translator.add_fignumber = add_fignumber
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1.0"}
