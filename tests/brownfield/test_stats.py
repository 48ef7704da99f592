"""How sure an evaluation is (issue 19): intervals that cover the truth, chance baselines that say "no" to
chance and "yes" to a real signal, paired tests with known answers.

Coverage is measured on synthetic rankings of known quality: each reference site is found with a known
probability q at a budget whose flagged share is s, so the true recall is q and the true lift q / s.
With 200 replicates the standard error of a 95% coverage is 1.5 points; the accepted band, 0.90-0.99,
is about three standard errors wide on each side (the percentile bootstrap runs slightly under 95% with
35 sites: 93-95% measured).
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
from shapely.geometry import Point, box

from geo.brownfield import stats
from geo.brownfield.evaluate import assess, format_assessment

REPLICATES = 200
BAND = (0.90, 0.99)


@pytest.mark.parametrize("n, q", [(35, 0.2), (60, 0.4)])
def test_site_bootstrap_intervals_cover_the_true_recall_and_lift(n, q):
    rng = np.random.default_rng(11)
    share = 0.05
    cover_r = cover_l = 0
    for r in range(REPLICATES):
        hits = rng.random((n, 1)) < q
        rec, lift = stats.site_bootstrap(hits, np.array([share]), n_boot=400, seed=r)
        cover_r += rec[0].lo <= q <= rec[0].hi
        cover_l += lift[0].lo <= q / share <= lift[0].hi
    assert BAND[0] <= cover_r / REPLICATES <= BAND[1]
    assert BAND[0] <= cover_l / REPLICATES <= BAND[1]


def test_block_bootstrap_intervals_cover_the_true_recall_when_sites_cluster():
    """Sites come in blocks whose hit rate varies round q (clustered success): the block bootstrap covers q,
    while resampling sites one by one is too narrow."""
    rng = np.random.default_rng(7)
    q, nb = 0.3, 25
    cover_block = cover_site = 0
    for r in range(REPLICATES):
        sites = rng.poisson(2, nb) + 1
        qb = np.clip(q + rng.normal(0, 0.25, nb), 0, 1)
        qb = qb - (qb * sites).sum() / sites.sum() + q  # the blocks' rates average q over sites
        hits = rng.binomial(sites, np.clip(qb, 0, 1))
        blocks = stats.Blocks(sites, hits[:, None].astype(float), np.ones(nb), np.full((nb, 1), 0.05))
        rec, _lift = stats.block_bootstrap(blocks, n_boot=400, seed=r)
        cover_block += rec[0].lo <= q <= rec[0].hi
        per_site = np.concatenate([[1] * h + [0] * (s - h) for h, s in zip(hits, sites)]).astype(bool)[:, None]
        rs, _ = stats.site_bootstrap(per_site, np.array([0.05]), n_boot=400, seed=r)
        cover_site += rs[0].lo <= q <= rs[0].hi
    assert BAND[0] <= cover_block / REPLICATES <= BAND[1]
    assert cover_site < cover_block  # ignoring the clustering understates the spread


def test_mcnemar_exact_against_hand_computed_values():
    a = np.array([1] * 5 + [0] * 5, bool)
    assert stats.mcnemar_exact(a, np.zeros(10, bool)) == (5, 0, 0.0625)          # 2 x 0.5^5
    b = np.array([1] * 1 + [0] * 9, bool)
    c = np.array([0] * 1 + [1] * 8 + [0], bool)
    only_a, only_b, p = stats.mcnemar_exact(b, c)
    assert (only_a, only_b) == (1, 8) and p == pytest.approx(2 * (1 + 9) / 512)   # 0.039
    assert stats.mcnemar_exact(a, a) == (0, 0, 1.0)


def test_paired_bootstrap_and_the_verdicts():
    rng = np.random.default_rng(1)
    h = rng.random(35) < 0.3
    same = stats.paired_bootstrap(h, 0.05, h, 0.05, n_boot=300)
    assert (same.value, same.lo, same.hi) == (0.0, 0.0, 0.0)
    assert stats.better_than(same, 1.0) == "cannot tell"
    strong = np.r_[np.ones(30, bool), np.zeros(5, bool)]
    weak = np.r_[np.zeros(30, bool), np.ones(5, bool)]
    d = stats.paired_bootstrap(strong, 0.05, weak, 0.05, n_boot=300)
    assert d.lo > 0 and stats.better_than(d, stats.mcnemar_exact(strong, weak)[2]) == "yes"
    d = stats.paired_bootstrap(weak, 0.05, strong, 0.05, groups=np.arange(35) // 5, n_boot=300)
    assert d.hi < 0 and stats.better_than(d, stats.mcnemar_exact(weak, strong)[2]) == "no"


def test_the_toroidal_shift_keeps_points_inside_and_their_clustering():
    rng = np.random.default_rng(2)
    x, y = rng.uniform(100, 200, 20), rng.uniform(100, 200, 20)  # one tight cluster
    sx, sy = stats.toroidal_shift(x, y, (0, 0, 1000, 1000), 300, 450)
    assert ((sx >= 0) & (sx < 1000) & (sy >= 0) & (sy < 1000)).all()
    d0 = np.hypot(x[:, None] - x, y[:, None] - y)
    assert np.hypot(sx[:, None] - sx, sy[:, None] - sy) == pytest.approx(d0)  # a rigid move, away from the seam
    wx, _wy = stats.toroidal_shift(x, y, (0, 0, 1000, 1000), 850, 0)  # across the seam: wrapped, still inside
    assert ((wx >= 0) & (wx < 1000)).all()


# ------------------------------------------------------------------ the whole assessment on synthetic geometry
AREA = box(0, 0, 4000, 4000)


def _layout(seed: int):
    """60 candidates of 60 x 60 m scattered over 16 km2, ranked 1..60; the first ten are 'true sites'."""
    rng = np.random.default_rng(seed)
    xy = rng.uniform(200, 3800, (60, 2))
    cands = gpd.GeoDataFrame({"rank": np.arange(1, 61), "score": np.linspace(1, 0, 60)},
                             geometry=[box(x, y, x + 60, y + 60) for x, y in xy], crs=32632)
    return cands, xy, rng


def test_a_real_signal_is_better_than_chance_and_noise_is_not():
    cands, xy, rng = _layout(4)
    found = gpd.GeoDataFrame(geometry=[Point(x + 30, y + 30) for x, y in xy[:10]], crs=32632)  # inside the top 10
    a = assess(cands, found, AREA, 50, (0.01, 0.02), n_boot=200, n_chance=199, seed=1)
    f = a.rankings["ours"]
    assert f.verdict_chance == ["yes", "yes"]
    assert (f.shift.p_value < 0.01).all() and (f.order.p_value < 0.05).all()
    assert all(iv.lo > 1 for iv in f.lift_site)
    noise = gpd.GeoDataFrame(geometry=[Point(*p) for p in rng.uniform(0, 4000, (30, 2))], crs=32632)
    b = assess(cands, noise, AREA, 50, (0.01, 0.02), n_boot=200, n_chance=199, seed=1)
    assert b.rankings["ours"].verdict_chance == ["no", "no"]


def test_the_assessment_is_seeded_and_compares_with_the_naive_ranking_paired(tmp_path):
    cands, xy, _rng = _layout(5)
    refs = gpd.GeoDataFrame(geometry=[Point(x + 30, y + 30) for x, y in xy[:12]], crs=32632)
    naive = cands.assign(rank=cands["rank"].to_numpy()[::-1])  # the same objects, the other way round
    a1 = assess(cands, refs, AREA, 50, (0.01, 0.02), naive=naive, n_boot=200, n_chance=99, seed=3)
    a2 = assess(cands, refs, AREA, 50, (0.01, 0.02), naive=naive, n_boot=200, n_chance=99, seed=3)
    assert a1.to_dict() == a2.to_dict()
    p = a1.paired[1]
    assert p["only_ours"] > 0 and p["only_naive"] == 0 and p["mcnemar_p"] < 0.05
    assert p["better_than_naive"] == "yes"
    text = format_assessment(a1, {"ours_short": "ours", "naive_short": "naive"})
    assert "2%: ours: better than chance: yes at 95%" in text
    assert "better than the naive ranking: yes" in text
    few = assess(cands, refs.iloc[:3], AREA, 50, (0.01,), naive=cands, n_boot=100, n_chance=49)
    assert few.paired[0]["better_than_naive"] == "cannot tell"
    assert "cannot tell with 3 sites" in format_assessment(few, {})


def test_polygon_references_are_assessed_without_a_halo_and_shifted_whole():
    cands, xy, _rng = _layout(6)
    refs = gpd.GeoDataFrame(geometry=[box(x + 10, y + 10, x + 50, y + 50) for x, y in xy[:8]], crs=32632)
    a = assess(cands, refs, AREA, 50, (0.01, 0.02), n_boot=100, n_chance=99, seed=2)
    f = a.rankings["ours"]
    assert not a.points and a.to_dict()["tolerance_m"] == 0.0
    # Own area only (60 x 60 m squares, overlaps counted once): at least 44 fit 1%, all 60 (1.35%) fit 2%.
    assert f.table["candidates"].iloc[0] >= 44 and f.table["candidates"].iloc[1] == 60
    assert (f.table["flagged_share"] <= [0.01, 0.02]).all()
    assert f.table["matched"].tolist() == [8, 8] and f.verdict_chance == ["yes", "yes"]
