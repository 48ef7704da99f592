"""Windowed detection over a grid: per-pixel rules in blocks with a halo, then site polygons.

Memory: the bands of one block of every date, plus one uint8 mask and six
uint8 feature rasters for the whole grid (a full 10980 x 10980 tile: ~0.85 GB),
plus the int32 labels at polygonisation (~0.5 GB); GDAL's block cache is capped
(GDAL_CACHEMAX, 256 MB) by the run.
"""

from __future__ import annotations

import time
from typing import Callable, Iterator

import geopandas as gpd
import numpy as np
import pandas as pd
import rasterio.features
from rasterio.windows import Window
from scipy import ndimage
from shapely.geometry import shape

from geo.brownfield.rules import FEATURES, RuleParams, baseline_mask, pixel_features
from geo.brownfield.scoring import BaselineScorer, RuleScorer, Scorer, explain
from geo.brownfield.sources import Grid, SceneReader

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


def detect_rasters(readers: list[SceneReader], grid: Grid, method: str = "rules", p: RuleParams = RuleParams(),
                   progress: Callable[[int, int], None] | None = None, block: int = BLOCK
                   ) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Candidate mask (uint8) and features (uint8, 0-250 = 0-1) for the whole grid, block by block."""
    mask = np.zeros((grid.height, grid.width), dtype=np.uint8)
    feats = {k: np.zeros((grid.height, grid.width), dtype=np.uint8) for k in FEATURES}
    all_blocks = list(blocks(grid, block))
    for i, (read, inner, sl) in enumerate(all_blocks):
        dates, valids = [], []
        for r in readers:
            refl, valid = r.read(read)
            dates.append(refl)
            valids.append(valid)
        if method == "baseline":
            m, f = baseline_mask(dates, valids)
        else:
            m, f = pixel_features(dates, valids, p)
        m = clean(m, p)
        rows = slice(int(inner.row_off), int(inner.row_off + inner.height))
        cols = slice(int(inner.col_off), int(inner.col_off + inner.width))
        mask[rows, cols] = m[sl]
        for k in FEATURES:
            feats[k][rows, cols] = np.round(np.clip(f[k][sl], 0, 1) * 250).astype(np.uint8)
        if progress:
            progress(i + 1, len(all_blocks))
    return mask, feats


def polygons(mask: np.ndarray, feats: dict[str, np.ndarray], grid: Grid, p: RuleParams = RuleParams(),
             scorer: Scorer | None = None) -> gpd.GeoDataFrame:
    """Site polygons (EPSG:32632) with indicators, score, size class and explanation.

    Works object by object on bounding-box slices, so the only whole-grid
    temporary is the int32 label raster.
    """
    from rasterio.transform import Affine
    from shapely.ops import unary_union

    cols = ["candidate_id", "area_m2", "too_small", "size_class", "score", *FEATURES, "explanation_it",
            "explanation_en"]
    labels, n = ndimage.label(mask.astype(bool, copy=False), structure=np.ones((3, 3), bool))
    px_area = abs(grid.transform.a * grid.transform.e)
    min_px = int(np.ceil(p.mmu_m2 / px_area - 1e-9))
    rows = []
    for lbl, sl in enumerate(ndimage.find_objects(labels), start=1):
        if sl is None:
            continue
        sub = labels[sl] == lbl
        if int(sub.sum()) < min_px:
            continue
        t = grid.transform @ Affine.translation(sl[1].start, sl[0].start)
        parts = [shape(g) for g, _v in rasterio.features.shapes(sub.astype(np.uint8), mask=sub, transform=t,
                                                                 connectivity=8)]
        geom = parts[0] if len(parts) == 1 else unary_union(parts)
        rows.append({"geometry": geom, **{k: float(feats[k][sl][sub].mean()) / 250.0 for k in FEATURES}})
    del labels
    if not rows:
        return gpd.GeoDataFrame({c: pd.Series(dtype=object) for c in cols}, geometry=gpd.GeoSeries([], crs=grid.crs),
                                crs=grid.crs)
    gdf = gpd.GeoDataFrame(rows, geometry="geometry", crs=grid.crs)
    gdf["area_m2"] = gdf.geometry.area.round(1)
    gdf["too_small"] = gdf["area_m2"] < p.too_small_m2
    gdf["size_class"] = size_class(gdf["area_m2"])
    scorer = scorer or RuleScorer()
    gdf["score"] = scorer.score(gdf)
    gdf["explanation_it"] = [explain(r, "it") for _, r in gdf.iterrows()]
    gdf["explanation_en"] = [explain(r, "en") for _, r in gdf.iterrows()]
    gdf.loc[gdf["too_small"], "explanation_en"] += "; too small to assess from Sentinel-2"
    gdf.loc[gdf["too_small"], "explanation_it"] += "; troppo piccola per Sentinel-2"
    gdf = gdf.sort_values("score", ascending=False, kind="stable").reset_index(drop=True)  # ties: raster order
    c = gdf.geometry.centroid
    gdf["candidate_id"] = [f"BF-{int(x) // 10:06d}-{int(y) // 10:07d}" for x, y in zip(c.x, c.y)]
    return gdf[cols + ["geometry"]]


SIZE_CLASSES = ((0, 5000, "0.2-0.5 ha"), (5000, 10000, "0.5-1 ha"), (10000, 50000, "1-5 ha"),
                (50000, float("inf"), ">5 ha"))


def size_class(area_m2: pd.Series) -> pd.Series:
    out = pd.Series(index=area_m2.index, dtype=object)
    for lo, hi, name in SIZE_CLASSES:
        out[(area_m2 >= lo) & (area_m2 < hi)] = name
    return out


def scorer_for(method: str) -> Scorer:
    return BaselineScorer() if method == "baseline" else RuleScorer()
