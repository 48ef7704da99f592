"""How sure an evaluation is: intervals, chance baselines and paired comparisons (pure numpy, seeded).

An evaluation against a few dozen reference sites cannot tell small differences apart: one hit moves the
lift by 1 / (n x share). Every figure therefore comes with

* a 95% percentile-bootstrap interval over the reference **sites** (:func:`site_bootstrap`) and over
  **spatial blocks** of 1-2 km (:func:`block_bootstrap`: sites cluster, so resampling them one by one
  understates the spread; the flagged share is resampled with the blocks too);
* two **chance baselines** measured in the same run: the reference shifted rigidly at random over the
  analysed area, wrapping round it so that the points stay inside and keep their clustering
  (:func:`toroidal_shift`, :func:`shift_baseline`), and the same candidates in random order
  (:func:`order_baseline`);
* a **paired** comparison of two rankings on the same sites: McNemar's exact test on the sites one finds
  and the other misses (:func:`mcnemar_exact`) and a paired bootstrap of the lift difference
  (:func:`paired_bootstrap`);
* plain sentences (:func:`verdicts`).

Nothing here reads files or geometry: the callers (``geo.brownfield.evaluate``) turn the spatial
matching into hit arrays. Every random draw comes from ``numpy.random.default_rng(seed)``.
"""

from __future__ import annotations

from dataclasses import dataclass
from math import comb
from typing import Callable

import numpy as np

#: Default number of bootstrap resamples and of chance draws.
N_BOOT = 2000
N_CHANCE = 999
#: Side of the spatial blocks (m): within the 1-2 km the method asks for.
BLOCK_M = 1500.0
LEVEL = 0.95


@dataclass(frozen=True)
class Interval:
    """A point estimate with its ``LEVEL`` interval (``lo``, ``hi``); NaN when it cannot be estimated."""

    value: float
    lo: float
    hi: float

    def to_dict(self) -> dict:
        return {"value": _r(self.value), "lo": _r(self.lo), "hi": _r(self.hi)}


def _r(x: float, digits: int = 4) -> float | None:
    return None if x is None or not np.isfinite(x) else round(float(x), digits)


def _percentile(samples: np.ndarray, level: float = LEVEL) -> tuple[float, float]:
    s = samples[np.isfinite(samples)]
    if len(s) == 0:
        return float("nan"), float("nan")
    a = (1 - level) / 2
    return float(np.quantile(s, a)), float(np.quantile(s, 1 - a))


def site_bootstrap(hits: np.ndarray, shares: np.ndarray, n_boot: int = N_BOOT, seed: int = 0
                   ) -> tuple[list[Interval], list[Interval]]:
    """Recall and lift with intervals from resampling the reference sites with replacement.

    Parameters
    ----------
    hits
        Boolean (n_sites, n_budgets): site i is matched by the short list at budget j.
    shares
        Flagged share of each budget's short list (fixed: the candidates do not change).

    Returns
    -------
    (recall intervals, lift intervals), one per budget.

    >>> r, l = site_bootstrap(np.ones((10, 1), bool), np.array([0.5]))
    >>> (float(r[0].value), r[0].lo, l[0].hi)
    (1.0, 1.0, 2.0)
    """
    hits = np.asarray(hits, dtype=float)
    shares = np.asarray(shares, dtype=float)
    n = hits.shape[0]
    if n == 0:
        nan = Interval(float("nan"), float("nan"), float("nan"))
        return [nan] * len(shares), [nan] * len(shares)
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, n, size=(n_boot, n))
    rec = hits[idx].mean(axis=1)  # (n_boot, n_budgets)
    point = hits.mean(axis=0)
    recall, lift = [], []
    for j, s in enumerate(shares):
        recall.append(Interval(point[j], *_percentile(rec[:, j])))
        lift.append(Interval(point[j] / s, *_percentile(rec[:, j] / s)) if s > 0 else
                    Interval(float("nan"), float("nan"), float("nan")))
    return recall, lift


def block_ids(x: np.ndarray, y: np.ndarray, origin: tuple[float, float], size: float = BLOCK_M) -> np.ndarray:
    """The square block (``size`` m, grid anchored at ``origin``) each point falls in, as one integer.

    >>> block_ids(np.array([10., 1600.]), np.array([10., 10.]), (0., 0.)).tolist()
    [0, 1]
    """
    col = np.floor((np.asarray(x) - origin[0]) / size).astype(np.int64)
    row = np.floor((np.asarray(y) - origin[1]) / size).astype(np.int64)
    return row * 1_000_003 + col


@dataclass(frozen=True)
class Blocks:
    """What the block bootstrap resamples, one row per block of the analysed area.

    ``sites`` (n_blocks,): reference sites in the block; ``hits`` (n_blocks, n_budgets): of them matched;
    ``area`` (n_blocks,): the block's analysed area; ``flagged`` (n_blocks, n_budgets): of it flagged.
    """

    sites: np.ndarray
    hits: np.ndarray
    area: np.ndarray
    flagged: np.ndarray


def block_bootstrap(blocks: Blocks, n_boot: int = N_BOOT, seed: int = 0) -> tuple[list[Interval], list[Interval]]:
    """Recall and lift with intervals from resampling whole blocks (sites and area together).

    A resample draws as many blocks as there are, with replacement; its recall is its hits over its
    sites, its share its flagged area over its area, its lift the ratio. Resamples without a site
    are dropped.
    """
    sites = np.asarray(blocks.sites, dtype=float)
    hits = np.asarray(blocks.hits, dtype=float)
    area = np.asarray(blocks.area, dtype=float)
    flagged = np.asarray(blocks.flagged, dtype=float)
    nb, nj = hits.shape
    point_r = hits.sum(0) / sites.sum() if sites.sum() else np.full(nj, np.nan)
    point_s = flagged.sum(0) / area.sum() if area.sum() else np.full(nj, np.nan)
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, nb, size=(n_boot, nb))
    n_star = sites[idx].sum(1)
    ok = n_star > 0
    with np.errstate(divide="ignore", invalid="ignore"):
        rec = hits[idx].sum(1)[ok] / n_star[ok, None]
        share = flagged[idx].sum(1)[ok] / area[idx].sum(1)[ok, None]
        lift = np.where(share > 0, rec / share, np.nan)
    recall, lifts = [], []
    for j in range(nj):
        recall.append(Interval(point_r[j], *_percentile(rec[:, j])))
        pl = point_r[j] / point_s[j] if point_s[j] > 0 else float("nan")
        lifts.append(Interval(pl, *_percentile(lift[:, j])))
    return recall, lifts


def toroidal_shift(x: np.ndarray, y: np.ndarray, bounds: tuple[float, float, float, float], dx: float, dy: float
                   ) -> tuple[np.ndarray, np.ndarray]:
    """The points moved by (dx, dy) and wrapped round ``bounds`` (a torus): all stay inside the box and
    their distances to each other are kept (except across the seam).

    >>> toroidal_shift(np.array([9.]), np.array([1.]), (0, 0, 10, 10), 3, 0)
    (array([2.]), array([1.]))
    """
    x0, y0, x1, y1 = bounds
    return (x0 + np.mod(np.asarray(x) - x0 + dx, x1 - x0), y0 + np.mod(np.asarray(y) - y0 + dy, y1 - y0))


@dataclass(frozen=True)
class Chance:
    """A chance baseline at each budget: the median and 95th percentile of the lift under chance, and the
    one-sided p-value of the observed lift (share of draws at least as high, with the observed counted)."""

    median: np.ndarray
    p95: np.ndarray
    p_value: np.ndarray
    draws: int

    def to_dict(self) -> dict:
        return {"median": [_r(v, 3) for v in self.median], "p95": [_r(v, 3) for v in self.p95],
                "p_value": [_r(v, 4) for v in self.p_value], "draws": self.draws}


def _chance(observed: np.ndarray, draws: np.ndarray) -> Chance:
    draws = np.asarray(draws, dtype=float)
    med = np.nanmedian(draws, axis=0) if len(draws) else np.full(len(observed), np.nan)
    p95 = np.nanquantile(draws, 0.95, axis=0) if len(draws) else np.full(len(observed), np.nan)
    ge = (draws >= np.asarray(observed)[None, :] - 1e-12).sum(0)
    return Chance(med, p95, (1 + ge) / (1 + len(draws)), len(draws))


def shift_baseline(observed_lift: np.ndarray, lift_of: Callable[[np.ndarray, np.ndarray], np.ndarray],
                   x: np.ndarray, y: np.ndarray, bounds: tuple[float, float, float, float],
                   n: int = N_CHANCE, seed: int = 0) -> Chance:
    """The reference shifted at random over the analysed area ``n`` times (one rigid toroidal shift of the
    whole point set each time, so its clustering is kept); ``lift_of(x, y)`` gives the lift at each budget
    of the shifted points (the caller drops those that fall outside a non-rectangular area)."""
    rng = np.random.default_rng(seed)
    x0, y0, x1, y1 = bounds
    out = np.empty((n, len(observed_lift)))
    for i in range(n):
        sx, sy = toroidal_shift(x, y, bounds, rng.uniform(0, x1 - x0), rng.uniform(0, y1 - y0))
        out[i] = lift_of(sx, sy)
    return _chance(observed_lift, out)


def order_baseline(observed_lift: np.ndarray, lift_of_order: Callable[[np.ndarray], np.ndarray], n_candidates: int,
                   n: int = N_CHANCE, seed: int = 0) -> Chance:
    """The same candidates in ``n`` random orders; ``lift_of_order(order)`` cuts each budget's short list
    from that order by the same rule and returns its lift at each budget."""
    rng = np.random.default_rng(seed)
    out = np.empty((n, len(observed_lift)))
    for i in range(n):
        out[i] = lift_of_order(rng.permutation(n_candidates))
    return _chance(observed_lift, out)


def mcnemar_exact(a: np.ndarray, b: np.ndarray) -> tuple[int, int, float]:
    """McNemar's exact test on paired hits: (sites only ``a`` finds, sites only ``b`` finds, two-sided p).

    >>> mcnemar_exact(np.array([1, 1, 0, 0], bool), np.array([1, 0, 0, 0], bool))
    (1, 0, 1.0)
    """
    a, b = np.asarray(a, bool), np.asarray(b, bool)
    only_a, only_b = int((a & ~b).sum()), int((b & ~a).sum())
    m = only_a + only_b
    if m == 0:
        return only_a, only_b, 1.0
    k = min(only_a, only_b)
    p = 2 * sum(comb(m, i) for i in range(k + 1)) / 2 ** m
    return only_a, only_b, min(1.0, p)


def paired_bootstrap(hits_a: np.ndarray, share_a: float, hits_b: np.ndarray, share_b: float,
                     groups: np.ndarray | None = None, n_boot: int = N_BOOT, seed: int = 0) -> Interval:
    """The lift difference a - b with its interval, resampling the same sites for both rankings
    (``groups``: resample whole blocks of sites instead, given each site's block id)."""
    ha, hb = np.asarray(hits_a, float), np.asarray(hits_b, float)
    n = len(ha)
    nan = Interval(float("nan"), float("nan"), float("nan"))
    if n == 0 or share_a <= 0 or share_b <= 0:
        return nan
    point = ha.mean() / share_a - hb.mean() / share_b
    rng = np.random.default_rng(seed)
    if groups is None:
        idx = rng.integers(0, n, size=(n_boot, n))
        d = ha[idx].mean(1) / share_a - hb[idx].mean(1) / share_b
    else:
        _u, g = np.unique(np.asarray(groups), return_inverse=True)
        k = g.max() + 1
        sa, sb, cnt = (np.bincount(g, ha, k), np.bincount(g, hb, k), np.bincount(g, minlength=k).astype(float))
        idx = rng.integers(0, k, size=(n_boot, k))
        m = cnt[idx].sum(1)
        d = sa[idx].sum(1) / m / share_a - sb[idx].sum(1) / m / share_b
    return Interval(point, *_percentile(d))


@dataclass(frozen=True)
class Verdict:
    """The plain answers at one budget (keys, translated where printed)."""

    chance: str   # "yes" | "no"
    naive: str | None  # "yes" | "no" | "cannot tell" | None (no comparison)


def better_than_chance(p_value: float, alpha: float = 1 - LEVEL) -> str:
    """"yes" when the observed lift is above what shifted references reach in 95% of draws."""
    return "yes" if p_value < alpha else "no"


def better_than(diff: Interval, p_mcnemar: float, alpha: float = 1 - LEVEL) -> str:
    """"yes" when the paired interval of the lift difference is above 0 and McNemar's p < alpha; "no"
    when both say the other ranking is better; otherwise "cannot tell"."""
    if np.isfinite(diff.lo) and diff.lo > 0 and p_mcnemar < alpha:
        return "yes"
    if np.isfinite(diff.hi) and diff.hi < 0 and p_mcnemar < alpha:
        return "no"
    return "cannot tell"


__all__ = ["Interval", "Blocks", "Chance", "Verdict", "site_bootstrap", "block_bootstrap", "block_ids",
           "toroidal_shift", "shift_baseline", "order_baseline", "mcnemar_exact", "paired_bootstrap",
           "better_than_chance", "better_than", "N_BOOT", "N_CHANCE", "BLOCK_M"]
