"""The data package: valid as shipped, and every kind of bad input stops with a clear error.

The bad-input tests copy data/ into a temporary folder, damage one file, and run the same
load-and-validate code the notebooks run (``load`` below is the notebooks' ``load`` with the
package passed in). Each test then checks that the error names the file, the row and the
column, as far as Frictionless can name them; data/README.md ("When a file is damaged") lists
what each kind of error does and does not name.

Row numbers in Frictionless's messages count the header as row 1, so "row 3" is line 3 of the
file (the second data row).
"""
from __future__ import annotations

import csv
import io
import json
import re
import shutil
from pathlib import Path

import pytest
from frictionless import Package

DATA = Path(__file__).resolve().parent.parent / "data"

# Rows per resource as shipped. A change here should be deliberate (a new edition or release):
# update the number together with data/README.md.
EXPECTED_ROWS = {
    "nit_ratings": 381,
    "wgi": 1092,
    "usaid_csosi": 51,
    "bti": 100,
    "civicus_csi": 5,
    "ngo_sectors": 10,
    "appendix1_ngos": 31,
    "published_values": 58,
}


def load(package, name):
    """Validate one resource of the data package against its schema and return it as a DataFrame.

    The same code as the notebooks' ``load``: a failed validation raises ValueError with the
    file's name and Frictionless's summary of every error.
    """
    resource = package.get_resource(name)
    report = resource.validate()
    if not report.valid:
        raise ValueError(f"data/{resource.path} is not valid:\n" + report.to_summary())
    return resource.to_pandas()


def frame(name):
    """A shipped resource as a DataFrame with every field as a column (the primary key too)."""
    return load(Package(str(DATA / "datapackage.json")), name).reset_index()


# --------------------------------------------------------------------------------------------
# The package as shipped


def test_package_is_valid():
    report = Package(str(DATA / "datapackage.json")).validate()
    assert report.valid, report.to_summary()


def test_every_csv_file_is_a_resource_and_names_are_file_stems():
    descriptor = json.loads((DATA / "datapackage.json").read_text(encoding="utf-8"))
    paths = {r["path"] for r in descriptor["resources"]}
    assert paths == {p.name for p in DATA.glob("*.csv")}
    for r in descriptor["resources"]:
        assert r["name"] == Path(r["path"]).stem


@pytest.mark.parametrize("name, rows", sorted(EXPECTED_ROWS.items()))
def test_row_counts(name, rows):
    assert len(frame(name)) == rows


def test_resources_document_sources_licence_and_fields():
    descriptor = json.loads((DATA / "datapackage.json").read_text(encoding="utf-8"))
    for r in descriptor["resources"]:
        assert r.get("title") and r.get("description"), r["name"]
        assert r.get("sources") and all(s.get("title") for s in r["sources"]), r["name"]
        assert r.get("licenses") and all(x.get("name") or x.get("path") for x in r["licenses"]), r["name"]
        assert r.get("verification", {}).get("levels"), r["name"]
        assert r["schema"].get("primaryKey"), r["name"]
        for field in r["schema"]["fields"]:
            assert field.get("title") and field.get("description"), (r["name"], field["name"])
            assert field.get("constraints", {}).get("required") is not None, (r["name"], field["name"])


def test_free_text_fields_reject_angle_brackets():
    """Every string field is either a code list (enum) or carries the no-HTML pattern."""
    descriptor = json.loads((DATA / "datapackage.json").read_text(encoding="utf-8"))
    for r in descriptor["resources"]:
        for field in r["schema"]["fields"]:
            if field["type"] == "string":
                c = field["constraints"]
                if "enum" in c:
                    continue
                assert "pattern" in c, (r["name"], field["name"])
                assert not re.fullmatch(c["pattern"], "<script>alert(1)</script>"), (r["name"], field["name"])
                assert not re.fullmatch(c["pattern"], "a <b>bold</b> name"), (r["name"], field["name"])


def test_published_values_ids_are_unique():
    ids = frame("published_values")["id"]
    assert ids.is_unique, ids[ids.duplicated()].tolist()


def test_published_numeric_values_have_value_and_tolerance():
    pv = frame("published_values")
    numeric = pv[pv["check_type"] == "numeric"]
    assert numeric["value"].notna().all(), numeric.loc[numeric["value"].isna(), "id"].tolist()
    assert numeric["tolerance"].notna().all(), numeric.loc[numeric["tolerance"].isna(), "id"].tolist()


def test_sector_shares_sum_to_100():
    assert int(frame("ngo_sectors")["percent"].sum()) == 100


def test_sector_shares_agree_with_the_printed_values():
    shares = frame("ngo_sectors").set_index("sector")["percent"]
    pv = frame("published_values").set_index("id")
    for sector, percent in shares.items():
        key = "sector_" + sector.replace(",", "").replace(" ", "_")
        assert abs(percent - pv.loc[key, "value"]) <= pv.loc[key, "tolerance"], sector
    assert shares.sum() == pv.loc["sector_share_total", "value"]


def test_article_only_transcriptions_agree_with_the_printed_values():
    """Values taken from the article must match what the article prints (a transcription check)."""
    pv = frame("published_values").set_index("id")
    civicus = frame("civicus_csi").set_index("dimension")["score"]
    for dimension, score in civicus.items():
        row = pv.loc[f"civicus_{dimension}"]
        assert abs(score - row["value"]) <= row["tolerance"], dimension
    usaid = frame("usaid_csosi")
    overall_2012 = usaid[(usaid["year"] == 2012) & (usaid["dimension"] == "overall")].set_index("country")["score"]
    for country, key in [("Kazakhstan", "usaid_kaz_2012"), ("Kyrgyzstan", "usaid_kgz_2012"),
                         ("Central Asia (average)", "usaid_central_asia_2012")]:
        assert abs(overall_2012[country] - pv.loc[key, "value"]) <= pv.loc[key, "tolerance"], country


def test_appendix1_uses_every_sector():
    assert set(frame("appendix1_ngos")["sector"]) == set(frame("ngo_sectors")["sector"])


def test_nit_scale_follows_the_edition():
    """Up to the 2015 edition every value is on the old scale; from 2020 on the new one."""
    nit = frame("nit_ratings")
    assert (nit.loc[nit["edition"] <= 2015, "scale"] == "1_most_democratic").all()
    assert (nit.loc[nit["edition"] >= 2020, "scale"] == "7_most_democratic").all()


def test_bti_question_matches_item():
    bti = frame("bti")
    traditions = bti["item"] == "civil_society_traditions"
    assert (bti.loc[traditions, "question"] == "Q13.2").all()
    assert bti.loc[~traditions, "question"].isin(["Q16.4", "Q16.5"]).all()


# --------------------------------------------------------------------------------------------
# Bad input: copy data/, damage one file, load it as the notebooks do


@pytest.fixture
def data_copy(tmp_path):
    target = tmp_path / "data"
    shutil.copytree(DATA, target)
    return target


def _rewrite_rows(path, change):
    """Read a CSV file, let ``change`` edit its list of rows (header first), write it back."""
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    rows = change(rows)
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")


def _set_cell(path, row_number, field, value):
    """Set one cell; row_number counts the header as row 1, like Frictionless."""
    def change(rows):
        rows[row_number - 1][rows[0].index(field)] = value
        return rows
    _rewrite_rows(path, change)


def _load_error(data_dir, name):
    with pytest.raises(ValueError) as info:
        load(Package(str(data_dir / "datapackage.json")), name)
    return str(info.value)


def _names_row(message, row):
    """True when the summary's Row column holds ``row``."""
    return re.search(rf"^\|\s+{row}\s+\|", message, flags=re.MULTILINE) is not None


def test_undamaged_copy_loads(data_copy):
    """Control: the copy itself is fine, so each error below comes from its damage."""
    package = Package(str(data_copy / "datapackage.json"))
    for name in EXPECTED_ROWS:
        assert len(load(package, name)) == EXPECTED_ROWS[name]


def test_missing_file(data_copy):
    (data_copy / "bti.csv").unlink()
    message = _load_error(data_copy, "bti")
    assert message.startswith("data/bti.csv is not valid")
    assert "scheme-error" in message and "No such file or directory" in message
    # No row or column exists to name: the error is about the whole file.


def test_missing_column(data_copy):
    _rewrite_rows(data_copy / "civicus_csi.csv", lambda rows: [r[:2] + r[3:] for r in rows])  # drop "score"
    message = _load_error(data_copy, "civicus_csi")
    assert message.startswith("data/civicus_csi.csv is not valid")
    # Frictionless matches columns by position: the field whose label no longer matches is named
    # ("Label "verification" in field score ..."), and the last field is reported missing.
    assert "incorrect-label" in message and "field score" in message
    assert "missing-label" in message and '"source"' in message
    assert _names_row(message, 2)  # the first data row then fails its types


def test_extra_column(data_copy):
    _rewrite_rows(data_copy / "civicus_csi.csv",
                  lambda rows: [rows[0] + ["comment"]] + [r + ["x"] for r in rows[1:]])
    message = _load_error(data_copy, "civicus_csi")
    assert message.startswith("data/civicus_csi.csv is not valid")
    assert "extra-label" in message and '"comment"' in message and 'position "6"' in message
    # The error is in the header (row 1); Frictionless leaves the Row column empty.


def test_non_number_in_numeric_field(data_copy):
    _set_cell(data_copy / "civicus_csi.csv", 3, "score", "forty-eight")
    message = _load_error(data_copy, "civicus_csi")
    assert message.startswith("data/civicus_csi.csv is not valid")
    assert "type-error" in message and '"forty-eight"' in message
    assert _names_row(message, 3) and '"score"' in message


@pytest.mark.parametrize("resource, field, value, bound", [
    ("bti", "score", "11", '"maximum" is "10"'),
    ("nit_ratings", "rating", "8", '"maximum" is "7"'),
    ("usaid_csosi", "score", "0.5", '"minimum" is "1"'),
    ("wgi", "percentile_rank", "101", '"maximum" is "100"'),
    ("civicus_csi", "score", "146.9", '"maximum" is "100"'),
    ("ngo_sectors", "percent", "-5", '"minimum" is "0"'),
])
def test_value_off_its_scale(data_copy, resource, field, value, bound):
    row = 3 if resource != "wgi" else 300  # wgi row 300 is a 2014-release row with a rank
    _set_cell(data_copy / f"{resource}.csv", row, field, value)
    message = _load_error(data_copy, resource)
    assert message.startswith(f"data/{resource}.csv is not valid")
    assert "constraint-error" in message and bound in message
    assert _names_row(message, row) and f'"{field}"' in message


def test_duplicate_primary_key(data_copy):
    _rewrite_rows(data_copy / "civicus_csi.csv", lambda rows: rows + [rows[2]])  # repeat row 3 as row 7
    message = _load_error(data_copy, "civicus_csi")
    assert message.startswith("data/civicus_csi.csv is not valid")
    assert "primary-key" in message and _names_row(message, 7) and "row at position 3" in message
    # Frictionless names both rows but not the key's columns; they are in datapackage.json.


def test_empty_file(data_copy):
    (data_copy / "ngo_sectors.csv").write_bytes(b"")
    message = _load_error(data_copy, "ngo_sectors")
    assert message.startswith("data/ngo_sectors.csv is not valid")
    assert "source-error" in message and "the source is empty" in message


def test_wrong_encoding(data_copy):
    path = data_copy / "appendix1_ngos.csv"
    text = path.read_text(encoding="utf-8").replace("Women's Federation", "Women's Fédération")
    path.write_bytes(text.encode("latin-1", errors="replace"))
    message = _load_error(data_copy, "appendix1_ngos")
    assert message.startswith("data/appendix1_ngos.csv is not valid")
    assert "encoding-error" in message and "'utf-8' codec can't decode byte 0xe9" in message
    # Frictionless gives a byte offset in the file, not a row or column.


@pytest.mark.parametrize("value", ["NaN", "nan"])
def test_nan_in_required_numeric_field(data_copy, value):
    _set_cell(data_copy / "civicus_csi.csv", 3, "score", value)
    message = _load_error(data_copy, "civicus_csi")
    assert message.startswith("data/civicus_csi.csv is not valid")
    assert "constraint-error" in message and '"required" is "True"' in message
    assert _names_row(message, 3) and '"score"' in message


@pytest.mark.parametrize("value", ["NAN", "-nan", "inf"])
def test_other_non_finite_numbers_are_rejected(data_copy, value):
    """Spellings that are not declared missing values still fail the field's bounds."""
    _set_cell(data_copy / "civicus_csi.csv", 3, "score", value)
    message = _load_error(data_copy, "civicus_csi")
    assert "constraint-error" in message and _names_row(message, 3) and '"score"' in message


def test_nan_in_required_text_field(data_copy):
    _set_cell(data_copy / "appendix1_ngos.csv", 4, "organisation", "nan")
    message = _load_error(data_copy, "appendix1_ngos")
    assert '"required" is "True"' in message and _names_row(message, 4) and '"organisation"' in message


@pytest.mark.parametrize("resource, row, field", [
    ("appendix1_ngos", 2, "organisation"),
    ("published_values", 2, "notes"),
    ("nit_ratings", 5, "source"),
])
def test_script_in_text_field(data_copy, resource, row, field):
    _set_cell(data_copy / f"{resource}.csv", row, field, "<script>alert(1)</script>")
    message = _load_error(data_copy, resource)
    assert message.startswith(f"data/{resource}.csv is not valid")
    assert "constraint-error" in message and '"pattern"' in message
    assert _names_row(message, row) and f'"{field}"' in message


def test_code_outside_its_list(data_copy):
    _set_cell(data_copy / "nit_ratings.csv", 2, "scale", "1_best")
    message = _load_error(data_copy, "nit_ratings")
    assert "constraint-error" in message and '"enum"' in message
    assert _names_row(message, 2) and '"scale"' in message
