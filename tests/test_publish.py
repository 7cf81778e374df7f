"""`make publish` publishes both editions (issue 16.2), tried on a local bare repository.

tools/publish.sh runs in a scratch repository whose `origin` is a bare repository on disk. The
sites are small stand-ins built as the real ones are laid out (the instructor site published by
tools/swap_site.sh, the student site in _build/student/html, the launch branch's files in
_build/student-branch); the real student site's own links are checked in
tests/test_student_edition.py.
"""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
GIT_ENV = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.invalid",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.invalid"}


def _run(args, cwd, check=True):
    import os
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True, check=check,
                          env={**os.environ, **GIT_ENV})


def _site(folder: Path, label: str) -> Path:
    (folder / "data").mkdir(parents=True)
    (folder / "index.html").write_text(f"<p>{label}</p>")
    (folder / "data" / "ky2015-data.zip").write_bytes(b"zip " + label.encode())
    (folder / "ngos-in-kazakhstan.pdf").write_bytes(b"%PDF " + label.encode())
    return folder


@pytest.fixture
def project(tmp_path):
    tree, remote = tmp_path / "tree", tmp_path / "remote.git"
    (tree / "tools").mkdir(parents=True)
    for name in ("publish.sh", "swap_site.sh"):
        shutil.copy(ROOT / "tools" / name, tree / "tools")
    _run(["git", "init", "-q", "--bare", str(remote)], tmp_path)
    _run(["git", "init", "-q", "-b", "main"], tree)
    (tree / "README.md").write_text("source\n")
    (tree / ".gitignore").write_text("_build/\n")
    _run(["git", "add", "."], tree)
    _run(["git", "commit", "-q", "-m", "source"], tree)
    _run(["git", "remote", "add", "origin", str(remote)], tree)
    instructor = _site(tmp_path / "built-instructor", "instructor")
    _run(["tools/swap_site.sh", str(instructor), "html"], tree)
    _site(tree / "_build" / "student" / "html", "student")
    branch = tree / "_build" / "student-branch"
    (branch / "notebooks").mkdir(parents=True)
    (branch / "README.md").write_text("student notebooks\n")
    (branch / "notebooks" / "x.ipynb").write_text("{}\n")
    return tree, remote


def _files(remote: Path, branch: str) -> list[str]:
    return _run(["git", "ls-tree", "-r", "--name-only", branch], remote).stdout.split()


def test_publish_puts_both_editions_and_the_launch_branch_on_the_remote(project):
    tree, remote = project
    _run(["tools/publish.sh", "--record-tested"], tree)
    run = _run(["tools/publish.sh"], tree)
    assert "pushed gh-pages and student to origin" in run.stdout
    pages = _files(remote, "gh-pages")
    assert {"index.html", ".nojekyll", "data/ky2015-data.zip", "ngos-in-kazakhstan.pdf",
            "student/index.html", "student/data/ky2015-data.zip",
            "student/ngos-in-kazakhstan.pdf"} == set(pages)
    shown = _run(["git", "show", "gh-pages:student/index.html"], remote).stdout
    assert shown == "<p>student</p>"
    assert set(_files(remote, "student")) == {"README.md", "notebooks/x.ipynb"}
    # Nothing changed: nothing new is committed or pushed.
    again = _run(["tools/publish.sh"], tree)
    assert "gh-pages already holds" in again.stdout and "student already holds" in again.stdout
    log = _run(["git", "log", "--oneline", "gh-pages"], remote).stdout.splitlines()
    assert len(log) == 1


def test_publish_refuses_a_student_site_changed_after_the_tests(project):
    tree, remote = project
    _run(["tools/publish.sh", "--record-tested"], tree)
    (tree / "_build" / "student" / "html" / "index.html").write_text("<p>edited</p>")
    run = _run(["tools/publish.sh"], tree, check=False)
    assert run.returncode == 1
    assert "_build/student/html has not passed the test suite since it was built" in run.stderr
    assert _run(["git", "branch", "--list"], remote).stdout == ""


def test_publish_refuses_without_the_student_edition(project):
    tree, remote = project
    shutil.rmtree(tree / "_build" / "student")
    _run(["tools/publish.sh", "--record-tested"], tree)
    run = _run(["tools/publish.sh"], tree, check=False)
    assert run.returncode == 1 and "no student edition" in run.stderr
    assert _run(["git", "branch", "--list"], remote).stdout == ""


def test_make_tests_only_records_both_sites():
    makefile = (ROOT / "Makefile").read_text()
    recipe = makefile.split("\ntests-only:", 1)[1].split("\n\n", 1)[0]
    assert "tools/publish.sh --record-tested" in recipe
    assert recipe.index("pytest") < recipe.index("--record-tested")


def test_the_deploy_workflow_uploads_both_editions():
    import yaml
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "publish.yml").read_text())
    steps = workflow["jobs"]["build"]["steps"]
    upload = next(s for s in steps if s.get("uses", "").startswith("actions/upload-pages-artifact"))
    runs = "\n".join(s.get("run", "") for s in steps)
    assert upload["with"]["path"] == "_build/pages"
    assert "tools/publish.sh --pages-folder _build/pages" in runs


def test_the_workflow_folder_holds_both_editions_and_only_the_launch_branch_is_pushed(project):
    tree, remote = project
    _run(["tools/publish.sh", "--record-tested"], tree)
    run = _run(["tools/publish.sh", "--pages-folder", "_build/pages"], tree)
    pages = tree / "_build" / "pages"
    assert (pages / "index.html").read_text() == "<p>instructor</p>"
    assert (pages / "student" / "index.html").read_text() == "<p>student</p>"
    assert "pushed student to origin" in run.stdout
    assert _run(["git", "branch", "--list"], remote).stdout.split() == ["student"]
