"""A notebook downloaded from the site runs beside the unpacked data archive, with no network.

The page's download button gives the notebook alone (_sources/notebooks/<name>.ipynb); the "Data
and sources" page's archive (data/ky2015-data.zip) holds the data in data/ and, at its top level,
the modules the notebooks import (tools/package_data.py). Unpacked in one folder, they are all a
notebook needs. The published data URL is pointed at a closed port, so a notebook that tried to
fetch anything would fail.
"""
import shutil
import zipfile

import nbformat
import pytest
from nbclient import NotebookClient

from built_book import ROOT, SITE

ARCHIVE = SITE / "data" / "ky2015-data.zip"
# The replication map reads the book's own sources (every page), which a download does not hold.
NEEDS_THE_REPOSITORY = {"replication-map"}
NOTEBOOKS = sorted(p.stem for p in (ROOT / "notebooks").glob("*.md")
                   if p.stem not in NEEDS_THE_REPOSITORY)


@pytest.fixture(scope="module")
def members():
    if not ARCHIVE.exists():
        pytest.fail(f"{ARCHIVE} is missing: build the site first (make html)")
    with zipfile.ZipFile(ARCHIVE) as archive:
        return archive.namelist()


def test_the_archive_holds_the_data_and_every_module(members):
    data = sorted(p.name for p in (ROOT / "data").iterdir() if p.is_file())
    modules = sorted(p.name for p in (ROOT / "notebooks").glob("*.py"))
    assert "data_package.py" in modules and "book_outputs.py" in modules
    assert sorted(members) == sorted([f"data/{name}" for name in data] + modules)
    for name in modules:      # served beside the data files too
        assert (SITE / "data" / name).read_bytes() == (ROOT / "notebooks" / name).read_bytes()


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_a_downloaded_notebook_runs_beside_the_unpacked_archive(name, tmp_path, monkeypatch):
    download = SITE / "_sources" / "notebooks" / f"{name}.ipynb"
    assert download.exists(), f"the site offers no download of {name}.ipynb"
    folder = tmp_path / "downloads"
    folder.mkdir()
    shutil.copy(download, folder)
    with zipfile.ZipFile(ARCHIVE) as archive:
        archive.extractall(folder)
    monkeypatch.delenv("KY2015_DATA", raising=False)
    monkeypatch.setenv("KY2015_DATA_URL", "http://127.0.0.1:9/no-network")
    nb = nbformat.read(folder / download.name, as_version=4)
    NotebookClient(nb, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(folder)}}).execute()
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs
              if o.output_type == "error"]
    assert not errors
    # The folder held nothing from the repository: what ran came from the download and archive.
    assert not (folder / "notebooks").exists()
