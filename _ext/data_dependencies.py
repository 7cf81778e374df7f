"""Make Sphinx rebuild a page when a data file it depends on changes.

Sphinx re-reads a page when its source changes. The edition's notebooks also depend on files in
``data/``, and prose pages that paste glued numbers (``{glue:text}`../notebooks/x.md::key```)
depend on the notebook they paste from. This extension records both as Sphinx dependencies, so
that (with ``execute_notebooks: force``) editing ``data/wgi.csv`` re-executes exactly the
notebooks that read the ``wgi`` resource and refreshes the pages that paste from them, while
editing prose executes nothing.

A notebook "reads" a resource when its source names it as a quoted string (``"wgi"``), as in
``package.get_resource("wgi")``; the resource names and paths come from ``data/datapackage.json``.
A page also depends on the Python modules beside it that it imports (``data_package.py``).
"""
from __future__ import annotations

import json
import re
from pathlib import Path

GLUE_REF = re.compile(r"\{glue(?::\w+)?\}`([^`]+?)::")
IMPORT = re.compile(r"^\s*(?:from|import)\s+(\w+)", re.M)


def _resources(srcdir: Path) -> dict[str, Path]:
    descriptor = srcdir / "data" / "datapackage.json"
    package = json.loads(descriptor.read_text(encoding="utf-8"))
    return {r["name"]: descriptor.parent / r["path"] for r in package["resources"]}


def data_files_read_by(text: str, resources: dict[str, Path]) -> list[Path]:
    """The data files whose resource name the text quotes."""
    return [path for name, path in resources.items()
            if re.search(r"""["']%s["']""" % re.escape(name), text)]


def dependencies(doc_path: Path, text: str, srcdir: Path) -> list[Path]:
    """Every file outside the page itself whose change should rebuild the page."""
    resources = _resources(srcdir)
    deps = data_files_read_by(text, resources)
    if deps:
        deps.append(srcdir / "data" / "datapackage.json")
    # Modules beside the page that it imports (notebooks/data_package.py, …).
    deps.extend(doc_path.parent / f"{name}.py" for name in set(IMPORT.findall(text))
                if (doc_path.parent / f"{name}.py").is_file())
    for target in sorted(set(GLUE_REF.findall(text))):
        notebook = (doc_path.parent / target).resolve()
        if notebook.exists():
            deps.append(notebook)
            deps.extend(dependencies(notebook, notebook.read_text(encoding="utf-8"), srcdir))
    return sorted(set(deps))


def _note(app, docname, source):
    env = app.env
    doc_path = Path(env.doc2path(docname))
    srcdir = Path(app.srcdir)
    deps = dependencies(doc_path, source[0], srcdir)
    # Pages that read other pages' sources (the replication map) declare them in _config.yml.
    for pattern in app.config.data_dependencies_extra.get(docname, []):
        deps.extend(p for p in sorted(srcdir.glob(pattern)) if p != doc_path)
    for dep in deps:
        env.note_dependency(str(dep))


def setup(app):
    app.add_config_value("data_dependencies_extra", {}, "env")
    app.connect("source-read", _note)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1.0"}
