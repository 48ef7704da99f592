"""Isochrones: the zones a truck reaches from a point in 10, 20 and 30 minutes, cached per point.

A zone is the union of discs: around the start (the direct leg) and around every access node reached
in ``t`` minutes, of the radius the remaining ``N - t`` minutes cover off the network at the profile's
local speed and detour. On an imported network a truck does not leave the roads for long: the discs
are capped at :data:`OFFROAD_M` and drawn on a :data:`CELL_M` grid (fast for 100,000 reached nodes).
"""

from __future__ import annotations

from collections import OrderedDict

import numpy as np
import shapely

from geo.routing.graph import DEFAULT, RoadGraph
from geo.routing.paths import Reach, reach
from geo.routing.speeds import Profile

#: The zones drawn, in minutes.
BANDS = (10, 20, 30)
#: Largest disc around a reached node of an imported network: the last few hundred metres to a gate.
OFFROAD_M = 500.0
#: Grid of an imported network's zones (metres): finer than a street block, coarse enough to draw fast.
CELL_M = 250.0
#: Points kept in the cache (each holds one float per node of the graph: 8 MB for a million nodes).
CACHE_POINTS = 16
#: Points closer than this share a cached reach (a click is not more precise than a few metres).
CACHE_GRID_M = 10.0

_CACHE: "OrderedDict[tuple, Reach]" = OrderedDict()


def cached_reach(graph: RoadGraph, profile: Profile, xy: tuple[float, float], limit: float = max(BANDS)) -> Reach:
    """:func:`geo.routing.paths.reach` memoised per graph, profile and point (to :data:`CACHE_GRID_M`)."""
    key = (id(graph), profile.key, round(xy[0] / CACHE_GRID_M), round(xy[1] / CACHE_GRID_M), limit)
    hit = _CACHE.get(key)
    if hit is not None and hit.graph is graph:
        _CACHE.move_to_end(key)
        return hit
    r = reach(graph, profile, (float(xy[0]), float(xy[1])), limit)
    _CACHE[key] = r
    while len(_CACHE) > CACHE_POINTS:
        _CACHE.popitem(last=False)
    return r


def zones(r: Reach, bands=BANDS) -> dict[int, shapely.Geometry]:
    """``{minutes: (Multi)Polygon in EPSG:32632}`` reached from ``r``'s point within each band."""
    g, p = r.graph, r.profile
    per_m = p.leg_min(1.0)  # minutes per straight-line metre off the network
    pen = p.access_min if g.kind == DEFAULT else 0.0
    out: dict[int, shapely.Geometry] = {}
    for band in bands:
        cx, cy = [r.xy[0]], [r.xy[1]]
        rad = [band / per_m if g.kind == DEFAULT or g.n_nodes == 0 else 0.0]
        if g.n_nodes:
            left = band - r.node_min - pen
            ok = g.access & (left > 0)
            radius = left[ok] / per_m
            if g.kind != DEFAULT:
                radius = np.minimum(radius, OFFROAD_M)
            cx += list(g.x[ok]) if g.kind == DEFAULT else []
            cy += list(g.y[ok]) if g.kind == DEFAULT else []
            rad += list(radius) if g.kind == DEFAULT else []
            if g.kind != DEFAULT and ok.any():
                out[band] = _grid_zone(g.x[ok], g.y[ok], radius)
                continue
        discs = shapely.buffer(shapely.points(cx, cy), np.asarray(rad), quad_segs=16)
        out[band] = shapely.union_all([d for d, q in zip(discs, rad) if q > 0]) if any(q > 0 for q in rad) \
            else shapely.Polygon()
    return out


def _grid_zone(x: np.ndarray, y: np.ndarray, radius: np.ndarray) -> shapely.Geometry:
    """Discs on a grid: the reached nodes' cells, widened by their (capped) radius, as polygons."""
    from rasterio import features
    from rasterio.transform import from_origin
    from scipy import ndimage

    pad = OFFROAD_M + CELL_M
    x0, y1 = x.min() - pad, y.max() + pad
    w = int(np.ceil((x.max() + pad - x0) / CELL_M)) + 1
    h = int(np.ceil((y1 - (y.min() - pad)) / CELL_M)) + 1
    grid = np.zeros((h, w), np.uint8)
    col = ((x - x0) / CELL_M).astype(int)
    row = ((y1 - y) / CELL_M).astype(int)
    grid[row, col] = 1
    k = int(np.ceil(float(radius.max()) / CELL_M)) if len(radius) else 0
    if k:
        yy, xx = np.mgrid[-k:k + 1, -k:k + 1]
        grid = ndimage.binary_dilation(grid, structure=(xx ** 2 + yy ** 2) <= k * k).astype(np.uint8)
    tr = from_origin(x0, y1, CELL_M, CELL_M)
    polys = [shapely.geometry.shape(s) for s, v in features.shapes(grid, mask=grid.astype(bool), transform=tr)
             if v == 1]
    return shapely.union_all(polys) if polys else shapely.Polygon()


def sites_within(graph: RoadGraph, profile: Profile, xy: tuple[float, float], sites: np.ndarray,
                 minutes: float) -> np.ndarray:
    """Boolean mask of ``sites`` (``(n, 2)`` metres) a truck reaches from ``xy`` in ``minutes``."""
    r = cached_reach(graph, profile, xy, max(float(minutes), float(max(BANDS))))
    return r.sites_min(sites) <= minutes


def zones_geojson(graph: RoadGraph, profile: Profile, lon: float, lat: float, bands=BANDS) -> dict:
    """The zones reached from a point (WGS84) as a GeoJSON FeatureCollection, widest first (for drawing),
    each feature with ``minutes`` and ``provenance`` (``estimated`` on the default graph, else ``computed``)."""
    from shapely.geometry import mapping

    from geo.routing.lines import to_lonlat, to_metric

    x, y = to_metric(np.array([[lon, lat]]))[0]
    z = zones(cached_reach(graph, profile, (float(x), float(y)), float(max(bands))), bands)
    prov = "estimated" if graph.kind == DEFAULT else "computed"
    feats = []
    for band in sorted(z, reverse=True):
        g = shapely.transform(z[band].simplify(50.0), to_lonlat)
        g = shapely.set_precision(g, 1e-5)
        feats.append({"type": "Feature", "properties": {"minutes": int(band), "provenance": prov},
                      "geometry": mapping(g)})
    return {"type": "FeatureCollection", "features": feats}
