"""The local patches of Sphinx's and jupyter-book's internals fail loudly on another version.

_ext/incremental.py and tools/jupyter_book_parallel.py each name the versions they were written
for (WRITTEN_FOR). These must be requirements.txt's pins, and with any other version installed
the build stops with a message naming the package and both versions (issue 13.4).
"""
import importlib.metadata
import importlib.util
import subprocess
import sys

import pytest

from built_book import ROOT


def _module(path, name):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _pins():
    pins = {}
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        if "==" in line and not line.startswith("#"):
            name, _, version = line.partition("==")
            pins[name.strip().lower().replace("_", "-")] = version.strip()
    return pins


INCREMENTAL = _module(ROOT / "_ext" / "incremental.py", "incremental_under_test")


def test_versions_written_for_are_the_pins():
    pins = _pins()
    assert {n: pins.get(n) for n in INCREMENTAL.WRITTEN_FOR} == INCREMENTAL.WRITTEN_FOR
    text = (ROOT / "tools" / "jupyter_book_parallel.py").read_text(encoding="utf-8")
    block = text[text.index("WRITTEN_FOR = {"):text.index("}", text.index("WRITTEN_FOR = {")) + 1]
    written = eval(block.split("=", 1)[1])  # a dict literal
    assert {n: pins.get(n) for n in written} == written


def test_incremental_stops_on_another_sphinx(monkeypatch):
    real = importlib.metadata.version
    monkeypatch.setattr(importlib.metadata, "version",
                        lambda name: "8.0.0" if name == "sphinx" else real(name))
    with pytest.raises(RuntimeError) as info:
        INCREMENTAL.check_versions(INCREMENTAL.WRITTEN_FOR, "_ext/incremental.py")
    assert "sphinx 8.0.0 (written for 7.4.7)" in str(info.value)


def test_incremental_passes_on_the_pinned_versions():
    INCREMENTAL.check_versions(INCREMENTAL.WRITTEN_FOR, "_ext/incremental.py")


def test_parallel_build_stops_before_building_on_another_jupyter_book(tmp_path):
    """The command, run with a jupyter-book version it was not written for, builds nothing."""
    code = ("import importlib.metadata as m, runpy, sys; real = m.version; sys.path.insert(0, 'tools');"
            "m.version = lambda n: '2.0.0' if n == 'jupyter-book' else real(n);"
            "sys.argv = ['jupyter_book_parallel.py', 'build', '.', '--path-output', sys.argv[1]];"
            "runpy.run_path('tools/jupyter_book_parallel.py', run_name='__main__')")
    result = subprocess.run([sys.executable, "-c", code, str(tmp_path / "out")], cwd=ROOT,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode != 0
    last = result.stderr.strip().splitlines()[-1]
    assert "jupyter-book 2.0.0 (written for 1.0.4.post1)" in last, result.stderr[-2000:]
    assert not (tmp_path / "out").exists()
