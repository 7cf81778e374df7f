"""A private copy of the book's sources, for tests that change data or build in isolation."""
import shutil
import subprocess
import sys
from pathlib import Path

from built_book import ROOT


def copy_sources(dest: Path) -> Path:
    """Copy every file git tracks, plus untracked files it does not ignore, to dest."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                            cwd=ROOT, capture_output=True, check=True).stdout.decode().split("\0")
    for rel in filter(None, listed):
        src = ROOT / rel
        if src.is_file():
            target = dest / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, target)
    return dest


def build_html(src: Path, log: Path, strict: bool = True) -> subprocess.CompletedProcess:
    """Run the book's strict HTML build on a copy, into src/_build/work (as tools/build.sh does)."""
    cmd = [sys.executable, "tools/jupyter_book_parallel.py", "build", ".", "--path-output", "_build/work"]
    if strict:
        cmd += ["-n", "-W", "--keep-going"]
    with log.open("w") as out:
        return subprocess.run(cmd, cwd=src, stdout=out, stderr=subprocess.STDOUT)
