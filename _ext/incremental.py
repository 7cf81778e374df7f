"""Fast rebuilds that give the same site as a clean build.

An author rebuilds after every edit, and Sphinx then reads only the pages that changed. Six
things get in the way of that being both quick and right; this extension deals with each.

Quick:

* **sphinx-exercise's registry holds whole pages.** For each exercise it keeps a copy of the
  directive's node that still points at its page's document, and for each solution the node on
  the page itself, so the build environment held every page with an exercise in full (2.4 MB
  of a 3.3 MB environment). In a parallel build each worker sends the whole environment back
  after each page it reads, so every page read after the notebooks took over a second to send,
  and every rebuild loaded it all. As soon as a page is read, its entries are replaced by copies
  cut loose from the page. What sphinx-exercise reads from them later (the node's class,
  children, title, label, ``docname`` and ``ids``) is all on the copy.
* **Figure numbers** (``numfig`` is on, for sphinx-exercise's numbering) are recomputed after
  every reading phase by loading every page's doctree from disk (0.7-0.9 s of each rebuild
  here, timed around the call). They depend only on the pages and their table of contents, so in a build that read no
  page and removed none they are left as the last build stored them.
* **sphinxcontrib-bibtex** formats every cited reference again after every reading phase
  (0.4-0.6 s). In a build that read no page and removed none (a changed .bib file makes Sphinx re-read
  the pages that cite it), the references formatted by the last build are kept.

Right:

* **The search index lost its index entries on every rebuild** (Sphinx 7.4). The entries of the
  glossary and of the ``{index}`` directives are collected while pages are written, which is
  after the environment is saved, and a rebuild that loads the previous ``searchindex.js`` does
  not load them back: after one rebuild, only the pages it rewrote kept theirs. They are now
  loaded back with the rest of the index (and dropped for pages that no longer exist), and
  written in page order, not in the order the pages happened to be written.
* **Words of pages that changed stayed in the search index.** When a page is rewritten, Sphinx
  removes it from the list of pages of every word, but keeps the word, with no page, so a
  rebuild's index held every word that any earlier version of a page had (after a data edit and
  its revert, the edited numbers). Words with no page are now dropped when the index is pruned.
* **Stylesheets' version stamps.** Sphinx adds ``?v=<checksum>`` to a stylesheet's link only if
  the file is already in the output when the page is written. myst-nb and sphinx-exercise copy
  theirs at the very end of a build, so a clean build linked them without a stamp and a rebuild
  with one. They are now copied before the pages are written, so every build stamps them.

Which patches earn their keep (issue 13.4): the three under "Right" fix a wrong result (a
rebuild's site differed from the clean build's), and are kept for that. The three under "Quick"
only save time; measured together (``KY2015_INCREMENTAL=off`` switches every patch off;
``make bench`` runs ``tools/bench.py --variant no-incremental``). Three runs each on 2 cores,
2026-12-06, with the patches and without:

=============  ==============  ==============
build          with (s)        without (s)
=============  ==============  ==============
cold           44.7-54.3       63.2-65.8
no-op          5.9-6.8         7.1-9.5
prose edit     8.0-9.5         7.7-9.9
data edit      28.2-32.9       34.7-37.2
=============  ==============  ==============

The cold, no-op and data-edit gains are beyond the spread of three runs (the cold build gains
most: each parallel worker sends the environment back after every page it reads, and the
exercise registry's copies of whole pages made that slow); the prose edit is within it. An
earlier, quieter measurement gave no-op rebuilds of 3.1-4.0 s with and 4.1-4.8 s without.

Nothing is skipped in a build that read or removed a page. ``tests/test_reproducible_build.py``
checks that a rebuild with nothing changed, and one after a page is saved again, leave the site
exactly as the clean build made it (but for the build page, which is rewritten on every build).

The patches reach into Sphinx's, sphinx-exercise's, myst-nb's and sphinxcontrib-bibtex's
internals, so they were written for exact versions (``WRITTEN_FOR``, the pins of
requirements.txt). With any other version installed the build stops at once, naming the package
and both versions, rather than risk a patch that silently does the wrong thing; whoever bumps a
pin re-reads each patch against the new code and then updates ``WRITTEN_FOR``
(``tests/test_patches.py`` checks that the two agree).

Configuration (``_config.yml``)::

    sphinx:
      local_extensions:
        incremental: _ext
"""

from __future__ import annotations

import io
import os

from docutils import nodes

# --------------------------------------------------------------------------------------------
# A small environment


def _detach_exercise_copies(app, doctree) -> None:
    """Replace sphinx-exercise's registered nodes for this page by copies cut loose from it."""
    registry = getattr(app.env, "sphinx_exercise_registry", {})
    for entry in registry.values():
        node = entry.get("node")
        if entry.get("docname") != app.env.docname or not isinstance(node, nodes.Element):
            continue
        # An exercise is registered as a copy, a solution as the node that is on the page.
        node = node.deepcopy() if node.parent is not None else node
        for part in node.findall():
            part._document = None  # the copies' only link back to the page
        entry["node"] = node


# --------------------------------------------------------------------------------------------
# Work skipped when nothing was read

# Whether this build reads or removes any page. Reset when the builder starts; set by the
# events Sphinx sends, in the main process, before it reads (removals are announced first).
_CHANGED = {"any": True}


def _start(app) -> None:
    _CHANGED["any"] = False


def _note_reading(app, env, docnames) -> None:
    """env-before-read-docs: the list of pages this build reads."""
    if docnames:
        _CHANGED["any"] = True


def _note_removal(app, env, docname) -> None:
    """env-purge-doc: a page is forgotten, before it is read again or because it was removed."""
    _CHANGED["any"] = True


# The versions whose internals these patches were read against (the pins of requirements.txt).
WRITTEN_FOR = {"sphinx": "7.4.7", "sphinx-exercise": "1.2.1", "myst-nb": "1.4.0",
               "sphinxcontrib-bibtex": "2.7.0"}


def check_versions(written_for: dict[str, str], what: str) -> None:
    """Stop, naming package and versions, if any package is not the version patched."""
    from importlib.metadata import PackageNotFoundError, version

    changed = []
    for name, expected in written_for.items():
        try:
            found = version(name)
        except PackageNotFoundError:
            found = "not installed"
        if found != expected:
            changed.append(f"{name} {found} (written for {expected})")
    if changed:
        raise RuntimeError(
            f"{what} patches the internals of exact package versions, and these differ: "
            + "; ".join(changed) + f". Re-read each patch in {what} against the new version, "
            "then update its WRITTEN_FOR (or pin the old version again in requirements.txt).")


def _replace(owner, name: str, make) -> None:
    """Set owner.name to make(original), once (a second setup, in the same process, leaves it)."""
    original = getattr(owner, name)
    if getattr(original, "incremental", False):
        return
    replacement = make(original)
    replacement.incremental = True
    replacement.original = original
    replacement.__doc__ = original.__doc__
    setattr(owner, name, replacement)


def _unless_nothing_read(original):
    """A method whose result is the list of pages to rewrite because of what it updated: in a
    build that read and removed no page, what it would update is as the last build left it, so
    it is skipped."""

    def wrapper(self, *args, **kwargs):
        if not _CHANGED["any"]:
            return []
        return original(self, *args, **kwargs)

    return wrapper


# --------------------------------------------------------------------------------------------
# The search index's index entries


def _load_with_index_entries(original):
    """IndexBuilder.load, which also loads the index entries back (as ``feed`` records them)."""

    def load(self, stream, format):
        text = stream.read()
        original(self, io.StringIO(text) if isinstance(text, str) else io.BytesIO(text), format)
        fmt = self.formats[format] if isinstance(format, str) else format
        frozen = fmt.load(io.StringIO(text) if isinstance(text, str) else io.BytesIO(text))
        index2fn = frozen["docnames"]
        entries: dict[str, list[tuple[str, str, str]]] = {}
        for entry, places in frozen.get("indexentries", {}).items():
            for doc, target_id, main in places:
                entries.setdefault(index2fn[doc], []).append((entry, target_id, "main" if main else ""))
        self._index_entries.clear()
        self._index_entries.update({doc: sorted(found) for doc, found in entries.items()})

    return load


def _prune_index_entries(original):
    """IndexBuilder.prune, which also forgets the index entries of the pages it drops, and the
    words that no page holds any more (Sphinx keeps them with an empty list of pages, so a data
    edit and its revert left the words of the edited numbers in the search index)."""

    def prune(self, docnames):
        docnames = set(docnames)
        original(self, docnames)
        for doc in [doc for doc in self._index_entries if doc not in docnames]:
            del self._index_entries[doc]
        for mapping in (self._mapping, self._title_mapping):
            for word in [word for word, pages in mapping.items() if not pages]:
                del mapping[word]

    return prune


def _freeze_in_page_order(original):
    """IndexBuilder.freeze, with the index entries taken page by page in name order, so that the
    order of an entry's pages does not depend on the order in which pages were written."""

    def freeze(self):
        ordered = sorted(self._index_entries.items())
        self._index_entries.clear()
        self._index_entries.update(ordered)
        return original(self)

    return freeze


# --------------------------------------------------------------------------------------------
# Stylesheets in place before the pages are written


def _copy_late_stylesheets(app, env) -> None:
    """Copy myst-nb's and sphinx-exercise's stylesheets now, as they would at the end."""
    if app.builder is None or app.builder.format != "html":
        return
    os.makedirs(os.path.join(app.builder.outdir, "_static"), exist_ok=True)
    from myst_nb.sphinx_ext import add_global_html_resources
    from sphinx_exercise import copy_asset_files

    add_global_html_resources(app, None)
    copy_asset_files(app, None)


def setup(app):
    if os.environ.get("KY2015_INCREMENTAL") == "off":   # tools/bench.py --variant no-incremental
        return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1.0"}
    check_versions(WRITTEN_FOR, "_ext/incremental.py")
    from sphinx.environment.collectors.toctree import TocTreeCollector
    from sphinx.search import IndexBuilder

    app.connect("builder-inited", _start)
    app.connect("doctree-read", _detach_exercise_copies, priority=900)  # after sphinx-exercise's
    app.connect("env-before-read-docs", _note_reading)
    app.connect("env-purge-doc", _note_removal)
    app.connect("env-updated", _copy_late_stylesheets)
    # Called on every build from TocTreeCollector.get_updated_docs (Sphinx's env-get-updated).
    _replace(TocTreeCollector, "assign_figure_numbers", _unless_nothing_read)
    try:
        from sphinxcontrib.bibtex.domain import BibtexDomain
    except ImportError:
        pass
    else:  # called on every build from sphinxcontrib-bibtex's env-updated handler
        _replace(BibtexDomain, "env_updated", _unless_nothing_read)
    _replace(IndexBuilder, "load", _load_with_index_entries)
    _replace(IndexBuilder, "prune", _prune_index_entries)
    _replace(IndexBuilder, "freeze", _freeze_in_page_order)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1.0"}
