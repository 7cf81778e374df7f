"""Two clean builds of the same sources give the same site, byte for byte.

Two private copies of the book, in different folders, are built from scratch (``tools/build.sh
html``, the published site with its data archive) at the same time, and their ``_build/html``
trees are compared file by file. Every page, every figure (SVG), the search index and the data
archive must be identical. Allowed to differ: the "How this edition was built" page (the one
declared place for build-specific facts: build date, execution times) and Sphinx's ``.buildinfo``.

What keeps the site repeatable: ``svg.hashsalt`` (set in every notebook's style cell) and
``SOURCE_DATE_EPOCH`` (set by tools/build.sh) fix the ids and dates inside figures; myst-nb names
output files by the hash of their content; the build-info facts are kept out of the search index,
and the executed notebooks offered as downloads (``_sources/notebooks/*.ipynb``) get numbered
cell ids instead of jupytext's random ones (both in _ext/build_info.py); tools/package_data.py
writes the archive with fixed timestamps and order.

A rebuild must give the same site as a clean build, too: the second copy is then rebuilt with
nothing changed, and again after one prose page is saved (same text, new modification time, so
Sphinx reads and writes it again), and each time its site must be the clean build's, file for
file. (Sphinx 7.4 dropped the index entries of every page it did not rewrite from the search
index, and linked two stylesheets differently in rewritten pages: see _ext/incremental.py.)

The comparison is slow (two cold builds at once, about 2-3 minutes on 2 cores) and marked
``slow``: deselect it with ``-m "not slow"``. The first test (the build page of the built site
holds the facts it promises) is fast.
"""

from __future__ import annotations

import hashlib
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from built_book import require_site
from copy_of_book import copy_sources

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "_ext"))
from build_info import PACKAGES  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
VENV = Path(sys.prefix)  # the virtual environment running the tests (.venv)
MAY_DIFFER = {".buildinfo", "book/how-this-edition-was-built.html"}


def _tree(site: Path) -> dict[str, str]:
    return {
        p.relative_to(site).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(site.rglob("*"))
        if p.is_file()
    }


def test_build_page_records_the_build():
    """The "How this edition was built" page of the built site holds the facts it promises."""
    page = (require_site() / "book" / "how-this-edition-was-built.html").read_text(encoding="utf-8")
    assert re.search(r"[0-9a-f]{40}|not a git checkout", page), "no commit"
    assert re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC", page), "no build date"
    for package in PACKAGES:  # the packages the page promises to list (_ext/build_info.py)
        assert f">{package}<" in page, f"no version of {package}"
    for path in sorted((ROOT / "data").iterdir()):
        if path.is_file():
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
            assert f"{digest}  data/{path.name}" in page, f"no (or a stale) SHA-256 of data/{path.name}"
    rows = re.findall(
        r'href="\.\./notebooks/([\w-]+)\.html"><span>[^<]*</span></a></p></td>\s*'
        r"<td><p>(\w+)</p></td>\s*<td><p>([\d.]+)</p></td>",
        page,
    )
    notebooks = sorted(p.stem for p in (ROOT / "notebooks").glob("*.md"))
    assert sorted(name for name, _, _ in rows) == notebooks, rows
    assert all(status == "succeeded" for _, status, _ in rows)


@pytest.fixture(scope="module")
def two_builds(tmp_path_factory):
    copies = [copy_sources(tmp_path_factory.mktemp(name) / "book") for name in ("first", "second")]
    env = dict(os.environ, VENV=str(VENV))
    runs = []
    for src in copies:
        log = (src.parent / "build.log").open("w")
        runs.append(
            (
                src,
                log,
                subprocess.Popen(
                    ["tools/build.sh", "html"], cwd=src, env=env, stdout=log, stderr=subprocess.STDOUT
                ),
            )
        )
    for src, log, proc in runs:
        proc.wait(timeout=1800)
        log.close()
        assert proc.returncode == 0, (src.parent / "build.log").read_text()[-4000:]
    return [src / "_build" / "html" for src in copies]


@pytest.mark.slow
def test_two_clean_builds_give_the_same_files(two_builds):
    first, second = (_tree(site) for site in two_builds)
    assert sorted(first) == sorted(second), (
        f"only in the first build: {sorted(set(first) - set(second))[:20]}; "
        f"only in the second: {sorted(set(second) - set(first))[:20]}"
    )
    differ = sorted(name for name in first if first[name] != second[name] and name not in MAY_DIFFER)
    assert not differ, f"{len(differ)} file(s) differ between two builds of the same sources: {differ[:30]}"


@pytest.mark.slow
def test_figures_and_search_index_are_compared(two_builds):
    """The comparison covers what matters: figures, the search index, the data archive."""
    names = _tree(two_builds[0])
    assert any(n.startswith("_images/") and n.endswith(".svg") for n in names)
    assert "searchindex.js" in names and "data/ky2015-data.zip" in names


@pytest.mark.slow
def test_build_facts_are_on_the_build_page_only(two_builds):
    """The build page really carries build-specific facts (so it is right to exempt it), and
    they stay out of the search index (which is identical between the builds)."""
    pages = [
        (site / "book" / "how-this-edition-was-built.html").read_text(encoding="utf-8") for site in two_builds
    ]
    assert all("Build date" in page and "data/wgi.csv" in page for page in pages)
    index = (two_builds[0] / "searchindex.js").read_text(encoding="utf-8")
    digest = hashlib.sha256((ROOT / "data" / "datapackage.json").read_bytes()).hexdigest()
    assert digest in pages[0] and digest not in index


def _rebuild(src: Path) -> Path:
    env = dict(os.environ, VENV=str(VENV))
    run = subprocess.run(["tools/build.sh", "html"], cwd=src, env=env, capture_output=True, text=True)
    assert run.returncode == 0, (run.stdout + run.stderr)[-4000:]
    return src / "_build" / "html"


def _differences(clean: dict[str, str], now: dict[str, str]) -> list[str]:
    names = set(clean) | set(now)
    return sorted(n for n in names if clean.get(n) != now.get(n) and n not in MAY_DIFFER)


@pytest.mark.slow
def test_rebuilds_give_the_clean_build(two_builds):
    site = two_builds[1]
    src = site.parent.parent
    clean = _tree(site)
    assert not _differences(clean, _tree(_rebuild(src))), "a rebuild with nothing changed changed the site"
    page = src / "book" / "methodology.md"
    page.write_bytes(page.read_bytes())  # saved again: Sphinx reads and writes it anew
    differ = _differences(clean, _tree(_rebuild(src)))
    assert not differ, f"a rebuild after saving book/methodology.md gives a different site: {differ[:20]}"
    index = (site / "searchindex.js").read_text(encoding="utf-8")
    assert '"indexentries": {"' in index, "the search index has no index entries"


def _edit_wgi(src: Path, delta: float) -> None:
    """Move Kazakhstan's 2012 VA estimate (2014 release) by ``delta``: four notebooks read wgi."""
    path = src / "data" / "wgi.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    for i, line in enumerate(lines):
        cells = line.split(",")
        if cells[:5] == ["Kazakhstan", "KAZ", "2012", "VA", "2014"]:
            cells[5] = repr(float(cells[5]) + delta)
            lines[i] = ",".join(cells)
            break
    else:
        raise AssertionError("no Kazakhstan 2012 VA row of the 2014 release in wgi.csv")
    path.write_text("".join(lines), encoding="utf-8")


@pytest.mark.slow
def test_a_data_edit_and_its_revert_give_the_clean_build(two_builds):
    """Issue 17, case 5: superseded figures and search terms must not stay published."""
    site = two_builds[1]
    src = site.parent.parent
    clean = _tree(site)
    original = (src / "data" / "wgi.csv").read_bytes()
    _edit_wgi(src, 0.25)
    edited = _tree(_rebuild(src))
    assert _differences(clean, edited), "the data edit changed nothing: the test proves nothing"
    (src / "data" / "wgi.csv").write_bytes(original)
    differ = _differences(clean, _tree(_rebuild(src)))
    assert not differ, f"a data edit and its revert leave a site unlike the clean build: {differ[:20]}"


@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGKILL])
def test_an_interrupted_build_keeps_the_last_site(two_builds, sig):
    """Issue 14, part 3: a build stopped while notebooks run leaves the published site as it was,
    and the next build is correct (the clean build's site again, after the edit is reverted)."""
    site = two_builds[1]
    src = site.parent.parent
    clean = _tree(site)
    original = (src / "data" / "wgi.csv").read_bytes()
    _edit_wgi(src, -0.25)
    env = dict(os.environ, VENV=str(VENV))
    run = subprocess.Popen(["tools/build.sh", "html"], cwd=src, env=env, start_new_session=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(6)  # the data check is done; Sphinx is executing the notebooks that read wgi
    assert run.poll() is None, "the build ended before it could be interrupted"
    os.killpg(run.pid, sig)
    run.wait(timeout=120)
    assert run.returncode != 0
    assert not _differences(clean, _tree(site)), "the interrupted build changed the published site"
    (src / "data" / "wgi.csv").write_bytes(original)
    differ = _differences(clean, _tree(_rebuild(src)))
    assert not differ, f"the build after an interrupted one differs from the clean build: {differ[:20]}"
