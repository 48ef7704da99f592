"""Cached loaders, keyed by the catalogue's location and revision.

Every committed action changes the catalogue's revision, which a page reads once per run
(:func:`revision_stamp`, one small query), so every page sees the new catalogue on its next run without any
explicit invalidation, on a GeoPackage as on PostGIS, and in every app process serving the same catalogue
(each process reads the revision from the catalogue itself, not from its memory). Only data is cached here,
never a widget or a map object (those are built per run, per visitor).
"""

from __future__ import annotations

from typing import NamedTuple

import streamlit as st

from geo.catalogue import catalogue_target, open_catalogue
from geo.search import SearchIndex


class Stamp(NamedTuple):
    """Where the catalogue is and the revision of its last committed action: the key of every cache here."""

    target: str
    revision: str


def catalogue_path() -> str:
    """The catalogue's location: a GeoPackage path or a ``postgresql://`` URL (``$GEO_CATALOGUE``)."""
    return catalogue_target()


@st.cache_resource(max_entries=4, show_spinner=False)
def catalogue_handle(target: str):
    """The open catalogue at ``target``, one per process: it reads the committed state on every call, so it is
    shared whatever the revision (what is kept per revision is the data read through it, below)."""
    return open_catalogue(target)


def revision_stamp() -> Stamp:
    """The catalogue's :class:`Stamp`, read now (one query): read it once per page run and pass it on."""
    target = catalogue_path()
    return Stamp(target, catalogue_handle(target).revision())


def get_catalogue():
    """The catalogue (its cached data is keyed by the revision of the last committed action)."""
    return catalogue_handle(catalogue_path())


@st.cache_resource(max_entries=16, show_spinner=False)
def cached_layer(target: str, revision: str, name: str, for_map: bool):
    """Layer ``name`` as of ``revision`` (``for_map``: simplified for the browser); shared, never changed."""
    from geo.web.mapview import for_map as simplify

    gdf = catalogue_handle(target).layer(name)
    return simplify(name, gdf) if for_map else gdf


def get_layer(name: str, for_map: bool = False, stamp: Stamp | None = None):
    """A catalogue layer; ``for_map`` simplifies it for the browser."""
    return cached_layer(*(stamp or revision_stamp()), name, for_map)


@st.cache_resource(max_entries=2, show_spinner=False)
def cached_sites(target: str, revision: str):
    """Every listing as of ``revision``, whatever its status (callers filter by role through geo.search)."""
    return catalogue_handle(target).sites(statuses=None)


def get_all_sites(stamp: Stamp | None = None):
    """Every listing (callers filter by role through geo.search)."""
    return cached_sites(*(stamp or revision_stamp()))


@st.cache_resource(max_entries=2, show_spinner=False)
def cached_index(target: str, revision: str) -> SearchIndex:
    """The search index of every listing as of ``revision`` (read-only: ``search()`` never changes it), with the
    catalogue's road graph for "within N minutes by truck of a point" (geo/routing)."""
    from geo.routing.drive import catalogue_graph

    index = SearchIndex.from_sites(cached_sites(target, revision))
    index.graph = catalogue_graph(catalogue_handle(target))
    return index


def get_index(stamp: Stamp | None = None) -> SearchIndex:
    """The search index of the catalogue's listings, built once per revision and process."""
    return cached_index(*(stamp or revision_stamp()))


@st.cache_data(max_entries=32, show_spinner=False)
def cached_records(target: str, revision: str, ids: tuple[str, ...], role) -> list:
    """``records(ids, role=role)`` as of ``revision`` (a copy for each caller: records are dicts)."""
    return catalogue_handle(target).records(list(ids), role=role)


def get_records(ids, role, stamp: Stamp | None = None) -> list:
    """The listings ``ids`` as ``role`` may see them, in that order (None where absent or invisible), read once
    per revision: a page that shows the same listings on every rerun does not read them again."""
    return cached_records(*(stamp or revision_stamp()), tuple(ids), role)
