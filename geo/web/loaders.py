"""Cached loaders, keyed by catalogue path and modification time.

A write swaps the file (new mtime), so every page sees the new catalogue on
its next run without any explicit invalidation.
"""

from __future__ import annotations

import os
from pathlib import Path

import streamlit as st

from geo.catalogue import open_catalogue


def catalogue_path() -> Path:
    return Path(os.environ.get("GEO_CATALOGUE", "data/catalogue.gpkg"))


def _stamp() -> tuple[str, float]:
    p = catalogue_path()
    return str(p), (p.stat().st_mtime_ns if p.exists() else 0)


@st.cache_resource(max_entries=2, show_spinner=False)
def _open(path: str, mtime: float):
    return open_catalogue(path)


def get_catalogue():
    """The catalogue, reopened when the file changed."""
    return _open(*_stamp())


@st.cache_resource(max_entries=16, show_spinner=False)
def _layer(path: str, mtime: float, name: str, for_map: bool):
    from geo.web.mapview import for_map as simplify

    gdf = _open(path, mtime).layer(name)
    return simplify(name, gdf) if for_map else gdf


def get_layer(name: str, for_map: bool = False):
    """A catalogue layer; ``for_map`` simplifies it for the browser."""
    return _layer(*_stamp(), name, for_map)


@st.cache_resource(max_entries=2, show_spinner=False)
def _sites(path: str, mtime: float):
    return _open(path, mtime).sites(statuses=None)


def get_all_sites():
    """Every listing (callers filter by role through geo.search)."""
    return _sites(*_stamp())
