"""Hard filters: attributes and space. A missing value never passes a filter."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict, dataclass, field, fields
from typing import Any

import numpy as np
import shapely
from shapely.geometry import box, shape

from geo.errors import UserError
from geo.places import MunicipalityIndex
from geo.search.index import USE_BIT, SearchIndex

INFRA_KINDS = {"airport": "dist_airport_km", "motorway_junction": "dist_motorway_junction_km",
               "rail_station": "dist_rail_station_km", "rail_freight_terminal": "dist_rail_freight_terminal_km",
               "port": "dist_port_km"}


@dataclass
class Query:
    """Filters a staff member sets. Empty/None fields do not filter."""

    min_land_m2: float | None = None
    max_land_m2: float | None = None
    min_covered_m2: float | None = None
    max_covered_m2: float | None = None
    min_floor_m2: float | None = None
    max_floor_m2: float | None = None
    asset_kinds: list[str] = field(default_factory=list)
    origins: list[str] = field(default_factory=list)
    uses: list[str] = field(default_factory=list)
    uses_all: bool = False
    transactions: list[str] = field(default_factory=list)
    max_price_eur: float | None = None
    max_price_eur_m2: float | None = None
    available_by: str | None = None  # ISO date
    conditions: list[str] = field(default_factory=list)
    contaminations: list[str] = field(default_factory=list)
    min_power_kw: float | None = None
    utilities: list[str] = field(default_factory=list)  # gas, water, sewer, fibre
    rail_siding: bool = False
    zls: bool = False
    aid_area: bool = False
    in_zis: bool = False
    provinces: list[str] = field(default_factory=list)
    municipalities: list[str] = field(default_factory=list)  # ISTAT codes
    near: str | None = None        # a municipality name
    point: list[float] | None = None  # [lat, lon]
    radius_km: float | None = None
    polygon: dict | None = None    # GeoJSON geometry (WGS84)
    bbox: list[float] | None = None  # [west, south, east, north]
    max_km: dict[str, float] = field(default_factory=dict)  # infrastructure kind -> km

    def to_dict(self) -> dict[str, Any]:
        """Only the fields that differ from the defaults (compact, stable)."""
        default = Query()
        return {f.name: getattr(self, f.name) for f in fields(self)
                if getattr(self, f.name) != getattr(default, f.name)}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Query":
        names = {f.name for f in fields(cls)}
        unknown = set(d) - names
        if unknown:
            raise UserError(f"Filtri sconosciuti: {sorted(unknown)}", f"Unknown filters: {sorted(unknown)}")
        return cls(**d)


def _range(mask: np.ndarray, v: np.ndarray, lo: float | None, hi: float | None) -> None:
    if lo is not None:
        mask &= v >= lo  # NaN compares False: unknown never passes
    if hi is not None:
        mask &= v <= hi


def _isin(mask: np.ndarray, values: np.ndarray, allowed: list[str]) -> None:
    if allowed:
        mask &= np.isin(values.astype(str), list(allowed)) & (values != None)  # noqa: E711


def centre_of(query: Query, places: MunicipalityIndex | None) -> tuple[float, float] | None:
    """The metric (x, y) of the radius search centre, or None."""
    if query.radius_km is None:
        return None
    if query.point:
        from pyproj import Transformer

        lat, lon = query.point
        x, y = Transformer.from_crs(4326, 32632, always_xy=True).transform(lon, lat)
        if places is not None and not places.in_lombardy(lon, lat):
            _check_outside(places, lat, lon, x, y, query.radius_km)
        return x, y
    if query.near:
        if places is None:
            raise UserError("Ricerca per luogo senza indice dei comuni.", "Place search needs the municipality index.")
        c = places.find(query.near)["geometry"].centroid
        return c.x, c.y
    return None


def _check_outside(places: MunicipalityIndex, lat: float, lon: float, x: float, y: float, radius_km: float) -> None:
    """A centre outside Lombardy is fine near the border; swapped or far-away coordinates are an error."""
    if places.in_lombardy(lat, lon):
        raise UserError(
            f"Latitudine e longitudine sembrano invertite: ({lat}, {lon}) è fuori dalla Lombardia, "
            f"({lon}, {lat}) è dentro. Indicare prima la latitudine (circa 44,7-46,6).",
            f"Latitude and longitude look swapped: ({lat}, {lon}) is outside Lombardy, ({lon}, {lat}) is inside. "
            "Give the latitude first (about 44.7-46.6).")
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise UserError(f"Coordinate non valide: ({lat}, {lon}).", f"Invalid coordinates: ({lat}, {lon}).")
    from shapely.geometry import Point

    km = places.region_m.distance(Point(x, y)) / 1000.0
    if km > radius_km:
        raise UserError(
            f"Il punto ({lat}, {lon}) è fuori dalla Lombardia, a {km:.0f} km dal confine: nessun sito può "
            f"trovarsi entro {radius_km:g} km.",
            f"The point ({lat}, {lon}) is outside Lombardy, {km:.0f} km from its border: no site can be within "
            f"{radius_km:g} km.")


def area_of(query: Query):
    """The drawn polygon / view bbox as a prepared WGS84 geometry, or None."""
    geoms = []
    if query.polygon:
        try:
            g = shape(query.polygon)
        except Exception as exc:
            raise UserError(f"Area disegnata non valida: {exc}", f"Invalid drawn area: {exc}") from None
        if not g.is_valid:
            g = shapely.make_valid(g)
        geoms.append(g)
    if query.bbox:
        w, s, e, n = query.bbox
        geoms.append(box(w, s, e, n))
    if not geoms:
        return None
    g = geoms[0]
    for other in geoms[1:]:
        g = g.intersection(other)
    shapely.prepare(g)
    return g


def filter_mask(index: SearchIndex, query: Query, *, staff: bool = False,
                places: MunicipalityIndex | None = None) -> np.ndarray:
    """Boolean mask of the sites that pass every filter (and are visible to the caller)."""
    n = len(index)
    mask = np.ones(n, dtype=bool)
    if not staff:
        mask &= index.cats["status"] == "published"
    num = index.num
    _range(mask, num["land_area_m2"], query.min_land_m2, query.max_land_m2)
    _range(mask, num["covered_area_m2"], query.min_covered_m2, query.max_covered_m2)
    _range(mask, num["floor_area_m2"], query.min_floor_m2, query.max_floor_m2)
    _range(mask, num["power_kw"], query.min_power_kw, None)
    _range(mask, num["price_eur"], None, query.max_price_eur)
    _range(mask, num["price_eur_m2"], None, query.max_price_eur_m2)
    _isin(mask, index.cats["asset_kind"], query.asset_kinds)
    _isin(mask, index.cats["origin"], query.origins)
    _isin(mask, index.cats["condition"], query.conditions)
    _isin(mask, index.cats["contamination"], query.contaminations)
    _isin(mask, index.cats["province"], query.provinces)
    _isin(mask, index.cats["municipality_istat"], query.municipalities)
    if query.transactions:
        want = set(query.transactions)
        if want & {"sale", "lease"}:
            want.add("sale_or_lease")  # offered either way satisfies both
        _isin(mask, index.cats["transaction"], sorted(want))
    if query.uses:
        bits = 0
        for u in query.uses:
            bits |= USE_BIT[u]
        mask &= ((index.uses & bits) == bits) if query.uses_all else ((index.uses & bits) != 0)
    if query.available_by:
        mask &= index.available <= np.datetime64(dt.date.fromisoformat(query.available_by), "D")
    for u in query.utilities:
        mask &= index.bools[u] == 1
    for flag, col in ((query.rail_siding, "rail_siding"), (query.zls, "in_zls"), (query.aid_area, "zls_aid_area")):
        if flag:
            mask &= index.bools[col] == 1
    if query.in_zis:
        mask &= index.in_zis == 1
    for kind, km in query.max_km.items():
        mask &= num[INFRA_KINDS[kind]] <= km
    centre = centre_of(query, places)
    if centre is not None:
        r = query.radius_km * 1000.0
        mask &= (index.x - centre[0]) ** 2 + (index.y - centre[1]) ** 2 <= r * r
    area = area_of(query)
    if area is not None and mask.any():
        geo = index.sites.geometry.to_numpy()
        sel = np.flatnonzero(mask)
        inside = shapely.contains_xy(area, shapely.get_x(geo[sel]), shapely.get_y(geo[sel]))
        mask[sel[~inside]] = False
    return mask


def query_to_json(q: Query) -> str:
    return json.dumps(q.to_dict(), separators=(",", ":"), sort_keys=True)


def query_from_json(text: str) -> Query:
    try:
        return Query.from_dict(json.loads(text))
    except (ValueError, TypeError) as exc:
        raise UserError(f"Filtri non leggibili: {exc}", f"Unreadable filters: {exc}") from None


__all__ = ["Query", "filter_mask", "centre_of", "area_of", "INFRA_KINDS", "asdict"]
