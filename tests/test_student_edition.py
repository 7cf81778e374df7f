"""The student edition keeps every exercise and holds none of the worked solutions.

The solutions are read from the instructor sources (every `{solution}` directive in the book's
Markdown). From each one the test takes runs of eight or more plain words (prose without roles,
links or maths, so that a run reads the same in the Markdown source, on the rendered page, in a
notebook and in the PDF) and looks for them:

- in every file of the student site, `_build/student/html/` (pages, `_sources/` .md and .ipynb
  downloads, the search index and other .js/.json/.txt files);
- in the text of the student PDF, `_build/student/pdf/ngos-in-kazakhstan.pdf`.

Text is compared after removing everything but letters and digits, so markup, line breaks,
hyphenation at line ends, typographic quotes and ligatures do not hide a leak. The same search
must find every solution in the instructor build, and must find a solution planted in a copy of a
student page: a check that could not fail would prove nothing.

Build the student edition first: `make student` (and `make student-pdf` for the PDF). Without it
these tests are skipped, except under CI=true, where nothing may be skipped.
"""
from __future__ import annotations

import html
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
from urllib.parse import urljoin
import unicodedata
import zlib
from functools import lru_cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
STUDENT_SRC = ROOT / "_build" / "student-src"
STUDENT_SITE = ROOT / "_build" / "student" / "html"
STUDENT_PDF = ROOT / "_build" / "student" / "pdf" / "ngos-in-kazakhstan.pdf"
INSTRUCTOR_SITE = ROOT / "_build" / "html"
INSTRUCTOR_PDF = ROOT / "_build" / "pdf" / "ngos-in-kazakhstan.pdf"
TEXT_SUFFIXES = {".html", ".txt", ".ipynb", ".md", ".js", ".json", ".inv", ".xml", ".tex"}
MIN_WORDS, MAX_WORDS = 8, 12
CI = os.environ.get("CI", "").lower() == "true"


def _load_build_edition():
    spec = importlib.util.spec_from_file_location("build_edition", ROOT / "tools" / "build_edition.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["build_edition"] = module      # dataclasses look their module up here
    spec.loader.exec_module(module)
    return module


build_edition = _load_build_edition()


# --------------------------------------------------------------------------------------------
# What to look for
# --------------------------------------------------------------------------------------------

# Markup that renders as something other than its source text: each is a break between runs.
BREAKS = re.compile(r"\{[\w:.-]+\}`[^`]*`"          # roles: {ref}, {glue:text}, {cite:p}, {term} ...
                    r"|!?\[[^\]]*\]\([^)]*\)"        # links and images
                    r"|\$[^$\n]+\$"                  # inline maths
                    r"|<[^>\n]+>"                    # HTML
                    r"|\[\^[^\]]+\]")                # footnote references


def key(text: str) -> str:
    """Letters and digits only, lower case, compatibility-normalised (ligatures, wide forms)."""
    return re.sub(r"[\W_]+", "", unicodedata.normalize("NFKC", text).casefold())


def _body(block: str) -> list[str]:
    """The prose lines of a directive block: no fences, options or code."""
    lines = block.split("\n")[1:]
    out, in_code = [], None
    for line in lines:
        fence = build_edition.FENCE.match(line)
        if fence:
            if in_code is None and fence.group("info").strip() and not fence.group("info").strip().startswith("{"):
                in_code = fence.group("fence")          # a code block opens: skip to its end
            elif in_code is not None and fence.group("fence")[0] == in_code[0] and not fence.group("info").strip():
                in_code = None
            out.append("")                               # fences break runs
            continue
        if in_code is not None or build_edition.OPTION.match(line):
            out.append("")
            continue
        out.append(line)
    return out


def snippets(block: str, how_many: int = 2) -> list[str]:
    """Up to `how_many` runs of MIN_WORDS..MAX_WORDS plain words from a directive's prose."""
    text = "\n".join(_body(block))
    runs = []
    for paragraph in re.split(r"\n\s*\n", text):
        for segment in BREAKS.split(paragraph):
            words = re.findall(r"[\w'’-]+", segment)
            words = [w for w in words if key(w)]
            if len(words) >= MIN_WORDS:
                runs.append(" ".join(words[:MAX_WORDS]))
    if len(runs) > how_many:
        runs = [runs[0], runs[-1]]
    return runs


@lru_cache(maxsize=None)
def instructor_blocks(name: str) -> tuple[tuple[str, str], ...]:
    """(file, block text) of every `{name}` directive in the instructor sources."""
    found = []
    for rel in build_edition.project_files(ROOT):
        if rel.suffix == ".md" and rel.parts[0] not in ("tests", "tools"):
            text = (ROOT / rel).read_text(encoding="utf-8")
            found.extend((str(rel), block) for block in build_edition.directive_blocks(text, name))
    return tuple(found)


def _label(block: str) -> str:
    first = block.split("\n", 1)[0]
    m = re.search(r"\}\s*(\S+)", first)
    opts = dict(re.findall(r"^[ \t]*:([\w-]+):[ \t]*(.*)$", block, re.M))
    return opts.get("label") or (m.group(1) if m else first.strip())


def solution_snippets():
    items = []
    for where, block in instructor_blocks("solution"):
        runs = snippets(block)
        items.append((f"{where}: solution {_label(block)}", runs, block))
    return items


def exercise_snippets():
    return [(f"{where}: exercise {_label(block)}", snippets(block, 1), block)
            for where, block in instructor_blocks("exercise")]


# --------------------------------------------------------------------------------------------
# Where to look
# --------------------------------------------------------------------------------------------

def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)
    elif isinstance(value, dict):
        for k, v in value.items():
            yield k
            yield from _strings(v)


def file_text(path: Path) -> str:
    """The text a reader could get out of a file of the site."""
    raw = path.read_bytes()
    if path.suffix == ".inv":                      # Sphinx inventory: 4 header lines, then zlib
        parts = raw.split(b"\n", 4)
        try:
            return b"\n".join(parts[:4]).decode() + zlib.decompress(parts[4]).decode("utf-8", "replace")
        except (IndexError, zlib.error):
            return raw.decode("utf-8", "replace")
    text = raw.decode("utf-8", "replace")
    if path.suffix in (".ipynb", ".json"):
        try:
            return "\n".join(_strings(json.loads(text)))
        except json.JSONDecodeError:
            return text
    if path.suffix in (".html", ".xml"):
        return html.unescape(re.sub(r"<[^>]+>", " ", text))
    return text


def site_texts(site: Path) -> dict[str, str]:
    """key(text) of every text file of a built site, by path."""
    return {str(p.relative_to(site)): key(file_text(p))
            for p in sorted(site.rglob("*")) if p.is_file() and p.suffix in TEXT_SUFFIXES}


def pdf_text(pdf: Path) -> str:
    if shutil.which("pdftotext"):
        out = subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], check=True,
                             capture_output=True).stdout.decode("utf-8", "replace")
    else:
        from pypdf import PdfReader
        out = "\n".join(page.extract_text() or "" for page in PdfReader(str(pdf)).pages)
    return key(out)


def leaks(texts: dict[str, str], items) -> list[str]:
    """Every (what, where) pair: a snippet of `what` found in the file `where`."""
    found = []
    for what, runs, _ in items:
        for run in runs:
            k = key(run)
            for where, text in texts.items():
                if k in text:
                    found.append(f"{what}: {run!r} in {where}")
    return found


def missing(texts: dict[str, str], items) -> list[str]:
    """Items none of whose snippets occur in any of the texts."""
    joined = "\n".join(texts.values())
    return [f"{what}: {runs[0]!r}" for what, runs, _ in items if runs
            and not any(key(run) in joined for run in runs)]


def _require(path: Path, what: str, command: str):
    if not path.exists():
        message = f"no {what} at {path.relative_to(ROOT)}: run `{command}`"
        if CI:
            pytest.fail(message)
        pytest.skip(message)


@lru_cache(maxsize=None)
def _site(path: Path) -> dict[str, str]:
    return site_texts(path)


@lru_cache(maxsize=None)
def _pdf(path: Path) -> str:
    return pdf_text(path)


# --------------------------------------------------------------------------------------------
# Tests
# --------------------------------------------------------------------------------------------

def test_every_solution_yields_text_to_look_for():
    items = solution_snippets()
    assert items, "no {solution} directives found in the sources"
    empty = [what for what, runs, _ in items if not runs]
    assert not empty, ("solutions without a run of 8 plain words to search for (add a sentence "
                       "of explanation to each worked solution):\n" + "\n".join(empty))


def test_stripping_leaves_exercises_and_removes_solutions():
    for rel in build_edition.project_files(ROOT):
        if rel.suffix != ".md" or rel.parts[0] in ("tests", "tools"):
            continue
        text = (ROOT / rel).read_text(encoding="utf-8")
        stripped = build_edition.strip_solutions(text, str(rel)).text
        assert not build_edition.directive_blocks(stripped, "solution"), rel
        assert "{solution-start}" not in stripped and "{solution-end}" not in stripped, rel
        assert (build_edition.directive_blocks(stripped, "exercise")
                == build_edition.directive_blocks(text, "exercise")), rel


def test_stripping_handles_every_form():
    text = "\n".join([
        "Before.", "",
        ":::{exercise}", ":label: ex-a", "", "Question text.", ":::", "",
        "::::{solution} ex-a", ":label: sol-a", ":class: dropdown", "",
        "```python", ":::", "x = 1", "```", "", "Answer A words.", "::::", "",
        "```{admonition} Note", "Inside.", "", ":::{solution} ex-b", "Answer B words.", ":::", "```", "",
        "```{solution-start} ex-c", ":class: dropdown", "```", "Answer C words.", "",
        "```{code-cell} ipython3", "answer_c = 3", "```", "", "```{solution-end}", "```", "",
        "```{code-cell} ipython3", ":tags: [remove-cell, solution]", "glue('x', 1)", "```", "",
        "```python", "# ```{solution} inside a code block is not a directive", "```",
        "After.", ""])
    result = build_edition.strip_solutions(text)
    assert result.solutions == 3 and result.solution_cells == 1
    assert result.labels == {"sol-a"}
    for gone in ("Answer A", "Answer B", "Answer C", "answer_c", "glue('x'"):
        assert gone not in result.text
    for kept in ("Before.", "Question text.", "Inside.", "```{admonition} Note", "After.",
                 "inside a code block is not a directive"):
        assert kept in result.text
    assert build_edition.dangling_references("See {ref}`the answer <sol-a>`.", result.labels)


def test_student_site_holds_no_solution():
    _require(STUDENT_SITE / "index.html", "student site", "make student")
    texts = _site(STUDENT_SITE)
    found = leaks(texts, solution_snippets())
    assert not found, "solution text in the student site:\n" + "\n".join(found[:40])


def test_student_site_has_no_solution_nodes_or_labels():
    _require(STUDENT_SITE / "index.html", "student site", "make student")
    labels = set()
    for _, block in instructor_blocks("solution"):
        labels |= build_edition._labels_in(block.split("\n"))
    problems = []
    for path in sorted(STUDENT_SITE.rglob("*")):
        if not path.is_file() or path.suffix not in TEXT_SUFFIXES:
            continue
        text = file_text(path) if path.suffix == ".inv" else path.read_text(encoding="utf-8", errors="replace")
        rel = path.relative_to(STUDENT_SITE)
        if path.suffix == ".html" and re.search(r'class="[^"]*\bsolution\b', text):
            problems.append(f"{rel}: a solution element")
        if re.search(r"Solution to Exercise", text):
            problems.append(f"{rel}: 'Solution to Exercise'")
        if "{solution" in text:
            problems.append(f"{rel}: a {{solution}} directive")
        for label in labels:
            if re.search(rf"(?<![\w-]){re.escape(label)}(?![\w-])", text):
                problems.append(f"{rel}: solution label {label}")
    assert not problems, "\n".join(problems[:40])


def test_student_site_keeps_every_exercise():
    _require(STUDENT_SITE / "index.html", "student site", "make student")
    items = exercise_snippets()
    assert items, "no exercises in the sources"
    pages = {k: v for k, v in _site(STUDENT_SITE).items() if k.endswith(".html")}
    absent = missing(pages, items)
    assert not absent, "exercises missing from the student site:\n" + "\n".join(absent)


def test_student_downloads_are_stripped_notebooks():
    """Each notebook page offers an .ipynb download, and it has the exercises but no solution."""
    _require(STUDENT_SITE / "index.html", "student site", "make student")
    downloads = sorted((STUDENT_SITE / "_sources" / "notebooks").glob("*.ipynb"))
    assert downloads, "no .ipynb downloads in the student site's _sources/notebooks/"
    for path in downloads:
        nb = json.loads(path.read_text(encoding="utf-8"))
        markdown = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")
        assert "{solution" not in markdown, path.name


def test_student_sources_hold_no_solution():
    """The stripped tree (what the student site's Binder and Colab buttons open, once published
    as the launch branch) has the notebooks and their .ipynb pairs without solutions."""
    _require(STUDENT_SRC / "_config.yml", "student sources", "make student")
    texts = {str(p.relative_to(STUDENT_SRC)): key(file_text(p))
             for p in sorted(STUDENT_SRC.rglob("*"))
             if p.is_file() and p.suffix in (".md", ".ipynb") and p.relative_to(STUDENT_SRC).parts[0]
             not in ("tests", "tools")}
    found = leaks(texts, solution_snippets())
    assert not found, "solution text in the student sources:\n" + "\n".join(found[:40])


def test_student_launch_buttons_open_the_student_branch():
    import yaml
    _require(STUDENT_SITE / "index.html", "student site", "make student")
    repo = yaml.safe_load((STUDENT_SRC / "_config.yml").read_text(encoding="utf-8"))["repository"]
    instructor = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))["repository"]
    org_repo = repo["url"].split("github.com/", 1)[-1].strip("/")
    assert repo["branch"] != instructor.get("branch"), "the student edition launches the instructor branch"
    for page in sorted((STUDENT_SITE / "notebooks").glob("*.html")):
        links = [h for h in re.findall(r'href="([^"]+)"', page.read_text(encoding="utf-8"))
                 if "mybinder" in h or "colab" in h]
        for link in links:
            assert (f"{org_repo}/{repo['branch']}?" in link or f"{org_repo}/blob/{repo['branch']}/" in link), (
                f"{page.name}: {link} does not open the {repo['branch']} branch")


def test_student_launch_branch_holds_what_binder_and_colab_need_and_no_solution():
    """_build/student-branch is what tools/publish.sh commits as the launch branch."""
    tree = ROOT / "_build" / "student-branch"
    _require(tree / "README.md", "student launch branch", "make student")
    notebooks = sorted(p.name for p in (ROOT / "notebooks").glob("*.ipynb"))
    assert sorted(p.name for p in (tree / "notebooks").glob("*.ipynb")) == notebooks
    for needed in ("binder/requirements.txt", "data/datapackage.json",
                   "notebooks/data_package.py", "notebooks/book_outputs.py"):
        assert (tree / needed).is_file(), f"the launch branch has no {needed}"
    assert not (tree / "tests").exists() and not (tree / "_config.yml").exists()
    texts = {str(p.relative_to(tree)): key(file_text(p)) for p in sorted(tree.rglob("*"))
             if p.is_file() and p.suffix in (".md", ".ipynb", ".py", ".txt", ".json")}
    found = leaks(texts, solution_snippets())
    assert not found, "solution text in the launch branch:\n" + "\n".join(found[:40])


def _student_baseurl():
    import yaml
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    base = config["html"]["baseurl"].rstrip("/") + "/"
    return base, build_edition.student_baseurl(base), config["repository"]["url"].rstrip("/")


def test_student_site_has_its_own_address_and_links_nowhere_with_solutions():
    """Canonical links are the student site's; no link leads to the instructor site or to the
    repository (whose main branch holds the solutions), except the launch buttons, which open
    the student branch; notebooks fetch data from the student site."""
    _require(STUDENT_SITE / "index.html", "student site", "make student")
    instructor, student, repository = _student_baseurl()
    pages = sorted(STUDENT_SITE.rglob("*.html"))
    canonical = 0
    for page in pages:
        text = page.read_text(encoding="utf-8")
        rel = page.relative_to(STUDENT_SITE)
        for link in re.findall(r'<link rel="canonical" href="([^"]+)"', text):
            canonical += 1
            link = urljoin(student + rel.as_posix(), link)   # the front page's redirect is relative
            assert link.startswith(student), f"{rel}: canonical link {link}"
        for link in re.findall(r'(?:href|src)="([^"]+)"', text):
            assert "answer-key" not in link, f"{rel}: links to the answer key: {link}"
            if link.startswith(instructor):
                assert link.startswith(student), f"{rel}: links to the instructor site: {link}"
            if repository.split("://", 1)[1] in link:
                assert "/student" in link and ("mybinder" in link or "colab" in link), (
                    f"{rel}: links to the repository: {link}")
    assert canonical >= len(_toc_pages()), "pages without a canonical link"
    for path in sorted((STUDENT_SITE / "_sources" / "notebooks").glob("*")):
        if path.suffix in (".ipynb", ".md"):
            text = path.read_text(encoding="utf-8")
            assert instructor + "data" not in text, f"{path.name} reads the instructor's data"
    module = (STUDENT_SITE / "data" / "data_package.py").read_text(encoding="utf-8")
    assert f'"{student}data"' in module
    assert not list(STUDENT_SITE.rglob("*answer-key*")), "the student site holds the answer key"


def _toc_pages():
    import yaml
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    return [c["file"] for part in toc["parts"] for c in part["chapters"]]


def test_student_pdf_holds_no_solution():
    _require(STUDENT_PDF, "student PDF", "make student-pdf")
    text = _pdf(STUDENT_PDF)
    found = leaks({"PDF": text}, solution_snippets())
    assert not found, "solution text in the student PDF:\n" + "\n".join(found[:40])
    assert "solutiontoexercise" not in text


def test_student_pdf_keeps_every_exercise():
    _require(STUDENT_PDF, "student PDF", "make student-pdf")
    absent = missing({"PDF": _pdf(STUDENT_PDF)}, exercise_snippets())
    assert not absent, "exercises missing from the student PDF:\n" + "\n".join(absent)


# The controls: the same search finds solutions where they are (so a pass above means something).

def test_control_a_planted_solution_is_caught(tmp_path):
    _require(STUDENT_SITE / "index.html", "student site", "make student")
    what, runs, block = solution_snippets()[0]
    page = next(STUDENT_SITE.glob("notebooks/*.html"))
    planted = tmp_path / "site"
    (planted / "notebooks").mkdir(parents=True)
    body = "\n".join(_body(block))
    html_page = page.read_text(encoding="utf-8").replace(
        "</main>", f"<div><p>{html.escape(body)}</p></div></main>", 1)
    (planted / "notebooks" / page.name).write_text(html_page, encoding="utf-8")
    notebook = {"cells": [{"cell_type": "markdown", "metadata": {}, "source": block.splitlines(True)}],
                "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    (planted / "leak.ipynb").write_text(json.dumps(notebook, indent=1), encoding="utf-8")
    found = leaks(site_texts(planted), [(what, runs, block)])
    assert any(f.endswith(f"notebooks/{page.name}") for f in found), found
    assert any(f.endswith("leak.ipynb") for f in found), found


def test_control_the_instructor_site_holds_every_solution():
    _require(INSTRUCTOR_SITE / "index.html", "instructor site", "make html")
    pages = {k: v for k, v in _site(INSTRUCTOR_SITE).items() if k.endswith(".html")}
    absent = missing(pages, solution_snippets())
    assert not absent, ("solutions the search cannot find even in the instructor site (the "
                        "student check would miss them too):\n" + "\n".join(absent))


def test_control_the_instructor_pdf_holds_every_solution():
    _require(INSTRUCTOR_PDF, "instructor PDF", "make pdf")
    absent = missing({"PDF": _pdf(INSTRUCTOR_PDF)}, solution_snippets())
    assert not absent, ("solutions the search cannot find even in the instructor PDF:\n"
                        + "\n".join(absent))
