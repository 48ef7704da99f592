"""assess() put together from its parts on a layout small enough to work out by hand (issue 19).

Six 60 x 60 m candidates far apart (their 50 m halos never overlap) in a 3 x 1.5 km area of two 1.5 km
blocks; four reference points: inside the 1st, 3rd and 5th candidates, and one far from all. Each figure of
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

AREA = box(0, 0, 3000, 1500)
CORNERS = [(200, 700), (700, 700), (1200, 700), (1800, 700), (2300, 700), (2800, 700)]  # blocks 0, 0, 0, 1, 1, 1
REFS = [(230, 730), (1230, 730), (2330, 730), (1500, 200)]  # in the 1st, 3rd, 5th candidate; the last far from all
BUDGETS = (0.011, 0.021)  # 2 and 4 candidates with their halos (each 0.52 % of the area)
SEED, N_BOOT, N_CHANCE = 5, 60, 19


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
    share = np.array([2 * u, 4 * u])
    # ours: the top 2 hold the 1st reference, the top 4 also the 2nd; naive (6, 5, 4, 3...): the 3rd, then the 2nd.
    hits = np.array([[1, 1], [0, 1], [0, 0], [0, 0]], bool)
    naive_hits = np.array([[0, 0], [0, 1], [1, 1], [0, 0]], bool)
    assert (a.budgets, a.n_reference, a.n_blocks, a.tolerance_m, a.points) == (BUDGETS, 4, 2, 50, True)
    assert (a.seed, a.n_boot, a.n_chance) == (SEED, N_BOOT, N_CHANCE)
    ours = a.rankings["ours"]
    assert list(a.rankings) == ["ours", "naive"] and ours.name == "ours" and a.rankings["naive"].name == "naive"
    t = ours.table
    assert t["candidates"].tolist() == [2, 4] and t["matched"].tolist() == [1, 2]
    assert t["recall"].tolist() == [0.25, 0.5]
    assert t["flagged_share"].tolist() == pytest.approx(share, abs=1e-4)
    assert a.rankings["naive"].table["matched"].tolist() == [1, 2]
    # Intervals over sites, then over the two blocks (sites, hits, analysed area and flagged area per block).
    want_r, want_l = stats.site_bootstrap(hits, share, N_BOOT, SEED)
    _approx(ours.recall_site, want_r)
    _approx(ours.lift_site, want_l)
    blocks = stats.Blocks(np.array([2, 2]), np.array([[1.0, 2.0], [0.0, 0.0]]), np.array([AREA.area / 2] * 2),
                          np.array([[2 * u, 3 * u], [0.0, u]]) * AREA.area)
    want_r, want_l = stats.block_bootstrap(blocks, N_BOOT, SEED)
    _approx(ours.recall_block, want_r)
    _approx(ours.lift_block, want_l)
    nb = stats.Blocks(np.array([2, 2]), np.array([[0.0, 1.0], [1.0, 1.0]]), np.array([AREA.area / 2] * 2),
                      np.array([[0.0, u], [2 * u, 3 * u]]) * AREA.area)
    _approx(a.rankings["naive"].recall_block, stats.block_bootstrap(nb, N_BOOT, SEED)[0])
    # Chance by shifting: the whole point set moved rigidly; a moved point is a hit when within 50 m of one of
    # the top k (one to one is automatic here: the points are farther apart than a grown candidate is wide).
    observed = hits.mean(0) / share
    xy = np.array(REFS, float)

    def lift_of(sx, sy):
        out = []
        for k, s in zip((2, 4), share):
            near = [min(box(x, y, x + 60, y + 60).distance(Point(px, py)) for x, y in CORNERS[:k]) <= 50
                    for px, py in zip(sx, sy)]
            out.append(np.mean(near) / s)
        return np.array(out)

    shift = stats.shift_baseline(observed, lift_of, xy[:, 0], xy[:, 1], AREA.bounds, N_CHANCE, SEED + 1)
    assert ours.shift.median == pytest.approx(shift.median) and ours.shift.p95 == pytest.approx(shift.p95)
    assert ours.shift.p_value == pytest.approx(shift.p_value) and ours.shift.draws == N_CHANCE
    assert ours.verdict_chance == [stats.better_than_chance(p) for p in shift.p_value]

    # Chance by order: the same six candidates in random orders, cut by the same rule (2 and 4 of them).
    def lift_of_order(order):
        top = [set(order[:2].tolist()), set(order[:4].tolist())]
        return np.array([np.mean([i in t for i in (0, 2, 4)] + [False]) / s for t, s in zip(top, share)])

    order = stats.order_baseline(observed, lift_of_order, 6, N_CHANCE, SEED + 2)
    assert ours.order.median == pytest.approx(order.median, rel=0.02)  # the order's shares come from a 5 m raster
    assert ours.order.p95 == pytest.approx(order.p95, rel=0.02) and ours.order.draws == N_CHANCE
    # Paired with the naive ranking: McNemar on the sites, a paired bootstrap over sites and over blocks.
    for q, p in enumerate(a.paired):
        only_a, only_b, pm = stats.mcnemar_exact(hits[:, q], naive_hits[:, q])
        d_site = stats.paired_bootstrap(hits[:, q], share[q], naive_hits[:, q], share[q], None, N_BOOT, SEED)
        d_block = stats.paired_bootstrap(hits[:, q], share[q], naive_hits[:, q], share[q], np.array([0, 0, 1, 1]),
                                         N_BOOT, SEED)
        assert p["budget"] == BUDGETS[q] and p["both"] == int((hits[:, q] & naive_hits[:, q]).sum())
        assert (p["only_ours"], p["only_naive"], p["mcnemar_p"]) == (only_a, only_b, round(pm, 4))
        assert p["lift_difference"] == pytest.approx(d_site.to_dict(), abs=1e-4)
        assert p["lift_difference_block"] == pytest.approx(d_block.to_dict(), abs=1e-4)
        assert p["better_than_naive"] == stats.better_than(d_block, pm)
    assert [p["both"] for p in a.paired] == [0, 1] and [p["only_ours"] for p in a.paired] == [1, 1]
