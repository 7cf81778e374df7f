"""Faults around the build: what a person sees, and that the published site is never damaged.

* bad data stops `tools/build.sh` and `make html` before anything runs, with the data package's
  one line last (make adds its own "Error 1" line after it) and nothing published;
* a second build started in a tree while one runs refuses at once, with a message;
* publishing (tools/swap_site.sh) killed with SIGKILL at random moments always leaves
  `_build/html` the old complete site or the new one;
* no deployment path publishes a site the test suite has not passed.

Interrupted builds and a data edit with its revert are in tests/test_reproducible_build.py (they
need a complete site built from scratch); a raising notebook in
tests/test_failed_build_publishes_nothing.py.
"""
from __future__ import annotations

import fcntl
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from copy_of_book import copy_sources

ROOT = Path(__file__).resolve().parent.parent
VENV = Path(sys.prefix)
BAD_LINE = ('Data error: data/nit_ratings.csv, row 10, column rating: "abc" is not a number '
            "(expected a rating from 1 to 7)")


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    return copy_sources(tmp_path_factory.mktemp("faults") / "book")


def _damage(src: Path) -> bytes:
    path = src / "data" / "nit_ratings.csv"
    original = path.read_bytes()
    lines = original.decode("utf-8").split("\n")
    cells = lines[9].split(",")
    cells[3] = "abc"
    lines[9] = ",".join(cells)
    path.write_bytes("\n".join(lines).encode("utf-8"))
    return original


def _last_lines(run: subprocess.CompletedProcess) -> list[str]:
    return [line for line in (run.stdout + run.stderr).splitlines() if line.strip()]


@pytest.mark.parametrize("command", [["tools/build.sh", "html"], ["tools/build.sh", "pdf"],
                                     ["make", "--no-print-directory", "html"]])
def test_bad_data_ends_the_build_with_one_line(book, command):
    original = _damage(book)
    try:
        env = dict(os.environ, VENV=str(VENV))
        for name in ("MAKELEVEL", "MAKEFLAGS", "MFLAGS"):  # as a person runs it, not under make
            env.pop(name, None)
        run = subprocess.run(command, cwd=book, env=env, capture_output=True, text=True,
                             timeout=300)
    finally:
        (book / "data" / "nit_ratings.csv").write_bytes(original)
    assert run.returncode != 0
    lines = _last_lines(run)
    if command[0] == "make":  # make's own line comes after ours
        assert lines[-1].startswith("make: *** [Makefile:") and lines[-1].endswith("Error 1")
        lines = lines[:-1]
    assert lines[-1] == BAD_LINE
    assert not (book / "_build" / "html").exists() and not (book / "_build" / "pdf").exists()


def test_a_second_build_in_the_same_tree_refuses(book):
    (book / "_build").mkdir(exist_ok=True)
    with open(book / "_build" / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # as a running build holds it
        run = subprocess.run(["tools/build.sh", "html"], cwd=book, capture_output=True,
                             text=True, env=dict(os.environ, VENV=str(VENV)), timeout=60)
    assert run.returncode == 75
    assert _last_lines(run)[-1] == (
        "Another build is running in this folder (it holds _build/.lock): wait for it to end, "
        "or stop it, then build again.")


def _site(folder: Path, label: str, files: int = 400) -> Path:
    folder.mkdir(parents=True)
    (folder / "index.html").write_text(label)
    for i in range(files):
        (folder / f"page{i:03}.html").write_text(f"{label} {i}" * 50)
    return folder


def _state(link: Path) -> str:
    """Which complete site _build/html is: 'A' or 'B'; anything else fails the test."""
    assert (link / "index.html").is_file(), "no index.html: a half-published site"
    label = (link / "index.html").read_text()
    names = sorted(p.name for p in link.iterdir())
    assert len(names) == 401, f"{len(names)} files in site {label}: a half-published site"
    assert all((link / f"page{i:03}.html").read_text() == f"{label} {i}" * 50 for i in (0, 399))
    return label


def test_publishing_killed_at_random_moments_never_leaves_half_a_site(tmp_path):
    tree = tmp_path / "tree"
    (tree / "tools").mkdir(parents=True)
    shutil.copy(ROOT / "tools" / "swap_site.sh", tree / "tools")
    sites = {"A": _site(tmp_path / "A", "A"), "B": _site(tmp_path / "B", "B")}
    subprocess.run(["tools/swap_site.sh", str(sites["A"]), "html"], cwd=tree, check=True)
    link = tree / "_build" / "html"
    assert _state(link) == "A"
    rng = random.Random(17)
    seen = set()
    for attempt in range(20):
        target = "B" if attempt % 2 == 0 else "A"
        run = subprocess.Popen(["tools/swap_site.sh", str(sites[target]), "html"], cwd=tree,
                               start_new_session=True)
        time.sleep(rng.uniform(0, 0.08))
        try:
            os.killpg(run.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        run.wait()
        seen.add(_state(link))
    subprocess.run(["tools/swap_site.sh", str(sites["B"]), "html"], cwd=tree, check=True)
    assert _state(link) == "B"
    assert len(list((tree / "_build" / "versions").iterdir())) == 1, "old copies were not removed"
    assert seen, "no state was checked"


def test_the_deploy_workflow_runs_the_tests_before_it_uploads():
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "publish.yml").read_text())
    steps = workflow["jobs"]["build"]["steps"]
    runs = [step.get("run", "") for step in steps]
    uses = [step.get("uses", "") for step in steps]
    tested = next(i for i, run in enumerate(runs) if "make test" in run)
    upload = next(i for i, use in enumerate(uses) if use.startswith("actions/upload-pages-artifact"))
    assert tested < upload
    assert workflow["jobs"]["deploy"]["needs"] == "build"


def test_publish_refuses_a_site_the_tests_have_not_passed(tmp_path):
    tree = tmp_path / "tree"
    (tree / "tools").mkdir(parents=True)
    shutil.copy(ROOT / "tools" / "publish.sh", tree / "tools")
    shutil.copy(ROOT / "tools" / "swap_site.sh", tree / "tools")
    subprocess.run(["git", "init", "-q"], cwd=tree, check=True)
    site = _site(tmp_path / "site", "A", files=2)
    (site / "data").mkdir()
    (site / "data" / "ky2015-data.zip").write_bytes(b"zip")
    (site / "ngos-in-kazakhstan.pdf").write_bytes(b"%PDF")
    subprocess.run(["tools/swap_site.sh", str(site), "html"], cwd=tree, check=True)
    run = subprocess.run(["tools/publish.sh", "--no-push"], cwd=tree, capture_output=True,
                         text=True)
    assert run.returncode == 1
    assert "has not passed the test suite since it was built" in run.stderr
    makefile = (ROOT / "Makefile").read_text()
    assert "\npublish: test\n" in makefile
