"""Reading user files into layers: ZIS areas and actors, a ZLS perimeter, infrastructure.

Each reader validates the whole file before anything is written and raises a
:class:`~geo.errors.InputFileError` naming the file, the feature and
the column at fault, so a bad file never touches the catalogue.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
from shapely.validation import explain_validity

from geo.errors import InputFileError
from geo.i18n import N_
from geo.schema.validate import LOMBARDY_BBOX

ZIS_PHASES = ("candidate", "phase_2", "recognised")
ZIS_REQUIRED = ("zis_id", "name", "phase")
ZIS_COLUMNS = ["zis_id", "name", "sector", "lead_partner", "partners_public", "partners_research",
               "partners_civil", "partners_private", "phase"]
ZIS_HELICES = ("public", "research", "civil", "private")
ACTOR_COLUMNS = ["zis_id", "name", "helix"]
INFRA_KINDS = ("airport", "motorway_junction", "rail_station", "rail_freight_terminal", "port")
INFRA_COLUMNS = ["infra_id", "kind", "name", "iata", "icao", "subkind", "source"]
#: Infrastructure may lie beyond the border (the port of Genoa, a junction in
#: Piacenza), but not this far: more means a wrong CRS or swapped coordinates.
INFRA_MARGIN_DEG = 1.5
#: Areas (ZIS cores, the ZLS perimeter) lie in Lombardy: 0.1 degree (about 8 km east-west, 11 km north-south)
#: around the region's bounding box absorbs a border drawn on the Po or in the Alps at another scale, no more.
AREA_MARGIN_DEG = 0.1

#: Rows one file may hold, per import. Lombardy has 554 railway stations, 166 motorway exits and 22 airports
#: (the layers built from the Region's data); Italy has about 2,200 stations. 10,000 points is more than any
#: kind holds in the whole country, and a map of them still draws in the browser.
MAX_POINT_ROWS = 10_000
#: Rows of a whole point layer (``infrastructure``, ``innovation_actors``) after a merge: five kinds at the
#: per-file limit. The find page is measured with a layer this size (benchmarks/bench_big_layer.py).
MAX_LAYER_ROWS = 50_000
#: Polygons one file may hold: Lombardy has 1,503 municipalities; a ZIS file holds a few areas and the ZLS a
#: few hundred parcels (3,303 ha); 10,000 leaves room for a parcel-level perimeter.
MAX_AREA_ROWS = 10_000
#: Vertices of all the polygons of one file: the 1,503 municipal boundaries of the region hold 96,488;
#: ten times that allows a perimeter drawn on the cadastre while keeping every later overlay fast.
MAX_VERTICES = 1_000_000
#: Bytes of one file: 10,000 points as GeoJSON are about 2 MB and a million vertices about 40 MB;
#: 256 MB leaves room for verbose attributes, and refuses a file that would take the server's memory.
MAX_FILE_BYTES = 256 * 1024 * 1024


def _err(message: str, **params: Any) -> InputFileError:
    """An error with ``message`` (English, marked N_) and its values, translated when shown."""
    return InputFileError(message, **params)


def _regular_file(path: Path) -> None:
    """Refuse what is not a regular file (a folder, /dev/zero, a pipe) before any reader touches it."""
    import stat

    try:
        st = path.stat()
    except FileNotFoundError:
        raise _err(N_("File not found: {path}"), path=str(path)) from None
    except OSError as exc:
        raise _err(N_("Cannot read {path}: {error}"), path=str(path), error=exc.strerror) from None
    mode = st.st_mode
    if stat.S_ISDIR(mode):
        raise _err(N_("{path} is a folder: give the file."), path=str(path))
    if not stat.S_ISREG(mode):
        raise _err(N_("{path} is not a regular file (a device, pipe or socket)."), path=str(path))
    size = st.st_size
    if size > MAX_FILE_BYTES:
        raise _err(N_("{name} is {size} MB, more than the {limit} MB an import may read: split the file or "
                      "keep only the features of Lombardy."), name=path.name,
                   size=lambda _: _.integer(size // 2**20), limit=lambda _: _.integer(MAX_FILE_BYTES // 2**20))


def _too_many(name: str, limit: int) -> InputFileError:
    return _err(N_("{name} holds more than {limit} features, the most one import accepts: split the file or keep "
                   "only the features of Lombardy. Nothing was imported."), name=name,
                limit=lambda _: _.integer(limit))


def _read_vector(path: str | Path, max_rows: int = MAX_POINT_ROWS) -> gpd.GeoDataFrame:
    path = Path(path)
    _regular_file(path)
    try:  # one more than the limit: enough to know the file is too long, never the whole of a huge file
        gdf = pyogrio.read_dataframe(path, max_features=max_rows + 1)
    except Exception as exc:  # GDAL says why in its own words: pass them on
        _name_unreadable_feature(path, max_rows + 1)
        raise _err(N_("{name} is not a readable vector file (GeoJSON or GeoPackage): {error}"), name=path.name,
                   error=str(exc)) from None
    if len(gdf) > max_rows:
        raise _too_many(path.name, max_rows)
    if "geometry" not in gdf or len(gdf) == 0:
        raise _err(N_("{name}: the file has no features with a geometry."), name=path.name)
    if gdf.crs is None:
        raise _err(N_("{name}: no coordinate reference system (CRS). Save the file with a CRS, e.g. EPSG:4326."),
                   name=path.name)
    return gdf


def _name_unreadable_feature(path: Path, n: int) -> None:
    """When GDAL cannot read a file whose features it can list, find the first feature whose geometry it cannot
    read, by halving (a few dozen reads for the largest file), and raise an error naming it (else return: the
    caller reports the file as unreadable)."""
    import pyogrio.raw

    try:
        attrs = pyogrio.read_dataframe(path, read_geometry=False, max_features=n)
    except Exception:  # noqa: BLE001 - the file itself is unreadable: the caller says so
        return

    def readable(skip: int, count: int) -> bool:
        try:
            wkb = pyogrio.raw.read(path, columns=[], skip_features=skip, max_features=count)[2]
            return all(b is not None and shapely.from_wkb(b) is not None for b in wkb)
        except Exception:  # noqa: BLE001 - any failure here is a feature's geometry
            return False

    lo, hi = 0, len(attrs)
    if hi == 0 or readable(lo, hi):
        return
    while hi - lo > 1:  # the first unreadable feature is in [lo, hi)
        mid = (lo + hi) // 2
        if readable(lo, mid - lo):
            lo = mid
        else:
            hi = mid
    id_col = next((c for c in attrs.columns if c.strip().lower() in ("zis_id", "name", "nome")), None)
    raise _err(N_("{name}: feature {feature} has no readable geometry (missing, empty or corrupt). Fix or remove "
                  "it and import again."), name=path.name, feature=_label(attrs, lo, id_col))


def _coord(v: float):
    """A coordinate for a message, written when the reader's language is known: 3 decimals in the
    reader's digits, or short scientific notation for absurd ones (1e308)."""
    return lambda _: _.number(v, 3, trim=False) if abs(v) < 1e6 else f"{v:.3g}"


def _label(gdf: pd.DataFrame, i: int, id_col: str | None) -> str:
    if id_col and id_col in gdf and not _blank(gdf[id_col].iloc[i]):
        return f"{id_col}={gdf[id_col].iloc[i]}"
    return f"#{i + 1}"


def _blank(v: Any) -> bool:
    return v is None or (isinstance(v, float) and pd.isna(v)) or v is pd.NA or str(v).strip() == ""


def _check_readable(gdf: gpd.GeoDataFrame, name: str, id_col: str | None) -> None:
    """Refuse a feature whose geometry is missing or could not be read (GDAL reads a corrupt one as none)."""
    bad = gdf.geometry.isna() | gdf.geometry.is_empty
    if bad.any():
        i = int(bad.to_numpy().nonzero()[0][0])
        raise _err(N_("{name}: feature {feature} has no readable geometry (missing, empty or corrupt). Fix or remove "
                      "it and import again."), name=name, feature=_label(gdf, i, id_col))


def _to_wgs84_in_lombardy(gdf: gpd.GeoDataFrame, name: str, id_col: str | None,
                          margin_deg: float = AREA_MARGIN_DEG) -> gpd.GeoDataFrame:
    """Reproject to EPSG:4326 and check every feature lies within Lombardy's bounding box plus ``margin_deg``.

    A feature wholly outside usually means a wrong CRS; one that reaches beyond (a world-sized polygon) is
    refused too, naming the feature.
    """
    _check_readable(gdf, name, id_col)
    with np.errstate(all="ignore"):
        ll = gdf.to_crs(4326)
    x0, y0, x1, y1 = LOMBARDY_BBOX
    m = margin_deg
    area = shapely.box(x0 - m, y0 - m, x1 + m, y1 + m)
    bounds = shapely.bounds(ll.geometry.to_numpy())
    far = ~ll.geometry.intersects(area).to_numpy()
    out = (~np.all(np.isfinite(bounds), axis=1) | (bounds[:, 0] < x0 - m) | (bounds[:, 1] < y0 - m)
           | (bounds[:, 2] > x1 + m) | (bounds[:, 3] > y1 + m))
    beyond = ~far & out
    if far.any() or beyond.any():
        i = int((far | beyond).nonzero()[0][0])
        minx, miny, maxx, maxy = (_coord(v) for v in bounds[i])
        if far[i]:
            raise _err(N_("{name}: feature {feature} ({minx}, {miny} – {maxx}, {maxy} in lon/lat) falls outside "
                          "Lombardy with the declared CRS {crs}: the file's CRS is probably wrong (or latitude and "
                          "longitude are swapped)."), name=name, feature=_label(gdf, i, id_col), minx=minx,
                       miny=miny, maxx=maxx, maxy=maxy, crs=gdf.crs.to_string())
        raise _err(N_("{name}: feature {feature} reaches beyond Lombardy ({minx}, {miny} – {maxx}, {maxy} in lon/lat; "
                      "at most {margin}° outside the region's bounding box is accepted). Keep only its part in "
                      "Lombardy. Nothing was imported."), name=name, feature=_label(gdf, i, id_col), minx=minx,
                   miny=miny, maxx=maxx, maxy=maxy, margin=lambda _: _.number(m, 2))
    return ll


def _check_polygons(gdf: gpd.GeoDataFrame, name: str, id_col: str | None) -> None:
    vertices = int(shapely.get_num_coordinates(gdf.geometry.to_numpy()).sum())
    if vertices > MAX_VERTICES:
        raise _err(N_("{name}: the polygons have {n} vertices, more than the {limit} an import accepts: simplify "
                      "them (e.g. QGIS: Simplify, 1 m tolerance). Nothing was imported."), name=name,
                   n=lambda _: _.integer(vertices), limit=lambda _: _.integer(MAX_VERTICES))
    for i, g in enumerate(gdf.geometry):
        label = _label(gdf, i, id_col)
        if g is None or g.is_empty:
            raise _err(N_("{name}: feature {feature} has no geometry."), name=name, feature=label)
        if g.geom_type not in ("Polygon", "MultiPolygon"):
            raise _err(N_("{name}: feature {feature} is a {type}, a polygon is needed."), name=name, feature=label,
                       type=g.geom_type)
        if not g.is_valid:
            raise _err(N_("{name}: invalid geometry in feature {feature}: {why}. Fix it (e.g. QGIS: Fix geometries)."),
                       name=name, feature=label, why=explain_validity(g))


def _check_required(gdf: pd.DataFrame, name: str, required: tuple[str, ...], expected: list[str],
                    id_col: str | None, actors: bool = False) -> None:
    missing = [c for c in required if c not in gdf.columns]
    if missing:
        message = (N_("{name}: required columns missing (actors, points): {missing}. Expected columns: {expected}.")
                   if actors else
                   N_("{name}: required columns missing: {missing}. Expected columns: {expected}."))
        raise _err(message, name=name, missing=", ".join(missing), expected=", ".join(expected))
    for c in required:
        empty = gdf[c].map(_blank)
        if empty.any():
            i = int(empty.to_numpy().nonzero()[0][0])
            raise _err(N_("{name}: feature {feature}: column '{column}' is empty."), name=name,
                       feature=_label(gdf, i, id_col), column=c)


def _multi(g):
    return g if g.geom_type == "MultiPolygon" else shapely.MultiPolygon([g])


def _is_demo(gdf: pd.DataFrame) -> pd.Series:
    if "is_demo" not in gdf:
        return pd.Series(False, index=gdf.index)
    return gdf["is_demo"].map(lambda v: str(v).strip().lower() in ("1", "true", "yes", "sì", "si"))


def read_zis(path: str | Path) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Read and validate a ZIS file (domain.md §3).

    Polygons are the territorial cores (layer ``zis_areas``: ``zis_id``,
    ``name``, ``phase`` required; ``phase`` one of :data:`ZIS_PHASES`). Points,
    if any, are actors outside the core (layer ``zis_actors``: ``zis_id`` of an
    area of the same file, ``name``, optional ``helix`` in :data:`ZIS_HELICES`).

    Returns
    -------
    (areas, actors)
        Two GeoDataFrames in EPSG:4326 (``actors`` may be empty).

    Raises
    ------
    InputFileError
        Naming the feature and the column at fault, in Italian and English.
    """
    name = Path(path).name
    gdf = _read_vector(path, MAX_AREA_ROWS + MAX_POINT_ROWS)
    _check_readable(gdf, name, "zis_id" if "zis_id" in gdf else None)
    points = gdf.geometry.geom_type.isin(["Point", "MultiPoint"]).to_numpy()
    areas, actors = gdf[~points].reset_index(drop=True), gdf[points].reset_index(drop=True)
    if len(areas) == 0:
        raise _err(N_("{name}: no polygon: a ZIS has at least one area (its territorial core)."), name=name)
    if len(areas) > MAX_AREA_ROWS:
        raise _too_many(name, MAX_AREA_ROWS)
    if len(actors) > MAX_POINT_ROWS:
        raise _too_many(name, MAX_POINT_ROWS)
    _check_required(areas, name, ZIS_REQUIRED, ZIS_COLUMNS, "zis_id")
    bad = ~areas["phase"].astype(str).str.strip().isin(ZIS_PHASES)
    if bad.any():
        r = areas[bad].iloc[0]
        raise _err(N_("{name}: ZIS {zis}: column 'phase': phase '{phase}' not allowed (allowed: {allowed})."),
                   name=name, zis=r["zis_id"], phase=r["phase"], allowed=", ".join(ZIS_PHASES))
    if areas["zis_id"].astype(str).duplicated().any():
        dup = areas.loc[areas["zis_id"].astype(str).duplicated(), "zis_id"].iloc[0]
        raise _err(N_("{name}: duplicate zis_id: {zis} (merge its areas into one MultiPolygon)."), name=name, zis=dup)
    _check_polygons(areas, name, "zis_id")
    areas_ll = _to_wgs84_in_lombardy(areas, name, "zis_id")
    out = pd.DataFrame({c: (areas[c] if c in areas else None) for c in ZIS_COLUMNS})
    out["zis_id"] = out["zis_id"].astype(str).str.strip()
    out["phase"] = out["phase"].astype(str).str.strip()
    out["is_demo"] = _is_demo(areas).to_numpy()
    out["source"] = areas["source"].to_numpy() if "source" in areas else name
    zis_areas = gpd.GeoDataFrame(out, geometry=areas_ll.geometry.map(_multi).to_numpy(), crs=4326)

    actors_out = gpd.GeoDataFrame({c: pd.Series(dtype=object) for c in ACTOR_COLUMNS + ["is_demo", "source"]},
                                  geometry=gpd.GeoSeries([], crs=4326), crs=4326)
    if len(actors):
        _check_required(actors, name, ("zis_id", "name"), ACTOR_COLUMNS, "name", actors=True)
        ids = set(out["zis_id"])
        orphan = ~actors["zis_id"].astype(str).str.strip().isin(ids)
        if orphan.any():
            i = int(orphan.to_numpy().nonzero()[0][0])
            raise _err(N_("{name}: actor {actor}: column 'zis_id': {zis} matches no ZIS area of the file."),
                       name=name, actor=_label(actors, i, "name"), zis=actors["zis_id"].iloc[i])
        helix = actors["helix"] if "helix" in actors else pd.Series(None, index=actors.index)
        bad_h = ~helix.map(_blank) & ~helix.astype(str).str.strip().isin(ZIS_HELICES)
        if bad_h.any():
            i = int(bad_h.to_numpy().nonzero()[0][0])
            raise _err(N_("{name}: actor {actor}: column 'helix': '{helix}' not allowed (allowed: {allowed})."),
                       name=name, actor=_label(actors, i, "name"), helix=helix.iloc[i], allowed=", ".join(ZIS_HELICES))
        actors_ll = _to_wgs84_in_lombardy(actors, name, "name", margin_deg=INFRA_MARGIN_DEG)
        actors_out = gpd.GeoDataFrame({
            "zis_id": actors["zis_id"].astype(str).str.strip().to_numpy(),
            "name": actors["name"].astype(str).to_numpy(),
            "helix": helix.where(~helix.map(_blank), None).to_numpy(),
            "is_demo": _is_demo(actors).to_numpy(),
            "source": actors["source"].to_numpy() if "source" in actors else name,
        }, geometry=actors_ll.geometry.map(lambda g: g if g.geom_type == "Point" else g.centroid).to_numpy(),
            crs=4326)
    return zis_areas, actors_out


def read_zls_perimeter(path: str | Path) -> gpd.GeoDataFrame:
    """Read and validate a real ZLS perimeter (polygons) into layer ``zls_perimeter``."""
    name = Path(path).name
    gdf = _read_vector(path, MAX_AREA_ROWS).reset_index(drop=True)
    _check_readable(gdf, name, None)
    _check_polygons(gdf, name, None)
    ll = _to_wgs84_in_lombardy(gdf, name, None)
    return gpd.GeoDataFrame({"source": [name] * len(gdf)}, geometry=ll.geometry.map(_multi).to_numpy(), crs=4326)


def _read_points_csv(path: Path) -> gpd.GeoDataFrame:
    name = path.name
    _regular_file(path)
    try:
        # sniffs ',' or ';'; one row more than the limit tells a file too long without reading all of it
        df = pd.read_csv(path, dtype=str, sep=None, engine="python", nrows=MAX_POINT_ROWS + 1)
    except Exception as exc:
        raise _err(N_("{name}: unreadable CSV: {error}"), name=name, error=str(exc)) from None
    if len(df) > MAX_POINT_ROWS:
        raise _too_many(name, MAX_POINT_ROWS)
    if len(df) == 0:
        raise _err(N_("{name}: the CSV has only a header, no point to import."), name=name)
    cols = {c.strip().lower(): c for c in df.columns}
    lat_c = next((cols[c] for c in ("lat", "latitude", "latitudine", "y") if c in cols), None)
    lon_c = next((cols[c] for c in ("lon", "lng", "long", "longitude", "longitudine", "x") if c in cols), None)
    if lat_c is None or lon_c is None:
        raise _err(N_("{name}: columns lat and lon are needed (found: {found})."), name=name,
                   found=", ".join(df.columns))
    lat = pd.to_numeric(df[lat_c].str.strip().str.replace(",", ".", regex=False), errors="coerce")
    lon = pd.to_numeric(df[lon_c].str.strip().str.replace(",", ".", regex=False), errors="coerce")
    bad = (lat.isna() | lon.isna()).to_numpy().nonzero()[0]
    if len(bad):
        r = int(bad[0])
        raise _err(N_("{name}, row {row}: coordinates are not numbers ({values})."), name=name, row=r + 2,
                   values=f"{lat_c}={df[lat_c].iloc[r]!r}, {lon_c}={df[lon_c].iloc[r]!r}")
    return gpd.GeoDataFrame(df, geometry=gpd.points_from_xy(lon, lat), crs=4326)


def read_infrastructure(path: str | Path, kind: str, source: str | None = None) -> gpd.GeoDataFrame:
    """Read points of one infrastructure kind (GeoJSON/GeoPackage, or CSV with lat/lon columns).

    Every row keeps ``source`` (default: the file name); ids are
    ``<kind>:<source>:<n>``. A ``name`` (or ``nome``/``denominazione``) column
    is used when present.
    """
    if kind not in INFRA_KINDS:
        raise _err(N_("Kind '{kind}' not allowed: {allowed}."), kind=kind, allowed=", ".join(INFRA_KINDS))
    path = Path(path)
    name = path.name
    source = (source or name).strip()
    if path.suffix.lower() in (".csv", ".txt"):
        gdf = _read_points_csv(path)
    else:
        gdf = _read_vector(path)
        _check_readable(gdf, name, next((c for c in gdf.columns if c.strip().lower() in ("name", "nome")), None))
        types = set(gdf.geometry.geom_type.dropna())
        if not types <= {"Point"}:
            raise _err(N_("{name}: points are needed (found {found})."), name=name, found=", ".join(sorted(types)))
    gdf = gdf.reset_index(drop=True)
    name_col = next((c for c in gdf.columns if c.strip().lower() in ("name", "nome", "denominazione")), None)
    ll = _to_wgs84_in_lombardy(gdf, name, name_col, margin_deg=INFRA_MARGIN_DEG)
    names = (gdf[name_col].astype(str) if name_col
             else pd.Series([f"{kind} {i + 1}" for i in range(len(gdf))]))
    return gpd.GeoDataFrame({
        "infra_id": [f"{kind}:{source}:{i}" for i in range(len(gdf))],
        "kind": kind, "name": names.to_numpy(), "iata": None, "icao": None, "subkind": kind, "source": source,
    }, geometry=ll.geometry.to_numpy(), crs=4326)


def merge_infrastructure(current: gpd.GeoDataFrame, new: gpd.GeoDataFrame, kind: str) -> gpd.GeoDataFrame:
    """Append ``new`` rows of ``kind``; rows of the same kind *and* source are replaced, others kept.

    >>> import geopandas as gpd
    >>> from shapely.geometry import Point
    >>> def f(src, n): return gpd.GeoDataFrame({"kind": ["port"] * n, "source": [src] * n},
    ...                                          geometry=[Point(9, 45)] * n, crs=4326)
    >>> len(merge_infrastructure(f("a", 2), f("a", 1), "port")), len(merge_infrastructure(f("a", 2), f("b", 1), "port"))
    (1, 3)
    """
    sources = set(new["source"])
    if len(current):
        current = current[~((current["kind"] == kind) & current["source"].isin(sources))]
    if len(current) == 0:
        return check_layer_rows("infrastructure", new.reset_index(drop=True))
    merged = gpd.GeoDataFrame(pd.concat([current, new], ignore_index=True), geometry="geometry", crs=4326)
    return check_layer_rows("infrastructure", merged)


def check_layer_rows(layer: str, merged: gpd.GeoDataFrame, limit: int | None = None) -> gpd.GeoDataFrame:
    """``merged`` if it holds at most ``limit`` rows (default :data:`MAX_LAYER_ROWS`), else an
    :class:`InputFileError` (raised inside the import's transaction: nothing is written)."""
    limit = MAX_LAYER_ROWS if limit is None else limit
    if len(merged) > limit:
        raise _err(N_("Layer {layer} would hold {n} rows after this import, more than the {limit} it may hold: "
                      "re-import a source with fewer rows (same --source) instead of adding one. Nothing was "
                      "imported."), layer=layer, n=lambda _: _.integer(len(merged)),
                   limit=lambda _: _.integer(limit))
    return merged
