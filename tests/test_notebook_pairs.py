"""Each notebook's MyST source (.md) and its committed .ipynb pair hold the same cells."""
from pathlib import Path

import jupytext
import pytest

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
SOURCES = sorted(NOTEBOOKS.glob("*.md"))


def _cells(notebook):
    return [(c.cell_type, c.source.strip()) for c in notebook.cells]


def test_every_notebook_chapter_is_paired():
    assert SOURCES
    missing = [md.name for md in SOURCES if not md.with_suffix(".ipynb").exists()]
    assert not missing, f"no .ipynb pair for {missing}: run `make notebooks`"


@pytest.mark.parametrize("md", SOURCES, ids=lambda p: p.name)
def test_pair_in_sync(md):
    ipynb = md.with_suffix(".ipynb")
    if not ipynb.exists():
        pytest.fail(f"{ipynb.name} is missing: run `make notebooks`")
    assert _cells(jupytext.read(md)) == _cells(jupytext.read(ipynb)), (
        f"{md.name} and {ipynb.name} differ: run `make notebooks`")


@pytest.mark.parametrize("md", SOURCES, ids=lambda p: p.name)
def test_pair_has_outputs_for_nbval(md):
    ipynb = jupytext.read(md.with_suffix(".ipynb"))
    checked = [c for c in ipynb.cells if "nbval-check-output" in c.metadata.get("tags", [])]
    assert checked, f"{md.with_suffix('.ipynb').name}: no cell tagged nbval-check-output"
    assert all(c.outputs for c in checked), "a checked cell has no stored output: run `make notebooks`"
