"""Reading user files into layers: ZIS areas and actors, a ZLS perimeter, infrastructure.

Each reader validates the whole file before anything is written and raises a
:class:`~geo.errors.InputFileError` naming the file, the feature and
the column at fault, so a bad file never touches the catalogue.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import geopandas as gpd
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


def _err(message: str, **params: Any) -> InputFileError:
    """An error with ``message`` (English, marked N_) and its values, translated when shown."""
    return InputFileError(message, **params)


def _regular_file(path: Path) -> None:
    """Refuse what is not a regular file (a folder, /dev/zero, a pipe) before any reader touches it."""
    import stat

    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        raise _err(N_("File not found: {path}"), path=str(path)) from None
    except OSError as exc:
        raise _err(N_("Cannot read {path}: {error}"), path=str(path), error=exc.strerror) from None
    if stat.S_ISDIR(mode):
        raise _err(N_("{path} is a folder: give the file."), path=str(path))
    if not stat.S_ISREG(mode):
        raise _err(N_("{path} is not a regular file (a device, pipe or socket)."), path=str(path))


def _read_vector(path: str | Path) -> gpd.GeoDataFrame:
    path = Path(path)
    _regular_file(path)
    try:
        gdf = pyogrio.read_dataframe(path)
    except Exception as exc:  # GDAL says why in its own words: pass them on
        raise _err(N_("{name} is not a readable vector file (GeoJSON or GeoPackage): {error}"), name=path.name,
                   error=str(exc)) from None
    if "geometry" not in gdf or len(gdf) == 0:
        raise _err(N_("{name}: the file has no features with a geometry."), name=path.name)
    if gdf.crs is None:
        raise _err(N_("{name}: no coordinate reference system (CRS). Save the file with a CRS, e.g. EPSG:4326."),
                   name=path.name)
    return gdf


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


def _to_wgs84_in_lombardy(gdf: gpd.GeoDataFrame, name: str, id_col: str | None,
                          margin_deg: float = 0.0) -> gpd.GeoDataFrame:
    """Reproject to EPSG:4326 and check every feature is near Lombardy (a wrong CRS shows up here)."""
    ll = gdf.to_crs(4326)
    x0, y0, x1, y1 = LOMBARDY_BBOX
    area = shapely.box(x0 - margin_deg, y0 - margin_deg, x1 + margin_deg, y1 + margin_deg)
    far = ~ll.geometry.intersects(area)
    if far.any():
        i = int(far.to_numpy().nonzero()[0][0])
        minx, miny, maxx, maxy = (_coord(v) for v in ll.geometry.iloc[i].bounds)
        raise _err(N_("{name}: feature {feature} ({minx}, {miny} – {maxx}, {maxy} in lon/lat) falls outside Lombardy "
                      "with the declared CRS {crs}: the file's CRS is probably wrong (or latitude and longitude are "
                      "swapped)."), name=name, feature=_label(gdf, i, id_col), minx=minx, miny=miny, maxx=maxx,
                   maxy=maxy, crs=gdf.crs.to_string())
    return ll


def _check_polygons(gdf: gpd.GeoDataFrame, name: str, id_col: str | None) -> None:
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
    gdf = _read_vector(path)
    points = gdf.geometry.geom_type.isin(["Point", "MultiPoint"]).to_numpy()
    areas, actors = gdf[~points].reset_index(drop=True), gdf[points].reset_index(drop=True)
    if len(areas) == 0:
        raise _err(N_("{name}: no polygon: a ZIS has at least one area (its territorial core)."), name=name)
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
    gdf = _read_vector(path).reset_index(drop=True)
    _check_polygons(gdf, name, None)
    ll = _to_wgs84_in_lombardy(gdf, name, None)
    return gpd.GeoDataFrame({"source": [name] * len(gdf)}, geometry=ll.geometry.map(_multi).to_numpy(), crs=4326)


def _read_points_csv(path: Path) -> gpd.GeoDataFrame:
    name = path.name
    _regular_file(path)
    try:
        df = pd.read_csv(path, dtype=str, sep=None, engine="python")  # sniffs ',' or ';'
    except Exception as exc:
        raise _err(N_("{name}: unreadable CSV: {error}"), name=name, error=str(exc)) from None
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
        return new.reset_index(drop=True)
    return gpd.GeoDataFrame(pd.concat([current, new], ignore_index=True), geometry="geometry", crs=4326)
