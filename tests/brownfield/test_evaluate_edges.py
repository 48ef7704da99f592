"""The edges of the issue-19 assessment that the hand-worked layout of test_assess_parts does not reach.

An analysed area that is not a rectangle (empty blocks, shifted sites landing outside it), polygon,
MultiPoint and line references, a candidate exactly at the budget, candidates at or beyond the area's edge
in the raster of random orders, and the pairs the matcher admits and their order (nearest / best first).
Each layout is small enough to check by hand; areas are away from the origin (real UTM coordinates).
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely
from shapely.geometry import LineString, MultiPoint, Point, Polygon, box

from geo.brownfield import stats
from geo.brownfield.evaluate import (Matcher, _blocks, _PixelCover, _shifted, _site_blocks, assess, budget_table,
                                     cut)

X0, Y0 = 500_000.0, 5_000_000.0  # a corner of every area below


def _gdf(geoms, **cols) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(cols, geometry=list(geoms), crs=32632)


# ------------------------------------------------------------------ the matcher's pairs
def test_no_pairs_when_either_side_is_empty_as_two_empty_index_arrays():
    for m, refs in ((Matcher([box(0, 0, 10, 10)], 50.0, True), []), (Matcher([], 50.0, True), [Point(1, 1)])):
        ri, ci = m.pairs(refs)
        assert (len(ri), len(ci)) == (0, 0)
        assert ri.dtype.kind == "i" and ci.dtype.kind == "i"


def test_points_without_tolerance_pair_only_with_the_candidate_they_are_in_not_its_bounding_box():
    triangle = Polygon([(0, 0), (100, 0), (0, 100)])
    ri, ci = Matcher([triangle], 0.0, True).pairs([Point(80, 80), Point(10, 10)])
    assert (ri.tolist(), ci.tolist()) == ([1], [0])


def test_points_pair_nearest_candidate_first_whatever_the_candidates_order():
    far, near = box(40, 0, 50, 10), box(0, 20, 10, 30)  # 30 m and 10 m from the point
    ri, ci = Matcher([far, near], 50.0, True).pairs([Point(5, 5 + 5)])
    assert (ri.tolist(), ci.tolist()) == ([0, 0], [1, 0])


def test_polygons_pair_when_at_least_half_the_smaller_overlaps_best_first():
    ref = box(0, 0, 100, 100)
    c60, c90, c30 = box(40, 0, 140, 100), box(10, 0, 110, 100), box(70, 0, 170, 100)
    ri, ci = Matcher([c60, c90, c30], 50.0, False).pairs([ref])
    assert (ri.tolist(), ci.tolist()) == ([0, 0], [1, 0])


def test_the_overlap_rule_is_the_same_for_a_half_metre_site():
    ri, ci = Matcher([box(0, 0, 10, 10)], 0.0, False).pairs([box(2, 2, 2.5, 2.5)])
    assert (ri.tolist(), ci.tolist()) == ([0], [0])


def test_a_reference_without_area_overlaps_nothing():
    line = LineString([(1, 1), (9, 9)])
    ri, ci = Matcher([box(0, 0, 10, 10)], 0.0, False).pairs([line, box(1, 1, 9, 9)])
    assert (ri.tolist(), ci.tolist()) == ([1], [0])


def test_multipoint_references_are_matched_as_points_with_the_tolerance():
    area = box(X0, Y0, X0 + 1000, Y0 + 1000)
    cands = _gdf([box(X0 + 100, Y0 + 100, X0 + 200, Y0 + 200)], rank=[1])
    refs = _gdf([MultiPoint([(X0 + 230, Y0 + 150), (X0 + 240, Y0 + 150)])])
    t = budget_table(cands, refs, area, 50.0, (0.1,)).iloc[0]
    assert (t["matched"], t["recall"]) == (1, 1.0)


# ------------------------------------------------------------------ blocks of a non-rectangular area
def test_blocks_are_the_cells_of_the_grid_with_analysed_area_however_small():
    # three columns of 1 km, two rows; the top row only has its left cell and a 0.5 m2 sliver in its right one
    area = shapely.union_all([box(X0, Y0, X0 + 3000, Y0 + 1000), box(X0, Y0 + 1000, X0 + 1000, Y0 + 2000),
                              box(X0 + 2999.5, Y0 + 1000, X0 + 3000, Y0 + 1001)])
    refs = _gdf([Point(X0 + 500, Y0 + 500), Point(X0 + 500, Y0 + 1500), Point(X0 + 2999.8, Y0 + 1000.5)])
    cands = _gdf([box(X0 + 400, Y0 + 400, X0 + 600, Y0 + 600)], rank=[1])
    c = cut(cands, refs, area, 0.0, (0.5,))
    b = _blocks(refs, area, c, _site_blocks(refs, area, 1000.0), 1000.0)
    assert b.area.tolist() == pytest.approx([1e6, 1e6, 1e6, 1e6, 0.5])
    assert b.sites.tolist() == [1, 0, 0, 1, 1]
    assert b.hits[:, 0].tolist() == [1, 0, 0, 0, 0]
    assert b.flagged[:, 0].tolist() == pytest.approx([40_000, 0, 0, 0, 0])


# ------------------------------------------------------------------ the shifted reference
def test_shifted_polygons_keep_their_shape_with_their_anchor_on_the_drawn_point_and_outside_ones_dropped():
    area = box(X0, Y0, X0 + 600, Y0 + 600).difference(box(X0 + 300, Y0 + 300, X0 + 600, Y0 + 600))
    refs = _gdf([box(X0 + 10, Y0 + 20, X0 + 30, Y0 + 60), box(X0 + 100, Y0 + 100, X0 + 150, Y0 + 110)])
    move, x, y = _shifted(refs, area, points=False)
    sx, sy = np.array([X0 + 250, X0 + 500]), np.array([Y0 + 400, Y0 + 500])  # the second lands outside the L
    moved = move(sx, sy)
    assert len(moved) == 1
    dx, dy = X0 + 250 - x[0], Y0 + 400 - y[0]
    assert moved[0].equals_exact(shapely.affinity.translate(refs.geometry[0], dx, dy), 1e-6)


def test_sites_shifted_outside_a_non_rectangular_area_are_left_out_of_that_draw():
    # an L: the upper right quarter is not analysed; one site in the first candidate; 10 m tolerance
    area = box(X0, Y0, X0 + 600, Y0 + 600).difference(box(X0 + 300, Y0 + 300, X0 + 600, Y0 + 600))
    c1, c2 = box(X0, Y0, X0 + 100, Y0 + 100), box(X0 + 400, Y0, X0 + 500, Y0 + 100)
    cands = _gdf([c1, c2], rank=[1, 2])
    refs = _gdf([Point(X0 + 50, Y0 + 50)])
    budget, n = 0.05, 200  # the first candidate only (its 10 m halo clipped to the L: 4.5% of it)
    share = c1.buffer(10, quad_segs=16).intersection(area).area / area.area
    assert share < budget < 2 * share
    a = assess(cands, refs, area, 10.0, (budget,), seed=3, n_boot=5, n_chance=n)

    def lift_of(sx, sy):
        inside = [Point(p).intersects(area) for p in zip(sx, sy)]
        if not any(inside):
            return np.array([np.nan])
        hit = [Point(p).distance(c1) <= 10 for p, i in zip(zip(sx, sy), inside) if i]
        return np.array([np.mean(hit) / share])

    want = stats.shift_baseline(np.array([1 / share]), lift_of, np.array([X0 + 50]), np.array([Y0 + 50]),
                                area.bounds, n, 4)
    got = a.rankings["ours"].shift
    draws = []
    rng = np.random.default_rng(4)
    for _ in range(n):  # the draws themselves: some outside the L, some on the second candidate
        sx, sy = stats.toroidal_shift(np.array([X0 + 50]), np.array([Y0 + 50]), area.bounds,
                                      rng.uniform(0, 600), rng.uniform(0, 600))
        draws.append(Point(sx[0], sy[0]))
    assert any(not p.intersects(area) for p in draws) and any(p.distance(c2) <= 10 for p in draws)
    assert got.median.tolist() == pytest.approx(want.median.tolist(), nan_ok=True)
    assert got.p95.tolist() == pytest.approx(want.p95.tolist(), nan_ok=True)
    assert got.p_value.tolist() == pytest.approx(want.p_value.tolist())


# ------------------------------------------------------------------ random orders (raster) against the cut
def test_a_candidate_exactly_at_the_budget_is_in_the_list_in_random_orders_as_in_the_observed_cut():
    area = box(X0, Y0, X0 + 100, Y0 + 100)
    cands = _gdf([box(X0 + 20, Y0 + 30, X0 + 30, Y0 + 40)], rank=[1])  # 100 m2: 1% of the area, 4 cells
    refs = _gdf([Point(X0 + 25, Y0 + 35)])
    a = assess(cands, refs, area, 0.0, (0.01,), n_boot=5, n_chance=3)
    f = a.rankings["ours"]
    assert f.table["candidates"].tolist() == [1] and f.table["lift"].tolist() == [100.0]
    assert f.order.median.tolist() == pytest.approx([100.0])


def test_polygon_references_cut_random_orders_without_the_tolerance():
    area = box(X0, Y0, X0 + 600, Y0 + 600)
    # 101.6 m wide: on the 5 m raster 20 x 20 cells (the 101.6 m edge is short of the next cell centre by 0.9 m)
    cand = box(X0, Y0, X0 + 101.6, Y0 + 100)
    refs = _gdf([box(X0 + 10, Y0 + 10, X0 + 60, Y0 + 60)])
    a = assess(_gdf([cand], rank=[1]), refs, area, 50.0, (0.1,), n_boot=5, n_chance=3)
    f = a.rankings["ours"]
    assert not a.points and f.table["matched"].tolist() == [1]
    assert f.order.median.tolist() == pytest.approx([1 / (400 * 25 / area.area)])


def _cells_inside(geom, area, cell=5.0) -> int:
    x0, y0, x1, y1 = area.bounds
    xs, ys = np.meshgrid(np.arange(x0, x1, cell) + cell / 2, np.arange(y0, y1, cell) + cell / 2)
    return int(shapely.contains_xy(geom, xs, ys).sum())


def test_the_raster_of_random_orders_counts_the_same_cells_as_the_grown_candidates_on_the_area():
    area = box(X0, Y0, X0 + 200, Y0 + 150)
    cands = [
        box(X0, Y0 + 40, X0 + 30, Y0 + 70),             # on the left edge
        box(X0 + 300, Y0, X0 + 320, Y0 + 20),            # outside: nothing
        box(X0 + 20, Y0 + 50, X0 + 60, Y0 + 90),         # overlaps the first
        box(X0 + 200, Y0 + 10, X0 + 220, Y0 + 30),       # touches the right edge from outside: a line
        box(X0 + 100, Y0 + 150, X0 + 120, Y0 + 170),     # touches the top edge from outside: a line
        box(X0 + 100.1, Y0 + 100.4, X0 + 100.2, Y0 + 100.5),  # grown by 50 m, a circle between cell centres
        box(X0 + 150, Y0 + 20, X0 + 190, Y0 + 40),       # after the lines, away from the edges
    ]
    for tol in (0.0, 50.0):
        cover = _PixelCover(cands, area, tol)
        grown = [shapely.intersection(shapely.buffer(g, tol, quad_segs=16) if tol else g, area) for g in cands]
        for order in (np.arange(len(cands)), np.arange(len(cands))[::-1], np.array([6, 2, 4, 0, 3, 5, 1])):
            want = [_cells_inside(shapely.union_all([grown[i] for i in order[:k + 1]]), area) * 25 / area.area
                    for k in range(len(order))]
            assert cover.shares(order).tolist() == pytest.approx(want, abs=1e-12), (tol, order)


def test_an_area_without_area_flags_nothing_in_the_raster():
    cover = _PixelCover([box(X0, Y0, X0 + 10, Y0 + 10)], LineString([(X0, Y0), (X0 + 20, Y0 + 20)]), 0.0)
    assert cover.shares(np.array([0])).tolist() == [0.0]


# ------------------------------------------------------------------ the paired comparison
def test_the_mcnemar_p_value_is_rounded_to_four_decimals():
    area = box(X0, Y0, X0 + 2000, Y0 + 2000)
    ours = _gdf([box(X0 + 300 * i, Y0 + 100, X0 + 300 * i + 20, Y0 + 120) for i in range(6)], rank=range(1, 7))
    naive = _gdf([box(X0 + 300 * i, Y0 + 1500, X0 + 300 * i + 20, Y0 + 1520) for i in range(6)], rank=range(1, 7))
    refs = _gdf([Point(X0 + 300 * i + 10, Y0 + 110) for i in range(6)])
    a = assess(ours, refs, area, 0.0, (0.01,), naive=naive, n_boot=5, n_chance=3)
    q = a.paired[0]
    assert (q["only_ours"], q["only_naive"]) == (6, 0)
    assert q["mcnemar_p"] == 0.0312  # 2 / 2**6 = 0.03125
