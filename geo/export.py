"""Exports of listings to CSV and GeoJSON, safe for spreadsheets.

A cell that starts with ``=``, ``+``, ``-``, ``@`` (or a tab / carriage
return) is run as a formula by Excel and LibreOffice: such cells get a leading
apostrophe. Only public fields are exported unless the caller is staff.
"""

from __future__ import annotations

import json
import math
from typing import Any

import geopandas as gpd
import pandas as pd

from geo.catalogue.frames import to_python
from geo.figures import rounded
from geo.schema import FIELD, FIELDS

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise_cell(v: Any) -> Any:
    """Make a value safe for a spreadsheet cell.

    >>> neutralise_cell("=HYPERLINK(\\"http://x\\")")
    '\\'=HYPERLINK("http://x")'
    >>> neutralise_cell(-5.0)
    -5.0
    """
    if isinstance(v, str) and v.startswith(FORMULA_START):
        return "'" + v
    return v


#: Fields whose provenance is exported beside them: a drive time is estimated or computed (issue 20).
WITH_PROVENANCE = ("drive_motorway_min", "drive_rail_station_min", "drive_rail_terminal_min", "drive_port_min")


def export_columns(staff: bool = False, extra: tuple[str, ...] = ()) -> list[str]:
    cols = [c for f in FIELDS if f.stored and (f.public or staff)
            for c in ((f.key, f"{f.key}__prov") if f.key in WITH_PROVENANCE else (f.key,))]
    return cols + [c for c in extra if c not in cols]


def _public(sites: pd.DataFrame, staff: bool, extra: tuple[str, ...]) -> pd.DataFrame:
    cols = [c for c in export_columns(staff, extra) if c in sites.columns]
    return pd.DataFrame(sites[cols])


def to_csv(sites: pd.DataFrame, *, staff: bool = False, extra: tuple[str, ...] = ("verdict", "score")) -> str:
    df = _public(sites, staff, extra)
    df = df.astype(object).where(df.notna(), None).map(neutralise_cell)
    for c in df.columns:  # each figure rounded as the sheet shows it; whole numbers written as integers
        if c in FIELD and FIELD[c].kind in ("float", "int", "lat", "lon"):
            df[c] = pd.Series([rounded(c, v) for v in df[c]], index=df.index, dtype=object)
    # RFC 4180 line ends: with pandas' default '\n' a cell holding a bare '\r' was written unquoted, and a
    # spreadsheet then breaks the row there (the quoting rule only covers the line terminator's characters).
    return df.to_csv(index=False, lineterminator="\r\n")


def to_geojson(sites: gpd.GeoDataFrame, *, staff: bool = False,
               extra: tuple[str, ...] = ("verdict", "score")) -> str:
    df = _public(sites, staff, extra)
    feats = []
    for (_, row), geom in zip(df.iterrows(), sites.geometry):
        props = {k: _finite(to_python(v)) for k, v in row.items()}
        feats.append({"type": "Feature", "geometry": geom.__geo_interface__ if geom is not None else None,
                      "properties": props})
    # allow_nan=False: 'Infinity' and 'NaN' are not JSON; a non-finite value is unknown (null).
    return json.dumps({"type": "FeatureCollection", "features": feats}, ensure_ascii=False, allow_nan=False)


def _finite(v: Any) -> Any:
    """None for a float that is not finite (older catalogues may hold one), the value otherwise.

    >>> _finite(float("inf")), _finite(2.5)
    (None, 2.5)
    """
    return None if isinstance(v, float) and not math.isfinite(v) else v
