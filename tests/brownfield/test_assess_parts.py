"""assess() put together from its parts on a layout small enough to work out by hand (issue 19).

Six 60 x 60 m candidates far apart (their 50 m halos never overlap) in a 3 x 3 km area away from the
origin, four 1.5 km blocks; four reference points: inside the 1st, 3rd and 5th candidates, and one far from
all in the 1st candidate's block (a block of two sites: resampling blocks is then not resampling sites). Each figure of
:func:`geo.brownfield.evaluate.assess` is then recomputed from :mod:`geo.brownfield.stats` with the hits,
shares and blocks written here, and the seeds the docstring promises (sites and blocks: ``seed``; shifted
reference: ``seed + 1``; random orders: ``seed + 2``).
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
from shapely.geometry import Point, box

from geo.brownfield import stats
from geo.brownfield.evaluate import assess

AREA = box(1000, 2000, 4000, 5000)
# blocks (row, column):  (0, 0)        (0, 0)        (1, 0)        (0, 1)        (1, 1)        (1, 1)
CORNERS = [(1200, 2700), (1700, 2700), (2200, 4200), (2800, 2700), (3300, 4200), (3800, 4200)]
# in the 1st, 3rd and 5th candidate, the last far from all: blocks (0, 0), (1, 0), (1, 1), (0, 0)
REFS = [(1230, 2730), (2230, 4230), (3330, 4230), (1400, 3300)]
BUDGETS = (0.001, 0.003, 0.0055, 0.0105)  # 0, 1, 2 and 4 candidates with their halos (each 0.26 % of the area)
SEED, N_BOOT, N_CHANCE = 5, 60, 39


def _frames():
    cands = gpd.GeoDataFrame({"rank": np.arange(1, 7), "score": np.linspace(1, 0.5, 6)},
                             geometry=[box(x, y, x + 60, y + 60) for x, y in CORNERS], crs=32632)
    refs = gpd.GeoDataFrame(geometry=[Point(p) for p in REFS], crs=32632)
    return cands, refs


def _unit() -> float:
    """One candidate grown by 50 m, as a share of the area."""
    return box(0, 0, 60, 60).buffer(50, quad_segs=16).area / AREA.area


def _approx(got: list, want: list) -> None:
    assert [(i.value, i.lo, i.hi) for i in got] == [pytest.approx((i.value, i.lo, i.hi), rel=1e-9, nan_ok=True)
                                                    for i in want]


def test_every_figure_of_the_assessment_comes_from_its_parts_and_its_seed():
    cands, refs = _frames()
    naive = cands.assign(rank=cands["rank"].to_numpy()[::-1])  # the same objects, the other way round
    a = assess(cands, refs, AREA, 50, BUDGETS, naive=naive, seed=SEED, n_boot=N_BOOT, n_chance=N_CHANCE)
    u = _unit()
    share = np.array([0, u, 2 * u, 4 * u])
    # ours: the top 1 and 2 hold the 1st reference, the top 4 also the 2nd; naive (6, 5, 4, 3...): the 3rd from
    # the top 2 on, then the 2nd.
    hits = np.array([[0, 1, 1, 1], [0, 0, 0, 1], [0, 0, 0, 0], [0, 0, 0, 0]], bool)
    naive_hits = np.array([[0, 0, 0, 0], [0, 0, 0, 1], [0, 0, 1, 1], [0, 0, 0, 0]], bool)
    assert (a.budgets, a.n_reference, a.n_blocks, a.tolerance_m, a.points) == (BUDGETS, 4, 3, 50, True)
    assert (a.seed, a.n_boot, a.n_chance) == (SEED, N_BOOT, N_CHANCE)
    ours = a.rankings["ours"]
    assert list(a.rankings) == ["ours", "naive"] and ours.name == "ours" and a.rankings["naive"].name == "naive"
    t = ours.table
    assert t["candidates"].tolist() == [0, 1, 2, 4] and t["matched"].tolist() == [0, 1, 1, 2]
    assert t["recall"].tolist() == [0, 0.25, 0.25, 0.5]
    assert t["flagged_share"].tolist() == pytest.approx(share, abs=1e-4)
    assert a.rankings["naive"].table["matched"].tolist() == [0, 0, 1, 2]
    # Intervals over sites, then over the two blocks (sites, hits, analysed area and flagged area per block).
    want_r, want_l = stats.site_bootstrap(hits, share, N_BOOT, SEED)
    _approx(ours.recall_site, want_r)
    _approx(ours.lift_site, want_l)
    # blocks in the order (0, 0), (0, 1), (1, 0), (1, 1)
    blocks = stats.Blocks(np.array([2, 0, 1, 1]), np.array([[0, 1, 1, 1], [0, 0, 0, 0], [0, 0, 0, 1], [0, 0, 0, 0]], float),
                          np.full(4, AREA.area / 4),
                          np.array([[0, u, 2 * u, 2 * u], [0, 0, 0, u], [0, 0, 0, u], [0, 0, 0, 0]]) * AREA.area)
    want_r, want_l = stats.block_bootstrap(blocks, N_BOOT, SEED)
    _approx(ours.recall_block, want_r)
    _approx(ours.lift_block, want_l)
    nb = stats.Blocks(np.array([2, 0, 1, 1]), np.array([[0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 1], [0, 0, 1, 1]], float),
                      np.full(4, AREA.area / 4),
                      np.array([[0, 0, 0, 0], [0, 0, 0, u], [0, 0, 0, u], [0, u, 2 * u, 2 * u]]) * AREA.area)
    _approx(a.rankings["naive"].recall_block, stats.block_bootstrap(nb, N_BOOT, SEED)[0])
    # Chance by shifting: the whole point set moved rigidly; a moved point is a hit when within 50 m of one of
    # the top k (one to one is automatic here: the points are farther apart than a grown candidate is wide).
    observed = np.where(share > 0, hits.mean(0) / np.where(share > 0, share, 1), 0.0)
    xy = np.array(REFS, float)

    def lift_of(sx, sy):
        out = []
        for k, s in zip((0, 1, 2, 4), share):
            near = [k > 0 and min(box(x, y, x + 60, y + 60).distance(Point(px, py)) for x, y in CORNERS[:k]) <= 50
                    for px, py in zip(sx, sy)]
            out.append(np.mean(near) / s if s > 0 else 0.0)
        return np.array(out)

    shift = stats.shift_baseline(observed, lift_of, xy[:, 0], xy[:, 1], AREA.bounds, N_CHANCE, SEED + 1)
    assert ours.shift.median == pytest.approx(shift.median) and ours.shift.p95 == pytest.approx(shift.p95)
    assert ours.shift.p_value == pytest.approx(shift.p_value) and ours.shift.draws == N_CHANCE
    assert ours.verdict_chance == [stats.better_than_chance(p) for p in shift.p_value]
    assert ours.verdict_chance[0] == "no" and "yes" in ours.verdict_chance  # an empty list is no better than chance

    # Chance by order: the same six candidates in random orders, cut by the same rule (2 and 4 of them).
    def lift_of_order(order):
        top = [set(order[:k].tolist()) for k in (0, 1, 2, 4)]
        return np.array([np.mean([i in t for i in (0, 2, 4)] + [False]) / s if s > 0 else 0.0
                         for t, s in zip(top, share)])

    order = stats.order_baseline(observed, lift_of_order, 6, N_CHANCE, SEED + 2)
    assert ours.order.median[0] == 0 and ours.order.p95[0] == 0  # no candidate fits 0.1 %: nothing is found
    assert ours.order.median == pytest.approx(order.median, rel=0.02)  # the order's shares come from a 5 m raster
    assert ours.order.p95 == pytest.approx(order.p95, rel=0.02) and ours.order.draws == N_CHANCE
    # Paired with the naive ranking: McNemar on the sites, a paired bootstrap over sites and over blocks.
    site_block = stats.block_ids(xy[:, 0], xy[:, 1], (1000, 2000), 1500)
    assert site_block.tolist() == [0, 1_000_003, 1_000_004, 0]
    for q, p in enumerate(a.paired):
        only_a, only_b, pm = stats.mcnemar_exact(hits[:, q], naive_hits[:, q])
        d_site = stats.paired_bootstrap(hits[:, q], share[q], naive_hits[:, q], share[q], None, N_BOOT, SEED)
        d_block = stats.paired_bootstrap(hits[:, q], share[q], naive_hits[:, q], share[q], site_block, N_BOOT, SEED)
        assert p["budget"] == BUDGETS[q] and p["both"] == int((hits[:, q] & naive_hits[:, q]).sum())
        assert (p["only_ours"], p["only_naive"], p["mcnemar_p"]) == (only_a, only_b, round(pm, 4))
        assert p["lift_difference"] == pytest.approx(d_site.to_dict(), abs=1e-4)
        assert p["lift_difference_block"] == pytest.approx(d_block.to_dict(), abs=1e-4)
        assert p["better_than_naive"] == stats.better_than(d_block, pm)
    assert [p["both"] for p in a.paired] == [0, 0, 0, 1] and [p["only_ours"] for p in a.paired] == [0, 1, 1, 1]


def test_no_reference_site_in_the_area_gives_no_chance_draws_and_no_paired_comparison():
    cands, _refs = _frames()
    outside = gpd.GeoDataFrame(geometry=[Point(9000, 9000)], crs=32632)
    a = assess(cands, outside, AREA, 50, BUDGETS, naive=cands, seed=SEED, n_boot=N_BOOT, n_chance=N_CHANCE)
    assert (a.n_reference, a.n_blocks, a.paired, list(a.rankings)) == (0, 0, [], ["ours", "naive"])
    assert a.points and a.to_dict()["tolerance_m"] == 50  # no site: nothing says polygons
    assert a.rankings["ours"].table["own_lift"].tolist() == [0] * 4 and a.rankings["ours"].table["lift"].tolist() == [0] * 4
    for f in a.rankings.values():
        assert f.verdict_chance == ["no"] * 4 and f.shift.draws == 0 and f.order.draws == 0
        assert f.table["candidates"].tolist() == [0, 1, 2, 4] and f.table["recall"].tolist() == [0] * 4
        assert all(np.isnan(i.value) for i in f.recall_site + f.lift_site + f.recall_block)
        assert f.shift.p_value.tolist() == [1.0] * 4 and f.order.p_value.tolist() == [1.0] * 4
    # One site: still shifted and reordered (a draw of one point is a draw).
    f = assess(cands, _frames()[1].iloc[:1], AREA, 50, BUDGETS, seed=SEED, n_boot=N_BOOT,
               n_chance=N_CHANCE).rankings["ours"]
    assert np.isfinite(f.shift.median).all() and f.shift.median[0] == 0
    assert f.order.median[3] == pytest.approx(1 / (4 * _unit()), rel=0.02)  # the 1st is in the top 4 of most orders
    # No candidate at all: nothing to cut, nothing to draw.
    none = assess(cands.iloc[:0], _frames()[1], AREA, 50, BUDGETS, seed=SEED, n_boot=N_BOOT, n_chance=N_CHANCE)
    f = none.rankings["ours"]
    assert none.n_reference == 4 and f.table["candidates"].tolist() == [0] * 4 and f.order.draws == 0
    assert f.table["matched"].tolist() == [0] * 4 and f.verdict_chance == ["no"] * 4
    assert f.table["own_candidates"].tolist() == [0] * 4 and f.table["own_flagged"].tolist() == [0] * 4
    # every shifted draw finds nothing either: lift 0, and 0 is as high as the observed 0 every time
    assert f.shift.draws == N_CHANCE and f.shift.median.tolist() == [0] * 4 and f.shift.p_value.tolist() == [1.0] * 4


def test_the_defaults_are_fifty_metres_seed_zero_the_stats_counts_and_blocks_of_a_kilometre_and_a_half(monkeypatch):
    cands, refs = _frames()
    monkeypatch.setattr(stats, "N_BOOT", 40)  # the library's counts, made small for the test
    monkeypatch.setattr(stats, "N_CHANCE", 9)
    got = assess(cands, refs, AREA, budgets=BUDGETS)
    assert got.to_dict() == assess(cands, refs, AREA, 50.0, BUDGETS, seed=0, n_boot=40, n_chance=9,
                                   block_m=1500.0).to_dict()
    assert (got.n_boot, got.n_chance, got.n_blocks, got.seed, got.tolerance_m) == (40, 9, 3, 0, 50.0)
    # 3 km blocks: the four sites fall in one.
    assert assess(cands, refs, AREA, 50, BUDGETS, n_boot=40, n_chance=9, block_m=3000.0).n_blocks == 1


def test_the_raster_cover_counts_each_cell_once_in_any_order():
    """The random-order baseline's shares: 5 m cells of the area, each counted once, clipped to the area."""
    from geo.brownfield.evaluate import _PixelCover

    area = box(1000, 2000, 1100, 2100)  # 20 x 20 cells of 25 m²: one cell is 0.25 % of the area
    geoms = [box(1010, 2010, 1030, 2030),   # 16 cells
             box(1020, 2020, 1040, 2040),   # 16 cells, 4 of them shared with the first
             box(1090, 2090, 1120, 2120),   # 4 cells inside the area, the rest outside
             box(5000, 5000, 5010, 5010)]   # outside: no cell
    cover = _PixelCover(geoms, area, 0.0)
    assert cover.shares(np.array([0, 1, 2, 3])).tolist() == pytest.approx([0.04, 0.07, 0.08, 0.08], abs=1e-12)
    assert cover.shares(np.array([3, 2, 1, 0])).tolist() == pytest.approx([0.0, 0.01, 0.05, 0.08], abs=1e-12)
    # Grown by 5 m (rounded corners): the 36 cells whose centres lie within 5 m of the first square.
    assert _PixelCover(geoms[:1], area, 5.0).shares(np.array([0])).tolist() == pytest.approx([0.09], abs=1e-12)


def test_no_budget_gives_an_empty_table():
    from geo.brownfield.evaluate import budget_table, cut

    cands, refs = _frames()
    assert budget_table(cands, refs, AREA, 50, ()).empty
    c = cut(cands, refs, AREA, 50, ())
    assert c.hits.shape == (4, 0) and c.own_hits.shape == (4, 0) and c.hits.dtype == bool
