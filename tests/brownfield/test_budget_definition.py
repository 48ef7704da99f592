"""The area budget as issue 12 defines it, on hand-made cases.

At budget b the short list is the top of the ranking whose candidates' own area covers at most b of the
analysed area (what ``detect --budget b`` publishes); lift = recall / that share. The share and lift with
the 50 m matching tolerance counted as flagged are reported beside it; ``strict=True`` is the earlier
definition (the prefix cut where the tolerance-inclusive share reaches b).
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
from shapely.geometry import Point, box

from geo.brownfield.detect import in_budget
from geo.brownfield.evaluate import budget_table, format_budget_table

AREA = box(0, 0, 1000, 1000)  # 100 ha


def _case():
    # Ranked: 1 ha in the corner, 1 ha, 4 ha, 9 ha (1 + 1 + 4 + 9 = 15% of the area).
    cands = gpd.GeoDataFrame({"rank": [1, 2, 3, 4]}, geometry=[
        box(0, 0, 100, 100), box(300, 0, 400, 100), box(0, 300, 200, 500), box(500, 500, 800, 800)], crs=32632)
    refs = gpd.GeoDataFrame(geometry=[
        Point(50, 50),     # inside the first candidate
        Point(150, 50),    # 50 m from the first candidate only: a hit only if the first is still free
        Point(650, 650),   # inside the fourth
    ], crs=32632)
    return cands, refs


def _tol_share(geoms, tol=50.0):
    return gpd.GeoSeries(geoms).buffer(tol).union_all().intersection(AREA).area / AREA.area


def test_the_short_list_is_the_top_whose_own_area_fits_the_budget():
    cands, refs = _case()
    t = budget_table(cands, refs, AREA, 50, (0.005, 0.01, 0.02, 0.06, 0.149, 0.15)).set_index("budget")
    assert t["candidates"].tolist() == [0, 1, 2, 3, 3, 4]   # the tolerance does not shrink the list
    assert t["flagged_share"].tolist() == [0, 0.01, 0.02, 0.06, 0.06, 0.15]
    # One to one: the first candidate takes the point inside it, the point 50 m away stays unmatched.
    assert t["matched"].tolist() == [0, 1, 1, 1, 1, 2]
    assert t.loc[0.02, "recall"] == pytest.approx(1 / 3, abs=1e-4)
    assert t.loc[0.02, "lift"] == pytest.approx((1 / 3) / 0.02, abs=0.01)      # 16.67
    assert t.loc[0.15, "lift"] == pytest.approx((2 / 3) / 0.15, abs=0.01)      # 4.44
    assert t.loc[0.005, "lift"] == 0 and t.loc[0.005, "lift_tol"] == 0


def test_the_tolerance_inclusive_share_and_lift_are_reported_for_the_same_list():
    cands, refs = _case()
    t = budget_table(cands, refs, AREA, 50, (0.02, 0.15)).set_index("budget")
    s2 = _tol_share(cands.geometry.iloc[:2])
    assert s2 == pytest.approx(0.0509, abs=1e-4)  # two 1 ha squares with their 50 m halo, clipped by the area
    assert t.loc[0.02, "flagged_tol"] == pytest.approx(s2, abs=1e-4)
    assert t.loc[0.02, "lift_tol"] == pytest.approx((1 / 3) / s2, abs=0.01)
    assert t.loc[0.15, "flagged_tol"] == pytest.approx(_tol_share(cands.geometry), abs=1e-4)
    assert (t["flagged_tol"] > t["flagged_share"]).all() and (t["lift_tol"] < t["lift"]).all()
    # Without a tolerance the two readings agree.
    t0 = budget_table(cands, refs, AREA, 0, (0.02, 0.15))
    assert t0["flagged_share"].tolist() == t0["flagged_tol"].tolist()


def test_the_short_list_is_the_one_detect_budget_publishes():
    rng = np.random.default_rng(3)
    sides = rng.integers(45, 160, 40).astype(float)
    geoms = [box(x, 0, x + s, s) for x, s in zip(np.arange(40) * 200.0, sides)]
    area = box(0, 0, 8000, 2000)  # 1,600 ha
    cands = gpd.GeoDataFrame({"rank": np.arange(1, 41)}, geometry=geoms, crs=32632)
    refs = gpd.GeoDataFrame(geometry=[Point(10, 10)], crs=32632)
    for b in (0.001, 0.002, 0.005, 0.01):
        k = budget_table(cands, refs, area, 50, (b,))["candidates"].iloc[0]
        flags = in_budget(cands.geometry.area.to_numpy(), area.area, b)
        assert k == flags.sum() and flags[:k].all()


def test_strict_budget_is_the_earlier_definition():
    cands, refs = _case()
    t = budget_table(cands, refs, AREA, 50, (0.02, 0.05, 0.20), strict=True).set_index("budget")
    # The first 1 ha with its 50 m halo flags 2.2% (clipped by the area's corner): past the 2% budget.
    first = _tol_share(cands.geometry.iloc[:1])
    assert first == pytest.approx(0.02196, abs=1e-4)
    assert t.loc[0.02, "candidates"] == 0
    assert t.loc[0.05, "candidates"] == 1 and t.loc[0.05, "flagged_share"] == pytest.approx(first, abs=1e-4)
    assert t.loc[0.05, "lift"] == t.loc[0.05, "lift_tol"]
    assert t.loc[0.20, "candidates"] == 3  # the fourth candidate's halo takes the share past 20%
    assert _tol_share(cands.geometry.iloc[:4]) > 0.20 >= _tol_share(cands.geometry.iloc[:3])


def test_naive_objects_are_judged_by_the_same_rule():
    """The naive layer has no too_small column and ranks by its own rank: the same budget applies."""
    cands, refs = _case()
    naive = cands.assign(score=[4.0, 3.0, 2.0, 1.0]).drop(columns="rank")
    a = budget_table(cands, refs, AREA, 50, (0.02, 0.15))
    b = budget_table(naive, refs, AREA, 50, (0.02, 0.15))
    assert a.equals(b)


def test_the_table_prints_both_readings():
    cands, refs = _case()
    text = format_budget_table("ranked", budget_table(cands, refs, AREA, 50, (0.02,)), 3, 50)
    assert "flagged+50m" in text and "lift+50m" in text
    assert text.splitlines()[-1].split() == ["2%", "2", "1", "0.333", "0.020", "16.67", "0.051", "6.55"]
