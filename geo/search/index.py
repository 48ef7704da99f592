"""A search index over the sites frame: columns parsed once, coordinates projected once.

Queries then run as NumPy expressions over arrays, with no reprojection and no
string parsing, which keeps a combined query at 100k sites in milliseconds.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.places import METRIC_CRS
from geo.schema import FIELD

USES = FIELD["permitted_uses"].choices
USE_BIT = {u: 1 << i for i, u in enumerate(USES)}
NUMERIC = ("land_area_m2", "covered_area_m2", "floor_area_m2", "power_kw", "price_eur", "lease_eur_m2_year",
           "dist_airport_km", "dist_motorway_junction_km", "dist_rail_station_km",
           "dist_rail_freight_terminal_km", "dist_port_km", "years_unused",
           "drive_motorway_min", "drive_rail_station_min", "drive_rail_terminal_min", "drive_port_min")
BOOLS = ("gas", "water", "sewer", "fibre", "rail_siding", "in_zls", "zls_aid_area", "is_demo")
CATEGORIES = ("asset_kind", "origin", "condition", "contamination", "transaction", "province",
              "municipality_istat", "status", "occupancy", "implementation_plan", "offer_type")


def uses_mask(values: pd.Series) -> np.ndarray:
    """';'-joined use lists -> int64 bitmasks (0 = unknown)."""
    out = np.zeros(len(values), dtype=np.int64)
    for i, v in enumerate(values.to_numpy()):
        if isinstance(v, str):
            m = 0
            for u in v.split(";"):
                m |= USE_BIT.get(u, 0)
            out[i] = m
    return out


@dataclass
class SearchIndex:
    """Parsed columns of the sites frame (see :meth:`from_sites`)."""

    sites: gpd.GeoDataFrame
    x: np.ndarray
    y: np.ndarray
    num: dict[str, np.ndarray] = field(default_factory=dict)
    bools: dict[str, np.ndarray] = field(default_factory=dict)  # float: 1, 0, nan
    cats: dict[str, np.ndarray] = field(default_factory=dict)   # object arrays, None = unknown
    codes: dict[str, np.ndarray] = field(default_factory=dict)  # int32 category codes, -1 = unknown
    labels: dict[str, dict[str, int]] = field(default_factory=dict)  # category -> code
    #: distance columns with no value at all: their reference layer is not loaded (every located site
    #: gets a distance as soon as one feature of the kind exists), so a criterion on them says so.
    missing_layers: frozenset = frozenset()
    uses: np.ndarray | None = None
    available: np.ndarray | None = None  # datetime64[D], NaT = unknown
    confirmed: np.ndarray | None = None  # datetime64[D] of the last confirmation (else the last update)
    in_zis: np.ndarray | None = None
    #: the road graph of "within N minutes of a point" (geo.routing); None: the default motorway graph
    graph: object | None = None

    @classmethod
    def from_sites(cls, sites: gpd.GeoDataFrame) -> "SearchIndex":
        sites = sites.reset_index(drop=True)
        pts = sites.geometry.to_crs(METRIC_CRS) if len(sites) else gpd.GeoSeries([], crs=METRIC_CRS)
        idx = cls(sites=sites, x=pts.x.to_numpy(dtype=float), y=pts.y.to_numpy(dtype=float))
        for c in NUMERIC:
            idx.num[c] = pd.to_numeric(sites[c], errors="coerce").to_numpy(dtype=float)
        land = idx.num["land_area_m2"]
        with np.errstate(divide="ignore", invalid="ignore"):
            idx.num["price_eur_m2"] = np.where(land > 0, idx.num["price_eur"] / land, np.nan)
        for c in BOOLS:
            idx.bools[c] = sites[c].astype("boolean").astype("float64").to_numpy()
        for c in CATEGORIES:
            idx.cats[c] = sites[c].astype(object).where(sites[c].notna(), None).to_numpy()
            # Parsed once into codes: a categorical filter is then a table look-up, not string comparisons.
            codes, uniques = pd.factorize(sites[c].astype(object), use_na_sentinel=True)
            idx.codes[c] = codes.astype(np.int32)
            idx.labels[c] = {str(u): i for i, u in enumerate(uniques)}
        if len(sites):
            idx.missing_layers = frozenset(c for c in NUMERIC if c.startswith(("dist_", "drive_"))
                                           and np.isnan(idx.num[c]).all())
        idx.uses = uses_mask(sites["permitted_uses"])
        idx.available = pd.to_datetime(sites["available_from"], errors="coerce").to_numpy().astype("datetime64[D]")
        last = sites["confirmed_at"].where(sites["confirmed_at"].notna(), sites["updated_at"])
        idx.confirmed = pd.to_datetime(last.astype(object).map(lambda v: str(v)[:10] if v else None),
                                       errors="coerce").to_numpy().astype("datetime64[D]")
        z = sites["zis_id"]
        idx.in_zis = np.where(z.notna().to_numpy(), 1.0, 0.0)
        return idx

    def __len__(self) -> int:
        return len(self.sites)

    def cat_mask(self, column: str, allowed, rows: np.ndarray | None = None) -> np.ndarray:
        """Rows (all, or those at ``rows``) whose ``column`` is one of ``allowed`` (unknown never is)."""
        table = np.zeros(len(self.labels[column]) + 1, dtype=bool)  # last slot: code -1, unknown
        for v in allowed:
            code = self.labels[column].get(str(v))
            if code is not None:
                table[code] = True
        codes = self.codes[column] if rows is None else self.codes[column][rows]
        return table[codes]
