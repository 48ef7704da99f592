"""Conversion between the in-memory sites frame and what a GeoPackage stores.

GeoPackage has no nullable booleans or integers that survive every driver
round trip, so booleans and integers are stored as REAL (1/0/NULL) and
restored to pandas ``boolean`` / ``Int64`` on read, following
:func:`geo.schema.storage_columns`.
"""

from __future__ import annotations

from typing import Any, Iterable

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.schema import FIELD, storage_columns

SITE_COLUMNS = storage_columns()


def empty_sites() -> gpd.GeoDataFrame:
    df = pd.DataFrame({c: pd.Series(dtype=t) for c, t in SITE_COLUMNS.items()})
    return gpd.GeoDataFrame(df, geometry=gpd.GeoSeries([], crs=4326), crs=4326)


def normalise_sites(df: pd.DataFrame) -> gpd.GeoDataFrame:
    """Give a sites frame exactly the schema's columns and dtypes (missing -> null)."""
    out = {}
    for c, t in SITE_COLUMNS.items():
        s = df[c] if c in df else pd.Series([None] * len(df), index=df.index)
        if t == "boolean":
            s = s.map(lambda v: None if v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NA
                      else bool(v)).astype("boolean")
        elif t == "Int64":
            s = pd.to_numeric(s, errors="coerce").round().astype("Int64")
        elif t == "float64":
            s = pd.to_numeric(s, errors="coerce").astype("float64")
        else:
            s = s.astype(object).where(s.notna(), None)
        out[c] = s
    gcol = getattr(df, "_geometry_column_name", None)
    geom = df[gcol] if isinstance(df, gpd.GeoDataFrame) and gcol in df.columns else None
    if geom is None:
        geom = gpd.points_from_xy(out["lon"], out["lat"], crs=4326)
    return gpd.GeoDataFrame(pd.DataFrame(out, index=df.index), geometry=geom, crs=4326)


def to_storage(sites: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    out = sites.copy()
    for c, t in SITE_COLUMNS.items():
        if t in ("boolean", "Int64"):
            out[c] = out[c].astype("float64")
    return out


def records_to_frame(records: Iterable[dict[str, Any]]) -> gpd.GeoDataFrame:
    """Records (typed values, ``key__prov``) -> a normalised point frame."""
    rows = [{k: v for k, v in r.items() if k != "outline"} for r in records]
    df = pd.DataFrame(rows)
    return normalise_sites(df)


def to_python(v: Any) -> Any:
    """A pandas/NumPy cell as a plain Python value (None for every kind of missing)."""
    if v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v)):
        return None
    if isinstance(v, (np.bool_, bool)):
        return bool(v)
    if isinstance(v, np.integer):
        return int(v)
    if isinstance(v, np.floating):
        return None if np.isnan(v) else float(v)
    return v


def row_to_record(row: pd.Series) -> dict[str, Any]:
    """A sites row -> a record dict with plain Python values (None for unknown)."""
    rec: dict[str, Any] = {c: to_python(row.get(c)) for c in SITE_COLUMNS}
    for c, f in FIELD.items():
        if f.kind == "int" and rec.get(c) is not None:
            rec[c] = int(rec[c])
    return rec


def _typed(v: Any, dtype: str) -> Any:
    v = to_python(v)
    if v is None:
        return None
    if dtype == "boolean":
        return bool(v)
    if dtype == "Int64":
        return int(round(float(v)))
    if dtype == "float64":
        return float(v)
    return v


def normalise_record(rec: dict[str, Any]) -> dict[str, Any]:
    """A record with exactly the schema's columns, typed like :func:`row_to_record` (no pandas: one listing
    is written in microseconds, whatever the size of the catalogue)."""
    return {c: _typed(rec.get(c), t) for c, t in SITE_COLUMNS.items()}


def frame_records(raw: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows of a stored sites frame as normalised records (column by column, not row by row)."""
    if len(raw) == 0:
        return []
    cols = {c: (raw[c].tolist() if c in raw else [None] * len(raw)) for c in SITE_COLUMNS}
    return [{c: _typed(cols[c][i], t) for c, t in SITE_COLUMNS.items()} for i in range(len(raw))]


def storage_frame(records: list[dict[str, Any]]) -> gpd.GeoDataFrame:
    """Normalised records -> the frame stored in the ``sites`` table (booleans and integers as REAL)."""
    data = {}
    for c, t in SITE_COLUMNS.items():
        vals = [r[c] for r in records]
        if t in ("boolean", "Int64", "float64"):
            data[c] = np.array([np.nan if v is None else float(v) for v in vals], dtype="float64")
        else:
            arr = np.empty(len(vals), dtype=object)
            arr[:] = vals
            data[c] = pd.Series(arr, dtype=object, copy=False)
    df = pd.DataFrame(data, copy=False)
    return gpd.GeoDataFrame(df, geometry=gpd.points_from_xy(df["lon"], df["lat"], crs=4326), crs=4326)
