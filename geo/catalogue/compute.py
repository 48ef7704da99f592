"""Fields the system computes for a site from the official layers (pure functions).

Everything here is ``frames in -> frame out``, with no I/O. Its one caller is
:func:`geo.catalogue.records.prepare`, the single way a site record gets its
derived fields (writes, recomputation, owner preview, demo build).
Distances are straight lines in EPSG:32632, in km.
"""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

import pyproj
import shapely

from geo.places import METRIC_CRS

_TO_METRIC_T = pyproj.Transformer.from_crs(4326, METRIC_CRS, always_xy=True)


def _TO_METRIC(coords: np.ndarray) -> np.ndarray:
    x, y = _TO_METRIC_T.transform(coords[:, 0], coords[:, 1])
    return np.column_stack([x, y])


_MEMO: dict[tuple[int, str], tuple[object, object]] = {}


def _memo(gdf: gpd.GeoDataFrame, key: str, make):
    """``make(gdf)`` computed once per reference frame object (the catalogue caches those frames)."""
    k = (id(gdf), key)
    hit = _MEMO.get(k)
    if hit is not None and hit[0] is gdf:
        return hit[1]
    value = make(gdf)
    if len(_MEMO) > 64:
        _MEMO.clear()
    _MEMO[k] = (gdf, value)
    return value


def _metric(gdf: gpd.GeoDataFrame) -> np.ndarray:
    """A layer's geometries in EPSG:32632 (no work when already there; memoised per frame)."""
    def make(g):
        if g.crs is not None and g.crs.to_epsg() == METRIC_CRS:
            return g.geometry.to_numpy()
        return g.geometry.to_crs(METRIC_CRS).to_numpy()
    return _memo(gdf, "metric", make)


def _nearest_index(infrastructure: gpd.GeoDataFrame, kind: str):
    """(STRtree, names) of the infrastructure points of one kind, None when there are none."""
    def make(infra):
        sel = infra[infra["kind"] == kind] if len(infra) else infra
        if kind == "airport" and len(sel) and "subkind" in sel:
            sel = sel[sel["subkind"] == "airport"]  # commercial airports, not airfields
        if len(sel) == 0:
            return None
        return shapely.STRtree(_metric(sel)), sel["name"].tolist()
    return _memo(infrastructure, f"nearest:{kind}", make)


def _inside(pts: np.ndarray, polys: np.ndarray) -> np.ndarray:
    """For each point, the index of the first polygon containing it (-1 when none)."""
    out = np.full(len(pts), -1)
    tree = shapely.STRtree(polys)
    src, dst = tree.query(pts, predicate="within")
    for a, b in zip(src[::-1], dst[::-1]):  # reversed: the first polygon wins
        out[a] = b
    return out

def km_of(metres):
    """A computed distance as stored: km with 2 decimals (shown with :data:`geo.figures.KM_DIGITS`).

    >>> float(km_of(3749.0))
    3.75
    """
    return np.round(np.asarray(metres, dtype=float) / 1000.0, 2)


INFRA_DISTANCE_FIELDS = {
    "airport": ("dist_airport_km", "nearest_airport"),
    "motorway_junction": ("dist_motorway_junction_km", None),
    "rail_station": ("dist_rail_station_km", "nearest_rail_station"),
    "rail_freight_terminal": ("dist_rail_freight_terminal_km", None),
    "port": ("dist_port_km", None),
}
PRODUCTIVE_USES = {"industrial", "logistics"}

#: Columns this module fills; each gets provenance ``computed`` when known.
COMPUTED_COLUMNS = (
    "municipality_name", "province", "in_zls", "zls_aid_area", "zis_id", "legal_disused_area",
    *[c for pair in INFRA_DISTANCE_FIELDS.values() for c in pair if c],
)


def legal_disused(covered: float | None, years_unused: float | None, occupancy: str | None,
                  uses: str | None) -> bool | None:
    """L.R. 1/2007 art. 7: is this a *disused area*? None when the data cannot tell.

    Productive areas need covered surface > 2,000 m², others > 5,000 m², and
    activity ceased on more than half of it for more than 4 years.

    >>> legal_disused(3000, 6, "vacant", "industrial")
    True
    >>> legal_disused(3000, 6, "vacant", "residential") is False
    True
    """
    def missing(v) -> bool:
        return v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NA

    productive = bool(set(str(uses or "").split(";")) & PRODUCTIVE_USES)
    threshold = 2000 if productive else 5000
    if occupancy == "in_use":
        return False
    if not missing(covered) and covered <= threshold:
        return False
    if not missing(years_unused) and years_unused <= 4:
        return False
    if missing(covered) or missing(years_unused) or missing(occupancy):
        return None
    if occupancy == "vacant":
        return True
    return None  # partly used: whether > 50% ceased is not declared


def computed_fields(sites: gpd.GeoDataFrame, reference: Any) -> pd.DataFrame:
    """Computed columns (and their ``__prov``) for point ``sites``, same index.

    ``in_zls`` comes from an imported ZLS perimeter when there is one, else from
    the ZLS municipalities (an approximation the UI states).
    """
    municipalities, zls_municipalities = reference.municipalities, reference.zls_municipalities
    infrastructure, zis_areas, zls_perimeter = reference.infrastructure, reference.zis_areas, reference.zls_perimeter
    out = pd.DataFrame(index=sites.index)
    if len(sites) == 0:
        for c in COMPUTED_COLUMNS:
            out[c] = pd.Series(dtype="object")
        return out
    # Plain shapely on arrays (STRtree per layer): one listing costs a millisecond, not a spatial-join setup.
    pts = shapely.transform(sites.geometry.to_numpy(), _TO_METRIC)
    n = len(pts)

    def column(layer: pd.DataFrame, name: str) -> list:  # a deleted layer reads back without its columns
        return layer[name].tolist() if name in layer else []

    names = dict(zip(column(municipalities, "istat"), column(municipalities, "name")))
    provinces = dict(zip(column(municipalities, "istat"), column(municipalities, "province")))
    istat = sites["municipality_istat"].tolist() if "municipality_istat" in sites else [None] * n
    out["municipality_name"] = pd.Series([names.get(c) for c in istat], index=sites.index, dtype=object)
    out["province"] = pd.Series([provinces.get(c) for c in istat], index=sites.index, dtype=object)

    zls_aid = dict(zip(column(zls_municipalities, "istat"), column(zls_municipalities, "aid_area")))
    in_zls_mun = np.array([c in zls_aid for c in istat])
    aid = np.array([bool(zls_aid.get(c)) if zls_aid.get(c) is not None and not pd.isna(zls_aid.get(c)) else False
                    for c in istat])
    if zls_perimeter is not None and len(zls_perimeter):
        inside = _inside(pts, _metric(zls_perimeter)) >= 0
        in_zls, zls_aid_area = inside, aid & inside
    else:
        in_zls, zls_aid_area = in_zls_mun, in_zls_mun & aid
    unknown_mun = np.array([c is None or (isinstance(c, float) and np.isnan(c)) for c in istat])
    out["in_zls"] = pd.array([None if u else bool(v) for u, v in zip(unknown_mun, in_zls)], dtype="boolean")
    out["zls_aid_area"] = pd.array([None if u else bool(v) for u, v in zip(unknown_mun, zls_aid_area)],
                                   dtype="boolean")

    zis_ids: list = [None] * n
    if zis_areas is not None and len(zis_areas):
        hit = _inside(pts, _metric(zis_areas))
        ids = zis_areas["zis_id"].tolist()
        zis_ids = [ids[h] if h >= 0 else None for h in hit]
    out["zis_id"] = pd.Series(zis_ids, index=sites.index, dtype=object)

    for kind, (dist_col, name_col) in INFRA_DISTANCE_FIELDS.items():
        index = _nearest_index(infrastructure, kind)
        if index is None:
            out[dist_col] = np.nan
            if name_col:
                out[name_col] = None
            continue
        tree, nm = index
        (src, dst), dist = tree.query_nearest(pts, return_distance=True, all_matches=False)
        d = np.full(n, np.nan)
        near = np.full(n, -1)
        d[src], near[src] = dist, dst
        out[dist_col] = km_of(d)
        if name_col:
            out[name_col] = pd.Series([nm[k] if k >= 0 else None for k in near], index=sites.index, dtype=object)

    def col(name):
        return sites[name] if name in sites else pd.Series([None] * len(sites), index=sites.index)

    out["legal_disused_area"] = pd.array(
        [legal_disused(c, y, o, u) for c, y, o, u in zip(col("covered_area_m2"), col("years_unused"),
                                                          col("occupancy"), col("permitted_uses"))],
        dtype="boolean")
    for c in COMPUTED_COLUMNS:
        known = out[c].notna()
        out[f"{c}__prov"] = np.where(known, "computed", None)
    if zis_areas is not None and len(zis_areas):
        # Not inside any ZIS of the layer is a computed answer ("no"), not an unknown one; without a ZIS
        # layer (none is public) the answer stays unknown.
        out["zis_id__prov"] = "computed"
    return out
