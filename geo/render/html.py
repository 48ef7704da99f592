"""HTML of a listing card and of a full site sheet, through Jinja2 templates (autoescape on).

The templates are in ``geo/render/templates``; this module gathers plain values
(owner text included, never pre-escaped) and the templates escape them.
"""

from __future__ import annotations

from typing import Any, Sequence

from geo.i18n import local_today, translator
from geo.render.jinja import Markup, render
from geo.render.values import (BriefVerdicts, Photo, display_value, is_unknown, key_facts, localised,
                               provenance_label, sheet_rows)
from geo.render.zones import zone_notes

#: Badge colours (white text on each >= 4.5:1, WCAG AA); the PDF's text colours are the same.
PROV_COLOURS = {"declared": "#1f5fa8", "verified": "#0a7d32", "computed": "#6b4fa0", "estimated": "#965a00",
                "system": "#545454", "unknown": "#6e6e6e"}
CARD_FACTS = ("land_area_m2", "covered_area_m2", "permitted_uses", "transaction", "price_eur", "available_from")


def _title(record: dict[str, Any], lang: str) -> dict[str, Any]:
    c = localised(record, "title", lang)
    return {"text": c.text, "note": c.note()} if c else {"text": str(record.get("site_id") or ""), "note": None}


def render_card_html(record: dict[str, Any], lang: str = "en") -> str:
    """A compact card: title, place, size, uses, deal. Safe to embed in a page."""
    place = ", ".join(display_value(k, record[k], lang) for k in ("municipality_name", "province")
                      if not is_unknown(record.get(k)))
    facts = [display_value(k, record[k], lang) for k in CARD_FACTS if not is_unknown(record.get(k))]
    return str(render("card.html", lang, demo=bool(record.get("is_demo")), title=_title(record, lang), place=place,
                      site_id=str(record.get("site_id", "")), facts=facts))


def site_svg(record: dict[str, Any], municipality=None, size: int = 320, lang: str = "en") -> str:
    """A small offline map: the municipality, the outline and the point, as inline SVG."""
    import geopandas as gpd
    from shapely.geometry import Point

    geoms, styles = [], []
    if municipality is not None:
        geoms.append(municipality)
        styles.append({"fill": "#eef3ee", "stroke": "#7a9a7a", "stroke-width": "1.5"})
    if record.get("outline") is not None:
        geoms.append(record["outline"])
        styles.append({"fill": "#00573f55", "stroke": "#00573f", "stroke-width": "2"})
    if not is_unknown(record.get("lon")):
        geoms.append(Point(float(record["lon"]), float(record["lat"])))
        styles.append({"r": "5", "fill": "#c62828"})
    if not geoms:
        return ""
    gs = gpd.GeoSeries(geoms, crs=4326).to_crs(32632)
    minx, miny, maxx, maxy = gs.total_bounds
    span = max(maxx - minx, maxy - miny, 500) * 1.1
    cx, cy = (minx + maxx) / 2, (miny + maxy) / 2
    sx = lambda x: (x - cx + span / 2) / span * size  # noqa: E731
    sy = lambda y: (cy + span / 2 - y) / span * size  # noqa: E731
    paths, points = [], []
    for g, attrs in zip(gs, styles):
        if g.geom_type == "Point":
            points.append({"x": sx(g.x), "y": sy(g.y), "attrs": attrs})
            continue
        polys = g.geoms if g.geom_type == "MultiPolygon" else [g]
        d = " ".join("M" + " L".join(f"{sx(x):.1f},{sy(y):.1f}" for x, y in p.exterior.coords) + " Z"
                     for p in polys)
        paths.append((d, attrs))
    scale = translator(lang).unit(span / 1000, "length-kilometer")
    return str(render("svg.html", lang, size=size, css_class=None, paths=paths, markers=[], points=points,
                      bar=None, scale=scale))


def _verdicts(verdicts: BriefVerdicts | None, lang: str) -> dict[str, Any] | None:
    from geo.search.verdict import Verdict

    if verdicts is None or not verdicts.rows:
        return None
    _ = translator(lang)
    overall = Verdict.parse(verdicts.overall)
    rows = []
    for label, verdict, reason in verdicts.rows:
        v = Verdict.parse(verdict)
        rows.append({"label": label, "verdict": v.label(lang) if v is not None else "—", "reason": reason,
                     "fill": v.fill if v is not None else "#ffffff"})
    head = _("Against the brief {name}").format(name=verdicts.name) if verdicts.name else _("Against the brief")
    return {"head": head, "overall": overall.label(lang) if overall is not None else "—",
            "fill": overall.fill if overall is not None else "#ffffff", "rows": rows}


def _sheet_body(record: dict[str, Any], lang: str, *, staff: bool = False, municipality=None,
                location=None, verdicts: BriefVerdicts | None = None, photos: Sequence[Photo] = (),
                map_as_image: bool = False) -> Markup:
    drawing, sketch = "", ""
    if location is not None:
        from geo.render.location import location_html

        drawing = location_html(location, lang, as_image=map_as_image)
    else:
        sketch = site_svg(record, municipality, lang=lang)
    desc = localised(record, "description", lang)
    groups = [{"label": label, "rows": rows} for _g, label, rows in sheet_rows(record, lang, staff=staff)]
    return render(
        "_sheet_body.html", lang, demo=bool(record.get("is_demo")), title=_title(record, lang),
        site_id=str(record.get("site_id", "")), municipality=str(record.get("municipality_name") or ""),
        province=display_value("province", record["province"], lang) if record.get("province") else "",
        description={"text": desc.text, "note": desc.note()} if desc else None,
        map=Markup(drawing), sketch=Markup(sketch), zones=zone_notes(record, lang), groups=groups,
        facts=key_facts(record, lang, location), verdicts=_verdicts(verdicts, lang),
        photos=[{"src": p.data_uri(), "caption": p.caption} for p in photos],
        colours=PROV_COLOURS, provenance=lambda prov: provenance_label(prov, lang),
        today=translator(lang).date(local_today()))


def render_sheet_html(record: dict[str, Any], lang: str = "en", *, staff: bool = False,
                      municipality=None, standalone: bool = True, location=None,
                      verdicts: BriefVerdicts | None = None, photos: Sequence[Photo] = ()) -> str:
    """The full site sheet; ``standalone`` adds <html> and the stylesheet (for export).

    ``location``: a :class:`geo.render.location.LocationContext` draws the location map (provinces,
    motorways, railways, nearest exit and station with distances) instead of the municipality sketch.
    A fragment (``standalone=False``, for ``st.html``) carries the map as an ``<img>``: the page's sanitiser
    drops inline SVG. A title or description only in the other language is shown with a note saying so. ``verdicts``: the
    active brief's verdicts on the site; ``photos``: the gallery (shown when not empty).
    """
    body = _sheet_body(record, lang, staff=staff, municipality=municipality, location=location,
                       verdicts=verdicts, photos=photos, map_as_image=not standalone)
    return str(render("sheet.html", lang, standalone=standalone, title=_title(record, lang), body=body))


def render_site_list_html(records: Sequence[dict[str, Any]], lang: str = "en") -> str:
    """Site ids with their titles as an HTML list (titles escaped, "Italian only" when so)."""
    return str(render("site_list.html", lang, sites=[{"site_id": str(r.get("site_id", "")),
                                                      "title": _title(r, lang)} for r in records]))


def render_dossier_html(records: Sequence[dict[str, Any]], lang: str = "en",
                        comparison: Sequence[tuple[str, Sequence[tuple[str, str]]]] | None = None,
                        title: str | None = None, locations: dict | None = None) -> str:
    """The shortlist dossier as one HTML page (same arguments as :func:`geo.render.render_dossier_pdf`)."""
    from geo.render.pdf import SUMMARY_FIELDS
    from geo.schema import FIELD
    from geo.search.verdict import Verdict

    _ = translator(lang)
    heads = [_("ID"), _("Title")] + [FIELD[k].label_with_unit(lang) for k in SUMMARY_FIELDS]
    summary = [[str(r.get("site_id")), _title(r, lang)["text"],
                f"{r.get('municipality_name') or '—'} ({display_value('province', r.get('province'), lang)})"]
               + [display_value(k, r.get(k), lang) for k in SUMMARY_FIELDS[1:]] for r in records]
    table = []
    for label, cells in comparison or ():
        row = []
        for verdict, reason in cells:
            v = Verdict.parse(verdict)
            row.append({"verdict": v.label(lang) if v is not None else "", "reason": reason,
                        "fill": v.fill if v is not None else "#ffffff"})
        table.append((label, row))
    sites = [{"site_id": str(r.get("site_id", "")),
              "body": _sheet_body(r, lang, location=(locations or {}).get(r.get("site_id")))} for r in records]
    return str(render("dossier.html", lang, title=title or _("Site dossier"), sites=sites,
                      demo=any(r.get("is_demo") for r in records), summary_heads=heads, summary=summary,
                      comparison=table))
