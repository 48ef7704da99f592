"""Shortest truck times on a :class:`~geo.routing.graph.RoadGraph`: nearest destination per site, reach of a point.

One multi-source Dijkstra per destination kind (``scipy.sparse.csgraph.dijkstra(min_only=True)``) on the
reversed graph gives every node its minutes to the nearest destination and which one; a site then adds
its leg to the graph. Legs off the graph are the straight-line distance times the profile's detour at
its local speed (:meth:`geo.routing.speeds.Profile.leg_min`); on the default motorway graph a truck joins
and leaves at exits only (``access`` nodes) and pays the profile's ``access_min`` each time.

Provenance: figures on the default motorway graph are ``estimated``; on an imported network they are
``computed``, unless the site (or the destination) lies more than :data:`MAX_SNAP_M` from the network,
when the leg dominates and the figure is ``estimated`` again. A destination that far from an imported
network is not tied to it at all (it lies outside what the network covers).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from geo.routing.graph import DEFAULT, RoadGraph
from geo.routing.speeds import Profile

if TYPE_CHECKING:  # SciPy is imported where a drive time is computed: not by every process that reads a catalogue
    from scipy import sparse
    from scipy.spatial import cKDTree

#: Access nodes a site or destination is tied to on the default graph (the nearest exits: the best one is
#: not always the closest, e.g. an exit on the wrong carriageway side); an imported network uses the nearest.
K_DEFAULT = 3
#: Beyond this straight-line distance from an imported network a figure is estimated, not computed:
#: 2 km is already 4 minutes of a 10-minute trip spent off the network.
MAX_SNAP_M = 2000.0


@dataclass(frozen=True)
class Nearest:
    """Per site: ``minutes`` to the nearest destination (NaN: unreachable), its index ``dest`` (-1 when
    none), and ``computed`` (False: estimated)."""

    minutes: np.ndarray
    dest: np.ndarray
    computed: np.ndarray


def _k(graph: RoadGraph) -> int:
    return K_DEFAULT if graph.kind == DEFAULT else 1


def _penalty(graph: RoadGraph, profile: Profile) -> float:
    return profile.access_min if graph.kind == DEFAULT else 0.0


def attach(graph: RoadGraph, xy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(straight-line metres, node index) of each point's nearest access nodes on ``graph``, ``(n, k)``."""
    return _attach(graph, xy)


def _attach(graph: RoadGraph, xy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(straight-line metres, node index) of each point's nearest access nodes, shapes ``(n, k)``."""
    tree, idx = graph.access_tree()
    if tree is None or len(xy) == 0:
        return np.zeros((len(xy), 0)), np.zeros((len(xy), 0), np.int64)
    d, j = _query_located(tree, xy, min(_k(graph), len(idx)))
    return d, idx[j]


def _query_located(tree: cKDTree, xy: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """``tree.query(xy, k)`` as ``(n, k)`` arrays, for the points with finite coordinates only (the KD-tree
    refuses NaN): a point without coordinates (a draft) is ``inf`` metres from index 0, so no leg reaches it."""
    d, j = np.full((len(xy), k), np.inf), np.zeros((len(xy), k), np.int64)
    located = np.isfinite(xy).all(axis=1)
    if located.any():
        dl, jl = tree.query(xy[located], k=k)
        d[located], j[located] = dl.reshape(-1, k), jl.reshape(-1, k)
    return d, j


def _with_virtual(m: sparse.csr_matrix, rows: np.ndarray, cols: np.ndarray, w: np.ndarray, n_virtual: int):
    """``m`` grown by ``n_virtual`` nodes whose outgoing edges are ``rows -> cols`` (rows count from 0, sorted):
    the CSR arrays appended to, without re-sorting the million edges already there."""
    n = m.shape[0]
    counts = np.bincount(rows, minlength=n_virtual)
    indptr = np.concatenate([m.indptr, m.indptr[-1] + np.cumsum(counts)])
    indices = np.concatenate([m.indices, cols.astype(m.indices.dtype)])
    data = np.concatenate([m.data, np.maximum(w, 1e-9)])
    from scipy import sparse

    return sparse.csr_matrix((data, indices, indptr), shape=(n + n_virtual, n + n_virtual))


@dataclass(frozen=True, eq=False)
class DestinationField:
    """Minutes from every node to the nearest of some destinations (``node_min``) and which (``node_dest``):
    one multi-source Dijkstra, then any number of sites are answered by :meth:`query`."""

    graph: RoadGraph
    profile: Profile
    dests: np.ndarray
    node_min: np.ndarray
    node_dest: np.ndarray
    dest_snap: np.ndarray

    def query(self, sites: np.ndarray, attach: tuple[np.ndarray, np.ndarray] | None = None) -> Nearest:
        """Minutes from each site (``(n, 2)`` metres) to the nearest destination.

        On the default graph the direct leg (straight line to the nearest destination) is a candidate too;
        on an imported network only the network counts (a site in a piece not joined to any destination is
        NaN: unknown; so is a site without coordinates). ``attach``: the sites' :func:`attach` on this graph,
        when several kinds share it.
        """
        graph, profile, dests = self.graph, self.profile, self.dests
        n_s, m = len(sites), len(dests)
        best = np.full(n_s, np.inf)
        dest = np.full(n_s, -1, np.int64)
        computed = np.zeros(n_s, bool)
        if m == 0 or n_s == 0:
            return Nearest(np.full(n_s, np.nan), dest, computed)
        if len(self.node_min):
            s_dist, s_node = attach if attach is not None else _attach(graph, sites)
            t = profile.leg_min(s_dist) + _penalty(graph, profile) + self.node_min[s_node]
            j = np.argmin(t, axis=1)
            r = np.arange(n_s)
            best = t[r, j]
            dest = np.where(np.isfinite(best), self.node_dest[s_node[r, j]], -1)
            if graph.kind != DEFAULT:
                computed = (np.isfinite(best) & (s_dist[r, j] <= MAX_SNAP_M)
                            & (self.dest_snap[np.maximum(dest, 0)] <= MAX_SNAP_M))
        if graph.kind == DEFAULT or graph.n_nodes == 0:
            from scipy.spatial import cKDTree

            dd, dj = (a[:, 0] for a in _query_located(cKDTree(dests), sites, 1))
            direct = profile.leg_min(dd)
            take = direct < best
            best = np.where(take, direct, best)
            dest = np.where(take, dj, dest)
        return Nearest(np.where(np.isfinite(best), best, np.nan), dest, computed)


def destination_field(graph: RoadGraph, profile: Profile, dests: np.ndarray) -> DestinationField:
    """One multi-source Dijkstra on the reversed graph from ``dests`` (``(m, 2)`` metres, EPSG:32632), each
    tied to its nearest access node(s) by its leg."""
    dests = np.asarray(dests, dtype=float).reshape(-1, 2)
    m, n = len(dests), graph.n_nodes
    d_dist, d_node = _attach(graph, dests)
    if m == 0 or d_node.shape[1] == 0:
        return DestinationField(graph, profile, dests, np.zeros(0), np.zeros(0, np.int64), np.zeros(m))
    k = d_node.shape[1]
    rows = np.repeat(np.arange(m), k)
    w = profile.leg_min(d_dist.ravel()) + _penalty(graph, profile)
    cols = d_node.ravel()
    if graph.kind != DEFAULT:  # a destination beyond the imported network's reach is not on it
        near = d_dist.ravel() <= MAX_SNAP_M
        rows, cols, w = rows[near], cols[near], w[near]
    mat = _with_virtual(graph.matrix(reverse=True), rows, cols, w, m)
    from scipy.sparse.csgraph import dijkstra

    dist, _pred, src = dijkstra(mat, directed=True, indices=n + np.arange(m), min_only=True,
                                return_predecessors=True)
    node_dest = np.where(src[:n] >= 0, src[:n] - n, -1)
    return DestinationField(graph, profile, dests, dist[:n], node_dest, d_dist[:, 0])


def nearest(graph: RoadGraph, profile: Profile, sites: np.ndarray, dests: np.ndarray) -> Nearest:
    """Minutes from each site to the nearest destination (``(n, 2)`` and ``(m, 2)`` metres, EPSG:32632):
    :func:`destination_field` then :meth:`DestinationField.query`."""
    return destination_field(graph, profile, dests).query(np.asarray(sites, dtype=float).reshape(-1, 2))


@dataclass(frozen=True)
class Reach:
    """Minutes from a point to every node (``inf`` beyond ``limit``), with what it was computed on."""

    graph: RoadGraph
    profile: Profile
    xy: tuple[float, float]
    node_min: np.ndarray
    limit: float

    def sites_min(self, sites: np.ndarray) -> np.ndarray:
        """Minutes from the point to each site (``(n, 2)`` metres): via the graph or the direct leg; ``inf``
        when not reached within ``limit``, NaN for a site without coordinates (non-finite x or y)."""
        sites = np.asarray(sites, dtype=float).reshape(-1, 2)
        g, p = self.graph, self.profile
        direct = p.leg_min(np.hypot(sites[:, 0] - self.xy[0], sites[:, 1] - self.xy[1]))
        if g.kind != DEFAULT and g.n_nodes:
            direct = np.full(len(sites), np.inf)  # on an imported network only the network counts, as in nearest
        s_dist, s_node = _attach(g, sites)  # a site without coordinates: inf metres from the graph
        if s_node.shape[1]:
            direct = np.minimum(direct, (self.node_min[s_node] + p.leg_min(s_dist) + _penalty(g, p)).min(axis=1))
        return np.where(np.isfinite(sites).all(axis=1), direct, np.nan)  # no leg to measure: unknown


def reach(graph: RoadGraph, profile: Profile, xy: tuple[float, float], limit: float = 30.0) -> Reach:
    """Forward Dijkstra from a point (metres, EPSG:32632), bounded at ``limit`` minutes."""
    n = graph.n_nodes
    if n == 0:
        return Reach(graph, profile, xy, np.zeros(0), limit)
    d, j = _attach(graph, np.array([xy], dtype=float))
    w = profile.leg_min(d.ravel()) + _penalty(graph, profile)
    mat = _with_virtual(graph.matrix(), np.zeros(len(w), np.int64), j.ravel(), w, 1)
    from scipy.sparse.csgraph import dijkstra

    dist = dijkstra(mat, directed=True, indices=n, limit=limit)
    return Reach(graph, profile, xy, dist[:n], limit)
