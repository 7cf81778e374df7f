"""The PDF edition: complete, typeset, searchable, with embedded fonts and no placeholders.

`make test` builds the PDF first (`make pdf`). Without TeX the PDF build is skipped (and so are these
tests, with the reason); under CI=true a missing PDF is a failure.
"""
import os
import re
import shutil
import subprocess

import pytest
from pypdf import PdfReader

from built_book import ARTICLE_CHAPTERS, ROOT, require_site

PDF = ROOT / "_build" / "pdf" / "ngos-in-kazakhstan.pdf"
LOG = PDF.with_suffix(".log")


@pytest.fixture(scope="module")
def pdf():
    if not PDF.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{PDF} is missing: `make pdf` must build it under CI")
        pytest.skip("no PDF: TeX is not installed here, so `make pdf` skipped it")
    return PdfReader(PDF)


@pytest.fixture(scope="module")
def text(pdf):
    if shutil.which("pdftotext"):
        out = subprocess.run(["pdftotext", "-layout", str(PDF), "-"], capture_output=True, text=True, check=True)
        return out.stdout
    return "\n".join(page.extract_text() for page in pdf.pages)


def test_metadata(pdf):
    meta = pdf.metadata
    assert "NGOs in Kazakhstan" in meta.title
    assert "Knox" in meta.author and "Yessimova" in meta.author
    assert "Journal of Civil Society" in (meta.subject or "")


def test_bookmarks_for_every_chapter(pdf):
    def titles(outline):
        for item in outline:
            if isinstance(item, list):
                yield from titles(item)
            else:
                yield item.title
    bookmarks = list(titles(pdf.outline))
    for _, title in ARTICLE_CHAPTERS:
        wanted = "Bibliography" if title == "References" else title
        assert any(wanted.lower() in b.lower() for b in bookmarks), f"no bookmark for {title!r}: {bookmarks}"
    for title in ["Data and sources", "Reproduction report", "Re-examining the evidence", "A decade later", "Glossary"]:
        assert any(title.lower() in b.lower() for b in bookmarks), f"no bookmark for {title!r}"


def test_all_fonts_embedded():
    if not shutil.which("pdffonts"):
        pytest.skip("pdffonts (poppler-utils) not installed")
    out = subprocess.run(["pdffonts", str(PDF)], capture_output=True, text=True, check=True).stdout
    rows = out.splitlines()[2:]
    assert rows, "no fonts listed"
    not_embedded = [r for r in rows if r.split()[-5] != "yes"]
    assert not not_embedded, "fonts not embedded:\n" + "\n".join(not_embedded)


def test_article_figures_and_tables_keep_their_numbers(text):
    for n in range(1, 7):
        assert re.search(rf"Figure {n}: ", text), f"Figure {n} caption missing"
    for n in (1, 2):
        assert re.search(rf"Table {n}: ", text), f"Table {n} caption missing"
    # Sphinx's own numbering must not precede the article's ("Fig. 3 Figure 1:").
    assert not re.search(r"(Fig\.|Figure|Table) [\d.]+:? ?(Figure|Table) \w+:", text)


def test_cyrillic_names_are_text(text):
    assert "Гражданский Форум" in text.replace("\n", " ") or "Гражданский" in text
    assert "Экспертные советы" in text.replace("\n", " ")


def test_glued_numbers_and_no_placeholders(text):
    assert ".943" in text
    for marker in ["??", "<Figure size", "Styler at 0x", "IPython.core.display", "TODO", "being written"]:
        assert marker not in text, f"{marker!r} in the PDF"


def test_latex_log_has_no_undefined_references():
    if not LOG.exists():
        pytest.skip("no LaTeX log")
    log = LOG.read_text(encoding="utf-8", errors="replace")
    assert not re.search(r"(Reference|Citation) .* undefined", log), "undefined reference in the LaTeX log"
    assert "There were undefined references" not in log


def test_figures_are_vector_or_high_resolution():
    if not shutil.which("pdfimages"):
        pytest.skip("pdfimages (poppler-utils) not installed")
    out = subprocess.run(["pdfimages", "-list", str(PDF)], capture_output=True, text=True, check=True).stdout
    low = [row for row in out.splitlines()[2:] if row.split() and min(int(row.split()[-4]), int(row.split()[-3])) < 300]
    assert not low, "raster images under 300 ppi:\n" + "\n".join(low)


def test_site_links_to_the_pdf():
    site = require_site()
    index = (site / "book" / "index.html").read_text(encoding="utf-8")
    link = re.search(r'href="([^"]*ngos-in-kazakhstan\.pdf)"', index)
    assert link, "the front page has no 'Download the PDF' link"
    if PDF.exists():
        assert (site / "book" / link.group(1)).resolve().exists(), "the PDF link is broken in the built site"


READING = ROOT / "_build" / "pdf" / "ngos-in-kazakhstan-reading.pdf"


def _pdf_text(path):
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                         check=True)
    return out.stdout


def test_reading_edition_leaves_the_code_out_and_says_where_it_is(pdf, text):
    """The reading edition (_ext/code_view.py): the same book without cell sources."""
    assert READING.exists(), "make pdf builds the reading edition beside the full one"
    reading = _pdf_text(READING)
    code = ["from data_package import load", 'load("wgi")']
    for line in code:
        assert line in text, f"the full edition should show the code ({line!r})"
        assert line not in reading, f"the reading edition shows code: {line!r}"
    assert "This is the reading edition" in reading and "Replication map" in reading
    # Figures, tables and glued numbers are all still there.
    for caption in ["Figure 1: Voice and Accountability", "Table 1: Correlation", "Table 2"]:
        assert caption in " ".join(reading.split()), caption
    assert len(PdfReader(READING).pages) < len(pdf.pages)


def test_title_page_has_the_whole_author_line_and_the_editions_date(pdf):
    """The title page names every author in full and dates the edition by CITATION.cff, not by the
    build (whose clock tools/build.sh fixes at 1 January 2015 for repeatable builds)."""
    import datetime

    import yaml

    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    released = cff["date-released"]
    if isinstance(released, str):
        released = datetime.date.fromisoformat(released)
    if shutil.which("pdftotext"):
        first = subprocess.run(["pdftotext", "-l", "1", str(PDF), "-"], capture_output=True,
                               text=True, check=True).stdout
    else:
        first = pdf.pages[0].extract_text()
    first = " ".join(first.split())
    assert "The editors of the executable edition" in first
    assert "after Colin Knox and Sholpan Yessimova (2015)" in first, first
    assert f"Version {cff['version']}, {released.day} {released:%B %Y}" in first, first
    assert "2015" not in first.replace("(2015)", ""), "the title page is dated by the build clock"


ANSWER_KEY = ROOT / "_build" / "pdf" / "ngos-in-kazakhstan-answer-key.pdf"


def _exercise_count():
    """Exercises in the book's sources: each `{exercise}` directive has one `{solution}`."""
    sources = sorted((ROOT / "book").glob("*.md")) + sorted((ROOT / "notebooks").glob("*.md"))
    text = "".join(p.read_text(encoding="utf-8") for p in sources)
    exercises = len(re.findall(r"^[`:]{3,}\{exercise\}", text, re.M))
    solutions = len(re.findall(r"^[`:]{3,}\{solution\}", text, re.M))
    return exercises, solutions


def test_answer_key_holds_every_exercise_with_its_solution(pdf):
    """tools/answer_key.py: the instructor's key, a separate PDF beside the two editions."""
    assert ANSWER_KEY.exists(), "make pdf builds the answer key beside the two editions"
    exercises, solutions = _exercise_count()
    assert exercises == solutions > 10
    key = " ".join(_pdf_text(ANSWER_KEY).split())
    for n in range(1, exercises + 1):
        assert f"Exercise {n}" in key, f"the answer key has no Exercise {n}"
        assert f"Solution to Exercise {n}" in key, f"the answer key has no solution to Exercise {n}"
    assert f"Exercise {exercises + 1}" not in key
    assert "answer key" in " ".join(_pdf_text(ANSWER_KEY).split()[:40])
    # The key is short: exercises and solutions, not the book again.
    assert len(PdfReader(ANSWER_KEY).pages) < len(pdf.pages) / 3
