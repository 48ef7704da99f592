"""Spectral indices (pure ``array -> array``; NaN where undefined)."""

from __future__ import annotations

import numpy as np


def _nd(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        s = a + b
        return np.where(s != 0, (a - b) / s, np.nan).astype(np.float32)


def ndvi(b08: np.ndarray, b04: np.ndarray) -> np.ndarray:
    """(B08 - B04) / (B08 + B04)."""
    return _nd(b08, b04)


def ndbi(b11: np.ndarray, b08: np.ndarray) -> np.ndarray:
    """(B11 - B08) / (B11 + B08)."""
    return _nd(b11, b08)


def bsi(b11: np.ndarray, b04: np.ndarray, b08: np.ndarray, b02: np.ndarray) -> np.ndarray:
    """((B11 + B04) - (B08 + B02)) / ((B11 + B04) + (B08 + B02))."""
    return _nd(b11 + b04, b08 + b02)


def mndwi(b03: np.ndarray, b11: np.ndarray) -> np.ndarray:
    """(B03 - B11) / (B03 + B11)."""
    return _nd(b03, b11)


def all_indices(r: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """All four indices from a dict of reflectance bands."""
    return {"ndvi": ndvi(r["B08"], r["B04"]), "ndbi": ndbi(r["B11"], r["B08"]),
            "bsi": bsi(r["B11"], r["B04"], r["B08"], r["B02"]), "mndwi": mndwi(r["B03"], r["B11"])}
