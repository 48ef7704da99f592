"""Coordinates between WGS84 and the metric CRS for routing (vectorised)."""

from __future__ import annotations

import numpy as np
import pyproj

from geo.places import METRIC_CRS

_TO = pyproj.Transformer.from_crs(4326, METRIC_CRS, always_xy=True)
_FROM = pyproj.Transformer.from_crs(METRIC_CRS, 4326, always_xy=True)


def to_metric(lonlat: np.ndarray) -> np.ndarray:
    """``(n, 2)`` lon/lat -> ``(n, 2)`` metres in EPSG:32632."""
    a = np.asarray(lonlat, dtype=float).reshape(-1, 2)
    x, y = _TO.transform(a[:, 0], a[:, 1])
    return np.column_stack([x, y])


def to_lonlat(xy: np.ndarray) -> np.ndarray:
    """``(n, 2)`` metres in EPSG:32632 -> ``(n, 2)`` lon/lat."""
    a = np.asarray(xy, dtype=float).reshape(-1, 2)
    x, y = _FROM.transform(a[:, 0], a[:, 1])
    return np.column_stack([x, y])
