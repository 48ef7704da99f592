"""The search map as a folium object (plain Python, no Streamlit).

Sites are sent as one compact JSON array and turned into clustered circle
markers in the browser (like folium's FastMarkerCluster), so 10k results stay
well under the payload and interactivity targets; individual
``folium.Marker`` objects would cost ~1 kB each and seconds to build.
Owner text reaches the page only as JSON data and is put into tooltips with
``textContent``, never parsed as HTML.
"""

from __future__ import annotations

import json
from typing import Any

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
from branca.element import MacroElement
from folium.elements import JSCSSMixin
from folium.plugins import Draw, MarkerCluster
from jinja2 import Template

from geo.i18n import t
from geo.web.assets import localise

VERDICT_COLOURS = {"PASS": "#2e7d32", "CONDITIONAL": "#f9a825", "FAIL": "#c62828", "UNKNOWN": "#757575",
                   None: "#1565c0"}
ZONE_COLOURS = {"zls": "#0277bd", "zls_aid": "#6a1b9a", "zis": "#ef6c00"}
VERDICT_CODES = ["PASS", "CONDITIONAL", "FAIL", "UNKNOWN", None]
OSM = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
ESRI = "https://server.arcgisonline.com/ArcGIS/rest/services/World_Imagery/MapServer/tile/{z}/{y}/{x}"
LOMBARDY_CENTER = (45.62, 9.75)
OUTLINE_MIN_ZOOM = 13


def _safe_json(obj: Any) -> str:
    """JSON that can sit inside a <script> element."""
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False).replace("</", "<\\/").replace(
        "<!--", "<\\!--").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def legend_html(lang: str, with_brief: bool) -> str:
    """What the colours on the map mean (sites by verdict, zones), as a small HTML strip."""
    from html import escape

    def dot(colour: str, label: str, square: bool = False) -> str:
        shape = "border-radius:2px" if square else "border-radius:50%"
        return (f'<span style="display:inline-flex;align-items:center;margin-right:1rem">'
                f'<span style="width:.8rem;height:.8rem;{shape};background:{colour};margin-right:.3rem;'
                f'display:inline-block"></span>{escape(label)}</span>')

    sites = ([dot(VERDICT_COLOURS[v], t(v, lang)) for v in ("PASS", "CONDITIONAL", "FAIL", "UNKNOWN")]
             if with_brief else [dot(VERDICT_COLOURS[None], t("legend_site", lang))])
    zones = [dot(ZONE_COLOURS[k], t(f"layer_{k}", lang), True) for k in ("zls", "zls_aid", "zis")]
    return f'<div style="font-size:.85rem;line-height:1.8">{"".join(sites + zones)}</div>'


class SiteLayer(JSCSSMixin, MacroElement):
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
    var m = L.circleMarker([d.lat[i], d.lon[i]], {radius: 7, weight: d.demo[i] ? 2 : 1,
        color: d.demo[i] ? "#000" : "#fff", dashArray: d.demo[i] ? "3" : null,
        fillColor: colours[d.v[i]], fillOpacity: 0.9});
    var tip = document.createElement("div");
    var b = document.createElement("b"); b.textContent = d.id[i]; tip.appendChild(b);
    if (d.demo[i]) { var s = document.createElement("span"); s.textContent = " " + demoLabel;
      s.style.color = "#c62828"; s.style.fontWeight = "bold"; tip.appendChild(s); }
    tip.appendChild(document.createElement("br"));
    tip.appendChild(document.createTextNode(d.title[i]));
    m.bindTooltip(tip);
    m.options.siteId = d.id[i];
    m.options.v = d.v[i];
    markers[i] = m;
  }
  group.addLayers(markers);
  group.addTo(map);
  {{ this.get_name() }} = group;
  document.body.setAttribute("data-site-count", String(d.id.length));
  window.__geoSites = group;
})();
{% endmacro %}
""")

    def __init__(self, data: dict[str, list], demo_label: str, name: str = "sites") -> None:
        super().__init__()
        self._name = "SiteLayer"
        self.layer_name = name
        self.data = _safe_json(data)
        self.colours = _safe_json([VERDICT_COLOURS[c] for c in VERDICT_CODES])
        self.demo_label = _safe_json(demo_label)


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
SIMPLIFY = {"municipalities": 0.001, "provinces": 0.002, "zls_municipalities": 0.0005}


def for_map(name: str, gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """A reference layer simplified for the browser (see :data:`SIMPLIFY`)."""
    tol = SIMPLIFY.get(name)
    if not tol or len(gdf) == 0:
        return gdf
    out = gdf.copy()
    out["geometry"] = out.geometry.simplify(tol, preserve_topology=True)
    return out


def site_payload(sites: pd.DataFrame, lang: str) -> dict[str, list]:
    """Columnar arrays for :class:`SiteLayer` (ids, coordinates, verdict code, demo, title)."""
    if "verdict" in sites:
        codes = sites["verdict"].map({c: i for i, c in enumerate(VERDICT_CODES)}).fillna(4).astype(int)
    else:
        codes = pd.Series(4, index=sites.index)
    title_col = "title_en" if lang == "en" else "title_it"
    titles = sites[title_col].where(sites[title_col].notna(), sites["title_it"]) if title_col in sites else \
        pd.Series([""] * len(sites), index=sites.index)
    return {
        "id": sites["site_id"].astype(str).tolist(),
        "lat": np.round(sites.geometry.y.to_numpy(), 5).tolist(),
        "lon": np.round(sites.geometry.x.to_numpy(), 5).tolist(),
        "v": codes.tolist(),
        "demo": sites["is_demo"].fillna(False).astype(bool).astype(int).tolist() if "is_demo" in sites else
        [0] * len(sites),
        "title": titles.fillna("").astype(str).str.slice(0, 80).tolist(),
    }


def _geojson(gdf: gpd.GeoDataFrame, name: str, style: dict, tooltip: list[str] | None = None,
             show: bool = True, aliases: list[str] | None = None) -> folium.GeoJson:
    keep = [c for c in (tooltip or []) if c in gdf]
    data = gdf[keep + ["geometry"]] if len(gdf) else gdf
    tt = folium.GeoJsonTooltip(fields=keep, aliases=aliases or keep) if keep and len(gdf) else None
    # folium escapes GeoJsonTooltip values? Not guaranteed: escape ourselves.
    if keep and len(gdf):
        data = data.copy()
        for c in keep:
            data[c] = data[c].astype(str).map(lambda s: s.replace("&", "&amp;").replace("<", "&lt;")
                                              .replace(">", "&gt;"))
    return folium.GeoJson(data, name=name, style_function=lambda _f: style, tooltip=tt, show=show,
                          zoom_on_click=False)


def build_map(sites: gpd.GeoDataFrame, lang: str = "en", *, outlines: gpd.GeoDataFrame | None = None,
              zls: gpd.GeoDataFrame | None = None, zis: gpd.GeoDataFrame | None = None,
              municipalities: gpd.GeoDataFrame | None = None, provinces: gpd.GeoDataFrame | None = None,
              infrastructure: gpd.GeoDataFrame | None = None, center: tuple[float, float] | None = None,
              zoom: int = 8, draw: bool = True, search_area=None) -> folium.Map:
    """The Find-sites map: basemaps, toggleable reference layers, clustered sites, drawing tools."""
    m = folium.Map(location=center or LOMBARDY_CENTER, zoom_start=zoom, tiles=None, control_scale=True,
                   prefer_canvas=True)
    folium.TileLayer(OSM, name=t("basemap_osm", lang), attr="© OpenStreetMap contributors", max_zoom=19).add_to(m)
    folium.TileLayer(ESRI, name=t("basemap_sat", lang), attr="Imagery © Esri, Maxar, Earthstar Geographics",
                     max_zoom=19, show=False).add_to(m)
    if provinces is not None and len(provinces):
        _geojson(provinces, t("layer_provinces", lang), {"color": "#555", "weight": 1.5, "fill": False},
                 ["province_name"], show=False).add_to(m)
    if municipalities is not None and len(municipalities):
        _geojson(municipalities, t("layer_municipalities", lang), {"color": "#888", "weight": 0.5, "fill": False},
                 ["name"], show=False).add_to(m)
    if zls is not None and len(zls):
        aid = zls["aid_area"].astype(bool)
        _geojson(zls[~aid], t("layer_zls", lang), {"color": ZONE_COLOURS["zls"], "weight": 1, "fillOpacity": 0.12},
                 ["name"], show=True).add_to(m)
        _geojson(zls[aid], t("layer_zls_aid", lang),
                 {"color": ZONE_COLOURS["zls_aid"], "weight": 1.5, "fillOpacity": 0.22}, ["name"], show=True).add_to(m)
    if zis is not None and len(zis):
        _geojson(zis, t("layer_zis", lang), {"color": ZONE_COLOURS["zis"], "weight": 2, "dashArray": "6",
                                             "fillOpacity": 0.15}, ["name", "phase"], show=True).add_to(m)
    if infrastructure is not None and len(infrastructure):
        fg = folium.FeatureGroup(name=t("layer_infra", lang), show=False)
        sym = {"airport": "#000", "motorway_junction": "#2e7d32", "rail_station": "#5d4037",
               "rail_freight_terminal": "#4e342e", "port": "#01579b"}
        for kind, grp in infrastructure.groupby("kind"):
            for _, r in grp.iterrows():
                folium.CircleMarker([r.geometry.y, r.geometry.x], radius=3 if kind == "rail_station" else 5,
                                    color=sym.get(kind, "#333"), fill=True, fill_opacity=1,
                                    tooltip=folium.Tooltip(str(r["name"]).replace("<", "&lt;").replace(">", "&gt;"))
                                    ).add_to(fg)
        fg.add_to(m)
    if outlines is not None and len(outlines):
        ol = _geojson(outlines, t("layer_outlines", lang), {"color": "#00573f", "weight": 2, "fillOpacity": 0.2},
                      ["site_id"], show=True)
        ol.add_to(m)
        ZoomToggle(ol, OUTLINE_MIN_ZOOM).add_to(m)
    if search_area is not None:
        folium.GeoJson(search_area.__geo_interface__, name="search area",
                       style_function=lambda _f: {"color": "#1565c0", "weight": 2, "dashArray": "4",
                                                  "fill": False}).add_to(m)
    SiteLayer(site_payload(sites, lang), t("demo", lang), t("layer_sites", lang)).add_to(m)
    if draw:
        Draw(export=False, draw_options={"polyline": False, "circle": False, "circlemarker": False,
                                         "marker": True, "polygon": True, "rectangle": True},
             edit_options={"edit": False}).add_to(m)
    folium.LayerControl(collapsed=True).add_to(m)
    localise(m)
    return m
