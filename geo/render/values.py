"""From a record to the rows of a site sheet: labels, formatted values, provenance."""

from __future__ import annotations

import math
from typing import Any, Iterator

from geo.schema import FIELD, FIELDS, GROUPS, prov_column
from geo.schema.messages import fmt_number

#: Fields not shown as rows of the sheet (shown elsewhere or internal).
HIDDEN = {"site_id", "is_demo", "owner_id", "submission_id", "title_it", "title_en", "description_it",
          "description_en", "lon", "outline", "delegation"}


def is_unknown(v: Any) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v)) or str(v) in ("<NA>", "nan", "NaT")


def display_value(key: str, value: Any, lang: str = "en") -> str:
    """A value as people read it (choice labels, numbers with units, Yes/No)."""
    f = FIELD[key]
    if is_unknown(value):
        return "—"
    if f.kind == "bool":
        return ("Sì" if value else "No") if lang == "it" else ("Yes" if value else "No")
    if f.kind == "enum":
        return f.choice_label(str(value), lang)
    if f.kind == "multi":
        return ", ".join(f.choice_label(v, lang) for v in str(value).split(";") if v)
    if f.kind in ("list", "attachment"):
        return ", ".join(v for v in str(value).split(";") if v)
    if f.kind in ("float", "int"):
        digits = 2 if (f.max is not None and f.max <= 1) else 1
        txt = fmt_number(float(value) if f.kind == "float" else int(value), lang, digits=digits)
        if f.key == "year_built":
            txt = str(int(value))
        return f"{txt} {f.unit_text(lang)}" if f.unit else txt
    if f.kind in ("lat", "lon"):
        return f"{float(value):.5f}"
    if f.kind == "date":
        y, m, d = str(value)[:10].split("-")
        return f"{d}/{m}/{y}" if lang == "it" else f"{y}-{m}-{d}"
    return str(value)


def provenance_of(record: dict[str, Any], key: str) -> str:
    """``declared``/``verified``/``computed``/``estimated``, or ``unknown``."""
    if is_unknown(record.get(key)) and key != "outline":
        return "unknown"
    p = record.get(prov_column(key))
    return str(p) if p and not is_unknown(p) else ("unknown" if is_unknown(record.get(key)) else "declared")


def sheet_rows(record: dict[str, Any], lang: str = "en", staff: bool = False
               ) -> Iterator[tuple[str, str, list[tuple[str, str, str]]]]:
    """Yield ``(group key, group label, [(label, value, provenance), ...])`` in schema order."""
    for g, (it, en) in GROUPS.items():
        rows = []
        for f in FIELDS:
            if f.group != g or f.key in HIDDEN or f.kind == "geometry":
                continue
            if not f.public and not staff:
                continue
            if f.source == "system" and f.key not in ("status", "updated_at", "confirmed_at", "expires_at"):
                continue
            v = record.get(f.key)
            label = f.label(lang)
            if f.key == "lat":
                label = "Coordinate (lat, lon)" if lang == "it" else "Coordinates (lat, lon)"
                val = "—" if is_unknown(v) else f"{float(v):.5f}, {float(record.get('lon')):.5f}"
            else:
                val = display_value(f.key, v, lang)
            rows.append((label, val, provenance_of(record, f.key)))
        if rows:
            yield g, (it if lang == "it" else en), rows


def title_of(record: dict[str, Any], lang: str = "en") -> str:
    t = record.get("title_en") if lang == "en" else record.get("title_it")
    if is_unknown(t) or not t:
        t = record.get("title_it") or record.get("title_en") or record.get("site_id") or ""
    return str(t)


def description_of(record: dict[str, Any], lang: str = "en") -> str:
    d = record.get("description_en") if lang == "en" else record.get("description_it")
    if is_unknown(d) or not d:
        d = record.get("description_it") or ""
    return "" if is_unknown(d) else str(d)
