"""Change one value in data/, rebuild: everything that depends on it changes, nothing else re-executes.

On a private copy of the book: a cold build, then one edited rating (Kazakhstan's civil society rating
in the 2013 edition of Nations in Transit), then an incremental rebuild. The rebuild must re-execute
exactly the notebooks that read nit_ratings, and the figure data, Table 1 and the sentences that paste
its numbers must change, on the notebook page and on the prose pages that paste from it. Editing a
prose chapter afterwards must execute no notebook.

The edit moves five of the article's printed values out of reach, and the reproduction report stops a
build in which a printed value silently stops reproducing (tests/test_bad_data.py shows that). So the
test does what a maintainer correcting a transcription must do: it declares the five differences in
data/datapackage.json (knownDifferences), before the cold build, so that the data edit is the only
change. The report then counts them as differing.
"""
import json
import re

import pandas as pd
import pytest

from built_book import html_text as page_text_of
from copy_of_book import build_html, copy_sources

# What the edit moves out of agreement with the article: Table 1's r (as printed and as quoted), the
# editions it spans (the article's window no longer gives its r) and Figure 3's "worsening" reading.
NOW_DIFFERING = ["table1_r", "table1_r_text", "table1_first_edition", "table1_last_edition",
                 "fig3_kaz_cs_worsening"]
EXECUTED = re.compile(r"notebooks/([\w-]+)\.md: Executing notebook")


def _readers_of(src, resource):
    return sorted(p.stem for p in (src / "notebooks").glob("*.md") if f'"{resource}"' in p.read_text())


@pytest.fixture(scope="module")
def rebuilt(tmp_path_factory):
    src = copy_sources(tmp_path_factory.mktemp("book"))
    logs = src.parent
    # Declared before the cold build: editing datapackage.json would re-execute every notebook
    # that reads data, and the rebuild is to re-execute only the readers of nit_ratings.
    descriptor = src / "data" / "datapackage.json"
    package = json.loads(descriptor.read_text())
    published = next(r for r in package["resources"] if r["name"] == "published_values")
    assert published["knownDifferences"] == []
    published["knownDifferences"] = NOW_DIFFERING
    descriptor.write_text(json.dumps(package, indent=2) + "\n")
    assert build_html(src, logs / "cold.log").returncode == 0, (logs / "cold.log").read_text()[-3000:]
    html = src / "_build" / "work" / "_build" / "html"
    before = {name: (html / name).read_text(encoding="utf-8") for name in
              ["notebooks/secondary-findings.html", "book/conclusions.html", "book/literature-review.html",
               "notebooks/reproduction-report.html"]}
    images_before = {p.name for p in (html / "_images").iterdir()}

    csv = src / "data" / "nit_ratings.csv"
    nit = pd.read_csv(csv, dtype=str, keep_default_na=False)
    row = (nit.country == "Kazakhstan") & (nit.edition == "2013") & (nit.indicator == "civil_society")
    assert row.sum() == 1 and nit.loc[row, "rating"].item() == "6.25"
    nit.loc[row, "rating"] = "5.25"  # improves on 2011 (5.75); no implausible jump
    nit.to_csv(csv, index=False, lineterminator="\n")

    result = build_html(src, logs / "data-edit.log")
    data_log = (logs / "data-edit.log").read_text()
    assert result.returncode == 0, data_log[-3000:]
    after = {name: (html / name).read_text(encoding="utf-8") for name in before}
    images_after = {p.name for p in (html / "_images").iterdir()}

    prose = src / "book" / "methodology.md"
    prose.write_text(prose.read_text() + "\nAn added sentence.\n")
    assert build_html(src, logs / "prose-edit.log").returncode == 0
    return dict(src=src, before=before, after=after, images_before=images_before,
                images_after=images_after, data_log=data_log,
                prose_log=(logs / "prose-edit.log").read_text())


def test_data_edit_reexecutes_exactly_the_notebooks_that_read_the_file(rebuilt):
    executed = sorted(set(EXECUTED.findall(rebuilt["data_log"])))
    assert executed == _readers_of(rebuilt["src"], "nit_ratings")
    assert "secondary-findings" in executed


def test_prose_edit_executes_no_notebook(rebuilt):
    assert EXECUTED.findall(rebuilt["prose_log"]) == []


def test_table_1_and_its_sentences_change_on_the_notebook_page(rebuilt):
    old = rebuilt["before"]["notebooks/secondary-findings.html"]
    new = rebuilt["after"]["notebooks/secondary-findings.html"]
    assert ".943**" in table_1(old) and ".943**" not in table_1(new)
    # The Figure 4 list no longer names Kazakhstan: its rating now improves from 2011 to 2013.
    fig4 = re.compile(r"Azerbaijan, Belarus, Kazakhstan and Tajikistan")
    assert fig4.search(page_text_of(old)) and not fig4.search(page_text_of(new))


def table_1(html):
    """The HTML of Table 1 (the SPSS-style correlation table)."""
    tables = [t for t in re.findall(r"<table.*?</table>", html, re.S) if "Pearson Correlation" in t]
    assert len(tables) == 1
    return tables[0]


def test_figure_data_change(rebuilt):
    # Figure images are content-addressed: a changed figure gets a new file.
    assert rebuilt["images_after"] - rebuilt["images_before"], "no figure changed"


def test_prose_pages_that_paste_the_numbers_change(rebuilt):
    for page in ["book/conclusions.html", "book/literature-review.html"]:
        old, new = page_text_of(rebuilt["before"][page]), page_text_of(rebuilt["after"][page])
        assert old != new, f"{page} did not change"
        assert ".943" in old and ".943" not in new, page


def test_the_reproduction_report_counts_the_declared_differences(rebuilt):
    old = page_text_of(rebuilt["before"]["notebooks/reproduction-report.html"])
    new = page_text_of(rebuilt["after"]["notebooks/reproduction-report.html"])
    assert "differs: 0;" in old
    assert f"differs: {len(NOW_DIFFERING)};" in new
