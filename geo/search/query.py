"""Hard filters: attributes and space. A missing value never passes a filter."""

from __future__ import annotations

import datetime as dt
import functools
import re
import weakref
from dataclasses import asdict, dataclass, field, fields
from typing import Any

import numpy as np
import shapely
from shapely.geometry import box, shape

from geo.catalogue.access import visible_statuses
from geo.errors import UserError
from geo.i18n import N_
from geo.places import METRIC_CRS, MunicipalityIndex
from geo.search.index import USE_BIT, SearchIndex
from geo.search.limits import (LIMITS, MAX_LIST_ITEMS, MAX_POLYGON_VERTICES, MAX_TEXT_CHARS, PROVINCES, UTILITIES,
                               check_number)

#: Infrastructure kind -> the index column of each site's distance to the nearest one (the ``max_km`` filter).
DISTANCE_COLUMNS = {"airport": "dist_airport_km", "motorway_junction": "dist_motorway_junction_km",
               "rail_station": "dist_rail_station_km", "rail_freight_terminal": "dist_rail_freight_terminal_km",
               "port": "dist_port_km"}
#: Drive kind -> the index column of each site's truck minutes to the nearest one (the ``max_min`` filter).
DRIVE_COLUMNS = {"motorway": "drive_motorway_min", "rail_station": "drive_rail_station_min",
                 "rail_terminal": "drive_rail_terminal_min", "port": "drive_port_min"}
#: Radius of a place or point search when none is given (find page, drawn marker, URL, CLI alike).
DEFAULT_RADIUS_KM = 20.0


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
    max_min: dict[str, float] = field(default_factory=dict)  # drive kind -> minutes by truck (geo/routing)
    confirmed_within_months: float | None = None  # confirmed by the owner (or updated) in the last N months
    statuses: list[str] = field(default_factory=list)  # listing statuses (staff: submitted, sent back = draft...)

    def to_dict(self) -> dict[str, Any]:
        """Only the fields that differ from the defaults (compact, stable)."""
        default = Query()
        return {f.name: getattr(self, f.name) for f in fields(self)
                if getattr(self, f.name) != getattr(default, f.name)}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Query":
        return make_query(d)

    @property
    def effective_radius_km(self) -> float | None:
        """The radius searched around ``near``/``point``: the one given, else :data:`DEFAULT_RADIUS_KM`."""
        if self.radius_km is not None:
            return self.radius_km
        return DEFAULT_RADIUS_KM if (self.near or self.point) else None


NUMBERS = ("min_land_m2", "max_land_m2", "min_covered_m2", "max_covered_m2", "min_floor_m2", "max_floor_m2",
           "max_price_eur", "max_price_eur_m2", "min_power_kw", "radius_km", "confirmed_within_months")
FLAGS = ("uses_all", "rail_siding", "zls", "aid_area", "in_zis")


def list_choices() -> dict[str, tuple[str, ...]]:
    """List field -> the values it may hold (from the schema; provinces and utilities from the limits;
    municipalities: any 6-digit ISTAT code, an empty tuple). The CLI's choices are these too."""
    from geo.schema import FIELD

    return {"asset_kinds": FIELD["asset_kind"].choices, "origins": FIELD["origin"].choices,
            "uses": FIELD["permitted_uses"].choices, "transactions": FIELD["transaction"].choices,
            "conditions": FIELD["condition"].choices, "contaminations": FIELD["contamination"].choices,
            "utilities": UTILITIES, "provinces": PROVINCES, "municipalities": (), "statuses": FIELD["status"].choices}


#: Query fields by kind of value (make_query checks each kind; the CLI builds its options from them).
LISTS = ("asset_kinds", "origins", "uses", "transactions", "conditions", "contaminations", "utilities",
         "provinces", "municipalities", "statuses")


def _number(name: str, raw: Any, *, allow_negative: bool = False, limit: str | None = None) -> float | None:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if isinstance(raw, bool) or not isinstance(raw, (int, float, str, np.number)):
        raise UserError(N_("{name}: '{raw}' is not a number."), name=name, raw=raw)
    try:
        v = float(raw)
    except (TypeError, ValueError, OverflowError):
        raise UserError(N_("{name}: '{raw}' is not a number."), name=name, raw=raw) from None
    if not np.isfinite(v):
        raise UserError(N_("{name}: a finite number is needed, not '{raw}'."), name=name, raw=raw)
    if v < 0 and not allow_negative:
        raise UserError(N_("{name}: cannot be negative ({raw})."), name=name, raw=raw)
    if limit or name in LIMITS:
        check_number(name, v, limit)
    return v


def _list(name: str, raw: Any) -> list[str]:
    """A list field: every value a string the schema knows (an ISTAT code for municipalities)."""
    values = [raw] if isinstance(raw, str) else raw
    if values is None:
        return []
    if not isinstance(values, (list, tuple)) or len(values) > MAX_LIST_ITEMS:
        raise UserError(N_("{name}: a list of at most {n} values is needed."), name=name, n=MAX_LIST_ITEMS)
    allowed = list_choices()[name]
    out = []
    for v in values:
        ok = isinstance(v, str) and (v in allowed if allowed else re.fullmatch(r"\d{6}", v) is not None)
        if not ok:
            raise UserError(N_("{name}: unknown value '{value}' (allowed: {allowed})."), name=name, value=v,
                            allowed=", ".join(allowed) if allowed else (lambda _: _("6-digit ISTAT codes")))
        out.append(v)
    return list(dict.fromkeys(out))  # each value once (a widget cannot show one twice)


def _flag(name: str, raw: Any) -> bool:
    if raw is None:
        return False
    if not isinstance(raw, (bool, np.bool_)):
        raise UserError(N_("{name}: true or false is needed, not '{raw}'."), name=name, raw=raw)
    return bool(raw)


def _text(name: str, raw: Any) -> str:
    if not isinstance(raw, str) or len(raw) > MAX_TEXT_CHARS:
        raise UserError(N_("{name}: a text of at most {n} characters is needed."), name=name, n=MAX_TEXT_CHARS)
    return raw


def _polygon(g: Any) -> dict:
    """A GeoJSON Polygon/MultiPolygon in WGS84 that shapely reads, below the vertex limit."""
    need = N_("polygon: a GeoJSON Polygon or MultiPolygon geometry (WGS84) is needed.")
    if not isinstance(g, dict) or g.get("type") not in ("Polygon", "MultiPolygon") or set(g) - {"type", "coordinates"}:
        raise UserError(need)
    try:
        geom = shape(g)
        xy = shapely.get_coordinates(geom)
    except Exception:  # noqa: BLE001 - shapely raises many kinds for a malformed geometry
        raise UserError(need) from None
    if len(xy) > MAX_POLYGON_VERTICES or geom.is_empty:
        raise UserError(N_("polygon: at most {n} vertices."), n=MAX_POLYGON_VERTICES)
    if not (np.isfinite(xy).all() and (np.abs(xy[:, 0]) <= 180).all() and (np.abs(xy[:, 1]) <= 90).all()):
        raise UserError(need)
    return g


def make_query(values: dict[str, Any] | None = None, **kw: Any) -> Query:
    """The one way a :class:`Query` is built from user input: the find page, the URL and ``geo search``.

    Numbers are checked (finite, not negative, within :data:`geo.search.limits.LIMITS`), dates are
    ISO, list values must be known to the schema (an unknown province, use or utility is refused),
    flags must be booleans, ``max_km`` values may be strings (``{"airport": "30"}``), empty strings
    and lists mean "no filter". Raises :class:`~geo.errors.UserError` with a one-line message naming
    the field (and the value), never another exception.

    >>> make_query(near="Cremona", max_km={"airport": "30"}).max_km
    {'airport': 30.0}
    """
    d = {**(values or {}), **kw}
    names = {f.name for f in fields(Query)}
    unknown = set(d) - names
    if unknown:
        raise UserError(N_("Unknown filters: {names}"), names=", ".join(sorted(map(str, unknown))))
    out: dict[str, Any] = {}
    for k in NUMBERS:
        if k in d:
            out[k] = _number(k, d[k])
    for k in LISTS:
        if k in d:
            out[k] = _list(k, d[k])
    for k in FLAGS:
        if k in d:
            out[k] = _flag(k, d[k])
    if d.get("available_by") not in (None, ""):
        raw = d["available_by"]
        if isinstance(raw, dt.date):
            raw = raw.isoformat()
        try:
            out["available_by"] = dt.date.fromisoformat(_text("available_by", raw)).isoformat()
        except ValueError:
            raise UserError(N_("available_by: '{raw}' is not a YYYY-MM-DD date."), raw=raw) from None
    if "near" in d:
        out["near"] = _text("near", d["near"]) if d["near"] not in (None, "") else None
    if d.get("point") is not None:
        pt = d["point"]
        if not isinstance(pt, (list, tuple)) or len(pt) != 2:
            raise UserError(N_("point: [lat, lon] is needed."))
        out["point"] = [_number("lat", pt[0], allow_negative=True), _number("lon", pt[1], allow_negative=True)]
        if None in out["point"]:
            raise UserError(N_("point: [lat, lon] is needed."))
    if d.get("bbox") is not None:
        bb = d["bbox"]
        if not isinstance(bb, (list, tuple)) or len(bb) != 4:
            raise UserError(N_("bbox: [west, south, east, north] is needed."))
        box_ = [_number("bbox", v, allow_negative=True, limit=lim) for v, lim in zip(bb, ("lon", "lat", "lon", "lat"))]
        if None in box_ or box_[0] > box_[2] or box_[1] > box_[3]:
            raise UserError(N_("bbox: [west, south, east, north] is needed."))
        out["bbox"] = box_
    if d.get("polygon") is not None:
        out["polygon"] = _polygon(d["polygon"])
    if d.get("max_km"):
        if not isinstance(d["max_km"], dict):
            raise UserError(N_("max_km: a mapping of kind to km is needed."))
        mk = {}
        for kind, km in d["max_km"].items():
            if kind not in DISTANCE_COLUMNS:
                raise UserError(N_("max_km: unknown kind '{kind}' (allowed: {allowed})."), kind=kind,
                                allowed=", ".join(DISTANCE_COLUMNS))
            v = _number(f"max_km {kind}", km, limit="max_km")
            if v is None:
                raise UserError(N_("max_km {kind}: the km value is missing."), kind=kind)
            mk[kind] = v
        out["max_km"] = mk
    if d.get("max_min"):
        if not isinstance(d["max_min"], dict):
            raise UserError(N_("max_min: a mapping of kind to minutes is needed."))
        mm = {}
        for kind, minutes in d["max_min"].items():
            if kind not in DRIVE_COLUMNS:
                raise UserError(N_("max_min: unknown kind '{kind}' (allowed: {allowed})."), kind=kind,
                                allowed=", ".join(DRIVE_COLUMNS))
            v = _number(f"max_min {kind}", minutes, limit="max_min")
            if v is None:
                raise UserError(N_("max_min {kind}: the minutes are missing."), kind=kind)
            mm[kind] = v
        out["max_min"] = mm
    return Query(**out)


def _range(mask: np.ndarray, v: np.ndarray, lo: float | None, hi: float | None) -> None:
    if lo is not None:
        mask &= v >= lo  # NaN compares False: unknown never passes
    if hi is not None:
        mask &= v <= hi


def _isin(mask: np.ndarray, index: SearchIndex, column: str, allowed: list[str]) -> None:
    if allowed:
        mask &= index.cat_mask(column, allowed)


#: places index -> {name: (x, y, matched municipality)}: a name is looked up once per catalogue.
_PLACE_CACHE: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


@functools.lru_cache(maxsize=4)
def transformer(src: int, dst: int):
    """The pyproj Transformer ``src`` -> ``dst`` (x = longitude first), built once per process (a Transformer
    costs ~1 ms to build; pyproj's Transformers are safe to share between threads)."""
    from pyproj import Transformer

    return Transformer.from_crs(src, dst, always_xy=True)


def to_metric(lon: float, lat: float) -> tuple[float, float]:
    """WGS84 longitude, latitude -> EPSG:32632 metres."""
    return transformer(4326, METRIC_CRS).transform(lon, lat)


def find_place(places: MunicipalityIndex, name: str) -> dict:
    """``places.find(name)`` remembered per index (the tolerant look-up costs more than a whole search)."""
    try:
        cache = _PLACE_CACHE.setdefault(places, {})
    except TypeError:  # not weak-referenceable: no cache
        return places.find(name)
    if name not in cache:
        if len(cache) > 512:
            cache.clear()
        cache[name] = places.find(name)
    return cache[name]


@dataclass(frozen=True)
class Where:
    """The spatial part of a query resolved once (:func:`resolve`): what the search filters by and what a page
    or the CLI shows about it, so none of them looks the place up or computes the area again."""

    #: EPSG:32632 (x, y) of the radius search's centre, or None.
    centre: tuple[float, float] | None = None
    #: ``(lat, lon, radius_km)`` of the radius search (a point, or the centre of the named place), or None.
    circle: tuple[float, float, float] | None = None
    #: The municipality ``near`` settled on (``istat``, ``name``, ``province``, ...), or None.
    place: dict | None = None
    #: The drawn polygon and/or bbox as one prepared WGS84 geometry, or None.
    area: Any = None


def resolve(query: Query, places: MunicipalityIndex | None) -> Where:
    """The query's centre, circle, place and area, each computed once.

    Raises :class:`~geo.errors.UserError` for a place that does not exist, a point far outside Lombardy (or with
    its coordinates swapped) and an unreadable polygon, as a search would."""
    radius = query.effective_radius_km
    centre = circle = place = None
    if radius is not None and query.point:
        centre = centre_of(query, places)
        circle = (float(query.point[0]), float(query.point[1]), float(radius))
    elif radius is not None and query.near:
        centre = centre_of(query, places)
        place = find_place(places, query.near)
        if "_latlon" not in place:
            lon, lat = transformer(METRIC_CRS, 4326).transform(*centre)
            place["_latlon"] = (float(lat), float(lon))
        circle = (*place["_latlon"], float(radius))
    return Where(centre=centre, circle=circle, place=place, area=area_of(query))


def search_circle(query: Query, places: MunicipalityIndex | None) -> tuple[float, float, float] | None:
    """``(lat, lon, radius_km)`` of the radius search (a point, or the centre of the named place), or None."""
    return resolve(query, places).circle


def centre_of(query: Query, places: MunicipalityIndex | None) -> tuple[float, float] | None:
    """The metric (x, y) of the radius search centre, or None."""
    radius = query.effective_radius_km
    if radius is None:
        return None
    if query.point:
        lat, lon = query.point
        x, y = to_metric(lon, lat)
        if places is not None and not places.in_lombardy(lon, lat):
            _check_outside(places, lat, lon, x, y, radius)
        return x, y
    if query.near:
        if places is None:
            raise UserError(N_("Place search needs the municipality index."))
        m = find_place(places, query.near)
        if "_xy" not in m:
            c = m["geometry"].centroid
            m["_xy"] = (c.x, c.y)
        return m["_xy"]
    return None


def _check_outside(places: MunicipalityIndex, lat: float, lon: float, x: float, y: float, radius_km: float) -> None:
    """A centre outside Lombardy is fine near the border; swapped or far-away coordinates are an error."""
    if places.in_lombardy(lat, lon):
        raise UserError(N_("Latitude and longitude look swapped: ({lat}, {lon}) is outside Lombardy, ({lon}, {lat}) "
                           "is inside. Give the latitude first (about 44.7-46.6)."), lat=lat, lon=lon)
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise UserError(N_("Invalid coordinates: ({lat}, {lon})."), lat=lat, lon=lon)
    from shapely.geometry import Point

    km = places.region_m.distance(Point(x, y)) / 1000.0
    if km > radius_km:
        raise UserError(N_("The point ({lat}, {lon}) is outside Lombardy, {km} km from its border: no site can be "
                           "within {radius} km."), lat=lat, lon=lon, km=lambda _: _.number(km),
                        radius=lambda _: _.number(radius_km, 3))


def area_of(query: Query):
    """The drawn polygon / view bbox as a prepared WGS84 geometry, or None."""
    geoms = []
    if query.polygon:
        try:
            g = shape(query.polygon)
        except Exception as exc:
            raise UserError(N_("Invalid drawn area: {error}"), error=str(exc)) from None
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


def filter_mask(index: SearchIndex, query: Query, *, role: str = "public",
                places: MunicipalityIndex | None = None, where: Where | None = None) -> np.ndarray:
    """Boolean mask of the sites that pass every filter (and are visible to the caller).

    ``where``: the query's spatial part already resolved (:func:`resolve`); resolved here when not given."""
    n = len(index)
    mask = np.ones(n, dtype=bool)
    allowed = visible_statuses(role)  # the one visibility rule (geo.catalogue.access)
    if allowed is not None:
        mask &= np.isin(index.codes["status"], [index.labels["status"].get(s, -2) for s in allowed])
    num = index.num
    _range(mask, num["land_area_m2"], query.min_land_m2, query.max_land_m2)
    _range(mask, num["covered_area_m2"], query.min_covered_m2, query.max_covered_m2)
    _range(mask, num["floor_area_m2"], query.min_floor_m2, query.max_floor_m2)
    _range(mask, num["power_kw"], query.min_power_kw, None)
    _range(mask, num["price_eur"], None, query.max_price_eur)
    _range(mask, num["price_eur_m2"], None, query.max_price_eur_m2)
    _isin(mask, index, "status", query.statuses)  # within what the caller may see (above)
    _isin(mask, index, "asset_kind", query.asset_kinds)
    _isin(mask, index, "origin", query.origins)
    _isin(mask, index, "condition", query.conditions)
    _isin(mask, index, "contamination", query.contaminations)
    _isin(mask, index, "province", query.provinces)
    _isin(mask, index, "municipality_istat", query.municipalities)
    if query.transactions:
        want = set(query.transactions)
        if want & {"sale", "lease"}:
            want.add("sale_or_lease")  # offered either way satisfies both
        _isin(mask, index, "transaction", sorted(want))
    if query.uses:
        bits = 0
        for u in query.uses:
            bits |= USE_BIT[u]
        mask &= ((index.uses & bits) == bits) if query.uses_all else ((index.uses & bits) != 0)
    if query.available_by:
        mask &= index.available <= np.datetime64(dt.date.fromisoformat(query.available_by), "D")
    if query.confirmed_within_months:
        days = int(round(float(query.confirmed_within_months) * 30.44))
        cutoff = np.datetime64(dt.datetime.now(dt.timezone.utc).date(), "D") - np.timedelta64(days, "D")
        mask &= index.confirmed >= cutoff  # never confirmed nor updated (NaT) does not pass
    for u in query.utilities:
        mask &= index.bools[u] == 1
    for flag, col in ((query.rail_siding, "rail_siding"), (query.zls, "in_zls"), (query.aid_area, "zls_aid_area")):
        if flag:
            mask &= index.bools[col] == 1
    if query.in_zis:
        mask &= index.in_zis == 1
    for kind, km in query.max_km.items():
        mask &= num[DISTANCE_COLUMNS[kind]] <= km
    for kind, minutes in query.max_min.items():
        mask &= num[DRIVE_COLUMNS[kind]] <= minutes  # unknown (NaN) never passes
    where = where or resolve(query, places)
    centre, area = where.centre, where.area
    if centre is not None:
        r = query.effective_radius_km * 1000.0
        mask &= (index.x - centre[0]) ** 2 + (index.y - centre[1]) ** 2 <= r * r
    if area is not None and mask.any():
        geo = index.sites.geometry.to_numpy()
        sel = np.flatnonzero(mask)
        inside = shapely.contains_xy(area, shapely.get_x(geo[sel]), shapely.get_y(geo[sel]))
        mask[sel[~inside]] = False
    return mask


__all__ = ["Query", "make_query", "filter_mask", "centre_of", "search_circle", "find_place", "area_of", "Where",
           "resolve", "transformer", "DISTANCE_COLUMNS", "DRIVE_COLUMNS", "DEFAULT_RADIUS_KM", "asdict"]
