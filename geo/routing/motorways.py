"""The default graph: Lombardy's motorways from Regione Lombardia's lines, noded at junctions and exits.

The product reads only the committed table ``geo/data/motorway_graph.geojson`` (never ``../shared`` at run
time). It is derived, reproducibly, by::

    .venv/bin/python -m geo.routing.motorways /work/shared/data/infrastructure

from ``regione_lombardia/highway.gpkg`` (the motorway carriageways of RLGeoData as redistributed by
Politecnico di Milano's D-DUST project, the source of :mod:`geo.layers.infrastructure`; attribution
"Regione Lombardia", D-DUST copy MIT) and the committed motorway exits (``motorway_exits.csv``). Rules:

* Each part of the multi-line is a carriageway piece, driven both ways (the layer does not say the
  direction: an assumption that costs nothing between exits, where both carriageways run side by side).
* Pieces are joined where they meet: an end within :data:`JOIN_M` of another piece is tied to it (a short
  ``motorway_link``), so interchanges and the meeting of carriageways are nodes.
* Every exit is tied to the pieces within :data:`EXIT_M` of it: each piece is split at the exit's
  projection, and that node is an *access* node (Point features with the exit's ``infra_id``): a truck
  joins or leaves the motorway graph only there.
* Lines are simplified to :data:`SIMPLIFY_M` (ends and split points kept) and written at 1e-7 degrees.
"""

from __future__ import annotations

import json
import sys
from dataclasses import replace
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd
import shapely
from shapely.ops import substring

from geo.places import METRIC_CRS
from geo.routing.graph import DEFAULT, RoadGraph, node_lines
from geo.routing.speeds import Profile

GRAPH_GEOJSON = "motorway_graph.geojson"
#: Carriageway ends closer than this to another piece are joined (the layer's pieces meet to the metre
#: at 495 of 572 ends; 30 m catches the slip roads drawn a little short, without joining roads that cross).
JOIN_M = 30.0
#: An exit (the centroid of its junction's arcs) lies off the carriageway, at the ramps: within 1.5 km.
EXIT_M = 1500.0
#: At most this many pieces an exit is tied to (the two carriageways, a third at an interchange).
EXIT_PIECES = 3
SIMPLIFY_M = 20.0
SOURCE = "regione_lombardia_transport"


def _data_path(name: str) -> Path:
    return Path(str(resources.files("geo.data").joinpath(name)))


def default_graph(profile: Profile, path: Path | None = None) -> RoadGraph:
    """The motorway graph from the committed table (``kind="default"``: its figures are estimated)."""
    from geo.routing.lines import to_metric

    doc = json.loads((path or _data_path(GRAPH_GEOJSON)).read_text(encoding="utf-8"))
    lines = [f for f in doc["features"] if f["geometry"]["type"] == "LineString"]
    access = [f for f in doc["features"] if f["geometry"]["type"] == "Point"]
    ll = np.concatenate([np.asarray(f["geometry"]["coordinates"], dtype=float) for f in lines])
    line = np.repeat(np.arange(len(lines)), [len(f["geometry"]["coordinates"]) for f in lines])
    q = np.round(ll * 1e7).astype(np.int64)
    keys = q[:, 0] * 10_000_000_019 + q[:, 1]
    coords = to_metric(ll)
    classes = [f["properties"].get("class", "motorway") for f in lines]
    # no junction penalty: passing an exit or an interchange costs nothing; joining and leaving costs access_min
    g = node_lines(coords, line, classes, np.full(len(lines), np.nan), np.zeros(len(lines), np.int8),
                   replace(profile, junction_s=0.0), keys=keys, kind=DEFAULT, source=SOURCE)
    # access nodes: those at the exits' split points (same coordinates as written)
    ax = to_metric(np.asarray([f["geometry"]["coordinates"] for f in access], dtype=float).reshape(-1, 2))
    from scipy.spatial import cKDTree

    acc = np.zeros(g.n_nodes, bool)
    if len(ax) and g.n_nodes:
        d, j = cKDTree(np.column_stack([g.x, g.y])).query(ax)
        acc[j[d < 0.5]] = True
    return RoadGraph(g.x, g.y, acc, g.u, g.v, g.minutes, g.length_m, g.road_class, g.classes, kind=DEFAULT,
                     source=SOURCE)


# --- regeneration from ../shared (development only) ---------------------------------------------------------

def derive(parts: list[shapely.LineString], exits: pd.DataFrame) -> dict:
    """The GeoJSON document of the graph from carriageway pieces (EPSG:32632) and exits (``infra_id``, x, y)."""
    tree = shapely.STRtree(parts)
    cuts: list[list[float]] = [[] for _ in parts]
    links: list[shapely.LineString] = []
    for i, p in enumerate(parts):
        for end in (shapely.Point(p.coords[0]), shapely.Point(p.coords[-1])):
            for j in tree.query(end.buffer(JOIN_M)):
                if j == i:
                    continue
                q = parts[j]
                s = q.project(end)
                if end.distance(q) > JOIN_M:
                    continue
                at = q.interpolate(s)
                if s <= 0.01 or s >= q.length - 0.01:  # meets an end of the other piece
                    at = shapely.Point(q.coords[0] if s <= 0.01 else q.coords[-1])
                else:
                    cuts[j].append(s)
                if end.distance(at) > 0.01:
                    links.append(shapely.LineString([end, at]))
    access = []
    for r in exits.itertuples():
        pt = shapely.Point(r.x, r.y)
        near = sorted((pt.distance(parts[j]), j) for j in tree.query(pt.buffer(EXIT_M)))
        for d, j in near[:EXIT_PIECES]:
            if d > EXIT_M:
                continue
            s = parts[j].project(pt)
            s = min(max(s, 0.0), parts[j].length)
            cuts[j].append(s)
            access.append((r.infra_id, parts[j].interpolate(s)))
    pieces = []
    for p, c in zip(parts, cuts):
        marks = sorted(set([0.0, p.length] + [round(x, 3) for x in c]))
        for a, b in zip(marks[:-1], marks[1:]):
            if b - a > 0.01:
                pieces.append(substring(p, a, b).simplify(SIMPLIFY_M))
    import pyproj

    tr = pyproj.Transformer.from_crs(METRIC_CRS, 4326, always_xy=True)

    def ll(coords):
        x, y = tr.transform(*np.asarray(coords, dtype=float).T)
        return [[round(float(a), 7), round(float(b), 7)] for a, b in zip(np.atleast_1d(x), np.atleast_1d(y))]

    feats = [{"type": "Feature", "properties": {"class": "motorway"},
              "geometry": {"type": "LineString", "coordinates": ll(p.coords)}} for p in pieces]
    feats += [{"type": "Feature", "properties": {"class": "motorway_link"},
               "geometry": {"type": "LineString", "coordinates": ll(p.coords)}} for p in links]
    feats += [{"type": "Feature", "properties": {"infra_id": i},
               "geometry": {"type": "Point", "coordinates": ll([pt.coords[0]])[0]}} for i, pt in access]
    return {"type": "FeatureCollection", "name": "motorway_graph",
            "source": "Regione Lombardia (RLGeoData) motorways via D-DUST @ 90aa410; derived by "
                      "python -m geo.routing.motorways", "features": feats}


def regenerate(shared: Path, dest: Path | None = None) -> dict[str, int]:
    """Rewrite the committed graph table from ``shared`` (the ``infrastructure`` folder)."""
    import pyogrio

    from geo.layers.infrastructure import motorway_exits

    hw = pyogrio.read_dataframe(shared / "regione_lombardia" / "highway.gpkg").to_crs(METRIC_CRS)
    parts = [p for g in hw.geometry for p in getattr(g, "geoms", [g]) if p.length > 0]
    ex = motorway_exits().to_crs(METRIC_CRS)
    exits = pd.DataFrame({"infra_id": ex["infra_id"], "x": ex.geometry.x, "y": ex.geometry.y})
    doc = derive(parts, exits)
    out = (dest or _data_path("")) / GRAPH_GEOJSON
    out.write_text(json.dumps(doc, separators=(",", ":")), encoding="utf-8")
    kinds = pd.Series([f["geometry"]["type"] for f in doc["features"]]).value_counts()
    return {k: int(v) for k, v in kinds.items()}


if __name__ == "__main__":  # pragma: no cover - a development script
    print(regenerate(Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/data/infrastructure")))
