"""The one table of limits of a search: ``geo search``, the find page's widgets and the URL parser
all read it, so a value one of them accepts never breaks another.

Each limit says why it has its value. A number outside its range is a :class:`~geo.errors.UserError`
naming the field (``make_query``, the brief, the link) or an argparse refusal (the CLI); a widget's
``min_value``/``max_value`` are the same numbers, so a value that got in is always shown.
"""

from __future__ import annotations

from dataclasses import dataclass

from geo.i18n import N_


@dataclass(frozen=True)
class Limit:
    """A closed range ``[low, high]`` and the reason for its values."""

    low: float
    high: float
    reason: str

    def __contains__(self, v: float) -> bool:
        return self.low <= v <= self.high


_KM = Limit(0.0, 1000.0, "Lombardy is about 300 km across; 1,000 km lets a centre or a required distance lie "
                         "outside the region without being absurd")
_M2 = Limit(0.0, 1e8, "100 km² (10,000 ha): larger than any industrial area in Lombardy, far below a float's range")
_EUR = Limit(0.0, 1e10, "10 billion euro: above any single site's price")
_EUR_M2 = Limit(0.0, 1e6, "1 million euro per m²: above any price per m² (or yearly rent per m²) in Italy")

#: Query number fields (and brief criteria, by their column) -> limit.
LIMITS: dict[str, Limit] = {
    "radius_km": _KM,
    "max_km": _KM,
    "distance_km": _KM,
    "max_min": Limit(0.0, 600.0, "10 hours: a truck crosses Lombardy (300 km) in about 4 hours; a required drive "
                                 "time beyond 10 hours is a typing error"),
    "min_land_m2": _M2, "max_land_m2": _M2, "min_covered_m2": _M2, "max_covered_m2": _M2,
    "min_floor_m2": _M2, "max_floor_m2": _M2,
    "max_price_eur": _EUR,
    "max_price_eur_m2": _EUR_M2,
    "lease_eur_m2_year": _EUR_M2,
    "min_power_kw": Limit(0.0, 1e7, "10 GW: above the largest grid connection of any plant"),
    "confirmed_within_months": Limit(0.0, 1200.0, "100 years: every listing ever confirmed"),
    "weight": Limit(0.0, 100.0, "a criterion 100 times another is already the only one that counts"),
    "lat": Limit(-90.0, 90.0, "a latitude"),
    "lon": Limit(-180.0, 180.0, "a longitude"),
}

#: Criterion column -> the Query limit its value obeys.
CRITERION_LIMIT = {"land_area_m2": "min_land_m2", "covered_area_m2": "min_covered_m2",
                   "floor_area_m2": "min_floor_m2", "power_kw": "min_power_kw", "price_eur": "max_price_eur",
                   "price_eur_m2": "max_price_eur_m2", "lease_eur_m2_year": "lease_eur_m2_year",
                   "drive_motorway_min": "max_min", "drive_rail_station_min": "max_min",
                   "drive_rail_terminal_min": "max_min", "drive_port_min": "max_min"}

#: Size limits of a link (each part is parsed only below them).
MAX_PARAM_CHARS = 200_000   # a drawn polygon of ~5,000 vertices; browsers and proxies cut URLs near 2 MB-8 KB
MAX_JSON_DEPTH = 8          # a MultiPolygon's coordinates are 4 deep inside 1-2 objects: 8 is ample
MAX_LIST_ITEMS = 2_000      # municipalities of Lombardy: 1,502; other lists are shorter
MAX_POLYGON_VERTICES = 20_000  # a hand-drawn or imported area; bigger ones belong in a layer, not a link
MAX_CRITERIA = 60           # each criterion key about twice
MAX_SHORTLIST = 200         # a dossier of 200 sites is already a book
MAX_TEXT_CHARS = 200        # a place name, a brief name, a site id

#: The 12 Lombardy provinces (ISTAT abbreviations): the values a province filter can take.
PROVINCES = ("BG", "BS", "CO", "CR", "LC", "LO", "MB", "MI", "MN", "PV", "SO", "VA")
#: Utilities a site may have (schema bool fields): the values a utility filter can take.
UTILITIES = ("gas", "water", "sewer", "fibre")


def check_number(name: str, v: float, limit: str | None = None) -> float:
    """``v`` if it lies in the limit of ``limit`` (default ``name``), else a UserError naming ``name``."""
    from geo.errors import UserError

    lim = LIMITS[limit or name]
    if v not in lim:
        raise UserError(N_("{name}: {value} is out of range ({low} to {high})."), name=name, value=lambda _: _.number(v, 6),
                        low=lambda _: _.number(lim.low), high=lambda _: _.number(lim.high))
    return v


def arg_type(name: str):
    """An argparse type for the Query number ``name``: the text is kept and checked by
    :func:`~geo.search.make_query` against this table (finite, not negative, within the limit), so the
    command line refuses exactly what a link and the find page refuse, with the same one-line message."""
    def parse(text: str) -> str:
        return text

    parse.__name__ = name
    return parse


__all__ = ["Limit", "LIMITS", "CRITERION_LIMIT", "PROVINCES", "UTILITIES", "check_number", "arg_type",
           "MAX_PARAM_CHARS", "MAX_JSON_DEPTH", "MAX_LIST_ITEMS", "MAX_POLYGON_VERTICES", "MAX_CRITERIA",
           "MAX_SHORTLIST", "MAX_TEXT_CHARS"]
