"""One rounding and one way of writing each kind of figure, wherever it is shown.

A distance, an area or an amount is rounded here once, to the digits a reader is shown, and written
here in the reader's locale: the sheet's table (:func:`geo.render.values.display_value`), the location
map's legend (:mod:`geo.render.location`), the brief's reasons (:mod:`geo.search.verdict_rules`) and
the CSV export (:mod:`geo.export`) all call these functions, so one fact never reads as two figures.
Distances computed by the system are straight lines (EPSG:32632), and are said to be.
"""

from __future__ import annotations

import math
from typing import Any

from geo.i18n import N_, translator
from geo.schema import FIELD

#: Decimals of a distance in km (100 m: what a straight-line distance to an exit or station is worth).
KM_DIGITS = 1
#: Decimals of a share (a ratio field bounded by 1) and of any other measured figure.
RATIO_DIGITS, DEFAULT_DIGITS = 2, 1
#: Decimals of a coordinate in degrees (about 1 m).
DEGREE_DIGITS = 5
#: Said after every computed (straight-line) distance.
STRAIGHT_LINE = N_("in a straight line")


def _missing(v: Any) -> bool:
    return v is None or (isinstance(v, float) and not math.isfinite(v)) or str(v) in ("<NA>", "nan", "NaN")


def digits(key: str) -> int:
    """The decimals figure ``key`` is shown with (0 for integers and euro amounts).

    >>> digits("dist_motorway_junction_km"), digits("max_coverage_ratio"), digits("price_eur"), digits("lat")
    (1, 2, 0, 5)
    """
    f = FIELD.get(key)
    if f is None:
        return DEFAULT_DIGITS
    if f.kind == "int" or f.unit == "€":
        return 0
    if f.kind in ("lat", "lon"):
        return DEGREE_DIGITS
    if f.unit == "km":
        return KM_DIGITS
    return RATIO_DIGITS if (f.max is not None and f.max <= 1) else DEFAULT_DIGITS


def rounded(key: str, value: Any) -> float | int | None:
    """``value`` of figure ``key`` rounded once, as shown; an integral result is an ``int``.

    >>> rounded("dist_rail_station_km", 3.749), rounded("land_area_m2", 18000.0), rounded("buildings_count", 3.0)
    (3.7, 18000, 3)
    """
    if _missing(value) or isinstance(value, bool):
        return None if _missing(value) else value
    v = round(float(value), digits(key))
    return int(v) if v == int(v) else v


def format_km(value: Any, lang: str = "en", *, straight: bool = False) -> str:
    """A distance in km as every page and document writes it ("3,2 km"; "3,2 km in linea d'aria").

    >>> format_km(3.749, "it"), format_km(12.0, "en", straight=True)
    ('3,7 km', '12 km in a straight line')
    """
    if _missing(value):
        return "—"
    _ = translator(lang)
    text = f"{_.number(float(value), KM_DIGITS)} km"
    return f"{text} {_(STRAIGHT_LINE)}" if straight else text


def format_figure(key: str, value: Any, lang: str = "en") -> str:
    """A numeric field's value with its unit, rounded by :func:`rounded` ("40.000 m²", "1.800.000 €").

    >>> format_figure("land_area_m2", 40000.0, "it"), format_figure("dist_airport_km", 25.66, "en")
    ('40.000 m²', '25.7 km')
    """
    if _missing(value):
        return "—"
    f = FIELD[key]
    _ = translator(lang)
    if key == "year_built":
        return str(int(value))
    if f.unit == "€":
        return _.money(float(value))
    if f.unit == "km":
        return format_km(value, lang)
    txt = _.number(float(value) if f.kind == "float" else int(value), digits(key))
    return f"{txt} {f.unit_text(lang)}" if f.unit else txt
