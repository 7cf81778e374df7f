"""The reproduction report: every printed number is covered, the claimed ones reproduce, and the
checks can fail.

The chapter "Reproduction report" imports its recomputation from ``notebooks/reproduction.py``.
These tests load that module afresh (by its path, as the notebook imports it from beside itself)
and run the report on the real ``data/`` and on damaged copies of it. The lists of
rows the book claims as reproduced are this file's own expectation, written out by hand, not
copied from the notebook's output: if a status changes, a test here fails and someone has to
look.
"""
from __future__ import annotations

import csv
import importlib.util
import json
import math
import shutil
from pathlib import Path

import pandas as pd
import pytest
from frictionless import Package

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
MODULE = ROOT / "notebooks" / "reproduction.py"

# What the book claims. Reproduced: recomputed within tolerance from data read from the publishers.
REPRODUCED = [
    "table1_r", "table1_r_text", "table1_n", "table1_p", "table1_first_edition", "table1_last_edition",
    "table1_countries",
    "kaz_va_rank_2012", "kaz_va_rank_2012_better", "wgi_first_year", "wgi_last_year",
    "fig2_va_trend_kaz", "fig2_pv_trend_kaz",
    "nit_scale_min", "nit_scale_max", "fig3_first_edition", "fig3_kaz_cs_worsening",
    "fig5_democracy_deterioration",
    "usaid_central_asia_countries", "usaid_dimensions", "usaid_scale_min", "usaid_scale_max",
    "table2_traditions_2006", "table2_traditions_2008", "table2_traditions_2010", "table2_traditions_2012",
    "table2_participation_2006", "table2_participation_2008", "table2_participation_2010",
    "table2_participation_2012", "bti_scale_min", "bti_scale_max",
]
# Agreeing, but with data that were transcribed from the article itself (a circular check).
ARTICLE_ONLY = [
    "usaid_kaz_2012", "usaid_central_asia_2012", "usaid_kgz_2012",
    "civicus_civic_engagement", "civicus_level_of_organisation", "civicus_practice_of_values",
    "civicus_perception_of_impact", "civicus_external_environment", "civicus_dimensions",
    "sector_environment", "sector_children_and_young_people", "sector_women", "sector_medical",
    "sector_culture_arts_science_and_education", "sector_human_rights", "sector_social_welfare",
    "sector_community_initiatives", "sector_disability_and_rehabilitation_of_children",
    "sector_miscellaneous", "sector_share_total", "methodology_sectors",
]
NOT_CHECKABLE = ["wgi_economies", "nit_countries", "fig4_worsening_countries",
                 "usaid_best_central_asia_2012", "bti_countries"]


def definitions() -> dict:
    """Load notebooks/reproduction.py as a fresh module and return its namespace."""
    spec = importlib.util.spec_from_file_location("reproduction_report_definitions", MODULE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return vars(module)


def read_package(ns: dict, data_dir: Path):
    """Every resource of the data package in data_dir, as the notebook reads it (without validation)."""
    descriptor_path = data_dir / "datapackage.json"
    package = Package(str(descriptor_path))
    tables = {r.name: r.to_pandas().reset_index() for r in package.resources}
    return ns["make_data"](tables, json.loads(descriptor_path.read_text(encoding="utf-8")))


def damaged_copy(tmp_path: Path, file: str, match: dict, column: str, value: str) -> Path:
    """A copy of data/ in which the one row of `file` matching `match` has `column` set to `value`."""
    copy = tmp_path / "data"
    shutil.copytree(DATA, copy)
    path = copy / file
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        fields, rows = reader.fieldnames, list(reader)
    hits = [row for row in rows if all(row[k] == v for k, v in match.items())]
    assert len(hits) == 1, f"{file}: {len(hits)} rows match {match}"
    hits[0][column] = value
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return copy


@pytest.fixture(scope="module")
def ns():
    return definitions()


@pytest.fixture(scope="module")
def real(ns):
    return read_package(ns, DATA)


@pytest.fixture(scope="module")
def report(ns, real):
    return ns["reproduction_report"](real).set_index("id")


# --- On the real data ----------------------------------------------------------------------------
def test_every_published_value_is_covered(ns, real, report):
    published = real.tables["published_values"]
    assert list(report.index) == list(published["id"]), "one report line per published value, in order"
    for _, row in published.iterrows():
        assert row["id"] in ns["CHECKS"] or row["check_type"] == "not_checkable", row["id"]
    assert set(report["status"]) <= {"reproduced", "article only", "differs", "not checkable"}
    # The three lists above together name every published value exactly once.
    claimed = REPRODUCED + ARTICLE_ONLY + NOT_CHECKABLE
    assert len(claimed) == len(set(claimed))
    assert set(claimed) == set(published["id"]), (
        f"unclassified: {sorted(set(published['id']) - set(claimed))}; "
        f"no longer published: {sorted(set(claimed) - set(published['id']))}")


@pytest.mark.parametrize("id_", REPRODUCED)
def test_claimed_values_are_reproduced_within_tolerance(ns, real, report, id_):
    row = real.tables["published_values"].set_index("id").loc[id_]
    result = ns["CHECKS"][id_].compute(real)
    if row["check_type"] == "numeric":
        assert abs(float(result.value) - float(row["value"])) <= float(row["tolerance"]) + 1e-9, (
            f"{id_}: recomputed {result.value}, printed {row['printed']!r} ± {row['tolerance']}")
    else:
        assert row["check_type"] == "list"
        assert result.value, f"{id_}: empty list recomputed"
    assert not (result.basis["verification"] == "article_only").any(), f"{id_} rests on article-only data"
    assert report.loc[id_, "status"] == "reproduced"


@pytest.mark.parametrize("id_", ARTICLE_ONLY)
def test_article_only_values_are_not_called_reproduced(report, id_):
    assert report.loc[id_, "status"] == "article only"


def test_nothing_differs_and_unchecked_rows_say_why(report):
    assert sorted(report.index[report["status"] == "differs"]) == []
    unchecked = report[report["status"] == "not checkable"]
    assert sorted(unchecked.index) == sorted(NOT_CHECKABLE)
    assert unchecked["comment"].str.len().gt(20).all(), "every unchecked row needs a reason"


# --- The checks can fail -------------------------------------------------------------------------
def test_a_changed_rating_breaks_table1(ns, tmp_path):
    """Kazakhstan's 2012 civil society rating 6.00 -> 4.00 (still a valid rating)."""
    copy = damaged_copy(tmp_path, "nit_ratings.csv",
                        {"country": "Kazakhstan", "edition": "2012", "indicator": "civil_society"},
                        "rating", "4.0")
    report = ns["reproduction_report"](read_package(ns, copy)).set_index("id")
    assert report.loc["table1_r", "status"] == "differs"
    assert report.loc["table1_n", "status"] == "reproduced"  # the count does not depend on the value


def test_a_changed_transcription_is_caught(ns, tmp_path):
    """An article-only value that no longer matches the article is a difference, not a match."""
    copy = damaged_copy(tmp_path, "civicus_csi.csv", {"dimension": "civic_engagement"}, "score", "49.6")
    report = ns["reproduction_report"](read_package(ns, copy)).set_index("id")
    assert report.loc["civicus_civic_engagement", "status"] == "differs"


def test_a_published_value_without_a_check_stops_the_report(ns, real):
    published = real.tables["published_values"]
    extra = published.iloc[[0]].assign(id="an_unchecked_number", check_type="numeric")
    data = real._replace(tables={**real.tables, "published_values": pd.concat([published, extra])})
    with pytest.raises(KeyError, match="an_unchecked_number"):
        ns["reproduction_report"](data)


def test_a_check_for_an_unknown_value_stops_the_report(ns, real):
    checks = {**ns["CHECKS"], "no_such_value": ns["CHECKS"]["table1_r"]}
    with pytest.raises(KeyError, match="no_such_value"):
        ns["reproduction_report"](real, checks)


# --- Functions on tiny hand-made data ------------------------------------------------------------
def tiny(ns, nit_rows):
    """Two countries ranked in the WGI for 2012 (2014 update) and the given NIT rows."""
    wgi = pd.DataFrame({"country": ["A", "B"], "indicator": "VA", "year": 2012, "release": 2014,
                        "estimate": [0.0, 0.1], "percentile_rank": [40.0, 60.0],
                        "verification": "publisher"})
    nit = pd.DataFrame(nit_rows, columns=["country", "edition", "indicator", "rating"]).assign(
        scale="1_most_democratic", verification="publisher")
    return ns["make_data"]({"wgi": wgi, "nit_ratings": nit}, {"resources": []})


def test_table1_stats_by_hand(ns):
    # Democracy scores 1, 2, 3, 4 and civil society ratings 1, 3, 2, 4. Deviations from the mean
    # (2.5): (-1.5, -0.5, 0.5, 1.5) and (-1.5, 0.5, -0.5, 1.5); cross-products sum to 4, squares
    # to 5 each, so r = 4 / 5 = 0.8. Country C is not in Figure 1 and must be left out.
    rows = []
    for (country, edition), (ds, cs) in zip([("A", 2004), ("A", 2005), ("B", 2004), ("B", 2005)],
                                            [(1, 1), (2, 3), (3, 2), (4, 4)]):
        rows += [(country, edition, "democracy_score", ds), (country, edition, "civil_society", cs)]
    rows += [("C", 2004, "democracy_score", 7.0), ("C", 2004, "civil_society", 1.0)]
    r, p, n, countries = ns["table1_stats"](tiny(ns, rows), 2004, 2005)
    assert math.isclose(r, 0.8)
    assert n == 4
    assert countries == ["A", "B"]
    assert 0 < p < 1


def test_worsened_end_points_and_each_year_by_hand(ns):
    series = {"X": [5.0, 5.25, 5.5],    # worse at the end and in each step
              "Y": [5.0, 5.0, 5.25],    # worse at the end, flat in the first step
              "Z": [5.0, 5.25, 5.0],    # back where it started
              "W": [5.0, 4.75, 5.25]}   # better, then worse: worse at the end only
    rows = [(c, e, "civil_society", v) for c, values in series.items()
            for e, v in zip([2011, 2012, 2013], values)]
    data = tiny(ns, rows)
    assert ns["worsened"](data) == ["W", "X", "Y"]
    assert ns["worsened"](data, rule="each year") == ["X"]


def test_names_in_reads_a_printed_list(ns):
    known = {"Azerbaijan", "Russia", "Tajikistan", "Turkmenistan"}
    # A missing comma does not hide a name; a name the data do not know is kept as unknown.
    assert ns["names_in"]("Azerbaijan, Russia, Tajikistan Turkmenistan and Atlantis", known) == [
        "Azerbaijan", "Russia", "Tajikistan", "Turkmenistan", "Atlantis"]
    assert ns["names_in"]("environment; culture, arts and science, and women",
                          {"environment", "culture, arts and science", "women"}) == [
        "culture, arts and science", "environment", "women"]


def test_the_chapter_uses_this_module():
    """The chapter imports the checks tested here and keeps no copy of its own."""
    source = (ROOT / "notebooks" / "reproduction-report.md").read_text(encoding="utf-8")
    assert "from reproduction import" in source
    for text in ("def check_row", "def reproduction_report", "CHECKS = {"):
        assert text not in source, f"reproduction-report.md has its own {text!r}"
