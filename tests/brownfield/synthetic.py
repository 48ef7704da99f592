"""Tiny Sentinel-2-like scenes written in code, with planted sites of known answer."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import rasterio
from rasterio.transform import from_origin

BANDS = ("B02", "B03", "B04", "B08", "B11", "B12")
# Reflectance signatures (B02, B03, B04, B08, B11, B12).
ROOF = (0.12, 0.12, 0.13, 0.17, 0.22, 0.20)       # NDVI ~0.13, NDBI ~0.13: built
RUDERAL = (0.07, 0.09, 0.08, 0.20, 0.22, 0.16)    # NDVI ~0.43, NDBI ~0.05: plants through concrete
FIELD = (0.04, 0.07, 0.04, 0.40, 0.20, 0.10)      # NDVI ~0.82, NDBI ~-0.33: healthy crop/lawn
BARE_FIELD = (0.10, 0.12, 0.15, 0.22, 0.30, 0.25)
WATER = (0.06, 0.08, 0.05, 0.03, 0.01, 0.01)

ORIGIN = (500000.0, 5040000.0)  # EPSG:32632, Lombardy


def scene_arrays(n: int = 120, date: int = 0, noise: float = 0.003, seed: int = 0) -> dict[str, np.ndarray]:
    """A built-up town (roofs everywhere) with planted sites; ``date`` 0 = before, 1 = after.

    * rows 10-29, cols 10-29 (4 ha): a yard of roofs that becomes ruderal -> disused candidate;
    * rows 60-79, cols 10-29: a field that becomes a new roof -> not a candidate;
    * rows 10-29, cols 60-79: a field on both dates -> nothing;
    * rows 90-99, cols 90-109: water on both dates -> nothing.
    """
    rng = np.random.default_rng(seed + date)
    img = np.empty((len(BANDS), n, n), dtype=np.float32)
    img[:] = np.array(ROOF, dtype=np.float32)[:, None, None]
    def put(r0, r1, c0, c1, sig):
        img[:, r0:r1, c0:c1] = np.array(sig, dtype=np.float32)[:, None, None]
    put(10, 30, 10, 30, ROOF if date == 0 else RUDERAL)
    put(60, 80, 10, 30, FIELD if date == 0 else ROOF)
    put(10, 30, 60, 80, FIELD)
    put(90, 100, 90, 110, WATER)
    img += rng.normal(0, noise, img.shape).astype(np.float32)
    # Active town: roofs/streets change between dates (traffic, works), except inside the planted sites.
    if date == 1:
        busy = np.ones((n, n), dtype=bool)
        busy[10:30, 10:30] = False
        img[:3, busy] += 0.08
    return {b: img[i] for i, b in enumerate(BANDS)}


def write_stack(path: Path, arrays: dict[str, np.ndarray], crs: str = "EPSG:32632", res: float = 10.0,
                origin=ORIGIN, offset_dn: int = 0, describe: bool = True) -> Path:
    n = next(iter(arrays.values())).shape
    with rasterio.open(path, "w", driver="GTiff", width=n[1], height=n[0], count=len(arrays), dtype="uint16",
                       crs=crs, transform=from_origin(origin[0], origin[1], res, res), nodata=0) as dst:
        for i, (b, a) in enumerate(arrays.items(), start=1):
            dst.write(np.clip(a * 10000 - offset_dn, 1, 65534).astype("uint16"), i)
            if describe:
                dst.set_band_description(i, b)
    return path


def write_band_folder(folder: Path, arrays: dict[str, np.ndarray], res20: tuple[str, ...] = ("B11", "B12"),
                      scl: np.ndarray | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for b, a in arrays.items():
        step = 2 if b in res20 else 1
        sub = a[::step, ::step]
        with rasterio.open(folder / f"T32TNR_20200101T100000_{b}.tif", "w", driver="GTiff", width=sub.shape[1],
                           height=sub.shape[0], count=1, dtype="uint16", crs="EPSG:32632",
                           transform=from_origin(ORIGIN[0], ORIGIN[1], 10.0 * step, 10.0 * step), nodata=0) as dst:
            dst.write(np.clip(sub * 10000, 1, 65534).astype("uint16"), 1)
    if scl is not None:
        with rasterio.open(folder / "T32TNR_20200101T100000_SCL.tif", "w", driver="GTiff", width=scl.shape[1],
                           height=scl.shape[0], count=1, dtype="uint8", crs="EPSG:32632",
                           transform=from_origin(ORIGIN[0], ORIGIN[1], 20.0, 20.0)) as dst:
            dst.write(scl.astype("uint8"), 1)
    return folder
