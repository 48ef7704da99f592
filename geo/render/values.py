"""From a record to the rows of a site sheet: labels, formatted values, provenance.

Numbers, money, dates and coordinates are formatted by Babel for the reader's
locale (:func:`geo.i18n.translator`); bilingual owner content (title,
description) comes through :func:`geo.i18n.content`, which says when it fell
back to the other language.
"""

from __future__ import annotations

import math
from typing import Any, Iterator

from geo.i18n import N_, Localised, content, translator
from geo.schema import FIELD, FIELDS, GROUPS, group_label, prov_column

#: Fields not shown as rows of the sheet (shown elsewhere or internal).
HIDDEN = {"site_id", "is_demo", "owner_id", "submission_id", "title_it", "title_en", "description_it",
          "description_en", "lon", "outline", "delegation"}

def is_unknown(v: Any) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v)) or str(v) in ("<NA>", "nan", "NaT")


def provenance_label(prov: str, lang: str = "en") -> str:
    """``"declared"`` / ``"dichiarato"`` ...: the badge of a value's source."""
    _ = translator(lang)
    labels = {"declared": _.pgettext("provenance", "declared"), "verified": _.pgettext("provenance", "verified"),
              "computed": _.pgettext("provenance", "computed"), "estimated": _.pgettext("provenance", "estimated")}
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
    if f.kind in ("list", "attachment"):
        return ", ".join(v for v in str(value).split(";") if v)
    if f.kind in ("float", "int"):
        if f.key == "year_built":
            return str(int(value))
        if f.unit == "€":
            return _.money(float(value))
        digits = 2 if (f.max is not None and f.max <= 1) else 1
        txt = _.number(float(value) if f.kind == "float" else int(value), digits)
        return f"{txt} {f.unit_text(lang)}" if f.unit else txt
    if f.kind in ("lat", "lon"):
        return _.number(float(value), 5, trim=False)
    if f.kind in ("date", "timestamp"):
        try:
            return _.date(str(value)[:10] if f.kind == "date" else str(value))
        except (ValueError, TypeError):
            return str(value)
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
            if f.key == "lat":
                label = _("Coordinates (lat, lon)")
                lon = record.get("lon")
                # "45.46420, 9.18998" / "45,46420; 9,18998": the Italian decimal comma needs another separator
                val = "—" if is_unknown(v) or is_unknown(lon) else _("{lat}, {lon}").format(
                    lat=_.number(float(v), 5, trim=False), lon=_.number(float(lon), 5, trim=False))
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


#: The mark on every document page of a listing investors cannot see yet (issue 18: a submitted listing went
#: into an investor dossier unmarked), by status; a listing without a status (a preview) has none.
UNPUBLISHED_MARKS = {
    "submitted": N_("NOT PUBLISHED: submitted, not yet validated by staff"),
    "validated": N_("NOT PUBLISHED: in review by staff"),
    "draft": N_("NOT PUBLISHED: sent back to the owner"),
    "withdrawn": N_("NOT PUBLISHED: withdrawn by the owner"),
    "expired": N_("NOT PUBLISHED: expired"),
}


def unpublished_mark(record: dict[str, Any], lang: str = "en") -> str | None:
    """The "NOT PUBLISHED" line a sheet or dossier page of ``record`` carries (None when published or a
    preview): read from the record's ``status``, so every document made from the catalogue carries it."""
    status = record.get("status")
    if is_unknown(status) or status == "published" or str(status).startswith("PREVIEW"):
        return None
    template = UNPUBLISHED_MARKS.get(str(status))
    if template is None:
        return None
    return translator(lang)(template)
