"""Fill the "How this edition was built" page with the facts of the build that made it.

The page ``book/how-this-edition-was-built.md`` is prose with four directives, each of which this
extension replaces, when the page is written, by what was true of *this* build::

    ```{build-info} source
    ```
    (commit, build date, builder, Python, operating system)

    ```{build-info} packages
    ```
    (versions of the packages that make and compute the book)

    ```{build-info} data
    ```
    (the SHA-256 of every file in data/, in ``sha256sum`` format)

    ```{build-info} notebooks
    ```
    (each notebook: status, execution time, when it was executed)

It is the one page of the edition that differs between two builds of the same commit; every
other page, figure, notebook download and the search index are byte-for-byte repeatable
(``tests/test_reproducible_build.py``). Four choices keep it so:

* The page is rewritten on every build (even a build in which nothing else changed), so its facts
  are never stale, and nothing else is rebuilt because of it.
* The generated facts are kept out of the search index: the node that holds them is a
  ``raw`` node, which Sphinx's indexer skips, and which every writer renders through the
  pass-through visitor below. (Build dates and timings in ``searchindex.js`` would make the
  whole site differ between two builds.)
* What a cell prints is merged exactly, whatever chunks the kernel sent it in: myst-nb's own
  merging turns a chunk boundary inside a line into a line break, so a busy machine printed a
  line differently (``_repeatable_stream_merging``, a wrapper around myst-nb's function).
* The executed notebooks that the site offers as downloads get numbered cell ids instead of the
  random ones jupytext gives, and their stream outputs merged (``_repeatable_executed_notebook``).

Notebook execution data come from myst-nb, which records them per document in the Sphinx
environment (``NbMetadataCollector``: ``env.nb_metadata[docname]["exec_data"]``, with ``mtime``,
``runtime``, ``method``, ``succeeded`` and ``error``). A notebook that was not re-executed in
this build keeps its record from the build that last executed it; the page says which is which.

Configuration (``_config.yml``)::

    sphinx:
      local_extensions:
        build_info: _ext
"""

from __future__ import annotations

import copy
import datetime
import hashlib
import platform
import subprocess
import time
from importlib import metadata as importlib_metadata
from pathlib import Path

from docutils import nodes
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util.docutils import SphinxDirective
from sphinx.util.nodes import make_refnode

PACKAGES = [
    "jupyter-book",
    "sphinx",
    "myst-nb",
    "myst-parser",
    "sphinx-book-theme",
    "jupytext",
    "pandas",
    "numpy",
    "scipy",
    "seaborn",
    "matplotlib",
    "frictionless",
]
KINDS = ("source", "packages", "data", "notebooks")


class build_info_node(nodes.raw):
    """Where the build facts go.

    A ``raw`` node so that Sphinx's search indexer skips what it holds (see the module
    docstring); its ``format`` is not a writer's, so no writer pastes it as raw text: the
    visitors below render its children as ordinary nodes.
    """


def _visit(self, node):  # pass-through: the children are ordinary docutils nodes
    pass


def _depart(self, node):
    pass


class BuildInfoDirective(SphinxDirective):
    """``{build-info} KIND``: the facts of one kind, filled in when the page is written."""

    required_arguments = 1
    has_content = False

    def run(self):
        kind = self.arguments[0].strip()
        if kind not in KINDS:
            raise self.error(f"build-info: unknown kind {kind!r}; use one of {', '.join(KINDS)}")
        if not hasattr(self.env, "build_info_docs"):
            self.env.build_info_docs = set()
        self.env.build_info_docs.add(self.env.docname)
        node = build_info_node("", "", format="build-info", kind=kind)
        self.set_source_info(node)
        return [node]


# --------------------------------------------------------------------------------------------
# The facts


def _git(srcdir: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=srcdir, capture_output=True, text=True, check=True, timeout=60
    ).stdout.strip()


def git_commit(srcdir: Path) -> str:
    """The checked-out commit, with a note when the working tree differs from it; "not a git
    checkout" when the book is not the top of a git repository (a copy, an unpacked archive)."""
    try:
        if Path(_git(srcdir, "rev-parse", "--show-toplevel")).resolve() != Path(srcdir).resolve():
            return "not a git checkout"
        commit = _git(srcdir, "rev-parse", "HEAD")
    except (OSError, subprocess.SubprocessError):
        return "not a git checkout"
    try:
        dirty = _git(srcdir, "status", "--porcelain", "--untracked-files=no")
    except (OSError, subprocess.SubprocessError):
        dirty = ""
    return commit + (" (with uncommitted changes)" if dirty else "")


def package_versions(names) -> list[tuple[str, str]]:
    out = []
    for name in names:
        try:
            out.append((name, importlib_metadata.version(name)))
        except importlib_metadata.PackageNotFoundError:
            out.append((name, "not installed"))
    return out


def data_hashes(data_dir: Path) -> list[tuple[str, str]]:
    """(sha256, path relative to the book) for every file under data_dir, sorted by path."""
    files = sorted(p for p in data_dir.rglob("*") if p.is_file())
    return [
        (hashlib.sha256(p.read_bytes()).hexdigest(), p.relative_to(data_dir.parent).as_posix()) for p in files
    ]


def _utc(timestamp: float) -> str:
    return datetime.datetime.fromtimestamp(timestamp, datetime.timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")


def notebook_runs(env) -> list[tuple[str, dict]]:
    """(docname, exec_data) for every document myst-nb executed, in table-of-contents order."""
    metadata = getattr(env, "nb_metadata", {}) or {}
    runs = {
        doc: data["exec_data"]
        for doc, data in metadata.items()
        if isinstance(data, dict) and data.get("exec_data") and doc in env.all_docs
    }
    order = {doc: i for i, doc in enumerate(_toc_order(env))}
    return sorted(runs.items(), key=lambda item: (order.get(item[0], len(order)), item[0]))


def _toc_order(env) -> list[str]:
    """Document names in reading order (root first, then depth-first through the toctrees)."""
    seen, out = set(), []

    def walk(doc):
        if doc in seen:
            return
        seen.add(doc)
        out.append(doc)
        for child in env.toctree_includes.get(doc, []):
            walk(child)

    walk(env.config.root_doc)
    return out


# --------------------------------------------------------------------------------------------
# Docutils nodes


def _para(*children) -> nodes.paragraph:
    return nodes.paragraph("", "", *children)


def _table(header: list[str], rows: list[list[nodes.Node | str]], widths: list[int]) -> nodes.table:
    table = nodes.table(classes=["colwidths-given", "build-info"])
    tgroup = nodes.tgroup(cols=len(header))
    table += tgroup
    for width in widths:
        tgroup += nodes.colspec(colwidth=width)
    thead = nodes.thead()
    tgroup += thead
    row = nodes.row()
    thead += row
    for name in header:
        row += nodes.entry("", _para(nodes.Text(name)))
    tbody = nodes.tbody()
    tgroup += tbody
    for cells in rows:
        row = nodes.row()
        tbody += row
        for cell in cells:
            content = nodes.Text(cell) if isinstance(cell, str) else cell
            row += nodes.entry("", content if isinstance(content, nodes.paragraph) else _para(content))
    return table


def source_facts(app) -> list[nodes.Node]:
    started = getattr(app, "build_info_started", time.time())
    python = f"{platform.python_implementation()} {platform.python_version()}"
    commit, _, note = git_commit(Path(app.srcdir)).partition(" ")
    commit_node = nodes.inline("", "", nodes.literal("", commit) if len(commit) == 40 else nodes.Text(commit))
    if len(commit) != 40:
        commit_node = nodes.Text(git_commit(Path(app.srcdir)))
    elif note:
        commit_node += nodes.Text(" " + note)
    facts = [
        ("Commit", commit_node),
        ("Build date", nodes.Text(_utc(started))),
        ("Builder", nodes.Text(f"Sphinx {app.builder.name} builder")),
        ("Python", nodes.Text(python)),
        ("Operating system", nodes.Text(f"{platform.system()} {platform.release()} ({platform.machine()})")),
    ]
    deflist = nodes.definition_list(classes=["build-info"])
    for term, value in facts:
        deflist += nodes.definition_list_item("", nodes.term("", term), nodes.definition("", _para(value)))
    return [deflist]


def package_facts(app) -> list[nodes.Node]:
    rows = [
        [nodes.literal("", name), version]
        for name, version in package_versions(app.config.build_info_packages)
    ]
    return [_table(["Package", "Version"], rows, [50, 50])]


def data_facts(app) -> list[nodes.Node]:
    data_dir = Path(app.srcdir) / app.config.build_info_data_dir
    if not data_dir.is_dir():
        return [_para(nodes.Text(f"No {app.config.build_info_data_dir}/ folder beside the book."))]
    text = "".join(f"{digest}  {path}\n" for digest, path in data_hashes(data_dir))
    block = nodes.literal_block(text, text, language="text", classes=["build-info-sha256"])
    if app.builder.format == "latex":
        # One digest and path a line, as sha256sum writes them: small enough not to wrap.
        return [
            nodes.raw("", "\\begingroup\\fvset{fontsize=\\scriptsize}\n", format="latex"),
            block,
            nodes.raw("", "\\endgroup\n", format="latex"),
        ]
    return [block]


def notebook_facts(app, fromdoc: str) -> list[nodes.Node]:
    env = app.env
    started = getattr(app, "build_info_started", None)
    rows = []
    for doc, data in notebook_runs(env):
        title = env.titles[doc].astext() if doc in env.titles else doc
        link = make_refnode(app.builder, fromdoc, doc, None, nodes.inline("", title))
        if data.get("succeeded"):
            status = "succeeded"
        else:
            status = "failed" + (f" ({data['error']})" if data.get("error") else "")
        runtime = data.get("runtime")
        seconds = "–" if runtime is None else f"{runtime:.1f}"
        mtime = data.get("mtime")
        when = _utc(mtime) if mtime else "–"
        if mtime and started and mtime < started:
            when += " (in an earlier build)"
        rows.append([link, status, seconds, when])
    if not rows:
        return [_para(nodes.Text("No notebook was executed."))]
    return [_table(["Notebook", "Status", "Execution time (s)", "Executed"], rows, [40, 15, 15, 30])]


class FillBuildInfo(SphinxPostTransform):
    """Replace each build-info node's (empty) content by the facts, when the page is written."""

    default_priority = 8  # before references are resolved (10)

    def run(self, **kwargs) -> None:
        fromdoc = self.env.docname
        for node in list(self.document.findall(build_info_node)):
            kind = node["kind"]
            if kind == "source":
                content = source_facts(self.app)
            elif kind == "packages":
                content = package_facts(self.app)
            elif kind == "data":
                content = data_facts(self.app)
            else:
                content = notebook_facts(self.app, fromdoc)
            node.children = []
            node.extend(content)


# --------------------------------------------------------------------------------------------
# Repeatable printed output and notebook downloads


def merge_streams_exactly(outputs: list) -> list:
    """A cell's outputs with all stream outputs of one name (stdout, stderr) joined into the first,
    their text concatenated exactly as the kernel sent it. The originals are not changed."""
    merged, streams = [], {}
    for output in outputs:
        if output.get("output_type") == "stream":
            name = output.get("name")
            if name in streams:
                streams[name]["text"] += output.get("text", "")
                continue
            output = copy.deepcopy(output)
            streams[name] = output
        merged.append(output)
    return merged


def _repeatable_stream_merging():
    """Make myst-nb's merging of printed output (``nb_merge_streams``) independent of timing.

    The kernel sends what a cell prints in chunks, cut wherever a flush happened to fall, which
    depends on how busy the machine is. myst-nb's ``coalesce_streams`` strips each chunk and adds
    a newline, so a chunk boundary in the middle of a line becomes a line break on the page: the
    same cell printed one line in one build and two in another. Joining the chunks exactly first
    leaves myst-nb one chunk per stream, which it then tidies as before. (myst-nb's function also
    changes the notebook's own outputs in place; the copies here leave them as executed.)
    """
    from myst_nb.core import render

    if getattr(render.coalesce_streams, "exact_merge", False):
        return
    original = render.coalesce_streams

    def coalesce_streams(outputs):
        return original(merge_streams_exactly(outputs))

    coalesce_streams.exact_merge = True
    coalesce_streams.original = original
    render.coalesce_streams = coalesce_streams


def _repeatable_executed_notebook(app, doctree):
    """Make the executed notebook that myst-nb has just written the same in every build.

    myst-nb writes each executed notebook to ``jupyter_execute/<docname>.ipynb``, which the theme
    publishes as the page's ``.ipynb`` download (``_sources/<docname>.ipynb``). Two things in it
    change from run to run: the cell ids, which jupytext draws at random when it reads a notebook
    from MyST Markdown, and how the kernel happened to split a cell's printed output into stream
    messages. Cells get numbered ids (``cell-0``, ``cell-1`` …) and each cell's stream outputs are
    merged as the page merges them (``_repeatable_stream_merging``).
    """
    path = Path(app.outdir).parent / "jupyter_execute" / f"{app.env.docname}.ipynb"
    if not path.is_file() or path.stat().st_mtime < getattr(app, "build_info_started", 0):
        return  # not (re)written by this build's reading of the page
    import nbformat
    from myst_nb.core.render import coalesce_streams

    original = path.read_text(encoding="utf-8")
    notebook = nbformat.reads(original, as_version=4)
    for i, cell in enumerate(notebook.cells):
        cell["id"] = f"cell-{i}"
        if cell.get("outputs"):
            cell["outputs"] = coalesce_streams(cell["outputs"])
    text = nbformat.writes(notebook)
    if text != original:
        path.write_text(text, encoding="utf-8")


# --------------------------------------------------------------------------------------------
# Events


def _started(app):
    app.build_info_started = time.time()


def _purge(app, env, docname):
    if hasattr(env, "build_info_docs"):
        env.build_info_docs.discard(docname)


def _merge(app, env, docnames, other):
    if hasattr(other, "build_info_docs"):
        if not hasattr(env, "build_info_docs"):
            env.build_info_docs = set()
        env.build_info_docs |= other.build_info_docs


def _rewrite_every_build(app, env):
    """The pages with build facts are written on every build, whatever else changed."""
    return sorted(getattr(env, "build_info_docs", set()) & set(env.all_docs))


def setup(app):
    _repeatable_stream_merging()
    app.add_config_value("build_info_packages", PACKAGES, "env")
    app.add_config_value("build_info_data_dir", "data", "env")
    writers = {name: (_visit, _depart) for name in ("html", "latex", "text", "man", "texinfo")}
    app.add_node(build_info_node, **writers)
    app.add_directive("build-info", BuildInfoDirective)
    app.add_post_transform(FillBuildInfo)
    app.connect("builder-inited", _started)
    app.connect("env-purge-doc", _purge)
    app.connect("env-merge-info", _merge)
    app.connect("env-updated", _rewrite_every_build)
    app.connect("doctree-read", _repeatable_executed_notebook)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1.0", "env_version": 1}
