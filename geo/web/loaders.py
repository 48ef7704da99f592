"""Cached loaders, keyed by the catalogue's location and revision.

Every committed action changes the catalogue's revision (one small read per
page run), so every page sees the new catalogue on its next run without any
explicit invalidation, on a GeoPackage as on PostGIS. Only data is cached here,
never a widget or a map object (those are built per run, per visitor).
"""

from __future__ import annotations


import streamlit as st

from geo.catalogue import catalogue_target, open_catalogue


def catalogue_path() -> str:
    """The catalogue's location: a GeoPackage path or a ``postgresql://`` URL (``$GEO_CATALOGUE``)."""
    return catalogue_target()


@st.cache_resource(max_entries=4, show_spinner=False)
def _handle(target: str):
    return open_catalogue(target)


def _stamp() -> tuple[str, str]:
    target = catalogue_path()
    return target, _handle(target).revision()


@st.cache_resource(max_entries=2, show_spinner=False)
def _open(path: str, revision: str):
    return _handle(path)


def get_catalogue():
    """The catalogue (its cached data is keyed by the revision of the last committed action)."""
    return _open(*_stamp())


@st.cache_resource(max_entries=16, show_spinner=False)
def _layer(path: str, revision: str, name: str, for_map: bool):
    from geo.web.mapview import for_map as simplify

    gdf = _open(path, revision).layer(name)
    return simplify(name, gdf) if for_map else gdf


def get_layer(name: str, for_map: bool = False):
    """A catalogue layer; ``for_map`` simplifies it for the browser."""
    return _layer(*_stamp(), name, for_map)


@st.cache_resource(max_entries=2, show_spinner=False)
def _sites(path: str, revision: str):
    return _open(path, revision).sites(statuses=None)


def get_all_sites():
    """Every listing (callers filter by role through geo.search)."""
    return _sites(*_stamp())
