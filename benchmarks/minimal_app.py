"""The smallest streamlit-folium app over the same sites: the baseline of ``benchmarks/bench_browser.py``.

One folium map with a circle marker per site of the catalogue (``$GEO_CATALOGUE``, read once per process),
no sidebar, no reference layer, no table, nothing else; Leaflet served locally like the app's map
(``geo.web.assets.localise``), so it loads offline. When its markers are on the map it sets
``data-site-count`` on its frame's body, as the find page's map does.

    .venv/bin/streamlit run benchmarks/minimal_app.py      # from the repository root (static serving)
"""

import folium
import streamlit as st
from branca.element import MacroElement
from jinja2 import Template
from streamlit_folium import st_folium

from geo.catalogue import catalogue_target, open_catalogue
from geo.web.assets import localise


@st.cache_data(show_spinner=False)
def points(target: str) -> list[tuple[float, float, str]]:
    sites = open_catalogue(target).sites(statuses=None)  # the 320 a staff member sees
    return list(zip(sites.geometry.y.round(5), sites.geometry.x.round(5), sites["site_id"]))


pts = points(catalogue_target())
m = folium.Map(location=(45.62, 9.75), zoom_start=8, tiles=None)
for lat, lon, sid in pts:
    folium.CircleMarker([lat, lon], radius=7, tooltip=sid).add_to(m)
flag = MacroElement()  # after the markers in the map's script
flag._template = Template("{% macro script(this, kwargs) %}document.body.setAttribute('data-site-count', '"
                          + str(len(pts)) + "');{% endmacro %}")
flag.add_to(m)
localise(m)
st_folium(m, height=560, width="stretch")
