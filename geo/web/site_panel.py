"""The site panel: a listing's sheet with its location map, and the interactive map beside it.

One component for every page that shows a listing in full: the investor sheet, the owner's
preview (before submission: the same panel investors will see once it is published) and the
staff review. :func:`panel_html` is pure (record and reference layers in, HTML out); the
``show_*`` functions draw it with the catalogue's cached layers.
"""

from __future__ import annotations

from typing import Any, Mapping

import folium
import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from geo.render import render_sheet_html
from geo.render.location import LocationContext, location_context
from geo.web.assets import localise
from geo.web.loaders import get_layer
from geo.web.map_data import location_layers
from geo.web.mapview import MapTexts


def site_location(record: Mapping[str, Any], municipalities: pd.DataFrame,
                  layers: Mapping[str, Any]) -> LocationContext | None:
    """Where the site is, for the sheet's offline location map (None without a position).

    ``layers``: provinces, motorways, railways and infrastructure in EPSG:32632
    (:func:`geo.render.location.metric_layers`).
    """
    mine = municipalities[municipalities["istat"] == record.get("municipality_istat")] if len(municipalities) \
        else municipalities
    return location_context(dict(record), municipalities=mine, **layers)


def panel_html(record: Mapping[str, Any], lang: str, location: LocationContext | None, *,
               staff: bool = False) -> str:
    """The panel's sheet: every field with its provenance, zone notes and the location map."""
    return render_sheet_html(dict(record), lang, staff=staff, standalone=False, location=location)


def cached_location(record: Mapping[str, Any]) -> LocationContext | None:
    """:func:`site_location` on the catalogue's cached layers."""
    return site_location(record, get_layer("municipalities"), location_layers())


def show_sheet(record: Mapping[str, Any], lang: str, *, staff: bool = False,
               location: LocationContext | None = None) -> LocationContext | None:
    """Draw the panel's sheet; returns the location context it used (for the exports beside it)."""
    location = location if location is not None else cached_location(record)
    st.html(panel_html(record, lang, location, staff=staff))
    return location


def site_map(record: Mapping[str, Any], lang: str, municipality: Any = None, *, zoom: int = 14) -> folium.Map | None:
    """The interactive map of a site: its municipality, its outline and its point (None without a position).

    A site with an outline (type B) is framed on the outline and drawn as that polygon, its point a small
    dot inside: at a fixed zoom a plot of a few hectares read as a dot under the marker (issue 18).
    """
    if record.get("lat") is None or record.get("lon") is None:
        return None
    m = folium.Map(location=[record["lat"], record["lon"]], zoom_start=zoom, tiles="OpenStreetMap",
                   prefer_canvas=True)
    if municipality is not None:
        folium.GeoJson(municipality.__geo_interface__,
                       style_function=lambda _f: {"color": "#555", "weight": 1, "fill": False}).add_to(m)
    outline = record.get("outline")
    if outline is not None:
        folium.GeoJson(outline.__geo_interface__, name="outline",
                       style_function=lambda _f: {"color": "#00573f", "weight": 3, "fillColor": "#00573f",
                                                  "fillOpacity": 0.25}).add_to(m)
        w, s_, e, n = outline.bounds
        m.fit_bounds([[s_, w], [n, e]], padding=(30, 30), max_zoom=18)
        folium.CircleMarker([record["lat"], record["lon"]], radius=3, color="#c62828", fill=True).add_to(m)
    else:
        folium.CircleMarker([record["lat"], record["lon"]], radius=8, color="#c62828", fill=True).add_to(m)
    MapTexts(lang).add_to(m)
    localise(m)
    return m


def show_map(record: Mapping[str, Any], lang: str, *, key: str, height: int = 360, zoom: int = 14) -> None:
    """Draw :func:`site_map` with the catalogue's cached municipality."""
    mun = get_layer("municipalities")
    geom = mun.loc[mun["istat"] == record.get("municipality_istat"), "geometry"] if len(mun) else []
    m = site_map(record, lang, geom.iloc[0] if len(geom) else None, zoom=zoom)
    if m is not None:
        st_folium(m, key=key, height=height, width="stretch", returned_objects=[])
