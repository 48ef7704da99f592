"""HTML of a listing card and of a full site sheet. Every value is escaped."""

from __future__ import annotations

import datetime as dt
from html import escape
from typing import Any

from geo.render.values import description_of, is_unknown, sheet_rows, title_of
from geo.render.zones import zone_notes
from geo.i18n import t

PROV_COLOURS = {"declared": "#1f5fa8", "verified": "#0a7d32", "computed": "#6b4fa0", "estimated": "#b26b00",
                "unknown": "#888888"}

CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1b1b1b;max-width:60rem;margin:1rem auto;padding:0 1rem}
h1{font-size:1.5rem;margin:.2rem 0}h2{font-size:1.1rem;border-bottom:2px solid #00573f;margin-top:1.4rem}
table{border-collapse:collapse;width:100%}td{padding:.25rem .4rem;border-bottom:1px solid #e4e4e4;vertical-align:top}
td.l{width:40%;color:#444}.badge{display:inline-block;font-size:.72rem;padding:0 .4rem;border-radius:.6rem;color:#fff}
.demo{background:#c62828;color:#fff;font-weight:700;padding:.15rem .5rem;border-radius:.3rem}
.card{border:1px solid #ddd;border-radius:.5rem;padding:.6rem .8rem;margin:.3rem 0}
.muted{color:#666;font-size:.85rem}
"""


def badge(prov: str, lang: str) -> str:
    return (f'<span class="badge" style="background:{PROV_COLOURS.get(prov, "#888")}">'
            f'{escape(t("prov_" + prov, lang))}</span>')


def demo_html(record: dict[str, Any], lang: str) -> str:
    return (f'<span class="demo" title="{escape(t("demo_banner", lang))}">{escape(t("demo", lang))}</span> '
            if record.get("is_demo") else "")


def render_card_html(record: dict[str, Any], lang: str = "en") -> str:
    """A compact card: title, place, size, uses, deal. Safe to embed in a page."""
    from geo.render.values import display_value

    parts = [demo_html(record, lang), f"<b>{escape(title_of(record, lang))}</b>"]
    place = ", ".join(escape(str(record[k])) for k in ("municipality_name", "province")
                      if not is_unknown(record.get(k)))
    facts = []
    for k in ("land_area_m2", "covered_area_m2", "permitted_uses", "transaction", "price_eur", "available_from"):
        if not is_unknown(record.get(k)):
            facts.append(escape(display_value(k, record[k], lang)))
    return (f'<div class="card">{"".join(parts)}<div class="muted">{place} · {escape(str(record.get("site_id", "")))}'
            f'</div><div>{" · ".join(facts)}</div></div>')


def site_svg(record: dict[str, Any], municipality=None, size: int = 320) -> str:
    """A small offline map: the municipality, the outline and the point, as inline SVG."""
    import geopandas as gpd
    from shapely.geometry import Point

    geoms, styles = [], []
    if municipality is not None:
        geoms.append(municipality), styles.append('fill="#eef3ee" stroke="#7a9a7a" stroke-width="1.5"')
    if record.get("outline") is not None:
        geoms.append(record["outline"]), styles.append('fill="#00573f55" stroke="#00573f" stroke-width="2"')
    if not is_unknown(record.get("lon")):
        geoms.append(Point(float(record["lon"]), float(record["lat"])))
        styles.append('fill="#c62828"')
    if not geoms:
        return ""
    gs = gpd.GeoSeries(geoms, crs=4326).to_crs(32632)
    minx, miny, maxx, maxy = gs.total_bounds
    span = max(maxx - minx, maxy - miny, 500) * 1.1
    cx, cy = (minx + maxx) / 2, (miny + maxy) / 2
    sx = lambda x: (x - cx + span / 2) / span * size  # noqa: E731
    sy = lambda y: (cy + span / 2 - y) / span * size  # noqa: E731
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size}" viewBox="0 0 {size} {size}" '
           f'role="img" style="border:1px solid #ccc;background:#fafafa">']
    for g, st in zip(gs, styles):
        if g.geom_type == "Point":
            out.append(f'<circle cx="{sx(g.x):.1f}" cy="{sy(g.y):.1f}" r="5" {st}/>')
            continue
        polys = g.geoms if g.geom_type == "MultiPolygon" else [g]
        d = " ".join("M" + " L".join(f"{sx(x):.1f},{sy(y):.1f}" for x, y in p.exterior.coords) + " Z"
                     for p in polys)
        out.append(f'<path d="{d}" {st}/>')
    km = span / 1000
    out.append(f'<text x="6" y="{size - 6}" font-size="11" fill="#555">{km:.1f} km</text></svg>')
    return "".join(out)


def render_sheet_html(record: dict[str, Any], lang: str = "en", *, staff: bool = False,
                      municipality=None, standalone: bool = True, location=None) -> str:
    """The full site sheet; ``standalone`` adds <html> and the stylesheet (for export).

    ``location``: a :class:`geo.render.location.LocationContext` draws the location map (provinces,
    motorways, railways, nearest exit and station with distances) instead of the municipality sketch.
    """
    body = [demo_html(record, lang), f"<h1>{escape(title_of(record, lang))}</h1>",
            f'<div class="muted">{escape(str(record.get("site_id", "")))} · '
            f'{escape(str(record.get("municipality_name") or ""))} ({escape(str(record.get("province") or ""))})</div>']
    desc = description_of(record, lang)
    if desc:
        body.append(f"<p>{escape(desc)}</p>")
    if location is not None:
        from geo.render.location import location_html

        body.append(location_html(location, lang))
    else:
        svg = site_svg(record, municipality)
        if svg:
            body.append(f"<div>{svg}</div>")
    for heading, bullets in zone_notes(record, lang):
        body.append(f"<h2>{escape(heading)}</h2><ul>" + "".join(f"<li>{escape(b)}</li>" for b in bullets) + "</ul>")
    for _g, label, rows in sheet_rows(record, lang, staff=staff):
        body.append(f"<h2>{escape(label)}</h2><table>")
        for lab, val, prov in rows:
            body.append(f'<tr><td class="l">{escape(lab)}</td><td>{escape(val)}</td><td>{badge(prov, lang)}</td></tr>')
        body.append("</table>")
    body.append(f'<p class="muted">{escape(t("sheet_footer", lang))}<br>{escape(t("generated_on", lang))} '
                f'{dt.date.today().isoformat()}</p>')
    html = "\n".join(body)
    if not standalone:
        return f"<style>{CSS}</style>{html}"
    title = escape(title_of(record, lang))
    return (f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8"><title>{title}</title>'
            f"<style>{CSS}</style></head><body>{html}</body></html>")
