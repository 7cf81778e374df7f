"""Damaged data: each case is tried on a temporary copy of data/ with the notebooks' own loader
(notebooks/data_package.py) and its command line, which tools/build.sh runs before every build.

A damaged file is either accepted with output identical to the shipped file's (where the change
is legitimate: a byte-order mark, CRLF line endings, rows in another order, spaces around a
number) or refused with ONE line naming file, row (as a spreadsheet numbers it: the header is
row 1), column, the value found and what was expected. The exact line is asserted, so a test
fails if the message loses any of these. data/README.md ("What the data are checked for") lists
the checks.
"""
from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
sys.path.insert(0, str(ROOT / "notebooks"))
import data_package  # noqa: E402

NAMES = [r["name"] for r in json.loads((DATA / "datapackage.json").read_text())["resources"]]


@pytest.fixture
def data_copy(tmp_path):
    target = tmp_path / "data"
    shutil.copytree(DATA, target)
    data_package.open_package.cache_clear()
    yield target
    data_package.open_package.cache_clear()


def rewrite(path, change):
    """Let ``change`` edit the file's list of rows (header first), then write it back."""
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(change(rows))
    path.write_text(out.getvalue(), encoding="utf-8")


def set_cell(path, row, column, value):
    """Set one cell; ``row`` counts the header as row 1."""
    def change(rows):
        rows[row - 1][rows[0].index(column)] = value
        return rows
    rewrite(path, change)


def row_of(path, **match):
    """The spreadsheet row number of the first row whose cells equal ``match``."""
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
    return next(i for i, r in enumerate(rows, 2) if all(r[k] == v for k, v in match.items()))


def error_of(copy):
    """The one-line message of the first table the loader refuses."""
    with pytest.raises(data_package.DataError) as info:
        data_package.check(str(copy / "datapackage.json"))
    message = str(info.value)
    assert "\n" not in message
    return message


def tables(copy):
    where = str(copy / "datapackage.json")
    return {name: data_package.load(name, where) for name in NAMES}


SHIPPED = None


def shipped():
    global SHIPPED
    if SHIPPED is None:
        SHIPPED = tables(DATA)
    return SHIPPED


# --------------------------------------------------------------------------------------------
# Legitimate changes: accepted, and the tables the notebooks get are identical.

def _bom(copy):
    for path in copy.glob("*.csv"):
        path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())


def _crlf(copy):
    for path in copy.glob("*.csv"):
        path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))


def _reversed_rows(copy):
    for path in copy.glob("*.csv"):
        rewrite(path, lambda rows: rows[:1] + rows[:0:-1])


def _spaces_around_numbers(copy):
    path = copy / "nit_ratings.csv"
    rewrite(path, lambda rows: rows[:1] + [r[:3] + [f" {r[3]} "] + r[4:] for r in rows[1:]])


@pytest.mark.parametrize("change", [_bom, _crlf, _reversed_rows, _spaces_around_numbers])
def test_legitimate_changes_give_identical_tables(data_copy, change):
    change(data_copy)
    got = tables(data_copy)
    for name in NAMES:
        if name == "published_values" and change is _reversed_rows:
            continue  # declared "rowOrder": "file": the report lists values in the file's order
        pd.testing.assert_frame_equal(got[name], shipped()[name], obj=name)


def test_reordered_rows_keep_the_article_order(data_copy):
    """Figure 6, Table E1 and Appendix 1 follow the article's order whatever the file's."""
    for name in ["civicus_csi", "ngo_sectors", "appendix1_ngos"]:
        rewrite(data_copy / f"{name}.csv", lambda rows: rows[:1] + sorted(rows[1:], key=str))
    got = tables(data_copy)
    enum = json.loads((DATA / "datapackage.json").read_text())["resources"]
    civicus = next(r for r in enum if r["name"] == "civicus_csi")["schema"]["fields"]
    order = next(f for f in civicus if f["name"] == "dimension")["constraints"]["enum"]
    assert list(got["civicus_csi"]["dimension"]) == order == list(shipped()["civicus_csi"]["dimension"])
    assert got["ngo_sectors"]["percent"].is_monotonic_decreasing
    assert list(got["appendix1_ngos"]["position"]) == list(range(1, 32))


# --------------------------------------------------------------------------------------------
# Refused, with one line.

def test_non_number(data_copy):
    set_cell(data_copy / "nit_ratings.csv", 10, "rating", "abc")
    assert error_of(data_copy) == (
        'data/nit_ratings.csv, row 10, column rating: "abc" is not a number '
        "(expected a rating from 1 to 7)")


def test_decimal_comma(data_copy):
    set_cell(data_copy / "usaid_csosi.csv", 3, "score", "4,1")
    assert error_of(data_copy) == (
        'data/usaid_csosi.csv, row 3, column score: "4,1" is not a number (write decimals '
        "with a point) (expected a score from 1 to 7)")


def test_spaces_inside_a_name(data_copy):
    set_cell(data_copy / "wgi.csv", 4, "country", "Kazakhstan ")
    assert error_of(data_copy).startswith(
        'data/wgi.csv, row 4, column country: "Kazakhstan " is not in the list '
        '(expected one of "Azerbaijan", "Kazakhstan"')


@pytest.mark.parametrize("file, column, typo", [
    ("nit_ratings.csv", "country", "Kazakstan"),
    ("wgi.csv", "indicator", "Va"),
    ("bti.csv", "item", "civil_society_tradition"),
])
def test_a_typo_in_a_name_never_drops_a_row(data_copy, file, column, typo):
    set_cell(data_copy / file, 5, column, typo)
    assert error_of(data_copy).startswith(
        f'data/{file}, row 5, column {column}: "{typo}" is not in the list (expected one of')


def test_edition_beyond_the_declared_latest(data_copy):
    """Issue 17, case 1: Kazakhstan's 2024 democracy score typed as edition 2042."""
    path = data_copy / "nit_ratings.csv"
    row = row_of(path, country="Kazakhstan", edition="2024", indicator="democracy_score")
    set_cell(path, row, "edition", "2042")
    assert error_of(data_copy) == (
        f'data/nit_ratings.csv, row {row}, column edition: "2042" is out of range (expected '
        "an edition year from 1995 to 2024, the latest edition the package declares)")


def test_an_edition_missing_from_table_1s_window(data_copy):
    """Issue 17, case 2: edition 2008 deleted for all but Kazakhstan and Kyrgyzstan (n 70 -> 65)."""
    rewrite(data_copy / "nit_ratings.csv", lambda rows: [
        r for r in rows if not (r[1] == "2008" and r[0] not in ("Kazakhstan", "Kyrgyzstan"))])
    assert error_of(data_copy) == (
        "data/nit_ratings.csv: no row for country Azerbaijan, indicator civil_society, edition "
        "2008 (expected: both ratings for every edition 2002-2014 of the seven countries of "
        "Table 1 (7 countries x editions 2004-2013 = 70 pairs) and Figure 3 (Kazakhstan, "
        "editions 2002-2014))")


def test_a_missing_civicus_dimension(data_copy):
    rewrite(data_copy / "civicus_csi.csv", lambda rows: rows[:-1])
    assert error_of(data_copy) == (
        "data/civicus_csi.csv: no row for country Kazakhstan, dimension external_environment "
        "(expected: Figure 6 draws all five dimensions)")


def test_a_key_field_retyped_in_the_schema(data_copy):
    """Issue 17, case 3: `edition` integer -> number made pages print 2004.0."""
    path = data_copy / "datapackage.json"
    package = json.loads(path.read_text())
    nit = next(r for r in package["resources"] if r["name"] == "nit_ratings")
    next(f for f in nit["schema"]["fields"] if f["name"] == "edition")["type"] = "number"
    path.write_text(json.dumps(package, indent=2))
    assert error_of(data_copy) == (
        'data/datapackage.json, table nit_ratings, field edition: type is "number", but a key '
        'field must be "integer" or "string"')


def test_broken_datapackage_json(data_copy):
    path = data_copy / "datapackage.json"
    path.write_text(path.read_text()[:-40])
    assert error_of(data_copy).startswith("data/datapackage.json: cannot be read as a data package")


def test_a_value_on_the_undeclared_scale(data_copy):
    """Kazakhstan's 2014 civil society rating (1 = best) stored on the new scale (8 - rating)."""
    path = data_copy / "nit_ratings.csv"
    row = row_of(path, country="Kazakhstan", edition="2014", indicator="civil_society")
    before = list(csv.reader(path.open()))[row_of(path, country="Kazakhstan", edition="2013",
                                                   indicator="civil_society") - 1][3]
    rating = float(list(csv.reader(path.open()))[row - 1][3])
    set_cell(path, row, "rating", f"{8 - rating:g}")
    assert error_of(data_copy) == (
        f"data/nit_ratings.csv, row {row}, column rating: {8 - rating:g} follows "
        f"{float(before):g} in edition 2013, a "
        "jump of more than 1.5 (expected: ratings on one scale move by a step of 1.5 or less "
        "from one edition held to the next; a larger jump is usually a value on the other "
        "scale, or a typing error)")


def test_a_new_scale_edition_labelled_with_the_old_scale(data_copy):
    path = data_copy / "nit_ratings.csv"
    row = row_of(path, country="Kazakhstan", edition="2022", indicator="civil_society")
    set_cell(path, row, "scale", "1_most_democratic")
    assert error_of(data_copy) == (
        f'data/nit_ratings.csv, row {row}, column scale: "1_most_democratic" is wrong here '
        "(expected: Freedom House printed editions from 2020 with 7 = most democratic)")


def test_a_dropped_column(data_copy):
    rewrite(data_copy / "civicus_csi.csv", lambda rows: [r[:2] + r[3:] for r in rows])
    assert error_of(data_copy) == (
        'data/civicus_csi.csv, row 1 (the header): column 3 is headed "verification" but '
        'should be "score" (expected the columns country, dimension, score, verification, '
        "source)")


def test_a_repeated_row(data_copy):
    rewrite(data_copy / "civicus_csi.csv", lambda rows: rows + [rows[2]])
    assert error_of(data_copy) == (
        "data/civicus_csi.csv, row 7: the key (country, dimension) is the same as in row 3")


def test_a_missing_file(data_copy):
    (data_copy / "bti.csv").unlink()
    assert error_of(data_copy) == (
        "data/bti.csv: the file is missing (data/datapackage.json lists it)")


def test_not_utf8(data_copy):
    path = data_copy / "appendix1_ngos.csv"
    path.write_bytes(path.read_text(encoding="utf-8").replace(
        "Women's Federation", "Women's Fédération").encode("latin-1", errors="replace"))
    message = error_of(data_copy)
    assert message.startswith("data/appendix1_ngos.csv: not UTF-8 text (")
    assert message.endswith("): save the file as UTF-8")


@pytest.mark.parametrize("value, problem", [
    ("", "the cell is empty"), ("NaN", '"NaN" counts as empty'), ("inf", '"inf" is out of range'),
    ("146.9", '"146.9" is out of range')])
def test_empty_or_off_scale(data_copy, value, problem):
    set_cell(data_copy / "civicus_csi.csv", 3, "score", value)
    assert error_of(data_copy) == (
        f"data/civicus_csi.csv, row 3, column score: {problem} (expected a score from 0 to 100)")


def test_markup_in_text(data_copy):
    set_cell(data_copy / "nit_ratings.csv", 5, "source", "<script>alert(1)</script>")
    assert error_of(data_copy) == (
        'data/nit_ratings.csv, row 5, column source: "<script>alert(1)</script>" is not allowed '
        "(expected text without < or >)")


def test_a_value_that_no_longer_reproduces_is_refused():
    """The reproduction report's check: a 'differs' row not declared in knownDifferences."""
    report = pd.DataFrame([{"id": "table1_r", "status": "differs", "printed": ".943",
                            "recomputed": ".941"}])
    with pytest.raises(data_package.DataError) as info:
        data_package.check_reproduction(report, str(DATA / "datapackage.json"))
    assert str(info.value) == (
        "data/published_values.csv, row 2 (table1_r): the article prints .943, the data now give "
        ".941: check the last change to data/, or declare the difference in "
        "data/datapackage.json (knownDifferences) and explain it in the book")
    report["status"] = "reproduced"
    data_package.check_reproduction(report, str(DATA / "datapackage.json"))


# --------------------------------------------------------------------------------------------
# The command line that tools/build.sh runs first: one line on stderr, exit code 1.

def test_command_line_prints_one_line_and_fails(data_copy):
    set_cell(data_copy / "nit_ratings.csv", 10, "rating", "abc")
    done = subprocess.run([sys.executable, str(ROOT / "notebooks" / "data_package.py"),
                           str(data_copy)], capture_output=True, text=True)
    assert done.returncode == 1
    assert done.stderr.strip().splitlines()[-1] == (
        'Data error: data/nit_ratings.csv, row 10, column rating: "abc" is not a number '
        "(expected a rating from 1 to 7)")


def test_command_line_passes_the_shipped_data():
    done = subprocess.run([sys.executable, str(ROOT / "notebooks" / "data_package.py")],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("data: 8 tables, ")
