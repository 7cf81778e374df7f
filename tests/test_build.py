"""The build really happened: every section has a page, citations resolve, nothing is left unfinished."""
import json
import re

import pytest
import yaml

from built_book import ARTICLE_CHAPTERS, ROOT, WORK, page_text, require_site, site_pages

PLACEHOLDERS = ["??", "TODO", "<Figure size", "Styler at 0x", "IPython.core.display", "being written",
                "placeholder", "Traceback (most recent call last)"]


def test_toc_follows_the_article():
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    article, edition = toc["parts"]
    assert [c["file"] for c in article["chapters"]] == [doc for doc, _ in ARTICLE_CHAPTERS]
    assert edition["caption"] == "This edition"
    assert len(edition["chapters"]) >= 5


@pytest.mark.parametrize("doc,title", ARTICLE_CHAPTERS)
def test_every_section_has_a_page(doc, title):
    page = require_site() / f"{doc}.html"
    assert page.exists(), f"no page for {doc}"
    headings = re.findall(r"<h1>([^<]*)<a class=\"headerlink\"", page.read_text(encoding="utf-8"), re.S)
    assert [re.sub(r"<[^>]+>", "", h).strip() for h in headings] == [title]


def test_references_page_lists_every_bib_entry():
    bib = (ROOT / "book" / "references.bib").read_text(encoding="utf-8")
    keys = re.findall(r"^@\w+\{([^,\s]+),", bib, re.M)
    assert len(keys) >= 75, f"only {len(keys)} entries in references.bib"
    html = (require_site() / "book" / "references.html").read_text(encoding="utf-8")
    entries = re.findall(r'<div class="citation" id="([^"]+)" role="(?:doc-biblioentry|listitem)">', html)
    assert len(entries) == len(keys), f"{len(entries)} entries rendered for {len(keys)} .bib entries"


def test_no_page_holds_an_unresolved_reference_or_placeholder():
    problems = []
    for page in site_pages():
        text = page_text(page)
        for marker in PLACEHOLDERS:
            if marker in text:
                problems.append(f"{page.relative_to(require_site())}: {marker!r}")
        raw = page.read_text(encoding="utf-8")
        if 'class="xref std std-ref"' in raw and "pending_xref" in raw:
            problems.append(f"{page.name}: unresolved cross-reference")
    assert not problems, "\n".join(problems)


def test_executed_notebooks_hold_no_error_output():
    executed = sorted((WORK / "jupyter_execute").rglob("*.ipynb"))
    assert executed, "no executed notebooks found: run `make html`"
    problems = []
    for path in executed:
        for i, cell in enumerate(json.loads(path.read_text(encoding="utf-8"))["cells"]):
            for out in cell.get("outputs", []):
                if out["output_type"] == "error":
                    problems.append(f"{path.name} cell {i}: {out['ename']}: {out['evalue']}")
                elif out["output_type"] == "stream" and out["name"] == "stderr":
                    problems.append(f"{path.name} cell {i}: stderr: {''.join(out['text'])[:200]}")
    assert not problems, "\n".join(problems)


def test_maths_is_mathml_written_at_build_time():
    """Every formula of the re-analysis is MathML in the page (no MathJax, no raw LaTeX left)."""
    html = (require_site() / "notebooks" / "re-examining-the-evidence.html").read_text(encoding="utf-8")
    formulas = re.findall(r"<math [^>]*display=\"(inline|block)\"", html)
    assert formulas.count("block") >= 1 and formulas.count("inline") >= 20, formulas
    assert not re.search(r"<script[^>]*mathjax", html, re.I), "the page still loads MathJax"
    assert "math-error" not in html and "\\frac" not in html, "a formula was not converted"
    assert "<mfrac>" in html  # the part-whole formula: (k·DS - CS)/(k - 1)


def test_search_index_finds_index_entries_of_every_page_that_has_them():
    """The site's search offers the glossary terms and the index entries of every prose page that
    has ``{index}`` directives (a rebuild once dropped those of the pages it did not rewrite)."""
    text = (require_site() / "searchindex.js").read_text(encoding="utf-8")
    index = json.loads(text[text.index("(") + 1 : text.rindex(")")])
    pages = {index["docnames"][doc] for places in index["indexentries"].values() for doc, _, _ in places}
    sources = {f"book/{path.stem}": path.read_text(encoding="utf-8") for path in (ROOT / "book").glob("*.md")}
    expected = {doc for doc, text in sources.items() if "{index}" in text or "```{glossary}" in text}
    assert expected and pages >= expected, f"no index entries in the search index for {sorted(expected - pages)}"
