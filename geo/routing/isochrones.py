"""Isochrones: the zones a truck reaches from a point in 10, 20 and 30 minutes, cached per point.

On the default motorway graph a zone is the union of discs: around the start (the direct leg) and around
every exit reached in ``t`` minutes, of the radius the remaining ``N - t`` minutes cover off the network at
the profile's local speed and detour (less the exit's access penalty). On an imported network a zone is the
roads driven within ``N`` minutes (the reachable part of the last edge too) widened by :data:`OFFROAD_M`,
drawn on a :data:`CELL_M` grid (fast for a million edges).
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
    out: dict[int, shapely.Geometry] = {}
    for band in bands:
        if g.kind != DEFAULT and g.n_nodes:
            out[band] = _edge_zone(r, band)
            continue
        cx, cy, rad = [r.xy[0]], [r.xy[1]], [band / per_m]
        if g.n_nodes:
            left = band - r.node_min - p.access_min
            ok = g.access & (left > 0)
            cx += list(g.x[ok])
            cy += list(g.y[ok])
            rad += list(left[ok] / per_m)
        discs = shapely.buffer(shapely.points(cx, cy), np.asarray(rad), quad_segs=16)
        out[band] = shapely.union_all(discs)
    return out


def _edge_zone(r: Reach, band: float) -> shapely.Geometry:
    """An imported network's zone: the stretch of every edge driven within ``band`` minutes (whole edges, and
    the reachable part of the last one), widened by :data:`OFFROAD_M`, drawn on a :data:`CELL_M` grid."""
    from rasterio import features
    from rasterio.transform import from_origin
    from scipy import ndimage

    g = r.graph
    t_u = r.node_min[g.u]
    ok = np.isfinite(t_u) & (t_u < band)
    if not ok.any():
        return shapely.Point(r.xy).buffer(OFFROAD_M)
    u, v = g.u[ok], g.v[ok]
    f = np.clip((band - t_u[ok]) / np.maximum(g.minutes[ok], 1e-9), 0.0, 1.0)
    x0s, y0s = g.x[u], g.y[u]
    x1s, y1s = x0s + f * (g.x[v] - x0s), y0s + f * (g.y[v] - y0s)
    pad = OFFROAD_M + 2 * CELL_M
    west, north = min(x0s.min(), x1s.min(), r.xy[0]) - pad, max(y0s.max(), y1s.max(), r.xy[1]) + pad
    w = int(np.ceil((max(x0s.max(), x1s.max(), r.xy[0]) + pad - west) / CELL_M)) + 1
    h = int(np.ceil((north - (min(y0s.min(), y1s.min(), r.xy[1]) - pad)) / CELL_M)) + 1
    tr = from_origin(west, north, CELL_M, CELL_M)
    # Each stretch sampled every half cell (NumPy, no geometry objects): the cells it crosses are marked.
    n_s = np.maximum(np.ceil(np.hypot(x1s - x0s, y1s - y0s) / (CELL_M / 2)).astype(np.int64), 1) + 1
    seg = np.repeat(np.arange(len(x0s)), n_s)
    t = (np.arange(n_s.sum()) - np.repeat(np.cumsum(n_s) - n_s, n_s)) / np.repeat(n_s - 1, n_s)
    sx = x0s[seg] + t * (x1s[seg] - x0s[seg])
    sy = y0s[seg] + t * (y1s[seg] - y0s[seg])
    grid = np.zeros((h, w), np.uint8)
    grid[((north - sy) / CELL_M).astype(np.int64), ((sx - west) / CELL_M).astype(np.int64)] = 1
    k = int(np.ceil(OFFROAD_M / CELL_M))
    yy, xx = np.mgrid[-k:k + 1, -k:k + 1]
    grid = ndimage.binary_dilation(grid, structure=(xx ** 2 + yy ** 2) <= k * k).astype(np.uint8)
    polys = [shapely.geometry.shape(s) for s, val in features.shapes(grid, mask=grid.astype(bool), transform=tr)
             if val == 1]
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
