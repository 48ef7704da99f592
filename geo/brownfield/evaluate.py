"""Honest evaluation of a candidate layer against a reference register.

Recall alone rewards flagging everything; so every figure comes with the
share of the analysed area that counts as flagged (candidates plus the
matching tolerance around them) and the lift = recall / share (1.0 = chance).
Matching is one-to-one. Points: a reference point inside or within the
tolerance of a candidate. Polygons: IoU >= 0.5, and separately overlap >= 50%
of the smaller polygon.

The ranked short list (:func:`budget_table`) is evaluated at area budgets as issue 19 defines them: at
budget ``b``, the top candidates whose area grown by the matching tolerance (clipped to the analysed
area) covers at most ``b`` of it (the list ``detect --budget b`` publishes); polygon references are
matched by overlap, without a halo. The issue-12 figure (own area, halo free) stays beside it, labelled.
:func:`assess` adds the 95% intervals, the two chance baselines and the paired comparison with the naive
ranking (:mod:`geo.brownfield.stats`); :func:`format_assessment` prints them with plain sentences.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.brownfield.detect import SIZE_CLASSES, size_class
from geo.brownfield.stats import BLOCK_M
from geo.i18n import translator

METRIC = 32632


@dataclass
class Evaluation:
    n_reference: int
    n_candidates: int
    recall: float
    flagged_share: float
    lift: float
    recall_overlap: float | None = None  # polygons: overlap >= 50% of the smaller
    precision_at_k: dict[int, float] = field(default_factory=dict)
    by_size: pd.DataFrame | None = None

    def to_dict(self) -> dict:
        d = {k: v for k, v in self.__dict__.items() if k != "by_size"}
        d["by_size"] = self.by_size.to_dict(orient="records") if self.by_size is not None else []
        return d

    def table(self, lang: str = "en") -> str:
        """The figures as text, in ``lang`` (numbers with the locale's separators)."""
        _ = translator(lang)

        def num(x: float, digits: int) -> str:
            return _.number(x, digits, trim=False)

        lines = [_("reference sites: {reference}   candidates: {candidates}").format(
                     reference=_.integer(self.n_reference), candidates=_.integer(self.n_candidates)),
                 _("recall: {recall}   flagged share: {share}   lift: {lift}").format(
                     recall=num(self.recall, 3), share=num(self.flagged_share, 3), lift=num(self.lift, 2))]
        if self.recall_overlap is not None:
            lines.append(_("recall (overlap >= 50% of smaller): {recall}").format(recall=num(self.recall_overlap, 3)))
        for k, v in self.precision_at_k.items():
            lines.append(_("precision@{k}: {precision}").format(k=k, precision=num(v, 3)))
        if self.by_size is not None and len(self.by_size):
            lines.append(self.by_size.to_string(index=False, float_format=lambda x: num(x, 3)))
        return "\n".join(lines)


def _flagged(cands: gpd.GeoDataFrame, area, tol: float) -> float:
    if len(cands) == 0 or area.area == 0:
        return 0.0
    return float(cands.geometry.buffer(tol).union_all().intersection(area).area / area.area)


def _match_points(cands: gpd.GeoDataFrame, refs: gpd.GeoDataFrame, tol: float) -> dict[int, int]:
    """Reference index -> candidate index, one to one (nearest first)."""
    if len(cands) == 0 or len(refs) == 0:
        return {}
    pairs = []
    for ri, p in refs.geometry.items():
        d = cands.geometry.distance(p)
        for ci in np.flatnonzero(d.to_numpy() <= tol):
            pairs.append((float(d.iloc[ci]), ri, cands.index[ci]))
    matched: dict[int, int] = {}
    used = set()
    for _, ri, ci in sorted(pairs):
        if ri not in matched and ci not in used:
            matched[ri] = ci
            used.add(ci)
    return matched


def _match_polygons(cands: gpd.GeoDataFrame, refs: gpd.GeoDataFrame, rule: str) -> dict[int, int]:
    pairs = []
    for ri, r in refs.geometry.items():
        for ci, c in cands.geometry.items():
            if not r.intersects(c):
                continue
            inter = r.intersection(c).area
            v = inter / r.union(c).area if rule == "iou" else inter / min(r.area, c.area)
            if v >= 0.5:
                pairs.append((-v, ri, ci))
    matched, used = {}, set()
    for _, ri, ci in sorted(pairs):
        if ri not in matched and ci not in used:
            matched[ri] = ci
            used.add(ci)
    return matched


def evaluate(candidates: gpd.GeoDataFrame, reference: gpd.GeoDataFrame, analysed_area=None,
             tolerance_m: float = 50.0, label_column: str | None = None, ks: tuple[int, ...] = (10, 25, 50)
             ) -> Evaluation:
    """Recall, flagged share, lift, precision@k, by size class.

    Parameters
    ----------
    candidates
        Candidate polygons with a ``score`` column.
    reference
        Points or polygons. With ``label_column`` (bool: True = brownfield), rows
        labelled False are negatives used only for precision@k.
    analysed_area
        A shapely geometry (any CRS handled by the caller: EPSG:32632) or None = candidates' extent.
    """
    cands = candidates.to_crs(METRIC).reset_index(drop=True)
    refs = reference.to_crs(METRIC).reset_index(drop=True)
    area = analysed_area if analysed_area is not None else cands.geometry.union_all().envelope
    refs = refs[refs.geometry.intersects(area)].reset_index(drop=True)
    negatives = None
    if label_column and label_column in refs:
        lab = refs[label_column].astype(bool)
        negatives, refs = refs[~lab].reset_index(drop=True), refs[lab].reset_index(drop=True)
    points = len(refs) and (refs.geometry.geom_type == "Point").all()
    if points:
        matched = _match_points(cands, refs, tolerance_m)
        overlap = None
        tol = tolerance_m
    else:
        matched = _match_polygons(cands, refs, "iou")
        overlap = len(_match_polygons(cands, refs, "overlap")) / len(refs) if len(refs) else 0.0
        tol = 0.0
    recall = len(matched) / len(refs) if len(refs) else 0.0
    share = _flagged(cands, area, tol)
    ev = Evaluation(len(refs), len(cands), round(recall, 4), round(share, 4),
                    round(recall / share, 2) if share > 0 else 0.0,
                    round(overlap, 4) if overlap is not None else None)
    # precision@k: of the top-k candidates that touch any labelled site, the share touching a positive.
    if negatives is not None and len(cands):
        order = cands.sort_values("score", ascending=False).index
        pos_hit = set(matched.values())
        neg_hit = set(_match_points(cands, negatives, tolerance_m).values()) if points else set(
            _match_polygons(cands, negatives, "iou").values())
        for k in ks:
            top = [c for c in order if c in pos_hit or c in neg_hit][:k]
            if top:
                ev.precision_at_k[k] = round(sum(c in pos_hit for c in top) / len(top), 3)
    # By size class of the candidates.
    rows = []
    sizes = size_class(cands.geometry.area)
    for _lo, _hi, name in SIZE_CLASSES:
        sub = cands[sizes == name]
        hits = sum(1 for c in matched.values() if sizes.loc[c] == name)
        r = hits / len(refs) if len(refs) else 0.0
        s = _flagged(sub, area, tol)
        rows.append({"size_class": name, "candidates": len(sub), "matched": hits, "recall": r,
                     "flagged_share": s, "lift": r / s if s > 0 else 0.0})
    if not points and len(refs):
        rsz = size_class(refs.geometry.area)
        for row in rows:
            n = int((rsz == row["size_class"]).sum())
            row["reference_sites"] = n
    ev.by_size = pd.DataFrame(rows)
    return ev


BUDGETS = (0.01, 0.02, 0.05, 0.10)


def ranked(candidates: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Candidates in review order: by ``rank`` when the run wrote one, else assessable first then by score."""
    if "rank" in candidates:
        return candidates.sort_values("rank", kind="stable")
    key = candidates.assign(_s=candidates["too_small"].astype(bool) if "too_small" in candidates else False)
    return key.sort_values(["_s", "score"], ascending=[True, False], kind="stable").drop(columns="_s")


def _is_points(refs: gpd.GeoDataFrame) -> bool:
    return bool(len(refs)) and bool(refs.geometry.geom_type.isin(["Point", "MultiPoint"]).all())


class Matcher:
    """One-to-one matching of reference sites to a ranking's candidates, for any prefix of any order.

    Points: a point inside or within ``tolerance_m`` of a candidate, nearest first. Polygons: overlap of at
    least half the smaller polygon, best first, no halo (issue 19). Candidate pairs come from an R-tree
    once per reference set; a prefix only filters them, so chance draws stay cheap.
    """

    def __init__(self, geoms, tolerance_m: float, points: bool) -> None:
        import shapely

        self.geoms = np.asarray(list(geoms), dtype=object)
        self.tree = shapely.STRtree(self.geoms)
        self.tol = tolerance_m if points else 0.0
        self.points = points

    def pairs(self, refs) -> tuple[np.ndarray, np.ndarray]:
        """(reference index, candidate index) of the admissible pairs, best first."""
        import shapely

        refs = np.asarray(list(refs), dtype=object)
        if len(refs) == 0 or len(self.geoms) == 0:
            return np.zeros(0, int), np.zeros(0, int)
        if self.points:
            ri, ci = self.tree.query(refs, predicate="dwithin", distance=self.tol) if self.tol else \
                self.tree.query(refs, predicate="intersects")
            key = shapely.distance(refs[ri], self.geoms[ci])
        else:
            ri, ci = self.tree.query(refs, predicate="intersects")
            inter = shapely.area(shapely.intersection(refs[ri], self.geoms[ci]))
            smaller = np.minimum(shapely.area(refs[ri]), shapely.area(self.geoms[ci]))
            ov = np.where(smaller > 0, inter / np.where(smaller > 0, smaller, 1), 0.0)
            keep = ov >= 0.5 - 1e-12
            ri, ci, key = ri[keep], ci[keep], -ov[keep]
        order = np.lexsort((ci, ri, key))
        return ri[order], ci[order]

    @staticmethod
    def hits(pairs: tuple[np.ndarray, np.ndarray], n_refs: int, allowed: np.ndarray) -> np.ndarray:
        """Which references are matched when only candidates with ``allowed`` True take part."""
        ri, ci = pairs
        hit = np.zeros(n_refs, bool)
        used: set[int] = set()
        for r, c in zip(ri.tolist(), ci.tolist()):
            if allowed[c] and not hit[r] and c not in used:
                hit[r] = True
                used.add(c)
        return hit


@dataclass
class BudgetCut:
    """One ranking cut at each budget by the tolerance rule, and the per-site hits of each cut."""

    k: np.ndarray            # candidates in each budget's short list
    share: np.ndarray        # flagged share (grown by the tolerance, clipped) of each list
    hits: np.ndarray         # (n_refs, n_budgets) bool
    own_k: np.ndarray        # the issue-12 list (own area within the budget), kept for comparison
    own_share: np.ndarray
    own_hits: np.ndarray
    unions: list             # each list's flagged geometry (for the block bootstrap)


def cut(cands: gpd.GeoDataFrame, refs: gpd.GeoDataFrame, area, tolerance_m: float,
        budgets: tuple[float, ...]) -> BudgetCut:
    """Cut the ranking ``cands`` (metric, in rank order) at every budget, by both rules, and match ``refs``."""
    from geo.brownfield.detect import cumulative_shares, in_budget

    points = _is_points(refs) or len(refs) == 0
    tol = tolerance_m if points else 0.0
    geoms = cands.geometry.to_numpy()
    n = len(geoms)
    shares = cumulative_shares(geoms, area, tol) if n else np.zeros(0)
    own = cands.geometry.intersection(area).area.to_numpy(dtype=float) if n else np.zeros(0)
    m = Matcher(geoms, tolerance_m, points)
    pairs = m.pairs(refs.geometry.to_numpy())
    ks, sh, hs, oks, osh, ohs, unions = [], [], [], [], [], [], []
    rank_pos = np.arange(n)
    for b in budgets:
        k = int(np.searchsorted(shares, b + 1e-9, side="right")) if n else 0
        ok = int(in_budget(own, area.area, b).sum()) if n else 0
        ks.append(k)
        sh.append(float(shares[k - 1]) if k else 0.0)
        hs.append(m.hits(pairs, len(refs), rank_pos < k))
        oks.append(ok)
        osh.append(float(own[:ok].sum() / area.area) if ok and area.area else 0.0)
        ohs.append(m.hits(pairs, len(refs), rank_pos < ok))
        if k:
            import shapely

            grown = shapely.buffer(geoms[:k], tol, quad_segs=16) if tol else geoms[:k]
            unions.append(shapely.intersection(shapely.union_all(grown), area))
        else:
            unions.append(None)
    hits = np.column_stack(hs) if hs else np.zeros((len(refs), 0), bool)
    own_hits = np.column_stack(ohs) if ohs else np.zeros((len(refs), 0), bool)
    return BudgetCut(np.array(ks), np.array(sh), hits.reshape(len(refs), len(budgets)), np.array(oks),
                     np.array(osh), own_hits.reshape(len(refs), len(budgets)), unions)


def _prepare(candidates, reference, analysed_area):
    cands = ranked(candidates.to_crs(METRIC)).reset_index(drop=True)
    refs = reference.to_crs(METRIC).reset_index(drop=True)
    area = analysed_area if analysed_area is not None else cands.geometry.union_all().envelope
    refs = refs[refs.geometry.intersects(area)].reset_index(drop=True)
    return cands, refs, area


def budget_table(candidates: gpd.GeoDataFrame, reference: gpd.GeoDataFrame, analysed_area=None,
                 tolerance_m: float = 50.0, budgets: tuple[float, ...] = BUDGETS) -> pd.DataFrame:
    """Recall, flagged share and lift of the top of the ranking, for each area budget (issue 19).

    At budget ``b`` the short list is the one ``geo brownfield detect --budget b`` publishes: the longest
    prefix of the ranking whose candidates, **grown by the matching tolerance** and clipped to the analysed
    area, cover at most ``b`` of it (a point 50 m from a candidate is a hit, so those 50 m are flagged too).
    Polygon references are matched by overlap (>= 50% of the smaller polygon) and the candidates are not
    grown. ``flagged_share`` is that grown share and ``lift`` = recall / flagged_share.

    The earlier figure (issue 12: the prefix whose candidates' *own* area fits the budget, lift on that own
    area, the halo free) stays beside it, labelled ``own_*``: ``own_candidates``, ``own_matched``,
    ``own_flagged``, ``own_lift``.

    >>> from shapely.geometry import Point, box
    >>> c = gpd.GeoDataFrame({"rank": [1, 2]}, geometry=[box(0, 0, 10, 10), box(50, 50, 60, 60)], crs=32632)
    >>> r = gpd.GeoDataFrame(geometry=[Point(55, 55)], crs=32632)
    >>> budget_table(c, r, box(0, 0, 100, 100), 0, (0.01, 0.02)).to_dict("records")[1]["recall"]
    1.0
    """
    cands, refs, area = _prepare(candidates, reference, analysed_area)
    c = cut(cands, refs, area, tolerance_m, budgets)
    n = len(refs)
    rows = []
    for j, b in enumerate(budgets):
        hits, own_hits = int(c.hits[:, j].sum()), int(c.own_hits[:, j].sum())
        recall, own_recall = (hits / n, own_hits / n) if n else (0.0, 0.0)
        rows.append({"budget": b, "candidates": int(c.k[j]), "matched": hits, "recall": round(recall, 4),
                     "flagged_share": round(float(c.share[j]), 4),
                     "lift": round(recall / c.share[j], 2) if c.share[j] > 0 else 0.0,
                     "own_candidates": int(c.own_k[j]), "own_matched": own_hits,
                     "own_flagged": round(float(c.own_share[j]), 4),
                     "own_lift": round(own_recall / c.own_share[j], 2) if c.own_share[j] > 0 else 0.0})
    return pd.DataFrame(rows)


# ------------------------------------------------------------------ how sure: intervals, chance, paired (issue 19)
#: Cell side (m) of the raster on which random orders of the candidates are cut (the tolerance share of a
#: prefix in any order, from counts of covered cells; the observed cut is exact, on vectors).
ORDER_CELL_M = 5.0


class _PixelCover:
    """Each candidate's grown footprint as cell indices, so that the share of any prefix of any order is a
    count of newly covered cells (fast enough for hundreds of random orders)."""

    def __init__(self, geoms, area, tolerance_m: float, cell: float = ORDER_CELL_M) -> None:
        import shapely
        from rasterio.features import rasterize
        from rasterio.transform import from_origin

        x0, y0, x1, y1 = area.bounds
        self.w, self.h = int(np.ceil((x1 - x0) / cell)), int(np.ceil((y1 - y0) / cell))
        self.cell_share = cell * cell / area.area if area.area else 0.0
        grown = shapely.intersection(shapely.buffer(np.asarray(list(geoms), dtype=object), tolerance_m, quad_segs=16)
                                     if tolerance_m else np.asarray(list(geoms), dtype=object), area)
        self.sets = []
        for g in grown:
            if g is None or g.is_empty:
                self.sets.append(np.zeros(0, np.int64))
                continue
            gx0, gy0, gx1, gy1 = g.bounds
            c0, c1 = max(0, int((gx0 - x0) // cell)), min(self.w, int(np.ceil((gx1 - x0) / cell)))
            r0, r1 = max(0, int((y1 - gy1) // cell)), min(self.h, int(np.ceil((y1 - gy0) / cell)))
            if c1 <= c0 or r1 <= r0:
                self.sets.append(np.zeros(0, np.int64))
                continue
            m = rasterize([(g, 1)], out_shape=(r1 - r0, c1 - c0), dtype=np.uint8,
                          transform=from_origin(x0 + c0 * cell, y1 - r0 * cell, cell, cell))
            rr, cc = np.nonzero(m)
            self.sets.append((rr + r0).astype(np.int64) * self.w + cc + c0)

    def shares(self, order: np.ndarray) -> np.ndarray:
        covered = np.zeros(self.w * self.h, bool)
        out = np.empty(len(order))
        total = 0
        for i, c in enumerate(order):
            idx = self.sets[c]
            total += int((~covered[idx]).sum())
            covered[idx] = True
            out[i] = total * self.cell_share
        return out


@dataclass
class RankingFigures:
    """One ranking's figures at every budget, with their intervals and chance baselines."""

    name: str
    table: pd.DataFrame
    recall_site: list
    lift_site: list
    recall_block: list
    lift_block: list
    shift: object
    order: object
    verdict_chance: list


@dataclass
class Assessment:
    """Everything ``geo brownfield evaluate`` prints about the ranked short lists (issue 19)."""

    budgets: tuple[float, ...]
    n_reference: int
    n_blocks: int
    tolerance_m: float
    points: bool
    rankings: dict[str, RankingFigures]
    paired: list[dict] = field(default_factory=list)
    seed: int = 0
    n_boot: int = 0
    n_chance: int = 0
    block_m: float = BLOCK_M  # side (m) of the blocks the intervals resample

    def to_dict(self) -> dict:
        out = {"budgets": list(self.budgets), "n_reference": self.n_reference, "n_blocks": self.n_blocks,
               "block_m": self.block_m, "tolerance_m": self.tolerance_m if self.points else 0.0, "seed": self.seed,
               "bootstrap_resamples": self.n_boot, "chance_draws": self.n_chance, "rankings": {}, "paired": self.paired}
        for k, f in self.rankings.items():
            out["rankings"][k] = {
                "table": f.table.to_dict("records"),
                "recall_site": [i.to_dict() for i in f.recall_site], "lift_site": [i.to_dict() for i in f.lift_site],
                "recall_block": [i.to_dict() for i in f.recall_block],
                "lift_block": [i.to_dict() for i in f.lift_block],
                "chance_shift": f.shift.to_dict(), "chance_order": f.order.to_dict(),
                "better_than_chance": f.verdict_chance}
        return out


def _site_blocks(refs: gpd.GeoDataFrame, area, size: float) -> np.ndarray:
    from geo.brownfield.stats import block_ids

    pts = refs.geometry.representative_point()
    x0, y0, _x1, _y1 = area.bounds
    return block_ids(pts.x.to_numpy(), pts.y.to_numpy(), (x0, y0), size)


def _blocks(refs, area, c: BudgetCut, site_block: np.ndarray, size: float):
    """Per block of ``size`` m: sites, hits per budget, analysed area, flagged area per budget."""
    import shapely
    from shapely.geometry import box

    from geo.brownfield.stats import Blocks

    x0, y0, x1, y1 = area.bounds
    cols, rows = int(np.ceil((x1 - x0) / size)), int(np.ceil((y1 - y0) / size))
    nj = len(c.k)
    sites, hits, areas, flagged = [], [], [], []
    for r in range(rows):
        for q in range(cols):
            cell = box(x0 + q * size, y0 + r * size, x0 + (q + 1) * size, y0 + (r + 1) * size)
            a = shapely.area(shapely.intersection(cell, area))
            if a <= 0:
                continue
            bid = r * 1_000_003 + q
            here = site_block == bid
            sites.append(int(here.sum()))
            hits.append(c.hits[here].sum(0) if len(c.hits) else np.zeros(nj))
            areas.append(a)
            flagged.append([shapely.area(shapely.intersection(u, cell)) if u is not None else 0.0
                            for u in c.unions])
    return Blocks(np.array(sites), np.array(hits, dtype=float).reshape(len(sites), nj), np.array(areas),
                  np.array(flagged, dtype=float).reshape(len(sites), nj))


def _shifted(refs: gpd.GeoDataFrame, area, points: bool):
    """``move(sx, sy)`` -> (geometries of the shifted sites inside the area); and the sites' anchor x, y."""
    import shapely
    from shapely import affinity

    anchor = refs.geometry.representative_point()
    x, y = anchor.x.to_numpy(), anchor.y.to_numpy()
    geoms = refs.geometry.to_numpy()

    def move(sx, sy):
        inside = shapely.contains_xy(area, sx, sy) | shapely.intersects_xy(area, sx, sy)
        if points:
            return shapely.points(sx[inside], sy[inside])
        return np.array([affinity.translate(g, dx, dy) for g, dx, dy in
                         zip(geoms[inside], (sx - x)[inside], (sy - y)[inside])], dtype=object)

    return move, x, y


def assess(candidates: gpd.GeoDataFrame, reference: gpd.GeoDataFrame, analysed_area=None,
           tolerance_m: float = 50.0, budgets: tuple[float, ...] = BUDGETS, naive: gpd.GeoDataFrame | None = None,
           seed: int = 0, n_boot: int | None = None, n_chance: int | None = None,
           block_m: float | None = None) -> Assessment:
    """The ranked short lists of ``candidates`` (and of ``naive`` when given) with intervals, both chance
    baselines and, with ``naive``, the paired comparison, at every budget (issue 19).

    Intervals: 95% percentile bootstrap over the reference sites and over square blocks of ``block_m``
    (default 1.5 km). Chance: the reference shifted rigidly at random over the analysed area's bounding box
    (wrapping round it; sites landing outside the area are left out of that draw), and the same candidates
    in random order cut by the same rule (on a 5 m raster). Paired: McNemar's exact test on the sites one
    ranking finds and the other misses, and a paired bootstrap (sites, and blocks) of the lift difference.
    Everything is seeded by ``seed``.
    """
    from geo.brownfield import stats

    n_boot = stats.N_BOOT if n_boot is None else n_boot
    n_chance = stats.N_CHANCE if n_chance is None else n_chance
    block_m = stats.BLOCK_M if block_m is None else block_m
    cands, refs, area = _prepare(candidates, reference, analysed_area)
    points = _is_points(refs) or len(refs) == 0
    tol = tolerance_m if points else 0.0
    site_block = _site_blocks(refs, area, block_m) if len(refs) else np.zeros(0, np.int64)
    move, x, y = _shifted(refs, area, points)
    bounds = area.bounds
    rankings: dict[str, RankingFigures] = {}
    cuts: dict[str, BudgetCut] = {}
    frames = {"ours": candidates}
    if naive is not None and len(naive):
        frames["naive"] = naive
    for j, (name, frame) in enumerate(frames.items()):
        cs = cands if name == "ours" else ranked(frame.to_crs(METRIC)).reset_index(drop=True)
        c = cut(cs, refs, area, tolerance_m, budgets)
        cuts[name] = c
        table = budget_table(cs, refs, area, tolerance_m, budgets)
        observed = np.where(c.share > 0, c.hits.mean(0) / np.where(c.share > 0, c.share, 1), 0.0) \
            if len(refs) else np.zeros(len(budgets))
        rs, ls = stats.site_bootstrap(c.hits, c.share, n_boot, seed)
        rb, lb = stats.block_bootstrap(_blocks(refs, area, c, site_block, block_m), n_boot, seed)
        geoms = cs.geometry.to_numpy()
        m = Matcher(geoms, tolerance_m, points)
        pos = np.arange(len(geoms))

        def lift_of(sx, sy, m=m, c=c, pos=pos):
            moved = move(sx, sy)
            if len(moved) == 0:
                return np.full(len(budgets), np.nan)
            pairs = m.pairs(moved)
            out = np.empty(len(budgets))
            for q in range(len(budgets)):
                h = m.hits(pairs, len(moved), pos < c.k[q]).mean() if c.k[q] else 0.0
                out[q] = h / c.share[q] if c.share[q] > 0 else 0.0
            return out

        shift = stats.shift_baseline(observed, lift_of, x, y, bounds, n_chance if len(refs) else 0, seed + 1)
        cover = _PixelCover(geoms, area, tol) if len(geoms) else None
        pairs = m.pairs(refs.geometry.to_numpy())

        def lift_of_order(order, m=m, pairs=pairs, cover=cover):
            sh = cover.shares(order)
            rank_of = np.empty(len(order), int)
            rank_of[order] = np.arange(len(order))
            out = np.empty(len(budgets))
            for q, b in enumerate(budgets):
                k = int(np.searchsorted(sh, b + 1e-9, side="right"))
                if k == 0 or len(refs) == 0:
                    out[q] = 0.0
                    continue
                out[q] = m.hits(pairs, len(refs), rank_of < k).mean() / sh[k - 1]
            return out

        order = stats.order_baseline(observed, lift_of_order, len(geoms), n_chance if len(geoms) and len(refs)
                                     else 0, seed + 2)
        verdict = [stats.better_than_chance(p) if len(refs) else "no" for p in shift.p_value]
        rankings[name] = RankingFigures(name, table, rs, ls, rb, lb, shift, order, verdict)
    paired = []
    if "naive" in cuts and len(refs):
        a, b = cuts["ours"], cuts["naive"]
        for q, bud in enumerate(budgets):
            only_a, only_b, p = stats.mcnemar_exact(a.hits[:, q], b.hits[:, q])
            d_site = stats.paired_bootstrap(a.hits[:, q], a.share[q], b.hits[:, q], b.share[q], None, n_boot, seed)
            d_block = stats.paired_bootstrap(a.hits[:, q], a.share[q], b.hits[:, q], b.share[q], site_block,
                                             n_boot, seed)
            paired.append({"budget": bud, "both": int((a.hits[:, q] & b.hits[:, q]).sum()), "only_ours": only_a,
                           "only_naive": only_b, "mcnemar_p": round(p, 4), "lift_difference": d_site.to_dict(),
                           "lift_difference_block": d_block.to_dict(),
                           "better_than_naive": stats.better_than(d_block, p)})
    n_blocks = len(np.unique(site_block)) if len(refs) else 0
    return Assessment(tuple(budgets), len(refs), n_blocks, tolerance_m, points, rankings, paired, seed, n_boot,
                      n_chance, block_m)


def _grid(header: list[str], rows: list[list[str]]) -> list[str]:
    widths = [max([len(h)] + [len(r[i]) for r in rows]) for i, h in enumerate(header)]
    return [" ".join(h.rjust(w) for h, w in zip(header, widths))] + [
        " ".join(c.rjust(w) for c, w in zip(r, widths)) for r in rows]


def format_assessment(a: Assessment, names: dict[str, str], lang: str = "en") -> str:
    """An :class:`Assessment` as text in ``lang``: per ranking the budget table with its intervals, both
    chance baselines, the old (own-area) figure, then the paired comparison and one plain sentence per budget."""
    _ = translator(lang)

    def num(x, d):
        return "—" if x is None or not np.isfinite(x) else _.number(float(x), d, trim=False)

    def ci(iv, d):
        return "[{lo}, {hi}]".format(lo=num(iv.lo, d), hi=num(iv.hi, d))

    tol = "+{m}m".format(m=_.number(a.tolerance_m, 3)) if a.points else ""
    out: list[str] = []
    sites = _.ngettext("{n} reference site", "{n} reference sites", a.n_reference).format(n=_.integer(a.n_reference))
    blocks = _.ngettext("in {blocks} block of {km} km", "in {blocks} blocks of {km} km", a.n_blocks).format(
        blocks=_.integer(a.n_blocks), km=_.number(a.block_m / 1000, 3))
    boot = _.ngettext("{boot} resample", "{boot} resamples", a.n_boot).format(boot=_.integer(a.n_boot))
    draws = _.ngettext("{draws} draw", "{draws} draws", a.n_chance).format(draws=_.integer(a.n_chance))
    out.append(_("{sites} {blocks}; intervals: 95%, bootstrap over sites and over blocks ({resamples}); "
                 "chance: {draws}; seed {seed}").format(sites=sites, blocks=blocks, resamples=boot, draws=draws,
                                                         seed=a.seed))
    for key, f in a.rankings.items():
        out += ["", names.get(key, key)]
        rows = []
        for j, r in enumerate(f.table.to_dict("records")):
            rows.append([_.percent(r["budget"]), _.integer(r["candidates"]), _.integer(r["matched"]),
                         num(r["recall"], 3), ci(f.recall_site[j], 3), ci(f.recall_block[j], 3),
                         num(r["flagged_share"], 3), num(r["lift"], 2), ci(f.lift_site[j], 2),
                         ci(f.lift_block[j], 2)])
        out += _grid([
            _.pgettext("evaluation table", "budget"),
            _.pgettext("evaluation table", "candidates"),
            _.pgettext("evaluation table", "matched"),
            _.pgettext("evaluation table", "recall"),
            _.pgettext("evaluation table", "95% sites"),
            _.pgettext("evaluation table", "95% blocks"),
            _.pgettext("evaluation table", "flagged") + tol,
            _.pgettext("evaluation table", "lift"),
            _.pgettext("evaluation table", "95% sites"),
            _.pgettext("evaluation table", "95% blocks")], rows)
        rows = []
        for j, r in enumerate(f.table.to_dict("records")):
            rows.append([_.percent(r["budget"]), num(r["lift"], 2), num(f.shift.median[j], 2),
                         num(f.shift.p95[j], 2), num(f.shift.p_value[j], 3), num(f.order.median[j], 2),
                         num(f.order.p95[j], 2), num(f.order.p_value[j], 3),
                         _("yes") if f.verdict_chance[j] == "yes" else _("no")])
        out.append(_("chance in the same run: the reference shifted at random over the area (clustering kept), "
                     "and the same candidates in random order; p = share of draws with a lift at least as high"))
        out += _grid([
            _.pgettext("evaluation table", "budget"),
            _.pgettext("evaluation table", "lift"),
            _.pgettext("evaluation table", "shifted: median"),
            _.pgettext("evaluation table", "95th pct"),
            _.pgettext("evaluation table", "p"),
            _.pgettext("evaluation table", "random order: median"),
            _.pgettext("evaluation table", "95th pct"),
            _.pgettext("evaluation table", "p"),
            _.pgettext("evaluation table", "better than chance")], rows)
        rows = [[_.percent(r["budget"]), _.integer(r["own_candidates"]), _.integer(r["own_matched"]),
                 num(r["own_flagged"], 3), num(r["own_lift"], 2)] for r in f.table.to_dict("records")]
        out.append(_("old figure, for comparison (issue 12: the list whose own area fits the budget, the halo not "
                     "counted; not a chance-corrected lift)"))
        out += _grid([
            _.pgettext("evaluation table", "budget"),
            _.pgettext("evaluation table", "candidates"),
            _.pgettext("evaluation table", "matched"),
            _.pgettext("evaluation table", "flagged (own area)"),
            _.pgettext("evaluation table", "lift (own area)")], rows)
    if a.paired:
        out += ["", _.ngettext("paired comparison, ours against the naive ranking (the same {n} site)",
                               "paired comparison, ours against the naive ranking (the same {n} sites)",
                               a.n_reference).format(n=_.integer(a.n_reference))]
        rows = [[_.percent(q["budget"]), _.integer(q["both"]), _.integer(q["only_ours"]), _.integer(q["only_naive"]),
                 num(q["mcnemar_p"], 3), num(q["lift_difference"]["value"], 2),
                 "[{lo}, {hi}]".format(lo=num(q["lift_difference"]["lo"], 2), hi=num(q["lift_difference"]["hi"], 2)),
                 "[{lo}, {hi}]".format(lo=num(q["lift_difference_block"]["lo"], 2),
                                       hi=num(q["lift_difference_block"]["hi"], 2))] for q in a.paired]
        out += _grid([
            _.pgettext("evaluation table", "budget"),
            _.pgettext("evaluation table", "both find"),
            _.pgettext("evaluation table", "only ours"),
            _.pgettext("evaluation table", "only naive"),
            _.pgettext("evaluation table", "McNemar p"),
            _.pgettext("evaluation table", "lift difference"),
            _.pgettext("evaluation table", "95% sites"),
            _.pgettext("evaluation table", "95% blocks")], rows)
    out += ["", _("In plain words:")]
    out += plain_sentences(a, names, lang)
    return "\n".join(out)


def plain_sentences(a: Assessment, names: dict[str, str], lang: str = "en") -> list[str]:
    """One sentence per budget and ranking: better than chance (yes/no at 95%) and, for ours, better than the
    naive ranking (yes / no / cannot tell with N sites)."""
    _ = translator(lang)
    out = []
    for j, b in enumerate(a.budgets):
        parts = []
        for key, f in a.rankings.items():
            chance = (_("{ranking}: better than chance: yes at 95%") if f.verdict_chance[j] == "yes" else
                      _("{ranking}: better than chance: no at 95%")).format(ranking=names.get(key + "_short", key))
            order = (_("its order better than a random order: yes") if f.order.p_value[j] < 0.05 else
                     _("its order better than a random order: no"))
            parts.append(f"{chance} ({order})")
        if a.paired:
            v = a.paired[j]["better_than_naive"]
            parts.append({"yes": _("better than the naive ranking: yes"),
                          "no": _("better than the naive ranking: no (the naive ranking is better)")}.get(
                v, _.ngettext("better than the naive ranking: cannot tell with {n} site",
                              "better than the naive ranking: cannot tell with {n} sites", a.n_reference)
                .format(n=_.integer(a.n_reference))))
        out.append("{budget}: {text}".format(budget=_.percent(b), text="; ".join(parts)))
    return out
