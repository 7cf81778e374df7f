"""The book teaches: objectives, discussion questions, exercises, glossary and index, launch buttons.

On the sources (every chapter of _toc.yml):
- each chapter opens with "Learning objectives" (the first section after the title) and closes
  with "Discussion questions" (only "Exercises" may follow); together the questions take up the
  article's own debates;
- each computed chapter (a notebook) has at least two exercises, each a labelled `{exercise}`
  followed by its worked `{solution}`, folded away (`:class: dropdown`); ten or more in all;
- every exercise, in the chapters and in the maintainers' section of "How this edition was
  built", opens with its level and a time estimate (*Intermediate · about 20 minutes*); the
  students' chapters set no exercise about the edition's own tooling (tests, glue, schema,
  extensions), which belong to the maintainers' section;
- the prose chapters link glossary terms ({term}) and carry index entries ({index}).
On the built site (`make html`):
- notebook pages offer Binder and Colab buttons whose links are built from `repository.url`
  and `repository.branch` in _config.yml, and an .ipynb download that is a real notebook;
- the general index lists the entries.
"""
from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import urlparse

import pytest
import yaml

from built_book import ROOT, require_site

TOC = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))

# Reference matter, not chapters to be taught from: the front page, the article's reference list,
# the glossary and the colophon have no objectives, questions or exercises.
EXEMPT = {"book/index", "book/references", "book/glossary", "book/how-this-edition-was-built"}

FENCE = re.compile(r"^[ \t]*(`{3,}|:{3,})(.*)$")
HEADING = re.compile(r"^(#{1,6})[ \t]+(.+?)[ \t]*#*$")


def _chapters(entries):
    for entry in entries:
        if "file" in entry:
            yield entry["file"]
        yield from _chapters(entry.get("sections", []))


CHAPTERS = [doc for part in TOC["parts"] for doc in _chapters(part["chapters"])]
TAUGHT = [doc for doc in CHAPTERS if doc not in EXEMPT]
COMPUTED = [doc for doc in TAUGHT if doc.startswith("notebooks/")]
PROSE = [doc for doc in TAUGHT if doc.startswith("book/")]


def source(doc: str) -> str:
    return (ROOT / f"{doc}.md").read_text(encoding="utf-8")


def markdown_lines(text: str):
    """(line number, line) of the Markdown outside front matter, code cells and code blocks.

    Directive fences (`:::{note}`, ```` ```{admonition} ````) are entered, code is skipped.
    """
    lines = text.split("\n")
    i = 0
    if lines and lines[0].strip() == "---":
        i = lines.index("---", 1) + 1 if "---" in lines[1:] else 0
    code, entered = None, []
    for n in range(i, len(lines)):
        line = lines[n]
        f = FENCE.match(line)
        if code:
            if f and f.group(1)[0] == code[0] and len(f.group(1)) >= len(code) and not f.group(2).strip():
                code = None
            continue
        if f:
            fence, info = f.group(1), f.group(2).strip()
            if entered and not info and fence[0] == entered[-1][0] and len(fence) >= len(entered[-1]):
                entered.pop()            # the end of a directive
            elif fence[0] == "`" and not re.match(r"\{(?!code-cell\}|code-block\}|code\}|raw\})", info):
                code = fence             # a code block or code cell: skip its content
            else:
                entered.append(fence)    # a directive: its content is Markdown
            yield n + 1, line
            continue
        yield n + 1, line


def headings(text: str) -> list[tuple[int, int, str]]:
    """(line, level, title) of every Markdown heading outside code."""
    found = []
    for n, line in markdown_lines(text):
        m = HEADING.match(line)
        if m:
            found.append((n, len(m.group(1)), m.group(2).strip()))
    return found


def section(text: str, title: str) -> str:
    """The text of the level-2 section with this title, up to the next heading of level <= 2."""
    lines = text.split("\n")
    hs = headings(text)
    for k, (n, level, t) in enumerate(hs):
        if level == 2 and t == title:
            stop = next((m for m, lv, _ in hs[k + 1:] if lv <= 2), len(lines) + 1)
            return "\n".join(lines[n:stop - 1])
    return ""


def list_items(text: str) -> int:
    return len(re.findall(r"^(?:[-*+]|\d+\.)[ \t]+\S", text, re.M))


# --------------------------------------------------------------------------------------------
# Objectives and questions
# --------------------------------------------------------------------------------------------

def test_every_toc_chapter_is_checked():
    assert len(TAUGHT) >= 14, TAUGHT
    assert set(CHAPTERS) - set(TAUGHT) <= EXEMPT


@pytest.mark.parametrize("doc", TAUGHT)
def test_chapter_opens_with_learning_objectives(doc):
    hs = headings(source(doc))
    titles = [(level, t) for _, level, t in hs]
    assert titles and titles[0][0] == 1, f"{doc}: no title"
    assert len(titles) > 1 and titles[1] == (2, "Learning objectives"), (
        f"{doc}: the first section after the title is {titles[1:2]}, not 'Learning objectives'")
    assert list_items(section(source(doc), "Learning objectives")) >= 2, (
        f"{doc}: 'Learning objectives' should be a list of at least two objectives")


@pytest.mark.parametrize("doc", TAUGHT)
def test_chapter_closes_with_discussion_questions(doc):
    text = source(doc)
    sections = [t for _, level, t in headings(text) if level == 2]
    assert "Discussion questions" in sections, f"{doc}: no 'Discussion questions' section"
    after = sections[sections.index("Discussion questions") + 1:]
    assert set(after) <= {"Exercises"}, (
        f"{doc}: 'Discussion questions' should close the chapter (only 'Exercises' may follow), "
        f"but {after} follow it")
    assert list_items(section(text, "Discussion questions")) >= 2, f"{doc}: fewer than two questions"


# The article's own debates, each recognised by words a question about it would use.
DEBATES = {
    "co-optation or partnership": r"co-?opt|partner",
    "which way the civil society-democracy link runs": (
        r"which way|direction|cause|make[s]? (?:civil society|democracy) work|"
        r"democratisation (?:have to )?come first|does a strong civil society"),
    "Western definitions and post-Soviet context": r"western|post-soviet|soviet|po-russki|liberal",
    "what counts as an NGO": r"count(?:s|ed)? as (?:an )?ngo|state-(?:created|sponsored|led|organised)|"
                             r"gongo|founded or funded by the state|under the definition|what is an ngo",
}


def test_discussion_questions_take_up_the_articles_debates():
    questions = {doc: section(source(doc), "Discussion questions").lower() for doc in TAUGHT}
    thin = {}
    for debate, pattern in DEBATES.items():
        chapters = [doc for doc, text in questions.items() if re.search(pattern, text)]
        if len(chapters) < 3:
            thin[debate] = chapters
    assert not thin, f"debates taken up by fewer than three chapters' questions: {thin}"


# --------------------------------------------------------------------------------------------
# Exercises
# --------------------------------------------------------------------------------------------

DIRECTIVE = re.compile(r"^[ \t]*(`{3,}|:{3,})\{(exercise|solution)\}[ \t]*(\S*)[ \t]*$")


def exercises(text: str) -> list[dict]:
    """Each exercise with its options and the solution directive that follows it."""
    lines = text.split("\n")
    found, current = [], None
    for n, line in markdown_lines(text):
        m = DIRECTIVE.match(line)
        if not m:
            continue
        options = {}
        for following in lines[n:]:
            o = re.match(r"^[ \t]*:([\w-]+):[ \t]*(.*)$", following)
            if not o:
                break
            options[o.group(1)] = o.group(2).strip()
        if m.group(2) == "exercise":
            current = {"line": n, "label": options.get("label"), "solution": None}
            found.append(current)
        elif current is not None and current["solution"] is None:
            current["solution"] = {"line": n, "target": m.group(3), "class": options.get("class", "")}
    return found


EXERCISES = {doc: exercises(source(doc)) for doc in COMPUTED}


@pytest.mark.parametrize("doc", COMPUTED)
def test_computed_chapter_has_exercises_with_solutions(doc):
    found = EXERCISES[doc]
    assert len(found) >= 2, f"{doc}: {len(found)} exercises, at least two expected"
    assert "Exercises" in [t for _, level, t in headings(source(doc)) if level == 2], (
        f"{doc}: exercises belong under an 'Exercises' heading")
    for ex in found:
        where = f"{doc}.md:{ex['line']}"
        assert ex["label"], f"{where}: exercise without :label:"
        sol = ex["solution"]
        assert sol, f"{where}: exercise {ex['label']} has no worked solution"
        assert sol["target"] == ex["label"], (
            f"{doc}.md:{sol['line']}: solution for {sol['target']!r} follows exercise {ex['label']!r}")
        assert "dropdown" in sol["class"].split(), (
            f"{doc}.md:{sol['line']}: solution to {ex['label']} is not folded (`:class: dropdown`)")


LEVEL = re.compile(r"^\*(Introductory|Intermediate|Advanced) · about (\d+) minutes\*$")
HANDBOOK = "book/how-this-edition-was-built"
TOOLING = re.compile(r"tests?/|_ext/|tools/|\bglue|\bschema|test suite|\bnbval\b|\bSphinx\b")


def exercise_bodies(doc: str) -> list[tuple[int, str, list[str]]]:
    """(line, label, body lines) of each exercise: the lines after its options, to its fence."""
    lines = source(doc).split("\n")
    found = []
    for ex in exercises(source(doc)):
        fence = DIRECTIVE.match(lines[ex["line"] - 1]).group(1)
        body, i = [], ex["line"]
        while re.match(r"^[ \t]*:[\w-]+:", lines[i]):
            i += 1
        while lines[i].strip() != fence:
            body.append(lines[i])
            i += 1
        found.append((ex["line"], ex["label"], [b for b in body if b.strip()]))
    return found


@pytest.mark.parametrize("doc", COMPUTED + [HANDBOOK])
def test_every_exercise_gives_its_level_and_time(doc):
    for line, label, body in exercise_bodies(doc):
        m = LEVEL.match(body[0]) if body else None
        assert m, (f"{doc}.md:{line}: exercise {label} should open with its level and time, "
                   f"e.g. '*Intermediate · about 20 minutes*'; found {body[:1]}")
        assert 5 <= int(m.group(2)) <= 90, f"{doc}.md:{line}: {m.group(2)} minutes"


def test_tooling_exercises_are_for_maintainers_only():
    assert len(exercises(source(HANDBOOK))) >= 2, "the maintainers' exercises have gone"
    for doc in TAUGHT:
        for line, label, body in exercise_bodies(doc):
            text = re.sub(r"\{[\w:-]+\}`[^`]*`", "", " ".join(body))  # roles pasting values
            hit = TOOLING.search(text)
            assert not hit, (f"{doc}.md:{line}: exercise {label} is about the edition's tooling "
                             f"({hit.group(0)!r}); it belongs in {HANDBOOK}.md")


def test_ten_or_more_exercises_with_unique_labels():
    labels = [ex["label"] for found in EXERCISES.values() for ex in found]
    assert len(labels) >= 10, {doc: len(found) for doc, found in EXERCISES.items()}
    assert len(labels) == len(set(labels)), "exercise labels repeat"


# --------------------------------------------------------------------------------------------
# Glossary links and index entries
# --------------------------------------------------------------------------------------------

TERM = re.compile(r"\{term\}`([^`]+)`")


def _glossary_terms() -> set[str]:
    text = (ROOT / "book" / "glossary.md").read_text(encoding="utf-8")
    body = re.search(r"```\{glossary\}\n(.*?)\n```", text, re.S).group(1)
    return {line.strip() for line in body.split("\n")
            if line.strip() and not line.startswith((" ", "\t", ":"))}


@pytest.mark.parametrize("doc", PROSE)
def test_prose_chapter_links_glossary_terms_once(doc):
    targets = [re.sub(r"^.*<([^>]+)>$", r"\1", t).strip() for t in TERM.findall(source(doc))]
    assert len(targets) >= 3, f"{doc}: only {len(targets)} glossary links"
    repeated = {t for t in targets if targets.count(t) > 1}
    assert not repeated, f"{doc}: terms linked more than once (link the first use only): {repeated}"
    unknown = set(targets) - _glossary_terms()
    assert not unknown, f"{doc}: not in the glossary: {unknown}"


INDEX = re.compile(r"\{index\}`[^`]+`|^[ \t]*(?:`{3,}|:{3,})\{index\}", re.M)


@pytest.mark.parametrize("doc", PROSE)
def test_prose_chapter_has_index_entries(doc):
    assert len(INDEX.findall(source(doc))) >= 3, f"{doc}: fewer than three index entries"


def test_general_index_is_populated():
    page = require_site() / "genindex.html"
    entries = re.findall(r'<li><a href="[^"]+#index-\d+', page.read_text(encoding="utf-8"))
    entries += re.findall(r'<a href="[^"]+#index-\d+">', page.read_text(encoding="utf-8"))
    assert len(entries) >= 40, f"the general index has only {len(entries)} entries"


# --------------------------------------------------------------------------------------------
# Launch buttons and notebook downloads
# --------------------------------------------------------------------------------------------

def _launch_expectations(page: str) -> dict[str, str]:
    """The Binder and Colab links for a notebook page, derived from _config.yml alone."""
    repo = CONFIG["repository"]
    launch = CONFIG.get("launch_buttons") or {}
    assert launch.get("binderhub_url") and launch.get("colab_url"), (
        "_config.yml: launch_buttons needs binderhub_url and colab_url")
    url = urlparse(repo["url"])
    assert url.netloc == "github.com", "Binder and Colab links need a GitHub repository.url"
    org_repo = url.path.strip("/")
    branch = repo.get("branch", "master")
    book = repo.get("path_to_book", "").strip("/")
    path = f"{book + '/' if book else ''}{page}.ipynb"
    ui = {"classic": "tree", "jupyterlab": "lab/tree"}[launch.get("notebook_interface", "classic")]
    return {
        "Binder": f"{launch['binderhub_url'].rstrip('/')}/v2/gh/{org_repo}/{branch}?urlpath={ui}/{path}",
        "Colab": f"{launch['colab_url'].rstrip('/')}/github/{org_repo}/blob/{branch}/{path}",
    }


def _hrefs(page: Path) -> list[str]:
    return re.findall(r'href="([^"]+)"', page.read_text(encoding="utf-8").replace("&amp;", "&"))


@pytest.mark.parametrize("doc", [d for d in CHAPTERS if d.startswith("notebooks/")])
def test_notebook_page_launch_buttons_come_from_repository_url(doc):
    assert (ROOT / f"{doc}.ipynb").exists(), f"{doc}.ipynb (the pair the buttons open) is missing"
    page = require_site() / f"{doc}.html"
    hrefs = _hrefs(page)
    for provider, expected in _launch_expectations(doc).items():
        assert expected in hrefs, f"{doc}: no {provider} link {expected}; links: " + ", ".join(
            h for h in hrefs if "binder" in h or "colab" in h)


@pytest.mark.parametrize("doc", [d for d in CHAPTERS if d.startswith("notebooks/")])
def test_notebook_page_offers_ipynb_download(doc):
    site = require_site()
    page = site / f"{doc}.html"
    link = f"../_sources/{doc}.ipynb"
    assert link in _hrefs(page), f"{doc}: no .ipynb download link"
    notebook = json.loads((site / "_sources" / f"{doc}.ipynb").read_text(encoding="utf-8"))
    kinds = {cell["cell_type"] for cell in notebook["cells"]}
    assert notebook["nbformat"] == 4 and "code" in kinds and "markdown" in kinds
    assert notebook["metadata"].get("kernelspec", {}).get("language") == "python"


def test_prose_pages_have_no_launch_buttons():
    site = require_site()
    for doc in PROSE:
        assert not [h for h in _hrefs(site / f"{doc}.html") if "mybinder" in h or "colab" in h], doc
