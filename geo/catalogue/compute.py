"""Fields the system computes for a site from the official layers (pure functions).

Everything here is ``frames in -> frame out``: no I/O, so the same code fills
the catalogue at write time and the owner preview before submission.
Distances are straight lines in EPSG:32632, in km.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.places import METRIC_CRS

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


def compute_site_fields(
    sites: gpd.GeoDataFrame,
    municipalities: gpd.GeoDataFrame,
    zls_municipalities: gpd.GeoDataFrame,
    infrastructure: gpd.GeoDataFrame,
    zis_areas: gpd.GeoDataFrame | None = None,
    zls_perimeter: gpd.GeoDataFrame | None = None,
) -> pd.DataFrame:
    """Computed columns (and their ``__prov``) for point ``sites``, same index.

    ``in_zls`` comes from an imported ZLS perimeter when there is one, else from
    the ZLS municipalities (an approximation the UI states).
    """
    out = pd.DataFrame(index=sites.index)
    if len(sites) == 0:
        for c in COMPUTED_COLUMNS:
            out[c] = pd.Series(dtype="object")
        return out
    pts = sites.geometry.to_crs(METRIC_CRS)
    pts_gdf = gpd.GeoDataFrame(geometry=pts, index=sites.index)

    names = municipalities.set_index("istat")
    istat = sites.get("municipality_istat", pd.Series(index=sites.index, dtype=object))
    out["municipality_name"] = istat.map(names["name"])
    out["province"] = istat.map(names["province"])

    zls = zls_municipalities.set_index("istat")
    aid = istat.map(zls["aid_area"]).astype("boolean")
    in_zls_mun = istat.isin(zls.index)
    if zls_perimeter is not None and len(zls_perimeter):
        per = zls_perimeter.to_crs(METRIC_CRS)
        hit = gpd.sjoin(pts_gdf, per[["geometry"]], how="left", predicate="within")
        inside = hit["index_right"].notna().groupby(level=0).any()
        out["in_zls"] = inside.reindex(sites.index).astype("boolean")
        out["zls_aid_area"] = (aid.fillna(False) & out["in_zls"]).astype("boolean")
    else:
        out["in_zls"] = pd.array(in_zls_mun.to_numpy(), dtype="boolean")
        out["zls_aid_area"] = pd.array((in_zls_mun & aid.fillna(False)).to_numpy(), dtype="boolean")
    unknown_mun = istat.isna()
    out.loc[unknown_mun.to_numpy(), ["in_zls", "zls_aid_area"]] = pd.NA

    out["zis_id"] = None
    if zis_areas is not None and len(zis_areas):
        z = zis_areas.to_crs(METRIC_CRS)[["zis_id", "geometry"]]
        hit = gpd.sjoin(pts_gdf, z, how="left", predicate="within")
        first = hit["zis_id"].groupby(level=0).first()
        out["zis_id"] = first.reindex(sites.index).astype(object).where(lambda s: s.notna(), None)

    infra = infrastructure.to_crs(METRIC_CRS) if len(infrastructure) else infrastructure
    for kind, (dist_col, name_col) in INFRA_DISTANCE_FIELDS.items():
        sel = infra[infra["kind"] == kind] if len(infra) else infra
        if kind == "airport" and len(sel) and "subkind" in sel:
            sel = sel[sel["subkind"] == "airport"]  # commercial airports, not airfields
        if len(sel) == 0:
            out[dist_col] = np.nan
            if name_col:
                out[name_col] = None
            continue
        near = gpd.sjoin_nearest(pts_gdf, sel[["name", "geometry"]], how="left", distance_col="_d")
        near = near[~near.index.duplicated(keep="first")]
        out[dist_col] = (near["_d"] / 1000.0).round(2).reindex(sites.index)
        if name_col:
            out[name_col] = near["name"].reindex(sites.index)

    def col(name):
        return sites[name] if name in sites else pd.Series([None] * len(sites), index=sites.index)

    out["legal_disused_area"] = pd.array(
        [legal_disused(c, y, o, u) for c, y, o, u in zip(col("covered_area_m2"), col("years_unused"),
                                                          col("occupancy"), col("permitted_uses"))],
        dtype="boolean")
    for c in COMPUTED_COLUMNS:
        known = out[c].notna()
        out[f"{c}__prov"] = np.where(known, "computed", None)
    return out
