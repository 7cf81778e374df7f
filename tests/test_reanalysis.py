"""Tests of the computations behind the edition's re-analysis chapters.

The two chapters "Re-examining the evidence" and "A decade later" keep their pure functions in one
code cell tagged ``definitions``. These tests read each notebook's MyST source with jupytext, run
only that cell in a fresh namespace, and check the functions on small inputs whose answers can be
worked out by hand. No expected value is copied from the book's output.
"""
from __future__ import annotations

import math
from pathlib import Path

import jupytext
import numpy as np
import pandas as pd
import pytest

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"


def definitions(stem: str) -> dict:
    """Execute the cell(s) tagged `definitions` of notebooks/<stem>.md and return their namespace."""
    notebook = jupytext.read(NOTEBOOKS / f"{stem}.md")
    cells = [c for c in notebook.cells
             if c.cell_type == "code" and "definitions" in c.metadata.get("tags", [])]
    assert cells, f"{stem}.md has no cell tagged 'definitions'"
    namespace: dict = {"__name__": f"definitions_{stem.replace('-', '_')}"}
    for cell in cells:
        exec(compile(cell.source, f"{stem}.md[definitions]", "exec"), namespace)
    return namespace


@pytest.fixture(scope="module")
def reexamine():
    return definitions("re-examining-the-evidence")


@pytest.fixture(scope="module")
def decade():
    return definitions("a-decade-later")


# --- Re-examining the evidence ---------------------------------------------------------------


def test_definitions_cell_is_self_contained(reexamine, decade):
    for name in ["part_whole_other_mean", "between_within", "cluster_bootstrap_r", "lead_lag",
                 "worsened_countries", "fisher_ci", "overlap_only_r"]:
        assert callable(reexamine[name]), name
    for name in ["convert_nit_scale", "nit_on_one_scale", "missing_editions", "release_revisions"]:
        assert callable(decade[name]), name


def test_part_whole_on_a_toy_panel(reexamine):
    f = reexamine["part_whole_other_mean"]
    # Two countries x three editions. Country A: seven ratings 5, 6, 6, 6, 6, 7, 6 (sum 42,
    # mean 6); civil society is the 5, so the other six average (42 - 5) / 6 = 37 / 6.
    # Country B, 2004 edition with six categories: ratings 4, 5, 5, 5, 5, 6 (sum 30, mean 5);
    # civil society 4, others (30 - 4) / 5 = 5.2.
    toy = pd.DataFrame({
        "country": ["A", "A", "A", "B", "B", "B"],
        "edition": [2004, 2005, 2006, 2004, 2005, 2006],
        "cs": [5.0, 5.0, 6.0, 4.0, 4.0, 7.0],
        "ds": [6.0, 6.0, 6.0, 5.0, 5.0, 7.0],
        "k": [7, 7, 7, 6, 7, 7],
    })
    other = f(toy["cs"], toy["ds"], toy["k"])
    assert other[0] == pytest.approx(37 / 6)
    assert other[3] == pytest.approx(26 / 5)
    assert other[4] == pytest.approx((35 - 4) / 6)
    assert other[5] == pytest.approx(7.0)  # all ratings 7: the others are 7 too
    assert other[2] == pytest.approx((42 - 6) / 6)


def test_part_whole_undoes_the_rounding_of_the_printed_score(reexamine):
    f = reexamine["part_whole_other_mean"]
    # Ratings 5.5, 6, 6, 6, 6, 6, 6.25 sum to 41.75; the mean 5.964... is printed as 5.96.
    # 7 x 5.96 = 41.72, whose nearest quarter is 41.75; the others sum to 41.75 - 5.5 = 36.25.
    assert float(f(5.5, 5.96, 7, 0.25)) == pytest.approx(36.25 / 6)
    assert float(f(5.5, 5.96, 7)) == pytest.approx((41.72 - 5.5) / 6)


def test_overlap_only_r(reexamine):
    f = reexamine["overlap_only_r"]
    # Two parts of equal spread, uncorrelated: r(part, mean) = 1 / sqrt(2).
    assert f(1.0, 1.0, 2) == pytest.approx(1 / math.sqrt(2))
    # A part with no spread of its own cannot correlate with anything.
    assert f(0.0, 1.0, 7) == 0.0
    # Simulated check of the formula: part independent of the other six.
    rng = np.random.default_rng(1)
    part, rest = rng.normal(size=200_000), rng.normal(scale=0.5, size=200_000)
    whole = (part + 6 * rest) / 7
    assert np.corrcoef(part, whole)[0, 1] == pytest.approx(f(1.0, 0.5, 7), abs=0.01)


def test_between_within_on_a_toy_panel(reexamine):
    f = reexamine["between_within"]
    # Within each country y falls as x rises; the country with larger x also has larger y.
    toy = pd.DataFrame({"c": list("AAABBB"), "x": [1, 2, 3, 5, 6, 7], "y": [3, 2, 1, 7, 6, 5]})
    out = f(toy, "c", "x", "y")
    assert out["r_between"] == pytest.approx(1.0)
    assert out["r_within"] == pytest.approx(-1.0)
    assert out["n_groups"] == 2
    # Grand mean 4; between sum of squares 3 * (2 - 4)**2 + 3 * (6 - 4)**2 = 24; within 2 + 2 = 4.
    assert out["share_between_x"] == pytest.approx(24 / 28)
    assert out["share_between_y"] == pytest.approx(24 / 28)


def test_fisher_ci(reexamine):
    f = reexamine["fisher_ci"]
    # r = 0 with n = 103: z half-width 1.959964 / 10, so the interval is tanh(+-0.1959964).
    low, high = f(0.0, 103)
    assert high == pytest.approx(math.tanh(0.1959964), abs=1e-6)
    assert low == pytest.approx(-high)
    low, high = f(0.9, 50)
    assert low < 0.9 < high


def test_cluster_bootstrap_r(reexamine):
    f = reexamine["cluster_bootstrap_r"]
    # Every group lies on the same line y = 2x + 1: every resample has r = 1.
    line = pd.DataFrame({"g": np.repeat(list("ABCD"), 3), "x": np.arange(12.0)})
    line["y"] = 2 * line["x"] + 1
    r, dropped = f(line, "g", "x", "y", 200, np.random.default_rng(0))
    assert dropped == 0 and len(r) == 200
    assert np.allclose(r, 1.0)
    # A group whose x never varies: a resample made of that group alone has no r and is dropped.
    # With two groups, a resample is (A, A), (A, B), (B, A) or (B, B), each with chance 1/4:
    # (A, A) has no variation in x and is dropped, (B, B) is B's perfect line (r = 1), and the
    # mixed draws give some other r.
    toy = pd.DataFrame({"g": list("AAABBB"), "x": [1.0, 1, 1, 1, 2, 3], "y": [5.0, 6, 7, 1, 2, 3]})
    r, dropped = f(toy, "g", "x", "y", 400, np.random.default_rng(0))
    assert dropped + len(r) == 400
    assert 50 < dropped < 150
    assert np.all(np.abs(r) <= 1 + 1e-12)
    assert np.any(np.isclose(r, 1.0))  # (B, B) draws
    # The same seed gives the same draws.
    again, _ = f(toy, "g", "x", "y", 400, np.random.default_rng(0))
    assert np.array_equal(r, again)


def test_lead_lag_on_a_hand_series(reexamine):
    f = reexamine["lead_lag"]
    # x: 0 1 1 2 2 -> changes at t = 2..5: +1 0 +1 0
    # y: 0 0 1 1 2 -> changes at t = 2..5:  0 +1 0 +1
    hand = pd.DataFrame({"g": "A", "t": [1, 2, 3, 4, 5], "x": [0, 1, 1, 2, 2], "y": [0, 0, 1, 1, 2]})
    lead = f(hand, "g", "t", "x", "y", lag=1)  # dx at t = 2, 3, 4 against dy at t = 3, 4, 5
    assert lead["n"] == 3
    assert lead["r"] == pytest.approx(1.0)
    same = f(hand, "g", "t", "x", "y", lag=0)  # +1 0 +1 0 against 0 +1 0 +1
    assert same["n"] == 4
    assert same["r"] == pytest.approx(-1.0)
    reverse = f(hand, "g", "t", "y", "x", lag=1)  # dy at t = 2, 3, 4 against dx at t = 3, 4, 5
    assert reverse["n"] == 3
    assert reverse["r"] == pytest.approx(1.0)


def test_lead_lag_pools_groups_and_respects_gaps(reexamine):
    f = reexamine["lead_lag"]
    two = pd.DataFrame({
        "g": ["A"] * 4 + ["B"] * 4,
        "t": [1, 2, 3, 4, 1, 2, 4, 5],  # B has no t = 3: no change into 4, none from 3 to 4
        "x": [0, 1, 3, 6, 0, 2, 3, 7],
        "y": [0, 0, 1, 3, 0, 1, 5, 5],
    })
    out = f(two, "g", "t", "x", "y", lag=1)
    pairs = out["pairs"]
    # A: dx(2)=1 with dy(3)=1, dx(3)=2 with dy(4)=2; B: dx(2)=2 with no dy(3); dx(4) missing.
    assert out["n"] == 2
    assert sorted(pairs["g"]) == ["A", "A"]
    # Groups never pair with each other's changes.
    same = f(two, "g", "t", "x", "y", lag=0)
    assert same["n"] == 3 + 2  # A: t = 2, 3, 4; B: t = 2 and 5 (not 4, after the gap)


def test_worsened_countries_on_a_toy_frame(reexamine):
    f = reexamine["worsened_countries"]
    toy = pd.DataFrame({
        "country": ["Up"] * 3 + ["Step"] * 3 + ["Dip"] * 3 + ["Better"] * 3 + ["Gap"] * 2,
        "edition": [2011, 2012, 2013] * 4 + [2011, 2013],
        "rating": [5.0, 5.25, 5.5,   # worse every year
                   6.0, 6.0, 6.25,   # worse at the end, flat in between
                   5.5, 5.25, 5.5,   # back where it started
                   4.0, 3.75, 3.5,   # improving (lower = better)
                   6.0, 6.5],        # no 2012 value: left out
    })
    assert f(toy, 2011, 2013, "end_points") == ["Step", "Up"]
    assert f(toy, 2011, 2013, "every_year") == ["Up"]
    assert f(toy, 2012, 2013, "end_points") == ["Dip", "Step", "Up"]
    with pytest.raises(ValueError):
        f(toy, 2011, 2013, "sometimes")


# --- A decade later ---------------------------------------------------------------------------


def test_convert_nit_scale(decade):
    f = decade["convert_nit_scale"]
    assert f(7) == 1
    assert f(1) == 7
    assert f(4) == 4
    assert f(1.25) == pytest.approx(6.75)
    assert f(f(2.5)) == pytest.approx(2.5)
    assert np.allclose(f(np.array([1.0, 3.5, 7.0])), [7.0, 4.5, 1.0])


def test_nit_on_one_scale(decade):
    f = decade["nit_on_one_scale"]
    toy = pd.DataFrame({
        "edition": [2017, 2018, 2020],
        "rating": [6.5, 1.25, 1.5],
        "scale": ["1_most_democratic", "7_most_democratic", "7_most_democratic"],
    })
    out = f(toy)
    assert out["rating_old"].tolist() == pytest.approx([6.5, 6.75, 6.5])
    assert out["rating"].tolist() == [6.5, 1.25, 1.5]  # the printed values are kept
    assert "rating_old" not in toy.columns  # the input is not changed
    with pytest.raises(ValueError):
        f(toy.assign(scale="0_to_100"))


def test_missing_editions(decade):
    f = decade["missing_editions"]
    assert f([2018, 2019, 2022], 2018, 2022) == [2020, 2021]
    assert f(range(2006, 2025, 2), 2006, 2024, step=2) == []
    assert f([2006, 2010], 2006, 2012, step=2) == [2008, 2012]


def test_release_revisions(decade):
    f = decade["release_revisions"]
    toy = pd.DataFrame({
        "country": ["A", "A", "A", "B", "B", "B"],
        "indicator": ["VA"] * 6,
        "release": [2013, 2014, 2024] * 2,
        "estimate": [-1.0, -1.1, -0.9, 0.5, 0.5, 0.5],
    })
    out = f(toy)
    assert out.loc[("A", "VA"), "max_revision"] == pytest.approx(0.2)
    assert out.loc[("B", "VA"), "max_revision"] == pytest.approx(0.0)
    assert out.loc[("A", "VA"), 2014] == pytest.approx(-1.1)
