"""Map data cached across runs and visitors: GeoJSON *text* of reference layers and site outlines.

Only immutable values are cached here (strings, tuples of strings): a folium
map is built fresh on every run from them (see :mod:`geo.web.mapview`), so no
visitor can receive an object another visitor's render has changed.
Keys are the catalogue path and modification time, like :mod:`geo.web.loaders`.
"""

from __future__ import annotations

import json

import streamlit as st

from geo.web.loaders import _open, _stamp
from geo.web.mapview import layer_json

REFERENCE = ("provinces", "municipalities", "zis_areas", "motorways", "railways")


@st.cache_data(max_entries=16, show_spinner=False)
def _layer_text(path: str, mtime: float, name: str) -> str:
    return layer_json(name, _open(path, mtime).layer(name))


def layer_text(name: str) -> str:
    """A reference layer as GeoJSON text for the map (simplified, one tooltip property)."""
    return _layer_text(*_stamp(), name)


@st.cache_data(max_entries=2, show_spinner=False)
def _outline_features(path: str, mtime: float) -> dict[str, str]:
    ol = _open(path, mtime).outlines()
    if len(ol) == 0:
        return {}
    text = json.loads(layer_json("site_outlines", ol))
    return {f["properties"]["tip"]: json.dumps(f, separators=(",", ":"), ensure_ascii=False).replace("</", "<\\/")
            for f in text["features"]}


def outlines_text(site_ids) -> str:
    """GeoJSON text of the outlines of ``site_ids`` (those that have one)."""
    feats = _outline_features(*_stamp())
    parts = [feats[s] for s in site_ids if s in feats]
    return '{"type":"FeatureCollection","features":[' + ",".join(parts) + "]}"
