"""The area budget as issue 19 defines it, on hand-made cases.

At budget b the short list is the top of the ranking whose candidates, grown by the 50 m matching tolerance
and clipped to the analysed area, cover at most b of it (what ``detect --budget b`` publishes); lift =
recall / that share. Polygon references are matched by overlap, without a halo. The issue-12 figure (the
list whose own area fits the budget) is kept beside it, labelled ``own_*``.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely
from shapely.geometry import Point, box

from geo.brownfield.detect import cumulative_shares, in_budget, in_budget_tolerance
from geo.brownfield.evaluate import budget_table

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


def test_the_short_list_counts_the_tolerance_it_matches_with():
    cands, refs = _case()
    t = budget_table(cands, refs, AREA, 50, (0.02, 0.05, 0.06, 0.20, 0.30)).set_index("budget")
    first = _tol_share(cands.geometry.iloc[:1])
    assert first == pytest.approx(0.02196, abs=1e-4)  # 1 ha with its 50 m halo, clipped by the area's corner
    assert t["candidates"].tolist() == [0, 1, 2, 3, 4]
    assert t.loc[0.05, "flagged_share"] == pytest.approx(first, abs=1e-4)
    assert t.loc[0.06, "flagged_share"] == pytest.approx(_tol_share(cands.geometry.iloc[:2]), abs=1e-4)
    assert _tol_share(cands.geometry.iloc[:4]) > 0.20 >= _tol_share(cands.geometry.iloc[:3])
    assert t.loc[0.05, "lift"] == pytest.approx((1 / 3) / first, abs=0.02)
    assert t.loc[0.02, "lift"] == 0


def test_the_old_own_area_figure_stays_beside_it_labelled():
    cands, refs = _case()
    t = budget_table(cands, refs, AREA, 50, (0.005, 0.01, 0.02, 0.06, 0.149, 0.15)).set_index("budget")
    assert t["own_candidates"].tolist() == [0, 1, 2, 3, 3, 4]   # the issue-12 list: the halo comes free
    assert t["own_flagged"].tolist() == [0, 0.01, 0.02, 0.06, 0.06, 0.15]
    assert t["own_matched"].tolist() == [0, 1, 1, 1, 1, 2]      # one to one: the 50 m point stays unmatched
    assert t.loc[0.02, "own_lift"] == pytest.approx((1 / 3) / 0.02, abs=0.01)
    assert (t["candidates"] <= t["own_candidates"]).all()
    # Without a tolerance the two rules agree.
    t0 = budget_table(cands, refs, AREA, 0, (0.02, 0.15))
    assert t0["candidates"].tolist() == t0["own_candidates"].tolist()
    assert t0["flagged_share"].tolist() == t0["own_flagged"].tolist()


def test_polygon_references_are_matched_by_overlap_without_a_halo():
    cands, _refs = _case()
    refs = gpd.GeoDataFrame(geometry=[box(0, 0, 100, 40),      # inside the first: overlap 100% of the smaller
                                      box(100, 0, 200, 100),   # touches the first only: no overlap, no halo
                                      box(250, 0, 350, 100)],  # half over the second: overlap 50% of the smaller
                            crs=32632)
    t = budget_table(cands, refs, AREA, 50, (0.01, 0.02)).set_index("budget")
    assert t["candidates"].tolist() == [1, 2]  # no halo for polygon references: own area is the share
    assert t["flagged_share"].tolist() == [0.01, 0.02]
    assert t["matched"].tolist() == [1, 2]


def test_detect_budget_publishes_the_same_list():
    rng = np.random.default_rng(3)
    sides = rng.integers(45, 160, 40).astype(float)
    geoms = [box(x, 0, x + s, s) for x, s in zip(np.arange(40) * 120.0, sides)]  # halos overlap
    area = box(0, 0, 8000, 2000)
    cands = gpd.GeoDataFrame({"rank": np.arange(1, 41)}, geometry=geoms, crs=32632)
    refs = gpd.GeoDataFrame(geometry=[Point(10, 10)], crs=32632)
    for b in (0.002, 0.005, 0.01, 0.02):
        k = budget_table(cands, refs, area, 50, (b,))["candidates"].iloc[0]
        flags = in_budget_tolerance(cands.geometry.to_numpy(), area, b, 50)
        assert k == flags.sum() and flags[:k].all() and not flags[k:].any()
        assert k < in_budget(cands.geometry.area.to_numpy(), area.area, b).sum()  # the halo costs candidates


def test_cumulative_shares_are_the_running_union_exactly():
    rng = np.random.default_rng(5)
    geoms = [box(x, y, x + w, y + w) for x, y, w in zip(rng.uniform(-50, 950, 60), rng.uniform(-50, 950, 60),
                                                         rng.uniform(10, 120, 60))]
    got = cumulative_shares(geoms, AREA, 30)
    want = [shapely.union_all([g.buffer(30) for g in geoms[:k]]).intersection(AREA).area / AREA.area
            for k in range(1, 61)]
    assert got == pytest.approx(want, abs=1e-9)
    assert (np.diff(got) >= -1e-12).all()


def test_naive_objects_are_judged_by_the_same_rule():
    """The naive layer has no too_small column and ranks by its own rank: the same budget applies."""
    cands, refs = _case()
    naive = cands.assign(score=[4.0, 3.0, 2.0, 1.0]).drop(columns="rank")
    a = budget_table(cands, refs, AREA, 50, (0.02, 0.15))
    b = budget_table(naive, refs, AREA, 50, (0.02, 0.15))
    assert a.equals(b)
