"""From a record to the rows of a site sheet: labels, formatted values, provenance.

Numbers, money, dates and coordinates are formatted by Babel for the reader's
locale (:func:`geo.i18n.translator`); bilingual owner content (title,
description) comes through :func:`geo.i18n.content`, which says when it fell
back to the other language.
"""

from __future__ import annotations

import base64
import math
from dataclasses import dataclass
from typing import Any, ClassVar, Iterator

from geo.figures import digits, format_figure
from geo.i18n import N_, Localised, content, translator
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
    if key == "drive_method":
        from geo.routing.drive import method_label

        return method_label(str(value), lang)
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


@dataclass(frozen=True)
class Photo:
    """One image of a site as the documents show it: a thumbnail's bytes (JPEG or PNG) and its caption.

    The sheet's gallery slot: whoever stores a site's photos hands them over in this shape (plain text
    caption, escaped by the templates); an empty sequence shows no gallery.
    """

    data: bytes
    mime: str = "image/jpeg"
    caption: str = ""
    kind: ClassVar[str] = "photo"

    def thumbnail(self, edge: int = 1280) -> bytes:
        """The image to draw (already a thumbnail), as :class:`geo.media.model.Media` answers."""
        return self.data

    def data_uri(self) -> str:
        """``data:image/...;base64,...`` for an ``<img src>`` (a stand-alone HTML file needs no other file)."""
        return f"data:{self.mime};base64,{base64.b64encode(self.data).decode('ascii')}"


@dataclass(frozen=True)
class BriefVerdicts:
    """A site judged against the active investor brief: the overall verdict and one row per criterion.

    ``rows`` are ``(criterion label, verdict name, reason)`` as :meth:`geo.search.SearchResult.explain`
    gives them; ``overall`` is a :class:`~geo.search.verdict.Verdict` name.
    """

    overall: str
    rows: tuple[tuple[str, str, str], ...]
    name: str | None = None


def _km_value(record: dict[str, Any], key: str, lang: str) -> str | None:
    v = record.get(key)
    return None if is_unknown(v) else display_value(key, v, lang)


def key_facts(record: dict[str, Any], lang: str = "en", location=None) -> list[tuple[str, str]]:
    """The facts an investor reads first, ``[(label, value), ...]``, every one present ("—" when unknown).

    Area, price (or rent), availability, zone, and the nearest motorway exit and railway station with
    their straight-line distances (the distance is the stored one, as in the sheet's table; the exit's
    name comes from the location map when there is one).
    """
    _ = translator(lang)
    dash = "—"
    land, covered = (record.get(k) for k in ("land_area_m2", "covered_area_m2"))
    area = dash
    if not is_unknown(land):
        area = display_value("land_area_m2", land, lang)
        if not is_unknown(covered):
            area = _("{land} (covered {covered})").format(land=area, covered=display_value("covered_area_m2",
                                                                                             covered, lang))
    price = dash
    if not is_unknown(record.get("price_eur")):
        price = display_value("price_eur", record["price_eur"], lang)
    elif not is_unknown(record.get("lease_eur_m2_year")):
        price = display_value("lease_eur_m2_year", record["lease_eur_m2_year"], lang)
    if not is_unknown(record.get("transaction")):
        deal = display_value("transaction", record["transaction"], lang)
        price = deal if price == dash else f"{price} · {deal}"
    available = display_value("available_from", record.get("available_from"), lang)
    zones = []
    if record.get("in_zls") is True:
        zones.append(_("ZLS, regional aid area") if record.get("zls_aid_area") is True else _("ZLS"))
    if not is_unknown(record.get("zis_id")) and record.get("zis_id"):
        zones.append(_("ZIS {zis}").format(zis=record["zis_id"]))
    if record.get("legal_disused_area") is True:
        zones.append(_("disused area (Regional Law 1/2007)"))
    if not zones:
        zones.append(_("not in a ZLS") if record.get("in_zls") is False else dash)
    names = {n.kind: n.name for n in getattr(location, "nearest", ())}
    rail_name = names.get("rail_station") or (None if is_unknown(record.get("nearest_rail_station"))
                                              else str(record["nearest_rail_station"]))
    near = []
    for label, name, key in ((_("Motorway exit (straight-line)"), names.get("motorway_junction"),
                              "dist_motorway_junction_km"),
                             (_("Railway station (straight-line)"), rail_name, "dist_rail_station_km")):
        km = _km_value(record, key, lang)
        near.append((label, " · ".join(x for x in (name, km) if x) or dash))
    return [(_.pgettext("key facts", "Area"), area), (_("Price"), price), (_("Available from"), available), (_("Zone"), ", ".join(zones)),
            *near]


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
