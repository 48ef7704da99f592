"""Per-site truck drive times, filled at write time by :func:`geo.catalogue.records.prepare`.

For each destination kind (:data:`DRIVE_KINDS`) a site gets ``drive_<kind>_min`` (minutes to the nearest
one by truck), ``drive_<kind>_to`` (its name) and their ``__prov``: ``estimated`` on the default motorway
graph (:mod:`geo.routing.motorways`), ``computed`` on an imported road network (``geo import roads``);
``drive_method`` says how. One Dijkstra per kind and graph is kept in memory (:func:`destination_fields`),
so preparing one listing costs a nearest-neighbour query, not a shortest-path run.
"""

from __future__ import annotations

import re

from collections import OrderedDict
from typing import Any

import numpy as np
import pandas as pd

from geo.routing.graph import DEFAULT, IMPORTED, RoadGraph
from geo.routing.paths import DestinationField, attach, destination_field
from geo.routing.speeds import Profile, profile as current_profile

#: Kind in the search and the columns -> infrastructure kind of the destinations.
DRIVE_KINDS: dict[str, str] = {"motorway": "motorway_junction", "rail_station": "rail_station",
                               "rail_terminal": "rail_freight_terminal", "port": "port"}
MINUTES = {k: f"drive_{k}_min" for k in DRIVE_KINDS}
NAMES = {k: f"drive_{k}_to" for k in DRIVE_KINDS}
METHOD = "drive_method"
#: The columns this module fills (each with a ``__prov`` sibling).
DRIVE_COLUMNS: tuple[str, ...] = (*MINUTES.values(), *NAMES.values(), METHOD)
#: Tables of an imported road network (EPSG:32632 metres; no geometry column: a million rows stay light).
NODE_COLUMNS = ["node", "x", "y", "access"]
EDGE_COLUMNS = ["u", "v", "minutes", "length_m", "road_class"]

_GRAPHS: "OrderedDict[tuple, RoadGraph]" = OrderedDict()
_FIELDS: "OrderedDict[tuple, DestinationField]" = OrderedDict()


def _keep(cache: OrderedDict, key: tuple, value: Any, size: int) -> Any:
    cache[key] = value
    cache.move_to_end(key)
    while len(cache) > size:
        cache.popitem(last=False)
    return value


def graph_from_tables(nodes: pd.DataFrame, edges: pd.DataFrame, source: str = "") -> RoadGraph:
    """An imported network read back from its two tables."""
    codes, uniques = pd.factorize(edges["road_class"].astype(str), sort=True)
    classes = tuple(str(c) for c in uniques)
    order = np.argsort(nodes["node"].to_numpy(dtype=np.int64)) if len(nodes) else np.zeros(0, np.int64)
    nd = nodes.iloc[order]
    return RoadGraph(x=nd["x"].to_numpy(dtype=float), y=nd["y"].to_numpy(dtype=float),
                     access=nd["access"].astype(bool).to_numpy(), u=edges["u"].to_numpy(dtype=np.int32),
                     v=edges["v"].to_numpy(dtype=np.int32), minutes=edges["minutes"].to_numpy(dtype=float),
                     length_m=edges["length_m"].to_numpy(dtype=np.float32),
                     road_class=codes.astype(np.int16),
                     classes=classes, kind=IMPORTED, source=source)


def graph_tables(g: RoadGraph) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The two tables an imported network is stored in (``road_nodes``, ``road_edges``)."""
    nodes = pd.DataFrame({"node": np.arange(g.n_nodes, dtype=np.int64), "x": g.x, "y": g.y,
                          "access": g.access.astype(bool)})
    cls = np.asarray(g.classes, dtype=object)
    edges = pd.DataFrame({"u": g.u.astype(np.int64), "v": g.v.astype(np.int64), "minutes": g.minutes,
                          "length_m": g.length_m.astype(float),
                          "road_class": cls[g.road_class] if len(g.classes) else np.array([], dtype=object)})
    return nodes, edges


def graph_for(road_nodes: pd.DataFrame | None, road_edges: pd.DataFrame | None,
              profile: Profile | None = None) -> RoadGraph:
    """The graph the figures come from: the imported network when there is one, else the default
    motorway graph; kept per table (the catalogue caches its reference frames) and profile."""
    profile = profile or current_profile()
    imported = road_edges is not None and len(road_edges) > 0 and road_nodes is not None and len(road_nodes) > 0
    key = (id(road_edges) if imported else None, profile.key)
    hit = _GRAPHS.get(key)
    if hit is not None and (not imported or hit._cache.get("frame") is road_edges):
        return hit
    if imported:
        g = graph_from_tables(road_nodes, road_edges)
        g._cache["frame"] = road_edges
    else:
        from geo.routing.motorways import default_graph

        g = default_graph(profile)
    return _keep(_GRAPHS, key, g, 4)


def _metric_points(infrastructure: pd.DataFrame, kind: str) -> tuple[np.ndarray, list]:
    if infrastructure is None or len(infrastructure) == 0 or "kind" not in infrastructure:
        return np.zeros((0, 2)), []
    sel = infrastructure[infrastructure["kind"] == kind]
    if len(sel) == 0:
        return np.zeros((0, 2)), []
    from geo.places import METRIC_CRS

    geo = sel.geometry
    if geo.crs is not None and geo.crs.to_epsg() != METRIC_CRS:
        geo = geo.to_crs(METRIC_CRS)
    return np.column_stack([geo.x.to_numpy(), geo.y.to_numpy()]), sel["name"].tolist()


def destination_fields(graph: RoadGraph, profile: Profile, infrastructure: pd.DataFrame
                       ) -> dict[str, tuple[DestinationField, list]]:
    """Per drive kind: the Dijkstra from its destinations and their names (memoised per graph and layer)."""
    out = {}
    for kind, infra_kind in DRIVE_KINDS.items():
        key = (id(graph), profile.key, id(infrastructure), kind)
        hit = _FIELDS.get(key)
        if hit is not None and hit[0].graph is graph and hit[2] is infrastructure:
            out[kind] = hit[:2]
            continue
        xy, names = _metric_points(infrastructure, infra_kind)
        f = destination_field(graph, profile, xy)
        _keep(_FIELDS, key, (f, names, infrastructure), 16)
        out[kind] = (f, names)
    return out


def method_text(graph: RoadGraph, profile: Profile) -> str:
    """``drive_method``: how the figures were made, in one line (English, as stored)."""
    if graph.kind == DEFAULT:
        return ("estimated: Regione Lombardia motorway graph (joined and left at exits, "
                f"{profile.access_min:g} min each), {profile.method()}")
    return f"computed: imported road network (geo import roads, see the sources), {profile.method()}"


_ACCESS = re.compile(r"([\d.]+) min each")
_LEG = re.compile(r"straight line x ([\d.]+) at ([\d.]+) km/h")


def method_label(stored: str, lang: str) -> str:
    """The stored ``drive_method`` (English, with its figures) as the reader's language says it.

    >>> method_label("computed: imported road network (...), straight line x 1.3 at 40 km/h to the road graph", "en")
    'computed: imported road network (geo import roads, see the sources), straight line × 1.3 at 40 km/h to the network, truck speeds of art. 142 of the Highway Code'
    """
    from geo.i18n import N_, translator

    _ = translator(lang)
    access, leg = _ACCESS.search(stored), _LEG.search(stored)
    if leg is None:
        return stored
    detour, kmh = _.number(float(leg.group(1)), 2), _.number(float(leg.group(2)), 0)
    if stored.startswith("estimated") and access:
        return _(N_("estimated: Regione Lombardia motorway graph (joined and left at exits, {access} min each), "
                    "straight line × {detour} at {kmh} km/h to the graph, truck speeds of art. 142 of the "
                    "Highway Code")).format(access=_.number(float(access.group(1)), 1), detour=detour, kmh=kmh)
    return _(N_("computed: imported road network (geo import roads, see the sources), straight line × {detour} "
                "at {kmh} km/h to the network, truck speeds of art. 142 of the Highway Code")).format(
        detour=detour, kmh=kmh)


def drive_fields(xy: np.ndarray, infrastructure: pd.DataFrame, graph: RoadGraph,
                 profile: Profile | None = None, index: pd.Index | None = None) -> pd.DataFrame:
    """The drive columns (and ``__prov``) for sites at ``xy`` (``(n, 2)`` metres, EPSG:32632)."""
    profile = profile or current_profile()
    xy = np.asarray(xy, dtype=float).reshape(-1, 2)
    out = pd.DataFrame(index=index if index is not None else pd.RangeIndex(len(xy)))
    any_known = np.zeros(len(xy), bool)
    tied = attach(graph, xy)  # the sites' nearest graph nodes, once for every kind
    for kind, (field, names) in destination_fields(graph, profile, infrastructure).items():
        res = field.query(xy, tied)
        known = np.isfinite(res.minutes)
        any_known |= known
        out[MINUTES[kind]] = np.round(res.minutes, 1)
        out[NAMES[kind]] = pd.Series([names[d] if ok and d >= 0 else None for d, ok in zip(res.dest, known)],
                                     index=out.index, dtype=object)
        prov = np.where(res.computed, "computed", "estimated")
        out[f"{MINUTES[kind]}__prov"] = np.where(known, prov, None)
        out[f"{NAMES[kind]}__prov"] = np.where(known, prov, None)
    text = method_text(graph, profile)
    out[METHOD] = pd.Series([text if k else None for k in any_known], index=out.index, dtype=object)
    out[f"{METHOD}__prov"] = np.where(any_known, "estimated" if graph.kind == DEFAULT else "computed", None)
    return out


def catalogue_graph(cat: Any, profile: Profile | None = None) -> RoadGraph:
    """The graph of an open catalogue: its imported road network, else the default motorway graph."""
    ref = cat.reference()
    return graph_for(ref.road_nodes, ref.road_edges, profile)
