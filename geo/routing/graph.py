"""A routable road graph: nodes, directed edges with truck minutes, built by noding lines.

Pure NumPy: a graph of a million edges builds in about a second and becomes a SciPy sparse matrix for
:mod:`geo.routing.paths`. Coordinates are metres in EPSG:32632 (:data:`geo.places.METRIC_CRS`).

Noding: a line is split at every vertex it shares with another line (same OpenStreetMap node id, or the
same coordinates to the centimetre) and at its ends; two lines that merely cross (a bridge over a road)
are not joined, as in OpenStreetMap. ``oneway``: ``1`` forward only, ``-1`` backward only, else both ways.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

import numpy as np

from geo.routing.speeds import Profile

#: ``kind`` of a graph: the default motorway graph gives estimated figures, an imported network computed ones.
DEFAULT, IMPORTED = "default", "imported"


@dataclass(frozen=True, eq=False)
class RoadGraph:
    """Nodes (``x``, ``y`` in EPSG:32632; ``access``: where a truck may join or leave the graph) and directed
    edges ``u -> v`` with ``minutes``, ``length_m`` and ``road_class`` (index into ``classes``)."""

    x: np.ndarray
    y: np.ndarray
    access: np.ndarray
    u: np.ndarray
    v: np.ndarray
    minutes: np.ndarray
    length_m: np.ndarray
    road_class: np.ndarray
    classes: tuple[str, ...]
    kind: str = DEFAULT
    source: str = ""
    _cache: dict = field(default_factory=dict, repr=False, compare=False)

    @property
    def n_nodes(self) -> int:
        return len(self.x)

    @property
    def n_edges(self) -> int:
        return len(self.u)

    def matrix(self, reverse: bool = False):
        """The graph as a CSR matrix of minutes (``reverse``: every edge turned round), cached."""
        from scipy.sparse import csr_matrix

        key = ("csr", reverse)
        if key not in self._cache:
            a, b = (self.v, self.u) if reverse else (self.u, self.v)
            # Parallel edges: csr_matrix would add them; keep the fastest of each pair of nodes.
            order = np.lexsort((self.minutes, b, a))
            a, b, w = a[order], b[order], self.minutes[order]
            first = np.ones(len(a), bool)
            first[1:] = (a[1:] != a[:-1]) | (b[1:] != b[:-1])
            # An edge of 0 minutes is kept as a tiny positive weight (a stored 0 would mean "no edge").
            w = np.maximum(w[first], 1e-9)
            n = self.n_nodes
            self._cache[key] = csr_matrix((w, (a[first], b[first])), shape=(n, n))
        return self._cache[key]

    def access_tree(self):
        """(KD-tree of the access nodes, their node indices), cached."""
        from scipy.spatial import cKDTree

        if "tree" not in self._cache:
            idx = np.flatnonzero(self.access)
            self._cache["tree"] = (cKDTree(np.column_stack([self.x[idx], self.y[idx]])) if len(idx) else None, idx)
        return self._cache["tree"]

    def components(self) -> tuple[int, float]:
        """(number of weakly connected pieces, share of nodes in the largest), as reported by an import."""
        from scipy.sparse.csgraph import connected_components

        if self.n_nodes == 0:
            return 0, 0.0
        n, labels = connected_components(self.matrix(), directed=True, connection="weak")
        return int(n), float(np.bincount(labels).max() / self.n_nodes)


def node_lines(coords: np.ndarray, line: np.ndarray, classes: Sequence[str], maxspeed: np.ndarray,
               oneway: np.ndarray, profile: Profile, *, keys: np.ndarray | None = None,
               kind: str = IMPORTED, source: str = "") -> RoadGraph:
    """Build a graph from polylines given as flat vertex arrays.

    Parameters
    ----------
    coords
        ``(n, 2)`` vertex coordinates in EPSG:32632, line after line, each line's vertices in order.
    line
        ``(n,)`` line index of each vertex (non-decreasing).
    classes
        Road class of each line (OpenStreetMap ``highway`` value).
    maxspeed, oneway
        Per line: km/h (NaN when unknown) and ``1``/``0``/``-1``.
    profile
        The truck speeds and penalties.
    keys
        Identity of each vertex (OpenStreetMap node ids); default: the coordinates to the centimetre.
    """
    line = np.asarray(line, dtype=np.int64)
    n_lines = int(line.max()) + 1 if len(line) else 0
    cls_names = tuple(sorted(set(classes)))
    cls_code = np.array([cls_names.index(c) for c in classes], dtype=np.int16) if n_lines else np.zeros(0, np.int16)
    speed = np.array([profile.speed(c, None if not np.isfinite(m) else float(m)) or np.nan
                      for c, m in zip(classes, np.asarray(maxspeed, dtype=float))], dtype=float)
    if keys is None:
        q = np.round(np.asarray(coords) * 100.0).astype(np.int64)
        keys = q[:, 0] * 1_000_000_003 + q[:, 1]
    uniq, vid = np.unique(np.asarray(keys), return_inverse=True)
    count = np.bincount(vid, minlength=len(uniq))
    start = np.ones(len(line), bool)
    start[1:] = line[1:] != line[:-1]
    end = np.ones(len(line), bool)
    end[:-1] = line[1:] != line[:-1]
    is_node = (count[vid] >= 2) | start | end
    seg = np.zeros(len(line))
    if len(line) > 1:
        d = np.hypot(*(np.diff(coords, axis=0).T))
        seg[1:] = np.where(start[1:], 0.0, d)
    cum = np.cumsum(seg)
    at = np.flatnonzero(is_node)
    # consecutive node-vertices of the same line make an edge
    same = line[at[1:]] == line[at[:-1]]
    a, b = at[:-1][same], at[1:][same]
    length = cum[b] - cum[a]
    eline = line[a]
    node_vids, node_of = np.unique(vid[at], return_inverse=True)
    remap = np.full(len(uniq), -1, np.int64)
    remap[node_vids] = np.arange(len(node_vids))
    ua, ub = remap[vid[a]], remap[vid[b]]
    first_vertex = np.zeros(len(uniq), np.int64)
    first_vertex[vid[::-1]] = np.arange(len(vid))[::-1]
    nx = coords[first_vertex[node_vids], 0]
    ny = coords[first_vertex[node_vids], 1]
    sp = speed[eline]
    ok = np.isfinite(sp) & (ua != ub)
    ow = np.asarray(oneway, dtype=np.int8)[eline]
    fwd = ok & (ow != -1)
    bwd = ok & (ow != 1)
    u = np.concatenate([ua[fwd], ub[bwd]])
    v = np.concatenate([ub[fwd], ua[bwd]])
    lm = np.concatenate([length[fwd], length[bwd]])
    kmh = np.concatenate([sp[fwd], sp[bwd]])
    rc = np.concatenate([cls_code[eline][fwd], cls_code[eline][bwd]])
    minutes = lm / (kmh * 1000.0 / 60.0)
    n = len(node_vids)
    degree = np.bincount(np.concatenate([ua[ok], ub[ok]]), minlength=n)
    minutes = minutes + np.where(degree[u] >= 3, profile.junction_s / 60.0, 0.0)
    return RoadGraph(x=nx.astype(float), y=ny.astype(float), access=np.ones(n, bool), u=u.astype(np.int32),
                     v=v.astype(np.int32), minutes=minutes, length_m=lm.astype(np.float32), road_class=rc,
                     classes=cls_names, kind=kind, source=source)


def empty(kind: str = DEFAULT) -> RoadGraph:
    """A graph without nodes (figures then come from the straight-line leg alone)."""
    z = np.zeros(0)
    return RoadGraph(z, z, np.zeros(0, bool), np.zeros(0, np.int32), np.zeros(0, np.int32), z,
                     np.zeros(0, np.float32), np.zeros(0, np.int16), (), kind=kind)


def from_lines(lines: Sequence[tuple], profile: Profile, *, kind: str = IMPORTED, source: str = "") -> RoadGraph:
    """A graph from ``(coords, road_class, maxspeed, oneway)`` tuples (coords in EPSG:32632 metres).

    >>> g = from_lines([([(0, 0), (1000, 0)], "primary", None, 0)], Profile())
    >>> g.n_nodes, g.n_edges, round(float(g.minutes[0]), 4)   # 1 km at 70 km/h
    (2, 2, 0.8571)
    """
    if not lines:
        return empty(kind)
    coords = np.concatenate([np.asarray(c, dtype=float).reshape(-1, 2) for c, *_ in lines])
    line = np.repeat(np.arange(len(lines)), [len(c) for c, *_ in lines])
    classes = [str(c) for _, c, *_ in lines]
    maxspeed = np.array([np.nan if m is None else float(m) for _, _, m, _ in lines])
    oneway = np.array([int(o or 0) for *_, o in lines])
    return node_lines(coords, line, classes, maxspeed, oneway, profile, kind=kind, source=source)
