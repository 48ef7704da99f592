"""From a record to the rows of a site sheet: labels, formatted values, provenance.

Numbers, money, dates and coordinates are formatted by Babel for the reader's
locale (:func:`geo.i18n.translator`); bilingual owner content (title,
description) comes through :func:`geo.i18n.content`, which says when it fell
back to the other language.
"""

from __future__ import annotations

import math
from typing import Any, Iterator

from geo.figures import digits, format_figure
from geo.i18n import Localised, content, translator
from geo.layers.airports import airport_name
from geo.places import province_name
from geo.schema import FIELD, FIELDS, GROUPS, group_label, prov_column

#: Fields not shown as rows of the sheet (shown elsewhere or internal).
HIDDEN = {"site_id", "is_demo", "owner_id", "submission_id", "title_it", "title_en", "description_it",
          "description_en", "lon", "outline", "delegation"}

def is_unknown(v: Any) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v)) or str(v) in ("<NA>", "nan", "NaT")


#: Provenance of the values the platform itself sets (status, dates): never "declared by the owner".
SYSTEM = "system"


def provenance_label(prov: str, lang: str = "en") -> str:
    """``"declared"`` / ``"dichiarato"`` ...: the badge of a value's source; ``""`` (no badge) when none
    was recorded."""
    if not prov:
        return ""
    _ = translator(lang)
    labels = {"declared": _.pgettext("provenance", "declared"), "verified": _.pgettext("provenance", "verified"),
              "computed": _.pgettext("provenance", "computed"), "estimated": _.pgettext("provenance", "estimated"),
              SYSTEM: _.pgettext("provenance", "system")}
    return labels.get(prov) or _.pgettext("provenance", "unknown")


def display_value(key: str, value: Any, lang: str = "en") -> str:
    """A value as people read it (choice labels, numbers with units, money, dates, Yes/No).

    >>> display_value("land_area_m2", 40000.0, "it"), display_value("land_area_m2", 40000.0, "en")
    ('40.000 m²', '40,000 m²')
    >>> display_value("available_from", "2026-03-01", "it")
    '1 mar 2026'
    """
    f = FIELD[key]
    if is_unknown(value):
        return "—"
    _ = translator(lang)
    if f.kind == "bool":
        return _("Yes") if value else _("No")
    if f.kind == "enum":
        return f.choice_label(str(value), lang)
    if f.kind == "multi":
        return ", ".join(f.choice_label(v, lang) for v in str(value).split(";") if v)
    if key == "province":
        return province_name(value)
    if key == "nearest_airport":
        return airport_name(str(value), lang)
    if f.kind in ("list", "attachment"):
        return ", ".join(v for v in str(value).split(";") if v)
    if f.kind in ("float", "int"):
        return format_figure(key, value, lang)  # the one rounding of this figure (legend, reasons, CSV alike)
    if f.kind in ("lat", "lon"):
        return _.number(float(value), digits(key), trim=False)
    if f.kind in ("date", "timestamp"):
        try:
            return _.date(str(value)[:10] if f.kind == "date" else str(value))
        except (ValueError, TypeError):
            return str(value)
    return str(value)


def provenance_of(record: dict[str, Any], key: str) -> str:
    """Where a shown value comes from, only as recorded: ``declared``/``verified``/``computed``/``estimated``,
    ``system`` for what the platform sets (status, dates), ``unknown`` for a missing value, and ``""`` (no
    badge) for a value whose provenance was not recorded (never "declared" by default).
    """
    f = FIELD.get(key)
    if f is not None and f.source == "system":
        return SYSTEM
    p = record.get(prov_column(key))
    recorded = str(p) if p and not is_unknown(p) else ""
    if is_unknown(record.get(key)) and key != "outline":
        return recorded if recorded == "computed" and key in COMPUTED_NO else "unknown"
    return recorded


#: Computed fields whose missing value is a computed "no" when their provenance says it was computed.
COMPUTED_NO = {"zis_id"}


def sheet_rows(record: dict[str, Any], lang: str = "en", staff: bool = False
               ) -> Iterator[tuple[str, str, list[tuple[str, str, str]]]]:
    """Yield ``(group key, group label, [(label, value, provenance), ...])`` in schema order."""
    _ = translator(lang)
    for g in GROUPS:
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
            if f.key == "lat" and provenance_of(record, "lat") != provenance_of(record, "lon"):
                # one row cannot carry two provenances: each coordinate with its own
                for k in ("lat", "lon"):
                    rows.append((FIELD[k].label(lang), display_value(k, record.get(k), lang), provenance_of(record, k)))
                continue
            if f.key == "lat":
                label = _("Coordinates (lat, lon)")
                lon = record.get("lon")
                # "45.46420, 9.18998" / "45,46420; 9,18998": the Italian decimal comma needs another separator
                val = "—" if is_unknown(v) or is_unknown(lon) else _("{lat}, {lon}").format(
                    lat=_.number(float(v), digits("lat"), trim=False), lon=_.number(float(lon), digits("lon"),
                                                                                    trim=False))
            elif f.key in COMPUTED_NO and is_unknown(v) and provenance_of(record, f.key) == "computed":
                val = _("No")  # computed: in none of the layer's areas
            else:
                val = display_value(f.key, v, lang)
            rows.append((label, val, provenance_of(record, f.key)))
        if rows:
            yield g, group_label(g, lang), rows


def localised(record: dict[str, Any], field: str, lang: str = "en") -> Localised | None:
    """``title`` / ``description`` of ``record`` in ``lang`` or visibly in the other language (or None)."""
    clean = {k: v for k, v in record.items() if k.startswith(field + "_") and not is_unknown(v)}
    return content(clean, field, lang)


def title_of(record: dict[str, Any], lang: str = "en") -> str:
    """The title in ``lang``, else in the other language, else the site id (plain text, not escaped)."""
    c = localised(record, "title", lang)
    return c.text if c else str(record.get("site_id") or "")
