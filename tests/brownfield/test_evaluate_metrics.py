"""Evaluation figures on hand-made geometry whose answers are known: IoU and overlap at exactly 0.5,
point tolerance at exactly the distance, one-to-one matching, flagged share, lift, precision@k, size classes."""

from __future__ import annotations

import geopandas as gpd
import pytest
from shapely.geometry import Point, box


from geo.brownfield.evaluate import (Evaluation, _flagged, _match_points, _match_polygons, budget_table, evaluate,
                                     ranked)

AREA = box(0, 0, 1000, 1000)  # 1 km2 in EPSG:32632


def gdf(geoms, **cols):
    return gpd.GeoDataFrame(cols, geometry=list(geoms), crs=32632)


def test_iou_of_exactly_one_half_matches():
    cands = gdf([box(0, 0, 100, 100)], score=[1.0])
    half = gdf([box(0, 0, 100, 50)])  # intersection 5000, union 10000: IoU 0.5
    assert _match_polygons(cands, half, "iou") == {0: 0}
    just_under = gdf([box(0, 0, 100, 49.9)])
    assert _match_polygons(cands, just_under, "iou") == {}
    ev = evaluate(cands, half, AREA)
    assert ev.recall == 1.0 and ev.recall_overlap == 1.0


def test_overlap_of_exactly_half_the_smaller_matches():
    cands = gdf([box(0, 0, 100, 100)], score=[1.0])
    shifted = gdf([box(50, 0, 150, 100)])  # overlap 5000 of 10000 (both equal); IoU 1/3
    assert _match_polygons(cands, shifted, "overlap") == {0: 0}
    assert _match_polygons(cands, shifted, "iou") == {}
    assert _match_polygons(cands, gdf([box(51, 0, 151, 100)]), "overlap") == {}
    ev = evaluate(cands, shifted, AREA)
    assert ev.recall == 0.0 and ev.recall_overlap == 1.0
    assert ev.flagged_share == 0.01  # polygons: no tolerance around the candidates
    three = gdf([box(50, 0, 150, 100), box(400, 400, 500, 500), box(800, 800, 900, 900)])
    ev = evaluate(cands, three, AREA)
    assert ev.recall_overlap == 0.3333 and ev.n_reference == 3
    # Touching polygons (no area in common) never match.
    assert _match_polygons(cands, gdf([box(100, 0, 200, 100)]), "overlap") == {}


def test_polygon_matching_is_one_to_one_best_first():
    cands = gdf([box(0, 0, 100, 100), box(0, 0, 100, 90)], score=[1.0, 0.5])
    refs = gdf([box(0, 0, 100, 95)])
    # Both candidates pass 0.5; the better (IoU 0.95 vs 0.947) takes it.
    assert _match_polygons(cands, refs, "iou") == {0: 0}
    # One candidate, two references it matches: it counts once.
    assert _match_polygons(cands.iloc[:1], gdf([box(0, 0, 100, 95), box(0, 0, 100, 90)]), "iou") == {0: 0}
    refs2 = gdf([box(0, 0, 100, 89), box(0, 0, 100, 99)])
    assert _match_polygons(cands, refs2, "iou") == {1: 0, 0: 1}


def test_point_tolerance_is_inclusive_and_matching_one_to_one_nearest_first():
    cands = gdf([box(0, 0, 100, 100), box(500, 500, 600, 600)], score=[0.9, 0.5])
    refs = gdf([Point(150, 50), Point(120, 50), Point(650.5, 550), Point(550, 550)])
    # 50 m exactly is within a 50 m tolerance; 50.5 m is not. Candidate 0 goes to the nearer point (20 m).
    assert _match_points(cands, refs, 50) == {1: 0, 3: 1}
    assert _match_points(cands, refs.iloc[[0, 2]], 50) == {0: 0}
    assert _match_points(cands, refs.iloc[:0], 50) == {} and _match_points(cands.iloc[:0], refs, 50) == {}


def test_recall_flagged_share_and_lift():
    cands = gdf([box(0, 0, 100, 100), box(500, 500, 600, 600)], score=[0.9, 0.5])
    refs = gdf([Point(50, 50), Point(900, 900), Point(2000, 2000)])  # the last is outside the area
    ev = evaluate(cands, refs, AREA, tolerance_m=0)
    assert (ev.n_reference, ev.n_candidates) == (2, 2)
    assert ev.recall == 0.5 and ev.flagged_share == 0.02 and ev.lift == 25.0
    ev = evaluate(cands, refs, AREA, tolerance_m=50)
    flagged = (box(0, 0, 100, 100).buffer(50).intersection(AREA).area + box(500, 500, 600, 600).buffer(50).area) / 1e6
    assert ev.flagged_share == round(flagged, 4) and ev.lift == round(0.5 / round(flagged, 4), 2)
    assert ev.recall_overlap is None and ev.precision_at_k == {}
    # Without an analysed area, the candidates' extent is the area.
    ev = evaluate(cands, refs, tolerance_m=0)
    assert ev.n_reference == 1 and ev.flagged_share == round(20000 / 360000, 4)
    # Nothing flagged: lift 0, not a division by zero.
    ev = evaluate(cands.iloc[:0], refs, AREA)
    assert (ev.recall, ev.flagged_share, ev.lift) == (0.0, 0.0, 0.0)
    ev = evaluate(cands, refs.iloc[:0], AREA)
    assert (ev.n_reference, ev.recall, ev.recall_overlap) == (0, 0.0, 0.0)
    assert ev.by_size["recall"].tolist() == [0.0] * 4 and ev.by_size["lift"].tolist() == [0.0] * 4
    # Four decimals.
    ev = evaluate(cands, gdf([Point(50, 50), Point(900, 900), Point(950, 950)]), AREA, tolerance_m=0)
    assert ev.recall == 0.3333 and ev.lift == 16.67


def test_the_default_tolerance_is_fifty_metres():
    cands = gdf([box(0, 0, 100, 100)], score=[1.0])
    assert evaluate(cands, gdf([Point(150, 50)]), AREA).recall == 1.0
    assert evaluate(cands, gdf([Point(150.5, 50)]), AREA).recall == 0.0
    flagged = round(box(0, 0, 100, 100).buffer(50).intersection(AREA).area / 1e6, 4)
    assert evaluate(cands, gdf([Point(150, 50)]), AREA).flagged_share == flagged


def test_the_callers_index_and_columns_do_not_matter():
    # A frame the caller reset (an 'index' column) or indexed by id evaluates like any other.
    cands = gdf([box(0, 0, 100, 100), box(500, 500, 600, 600)], score=[0.9, 0.5]).reset_index()
    cands.index = ["a", "b"]
    refs = gdf([Point(50, 50), Point(900, 900)], pos=[True, False]).reset_index()
    ev = evaluate(cands, refs, AREA, tolerance_m=0, label_column="pos", ks=(1,))
    assert (ev.n_reference, ev.recall, ev.precision_at_k) == (1, 1.0, {1: 1.0})
    ev = evaluate(cands, refs, AREA, tolerance_m=0)
    assert ev.n_reference == 2 and ev.recall == 0.5
    # A label column that the reference does not have is ignored, not an error.
    ev = evaluate(cands, refs, AREA, tolerance_m=0, label_column="no_such_column")
    assert ev.n_reference == 2 and ev.precision_at_k == {}


def test_flagged_share_edge_cases():
    cands = gdf([box(0, 0, 100, 100)])
    assert _flagged(cands, AREA, 0) == 0.01
    assert _flagged(cands.iloc[:0], AREA, 0) == 0.0
    assert _flagged(cands, Point(0, 0), 0) == 0.0  # an area of zero


def test_precision_at_k_counts_only_candidates_touching_a_labelled_site():
    cands = gdf([box(0, 0, 100, 100), box(300, 300, 400, 400), box(500, 500, 600, 600), box(800, 0, 900, 100)],
                score=[0.9, 0.8, 0.7, 0.95])
    refs = gdf([Point(50, 50), Point(350, 350), Point(550, 550)], pos=[True, False, True])
    ev = evaluate(cands, refs, AREA, tolerance_m=0, label_column="pos", ks=(1, 2, 3, 10))
    # Ranked by score: 3 (touches nothing, skipped), 0 (pos), 1 (neg), 2 (pos).
    assert ev.precision_at_k == {1: 1.0, 2: 0.5, 3: 0.667, 10: 0.667}
    assert ev.n_reference == 2 and ev.recall == 1.0
    polys = gdf([box(0, 0, 100, 100), box(300, 300, 400, 400)], pos=[True, False])
    ev = evaluate(cands, polys, AREA, label_column="pos", ks=(1, 2))
    assert ev.precision_at_k == {1: 1.0, 2: 0.5} and ev.recall_overlap == 1.0
    # Polygon negatives are matched like polygon positives (IoU >= 0.5), not by distance or by overlap:
    # one 20 m beside candidate 3 and one small inside candidate 2 touch nothing.
    polys = gdf([box(0, 0, 100, 100), box(920, 0, 1000, 100), box(520, 520, 540, 540)], pos=[True, False, False])
    ev = evaluate(cands, polys, AREA, label_column="pos", ks=(1, 2))
    assert ev.precision_at_k == {1: 1.0, 2: 1.0}


def test_by_size_class():
    small, mid, big = box(0, 0, 50, 50), box(200, 200, 300, 280), box(400, 400, 700, 700)  # 2500, 8000, 90000 m2
    cands = gdf([small, mid, big], score=[1.0, 1.0, 1.0])
    refs = gdf([Point(25, 25), Point(550, 550)])
    ev = evaluate(cands, refs, AREA, tolerance_m=0)
    rows = ev.by_size.set_index("size_class")
    assert list(rows.index) == ["0.2-0.5 ha", "0.5-1 ha", "1-5 ha", ">5 ha"]
    assert rows["candidates"].tolist() == [1, 1, 0, 1] and rows["matched"].tolist() == [1, 0, 0, 1]
    assert rows["recall"].tolist() == [0.5, 0.0, 0.0, 0.5]
    assert rows["flagged_share"].tolist() == pytest.approx([0.0025, 0.008, 0.0, 0.09])
    assert rows.loc["0.2-0.5 ha", "lift"] == pytest.approx(200.0) and rows.loc["1-5 ha", "lift"] == 0.0
    assert "reference_sites" not in rows  # point references have no size
    prefs = gdf([box(0, 0, 50, 50), box(400, 400, 700, 700), box(0, 900, 10, 910)])
    rows = evaluate(cands, prefs, AREA).by_size.set_index("size_class")
    assert rows["reference_sites"].tolist() == [2, 0, 0, 1]


def test_to_dict_and_table():
    ev = Evaluation(3, 2, 0.5, 0.02, 25.0, recall_overlap=0.25, precision_at_k={10: 0.5})
    assert ev.to_dict() == {"n_reference": 3, "n_candidates": 2, "recall": 0.5, "flagged_share": 0.02,
                            "lift": 25.0, "recall_overlap": 0.25, "precision_at_k": {10: 0.5}, "by_size": []}
    assert ev.table() == ("reference sites: 3   candidates: 2\n"
                          "recall: 0.500   flagged share: 0.020   lift: 25.00\n"
                          "recall (overlap >= 50% of smaller): 0.250\n"
                          "precision@10: 0.500")
    ev = evaluate(gdf([box(0, 0, 100, 100)], score=[1.0]), gdf([Point(50, 50)]), AREA, tolerance_m=0)
    d = ev.to_dict()
    assert d["by_size"][0] == {"size_class": "0.2-0.5 ha", "candidates": 0, "matched": 0, "recall": 0.0,
                               "flagged_share": 0.0, "lift": 0.0}
    assert d["by_size"][2]["matched"] == 1
    lines = ev.table().splitlines()
    assert lines[:2] == ["reference sites: 1   candidates: 1", "recall: 1.000   flagged share: 0.010   lift: 100.00"]
    assert lines[2].split() == ["size_class", "candidates", "matched", "recall", "flagged_share", "lift"]
    assert lines[5].split() == ["1-5", "ha", "1", "1", "1.000", "0.010", "100.000"]  # no row index


def test_ranked_order_is_stable_among_ties():
    rng = __import__("numpy").random.default_rng(0)
    cands = gdf([box(0, 0, 1, 1)] * 400, rank=rng.integers(0, 3, 400), i=range(400))
    out = ranked(cands)
    assert out["rank"].is_monotonic_increasing
    for _, group in out.groupby("rank"):
        assert group["i"].is_monotonic_increasing
    assert ranked(gdf([box(0, 0, 1, 1)] * 3, score=[0.1, 0.9, 0.5], too_small=[False, True, False])
                  )["score"].tolist() == [0.5, 0.1, 0.9]
    assert ranked(gdf([box(0, 0, 1, 1)] * 3, score=[0.1, 0.9, 0.5]))["score"].tolist() == [0.9, 0.5, 0.1]


# ------------------------------------------------------------------ the budget table's edges
def test_budget_table_edges():
    cands = gdf([box(0, 0, 100, 100), box(500, 500, 600, 600)], rank=[1, 2]).reset_index()  # an 'index' column
    refs = gdf([Point(50, 50), Point(550, 550)]).reset_index()
    t = budget_table(cands, refs, AREA, budgets=(0.01, 0.02, 0.04, 0.08)).set_index("budget")
    assert t["own_candidates"].tolist() == [1, 2, 2, 2]
    assert t["candidates"].tolist() == [0, 0, 1, 2] and t["recall"].tolist() == [0, 0, 0.5, 1.0]  # 1 ha + 50 m: 3.8%
    # Without an analysed area, the candidates' extent is the area; the default tolerance is 50 m.
    t = budget_table(cands, gdf([Point(150, 50)]), budgets=(1.0,))
    assert t["matched"].tolist() == [1]
    assert budget_table(cands, gdf([Point(150.5, 50)]), budgets=(1.0,))["matched"].tolist() == [0]
    # A budget met exactly by the share with the tolerance keeps the candidate.
    share = box(0, 0, 100, 100).area / AREA.area
    t = budget_table(cands, refs, AREA, 0, (share,))
    assert t["candidates"].tolist() == [1]


def test_budget_table_figures_have_four_decimals_and_an_area_of_zero_flags_nothing():
    from shapely.geometry import LineString

    cands = gdf([box(0, 0, 100, 100), box(500, 500, 600, 600)], rank=[1, 2])
    refs = gdf([Point(50, 50), Point(900, 900), Point(950, 950)])
    assert budget_table(cands, refs, AREA, 0, (0.01,)).to_dict("records") == [
        {"budget": 0.01, "candidates": 1, "matched": 1, "recall": 0.3333, "flagged_share": 0.01, "lift": 33.33,
         "own_candidates": 1, "own_matched": 1, "own_flagged": 0.01, "own_lift": 33.33}]
    assert budget_table(cands, refs, LineString([(0, 0), (1000, 1000)]), 0, (0.01,)).to_dict("records") == [
        {"budget": 0.01, "candidates": 2, "matched": 1, "recall": 0.3333, "flagged_share": 0.0, "lift": 0.0,
         "own_candidates": 2, "own_matched": 1, "own_flagged": 0.0, "own_lift": 0.0}]
    none = budget_table(cands, refs.iloc[:0], AREA, 0, (0.01, 0.0))
    assert none["recall"].tolist() == [0.0, 0.0] and none["candidates"].tolist() == [1, 0]
    assert none["own_flagged"].tolist() == [0.01, 0.0]


def test_budget_table_shares_to_four_decimals_and_no_candidates():
    cands = gdf([box(0, 0, 31, 31)], rank=[1])  # 961 m2 of 1 km2: 0.000961, about 0.000982 with 1/3 m around
    refs = gdf([Point(15, 15)])
    row = budget_table(cands, refs, AREA, 1 / 3, (0.01,)).to_dict("records")[0]
    assert row["flagged_share"] == 0.001 and row["own_flagged"] == 0.001
    empty = budget_table(cands.iloc[:0], refs, AREA, 50, (0.01,)).to_dict("records")[0]
    assert (empty["candidates"], empty["matched"], empty["flagged_share"]) == (0, 0, 0.0)
