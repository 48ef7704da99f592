"""The search map as a folium object (plain Python, no Streamlit).

A new map is built on every run: folium objects are changed when they are
rendered (``Layer.render`` adds children, streamlit-folium rewrites names), so
a map cached and shared between visitors breaks for everyone after the first.
What is worth caching is *data*: reference layers as ready-made GeoJSON text
(:func:`layer_json`, immutable strings), which makes a fresh map cheap.

Sites are sent as one compact JSON array and turned into clustered circle
markers in the browser (like folium's FastMarkerCluster), so 10k results stay
well under the payload and interactivity targets. Owner text and place names
reach the page only as JSON data and are put into tooltips with
``textContent``, never parsed as HTML.
"""

from __future__ import annotations

import json
import math
from typing import Any

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from branca.element import CssLink, Element, JavascriptLink, MacroElement
from folium.elements import ElementAddToElement, JSCSSMixin
from folium.map import Layer
from folium.plugins import Draw, MarkerCluster
from jinja2 import Environment, Template

from geo.i18n import N_, content, translator
from geo.listing.status import state_label
from geo.search.verdict import NO_VERDICT_COLOUR, Verdict
from geo.web.assets import localise

#: Marker colour by verdict code (0-3 = :class:`Verdict`, 4 = no brief).
VERDICT_COLOURS = {**{v.name: v.colour for v in Verdict}, None: NO_VERDICT_COLOUR}
ZONE_COLOURS = {"zls": "#0277bd", "zls_aid": "#6a1b9a", "zis": "#ef6c00"}
LINE_COLOURS = {"motorways": "#d84315", "railways": "#4e342e"}
INFRA_COLOURS = {"airport": "#000000", "motorway_junction": "#d84315", "rail_station": "#5d4037",
                 "rail_freight_terminal": "#4e342e", "port": "#01579b"}
VERDICT_CODES = [v.name for v in Verdict] + [None]
OSM = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
ESRI = "https://server.arcgisonline.com/ArcGIS/rest/services/World_Imagery/MapServer/tile/{z}/{y}/{x}"
LOMBARDY_CENTER = (45.62, 9.75)
LOMBARDY_BOUNDS = ((44.68, 8.50), (46.64, 11.43))
OUTLINE_MIN_ZOOM = 13
SEARCH_COLOUR = "#1565c0"
#: Listing statuses by marker code (0 = published, the default marker); staff search shows the others with a
#: thick ring of their colour and dash (a withdrawn one also faded), and names the status in the tooltip.
STATUS_CODES = ["published", "submitted", "draft", "withdrawn", "other"]
STATUS_RINGS = {"submitted": ("#ef6c00", None), "draft": ("#6a1b9a", "4 2"), "withdrawn": ("#212121", "2 3"),
                "other": ("#212121", "1 3")}

#: Names of the map's layers (translated where shown).
LAYER_NAMES = {
    "basemap_osm": N_("Map (OpenStreetMap)"), "basemap_sat": N_("Satellite (Esri)"),
    "sites": N_("Sites"), "outlines": N_("Site outlines"), "municipalities": N_("Municipal boundaries"),
    "provinces": N_("Provinces"), "zls": N_("ZLS Lombardia (municipalities)"), "zls_aid": N_("ZLS in aid map"),
    "zis": N_("ZIS"), "motorways": N_("Motorways"), "railways": N_("Railways"), "exits": N_("Motorway exits"),
    "stations": N_("Railway stations"), "airports": N_("Airports"), "other_infra": N_("Other infrastructure"),
    "actors": N_("Technology clusters (headquarters, municipality level)"), "search_area": N_("Search area"),
}
#: Kinds of infrastructure grouped as "other" (their kind is named in the layer's label).
OTHER_INFRA_LABELS = {"rail_freight_terminal": N_("rail freight terminal"), "port": N_("port")}


def word(key: str, lang: str) -> str:
    """The name of the map layer ``key`` (:data:`LAYER_NAMES`) in ``lang``."""
    return translator(lang)(LAYER_NAMES[key])


def _safe_json(obj: Any) -> str:
    """JSON that can sit inside a <script> element."""
    return _script_safe(json.dumps(obj, separators=(",", ":"), ensure_ascii=False))


def _script_safe(text: str) -> str:
    return text.replace("</", "<\\/").replace("<!--", "<\\!--").replace("\u2028", "\\u2028").replace(
        "\u2029", "\\u2029")


_LEGEND = Environment(autoescape=True).from_string("""\
{%- macro key(colour, label, shape) -%}
<span style="display:inline-flex;align-items:center;margin-right:1rem">
{%- if shape == "ring" -%}
<span style="width:.7rem;height:.7rem;border-radius:50%;border:3px solid {{ colour }};margin-right:.3rem;\
display:inline-block"></span>
{%- elif shape == "line" -%}
<span style="width:1.2rem;height:3px;background:{{ colour }};margin-right:.3rem;display:inline-block"></span>
{%- else -%}
<span style="width:.8rem;height:.8rem;border-radius:{{ '2px' if shape == 'square' else '50%' }};background:{{ colour }};\
margin-right:.3rem;display:inline-block"></span>
{%- endif -%}
{{ label }}</span>
{%- endmacro -%}
<div style="font-size:.85rem;line-height:1.8">{% for colour, label, shape in keys %}{{ key(colour, label, shape) }}{% endfor %}</div>""")


def legend_html(lang: str, with_brief: bool, statuses: bool = False) -> str:
    """What the colours on the map mean (sites by verdict, zones, lines), as a small HTML strip; with
    ``statuses`` (staff search) also the rings of listings that are not published."""
    _ = translator(lang)
    sites = ([(v.colour, v.label(lang), "dot") for v in sorted(Verdict, key=lambda v: v.rank)]
             if with_brief else [(NO_VERDICT_COLOUR, _("Site (no brief: no verdict)"), "dot")])
    zones = [(ZONE_COLOURS[k], word(k, lang), "square") for k in ("zls", "zls_aid", "zis")]
    lines = [(LINE_COLOURS[k], word(k, lang), "line") for k in ("motorways", "railways")]
    rings = [(STATUS_RINGS[c][0], state_label(c, lang), "ring") for c in STATUS_CODES[1:-1]] if statuses else []
    return _LEGEND.render(keys=sites + rings + zones + lines)


class _Text(Element):
    """Already rendered script/HTML, included as it is.

    branca wraps every rendered macro in ``Element(text)``, which compiles the text as a
    Jinja template: with a layer's data inside, that cost ~0.1 s per render (and
    streamlit-folium renders twice per run).
    """

    def __init__(self, text: str) -> None:
        super().__init__()
        self._text = text

    def render(self, **kwargs) -> str:
        return self._text


class _DataElement:
    """Mixin for elements that carry bulky data: render their macros without recompiling them."""

    def render(self, **kwargs):
        figure = self.get_root()
        for name, url in getattr(self, "default_js", ()):
            figure.header.add_child(JavascriptLink(url), name=name)
        for name, url in getattr(self, "default_css", ()):
            figure.header.add_child(CssLink(url), name=name)
        if isinstance(self, Layer) and self.show:  # what Layer.render does
            self.add_child(ElementAddToElement(element_name=self.get_name(),
                                               element_parent_name=self._parent.get_name()),
                           name=self.get_name() + "_add")
        macros = self._template.module.__dict__
        for part in ("header", "html", "script"):
            macro = macros.get(part)
            if macro is not None:
                getattr(figure, part).add_child(_Text(macro(self, kwargs)), name=self.get_name())
        for child in self._children.values():
            child.render(**kwargs)


class SiteLayer(_DataElement, JSCSSMixin, MacroElement):
    """Clustered circle markers built in the browser from compact arrays."""

    # Same resources as folium's MarkerCluster; localise() points them at our copies.
    default_js = [("markerclusterjs", MarkerCluster.default_js[0][1])]
    default_css = list(MarkerCluster.default_css)

    _template = Template("""
{% macro header(this, kwargs) %}{% endmacro %}
{% macro script(this, kwargs) %}
(function() {
  var map = {{ this._parent.get_name() }};
  var d = {{ this.data }};
  var colours = {{ this.colours }};
  var demoLabel = {{ this.demo_label }};
  var rings = {{ this.rings }}, statusLabels = {{ this.status_labels }};
  // A cluster is a ring of its sites' verdict colours (the default green/yellow by count would read as verdicts).
  function clusterIcon(cluster) {
    var ms = cluster.getAllChildMarkers(), n = ms.length, c = [], k, acc = 0, stops = [];
    for (k = 0; k < colours.length; k++) c.push(0);
    for (k = 0; k < n; k++) c[ms[k].options.v]++;
    for (k = 0; k < c.length; k++) {
      if (!c[k]) continue;
      stops.push(colours[k] + " " + (acc / n * 360) + "deg " + ((acc + c[k]) / n * 360) + "deg");
      acc += c[k];
    }
    var size = n < 10 ? 30 : (n < 100 ? 36 : 44);
    var html = '<div style="width:' + size + 'px;height:' + size + 'px;border-radius:50%;display:flex;' +
      'align-items:center;justify-content:center;background:conic-gradient(' + stops.join(",") + ')">' +
      '<span style="width:' + (size - 12) + 'px;height:' + (size - 12) + 'px;border-radius:50%;background:#fff;' +
      'display:flex;align-items:center;justify-content:center;font:bold 12px sans-serif;color:#222">' + n +
      '</span></div>';
    return L.divIcon({html: html, className: "marker-cluster geo-cluster", iconSize: L.point(size, size)});
  }
  var group = L.markerClusterGroup({chunkedLoading: true, maxClusterRadius: 45, iconCreateFunction: clusterIcon});
  var markers = new Array(d.id.length);
  for (var i = 0; i < d.id.length; i++) {
    var sc = d.st ? d.st[i] : 0, ring = sc ? rings[sc] : null;
    var m = L.circleMarker([d.lat[i], d.lon[i]], {radius: sc ? 8 : 7, weight: sc ? 3 : (d.demo[i] ? 2 : 1),
        color: sc ? ring[0] : (d.demo[i] ? "#000" : "#fff"), dashArray: sc ? ring[1] : (d.demo[i] ? "3" : null),
        fillColor: colours[d.v[i]], fillOpacity: sc === 3 ? 0.35 : 0.9});
    var tip = document.createElement("div");
    var b = document.createElement("b"); b.textContent = d.id[i]; tip.appendChild(b);
    if (d.demo[i]) { var s = document.createElement("span"); s.textContent = " " + demoLabel;
      s.style.color = "#c62828"; s.style.fontWeight = "bold"; tip.appendChild(s); }
    if (sc) { var st = document.createElement("span"); st.textContent = " · " + statusLabels[sc];
      st.style.color = ring[0]; st.style.fontWeight = "bold"; tip.appendChild(st); m.options.status = sc; }
    tip.appendChild(document.createElement("br"));
    tip.appendChild(document.createTextNode(d.title[i]));
    m.bindTooltip(tip);
    m.options.siteId = d.id[i];
    m.options.v = d.v[i];
    markers[i] = m;
  }
  group.addLayers(markers);
  group.addTo(map);
  // Sites selected in the results table: a ring around them, above the clusters, and in view.
  var hl = {{ this.highlight }}, rings = [];
  for (var h = 0; h < hl.length; h++) {
    var r = L.circleMarker([d.lat[hl[h]], d.lon[hl[h]]], {radius: 13, weight: 3, color: "#000", fill: false,
                                                            interactive: false});
    r.options.siteId = d.id[hl[h]];
    r.addTo(map); rings.push(r);
  }
  window.__geoHighlight = rings;
  {{ this.get_name() }} = group;
  document.body.setAttribute("data-site-count", String(d.id.length));
  window.__geoSites = group;
})();
{% endmacro %}
""")

    def __init__(self, data: dict[str, list], demo_label: str, name: str = "sites",
                 highlight: list[str] | None = None, status_labels: list[str] | None = None) -> None:
        super().__init__()
        self._name = "SiteLayer"
        self.layer_name = name
        pos = {sid: i for i, sid in enumerate(data["id"])}
        self.highlight = _safe_json([pos[s] for s in (highlight or []) if s in pos])
        self.data = _safe_json(data)
        self.colours = _safe_json([VERDICT_COLOURS[c] for c in VERDICT_CODES])
        self.demo_label = _safe_json(demo_label)
        self.rings = _safe_json([None] + [list(STATUS_RINGS[c]) for c in STATUS_CODES[1:]])
        self.status_labels = _safe_json(status_labels or STATUS_CODES)


class GeoJsonText(_DataElement, Layer):
    """A reference layer from ready-made GeoJSON text (see :func:`layer_json`), listed in the layer control.

    The tooltip shows one property as plain text (``textContent``).
    """

    _template = Template("""
{% macro script(this, kwargs) %}
var {{ this.get_name() }} = L.geoJson({{ this.data }}, {
  style: function() { return {{ this.style }}; },
  interactive: {{ 'true' if this.tooltip else 'false' }},
  onEachFeature: function(f, l) {
    {% if this.tooltip %}
    var v = f.properties ? f.properties.tip : null;
    if (v !== null && v !== undefined) { var s = document.createElement("span"); s.textContent = String(v);
      l.bindTooltip(s, {sticky: true}); }
    {% endif %}
  }
});
(window.__geoRefs = window.__geoRefs || {})[{{ this.layer_name|tojson }}] = {{ this.get_name() }};
{% endmacro %}
""")

    def __init__(self, data: str, name: str, style: dict, *, tooltip: bool = False, show: bool = True) -> None:
        super().__init__(name=name, overlay=True, control=True, show=show)
        self._name = "GeoJsonText"
        self.data = data
        self.style = _safe_json(style)
        self.tooltip = tooltip


#: Markers one point layer draws on the find map. The largest shipped kind is 554 railway stations; an import may
#: bring 10,000 points of a kind and 50,000 in all, which drawn one by one made every run of the page send and
#: draw them all. Above this, points are grouped into grid cells (one marker per cell, sized by its count).
MAP_POINTS_MAX = 2_000


def points_json(points: gpd.GeoDataFrame, limit: int | None = None) -> str:
    """Points for :class:`PointsLayer` as compact, script-safe JSON text (the cacheable form).

    ``{"lat": [...], "lon": [...], "name": [...], "n": [...]}``: at most ``limit`` (default
    :data:`MAP_POINTS_MAX`) markers. With more points, nearby ones are grouped on a grid whose cell doubles
    until the cells are few enough; a group's marker is at its points' mean position, with ``n`` > 1 and
    the name of its first point.
    """
    limit = MAP_POINTS_MAX if limit is None else limit
    pts = points[points.geometry.notna() & ~points.geometry.is_empty] if len(points) else points
    lat = pts.geometry.y.to_numpy(dtype=float) if len(pts) else np.zeros(0)
    lon = pts.geometry.x.to_numpy(dtype=float) if len(pts) else np.zeros(0)
    names = (pts["name"].fillna("").astype(str).to_numpy() if "name" in pts else np.array([""] * len(pts), object))
    n = np.ones(len(pts), dtype=np.int64)
    cell = 0.005
    while len(lat) > limit:
        key = np.floor(lon / cell).astype(np.int64) * 1_000_003 + np.floor(lat / cell).astype(np.int64)
        uniq, first, inv = np.unique(key, return_index=True, return_inverse=True)
        if len(uniq) <= limit or cell > 10:
            w = np.bincount(inv, weights=n)
            lat = np.bincount(inv, weights=lat * n) / w
            lon = np.bincount(inv, weights=lon * n) / w
            names, n = names[first], w.astype(np.int64)
            break
        cell *= 2
    return _safe_json({"lat": np.round(lat, 5).tolist(), "lon": np.round(lon, 5).tolist(),
                       "name": [str(x) for x in names], "n": n.tolist()})


class PointsLayer(_DataElement, Layer):
    """Small fixed-size points (infrastructure) from compact arrays, with plain-text tooltips.

    A marker standing for a group of points (``n`` > 1, see :func:`points_json`) is larger and its tooltip
    says how many points it groups."""

    _template = Template("""
{% macro script(this, kwargs) %}
var {{ this.get_name() }} = L.featureGroup();
(function() {
  var group = {{ this.get_name() }}, d = {{ this.data }}, many = {{ this.many }}, built = false;
  // Hidden until ticked in the layer control: its markers are made then, not for every visitor on every run.
  function build() {
  if (built) return;
  built = true;
  for (var i = 0; i < d.lat.length; i++) {
    var n = d.n ? d.n[i] : 1;
    var m = L.circleMarker([d.lat[i], d.lon[i]], {radius: {{ this.radius }} + (n > 1 ? Math.min(8, Math.log2(n)) : 0),
        weight: 1, color: "#fff", fillColor: {{ this.colour }}, fillOpacity: 1});
    var s = document.createElement("span"); s.textContent = n > 1 ? many.replace("{n}", n) : d.name[i];
    m.bindTooltip(s);
    m.addTo(group);
  }
  }
  group.on("add", build);
  if (group._map) build();
})();
{% endmacro %}
""")

    def __init__(self, points: gpd.GeoDataFrame | str, name: str, colour: str, *, radius: int = 4,
                 show: bool = False, lang: str = "en") -> None:
        super().__init__(name=name, overlay=True, control=True, show=show)
        self._name = "PointsLayer"
        self.radius = int(radius)
        self.colour = _safe_json(colour)
        self.many = _safe_json(translator(lang)(N_("{n} points here (grouped at this scale)")))
        self.data = points if isinstance(points, str) else points_json(points)


#: The drawing tools' texts (leaflet-draw's ``L.drawLocal``): path in ``L.drawLocal`` -> English text.
DRAW_TEXTS = {
    "draw.toolbar.buttons.polygon": N_("Draw a polygon"),
    "draw.toolbar.buttons.rectangle": N_("Draw a rectangle"),
    "draw.toolbar.buttons.circle": N_("Draw a circle"),
    "draw.toolbar.buttons.marker": N_("Place a point"),
    "draw.toolbar.actions.title": N_("Cancel drawing"),
    "draw.toolbar.actions.text": N_("Cancel"),
    "draw.toolbar.finish.title": N_("Finish drawing"),
    "draw.toolbar.finish.text": N_("Finish"),
    "draw.toolbar.undo.title": N_("Delete last point drawn"),
    "draw.toolbar.undo.text": N_("Delete last point"),
    "draw.handlers.circle.tooltip.start": N_("Click and drag to draw a circle."),
    "draw.handlers.circle.radius": N_("Radius"),
    "draw.handlers.marker.tooltip.start": N_("Click the map to place the point."),
    "draw.handlers.polygon.tooltip.start": N_("Click to start drawing the shape."),
    "draw.handlers.polygon.tooltip.cont": N_("Click to continue drawing the shape."),
    "draw.handlers.polygon.tooltip.end": N_("Click the first point to close the shape."),
    "draw.handlers.rectangle.tooltip.start": N_("Click and drag to draw a rectangle."),
    "draw.handlers.simpleshape.tooltip.end": N_("Release the mouse to finish drawing."),
    "edit.toolbar.actions.save.title": N_("Save changes"),
    "edit.toolbar.actions.save.text": N_("Save"),
    "edit.toolbar.actions.cancel.title": N_("Cancel editing, discarding all changes"),
    "edit.toolbar.actions.cancel.text": N_("Cancel"),
    "edit.toolbar.actions.clearAll.title": N_("Delete all drawings"),
    "edit.toolbar.actions.clearAll.text": N_("Delete all"),
    "edit.toolbar.buttons.remove": N_("Delete drawings"),
    "edit.toolbar.buttons.removeDisabled": N_("No drawings to delete"),
    "edit.handlers.remove.tooltip.text": N_("Click a drawing to delete it."),
}


#: Titles of Leaflet's zoom buttons.
ZOOM_TEXTS = {"in": N_("Zoom in"), "out": N_("Zoom out")}


class MapTexts(MacroElement):
    """Leaflet's own texts in the page's language: the zoom buttons' titles and the drawing tools' buttons and
    hints (added before the drawing tools, which read them when they are created).

    leaflet-draw shows some of these texts as HTML: they are escaped here.
    """

    _template = Template("""
{% macro script(this, kwargs) %}
(function() {
  var map = {{ this._parent.get_name() }}, zoom = {{ this.zoom }};
  if (map.zoomControl) {
    var zin = map.zoomControl._zoomInButton, zout = map.zoomControl._zoomOutButton;
    if (zin) { zin.title = zoom["in"]; zin.setAttribute("aria-label", zoom["in"]); }
    if (zout) { zout.title = zoom["out"]; zout.setAttribute("aria-label", zoom["out"]); }
  }
  if (typeof L.drawLocal === "undefined") return;
  var texts = {{ this.texts }};
  Object.keys(texts).forEach(function(path) {
    var keys = path.split("."), node = L.drawLocal;
    for (var i = 0; i < keys.length - 1; i++) { node = node[keys[i]] = node[keys[i]] || {}; }
    node[keys[keys.length - 1]] = texts[path];
  });
})();
{% endmacro %}
""")

    def __init__(self, lang: str) -> None:
        from html import escape

        super().__init__()
        self._name = "MapTexts"
        _ = translator(lang)
        self.zoom = _safe_json({k: _(v) for k, v in ZOOM_TEXTS.items()})
        self.texts = _safe_json({path: escape(_(text)) for path, text in DRAW_TEXTS.items()})


class ZoomToggle(MacroElement):
    """Show a layer only at or above a zoom level (site outlines at close zoom)."""

    _template = Template("""
{% macro script(this, kwargs) %}
(function() {
  var map = {{ this._parent.get_name() }}, layer = {{ this.layer.get_name() }};
  function sync() { if (map.getZoom() >= {{ this.min_zoom }}) { if (!map.hasLayer(layer)) map.addLayer(layer); }
                    else if (map.hasLayer(layer)) map.removeLayer(layer); }
  map.on("zoomend", sync); sync();
})();
{% endmacro %}
""")

    def __init__(self, layer, min_zoom: int) -> None:
        super().__init__()
        self.layer = layer
        self.min_zoom = min_zoom


#: Simplification tolerance (degrees) of reference layers drawn on the search map:
#: ~100 m for municipalities keeps the map payload small without visible loss at the zooms they are shown.
#: Imported ZIS areas too (~50 m): an import may hold a million vertices, which sent whole were 19 MB a run.
SIMPLIFY = {"municipalities": 0.001, "provinces": 0.002, "zls_municipalities": 0.0005, "motorways": 0.0005,
            "railways": 0.0005, "zis_areas": 0.0005}
#: Property shown as the tooltip of each reference layer.
TOOLTIP = {"provinces": "province_name", "municipalities": "name", "zls_municipalities": "name",
           "zis_areas": "name", "site_outlines": "site_id", "motorways": "name", "railways": None}


#: Line layers whose pieces are joined before simplifying: Regione Lombardia's railways are 4,820 segments of
#: ~2 vertices each, which no tolerance simplifies (203 kB on every run of the find page); joined end to end they
#: are 308 lines, and simplified like the others 33 kB.
MERGE_LINES = ("motorways", "railways")


def for_map(name: str, gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """A reference layer simplified for the browser (see :data:`SIMPLIFY`, :data:`MERGE_LINES`)."""
    tol = SIMPLIFY.get(name)
    if not tol or len(gdf) == 0:
        return gdf
    out = gdf.copy()
    geoms = out.geometry.to_numpy()
    if name in MERGE_LINES:
        lines = shapely.get_type_id(geoms) == 5  # MultiLineString
        geoms = np.where(lines, shapely.line_merge(geoms), geoms)
    out["geometry"] = shapely.simplify(geoms, tol, preserve_topology=True)
    return out


def layer_json(name: str, gdf: gpd.GeoDataFrame, tooltip: str | None = "") -> str:
    """A reference layer as compact, script-safe GeoJSON text: simplified, 5 decimals, one ``tip`` property.

    This is the cacheable form of a layer (a string cannot be changed by whoever uses it).
    """
    tip = TOOLTIP.get(name) if tooltip == "" else tooltip
    feats = []
    if len(gdf):
        g = for_map(name, gdf).to_crs(4326)
        geoms = shapely.set_precision(g.geometry.to_numpy(), 1e-5)
        tips = g[tip].astype(object).where(g[tip].notna(), None).tolist() if tip and tip in g else [None] * len(g)
        for geom, tp in zip(geoms, tips):
            if geom is None or geom.is_empty:
                continue
            feats.append({"type": "Feature", "properties": {"tip": None if tp is None else str(tp)},
                          "geometry": shapely.geometry.mapping(geom)})
    return _safe_json({"type": "FeatureCollection", "features": feats})


def site_payload(sites: pd.DataFrame, lang: str) -> dict[str, list]:
    """Columnar arrays for :class:`SiteLayer` (ids, coordinates, verdict code, demo, title)."""
    if "verdict" in sites:
        codes = sites["verdict"].map({c: i for i, c in enumerate(VERDICT_CODES)}).fillna(4).astype(int)
    else:
        codes = pd.Series(4, index=sites.index)
    titles = [map_title(r, lang) for r in sites[[c for c in ("title_it", "title_en") if c in sites]]
              .to_dict("records")] if len(sites) else []
    return {
        "id": sites["site_id"].astype(str).tolist(),
        "lat": np.round(sites.geometry.y.to_numpy(), 5).tolist(),
        "lon": np.round(sites.geometry.x.to_numpy(), 5).tolist(),
        "v": codes.tolist(),
        "demo": sites["is_demo"].fillna(False).astype(bool).astype(int).tolist() if "is_demo" in sites else
        [0] * len(sites),
        "title": titles,
        "st": (sites["status"].map(lambda v: STATUS_CODES.index(v) if v in STATUS_CODES else len(STATUS_CODES) - 1)
               .astype(int).tolist() if "status" in sites else [0] * len(sites)),
    }


def map_title(record: dict, lang: str, limit: int = 80) -> str:
    """A site's title for a tooltip in ``lang``, with "(Italian only)" when it is in the other language."""
    c = content(record, "title", lang)
    if c is None:
        return ""
    return c.noted(limit)


def _text(layer: str | gpd.GeoDataFrame | None, name: str) -> str | None:
    """GeoJSON text of a layer given either as text (cached) or as a frame."""
    if layer is None:
        return None
    if isinstance(layer, str):
        return layer
    return layer_json(name, layer) if len(layer) else None


def _empty(text: str | None) -> bool:
    return text is None or '"features":[]' in text[:60]


def circle_bounds(lat: float, lon: float, radius_km: float) -> list[list[float]]:
    """[[south, west], [north, east]] of a circle (for fitting the map to a radius search)."""
    dlat = radius_km / 111.2
    dlon = radius_km / (111.2 * max(math.cos(math.radians(lat)), 0.1))
    return [[lat - dlat, lon - dlon], [lat + dlat, lon + dlon]]


def fit_bounds(sites: gpd.GeoDataFrame, circle: tuple[float, float, float] | None = None,
               area=None) -> list[list[float]]:
    """Where the map should look: the search circle, else the drawn area, else the results, else Lombardy."""
    if circle is not None:
        return circle_bounds(*circle)
    if area is not None and not area.is_empty:
        w, s, e, n = area.bounds
        return [[s, w], [n, e]]
    if len(sites):
        x, y = sites.geometry.x.to_numpy(), sites.geometry.y.to_numpy()
        s, w, n, e = float(np.nanmin(y)), float(np.nanmin(x)), float(np.nanmax(y)), float(np.nanmax(x))
        pad = 0.01  # one site alone: a little room around it
        return [[s - pad, w - pad], [n + pad, e + pad]]
    return [list(LOMBARDY_BOUNDS[0]), list(LOMBARDY_BOUNDS[1])]


def zls_json(zls: gpd.GeoDataFrame) -> tuple[str, str]:
    """Layer ``zls_municipalities`` as two :func:`layer_json` texts: outside and inside the aid map (the cacheable
    form of the layer; computed on every run it cost ~40 ms)."""
    aid = zls["aid_area"].astype(bool)
    return layer_json("zls_municipalities", zls[~aid]), layer_json("zls_municipalities", zls[aid])


def infra_json(infrastructure: gpd.GeoDataFrame) -> dict[str, str]:
    """:func:`points_json` of each kind of layer ``infrastructure`` (the cacheable form of the layer)."""
    if infrastructure is None or len(infrastructure) == 0:
        return {}
    return {str(k): points_json(g) for k, g in infrastructure.groupby("kind", sort=False)}


def build_map(sites: gpd.GeoDataFrame, lang: str = "en", *,
              outlines: str | gpd.GeoDataFrame | None = None,
              zls: gpd.GeoDataFrame | tuple[str, str] | None = None, zis: str | gpd.GeoDataFrame | None = None,
              municipalities: str | gpd.GeoDataFrame | None = None,
              provinces: str | gpd.GeoDataFrame | None = None,
              motorways: str | gpd.GeoDataFrame | None = None, railways: str | gpd.GeoDataFrame | None = None,
              infrastructure: gpd.GeoDataFrame | dict[str, str] | None = None,
              center: tuple[float, float] | None = None,
              zoom: int = 8, draw: bool = True, search_area=None,
              search_circle: tuple[float, float, float] | None = None, fit: bool = True,
              highlight: list[str] | None = None, actors: gpd.GeoDataFrame | str | None = None) -> folium.Map:
    """The Find-sites map: basemaps, reference layers, the search area, clustered sites, drawing tools.

    Reference layers may be given as frames or as :func:`layer_json` text (the cached form; ZLS as the pair of
    :func:`zls_json`); infrastructure as
    a frame or :func:`infra_json`, actors as a frame or :func:`points_json` (at most :data:`MAP_POINTS_MAX`
    markers per layer either way).
    ``search_circle`` is ``(lat, lon, radius_km)`` of a place or point search, drawn as a circle;
    ``search_area`` a shapely geometry (drawn polygon). With ``fit`` the map opens on the circle,
    else the area, else the results. ``highlight``: site ids ringed on the map (rows selected in the table).
    """
    m = folium.Map(location=center or LOMBARDY_CENTER, zoom_start=zoom, tiles=None, control_scale=True,
                   prefer_canvas=True)
    _ = translator(lang)
    folium.TileLayer(OSM, name=word("basemap_osm", lang), attr="© OpenStreetMap contributors", max_zoom=19).add_to(m)
    folium.TileLayer(ESRI, name=word("basemap_sat", lang), attr="Imagery © Esri, Maxar, Earthstar Geographics",
                     max_zoom=19, show=False).add_to(m)
    # Without tiles (offline, or a tile server down) the provinces and main lines still say where you are.
    for text, label, style, tip, show in (
            (_text(municipalities, "municipalities"), word("municipalities", lang),
             {"color": "#888", "weight": 0.5, "fill": False}, True, True),
            (_text(provinces, "provinces"), word("provinces", lang),
             {"color": "#555", "weight": 1.5, "fill": False}, True, True),
            (_text(railways, "railways"), word("railways", lang),
             {"color": LINE_COLOURS["railways"], "weight": 1, "dashArray": "4 3", "opacity": 0.7}, False, True),
            (_text(motorways, "motorways"), word("motorways", lang),
             {"color": LINE_COLOURS["motorways"], "weight": 2, "opacity": 0.8}, False, True)):
        if not _empty(text):
            GeoJsonText(text, label, style, tooltip=tip, show=show).add_to(m)
    if zls is not None and len(zls):
        plain, aided = zls if isinstance(zls, tuple) else zls_json(zls)
        GeoJsonText(plain, word("zls", lang),
                    {"color": ZONE_COLOURS["zls"], "weight": 1, "fillOpacity": 0.12}, tooltip=True).add_to(m)
        GeoJsonText(aided, word("zls_aid", lang),
                    {"color": ZONE_COLOURS["zls_aid"], "weight": 1.5, "fillOpacity": 0.22}, tooltip=True).add_to(m)
    zis_text = _text(zis, "zis_areas")
    if not _empty(zis_text):
        GeoJsonText(zis_text, word("zis", lang), {"color": ZONE_COLOURS["zis"], "weight": 2, "dashArray": "6",
                                                    "fillOpacity": 0.15}, tooltip=True).add_to(m)
    if infrastructure is not None and len(infrastructure):
        texts = infrastructure if isinstance(infrastructure, dict) else infra_json(infrastructure)
        groups = (("airport", "airports", 5), ("motorway_junction", "exits", 4),
                  ("rail_station", "stations", 3), ("rail_freight_terminal", "other_infra", 4),
                  ("port", "other_infra", 4))
        for kind, key, radius in groups:
            if texts.get(kind):
                label = word(key, lang) + (f" ({_(OTHER_INFRA_LABELS[kind])})" if kind in OTHER_INFRA_LABELS else "")
                PointsLayer(texts[kind], label, INFRA_COLOURS[kind], radius=radius, show=False,
                            lang=lang).add_to(m)
    if actors is not None and len(actors):
        PointsLayer(actors, word("actors", lang), "#00838f", radius=6, show=False, lang=lang).add_to(m)
    outline_text = _text(outlines, "site_outlines")
    if not _empty(outline_text):
        ol = GeoJsonText(outline_text, word("outlines", lang),
                         {"color": "#00573f", "weight": 2, "fillOpacity": 0.2}, tooltip=True, show=True)
        ol.add_to(m)
        ZoomToggle(ol, OUTLINE_MIN_ZOOM).add_to(m)
    area_style = {"color": SEARCH_COLOUR, "weight": 2, "dashArray": "6 4", "fill": True, "fillOpacity": 0.04}
    if search_area is not None and not search_area.is_empty:
        GeoJsonText(_safe_json(shapely.geometry.mapping(search_area)), word("search_area", lang),
                    area_style, show=True).add_to(m)
    if search_circle is not None:
        lat, lon, km = search_circle
        folium.Circle([lat, lon], radius=km * 1000.0, color=SEARCH_COLOUR, weight=2, dash_array="6 4",
                      fill=True, fill_opacity=0.04, interactive=False).add_to(m)
    SiteLayer(site_payload(sites, lang), _("DEMO"), word("sites", lang), highlight=highlight,
              status_labels=[state_label(c, lang) for c in STATUS_CODES[:-1]] + [_("other status")]).add_to(m)
    MapTexts(lang).add_to(m)
    if draw:
        Draw(export=False, draw_options={"polyline": False, "circle": True, "circlemarker": False,
                                         "marker": True, "polygon": True, "rectangle": True},
             edit_options={"edit": False}).add_to(m)
    if fit:
        m.fit_bounds(fit_bounds(sites, search_circle, search_area))
    folium.LayerControl(collapsed=True).add_to(m)
    localise(m)
    return m
