"""Where a site is, drawn offline from the reference layers: for the site sheet and the dossier (HTML and PDF).

No tiles and no network: province and municipality outlines, motorways and
railways, the site (or its outline), and the nearest motorway exit and railway
station with their straight-line distances, so that a printed sheet still says
where the site is. Names come from the reference layers and are escaped.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import shapely
from shapely.geometry import Point, box

from geo.figures import format_km
from geo.i18n import N_, translator
from geo.places import METRIC_CRS

#: Half-width of the drawn area never below this (m): a site alone would fill the frame.
MIN_HALF_M = 4000.0
#: What the map marks nearest to the site: label (translated where shown) and colour.
NEAREST = {"motorway_junction": (N_("Motorway exit"), "#d84315"),
           "rail_station": (N_("Railway station"), "#5d4037")}


@dataclass
class Nearest:
    kind: str
    name: str
    km: float
    x: float  # EPSG:32632
    y: float


@dataclass
class LocationContext:
    """Everything the location map draws, in EPSG:32632."""

    site: Point
    outline: Any = None
    municipality: Any = None
    provinces: list = field(default_factory=list)
    lines: dict[str, Any] = field(default_factory=dict)  # motorways / railways geometries
    nearest: list[Nearest] = field(default_factory=list)


def _metric(gdf: gpd.GeoDataFrame | None) -> gpd.GeoDataFrame | None:
    if gdf is None or len(gdf) == 0:
        return None
    if gdf.crs is not None and gdf.crs.to_epsg() == METRIC_CRS:
        return gdf  # read only here: no copy needed
    return gdf.to_crs(METRIC_CRS)


def metric_layers(**layers: gpd.GeoDataFrame | None) -> dict[str, gpd.GeoDataFrame | None]:
    """Reference layers reprojected once (and lines merged), ready for many :func:`location_context` calls."""
    out = {}
    for name, gdf in layers.items():
        m = _metric(gdf)
        if m is not None and name in ("motorways", "railways"):
            m = gpd.GeoDataFrame(geometry=[m.geometry.union_all()], crs=METRIC_CRS)
        out[name] = m
    return out


def location_context(record: dict[str, Any], *, provinces=None, municipalities=None, motorways=None, railways=None,
                     infrastructure=None) -> LocationContext | None:
    """The drawing context of one site from the catalogue's reference layers (any may be missing)."""
    lon, lat = record.get("lon"), record.get("lat")
    if lon is None or lat is None or (isinstance(lon, float) and np.isnan(lon)):
        return None
    site = gpd.GeoSeries([Point(float(lon), float(lat))], crs=4326).to_crs(METRIC_CRS).iloc[0]
    ctx = LocationContext(site=site)
    if record.get("outline") is not None:
        ctx.outline = gpd.GeoSeries([record["outline"]], crs=4326).to_crs(METRIC_CRS).iloc[0]
    mun = _metric(municipalities)
    if mun is not None and record.get("municipality_istat"):
        hit = mun[mun["istat"] == record["municipality_istat"]]
        ctx.municipality = hit.geometry.iloc[0] if len(hit) else None
    prov = _metric(provinces)
    if prov is not None:
        ctx.provinces = list(prov.geometry)
    for name, layer in (("motorways", motorways), ("railways", railways)):
        m = _metric(layer)
        if m is not None:
            ctx.lines[name] = m.geometry.iloc[0] if len(m) == 1 else m.geometry.union_all()
    infra = _metric(infrastructure)
    if infra is not None:
        for kind in NEAREST:
            sel = infra[infra["kind"] == kind]
            if len(sel) == 0:
                continue
            d = np.hypot(sel.geometry.x.to_numpy() - site.x, sel.geometry.y.to_numpy() - site.y)
            i = int(np.argmin(d))
            ctx.nearest.append(Nearest(kind, str(sel["name"].iloc[i]), _stored_km(record, kind, float(d[i])),
                                       float(sel.geometry.x.iloc[i]), float(sel.geometry.y.iloc[i])))
    return ctx


def _stored_km(record: dict[str, Any], kind: str, metres: float) -> float:
    """The distance the sheet's table shows for this fact (the record's computed value), else the same
    computation's figure: one fact, one figure (the legend once rounded the raw distance, the table the
    stored one, and 38 of 320 demo sheets showed two figures)."""
    from geo.catalogue.compute import INFRA_DISTANCE_FIELDS, km_of

    v = record.get(INFRA_DISTANCE_FIELDS[kind][0])
    try:
        if v is not None and np.isfinite(float(v)):
            return float(v)
    except (TypeError, ValueError):
        pass
    return float(km_of(metres))


def _frame(ctx: LocationContext) -> tuple[float, float, float]:
    """Centre and half-width (m) of a square that holds the site and its nearest exit and station."""
    xs = [ctx.site.x] + [n.x for n in ctx.nearest]
    ys = [ctx.site.y] + [n.y for n in ctx.nearest]
    if ctx.outline is not None:
        x0, y0, x1, y1 = ctx.outline.bounds
        xs += [x0, x1]
        ys += [y0, y1]
    cx, cy = (min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2
    half = max(max(xs) - min(xs), max(ys) - min(ys)) / 2 * 1.25
    return cx, cy, max(half, MIN_HALF_M)


def _paths(geom, clip, sx, sy) -> list[list[tuple[float, float]]]:
    """Screen-space polylines of a (multi)line or the rings of a (multi)polygon, clipped to the frame."""
    if geom is None or geom.is_empty:
        return []
    g = shapely.clip_by_rect(geom, *clip.bounds)
    out = []
    for part in getattr(g, "geoms", [g]):
        if part.is_empty:
            continue
        if part.geom_type == "Polygon":
            rings = [part.exterior, *part.interiors]
        elif part.geom_type in ("LineString", "LinearRing"):
            rings = [part]
        elif part.geom_type in ("MultiPolygon", "MultiLineString", "GeometryCollection"):
            out += _paths(part, clip, sx, sy)
            continue
        else:
            continue
        for r in rings:
            out.append([(sx(x), sy(y)) for x, y in r.coords])
    return out


def _labels(lang: str) -> dict[str, str]:
    _ = translator(lang)
    return {k: _(v[0]) for k, v in NEAREST.items()}


def legend_lines(ctx: LocationContext, lang: str) -> list[str]:
    """``"Motorway exit: Agrate Brianza (A4 Torino–Trieste) — 3.2 km in a straight line"`` per nearest feature
    (plain text; the figure is the table's, written by :func:`geo.figures.format_km`)."""
    _ = translator(lang)
    labels = _labels(lang)
    return [_("{kind}: {name} — {distance}").format(kind=labels[n.kind], name=n.name,
                                                    distance=format_km(n.km, lang, straight=True))
            for n in ctx.nearest]


def location_svg(ctx: LocationContext | None, lang: str = "en", size: int = 360) -> str:
    """The location map as inline SVG (empty string without a context; names escaped by the template)."""
    from geo.render.jinja import render

    if ctx is None:
        return ""
    cx, cy, half = _frame(ctx)
    clip = box(cx - half, cy - half, cx + half, cy + half)
    sx = lambda x: (x - cx + half) / (2 * half) * size  # noqa: E731
    sy = lambda y: (cy + half - y) / (2 * half) * size  # noqa: E731
    paths = []

    def path(geom, attrs: dict[str, str], closed: bool = False) -> None:
        parts = _paths(geom, clip, sx, sy)
        if parts:
            d = " ".join("M" + " L".join(f"{x:.1f},{y:.1f}" for x, y in p) + (" Z" if closed else "") for p in parts)
            paths.append((d, attrs))

    path(ctx.municipality, {"fill": "#eef3ee", "stroke": "#7a9a7a", "stroke-width": "1"}, True)
    for p in ctx.provinces:
        path(p.boundary, {"fill": "none", "stroke": "#555", "stroke-width": "1.5"})
    path(ctx.lines.get("railways"), {"fill": "none", "stroke": "#4e342e", "stroke-width": "1",
                                     "stroke-dasharray": "4 3"})
    path(ctx.lines.get("motorways"), {"fill": "none", "stroke": "#d84315", "stroke-width": "2.5"})
    path(ctx.outline, {"fill": "#00573f55", "stroke": "#00573f", "stroke-width": "2"}, True)
    markers = []
    for n in ctx.nearest:
        x = sx(n.x)
        anchor = "end" if x > size * 0.6 else "start"
        markers.append({"x": x, "y": sy(n.y), "colour": NEAREST[n.kind][1], "square": n.kind == "motorway_junction",
                        "anchor": anchor, "dx": -8 if anchor == "end" else 8,
                        "label": f"{_short(n.name)} · {format_km(n.km, lang)}"})
    site = {"x": sx(ctx.site.x), "y": sy(ctx.site.y),
            "attrs": {"r": "6", "fill": "#c62828", "stroke": "#fff", "stroke-width": "2"}}
    bar_m = _nice(half / 2)
    bar = {"width": bar_m / (2 * half) * size, "label": translator(lang).unit(bar_m / 1000, "length-kilometer", 3)}
    return str(render("svg.html", lang, size=size, css_class="geo-location", paths=paths, markers=markers,
                      points=[site], bar=bar, scale=None))


def _short(name: str, n: int = 26) -> str:
    """A name for a label on the map: whole, or cut at a word with "…" (the legend beside it has it whole)."""
    if len(name) <= n:
        return name
    cut = name[:n].rsplit(" ", 1)[0].rstrip(" ,(")
    return cut + "…"


def _nice(m: float) -> float:
    """A round scale-bar length (m) not above ``m``."""
    exp = 10 ** int(np.floor(np.log10(max(m, 1.0))))
    for f in (5, 2, 1):
        if f * exp <= m:
            return float(f * exp)
    return float(exp)


def location_html(ctx: LocationContext | None, lang: str = "en", size: int = 360, *, as_image: bool = False) -> str:
    """The SVG map with the nearest exit and station listed beside it (escaped).

    ``as_image``: the SVG as an ``<img>`` with a ``data:`` URI, for HTML that passes a sanitiser which
    drops inline SVG (Streamlit's ``st.html`` does: the page showed the legend without its map).
    """
    import base64

    from geo.render.jinja import Markup, render

    if ctx is None:
        return ""
    svg = location_svg(ctx, lang, size)
    legend = legend_lines(ctx, lang)
    if as_image:
        uri = "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")
        return str(render("location.html", lang, svg=None, uri=uri, size=size, alt="; ".join(legend), legend=legend))
    return str(render("location.html", lang, svg=Markup(svg), uri=None, size=size, alt="", legend=legend))


def draw_location_pdf(doc, ctx: LocationContext | None, lang: str, x: float, y: float, w: float) -> float:
    """Draw the location map on an fpdf2 page at (x, y), ``w`` mm wide; returns the height used (mm)."""
    if ctx is None:
        return 0.0
    cx, cy, half = _frame(ctx)
    clip = box(cx - half, cy - half, cx + half, cy + half)
    sx = lambda px: x + (px - cx + half) / (2 * half) * w  # noqa: E731
    sy = lambda py: y + (cy + half - py) / (2 * half) * w  # noqa: E731

    def lines(geom, rgb, width: float, closed: bool = False, fill=None) -> None:
        doc.set_draw_color(*rgb)
        doc.set_line_width(width)
        if fill is not None:
            doc.set_fill_color(*fill)
        for p in _paths(geom, clip, sx, sy):
            if len(p) >= 2:
                doc.polyline(p, style="DF" if (closed and fill is not None) else "D")

    doc.set_draw_color(200)
    doc.set_line_width(0.2)
    doc.rect(x, y, w, w)
    lines(ctx.municipality, (122, 154, 122), 0.2, True, (238, 243, 238))
    for p in ctx.provinces:
        lines(p.boundary, (85, 85, 85), 0.4)
    lines(ctx.lines.get("railways"), (78, 52, 46), 0.2)
    lines(ctx.lines.get("motorways"), (216, 67, 21), 0.6)
    lines(ctx.outline, (0, 87, 63), 0.4, True, (200, 225, 215))
    for n in ctx.nearest:
        rgb = (216, 67, 21) if n.kind == "motorway_junction" else (93, 64, 55)
        doc.set_fill_color(*rgb)
        px, py = sx(n.x), sy(n.y)
        if n.kind == "motorway_junction":
            doc.rect(px - 1.2, py - 1.2, 2.4, 2.4, style="F")
        else:
            doc.ellipse(px - 1.2, py - 1.2, 2.4, 2.4, style="F")
    doc.set_fill_color(198, 40, 40)
    px, py = sx(ctx.site.x), sy(ctx.site.y)
    doc.ellipse(px - 1.6, py - 1.6, 3.2, 3.2, style="F")
    bar_m = _nice(half / 2)
    doc.set_draw_color(50)
    doc.set_line_width(0.5)
    doc.line(x + 2, y + w - 3, x + 2 + bar_m / (2 * half) * w, y + w - 3)
    doc.set_font(size=7)
    scale = translator(lang).unit(bar_m / 1000, "length-kilometer", 3)
    doc.text(x + 2, y + w - 4, getattr(doc, "txt", str)(scale))
    doc.set_line_width(0.2)
    doc.set_draw_color(0)
    return w

