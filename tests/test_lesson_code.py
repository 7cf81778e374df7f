"""The visible code of a computed page is the lesson, and it fits the page (issue 13.2).

- No code cell that the page shows (folded or not) is longer than 25 lines: bookkeeping
  (glue values, alt text, figure data tables) sits in cells tagged ``remove-cell`` or
  ``remove-input``, or in ``notebooks/book_outputs.py``.
- No line of a notebook's code, nor of the modules beside the notebooks, is longer than
  88 characters, so that code fits the code box of a laptop-width page: ruff's E501 with
  ``notebooks/ruff.toml``, on the .ipynb pairs (which test_notebook_pairs.py keeps equal
  to the .md sources) and the modules. ruff's F rules catch unused and undefined names.
- A lesson runs without the book: no notebook imports ``myst_nb`` (``book_outputs.glue``
  does, when it is there).
"""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import jupytext
import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
SOURCES = sorted(NOTEBOOKS.glob("*.md"))
HIDDEN = {"remove-cell", "remove-input"}
MAX_CELL_LINES = 25
RUFF = Path(sys.executable).with_name("ruff")


def visible_cells(md: Path):
    for index, cell in enumerate(jupytext.read(md).cells):
        if cell.cell_type == "code" and not HIDDEN & set(cell.metadata.get("tags", [])):
            yield index, cell


@pytest.mark.parametrize("md", SOURCES, ids=lambda p: p.stem)
def test_no_visible_cell_is_longer_than_a_lesson(md):
    long = [f"cell {i} ({len(c.source.splitlines())} lines): {c.source.splitlines()[0]}"
            for i, c in visible_cells(md) if len(c.source.splitlines()) > MAX_CELL_LINES]
    assert not long, (f"{md.name}: visible code cells longer than {MAX_CELL_LINES} lines "
                      "(split them, or move bookkeeping to a remove-cell cell):\n"
                      + "\n".join(long))


@pytest.mark.parametrize("md", SOURCES, ids=lambda p: p.stem)
def test_no_notebook_imports_myst_nb(md):
    code = "\n".join(c.source for c in jupytext.read(md).cells if c.cell_type == "code")
    assert not re.search(r"^\s*(from|import)\s+myst_nb\b", code, re.M), (
        f"{md.name} imports myst_nb: use `from book_outputs import glue`, which runs "
        "outside the book too")


def test_ruff_passes_on_the_notebooks_and_their_modules():
    if not RUFF.exists():
        pytest.fail(f"ruff is not installed beside {sys.executable} (pip install -r requirements.txt)")
    files = sorted(NOTEBOOKS.glob("*.ipynb")) + sorted(NOTEBOOKS.glob("*.py"))
    assert len(files) >= len(SOURCES)
    result = subprocess.run(
        [str(RUFF), "check", "--no-cache", "--config", str(NOTEBOOKS / "ruff.toml"),
         "--output-format", "concise", *map(str, files)],
        capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_line_length_rule_bites():
    """The ruff configuration does reject a long line (a check that cannot fail is a defect)."""
    if not RUFF.exists():
        pytest.fail("ruff is not installed")
    result = subprocess.run(
        [str(RUFF), "check", "--no-cache", "--config", str(NOTEBOOKS / "ruff.toml"),
         "--stdin-filename", "long.py", "-"],
        input="x = 1  # " + "a" * 90 + "\n", capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 1 and "E501" in result.stdout, result.stdout
