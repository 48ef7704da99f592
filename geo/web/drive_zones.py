"""Truck drive-time zones (10/20/30 minutes) on the find page's map, and "sites within N minutes of this point".

The zones come from the catalogue's road graph (:mod:`geo.routing.isochrones`), computed once per catalogue
revision and point (``st.cache_data``; the reach itself is cached per point in the library too).
"""

from __future__ import annotations

import json

import folium
import streamlit as st

from geo.i18n import N_, translator
from geo.search import Brief, Criterion

#: How the zones were made, as the tooltip says it.
PROVENANCE = {"estimated": N_("estimated"), "computed": N_("computed")}
#: Fill colour of each band (darker = nearer).
COLOURS = {10: "#08519c", 20: "#3182bd", 30: "#9ecae1"}


@st.cache_data(max_entries=32, show_spinner=False)
def cached_zones(target: str, revision: str, lat: float, lon: float) -> str:
    """GeoJSON text of the zones from ``(lat, lon)`` on the catalogue's graph as of ``revision``."""
    from geo.routing.drive import catalogue_graph
    from geo.routing.isochrones import zones_geojson
    from geo.routing.speeds import profile
    from geo.web.loaders import catalogue_handle

    p = profile()
    return json.dumps(zones_geojson(catalogue_graph(catalogue_handle(target), p), p, lon, lat))


def add_zones(fmap: folium.Map, text: str, lang: str) -> None:
    """Draw the zones on ``fmap`` as one overlay (widest first, so nearer bands lie on top)."""
    _ = translator(lang)
    doc = json.loads(text)
    for f in doc["features"]:
        m = f["properties"]["minutes"]
        prov = _(PROVENANCE.get(f["properties"]["provenance"], N_("estimated")))
        f["properties"]["label"] = _("Within {n} min by truck ({provenance})").format(n=m, provenance=prov)
    folium.GeoJson(doc, name=_("Truck drive-time zones"),
                   style_function=lambda f: {"color": COLOURS.get(f["properties"]["minutes"], "#6baed6"),
                                             "weight": 1, "fillOpacity": 0.18},
                   tooltip=folium.GeoJsonTooltip(fields=["label"], labels=False)).add_to(fmap)


def zone_controls(fmap: folium.Map, point: tuple[float, float] | None, label: str, query, brief: Brief,
                  lang: str, stamp) -> None:
    """The zones of ``point`` (lat, lon) on ``fmap`` when asked, and a button adding the criterion
    "within N minutes by truck of this point" to the brief (saved in the link like every criterion)."""
    from geo.web.search_state import save_to_url

    _ = translator(lang)
    if point is None:
        return
    cols = st.columns([2, 1, 1])
    show = cols[0].checkbox(_("Truck drive-time zones (10, 20, 30 min) from {name}").format(name=label),
                            key="drive_zones_on")
    minutes = cols[1].number_input(_("Minutes by truck"), 1.0, 600.0, 30.0, step=5.0, key="drive_zones_min")
    if show:
        add_zones(fmap, cached_zones(*stamp, float(point[0]), float(point[1])), lang)
    if cols[2].button(_("Sites within these minutes"), key="drive_zones_filter"):
        keep = [c for c in brief.criteria if c.key != "drive_from_point_min"]
        crit = Criterion("drive_from_point_min", {"lat": float(point[0]), "lon": float(point[1]),
                                                  "min": float(minutes), "label": label[:200]}).checked()
        save_to_url(query, Brief(name=brief.name, criteria=keep + [crit]))
        st.rerun()
