"""Reading user files into layers: ZIS areas, a ZLS perimeter, infrastructure.

Each reader validates before anything is written and raises a bilingual
:class:`~geo.errors.InputFileError` naming the file, the feature and the
column at fault, so the catalogue is never touched by a bad file.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
from shapely.validation import explain_validity

from geo.errors import InputFileError
from geo.schema.validate import LOMBARDY_BBOX

ZIS_PHASES = ("candidate", "phase_2", "recognised")
ZIS_COLUMNS = ["zis_id", "name", "sector", "lead_partner", "partners_public", "partners_research",
               "partners_civil", "partners_private", "phase"]
INFRA_KINDS = ("airport", "motorway_junction", "rail_station", "rail_freight_terminal", "port")


def _read_vector(path: str | Path) -> gpd.GeoDataFrame:
    path = Path(path)
    if not path.exists():
        raise InputFileError(f"File non trovato: {path}", f"File not found: {path}")
    try:
        gdf = pyogrio.read_dataframe(path)
    except Exception as exc:
        raise InputFileError(
            f"{path.name} non è un file vettoriale leggibile (GeoJSON o GeoPackage): {exc}",
            f"{path.name} is not a readable vector file (GeoJSON or GeoPackage): {exc}") from None
    if gdf.crs is None:
        raise InputFileError(
            f"{path.name}: sistema di riferimento (CRS) mancante. Salvare il file con un CRS, es. EPSG:4326.",
            f"{path.name}: no coordinate reference system (CRS). Save the file with a CRS, e.g. EPSG:4326.")
    return gdf


def _check_in_lombardy(gdf: gpd.GeoDataFrame, name: str) -> gpd.GeoDataFrame:
    ll = gdf.to_crs(4326)
    x0, y0, x1, y1 = LOMBARDY_BBOX
    minx, miny, maxx, maxy = ll.total_bounds
    if len(ll) and (maxx < x0 or minx > x1 or maxy < y0 or miny > y1):
        raise InputFileError(
            f"{name}: le geometrie ({minx:.3f}, {miny:.3f}, {maxx:.3f}, {maxy:.3f}) cadono fuori dalla Lombardia "
            f"con il CRS dichiarato {gdf.crs.to_string()}: il CRS del file è probabilmente sbagliato.",
            f"{name}: the geometries ({minx:.3f}, {miny:.3f}, {maxx:.3f}, {maxy:.3f}) fall outside Lombardy with "
            f"the declared CRS {gdf.crs.to_string()}: the file's CRS is probably wrong.")
    return ll


def _check_polygons(gdf: gpd.GeoDataFrame, name: str, id_col: str | None) -> None:
    for i, (idx, g) in enumerate(gdf.geometry.items()):
        label = f"{id_col}={gdf[id_col].iloc[i]}" if id_col and id_col in gdf else f"#{i + 1}"
        if g is None or g.is_empty:
            raise InputFileError(f"{name}: elemento {label} senza geometria.", f"{name}: feature {label} has no geometry.")
        if g.geom_type not in ("Polygon", "MultiPolygon"):
            raise InputFileError(f"{name}: elemento {label} è {g.geom_type}, serve un poligono.",
                                 f"{name}: feature {label} is a {g.geom_type}, a polygon is needed.")
        if not g.is_valid:
            why = explain_validity(g)
            raise InputFileError(f"{name}: geometria non valida nell'elemento {label}: {why}. Correggerla (es. in QGIS: "
                                 "Correggi geometrie).",
                                 f"{name}: invalid geometry in feature {label}: {why}. Fix it (e.g. QGIS: Fix geometries).")


def read_zis(path: str | Path) -> gpd.GeoDataFrame:
    """Read and validate a ZIS file (domain.md §3) into the ``zis_areas`` schema."""
    name = Path(path).name
    gdf = _read_vector(path)
    missing = [c for c in ("zis_id", "name", "phase") if c not in gdf.columns]
    if missing:
        raise InputFileError(f"{name}: colonne obbligatorie mancanti: {', '.join(missing)}. Colonne attese: "
                             f"{', '.join(ZIS_COLUMNS)}.",
                             f"{name}: required columns missing: {', '.join(missing)}. Expected columns: "
                             f"{', '.join(ZIS_COLUMNS)}.")
    bad = gdf[~gdf["phase"].isin(ZIS_PHASES)]
    if len(bad):
        r = bad.iloc[0]
        raise InputFileError(f"{name}: ZIS {r['zis_id']}: fase «{r['phase']}» non ammessa ({', '.join(ZIS_PHASES)}).",
                             f"{name}: ZIS {r['zis_id']}: phase '{r['phase']}' not allowed ({', '.join(ZIS_PHASES)}).")
    if gdf["zis_id"].duplicated().any():
        dup = gdf.loc[gdf["zis_id"].duplicated(), "zis_id"].iloc[0]
        raise InputFileError(f"{name}: zis_id duplicato: {dup}.", f"{name}: duplicate zis_id: {dup}.")
    _check_polygons(gdf, name, "zis_id")
    gdf = _check_in_lombardy(gdf, name)
    for c in ZIS_COLUMNS:
        if c not in gdf:
            gdf[c] = None
    gdf["is_demo"] = gdf["is_demo"].fillna(False).astype(bool) if "is_demo" in gdf else False
    gdf["source"] = gdf["source"] if "source" in gdf else name
    gdf["geometry"] = gdf.geometry.map(lambda g: g if g.geom_type == "MultiPolygon" else
                                       __import__("shapely").MultiPolygon([g]))
    return gpd.GeoDataFrame(gdf[ZIS_COLUMNS + ["is_demo", "source", "geometry"]], geometry="geometry", crs=4326)


def read_zls_perimeter(path: str | Path) -> gpd.GeoDataFrame:
    """Read and validate a real ZLS perimeter (polygons)."""
    name = Path(path).name
    gdf = _read_vector(path)
    _check_polygons(gdf, name, None)
    gdf = _check_in_lombardy(gdf, name)
    out = gpd.GeoDataFrame({"source": [name] * len(gdf)}, geometry=gdf.geometry.values, crs=4326)
    return out


def read_infrastructure(path: str | Path, kind: str, source: str | None = None) -> gpd.GeoDataFrame:
    """Read points of one infrastructure kind from GeoJSON/GeoPackage, or CSV with lat/lon columns."""
    if kind not in INFRA_KINDS:
        raise InputFileError(f"Tipo «{kind}» non ammesso: {', '.join(INFRA_KINDS)}.",
                             f"Kind '{kind}' not allowed: {', '.join(INFRA_KINDS)}.")
    path = Path(path)
    name = path.name
    source = source or name
    if path.suffix.lower() == ".csv":
        if not path.exists():
            raise InputFileError(f"File non trovato: {path}", f"File not found: {path}")
        try:
            df = pd.read_csv(path, dtype=str)
        except Exception as exc:
            raise InputFileError(f"{name}: CSV non leggibile: {exc}", f"{name}: unreadable CSV: {exc}") from None
        cols = {c.lower(): c for c in df.columns}
        lat_c = next((cols[c] for c in ("lat", "latitude", "latitudine", "y") if c in cols), None)
        lon_c = next((cols[c] for c in ("lon", "lng", "longitude", "longitudine", "x") if c in cols), None)
        if lat_c is None or lon_c is None:
            raise InputFileError(f"{name}: servono le colonne lat e lon (trovate: {', '.join(df.columns)}).",
                                 f"{name}: columns lat and lon are needed (found: {', '.join(df.columns)}).")
        lat = pd.to_numeric(df[lat_c].str.replace(",", "."), errors="coerce")
        lon = pd.to_numeric(df[lon_c].str.replace(",", "."), errors="coerce")
        bad = df.index[lat.isna() | lon.isna()]
        if len(bad):
            r = int(bad[0]) + 2
            raise InputFileError(f"{name}, riga {r}: coordinate non numeriche.", f"{name}, row {r}: coordinates are not numbers.")
        gdf = gpd.GeoDataFrame(df, geometry=gpd.points_from_xy(lon, lat), crs=4326)
    else:
        gdf = _read_vector(path)
        if not all(t in ("Point",) for t in gdf.geometry.geom_type.unique()):
            raise InputFileError(f"{name}: servono punti (trovati {', '.join(gdf.geometry.geom_type.unique())}).",
                                 f"{name}: points are needed (found {', '.join(gdf.geometry.geom_type.unique())}).")
    gdf = _check_in_lombardy(gdf, name)
    name_col = next((c for c in ("name", "nome", "denominazione") if c in gdf.columns), None)
    names = gdf[name_col].astype(str) if name_col else pd.Series([f"{kind} {i + 1}" for i in range(len(gdf))])
    return gpd.GeoDataFrame({
        "infra_id": [f"{kind}:{source}:{i}" for i in range(len(gdf))],
        "kind": kind, "name": names.values, "iata": None, "icao": None, "subkind": kind, "source": source,
    }, geometry=gdf.geometry.values, crs=4326)
