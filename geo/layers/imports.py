"""Reading user files into layers: ZIS areas and actors, a ZLS perimeter, infrastructure.

Each reader validates the whole file before anything is written and raises a
bilingual :class:`~geo.errors.InputFileError` naming the file, the feature and
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


def _err(it: str, en: str) -> InputFileError:
    return InputFileError(it, en)


def _regular_file(path: Path) -> None:
    """Refuse what is not a regular file (a folder, /dev/zero, a pipe) before any reader touches it."""
    import stat

    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        raise _err(f"File non trovato: {path}", f"File not found: {path}") from None
    except OSError as exc:
        raise _err(f"Impossibile leggere {path}: {exc.strerror}", f"Cannot read {path}: {exc.strerror}") from None
    if stat.S_ISDIR(mode):
        raise _err(f"{path} è una cartella: indicare il file.", f"{path} is a folder: give the file.")
    if not stat.S_ISREG(mode):
        raise _err(f"{path} non è un file regolare (dispositivo, pipe o socket).",
                   f"{path} is not a regular file (a device, pipe or socket).")


def _read_vector(path: str | Path) -> gpd.GeoDataFrame:
    path = Path(path)
    _regular_file(path)
    try:
        gdf = pyogrio.read_dataframe(path)
    except Exception as exc:  # GDAL says why in its own words: pass them on
        raise _err(f"{path.name} non è un file vettoriale leggibile (GeoJSON o GeoPackage): {exc}",
                   f"{path.name} is not a readable vector file (GeoJSON or GeoPackage): {exc}") from None
    if "geometry" not in gdf or len(gdf) == 0:
        raise _err(f"{path.name}: il file non contiene elementi con geometria.",
                   f"{path.name}: the file has no features with a geometry.")
    if gdf.crs is None:
        raise _err(
            f"{path.name}: sistema di riferimento (CRS) mancante. Salvare il file con un CRS, es. EPSG:4326.",
            f"{path.name}: no coordinate reference system (CRS). Save the file with a CRS, e.g. EPSG:4326.")
    return gdf


def _coord(v: float) -> str:
    """A coordinate for a message: 3 decimals, or short scientific notation for absurd ones (1e308)."""
    return f"{v:.3f}" if abs(v) < 1e6 else f"{v:.3g}"


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
        raise _err(
            f"{name}: l'elemento {_label(gdf, i, id_col)} ({minx}, {miny} – {maxx}, {maxy} in "
            f"lon/lat) cade fuori dalla Lombardia con il CRS dichiarato {gdf.crs.to_string()}: il CRS del file è "
            "probabilmente sbagliato (o latitudine e longitudine sono invertite).",
            f"{name}: feature {_label(gdf, i, id_col)} ({minx}, {miny} – {maxx}, {maxy} in "
            f"lon/lat) falls outside Lombardy with the declared CRS {gdf.crs.to_string()}: the file's CRS is "
            "probably wrong (or latitude and longitude are swapped).")
    return ll


def _check_polygons(gdf: gpd.GeoDataFrame, name: str, id_col: str | None) -> None:
    for i, g in enumerate(gdf.geometry):
        label = _label(gdf, i, id_col)
        if g is None or g.is_empty:
            raise _err(f"{name}: elemento {label} senza geometria.", f"{name}: feature {label} has no geometry.")
        if g.geom_type not in ("Polygon", "MultiPolygon"):
            raise _err(f"{name}: l'elemento {label} è un {g.geom_type}, serve un poligono.",
                       f"{name}: feature {label} is a {g.geom_type}, a polygon is needed.")
        if not g.is_valid:
            why = explain_validity(g)
            raise _err(f"{name}: geometria non valida nell'elemento {label}: {why}. Correggerla (es. in QGIS: "
                       "Correggi geometrie).",
                       f"{name}: invalid geometry in feature {label}: {why}. Fix it (e.g. QGIS: Fix geometries).")


def _check_required(gdf: pd.DataFrame, name: str, required: tuple[str, ...], expected: list[str],
                    id_col: str | None, what_it: str, what_en: str) -> None:
    missing = [c for c in required if c not in gdf.columns]
    if missing:
        raise _err(f"{name}: colonne obbligatorie mancanti{what_it}: {', '.join(missing)}. Colonne attese: "
                   f"{', '.join(expected)}.",
                   f"{name}: required columns missing{what_en}: {', '.join(missing)}. Expected columns: "
                   f"{', '.join(expected)}.")
    for c in required:
        empty = gdf[c].map(_blank)
        if empty.any():
            i = int(empty.to_numpy().nonzero()[0][0])
            raise _err(f"{name}: elemento {_label(gdf, i, id_col)}: colonna «{c}» vuota.",
                       f"{name}: feature {_label(gdf, i, id_col)}: column '{c}' is empty.")


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
        raise _err(f"{name}: nessun poligono: una ZIS ha almeno un'area (nucleo territoriale).",
                   f"{name}: no polygon: a ZIS has at least one area (its territorial core).")
    _check_required(areas, name, ZIS_REQUIRED, ZIS_COLUMNS, "zis_id", "", "")
    bad = ~areas["phase"].astype(str).str.strip().isin(ZIS_PHASES)
    if bad.any():
        r = areas[bad].iloc[0]
        raise _err(f"{name}: ZIS {r['zis_id']}: colonna «phase»: fase «{r['phase']}» non ammessa "
                   f"(valori ammessi: {', '.join(ZIS_PHASES)}).",
                   f"{name}: ZIS {r['zis_id']}: column 'phase': phase '{r['phase']}' not allowed "
                   f"(allowed: {', '.join(ZIS_PHASES)}).")
    if areas["zis_id"].astype(str).duplicated().any():
        dup = areas.loc[areas["zis_id"].astype(str).duplicated(), "zis_id"].iloc[0]
        raise _err(f"{name}: zis_id duplicato: {dup} (unire le aree in un MultiPolygon).",
                   f"{name}: duplicate zis_id: {dup} (merge its areas into one MultiPolygon).")
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
        _check_required(actors, name, ("zis_id", "name"), ACTOR_COLUMNS, "name", " (attori, punti)",
                        " (actors, points)")
        ids = set(out["zis_id"])
        orphan = ~actors["zis_id"].astype(str).str.strip().isin(ids)
        if orphan.any():
            i = int(orphan.to_numpy().nonzero()[0][0])
            raise _err(f"{name}: attore {_label(actors, i, 'name')}: colonna «zis_id»: {actors['zis_id'].iloc[i]} "
                       "non corrisponde a nessuna area ZIS del file.",
                       f"{name}: actor {_label(actors, i, 'name')}: column 'zis_id': {actors['zis_id'].iloc[i]} "
                       "matches no ZIS area of the file.")
        helix = actors["helix"] if "helix" in actors else pd.Series(None, index=actors.index)
        bad_h = ~helix.map(_blank) & ~helix.astype(str).str.strip().isin(ZIS_HELICES)
        if bad_h.any():
            i = int(bad_h.to_numpy().nonzero()[0][0])
            raise _err(f"{name}: attore {_label(actors, i, 'name')}: colonna «helix»: «{helix.iloc[i]}» non ammesso "
                       f"(valori ammessi: {', '.join(ZIS_HELICES)}).",
                       f"{name}: actor {_label(actors, i, 'name')}: column 'helix': '{helix.iloc[i]}' not allowed "
                       f"(allowed: {', '.join(ZIS_HELICES)}).")
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
        raise _err(f"{name}: CSV non leggibile: {exc}", f"{name}: unreadable CSV: {exc}") from None
    if len(df) == 0:
        raise _err(f"{name}: il CSV ha solo l'intestazione, nessun punto da importare.",
                   f"{name}: the CSV has only a header, no point to import.")
    cols = {c.strip().lower(): c for c in df.columns}
    lat_c = next((cols[c] for c in ("lat", "latitude", "latitudine", "y") if c in cols), None)
    lon_c = next((cols[c] for c in ("lon", "lng", "long", "longitude", "longitudine", "x") if c in cols), None)
    if lat_c is None or lon_c is None:
        raise _err(f"{name}: servono le colonne lat e lon (trovate: {', '.join(df.columns)}).",
                   f"{name}: columns lat and lon are needed (found: {', '.join(df.columns)}).")
    lat = pd.to_numeric(df[lat_c].str.strip().str.replace(",", ".", regex=False), errors="coerce")
    lon = pd.to_numeric(df[lon_c].str.strip().str.replace(",", ".", regex=False), errors="coerce")
    bad = (lat.isna() | lon.isna()).to_numpy().nonzero()[0]
    if len(bad):
        r = int(bad[0])
        raise _err(f"{name}, riga {r + 2}: coordinate non numeriche ({lat_c}={df[lat_c].iloc[r]!r}, "
                   f"{lon_c}={df[lon_c].iloc[r]!r}).",
                   f"{name}, row {r + 2}: coordinates are not numbers ({lat_c}={df[lat_c].iloc[r]!r}, "
                   f"{lon_c}={df[lon_c].iloc[r]!r}).")
    return gpd.GeoDataFrame(df, geometry=gpd.points_from_xy(lon, lat), crs=4326)


def read_infrastructure(path: str | Path, kind: str, source: str | None = None) -> gpd.GeoDataFrame:
    """Read points of one infrastructure kind (GeoJSON/GeoPackage, or CSV with lat/lon columns).

    Every row keeps ``source`` (default: the file name); ids are
    ``<kind>:<source>:<n>``. A ``name`` (or ``nome``/``denominazione``) column
    is used when present.
    """
    if kind not in INFRA_KINDS:
        raise _err(f"Tipo «{kind}» non ammesso: {', '.join(INFRA_KINDS)}.",
                   f"Kind '{kind}' not allowed: {', '.join(INFRA_KINDS)}.")
    path = Path(path)
    name = path.name
    source = (source or name).strip()
    if path.suffix.lower() in (".csv", ".txt"):
        gdf = _read_points_csv(path)
    else:
        gdf = _read_vector(path)
        types = set(gdf.geometry.geom_type.dropna())
        if not types <= {"Point"}:
            raise _err(f"{name}: servono punti (trovati {', '.join(sorted(types))}).",
                       f"{name}: points are needed (found {', '.join(sorted(types))}).")
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
