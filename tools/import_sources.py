#!/usr/bin/env python3
"""One-off maintenance script: turn the transcribed source values into the tidy files in data/.

The transcriptions (each value with the page it was read from) live outside this repository,
in the team's shared folder (``../shared/sources``). This script is run by a maintainer when a
transcription changes; the book never runs it: it builds and tests from ``data/`` alone.

    python tools/import_sources.py ../shared/sources

It rewrites the CSV files in data/ that come from the transcriptions. Hand-made files
(``appendix1_ngos.csv``, ``published_values.csv``, ``datapackage.json``) are not touched.
Afterwards it validates every rewritten file against its schema in ``data/datapackage.json``
and exits with status 1 if any is invalid: a new country, edition or release usually needs
the schema's code lists or bounds widened first (see data/README.md, "Adding an edition").
"""
import re
import sys
from pathlib import Path

import pandas as pd

OUT = Path(__file__).resolve().parent.parent / "data"


def _parts(source):
    """Split a ' ; '-separated source string into (text, tag) parts."""
    parts = []
    for part in str(source).split(" ; "):
        tag = re.search(r"\[([^\]]*)\]\s*$", part)
        parts.append((part.strip(), tag.group(1) if tag else ""))
    return parts


def _nit_verification(source, indicator):
    """'publisher' when a Freedom House table or page (or a copy of one) gives the value,
    'press_report' when only news reports quoting the release do."""
    applicable = []
    for text, tag in _parts(source):
        if indicator == "civil_society" and "DS only" in tag:
            continue
        if indicator == "democracy_score" and "CS only" in tag:
            continue
        applicable.append(tag)
    if applicable and all(t.startswith("press") for t in applicable):
        return "press_report"
    return "publisher"


def nit(src):
    old = pd.read_csv(src / "nit_ratings.csv")
    old["scale"] = "old_1best"
    new = pd.read_csv(src / "nit_ratings_2015_on.csv")
    both = pd.concat([old, new], ignore_index=True)
    long = both.melt(
        id_vars=["country", "edition_year", "scale", "source"],
        value_vars=["civil_society", "democracy_score"],
        var_name="indicator",
        value_name="rating",
    ).dropna(subset=["rating"])
    long["scale"] = long["scale"].map({"old_1best": "1_most_democratic", "new_7best": "7_most_democratic"})
    long["verification"] = [_nit_verification(s, i) for s, i in zip(long["source"], long["indicator"])]
    long = long.rename(columns={"edition_year": "edition"})
    long = long.sort_values(["country", "edition", "indicator"])
    return long[["country", "edition", "indicator", "rating", "scale", "verification", "source"]]


def wgi(src):
    d = pd.read_csv(src / "wgi.csv")
    d["release"] = d["release"].str.extract(r"WGI (\d{4}) update").astype(int)
    d = d.sort_values(["release", "indicator", "country", "year"])
    return d[["country", "iso3", "year", "indicator", "release", "estimate", "percentile_rank", "source"]]


def usaid(src):
    d = pd.read_csv(src / "usaid_csosi.csv")
    d["verification"] = ["article_only" if s.startswith("NOT INDEPENDENTLY VERIFIED") else "publisher"
                         for s in d["source"]]
    d["country"] = d["country"].replace({"Central Asia (average, as printed)": "Central Asia (average)"})
    d = d.sort_values(["country", "year", "dimension"])
    return d[["country", "year", "dimension", "score", "verification", "source"]]


def bti(src):
    d = pd.read_csv(src / "bti.csv")
    d["edition"] = d["edition"].str.extract(r"BTI (\d{4})").astype(int)
    d["question"] = d["question"].str.extract(r"^(Q\d+\.\d)")
    d["item"] = d["question"].map({"Q13.2": "civil_society_traditions",
                                   "Q16.4": "civil_society_participation",
                                   "Q16.5": "civil_society_participation"})
    d = d.sort_values(["country", "edition", "item"])
    return d[["country", "edition", "item", "question", "score", "source"]]


def civicus(src):
    d = pd.read_csv(src / "civicus.csv")
    d["verification"] = "article_only"
    return d[["country", "dimension", "score", "verification", "source"]]


def sectors(src):
    d = pd.read_csv(src / "ngo_sectors.csv")
    d["reference_year"] = d["reference_year"].str.extract(r"(\d{4})").astype(int)
    d["verification"] = "article_only"
    d = d.rename(columns={"category": "sector"})
    return d[["country", "sector", "percent", "reference_year", "verification", "source"]]


def validate(names):
    """Validate the named resources against data/datapackage.json; print what fails."""
    from frictionless import Package

    package = Package(str(OUT / "datapackage.json"))
    valid = True
    for name in names:
        report = package.get_resource(name).validate()
        if not report.valid:
            valid = False
            print(f"data/{name}.csv is not valid:\n" + report.to_summary())
    return valid


def main(argv):
    src = Path(argv[0] if argv else "../shared/sources")
    frames = {"nit_ratings": nit(src), "wgi": wgi(src), "usaid_csosi": usaid(src),
              "bti": bti(src), "civicus_csi": civicus(src), "ngo_sectors": sectors(src)}
    for name, frame in frames.items():
        frame.to_csv(OUT / f"{name}.csv", index=False, encoding="utf-8", lineterminator="\n")
        print(f"data/{name}.csv: {len(frame)} rows")
    if not validate(frames):
        return 1
    print("all rewritten files are valid against data/datapackage.json")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
