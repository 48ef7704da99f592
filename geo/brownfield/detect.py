"""Windowed detection over a grid: per-pixel rules in blocks with a halo, then site polygons.

Memory: the bands of one block of every date, plus one uint8 mask and six
uint8 feature rasters for the whole grid (a full 10980 x 10980 tile: ~0.85 GB),
plus the int32 labels at polygonisation (~0.5 GB); GDAL's block cache is capped
(GDAL_CACHEMAX, 256 MB) by the run.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable, Iterator

import geopandas as gpd
import numpy as np
import pandas as pd
import rasterio.features
from rasterio.windows import Window
from scipy import ndimage
from shapely.geometry import shape

from geo.brownfield.rules import FEATURE_SHIFT, FEATURES, RuleParams, baseline_mask, pixel_features
from geo.brownfield.scoring import BaselineScorer, RuleScorer, Scorer, explain
from geo.brownfield.sources import Grid
from geo.brownfield.texts import both
from geo.i18n import LOCALES, N_

if TYPE_CHECKING:
    from geo.brownfield.readers import Reader

BLOCK = 1024
HALO = 8


def blocks(grid: Grid, size: int = BLOCK, halo: int = HALO) -> Iterator[tuple[Window, Window, tuple[slice, slice]]]:
    """(read window with halo, inner window, slice of the inner part inside the read array)."""
    for r0 in range(0, grid.height, size):
        for c0 in range(0, grid.width, size):
            h, w = min(size, grid.height - r0), min(size, grid.width - c0)
            rr0, cc0 = max(0, r0 - halo), max(0, c0 - halo)
            rr1, cc1 = min(grid.height, r0 + h + halo), min(grid.width, c0 + w + halo)
            read = Window(cc0, rr0, cc1 - cc0, rr1 - rr0)
            inner = Window(c0, r0, w, h)
            yield read, inner, (slice(r0 - rr0, r0 - rr0 + h), slice(c0 - cc0, c0 - cc0 + w))


def clean(mask: np.ndarray, p: RuleParams) -> np.ndarray:
    """Morphological clean-up: opening removes speckle, closing joins a site's yard and roofs."""
    out = mask
    if p.opening_px:
        out = ndimage.binary_opening(out, structure=np.ones((2 * p.opening_px + 1,) * 2, bool))
    if p.closing_px:
        out = ndimage.binary_closing(out, structure=np.ones((2 * p.closing_px + 1,) * 2, bool))
    return out


def encode(feature: np.ndarray) -> np.ndarray:
    """A feature in 0-1 as uint8 0-250 (the rasters kept for the whole grid)."""
    return np.round(np.clip(feature, 0, 1) * 250).astype(np.uint8)


def detect_rasters(reader: "Reader", method: str = "rules", p: RuleParams = RuleParams(),
                   progress: Callable[[int, int], None] | None = None, block: int = BLOCK
                   ) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Candidate mask (uint8) and features (uint8, 0-250 = 0-1) for the reader's whole grid, block by block.

    Every pixel comes through ``reader`` (:class:`geo.brownfield.readers.Reader`): files, a cube or arrays.
    """
    grid = reader.grid
    mask = np.zeros((grid.height, grid.width), dtype=np.uint8)
    feats = {k: np.zeros((grid.height, grid.width), dtype=np.uint8) for k in FEATURES}
    all_blocks = list(blocks(grid, block))
    for i, (read, inner, sl) in enumerate(all_blocks):
        obs = reader.read(read)
        if method == "baseline":
            m, f = baseline_mask(obs.bands, obs.valid)
        else:
            m, f = pixel_features(obs.bands, obs.valid, p, activity=obs.activity)
        m = clean(m, p)
        rows = slice(int(inner.row_off), int(inner.row_off + inner.height))
        cols = slice(int(inner.col_off), int(inner.col_off + inner.width))
        mask[rows, cols] = m[sl]
        for k in FEATURES:
            feats[k][rows, cols] = encode(f[k][sl])
        if progress:
            progress(i + 1, len(all_blocks))
    return mask, feats


def objects(mask: np.ndarray, feats: dict[str, np.ndarray], transform, min_px: int = 1,
            keep_edge: bool = False) -> list[dict]:
    """Connected components (8-connected) of ``mask`` as polygons with pixel counts and feature sums.

    Sums (of the uint8 rasters) rather than means, so that pieces of one site
    found in different chunks add up exactly. With ``keep_edge``, components
    touching the array's edge are kept whatever their size (their other part
    lies in the next chunk) and flagged ``edge``.
    """
    from rasterio.transform import Affine
    from shapely.ops import unary_union

    labels, _n = ndimage.label(mask.astype(bool, copy=False), structure=np.ones((3, 3), bool))
    h, w = labels.shape
    rows = []
    for lbl, sl in enumerate(ndimage.find_objects(labels), start=1):
        if sl is None:
            continue
        sub = labels[sl] == lbl
        n_px = int(sub.sum())
        edge = keep_edge and (sl[0].start == 0 or sl[1].start == 0 or sl[0].stop == h or sl[1].stop == w)
        if n_px < min_px and not edge:
            continue
        t = transform @ Affine.translation(sl[1].start, sl[0].start)
        parts = [shape(g) for g, _v in rasterio.features.shapes(sub.astype(np.uint8), mask=sub, transform=t,
                                                                 connectivity=8)]
        geom = parts[0] if len(parts) == 1 else unary_union(parts)
        rows.append({"geometry": geom, "n_px": n_px, "edge": bool(edge),
                     **{f"sum_{k}": int(feats[k][sl][sub].sum(dtype=np.int64)) for k in feats}})
    return rows


def _empty(cols: list[str], crs) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({c: pd.Series(dtype=object) for c in cols}, geometry=gpd.GeoSeries([], crs=crs), crs=crs)


CANDIDATE_COLUMNS = ["candidate_id", "rank", "area_m2", "too_small", "size_class", "score", *FEATURES,
                     "explanation_it", "explanation_en"]


def sites(rows: list[dict], crs, p: RuleParams = RuleParams(), scorer: Scorer | None = None) -> gpd.GeoDataFrame:
    """Site polygons with mean indicators, score, size class, explanation, ranked (``rank`` 1 = first)."""
    if not rows:
        return _empty(CANDIDATE_COLUMNS, crs)
    gdf = gpd.GeoDataFrame(rows, geometry="geometry", crs=crs)
    for k in FEATURES:
        gdf[k] = (gdf[f"sum_{k}"] / gdf["n_px"] / 250.0 - FEATURE_SHIFT.get(k, 0.0)).round(4)
    gdf["area_m2"] = gdf.geometry.area.round(1)
    gdf["too_small"] = gdf["area_m2"] < p.too_small_m2
    gdf["size_class"] = size_class(gdf["area_m2"])
    scorer = scorer or RuleScorer()
    gdf["score"] = scorer.score(gdf)
    too_small = both(N_("too small to assess from Sentinel-2"))
    for lang in LOCALES:  # the explanation_it and explanation_en columns
        gdf[f"explanation_{lang}"] = [explain(r, lang) for _, r in gdf.iterrows()]
        gdf.loc[gdf["too_small"], f"explanation_{lang}"] += "; " + too_small[lang]
    c = gdf.geometry.centroid
    gdf["candidate_id"] = [f"BF-{int(x) // 10:06d}-{int(y) // 10:07d}" for x, y in zip(c.x, c.y)]
    gdf = rank(gdf)
    return gdf[CANDIDATE_COLUMNS + ["geometry"]]


def rank(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Order candidates for review: assessable sites first, then by score, then larger first; ``rank`` 1..n.

    A site too small to assess from Sentinel-2 never ranks above one that can
    be assessed, whatever its score. Ties end in candidate_id order, so the
    ranking does not depend on chunking or raster order.
    """
    out = gdf.assign(_a=gdf["too_small"].astype(bool)).sort_values(
        ["_a", "score", "area_m2", "candidate_id"], ascending=[True, False, False, True], kind="stable")
    out = out.drop(columns="_a").reset_index(drop=True)
    out["rank"] = np.arange(1, len(out) + 1)
    return out


def in_budget(areas_m2: np.ndarray, analysed_area_m2: float, budget: float) -> np.ndarray:
    """True for the top candidates (in the given order) whose cumulative *own* area stays within ``budget`` x
    area: the issue-12 rule, kept for comparison (``detect --budget`` now uses :func:`in_budget_tolerance`).

    >>> in_budget(np.array([30., 20., 10., 40.]), 1000., 0.05).tolist()
    [True, True, False, False]
    """
    cum = np.cumsum(np.asarray(areas_m2, dtype=float))
    return cum <= budget * analysed_area_m2 + 1e-6


#: A reference point inside or within this distance of a candidate is matched (the method's tolerance), so the
#: area budget counts this halo round every candidate as flagged too.
MATCH_TOLERANCE_M = 50.0


def cumulative_shares(geoms, area, tolerance_m: float = MATCH_TOLERANCE_M) -> np.ndarray:
    """Share of ``area`` flagged by the first 1, 2, ... n geometries (in the given order), each grown by
    ``tolerance_m`` and clipped to ``area``: the running union, exactly (metric CRS).

    Each candidate adds its grown area minus what earlier neighbours already cover (an R-tree finds them),
    so the cost grows with the neighbours, not with the whole union.

    >>> from shapely.geometry import box
    >>> cumulative_shares([box(0, 0, 10, 10), box(5, 0, 15, 10)], box(0, 0, 100, 10), 0).tolist()
    [0.1, 0.15]
    """
    import shapely

    geoms = np.asarray(list(geoms), dtype=object)
    total = float(area.area)
    if len(geoms) == 0 or total <= 0:
        return np.zeros(len(geoms))
    grown = shapely.buffer(geoms, tolerance_m, quad_segs=16) if tolerance_m else geoms
    grown = shapely.intersection(grown, area)
    tree = shapely.STRtree(grown)
    added = np.empty(len(grown))
    for i, g in enumerate(grown):
        earlier = [j for j in tree.query(g, predicate="intersects") if j < i]
        a = shapely.area(g)
        if earlier:
            a -= shapely.area(shapely.intersection(g, shapely.union_all(grown[earlier])))
        added[i] = a
    return np.cumsum(added) / total


def in_budget_tolerance(geoms, area, budget: float, tolerance_m: float = MATCH_TOLERANCE_M) -> np.ndarray:
    """True for the top candidates (in the given order) whose area *grown by the matching tolerance* and
    clipped to ``area`` stays within ``budget`` of it: the list ``detect --budget`` publishes (issue 19).

    >>> from shapely.geometry import box
    >>> in_budget_tolerance([box(0, 0, 10, 10), box(50, 0, 60, 10)], box(0, 0, 100, 100), 0.02, 0).tolist()
    [True, True]
    """
    return cumulative_shares(geoms, area, tolerance_m) <= budget + 1e-9


NAIVE_COLUMNS = ["object_id", "rank", "area_m2", "bsi_mean", "score"]


def naive_objects(rows: list[dict], crs) -> gpd.GeoDataFrame:
    """The naive object ranking: components bare (BSI > 0) on every date, ranked by size x mean BSI."""
    if not rows:
        return _empty(NAIVE_COLUMNS, crs)
    gdf = gpd.GeoDataFrame(rows, geometry="geometry", crs=crs)
    gdf["area_m2"] = gdf.geometry.area.round(1)
    gdf["bsi_mean"] = (gdf["sum_bsi_mean"] / gdf["n_px"] / 250.0 - FEATURE_SHIFT["bsi_mean"]).round(4)
    gdf["score"] = (gdf["area_m2"] * gdf["bsi_mean"]).round(2)
    c = gdf.geometry.centroid
    gdf["object_id"] = [f"BSI-{int(x) // 10:06d}-{int(y) // 10:07d}" for x, y in zip(c.x, c.y)]
    gdf = gdf.sort_values(["score", "object_id"], ascending=[False, True], kind="stable").reset_index(drop=True)
    gdf["rank"] = np.arange(1, len(gdf) + 1)
    return gdf[NAIVE_COLUMNS + ["geometry"]]


def min_pixels(grid_transform, p: RuleParams) -> int:
    px_area = abs(grid_transform.a * grid_transform.e)
    return int(np.ceil(p.mmu_m2 / px_area - 1e-9))


def polygons(mask: np.ndarray, feats: dict[str, np.ndarray], grid: Grid, p: RuleParams = RuleParams(),
             scorer: Scorer | None = None) -> gpd.GeoDataFrame:
    """Site polygons (EPSG:32632) with indicators, score, size class, explanation and rank.

    Works object by object on bounding-box slices, so the only whole-grid
    temporary is the int32 label raster.
    """
    return sites(objects(mask, feats, grid.transform, min_pixels(grid.transform, p)), grid.crs, p, scorer)


def naive_polygons(feats: dict[str, np.ndarray], grid: Grid, p: RuleParams = RuleParams()) -> gpd.GeoDataFrame:
    """Components of "BSI > 0 on every date" (no clean-up; same minimum mapping unit) for the naive ranking."""
    mask = feats["bare_all"] >= 250
    rows = objects(mask, {"bsi_mean": feats["bsi_mean"]}, grid.transform, min_pixels(grid.transform, p))
    return naive_objects(rows, grid.crs)


SIZE_CLASSES = ((0, 5000, "0.2-0.5 ha"), (5000, 10000, "0.5-1 ha"), (10000, 50000, "1-5 ha"),
                (50000, float("inf"), ">5 ha"))


def size_class(area_m2: pd.Series) -> pd.Series:
    out = pd.Series(index=area_m2.index, dtype=object)
    for lo, hi, name in SIZE_CLASSES:
        out[(area_m2 >= lo) & (area_m2 < hi)] = name
    return out


def scorer_for(method: str) -> Scorer:
    return BaselineScorer() if method == "baseline" else RuleScorer()
