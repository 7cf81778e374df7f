"""A notebook runs outside the repository: downloaded alone, it fetches its modules and the data
package from the configured base URL (here a local HTTP server serving a data/ folder made as the
site's is, by tools/package_data.py)."""
import functools
import http.server
import shutil
import sys
import threading

import nbformat
import pytest
import yaml
from nbclient import NotebookClient

from built_book import ROOT

sys.path.insert(0, str(ROOT / "tools"))
import package_data  # noqa: E402
import setup_cell  # noqa: E402

NOTEBOOK = ROOT / "notebooks" / "secondary-findings.ipynb"


@pytest.fixture
def data_server(tmp_path):
    site = tmp_path / "site"
    package_data.main(site)  # the site's data/: the data files and the notebooks' modules
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(site / "data"))
    handler.log_message = lambda *args: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_default_data_url_is_the_published_site(tmp_path):
    """The notebooks' fallback URL is the site's data/ folder, from the one setting in _config.yml."""
    baseurl = yaml.safe_load((ROOT / "_config.yml").read_text())["html"]["baseurl"]
    expected = baseurl.rstrip("/") + "/data"
    module = (ROOT / "notebooks" / "data_package.py").read_text(encoding="utf-8")
    assert f'PUBLISHED_DATA_URL = "{expected}"' in module
    for md in (ROOT / "notebooks").glob("*.md"):
        text = md.read_text(encoding="utf-8")
        assert "DATA_URL =" not in text, f"{md.name} has a copy of the data-loading code"


def test_notebook_copied_to_an_empty_folder_runs_from_the_data_url(tmp_path, data_server, monkeypatch):
    alone = tmp_path / "downloads"
    alone.mkdir()
    shutil.copy(NOTEBOOK, alone / NOTEBOOK.name)
    assert not (alone / "data").exists() and not list(alone.glob("*.py"))
    monkeypatch.setenv("KY2015_DATA_URL", data_server)
    nb = nbformat.read(alone / NOTEBOOK.name, as_version=4)
    NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(alone)}}).execute()
    # The set-up cell fetched every module the notebook imports (and, beside it, nothing else).
    wanted = setup_cell.modules_imported(NOTEBOOK.with_suffix(".md").read_text(encoding="utf-8"))
    assert wanted and {p.name for p in alone.glob("*.py")} == {f"{m}.py" for m in wanted}
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert not errors
    checked = [c for c in nb.cells if "nbval-check-output" in c.metadata.get("tags", [])]
    assert any(".943" in "".join(o.get("text", "")) or "0.9428" in "".join(o.get("text", ""))
               for c in checked for o in c.outputs), "Table 1's r was not computed from the fetched data"
