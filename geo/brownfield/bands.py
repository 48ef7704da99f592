"""Sentinel-2 radiometry: digital numbers to reflectance, and which pixels to trust (pure functions)."""

from __future__ import annotations

import datetime as dt

import numpy as np

BANDS = ("B02", "B03", "B04", "B08", "B11", "B12")  # what detection needs
ALL_BANDS = ("B01", "B02", "B03", "B04", "B05", "B06", "B07", "B08", "B8A", "B09", "B10", "B11", "B12")
#: sen2r's order for its BOA (L2A, no B10) and TOA (L1C, no B8A) 10 m stacks.
SEN2R_L2A = ("B01", "B02", "B03", "B04", "B05", "B06", "B07", "B08", "B09", "B11", "B12")
SEN2R_L1C = ("B01", "B02", "B03", "B04", "B05", "B06", "B07", "B08", "B09", "B10", "B11", "B12")
QUANTIFICATION = 10000.0
BASELINE_0400_DATE = dt.date(2022, 1, 25)
BASELINE_OFFSET_DN = -1000.0
#: SCL classes dropped: 0 no data, 1 saturated/defective, 3 cloud shadow, 8/9 cloud, 10 cirrus, 11 snow.
#: Class 2 (dark area pixels) is kept: in cities it is mostly building shadow and dark roofs,
#: exactly where disused sites sit; the spec's stricter list is available as SCL_DROP_STRICT.
SCL_DROP = (0, 1, 3, 8, 9, 10, 11)
SCL_DROP_STRICT = (0, 1, 2, 3, 8, 9, 10, 11)


def baseline_offset(date: dt.date, processing_baseline: str | None = None, harmonised: bool = False) -> float:
    """The DN offset to add before scaling: -1000 from processing baseline 04.00 (25 Jan 2022) on.

    >>> baseline_offset(dt.date(2021, 6, 1)), baseline_offset(dt.date(2022, 6, 1))
    (0.0, -1000.0)
    >>> baseline_offset(dt.date(2022, 6, 1), harmonised=True)
    0.0
    """
    if harmonised:
        return 0.0
    if processing_baseline:
        try:
            return BASELINE_OFFSET_DN if float(processing_baseline) >= 4.0 else 0.0
        except ValueError:
            pass
    return BASELINE_OFFSET_DN if date >= BASELINE_0400_DATE else 0.0


def to_reflectance(dn: np.ndarray, offset_dn: float = 0.0, nodata: float | None = 0,
                   scale: float = 1 / QUANTIFICATION) -> np.ndarray:
    """DN -> reflectance as float32, NaN where no data. ``(DN + offset) * scale``.

    >>> np.round(to_reflectance(np.array([0, 1000, 2500], dtype=np.uint16), offset_dn=-1000).astype(float), 4).tolist()
    [nan, 0.0, 0.15]
    """
    out = (dn.astype(np.float32) + np.float32(offset_dn)) * np.float32(scale)
    bad = np.zeros(dn.shape, dtype=bool)
    if nodata is not None:
        bad |= dn == nodata
    bad |= dn == 0  # DN 0 is no data in every Sentinel-2 product
    out[bad] = np.nan
    return out


def scl_valid(scl: np.ndarray, drop: tuple[int, ...] = SCL_DROP) -> np.ndarray:
    """True where the scene classification says the pixel is usable.

    >>> scl_valid(np.array([0, 2, 4, 5, 8, 9, 11])).tolist()
    [False, True, True, True, False, False, False]
    """
    return ~np.isin(scl, drop)
