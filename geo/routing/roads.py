"""``geo import roads``: a road network from an OpenStreetMap extract or from lines, validated and bounded.

Accepted: an OpenStreetMap file (``.osm.pbf``, ``.osm``, read with pyosmium: ways tagged ``highway`` of a
class the truck profile knows, and ``route=ferry``), or lines in a GeoPackage/GeoJSON carrying OpenStreetMap's
``highway`` class (optional ``maxspeed``, ``oneway``, ``name``, ``ref``). Roads wholly outside Lombardy plus
:data:`MARGIN_DEG` are left out (an extract is cut wider than the region) and counted; a file with none inside
is refused (a wrong CRS looks like that). The graph is noded (:func:`geo.routing.graph.node_lines`), one-way
respected (OpenStreetMap's implied one-way of motorways and roundabouts too), and its connected pieces are
reported. Nothing is written until the whole file has been read and checked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from geo.errors import InputFileError
from geo.i18n import N_
from geo.routing.graph import IMPORTED, RoadGraph, node_lines
from geo.routing.lines import to_metric
from geo.routing.speeds import Profile
from geo.schema.validate import LOMBARDY_BBOX

#: Bytes of one road file: the OpenStreetMap extract of the region is about 350 MB; 1 GiB leaves room for a
#: north-west Italy extract and refuses what would exhaust a server's memory.
MAX_ROAD_BYTES = 1024 ** 3
#: Directed edges of one network: Lombardy's drivable roads make about 2-3 million after noding; 6 million
#: (~250 MB in memory as arrays) leaves room for the neighbouring provinces.
MAX_EDGES = 6_000_000
#: Roads may run beyond the border (to the port of Genoa's approach, Piacenza's junctions): half a degree
#: (about 40-55 km) around the region's box, no more.
MARGIN_DEG = 0.5
OSM_SUFFIXES = (".osm.pbf", ".pbf", ".osm", ".osm.bz2", ".osm.gz")


@dataclass(frozen=True)
class RoadsReport:
    """What an import read: ways kept, ways outside the region, nodes, edges, pieces, largest piece's share."""

    ways: int
    outside: int
    nodes: int
    edges: int
    pieces: int
    largest_share: float


def _err(message: str, **params) -> InputFileError:
    return InputFileError(message, **params)


_SPEED = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(mph|km/h|kmh)?\s*$")
#: OpenStreetMap's implicit speed tags of Italy (``maxspeed=IT:urban``...).
IMPLICIT = {"it:urban": 50.0, "it:rural": 90.0, "it:trunk": 110.0, "it:motorway": 130.0}


def parse_maxspeed(raw) -> float:
    """km/h of an OpenStreetMap ``maxspeed`` (NaN when none or not a speed).

    >>> parse_maxspeed("50"), parse_maxspeed("30 mph"), parse_maxspeed("IT:urban"), parse_maxspeed("signals")
    (50.0, 48.28, 50.0, nan)
    """
    if raw is None or (isinstance(raw, float) and np.isnan(raw)):
        return float("nan")
    s = str(raw).strip().lower()
    if s in IMPLICIT:
        return IMPLICIT[s]
    m = _SPEED.match(s)
    if not m:
        return float("nan")
    v = float(m.group(1))
    return round(v * 1.609344, 2) if m.group(2) == "mph" else v


def parse_oneway(raw, highway: str, junction: str | None = None) -> int:
    """``1`` forward, ``-1`` backward, ``0`` both (OpenStreetMap's rules, motorways and roundabouts implied).

    >>> parse_oneway("yes", "primary"), parse_oneway(None, "motorway"), parse_oneway("-1", "primary")
    (1, 1, -1)
    >>> parse_oneway("no", "motorway"), parse_oneway(None, "secondary", "roundabout")
    (0, 1)
    """
    s = "" if raw is None or (isinstance(raw, float) and np.isnan(raw)) else str(raw).strip().lower()
    if s in ("yes", "true", "1"):
        return 1
    if s in ("-1", "reverse"):
        return -1
    if s in ("no", "false", "0"):
        return 0
    if highway in ("motorway",) or junction in ("roundabout", "circular"):
        return 1
    return 0


def _check_file(path: Path) -> None:
    import stat

    try:
        st = path.stat()
    except FileNotFoundError:
        raise _err(N_("File not found: {path}"), path=str(path)) from None
    if not stat.S_ISREG(st.st_mode):
        raise _err(N_("{path} is not a regular file (a device, pipe or socket)."), path=str(path))
    if st.st_size > MAX_ROAD_BYTES:
        raise _err(N_("{name} is {size} MB, more than the {limit} MB a road import may read: cut the extract to "
                      "Lombardy."), name=path.name, size=st.st_size // 1024 ** 2, limit=MAX_ROAD_BYTES // 1024 ** 2)


def _inside(lonlat: np.ndarray, line: np.ndarray, n_lines: int) -> np.ndarray:
    """Per line: whether any vertex lies in Lombardy's box plus the margin."""
    w, s, e, n = LOMBARDY_BBOX
    ok = ((lonlat[:, 0] >= w - MARGIN_DEG) & (lonlat[:, 0] <= e + MARGIN_DEG)
          & (lonlat[:, 1] >= s - MARGIN_DEG) & (lonlat[:, 1] <= n + MARGIN_DEG))
    return np.bincount(line, weights=ok, minlength=n_lines) > 0


def _read_osm(path: Path, profile: Profile):
    import osmium

    coords, line, keys, classes, speeds, oneway = [], [], [], [], [], []
    k = 0
    try:
        # Nodes are read for their locations only; the filters hand Python the tagged ways alone.
        fp = (osmium.FileProcessor(str(path), osmium.osm.NODE | osmium.osm.WAY).with_locations()
              .with_filter(osmium.filter.EntityFilter(osmium.osm.WAY))
              .with_filter(osmium.filter.KeyFilter("highway", "route")))
        for w in fp:
            tags = w.tags
            hw = tags.get("highway")
            cls = hw if hw in profile.kmh else ("ferry" if tags.get("route") == "ferry" else None)
            if cls is None or len(w.nodes) < 2:
                continue
            try:
                pts = [(n.lon, n.lat, n.ref) for n in w.nodes]
            except osmium.InvalidLocationError:
                continue  # a way whose nodes are cut off by the extract
            coords.extend((a, b) for a, b, _ in pts)
            keys.extend(r for _, _, r in pts)
            line.extend([k] * len(pts))
            classes.append(cls)
            speeds.append(parse_maxspeed(tags.get("maxspeed")))
            oneway.append(parse_oneway(tags.get("oneway"), cls, tags.get("junction")))
            k += 1
    except RuntimeError as exc:  # libosmium says why
        raise _err(N_("{name} is not a readable OpenStreetMap file: {error}"), name=path.name, error=str(exc)) from None
    return (np.asarray(coords, dtype=float).reshape(-1, 2), np.asarray(line, dtype=np.int64),
            np.asarray(keys, dtype=np.int64), classes, np.asarray(speeds, dtype=float), np.asarray(oneway))


def _read_lines(path: Path, profile: Profile):
    import pyogrio
    import shapely

    try:
        gdf = pyogrio.read_dataframe(path)
    except Exception as exc:
        raise _err(N_("{name} is not a readable vector file (GeoJSON or GeoPackage): {error}"), name=path.name,
                   error=str(exc)) from None
    if "highway" not in gdf.columns:
        raise _err(N_("{name}: the column 'highway' (OpenStreetMap road class) is missing."), name=path.name)
    if gdf.crs is None:
        raise _err(N_("{name}: no coordinate reference system (CRS). Save the file with a CRS, e.g. EPSG:4326."),
                   name=path.name)
    gdf = gdf[gdf["highway"].isin(list(profile.kmh)) & gdf.geometry.notna()].to_crs(4326)
    parts = gdf.geometry.explode(index_parts=False)
    bad = ~parts.geom_type.isin(["LineString"])
    if bad.any():
        raise _err(N_("{name}: feature {n} is a {kind}, not a line."), name=path.name,
                   n=int(np.flatnonzero(bad.to_numpy())[0]) + 1, kind=str(parts[bad].iloc[0].geom_type))
    rows = gdf.loc[parts.index]
    coords, idx = shapely.get_coordinates(parts.to_numpy(), return_index=True)

    def col(name):
        return rows[name].to_numpy() if name in rows else np.full(len(rows), None)

    hw = [str(h) for h in col("highway")]
    speeds = np.array([parse_maxspeed(v) for v in col("maxspeed")], dtype=float)
    oneway = np.array([parse_oneway(o, h, j) for o, h, j in zip(col("oneway"), hw, col("junction"))])
    return coords, idx.astype(np.int64), None, hw, speeds, oneway


def read_roads(path: str | Path, profile: Profile, source: str = "") -> tuple[RoadGraph, RoadsReport]:
    """The road graph of a file, checked and bounded (nothing is written here)."""
    path = Path(path)
    _check_file(path)
    name = path.name.lower()
    reader = _read_osm if name.endswith(OSM_SUFFIXES) else _read_lines
    lonlat, line, keys, classes, speeds, oneway = reader(path, profile)
    n_lines = len(classes)
    if n_lines == 0:
        raise _err(N_("{name} holds no road a truck drives (OpenStreetMap highway classes: {classes})."),
                   name=path.name, classes=", ".join(profile.kmh))
    keep = _inside(lonlat, line, n_lines)
    outside = int((~keep).sum())
    if not keep.any():
        raise _err(N_("No road of {name} lies in Lombardy (plus {margin} degrees): is the CRS right? Nothing was "
                      "imported."), name=path.name, margin=MARGIN_DEG)
    vmask = keep[line]
    new_id = np.cumsum(keep) - 1
    lonlat, line = lonlat[vmask], new_id[line[vmask]]
    keys = keys[vmask] if keys is not None else None
    classes = [c for c, k in zip(classes, keep) if k]
    speeds, oneway = speeds[keep], oneway[keep]
    g = node_lines(to_metric(lonlat), line, classes, speeds, oneway, profile, keys=keys, kind=IMPORTED,
                   source=source or path.name)
    if g.n_edges > MAX_EDGES:
        raise _err(N_("{name} makes {n} road edges, more than the {limit} one network may hold: cut the extract "
                      "to Lombardy. Nothing was imported."), name=path.name, n=g.n_edges, limit=MAX_EDGES)
    pieces, share = g.components()
    return g, RoadsReport(ways=len(classes), outside=outside, nodes=g.n_nodes, edges=g.n_edges, pieces=pieces,
                          largest_share=share)
