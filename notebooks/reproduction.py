"""The reproduction report: every number in ``data/published_values.csv``, recomputed.

The chapter "Reproduction report" (``reproduction-report.md``) imports this module; so
does the test suite (``tests/test_reproduction.py``), which runs the same functions on
the real ``data/`` and on damaged copies of it, to make sure that a wrong value is
caught.

Everything here is a pure function of the tables it is given: nothing reads a file. The
chapter loads the tables with ``data_package.load`` (by resource name, in its own code,
so that a change to a data file re-executes it) and passes them to ``make_data``.

The module is long because it holds one check per printed number: that is reference
material, to be looked up when a row of the report needs explaining, not the lesson. The
lesson stays in the chapter's visible code: how one check works (the Table 1
correlation, shown on its own), running the report, and the tally of its statuses.

- One short function per kind of number (a correlation, a rank, a score, a list of
  names) returns a ``Recomputed``: the value and the data rows it rests on.
- ``CHECKS``, the dispatch table, says which function recomputes which row of
  ``published_values`` and adds a one-sentence comment for the report.
- ``reproduction_report`` compares each recomputed value with the printed one (within
  the row's tolerance) and gives its status: reproduced, article only, differs or not
  checkable. A row that has no check and is not marked ``not_checkable`` stops it with
  an error, so the list of printed numbers and the code cannot drift apart unnoticed.
"""

from __future__ import annotations

import math
import re
from functools import partial
from typing import Callable, NamedTuple

import numpy as np
import pandas as pd
from scipy import stats

# Freedom House's scale up to the 2019 edition: 1 = best, 7 = worst.
NIT_ORIGINAL = "1_most_democratic"
TABLE1_EDITIONS = (2004, 2013)  # NIT editions; edition N rates calendar year N-1
WGI_RELEASE_USED = 2013  # the WGI update the article used (data 1996-2012)
WGI_RELEASE_RANKS = 2014  # the nearest update whose files carry percentile ranks
FIG4_EDITIONS = (2011, 2013)
CENTRAL_ASIA = "Central Asia (average)"


class Data(NamedTuple):
    """The data package: one DataFrame per resource, and its descriptor."""

    tables: dict
    descriptor: dict


class Recomputed(NamedTuple):
    """A recomputed value and the data rows it rests on."""

    value: object  # a number, or a list of names
    basis: pd.DataFrame  # its data rows (their `verification` sets the status)
    expected: object = (
        None  # list checks whose printed text names nobody: the names implied
    )


class Check(NamedTuple):
    """How one published value is recomputed, and a sentence for the report."""

    compute: Callable  # Data -> Recomputed
    comment: str  # one sentence for the report


def make_data(tables, descriptor):
    """Give every table a `verification` column: its own, or its resource's level."""
    resources = {r["name"]: r for r in descriptor["resources"]}
    out = {}
    for name, frame in tables.items():
        if "verification" not in frame.columns:
            levels = list(resources[name].get("verification", {}).get("levels", {}))
            if len(levels) != 1:
                raise ValueError(
                    f"{name}: no verification column and no single resource-level level"
                )
            frame = frame.assign(verification=levels[0])
        out[name] = frame
    return Data(out, descriptor)


def field_range(data, resource, field):
    """(minimum, maximum) that the data package documents for a field."""
    [res] = [r for r in data.descriptor["resources"] if r["name"] == resource]
    [spec] = [f for f in res["schema"]["fields"] if f["name"] == field]
    return spec["constraints"]["minimum"], spec["constraints"]["maximum"]


def published(data, id_):
    """One row of published_values."""
    pv = data.tables["published_values"]
    return pv[pv["id"] == id_].iloc[0]


def sign(x):
    return int(np.sign(x)) if not math.isnan(x) else math.nan


# --- Freedom House, Nations in Transit ------------------------------------------------
def nit_original(data, indicator):
    t = data.tables["nit_ratings"]
    return t[(t["scale"] == NIT_ORIGINAL) & (t["indicator"] == indicator)]


def nit_wide(data, indicator):
    """One row per country, one column per edition (original scale)."""
    return nit_original(data, indicator).pivot(
        index="country", columns="edition", values="rating"
    )


def figure1_rows(data):
    """Figure 1's seven countries: WGI voice and accountability ranks for 2012.

    As the 2014 update of the indicators gives them."""
    w = data.tables["wgi"]
    return w[
        (w["indicator"] == "VA")
        & (w["year"] == 2012)
        & (w["release"] == WGI_RELEASE_RANKS)
        & w["percentile_rank"].notna()
    ]


def table1_rows(data, first=TABLE1_EDITIONS[0], last=TABLE1_EDITIONS[1]):
    t = data.tables["nit_ratings"]
    return t[
        (t["scale"] == NIT_ORIGINAL)
        & t["country"].isin(figure1_rows(data)["country"])
        & t["edition"].between(first, last)
    ]


def table1_stats(data, first=TABLE1_EDITIONS[0], last=TABLE1_EDITIONS[1]):
    """(r, p, n, countries) of the Table 1 correlation over NIT editions first..last."""
    wide = (
        table1_rows(data, first, last)
        .pivot_table(index=["country", "edition"], columns="indicator", values="rating")
        .reindex(columns=["democracy_score", "civil_society"])
        .dropna()
    )
    if len(wide) < 3:
        return math.nan, math.nan, len(wide), []
    result = stats.pearsonr(wide["democracy_score"], wide["civil_society"])
    countries = sorted(set(wide.index.get_level_values("country")))
    return float(result.statistic), float(result.pvalue), int(len(wide)), countries


def table1_r(data):
    return Recomputed(table1_stats(data)[0], table1_rows(data))


def table1_p(data):
    return Recomputed(table1_stats(data)[1], table1_rows(data))


def table1_n(data):
    return Recomputed(table1_stats(data)[2], table1_rows(data))


def table1_countries(data):
    return Recomputed(
        table1_stats(data)[3], pd.concat([table1_rows(data), figure1_rows(data)])
    )


def table1_matching_windows(data, length=10):
    """First editions of the complete ten-edition windows whose r is the printed r."""
    target = published(data, "table1_r")
    n_countries = len(figure1_rows(data))
    matches = []
    for first in sorted(nit_original(data, "civil_society")["edition"].unique()):
        r, _, n, _ = table1_stats(data, first, first + length - 1)
        if (
            n == length * n_countries
            and abs(r - target["value"]) <= target["tolerance"]
        ):
            matches.append(int(first))
    return matches


def table1_window_end(data, end):
    """First (end=0) or last (end=9) edition of the one window giving the printed r."""
    matches = table1_matching_windows(data)
    value = matches[0] + end if len(matches) == 1 else math.nan
    return Recomputed(value, nit_original(data, "civil_society"))


def fig3_first_edition(data):
    kaz = nit_wide(data, "civil_society").loc["Kazakhstan"].dropna()
    return Recomputed(int(kaz.index.min()), nit_original(data, "civil_society"))


def fig3_kaz_cs_worsening(data, first=2012, last=2013):
    kaz = nit_wide(data, "civil_society").loc["Kazakhstan"]
    return Recomputed(sign(kaz[last] - kaz[first]), nit_original(data, "civil_society"))


def worsened(
    data,
    first=FIG4_EDITIONS[0],
    last=FIG4_EDITIONS[1],
    rule="end points",
    indicator="civil_society",
):
    """Countries rated higher (worse) at the end: 'end points' or in 'each year'."""
    wide = nit_wide(data, indicator).loc[:, first:last].dropna()
    if rule == "end points":
        mask = wide[last] > wide[first]
    elif rule == "each year":
        mask = (wide.diff(axis=1).iloc[:, 1:] > 0).all(axis=1)
    else:
        raise ValueError(rule)
    return sorted(wide.index[mask])


def fig4_countries(data):
    return Recomputed(worsened(data), nit_original(data, "civil_society"))


def fig5_each_year(data):
    """Figure 4's countries whose democracy score also rises at each step (all)."""
    fig4 = worsened(data)
    each = worsened(data, rule="each year", indicator="democracy_score")
    return Recomputed(
        sorted(set(fig4) & set(each)),
        nit_original(data, "democracy_score"),
        expected=fig4,
    )


def scale_bound(data, resource, field, end, basis):
    """The documented bound of a scale, provided every stored value lies within it."""
    low, high = field_range(data, resource, field)
    inside = basis[field].between(low, high).all()
    return Recomputed((low, high)[end] if inside else math.nan, basis)


# --- World Bank, Worldwide Governance Indicators --------------------------------------
def kaz_wgi(data, indicator, release=WGI_RELEASE_USED):
    w = data.tables["wgi"]
    return w[
        (w["country"] == "Kazakhstan")
        & (w["indicator"] == indicator)
        & (w["release"] == release)
    ].sort_values("year")


def kaz_va_rank_2012(data, complement=False):
    rows = figure1_rows(data)
    rows = rows[rows["country"] == "Kazakhstan"]
    rank = float(rows["percentile_rank"].iloc[0]) if len(rows) == 1 else math.nan
    return Recomputed(100 - rank if complement else rank, rows)


def wgi_year(data, end):
    w = data.tables["wgi"]
    rows = w[w["release"] == WGI_RELEASE_USED]
    return Recomputed(int(rows["year"].max() if end else rows["year"].min()), rows)


def trend_sign(data, indicator, first=1996, last=2012):
    """Sign of the least-squares slope of Kazakhstan's estimates, years first..last."""
    rows = kaz_wgi(data, indicator)
    rows = rows[rows["year"].between(first, last)]
    return Recomputed(
        sign(stats.linregress(rows["year"], rows["estimate"]).slope), rows
    )


# --- USAID, CSO Sustainability Index --------------------------------------------------
def usaid_overall(data, country, year):
    t = data.tables["usaid_csosi"]
    rows = t[
        (t["country"] == country) & (t["year"] == year) & (t["dimension"] == "overall")
    ]
    return Recomputed(
        float(rows["score"].iloc[0]) if len(rows) == 1 else math.nan, rows
    )


def usaid_average_members(data):
    """Countries whose overall scores average to the latest publisher-verified regional
    average (the latest USAID table read from its report)."""
    t = data.tables["usaid_csosi"]
    overall = t[(t["dimension"] == "overall") & (t["verification"] == "publisher")]
    averages = overall[overall["country"] == CENTRAL_ASIA]
    year = averages["year"].max()
    members = overall[(overall["year"] == year) & (overall["country"] != CENTRAL_ASIA)]
    published_average = float(averages.loc[averages["year"] == year, "score"].iloc[0])
    # The average is printed to one decimal.
    agrees = abs(members["score"].mean() - published_average) <= 0.05
    return Recomputed(
        sorted(members["country"]) if agrees else [], pd.concat([averages, members])
    )


def usaid_publisher_rows(data):
    t = data.tables["usaid_csosi"]
    return t[t["verification"] == "publisher"]


def usaid_dimensions(data):
    rows = usaid_publisher_rows(data)
    return Recomputed(
        int(rows.loc[rows["dimension"] != "overall", "dimension"].nunique()), rows
    )


# --- Bertelsmann Transformation Index -------------------------------------------------
def bti_score(data, item, edition, country="Kazakhstan"):
    t = data.tables["bti"]
    rows = t[
        (t["country"] == country) & (t["item"] == item) & (t["edition"] == edition)
    ]
    return Recomputed(int(rows["score"].iloc[0]) if len(rows) == 1 else math.nan, rows)


# --- Civicus Civil Society Index, NGO sectors, Appendix 1 -----------------------------
def _one_value(rows, column):
    """The value in ``column`` of the one row matched (NaN unless exactly one)."""
    return Recomputed(float(rows[column].iloc[0]) if len(rows) == 1 else math.nan, rows)


def civicus_score(data, dimension):
    t = data.tables["civicus_csi"]
    return _one_value(t[t["dimension"] == dimension], "score")


def civicus_dimensions(data):
    t = data.tables["civicus_csi"]
    return Recomputed(int(t["dimension"].nunique()), t)


def slug(text):
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")


def sector_share(data, sector_slug):
    t = data.tables["ngo_sectors"]
    return _one_value(t[t["sector"].map(slug) == sector_slug], "percent")


def sector_total(data):
    t = data.tables["ngo_sectors"]
    return Recomputed(float(t["percent"].sum()), t)


def appendix1_sectors(data):
    t = data.tables["appendix1_ngos"]
    return Recomputed(sorted(t["sector"].unique()), t)


# --- The dispatch table: published_values id -> recomputation -------------------------
ARTICLE_ONLY = (
    "transcribed from the article, so agreement confirms the transcription only"
)
RANGE_NOTE = "The documented range of the {0}; every stored {0} lies within it."


def nit_bound(end):
    return lambda d: scale_bound(
        d, "nit_ratings", "rating", end, nit_original(d, "civil_society")
    )


def usaid_bound(end):
    return lambda d: scale_bound(
        d, "usaid_csosi", "score", end, usaid_publisher_rows(d)
    )


def bti_bound(end):
    return lambda d: scale_bound(d, "bti", "score", end, d.tables["bti"])


CHECKS = {
    "table1_r": Check(
        table1_r,
        "Pearson's r over the country-editions of the seven Figure 1 "
        "countries, NIT editions 2004-2013.",
    ),
    "table1_r_text": Check(
        table1_r, "The same r, against the two-decimal figure of the running text."
    ),
    "table1_n": Check(
        table1_n, "Country-editions with both ratings in the Table 1 window."
    ),
    "table1_p": Check(
        table1_p, "The exact two-sided p; SPSS prints anything below .0005 as .000."
    ),
    "table1_first_edition": Check(
        partial(table1_window_end, end=0),
        "Found, not assumed: the first edition of the one complete "
        "ten-edition window whose r agrees with the printed r.",
    ),
    "table1_last_edition": Check(
        partial(table1_window_end, end=9), "The last edition of that window."
    ),
    "table1_countries": Check(
        table1_countries,
        "The countries of Figure 1 that enter the "
        "Table 1 correlation; the printed list lacks a comma after "
        "Tajikistan.",
    ),
    "kaz_va_rank_2012": Check(
        kaz_va_rank_2012,
        "From the WGI 2014 update, as the copies of "
        "the 2013 update that the article used carry no percentile "
        "ranks.",
    ),
    "kaz_va_rank_2012_better": Check(
        partial(kaz_va_rank_2012, complement=True),
        "100 minus the recomputed percentile rank (2014 update).",
    ),
    "wgi_first_year": Check(
        partial(wgi_year, end=0), "First year of the WGI 2013 update."
    ),
    "wgi_last_year": Check(
        partial(wgi_year, end=1), "Last year of the WGI 2013 update."
    ),
    "fig2_va_trend_kaz": Check(
        partial(trend_sign, indicator="VA"),
        "Sign of the least-squares slope of Kazakhstan's estimates, 1996-2012.",
    ),
    "fig2_pv_trend_kaz": Check(
        partial(trend_sign, indicator="PV", last=2010),
        "Sign of the least-squares slope of Kazakhstan's estimates, 1996-2010.",
    ),
    "nit_scale_min": Check(nit_bound(0), RANGE_NOTE.format("rating")),
    "nit_scale_max": Check(nit_bound(1), RANGE_NOTE.format("rating")),
    "fig3_first_edition": Check(
        fig3_first_edition,
        "First edition of Kazakhstan's series in "
        "the data, which was collected from there on: a check of "
        "completeness only.",
    ),
    "fig3_kaz_cs_worsening": Check(
        fig3_kaz_cs_worsening,
        "Sign of the change from the 2012 "
        "to the 2013 edition, reading the article's 2012-13 as "
        "editions.",
    ),
    "fig4_worsening_countries": Check(
        fig4_countries,
        "No printed list to compare with; shown "
        "is the edition's reading: higher in the 2013 than in "
        "the 2011 edition.",
    ),
    "fig5_democracy_deterioration": Check(
        fig5_each_year,
        "Each Figure 4 country should have "
        "a higher democracy score in both the 2012 and the "
        "2013 edition.",
    ),
    "usaid_kaz_2012": Check(
        partial(usaid_overall, country="Kazakhstan", year=2012),
        "The 2012 USAID table was not found; " + ARTICLE_ONLY + ".",
    ),
    "usaid_central_asia_2012": Check(
        partial(usaid_overall, country=CENTRAL_ASIA, year=2012),
        "The 2012 USAID table was not found; " + ARTICLE_ONLY + ".",
    ),
    "usaid_kgz_2012": Check(
        partial(usaid_overall, country="Kyrgyzstan", year=2012),
        "The 2012 USAID table was not found; " + ARTICLE_ONLY + ".",
    ),
    "usaid_central_asia_countries": Check(
        usaid_average_members,
        "Checked on the latest USAID "
        "table in the data: these countries' mean gives "
        "its regional average.",
    ),
    "usaid_dimensions": Check(
        usaid_dimensions,
        "Distinct dimensions, overall score excluded, "
        "in the rows read from USAID's reports.",
    ),
    "usaid_scale_min": Check(usaid_bound(0), RANGE_NOTE.format("score")),
    "usaid_scale_max": Check(usaid_bound(1), RANGE_NOTE.format("score")),
    **{
        f"table2_traditions_{e}": Check(
            partial(bti_score, item="civil_society_traditions", edition=e),
            "Bertelsmann's score, reproduced; but 10 means very weak traditions on "
            "this item, so the article reads it the wrong way round.",
        )
        for e in (2006, 2008, 2010, 2012)
    },
    **{
        f"table2_participation_{e}": Check(
            partial(bti_score, item="civil_society_participation", edition=e),
            "Bertelsmann's score; on this item 10 is best, as the article reads it.",
        )
        for e in (2006, 2008, 2010, 2012)
    },
    "bti_scale_min": Check(
        bti_bound(0),
        "The documented range; for the traditions item 1 is "
        "the best value, not the lowest.",
    ),
    "bti_scale_max": Check(
        bti_bound(1),
        "The documented range; for the traditions item 10 is "
        "the worst value, not the highest.",
    ),
    **{
        f"civicus_{dim}": Check(
            partial(civicus_score, dimension=dim),
            "The report's score pages could not be read; " + ARTICLE_ONLY + ".",
        )
        for dim in sorted(
            [
                "civic_engagement",
                "external_environment",
                "level_of_organisation",
                "perception_of_impact",
                "practice_of_values",
            ]
        )
    },
    "civicus_dimensions": Check(
        civicus_dimensions,
        "Distinct dimensions in the Civicus table; " + ARTICLE_ONLY + ".",
    ),
    **{
        f"sector_{s}": Check(
            partial(sector_share, sector_slug=s),
            "No copy of the Ministry's figures was found; " + ARTICLE_ONLY + ".",
        )
        for s in sorted(
            [
                "children_and_young_people",
                "community_initiatives",
                "culture_arts_science_and_education",
                "disability_and_rehabilitation_of_children",
                "environment",
                "human_rights",
                "medical",
                "miscellaneous",
                "social_welfare",
                "women",
            ]
        )
    },
    "sector_share_total": Check(
        sector_total,
        "The article's own shares add up to a whole: a "
        "check of its internal consistency, not of the Ministry's "
        "figures.",
    ),
    "methodology_sectors": Check(
        appendix1_sectors, "The sector headings of Appendix 1; " + ARTICLE_ONLY + "."
    ),
}


# --- Comparing and reporting ----------------------------------------------------------
def vocabulary(data):
    """Every country and sector name in the data, to read a printed list against."""
    names = set()
    for name, column in [
        ("nit_ratings", "country"),
        ("wgi", "country"),
        ("usaid_csosi", "country"),
        ("bti", "country"),
        ("ngo_sectors", "sector"),
        ("appendix1_ngos", "sector"),
    ]:
        names |= set(data.tables[name][column])
    return names


def names_in(text, known):
    """The names a printed list gives: known names, plus any leftover words as one
    unknown name."""
    found, rest = [], str(text)
    for name in sorted(known, key=len, reverse=True):
        pattern = r"(?<!\w)" + re.escape(name) + r"(?!\w)"
        if re.search(pattern, rest, flags=re.IGNORECASE):
            found.append(name)
            rest = re.sub(pattern, " ", rest, flags=re.IGNORECASE)
    leftover = " ".join(re.sub(r"\band\b|[,;]", " ", rest).split())
    return sorted(found) + ([leftover] if leftover else [])


def show(value):
    """A recomputed value as the report prints it."""
    if isinstance(value, list):
        return ", ".join(value) if value else "(none)"
    if isinstance(value, float) and math.isnan(value):
        return "(none)"
    if isinstance(value, (int, np.integer)) or float(value).is_integer():
        return str(int(value))
    return f"{value:.4g}"


def first_sentence(text):
    return re.split(r"(?<=[a-z0-9)]\.)\s+(?=[A-Z])", str(text).strip())[0]


def compare_list(expected, value):
    """(agrees, difference text) of a recomputed list against the names expected."""
    missing = sorted(set(expected) - set(value))
    extra = sorted(set(value) - set(expected))
    agrees = not missing and not extra
    parts = [
        ("not recomputed: " + ", ".join(missing)) if missing else "",
        ("not printed: " + ", ".join(extra)) if extra else "",
    ]
    return agrees, "none" if agrees else "; ".join(part for part in parts if part)


def check_row(row, data, known, checks):
    """The report line for one published value."""
    check = checks.get(row["id"])
    if check is None and row["check_type"] != "not_checkable":
        raise KeyError(
            f"published value {row['id']!r} has no recomputation in CHECKS "
            "and is not marked not_checkable"
        )
    result = check.compute(data) if check else None
    recomputed, difference, agrees = "", "", None
    if result is not None:
        recomputed = show(result.value)
    if row["check_type"] == "numeric":
        value = float(result.value)
        diff = value - float(row["value"])
        agrees = not math.isnan(diff) and abs(diff) <= float(row["tolerance"]) + 1e-9
        difference = "0" if diff == 0 else f"{diff:+.2g}"
    elif row["check_type"] == "list":
        expected = (
            result.expected
            if result.expected is not None
            else names_in(row["printed"], known)
        )
        agrees, difference = compare_list(expected, result.value)
    if row["check_type"] == "not_checkable":
        status = "not checkable"
        comment = check.comment if check else first_sentence(row["notes"])
    elif agrees:
        article_only = (result.basis["verification"] == "article_only").any()
        status = "article only" if article_only else "reproduced"
        comment = check.comment
    else:
        status = "differs"
        comment = check.comment
    printed = row["printed"]
    return {
        "id": row["id"],
        "kind": row["kind"],
        "quantity": row["quantity"],
        "location": row["location"],
        "printed": printed if isinstance(printed, str) and printed else "(not printed)",
        "recomputed": recomputed,
        "difference": difference,
        "status": status,
        "comment": comment,
    }


def reproduction_report(data, checks=None):
    """One line per row of published_values, in order; fails on a row with no check."""
    checks = CHECKS if checks is None else checks
    published_ids = set(data.tables["published_values"]["id"])
    stale = sorted(set(checks) - published_ids)
    if stale:
        raise KeyError(
            f"CHECKS has recomputations for ids not in published_values: {stale}"
        )
    known = vocabulary(data)
    return pd.DataFrame(
        [
            check_row(row, data, known, checks)
            for _, row in data.tables["published_values"].iterrows()
        ]
    )


def cell(text):
    """Table cell text: no line breaks, no pipe characters."""
    return " ".join(str(text).split()).replace("|", "/")
