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
    m = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ].*)?", s)
    if m:
        return dt.date(int(m[1]), int(m[2]), int(m[3]))
    m = re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})", s)
    if m:  # Italian order: day first
        return dt.date(int(m[3]), int(m[2]), int(m[1]))
    raise ValueError(raw)


def _match_choice(f: Field, raw: str) -> str | None:
    s = raw.strip()
    low = s.lower()
    for c in f.choices:
        if low == c.lower():
            return c
    for c in f.choices:
        it, en = f.choice_labels.get(c, (c, c))
        if low in (it.lower(), en.lower()):
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
    if f.kind in ("multi", "list", "attachment") and isinstance(raw, (list, tuple)):
        items = [str(x) for x in raw if not is_blank(x)]
        raw = ";".join(items) if items else None
    if is_blank(raw):
        return None
    k = f.kind
    text = raw.strip() if isinstance(raw, str) else raw
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
            try:
                v = parse_number(text, decimal_only=k in ("lat", "lon"))
            except ValueError:
                raise FieldError(f.key, "not_a_number", value=str(text)) from None
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
            return v
        if k == "date":
            try:
                return parse_date(text).isoformat()
            except (ValueError, OverflowError):
                raise FieldError(f.key, "not_a_date", value=str(text)) from None
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
