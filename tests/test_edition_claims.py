"""What the edition says about its own chapters must be true of them.

A sentence that sends the reader elsewhere ("see …", "… is followed up in …", "… follows …")
must point at a page and section that exist, and a claim that a chapter *follows* or *continues*
something must name only what that chapter has a section on. (A promise of this kind once said
that "A decade later" follows NGO rules and state funding beyond 2014; it follows three indices.)
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PAGES = sorted((ROOT / "book").glob("*.md")) + sorted((ROOT / "notebooks").glob("*.md"))
DOC = re.compile(r"\{doc\}`(?:[^`<]*<)?([^`>]+)>?`")
REF = re.compile(r"\{ref\}`(?:[^`<]*<)?([^`>]+)>?`")
LABEL = re.compile(r"^\(([\w-]+)\)=\s*$|^:name:\s*([\w-]+)\s*$", re.M)
# A claim that a page follows or continues a subject, and the sentence it stands in.
CLAIM = re.compile(r"\{doc\}`[^`]+`\s+(?:follows|continues|is followed up|takes up)\b[^.]*\.")
SUBJECTS = {  # subjects a claim may name, and the words a section heading on them would hold
    "Freedom House": ["Freedom House", "Nations in Transit"],
    "World Bank": ["World Bank", "Governance Indicators"],
    "Bertelsmann": ["Bertelsmann", "Transformation Index"],
    "rules": ["rules", "law", "legislation"],
    "funding": ["funding", "grant", "social contract"],
    "foreign": ["foreign"],
}


CODE = re.compile(r"^(`{3,})\{code-cell\}.*?^\1\s*$", re.M | re.S)


def _text(path: Path) -> str:
    """A page's prose: its code cells left out."""
    return CODE.sub("", path.read_text(encoding="utf-8"))


def _target(page: Path, target: str) -> Path:
    path = (page.parent / target).resolve() if not target.startswith("/") else ROOT / target[1:]
    return path.with_suffix(".md")


def _headings(path: Path) -> str:
    return "\n".join(line for line in _text(path).splitlines() if line.startswith("#"))


LABELS = {m.group(1) or m.group(2) for page in PAGES  # labels made in code cells too
          for m in LABEL.finditer(page.read_text(encoding="utf-8"))}


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_every_pointer_names_a_page_or_section_that_exists(page):
    text = _text(page)
    for target in DOC.findall(text):
        assert _target(page, target).exists(), f"{page.name} points at a missing page {target}"
    for label in REF.findall(text):
        assert label in LABELS, f"{page.name} points at a missing section {label!r}"


def _claims():
    for page in PAGES:
        for match in CLAIM.finditer(_text(page)):
            sentence = " ".join(match.group(0).split())
            # "It does not follow …" states what the chapter leaves out: not a claim.
            yield page, sentence.split(" It does not ")[0].split(" It does not")[0]


def test_there_are_claims_to_check():
    assert list(_claims()), "no 'follows/continues' claim found: the check below proves nothing"


@pytest.mark.parametrize("page, claim", list(_claims()),
                         ids=lambda x: x.name if isinstance(x, Path) else "")
def test_a_chapter_follows_only_what_it_has_a_section_on(page, claim):
    target = _target(page, DOC.search(claim).group(1))
    headings = _headings(target)
    for subject, words in SUBJECTS.items():
        if re.search(rf"\b{subject}", claim) and not re.search(r"\bnot\b", claim):
            assert any(w.lower() in headings.lower() for w in words), (
                f"{page.name} says {target.stem} follows '{subject}', but it has no section on it: "
                f"{claim}")


def test_the_decade_chapter_is_not_said_to_follow_ngo_rules():
    for page in ROOT.joinpath("book").glob("*.md"):
        text = " ".join(_text(page).split())
        assert "is followed up in" not in text, page.name
        for sentence in re.findall(r"[^.]*a-decade-later`[^.]*\.", text):
            if "does not" in sentence or "not follow" in sentence:
                continue
            assert not re.search(r"rules under which NGOs|state funding|foreign-fund", sentence), (
                page.name, sentence)
