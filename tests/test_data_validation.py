"""The data package: valid as shipped, and every kind of bad input stops with a clear error.

The package as shipped. Damaged copies (bad input, and valid-looking but wrong data) are tried in
tests/test_bad_data.py.
"""
from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest
from frictionless import Package

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "notebooks"))
from data_package import load  # noqa: E402  (the notebooks' loader)

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


def frame(name):
    """A shipped resource as a DataFrame with every field as a column (the primary key too)."""
    return load(name, str(DATA / "datapackage.json"))


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
