"""Map data cached across runs and visitors: GeoJSON *text* of reference layers and site outlines.

Only immutable values are cached here (strings, tuples of strings): a folium
map is built fresh on every run from them (see :mod:`geo.web.mapview`), so no
visitor can receive an object another visitor's render has changed.
Keys are the catalogue's location and revision, like :mod:`geo.web.loaders`.
"""

from __future__ import annotations

import json

import streamlit as st

from geo.web.loaders import Stamp, catalogue_handle, revision_stamp
from geo.web.mapview import infra_json, layer_json, points_json, zls_json

@st.cache_data(max_entries=16, show_spinner=False)
def _layer_text(path: str, revision: str, name: str) -> str:
    return layer_json(name, catalogue_handle(path).layer(name))


def layer_text(name: str, stamp: Stamp | None = None) -> str:
    """A reference layer as GeoJSON text for the map (simplified, one tooltip property).

    ``stamp``: the catalogue's ``(location, revision)`` read once per run (each read is a query)."""
    return _layer_text(*(stamp or revision_stamp()), name)


@st.cache_data(max_entries=2, show_spinner=False)
def _zls_texts(path: str, revision: str) -> tuple[str, str]:
    return zls_json(catalogue_handle(path).layer("zls_municipalities"))


def zls_texts(stamp: Stamp | None = None) -> tuple[str, str]:
    """Layer ``zls_municipalities`` for the map: GeoJSON text outside and inside the aid map (see
    :func:`~geo.web.mapview.zls_json`)."""
    return _zls_texts(*(stamp or revision_stamp()))


@st.cache_data(max_entries=2, show_spinner=False)
def _outline_features(path: str, revision: str) -> dict[str, str]:
    ol = catalogue_handle(path).outlines()
    if len(ol) == 0:
        return {}
    text = json.loads(layer_json("site_outlines", ol))
    return {f["properties"]["tip"]: json.dumps(f, separators=(",", ":"), ensure_ascii=False).replace("</", "<\\/")
            for f in text["features"]}


def outlines_text(site_ids, stamp: Stamp | None = None) -> str:
    """GeoJSON text of the outlines of ``site_ids`` (those that have one)."""
    feats = _outline_features(*(stamp or revision_stamp()))
    parts = [feats[s] for s in site_ids if s in feats]
    return '{"type":"FeatureCollection","features":[' + ",".join(parts) + "]}"


@st.cache_resource(max_entries=2, show_spinner=False)
def _location_layers(path: str, revision: str) -> dict:
    from geo.render.location import metric_layers
    from geo.web.mapview import for_map

    cat = catalogue_handle(path)
    return metric_layers(provinces=for_map("provinces", cat.layer("provinces")), motorways=cat.layer("motorways"),
                         railways=cat.layer("railways"), infrastructure=cat.layer("infrastructure"))


def location_layers(stamp: Stamp | None = None) -> dict:
    """Reference layers for the location map, in EPSG:32632, shared read-only (never changed by callers)."""
    return _location_layers(*(stamp or revision_stamp()))


@st.cache_data(max_entries=4, show_spinner=False)
def _points_text(path: str, revision: str, name: str) -> dict[str, str]:
    gdf = catalogue_handle(path).layer(name)
    if name == "infrastructure":
        return infra_json(gdf)
    return {"": points_json(gdf)} if len(gdf) else {}


def infrastructure_text(stamp: Stamp | None = None) -> dict[str, str]:
    """Layer ``infrastructure`` for the map: kind -> :func:`~geo.web.mapview.points_json` text, computed once
    per catalogue revision (at most ``MAP_POINTS_MAX`` markers per kind, however large the layer)."""
    return _points_text(*(stamp or revision_stamp()), "infrastructure")


def actors_text(stamp: Stamp | None = None) -> str | None:
    """Layer ``innovation_actors`` for the map as :func:`~geo.web.mapview.points_json` text (None when empty)."""
    return _points_text(*(stamp or revision_stamp()), "innovation_actors").get("")
