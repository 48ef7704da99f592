"""Turn raw values (typed by people into Excel or forms) into typed values.

Lenient where people are predictably inconsistent (Italian number formats,
dates typed as text, ISTAT codes that lost their leading zero, choice labels
instead of keys), strict everywhere else. Raises :class:`FieldError` with a
message code from :mod:`geo.schema.messages`.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from typing import Any

from geo.schema.fields import Field
from geo.schema.messages import Issue

_EMPTY = {"", "-", "n/a", "na", "nd", "n.d.", "none", "null", "nan"}
_TRUE = {"si", "sì", "s", "yes", "y", "true", "vero", "1", "x"}
_FALSE = {"no", "n", "false", "falso", "0"}
_EMAIL = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[A-Za-z]{2,}$")
_PHONE = re.compile(r"^\+?[0-9 ()./-]{6,20}$")
_CADASTRAL = re.compile(r"^\d{1,4}/\d{1,5}(/\d{1,4})?$")
_HTML = re.compile(r"<\s*/?\s*[A-Za-z!][^>]*>")
_EXCEL_EPOCH = dt.date(1899, 12, 30)

#: Error values Excel caches in a cell whose formula failed; openpyxl reads them as text.
EXCEL_ERRORS = frozenset({"#DIV/0!", "#N/A", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#NULL!",
                          "#GETTING_DATA", "#SPILL!", "#CALC!", "#FIELD!", "#BLOCKED!", "#CONNECT!", "#BUSY!",
                          "#UNKNOWN!", "#EXTERNAL!", "#PYTHON!"})

#: No quantity of a listing comes near this; a bigger number is a typo or an attack (1e308, 400 digits).
MAX_MAGNITUDE = 1e12

#: Dates a listing may carry: before or after this window is a typo (0001-01-01, 2206 for 2026).
DATE_MIN, DATE_MAX = dt.date(1900, 1, 1), dt.date(2100, 12, 31)

#: Unit words people type in numeric cells -> (dimension, factor to the dimension's base unit).
#: Base units: m² (area), kW (power), € (money), m (length), year, €/m²/year (rent), 1 (ratio).
UNIT_WORDS: dict[str, tuple[str, float]] = {
    **dict.fromkeys(("m2", "m²", "mq", "m.q.", "mq.", "sqm", "metriquadri", "metriquadrati"), ("area", 1.0)),
    **dict.fromkeys(("ha", "ettari", "ettaro", "hectares", "hectare"), ("area", 10_000.0)),
    **dict.fromkeys(("km2", "km²", "kmq"), ("area", 1_000_000.0)),
    **dict.fromkeys(("kw",), ("power", 1.0)),
    **dict.fromkeys(("mw",), ("power", 1_000.0)),
    **dict.fromkeys(("€", "eur", "euro"), ("money", 1.0)),
    **dict.fromkeys(("mln", "mln€", "mln.€", "milioni", "million", "millions", "m€", "meur", "mlneur", "mlneuro",
                     "milionidieuro", "millioneur"), ("money", 1_000_000.0)),
    **dict.fromkeys(("km",), ("length", 1000.0)),
    **dict.fromkeys(("m", "metri", "metres", "meters"), ("length", 1.0)),
    **dict.fromkeys(("anni", "anno", "years", "year", "yrs"), ("years", 1.0)),
    **dict.fromkeys(("€/m2/anno", "€/mq/anno", "€/m²/anno", "€/m2/year", "€/m²/year", "€/sqm/year", "eur/mq/anno",
                     "eur/m2/anno", "€/mq", "€/m2", "€/m²", "eur/mq", "eur/m2"), ("rent", 1.0)),
    **dict.fromkeys(("%",), ("ratio", 0.01)),
}

#: The field's own unit -> (dimension, factor of the field's unit to the base unit).
FIELD_UNITS: dict[str | None, tuple[str, float]] = {
    "m²": ("area", 1.0), "kW": ("power", 1.0), "€": ("money", 1.0), "km": ("length", 1000.0),
    "m": ("length", 1.0), "years": ("years", 1.0), "€/m²/year": ("rent", 1.0),
}

# Characters nobody types on purpose in a listing: C0/C1 controls, format characters (zero-width
# spaces and joiners, bidirectional overrides, BOM), private-use and unassigned code points.
_INVISIBLE_CATEGORIES = {"Cc", "Cf", "Co", "Cs", "Cn"}


class FieldError(ValueError):
    """A raw value that cannot become a value of its field."""

    def __init__(self, key: str, code: str, **params: Any) -> None:
        self.issue = Issue(key, code, params)
        super().__init__(self.issue.message("en"))


def is_blank(raw: Any) -> bool:
    if raw is None:
        return True
    if isinstance(raw, float) and math.isnan(raw):
        return True
    if isinstance(raw, str) and raw.strip().lower() in _EMPTY:
        return True
    try:  # pandas NA / NaT
        import pandas as pd

        return bool(pd.isna(raw)) if not isinstance(raw, (list, tuple, dict)) else False
    except (TypeError, ValueError):
        return False


def parse_number(raw: Any, *, decimal_only: bool = False) -> float:
    """Parse a number written the Italian or the English way.

    ``"1.234,5"`` and ``"1,234.5"`` are both 1234.5; ``"1.234"`` is 1234 (an
    Italian thousands separator) unless ``decimal_only`` (coordinates), where
    a dot or a comma is always the decimal mark. Currency signs, units and
    spaces are ignored.

    >>> parse_number("1.234,5"), parse_number("€ 2.500.000"), parse_number("0,6")
    (1234.5, 2500000.0, 0.6)
    """
    if isinstance(raw, bool):
        raise ValueError(raw)
    if isinstance(raw, (int, float)):
        if isinstance(raw, float) and not math.isfinite(raw):
            raise ValueError(raw)
        return float(raw)
    s = str(raw).strip().replace("\u00a0", " ")
    s = re.sub(r"(?i)(€|eur|euro|m2|m²|mq|kw|km|ha|\s)", "", s)
    if not s or not re.fullmatch(r"[+-]?[0-9.,]+", s):
        raise ValueError(raw)
    if decimal_only:
        if s.count(".") + s.count(",") > 1:
            raise ValueError(raw)
        return float(s.replace(",", "."))
    if "." in s and "," in s:
        dec = "," if s.rfind(",") > s.rfind(".") else "."
        thou = "." if dec == "," else ","
        s = s.replace(thou, "").replace(dec, ".")
    elif "," in s:
        parts = s.split(",")
        if len(parts) > 2:
            if not all(len(p) == 3 for p in parts[1:]):
                raise ValueError(raw)
            s = "".join(parts)
        else:
            s = s.replace(",", ".")
    elif "." in s:
        parts = s.split(".")
        int_part = parts[0].lstrip("+-")
        if len(parts) > 2 or (len(parts[1]) == 3 and int_part not in ("", "0")):
            if not all(len(p) == 3 for p in parts[1:]):
                raise ValueError(raw)
            s = "".join(parts)
    return float(s)


_QTY = re.compile(r"(?P<pre>€|eur|euro)?\s*(?P<num>[+-]?[0-9][0-9.,' \u00a0\u202f]*)\s*(?P<unit>[^0-9].*)?",
                  re.IGNORECASE | re.DOTALL)
_SCIENTIFIC = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)[eE][+-]?\d+")


def field_dimension(f: Field) -> tuple[str, float] | None:
    """(dimension, factor to its base unit) of a numeric field; None when it takes a bare number."""
    if f.unit in FIELD_UNITS:
        return FIELD_UNITS[f.unit]
    if f.kind == "float" and f.min == 0 and f.max == 1:
        return ("ratio", 1.0)
    return None


def parse_quantity(f: Field, raw: Any) -> tuple[float, float]:
    """The number in ``raw`` in the unit of field ``f``, and the factor applied to what was typed.

    "3 ha" in a m² field is 30,000; "1,2 MW" in a kW field is 1,200; "€ 1.500.000" is 1,500,000.
    A unit of another kind ("3 ha" as power) or an unknown word raises :class:`FieldError`.

    >>> from geo.schema import FIELD
    >>> parse_quantity(FIELD["land_area_m2"], "3 ha"), parse_quantity(FIELD["power_kw"], "1,2 MW")
    ((30000.0, 10000.0), (1200.0, 1000.0))
    """
    if isinstance(raw, bool):
        raise FieldError(f.key, "not_a_number", value=str(raw))
    if isinstance(raw, int):
        if abs(raw) > MAX_MAGNITUDE:  # a 400-digit integer cannot even become a float
            raise FieldError(f.key, "not_finite", value=_short(raw))
        return float(raw), 1.0
    if isinstance(raw, float):
        if not math.isfinite(raw) or abs(raw) > MAX_MAGNITUDE:
            raise FieldError(f.key, "not_finite", value=_short(raw))
        return raw, 1.0
    text = str(raw).strip()
    low = text.lower()
    if low.lstrip("+-") in ("inf", "infinity", "infinito", "∞", "nan"):
        raise FieldError(f.key, "not_finite", value=_short(text))
    if _SCIENTIFIC.fullmatch(text):
        v = float(text)
        if not math.isfinite(v) or abs(v) > MAX_MAGNITUDE:
            raise FieldError(f.key, "not_finite", value=_short(text))
        return v, 1.0
    m = _QTY.fullmatch(text)
    if not m:
        raise FieldError(f.key, "not_a_number", value=_short(text))
    num = re.sub(r"[\s'\u00a0\u202f]", "", m["num"])
    try:
        v = parse_number(num)
    except (ValueError, OverflowError):
        raise FieldError(f.key, "not_a_number", value=_short(text)) from None
    if not math.isfinite(v) or abs(v) > MAX_MAGNITUDE:
        raise FieldError(f.key, "not_finite", value=_short(text))
    word = re.sub(r"\s+", "", (m["unit"] or "")).lower().replace("^2", "2").replace("²", "2")
    word = word.rstrip(".") if word not in ("m.q.",) else word
    pre = m["pre"]
    if not word and not pre:
        return v, 1.0
    dim = field_dimension(f)
    found: list[tuple[str, float]] = []
    if pre:
        found.append(UNIT_WORDS["€"])
    if word:
        unit = UNIT_WORDS.get(word) or UNIT_WORDS.get(word.replace("2", "²"))
        if unit is None:
            raise FieldError(f.key, "wrong_unit" if f.unit else "no_unit_expected", value=_short(text))
        found.append(unit)
    if dim is None or any(d != dim[0] for d, _ in found):
        raise FieldError(f.key, "wrong_unit" if f.unit else "no_unit_expected", value=_short(text))
    factor = math.prod(k for _, k in found) / dim[1]
    v = v * factor
    if not math.isfinite(v) or abs(v) > MAX_MAGNITUDE:
        raise FieldError(f.key, "not_finite", value=_short(text))
    return v, factor


def _short(v: Any, n: int = 40) -> str:
    s = str(v)
    return s if len(s) <= n else s[: n - 1] + "…"


def invisible_character(s: str, allow: str = "") -> tuple[str, int] | None:
    """("U+200B", position from 1) of the first control or invisible character of ``s``; None when clean.

    >>> invisible_character("anna\u200b@prova.it")
    ('U+200B', 5)
    """
    import unicodedata

    for i, ch in enumerate(s):
        if ch in allow:
            continue
        if unicodedata.category(ch) in _INVISIBLE_CATEGORIES:
            return f"U+{ord(ch):04X}", i + 1
    return None


# Letters that show nothing: Hangul fillers, the Braille blank, the Mongolian vowel separator.
_BLANK_LETTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800\u180e")


def blank_to_the_eye(s: str) -> bool:
    """True when ``s`` shows nothing: only spaces, invisible or format characters, blank fillers and marks.

    >>> blank_to_the_eye("\u200b\u2067 \u3000\u3164"), blank_to_the_eye("\u200bAnna")
    (True, False)
    """
    import unicodedata

    return not any(unicodedata.category(ch)[0] in "LNPS" and ch not in _BLANK_LETTERS for ch in s)


def parse_date(raw: Any) -> dt.date:
    """Parse a date from a date object, an Excel serial or text (ISO or dd/mm/yyyy)."""
    if isinstance(raw, dt.datetime):
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        if 20000 < raw < 80000:  # Excel serial day numbers 1954..2119
            return _EXCEL_EPOCH + dt.timedelta(days=int(raw))
        raise ValueError(raw)
    s = str(raw).strip()
    # A time may follow the date (as Excel or an ISO export writes it), but nothing else.
    m = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})" + _TIME, s)
    if m:
        return dt.date(int(m[1]), int(m[2]), int(m[3]))
    m = re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})" + _TIME, s)
    if m:  # Italian order: day first
        return dt.date(int(m[3]), int(m[2]), int(m[1]))
    raise ValueError(raw)


_TIME = r"(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?(?:Z|[+-]\d{2}:?\d{2})?)?"


def _match_choice(f: Field, raw: str) -> str | None:
    s = raw.strip()
    low = s.lower()
    for c in f.choices:
        if low == c.lower():
            return c
    for c in f.choices:  # the label in either language, as the template's drop-downs offer it
        if any(low == name.lower() for name in f.choice_names(c)):
            return c
    return None


def parse_geometry(raw: Any):
    """A polygon from WKT, GeoJSON text or a GeoJSON-like dict (WGS84)."""
    from shapely import wkt
    from shapely.geometry import shape
    from shapely.geometry.base import BaseGeometry

    if isinstance(raw, BaseGeometry):
        geom = raw
    elif isinstance(raw, dict):
        geom = shape(raw.get("geometry", raw))
    else:
        s = str(raw).strip()
        if s.startswith("{"):
            obj = json.loads(s)
            if obj.get("type") == "FeatureCollection":
                obj = obj["features"][0]
            geom = shape(obj.get("geometry", obj))
        else:
            geom = wkt.loads(s)
    if geom.geom_type not in ("Polygon", "MultiPolygon"):
        raise ValueError(f"{geom.geom_type}, not a polygon")
    if geom.is_empty:
        raise ValueError("empty")
    if not geom.is_valid:
        from shapely.validation import explain_validity

        raise ValueError(explain_validity(geom))
    minx, miny, maxx, maxy = geom.bounds
    if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
        raise ValueError("coordinates are not WGS84 degrees")
    return geom


def coerce_value(f: Field, raw: Any) -> Any:
    """Return the typed value of ``raw`` for field ``f``, or ``None`` when blank.

    Like :func:`coerce_with_notes` without its warnings.

    Raises
    ------
    FieldError
        When the value cannot be read; ``err.issue`` says why.

    Examples
    --------
    >>> from geo.schema import FIELD
    >>> coerce_value(FIELD["land_area_m2"], "12.500")
    12500.0
    >>> coerce_value(FIELD["municipality_istat"], 19036)
    '019036'
    """
    return coerce_with_notes(f, raw)[0]


def coerce_with_notes(f: Field, raw: Any) -> tuple[Any, list[Issue]]:
    """The typed value of ``raw`` (None when blank) and the warnings of reading it.

    Warnings say what was read when it may not be what was meant: a unit converted
    ("3 ha read as 30,000 m²") or a value outside the usual range of the field.
    Values outside the plausible range, non-finite numbers, cached Excel errors,
    invisible characters and dates outside 1900-2100 raise :class:`FieldError`.
    """
    notes: list[Issue] = []
    if f.kind in ("multi", "list", "attachment") and isinstance(raw, (list, tuple)):
        items = [str(x) for x in raw if not is_blank(x)]
        raw = ";".join(items) if items else None
    if is_blank(raw):
        return None, notes
    if isinstance(raw, str) and raw.strip().upper() in EXCEL_ERRORS:
        raise FieldError(f.key, "excel_error", value=raw.strip())
    k = f.kind
    text = raw.strip() if isinstance(raw, str) else raw
    if isinstance(text, str) and k != "geometry":
        bad = invisible_character(text, allow="\n\t\r" if k == "longtext" else "")
        if bad:
            raise FieldError(f.key, "invisible_char", char=bad[0], position=bad[1])
        if k in ("text", "longtext") and blank_to_the_eye(text):  # e.g. Hangul fillers or Braille blanks only
            raise FieldError(f.key, "invisible_char", char=f"U+{ord(text[0]):04X}", position=1)
    v = _coerce(f, k, text)
    if v is not None and k in ("float", "int") and f.plausible:
        notes.extend(_plausibility(f, v))
    if isinstance(v, _Converted):
        notes.append(Issue(f.key, "unit_converted", {"value": _short(text), "converted": v.value},
                           "warning"))
        v = v.value
    if k == "date" and v is not None:
        d = dt.date.fromisoformat(v)
        if d.year < 2000 or d > dt.date.today() + dt.timedelta(days=3653):
            notes.append(Issue(f.key, "unusual_date", {"value": v}, "warning"))
    return v, notes


class _Converted:
    """A number read with a unit and converted to the field's unit (so the caller can say so)."""

    def __init__(self, value: float) -> None:
        self.value = value


def _plausibility(f: Field, v: Any) -> list[Issue]:
    value = v.value if isinstance(v, _Converted) else v
    err_lo, warn_lo, warn_hi, err_hi = f.plausible
    if err_lo is not None and value < err_lo:
        raise FieldError(f.key, "implausible_low", value=value, limit=err_lo)
    if err_hi is not None and value > err_hi:
        raise FieldError(f.key, "implausible_high", value=value, limit=err_hi)
    if warn_lo is not None and value < warn_lo and not (value == 0 and f.key != "price_eur"):
        return [Issue(f.key, "unusual_low", {"value": value, "limit": warn_lo}, "warning")]
    if warn_hi is not None and value > warn_hi:
        return [Issue(f.key, "unusual_high", {"value": value, "limit": warn_hi}, "warning")]
    return []


def _coerce(f: Field, k: str, text: Any) -> Any:
    try:
        if k in ("text", "longtext", "id"):
            s = str(text)
            if f.max_length and len(s) > f.max_length:
                raise FieldError(f.key, "too_long", length=len(s), max_length=f.max_length)
            return s
        if k == "email":
            s = str(text)
            if not _EMAIL.match(s):
                raise FieldError(f.key, "bad_email", value=s)
            return s
        if k == "phone":
            s = str(text)
            if not _PHONE.match(s):
                raise FieldError(f.key, "bad_phone", value=s)
            return s
        if k == "enum":
            c = _match_choice(f, str(text))
            if c is None:
                raise FieldError(f.key, "not_in_list", value=str(text), allowed=f.choices)
            return c
        if k == "multi":
            out: list[str] = []
            for part in re.split(r"[;,|\n]+", str(text)):
                if not part.strip():
                    continue
                c = _match_choice(f, part)
                if c is None:
                    raise FieldError(f.key, "not_in_list", value=part.strip(), allowed=f.choices)
                if c not in out:
                    out.append(c)
            return ";".join(out) or None
        if k == "list":
            items = [p.strip() for p in re.split(r"[;\n]+", str(text)) if p.strip()]
            if f.key == "cadastral_refs":
                for it in items:
                    if not _CADASTRAL.match(it.replace(" ", "")):
                        raise FieldError(f.key, "bad_cadastral", value=it)
                items = [it.replace(" ", "") for it in items]
            return ";".join(items) or None
        if k == "attachment":
            items = [p.strip() for p in re.split(r"[;\n]+", str(text)) if p.strip()]
            for it in items:
                if "/" in it or "\\" in it or it.startswith(".") or "\x00" in it:
                    raise FieldError(f.key, "bad_filename", value=it)
            return ";".join(items) or None
        if k == "bool":
            if isinstance(text, bool):
                return text
            s = str(text).strip().lower()
            if s in _TRUE:
                return True
            if s in _FALSE:
                return False
            raise FieldError(f.key, "not_a_bool", value=str(text))
        if k in ("float", "int", "lat", "lon"):
            factor = 1.0
            if k in ("lat", "lon"):
                try:
                    v = parse_number(text, decimal_only=True)
                except (ValueError, OverflowError):
                    raise FieldError(f.key, "not_a_number", value=_short(text)) from None
            else:
                v, factor = parse_quantity(f, text)
            if k == "lat" and not -90 <= v <= 90:
                raise FieldError(f.key, "bad_lat", value=v)
            if k == "lon" and not -180 <= v <= 180:
                raise FieldError(f.key, "bad_lon", value=v)
            if k == "int":
                if not float(v).is_integer():
                    raise FieldError(f.key, "not_an_integer", value=str(text))
                v = int(v)
            if f.key == "land_area_m2" and v <= 0:
                raise FieldError(f.key, "must_be_positive", value=v)
            if f.min is not None and v < f.min:
                raise FieldError(f.key, "below_min", value=v, min=f.min)
            if f.max is not None and v > f.max:
                raise FieldError(f.key, "above_max", value=v, max=f.max)
            if factor != 1:
                return _Converted(v)
            return v
        if k == "date":
            try:
                d = parse_date(text)
            except (ValueError, OverflowError):
                raise FieldError(f.key, "not_a_date", value=_short(text)) from None
            if not DATE_MIN <= d <= DATE_MAX:
                raise FieldError(f.key, "date_out_of_range", value=d.isoformat(), min=DATE_MIN.isoformat(),
                                 max=DATE_MAX.isoformat())
            return d.isoformat()
        if k == "timestamp":
            return str(text)
        if k == "istat":
            s = str(text).strip()
            if isinstance(text, float) and text.is_integer():
                s = str(int(text))
            if re.fullmatch(r"\d{6}", s):
                return s
            if re.fullmatch(r"\d{4,5}", s):
                return s.zfill(6)
            raise FieldError(f.key, "bad_istat", value=s)
        if k == "geometry":
            try:
                return parse_geometry(text)
            except Exception as exc:  # shapely/json raise many kinds
                raise FieldError(f.key, "bad_geometry", detail=str(exc)[:120]) from None
    except FieldError:
        raise
    raise AssertionError(f"unhandled kind {k}")  # pragma: no cover



def has_html(text: str) -> bool:
    return bool(_HTML.search(text))
