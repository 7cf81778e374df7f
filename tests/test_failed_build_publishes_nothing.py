"""A build that fails publishes nothing.

On a private copy of the book, one notebook gets a first cell that raises. Then:

* with no site yet, ``tools/build.sh html`` exits non-zero, shows the error, and leaves no
  ``_build/html``;
* with a previous complete site in ``_build/html``, the failed build leaves it exactly as it was;
* the same holds for the PDF (``tools/build.sh pdf`` and ``_build/pdf``).

The broken notebook is the first one Sphinx reads (names in sorted order), so each failing build
stops after a few seconds rather than after executing the whole book.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from copy_of_book import copy_sources

VENV = Path(sys.prefix)  # the virtual environment running the tests (.venv)
MESSAGE = "deliberate failure inserted by test_failed_build_publishes_nothing"


def _tree(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _build(src: Path, what: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, VENV=str(VENV))
    return subprocess.run(
        ["tools/build.sh", what], cwd=src, env=env, capture_output=True, text=True, timeout=1200
    )


@pytest.fixture(scope="module")
def broken_copy(tmp_path_factory):
    src = copy_sources(tmp_path_factory.mktemp("broken") / "book")
    first = sorted((src / "notebooks").glob("*.md"))[0]
    text = first.read_text(encoding="utf-8")
    front = re.match(r"---\n.*?\n---\n", text, re.S)
    assert front, f"{first.name} has no front matter"
    cell = f'\n```{{code-cell}} ipython3\nraise RuntimeError("{MESSAGE}")\n```\n'
    first.write_text(text[: front.end()] + cell + text[front.end() :], encoding="utf-8")
    return src


def test_failed_html_build_publishes_no_site(broken_copy):
    shutil.rmtree(broken_copy / "_build", ignore_errors=True)
    result = _build(broken_copy, "html")
    output = result.stdout + result.stderr
    assert result.returncode != 0, output[-3000:]
    assert MESSAGE in output, "the build did not show the error:\n" + output[-3000:]
    assert not (broken_copy / "_build" / "html").exists(), "a failed build published a site"
    # The last line names the notebook, the code cell and the exception (tools/build_summary.py).
    last = [line for line in result.stderr.splitlines() if line.strip()][-1]
    first = sorted((broken_copy / "notebooks").glob("*.md"))[0].name
    assert last == f"Build failed: notebooks/{first}, code cell 1, line 1: RuntimeError: {MESSAGE}"


def test_failed_html_build_leaves_the_previous_site_unchanged(broken_copy):
    site = broken_copy / "_build" / "html"
    site.mkdir(parents=True, exist_ok=True)
    (site / "index.html").write_text("<p>the previous complete site</p>\n", encoding="utf-8")
    (site / "data").mkdir(exist_ok=True)
    (site / "data" / "ky2015-data.zip").write_bytes(b"previous archive")
    before = _tree(site)
    result = _build(broken_copy, "html")
    assert result.returncode != 0
    assert MESSAGE in result.stdout + result.stderr
    assert _tree(site) == before, "a failed build changed the published site"
    assert not list((broken_copy / "_build").glob("versions/html.*")), "a failed build left a copy"


def test_failed_pdf_build_leaves_the_previous_pdf_unchanged(broken_copy):
    pdf = broken_copy / "_build" / "pdf"
    pdf.mkdir(parents=True, exist_ok=True)
    (pdf / "ngos-in-kazakhstan.pdf").write_bytes(b"%PDF-1.5 the previous complete PDF\n")
    before = _tree(pdf)
    result = _build(broken_copy, "pdf")
    assert result.returncode != 0
    assert MESSAGE in result.stdout + result.stderr
    assert _tree(pdf) == before, "a failed PDF build changed the published PDF"
    assert not (broken_copy / "_build" / "pdf.new").exists()
