"""A notebook that leaves the site runs (issue 16.1): downloaded alone, in Colab, in Binder.

Every notebook's first cell (written by tools/setup_cell.py, removed from the page) fetches the
modules the notebook imports from the site's data/ folder, and in Colab installs the two packages
Colab lacks, pinned. Here a local HTTP server serving the built site's data/ folder stands in for
the published site.
"""
import functools
import http.server
import importlib.util
import re
import shutil
import subprocess
import sys
import threading
import types

import jupytext
import nbformat
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

from built_book import ROOT, SITE

sys.path.insert(0, str(ROOT / "tools"))
import setup_cell  # noqa: E402


def _pins(path):
    return {line.split("==")[0].lower(): line.strip() for line in path.read_text().splitlines()
            if "==" in line and not line.startswith("#")}


def test_every_notebook_has_the_generated_set_up_cell():
    result = subprocess.run([sys.executable, "tools/setup_cell.py", "--check"], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    for md in sorted((ROOT / "notebooks").glob("*.md")):
        first = next(c for c in jupytext.read(md).cells if c.cell_type == "code")
        assert first.source.startswith(setup_cell.MARK), md.name
        assert "remove-cell" in first.metadata.get("tags", []), md.name


def test_binder_pins_are_the_development_pins():
    binder, dev = _pins(ROOT / "binder" / "requirements.txt"), _pins(ROOT / "requirements.txt")
    assert {"pandas", "seaborn", "scipy", "frictionless", "tabulate"} <= set(binder)
    assert {name: dev.get(name) for name in binder} == binder
    assert (ROOT / "binder" / "runtime.txt").read_text() == (ROOT / "runtime.txt").read_text()


@pytest.fixture(scope="module")
def site_data():
    if not (SITE / "data" / "data_package.py").exists():
        pytest.fail("the built site serves no modules in data/: build it first (make html)")
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(SITE / "data"))
    handler.log_message = lambda *args: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def _run_alone(name, folder, monkeypatch, url):
    folder.mkdir()
    shutil.copy(SITE / "_sources" / "notebooks" / f"{name}.ipynb", folder)
    monkeypatch.delenv("KY2015_DATA", raising=False)
    monkeypatch.setenv("KY2015_DATA_URL", url)
    nb = nbformat.read(folder / f"{name}.ipynb", as_version=4)
    NotebookClient(nb, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(folder)}}).execute()
    return nb


def test_a_notebook_alone_in_an_empty_folder_runs_from_the_site(tmp_path, monkeypatch, site_data):
    nb = _run_alone("secondary-findings", tmp_path / "alone", monkeypatch, site_data)
    fetched = sorted(p.name for p in (tmp_path / "alone").glob("*.py"))
    imported = setup_cell.modules_imported(
        (ROOT / "notebooks" / "secondary-findings.md").read_text(encoding="utf-8"))
    assert "data_package" in imported
    assert fetched == sorted(f"{name}.py" for name in imported)
    for name in fetched:
        assert (tmp_path / "alone" / name).read_bytes() == (ROOT / "notebooks" / name).read_bytes()
    text = "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    assert re.search(r"\.943|0\.94\d", text), "Table 1's r was not computed from the fetched data"


def test_with_nothing_to_fetch_it_stops_with_one_line_saying_what_to_put_where(tmp_path, monkeypatch):
    with pytest.raises(CellExecutionError) as info:
        _run_alone("appendix-1", tmp_path / "offline", monkeypatch, "http://127.0.0.1:9/closed")
    message = str(info.value)
    assert "data_package.py is missing: unpack ky2015-data.zip (the book's 'Data and sources' page)"\
        " beside this notebook, or set KY2015_DATA_URL" in message


def test_in_colab_without_the_packages_the_cell_installs_them_pinned(monkeypatch, tmp_path):
    """Colab simulated: google.colab is importable and frictionless is not."""
    md = ROOT / "notebooks" / "appendix-1.md"
    source = next(c for c in jupytext.read(md).cells if c.cell_type == "code").source
    calls = []
    real_find_spec = importlib.util.find_spec
    monkeypatch.setitem(sys.modules, "google.colab", types.ModuleType("google.colab"))
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name in ("frictionless", "tabulate")
                        else real_find_spec(name, *a))
    monkeypatch.setattr(subprocess, "run", lambda args, **kw: calls.append(args))
    monkeypatch.chdir(ROOT / "notebooks")       # the modules are found: nothing is fetched
    monkeypatch.syspath_prepend(str(ROOT / "notebooks"))   # as a kernel started there has it
    exec(compile(source, "setup-cell", "exec"), {})
    dev = _pins(ROOT / "requirements.txt")
    assert calls == [[sys.executable, "-m", "pip", "install", "-q",
                      dev["frictionless"], dev["tabulate"]]]


def test_outside_colab_a_missing_package_is_named_with_its_pin(monkeypatch):
    md = ROOT / "notebooks" / "appendix-1.md"
    source = next(c for c in jupytext.read(md).cells if c.cell_type == "code").source
    real_find_spec = importlib.util.find_spec
    monkeypatch.delitem(sys.modules, "google.colab", raising=False)
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == "frictionless" else real_find_spec(name, *a))
    with pytest.raises(SystemExit) as info:
        exec(compile(source, "setup-cell", "exec"), {})
    assert str(info.value) == f"Install first: pip install {_pins(ROOT / 'requirements.txt')['frictionless']}"
