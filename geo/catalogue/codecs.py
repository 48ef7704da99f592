"""Codecs the two stores share: column types, cell values, frames in and out, quoted names.

Used by :mod:`geo.catalogue.gpkg_db` and :mod:`geo.catalogue.postgis_db` (and the migrations); kept
out of the protocol module :mod:`geo.catalogue.db` so that it imports no store.
"""

from __future__ import annotations

import json
import math
from typing import Any, Mapping, Sequence

import geopandas as gpd
import numpy as np
import pandas as pd

GEOM = "geom"  # the geometry column's name in storage (GDAL's default for GeoPackage)


def binary_series(values: Sequence[Any] = ()) -> pd.Series:
    """A column of bytes (None for missing) whose storage type is BLOB even when it is empty.

    An object column holding bytes is stored as BLOB too; an *empty* one cannot say so, hence this
    dtype (Arrow's ``binary``), which a read of a BLOB column also returns, so a copy keeps the type.
    """
    import pyarrow as pa

    return pd.Series([None if v is None else bytes(v) for v in values], dtype=pd.ArrowDtype(pa.binary()))


def _is_binary(s: pd.Series) -> bool:
    dt = s.dtype
    if isinstance(dt, pd.ArrowDtype):
        import pyarrow as pa

        return pa.types.is_binary(dt.pyarrow_dtype) or pa.types.is_large_binary(dt.pyarrow_dtype)
    if pd.api.types.is_object_dtype(dt) and len(s):
        present = s.notna().to_numpy()
        return bool(present.any()) and isinstance(s.iloc[int(present.argmax())], (bytes, bytearray, memoryview))
    return False


def column_type(s: pd.Series) -> str:
    """The storage type of a pandas column: BOOLEAN, INTEGER, REAL, BLOB (bytes) or TEXT."""
    dt = s.dtype
    if _is_binary(s):
        return "BLOB"
    if pd.api.types.is_bool_dtype(dt):
        return "BOOLEAN"
    if pd.api.types.is_integer_dtype(dt):
        return "INTEGER"
    if pd.api.types.is_float_dtype(dt):
        return "REAL"
    return "TEXT"


def geometry_type(geoms: gpd.GeoSeries) -> str:
    """The declared geometry type of a column: the common type, promoted to multi, else GEOMETRY."""
    kinds = {t for t in geoms.geom_type.dropna().unique()}
    if not kinds:
        return "GEOMETRY"
    base = {k.replace("Multi", "") for k in kinds}
    if len(base) > 1:
        return "GEOMETRY"
    (b,) = base
    return ("MULTI" + b.upper()) if any(k.startswith("Multi") for k in kinds) else b.upper()


def py_value(v: Any, kind: str, column: str | None = None) -> Any:
    """A cell as the plain Python value a DB-API driver stores (None for every kind of missing).

    Text holding a NUL character is refused here, before any write, on both stores alike (SQLite would
    store it, PostgreSQL refuses it with a driver error): a :class:`~geo.errors.UserError` naming
    ``column``.
    """
    if isinstance(v, str) and "\x00" in v:
        from geo.errors import UserError
        from geo.i18n import N_

        raise UserError(N_("{column}: the text contains a NUL character (U+0000), which the catalogue does not "
                           "store; nothing was written. Remove the character and try again."),
                        column=column or "?")
    if v is None or v is pd.NA or v is pd.NaT:
        return None
    if kind == "BLOB" or isinstance(v, (bytes, bytearray, memoryview)):
        return bytes(v) if isinstance(v, (bytes, bytearray, memoryview)) else str(v).encode()
    if isinstance(v, (float, np.floating)):
        return None if math.isnan(v) else float(v)
    if isinstance(v, (np.bool_, bool)):
        return bool(v) if kind == "BOOLEAN" else (int(v) if kind == "INTEGER" else
                                                   float(v) if kind == "REAL" else str(bool(v)))
    if isinstance(v, np.integer):
        return int(v)
    if isinstance(v, (dict, list)):
        return json.dumps(v, ensure_ascii=False, default=str)
    if isinstance(v, (pd.Timestamp,)):
        return v.isoformat()
    if kind == "TEXT" and not isinstance(v, str):
        return str(v)
    return v


def rows_of(frame: pd.DataFrame, columns: Sequence[str], kinds: Mapping[str, str]) -> list[list[Any]]:
    """The frame's attribute cells, column by column converted for the driver."""
    cols = [[py_value(v, kinds.get(c, "TEXT"), c) for v in frame[c].tolist()] for c in columns]
    return [list(r) for r in zip(*cols)] if cols else [[] for _ in range(len(frame))]


def split_geometry(frame: pd.DataFrame) -> tuple[pd.DataFrame, gpd.GeoSeries | None]:
    """The attribute part of a frame and its geometry (None for a plain table)."""
    if isinstance(frame, gpd.GeoDataFrame) and frame._geometry_column_name in frame.columns:
        gcol = frame._geometry_column_name
        geoms = frame.geometry
        if geoms.crs is not None and geoms.crs.to_epsg() != 4326:
            geoms = geoms.to_crs(4326)
        attrs = pd.DataFrame(frame.drop(columns=[gcol]))
        return attrs, geoms
    return pd.DataFrame(frame), None


#: Column kinds read into their own typed arrays; every other kind (TEXT, dates, JSON) is read as objects.
_TYPED_KINDS = ("REAL", "INTEGER", "BLOB", "BOOLEAN")


def typed_frame(rows: list[tuple], columns: list[str], kinds: Mapping[str, str],
                geoms: np.ndarray | None) -> pd.DataFrame:
    """Rows read from storage -> a frame with the dtypes the rest of the code expects.

    The text-like columns go into one 2-D object block (one pandas block instead of one per column: the
    sites table has ~170 columns, and building a Series per column was most of a read's time).
    """
    n = len(rows)
    cols = list(zip(*rows)) if rows else [() for _ in columns]
    typed: dict[str, Any] = {}
    text: list[tuple[str, tuple]] = []
    for c, vals in zip(columns, cols):
        kind = kinds.get(c, "TEXT")
        if kind == "REAL":
            typed[c] = np.array([np.nan if v is None else v for v in vals], dtype="float64")
        elif kind == "INTEGER":
            typed[c] = (np.array(vals, dtype="int64") if None not in vals
                        else np.array([np.nan if v is None else float(v) for v in vals], dtype="float64"))
        elif kind == "BLOB":
            typed[c] = binary_series(list(vals))
        elif kind == "BOOLEAN":
            typed[c] = (np.array([bool(v) for v in vals], dtype=bool) if None not in vals
                        else pd.array([None if v is None else bool(v) for v in vals], dtype="boolean"))
        else:
            text.append((c, vals))
    parts = []
    if text:
        block = np.empty((n, len(text)), dtype=object)
        for j, (_c, vals) in enumerate(text):
            block[:, j] = vals
        # dtype=object explicitly: pandas 3 would make a bare array of strings `str`, with NaN for None.
        parts.append(pd.DataFrame(block, columns=[c for c, _v in text], dtype=object, copy=False))
    if typed:
        parts.append(pd.DataFrame(typed, copy=False))
    if not parts:
        df = pd.DataFrame(index=range(n), columns=columns)
    else:
        df = parts[0] if len(parts) == 1 else pd.concat(parts, axis=1)
        if list(df.columns) != list(columns):
            df = df[list(columns)]
    if geoms is None:
        return df
    return gpd.GeoDataFrame(df, geometry=gpd.GeoSeries(geoms, crs=4326, index=df.index), crs=4326)


def empty_frame(spatial: bool) -> pd.DataFrame:
    return gpd.GeoDataFrame(geometry=gpd.GeoSeries([], crs=4326), crs=4326) if spatial else pd.DataFrame()


def quote(name: str) -> str:
    """An SQL identifier, quoted (table and column names come from code, never from users)."""
    return '"' + str(name).replace('"', '""') + '"'
