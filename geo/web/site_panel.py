"""The site panel: a listing's sheet with its location map, and the interactive map beside it.

One component for every page that shows a listing in full: the investor sheet, the owner's
preview (before submission: the same panel investors will see once it is published) and the
staff review. :func:`panel_html` is pure (record and reference layers in, HTML out); the
``show_*`` functions draw it with the catalogue's cached layers.
"""

from __future__ import annotations

import unicodedata
from typing import Any, Mapping, Sequence

import folium
import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from geo.render import render_sheet_html
from geo.render.location import LocationContext, location_context
from geo.render.values import BriefVerdicts, Photo
from geo.web.assets import localise
from geo.web.loaders import get_layer
from geo.web.map_data import location_layers
from geo.web.mapview import MapTexts
from geo.web.ui import map_frame


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
               staff: bool = False, verdicts: BriefVerdicts | None = None, photos: Sequence[Photo] = ()) -> str:
    """The panel's sheet: key facts, the location map, the brief's verdicts (when a brief is active), the
    photo gallery (when there are photos), zone notes and every field with its provenance."""
    return render_sheet_html(dict(record), lang, staff=staff, standalone=False, location=location,
                             verdicts=verdicts, photos=photos)


def cached_location(record: Mapping[str, Any]) -> LocationContext | None:
    """:func:`site_location` on the catalogue's cached layers."""
    return site_location(record, get_layer("municipalities"), location_layers())


def show_sheet(record: Mapping[str, Any], lang: str, *, staff: bool = False,
               location: LocationContext | None = None, verdicts: BriefVerdicts | None = None,
               photos: Sequence[Photo] = ()) -> LocationContext | None:
    """Draw the panel's sheet; returns the location context it used (for the exports beside it).

    ``photos``: the site's gallery (thumbnails as :class:`~geo.render.values.Photo`), shown when not empty.
    """
    location = location if location is not None else cached_location(record)
    st.html(panel_html(record, lang, location, staff=staff, verdicts=verdicts, photos=photos))
    return location


def _folded(text: Any) -> str:
    """Lower case without accents ("Cantù" -> "cantu"): what a person types matches what is stored."""
    text = unicodedata.normalize("NFKD", str(text or "")).casefold()
    return "".join(c for c in text if not unicodedata.combining(c))


def site_matches(sites: pd.DataFrame, text: str, limit: int = 50) -> list[str]:
    """Site ids whose id, title (either language) or town holds every word of ``text`` (accents and case
    ignored), best first: the id itself, then ids, towns and titles that start with it, then the rest.

    >>> df = pd.DataFrame({"site_id": ["S-1", "S-2"], "title_it": ["Capannone a Cantù", None],
    ...                    "title_en": [None, "Warehouse"], "municipality_name": ["Cantù", "Milano"]})
    >>> site_matches(df, "cantu"), site_matches(df, "s-2"), site_matches(df, "ware mil"), site_matches(df, "")
    (['S-1'], ['S-2'], ['S-2'], [])
    """
    words = _folded(text).split()
    if not words or not len(sites):
        return []
    cols = [c for c in ("site_id", "municipality_name", "title_it", "title_en") if c in sites]
    hay = {c: sites[c].map(_folded) for c in cols}
    joined = hay[cols[0]]
    for c in cols[1:]:
        joined = joined + " " + hay[c]
    hit = joined.map(lambda h: all(w in h for w in words))
    q = " ".join(words)
    rank = pd.Series(3, index=sites.index)
    for c in ("title_en", "title_it", "municipality_name"):
        if c in hay:
            rank = rank.where(~hay[c].str.startswith(q), 2)
    rank = rank.where(~hay["site_id"].str.startswith(q), 1).where(hay["site_id"] != q, 0)
    order = sites.assign(_r=rank)[hit].sort_values(["_r", "site_id"], kind="stable")
    return order["site_id"].head(limit).tolist()


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
        with map_frame(key, height):
            st_folium(m, key=key, height=height, width="stretch", returned_objects=[])
