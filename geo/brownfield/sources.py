"""Scenes from files or STAC, read through one path: windows of a common 10 m EPSG:32632 grid.

A :class:`Scene` maps band codes to (href, band index, scale, offset). Any
input (per-band files, a multi-band GeoTIFF, STAC assets, in any CRS and at
10/20/60 m) is read with :class:`rasterio.vrt.WarpedVRT` onto the target grid,
one window at a time: reflectance bands bilinear, SCL nearest.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

import numpy as np
import rasterio
from rasterio.enums import Resampling
from rasterio.errors import RasterioIOError
from rasterio.vrt import WarpedVRT
from rasterio.windows import Window

from geo.brownfield.bands import BANDS, SEN2R_L1C, SEN2R_L2A, baseline_offset, scl_valid, to_reflectance
from geo.errors import InputFileError
from geo.i18n import N_

TARGET_CRS = "EPSG:32632"
RES = 10.0
BAND_RE = re.compile(r"(?<![A-Z0-9])(B0[1-9]|B1[0-2]|B8A|SCL)(?![0-9])", re.IGNORECASE)


@dataclass
class BandRef:
    href: str
    index: int = 1
    scale: float = 1e-4
    offset_dn: float = 0.0
    nodata: float | None = 0


@dataclass
class Scene:
    """One acquisition: its date, processing level and where each band is."""

    date: dt.date
    level: str  # "L1C" or "L2A"
    bands: dict[str, BandRef] = field(default_factory=dict)
    source: str = ""

    def check(self) -> None:
        missing = [b for b in BANDS if b not in self.bands]
        if missing:
            raise InputFileError(N_("Scene of {date}: bands {missing} are missing ({source}). Needed: {needed}."),
                                 date=lambda _: _.date(self.date), missing=", ".join(missing), source=self.source,
                                 needed=", ".join(BANDS))


def parse_date(text: str) -> dt.date:
    m = re.search(r"(20\d{2})-?(\d{2})-?(\d{2})", text)
    if not m:
        raise InputFileError(N_("Unreadable date: '{text}' (use YYYY-MM-DD)."), text=text)
    return dt.date(int(m[1]), int(m[2]), int(m[3]))


def _guess_level(text: str) -> str | None:
    t = text.upper()
    if "L2A" in t or "BOA" in t or "2A_" in t or "MSIL2A" in t:
        return "L2A"
    if "L1C" in t or "TOA" in t or "1C_" in t or "MSIL1C" in t:
        return "L1C"
    return None


def _open_check(path: Path):
    try:
        return rasterio.open(path)
    except RasterioIOError as exc:
        raise InputFileError(N_("{name} is not a readable raster (GeoTIFF or JP2): {error}"), name=path.name,
                             error=str(exc)) from None


def scene_from_path(path: str | Path, date: dt.date | str | None = None, level: str | None = None,
                    band_order: Iterable[str] | None = None, harmonised: bool = False) -> Scene:
    """A scene from a folder of per-band files or one multi-band GeoTIFF.

    Band codes come from the file names (folder), from the band descriptions
    (multi-band file), or from ``band_order``; sen2r stacks of 11/12 bands are
    recognised by their names (BOA/TOA).
    """
    path = Path(path)
    if not path.exists():
        raise InputFileError(N_("Path not found: {path}"), path=str(path))
    d = date if isinstance(date, dt.date) else parse_date(str(date) if date else path.name)
    refs: dict[str, BandRef] = {}
    text = str(path)
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.suffix.lower() in (".tif", ".tiff", ".jp2"))
        for p in files:
            m = BAND_RE.search(p.stem.upper())
            if m:
                code = m[1].upper()
                with _open_check(p) as src:
                    refs[code] = BandRef(str(p), 1, nodata=src.nodata if src.nodata is not None else 0)
        text += " " + " ".join(p.name for p in files)
        if not refs:
            raise InputFileError(N_("No band files (B02…B12, SCL) in {path}."), path=str(path))
    else:
        with _open_check(path) as src:
            desc = [(d_ or "").upper().strip() for d_ in src.descriptions]
            tags = " ".join(str(v) for v in src.tags().values())
            nodata = src.nodata if src.nodata is not None else 0
            count = src.count
        text += " " + tags
        order = list(band_order) if band_order else None
        if order is None and all(BAND_RE.fullmatch(x or "") for x in desc):
            order = [BAND_RE.fullmatch(x)[1].upper() for x in desc]
        if order is None and count == len(SEN2R_L2A) and "BOA" in path.name.upper():
            order = list(SEN2R_L2A)
        if order is None and count == len(SEN2R_L1C) and "TOA" in path.name.upper():
            order = list(SEN2R_L1C)
        if order is None and count == 1 and "SCL" in path.name.upper():
            order = ["SCL"]
        if order is None:
            raise InputFileError(N_("{name}: {count} unnamed bands. Give the band order (--band-order B02,B03,...) "
                                    "or set the band descriptions."), name=path.name, count=count)
        if len(order) != count:
            raise InputFileError(N_("{name}: {count} bands but {names} names."), name=path.name, count=count,
                                 names=len(order))
        for i, code in enumerate(order, start=1):
            refs[code] = BandRef(str(path), i, nodata=nodata)
        # sen2r ships the SCL in a sibling file.
        scl = path.with_name(re.sub(r"_(BOA|TOA)_", "_SCL_", path.name))
        if scl != path and scl.exists() and "SCL" not in refs:
            refs["SCL"] = BandRef(str(scl), 1, nodata=None)
    lvl = level or _guess_level(text) or "L1C"
    off = baseline_offset(d, harmonised=harmonised)
    for code, ref in refs.items():
        if code != "SCL":
            ref.offset_dn = off
    return Scene(date=d, level=lvl, bands=refs, source=str(path))


@dataclass
class Grid:
    """The common output grid: EPSG:32632, 10 m."""

    transform: rasterio.Affine
    width: int
    height: int
    crs: str = TARGET_CRS

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        t = self.transform
        return (t.c, t.f + t.e * self.height, t.c + t.a * self.width, t.f)


def grid_for(scenes: list[Scene], aoi_bounds_32632: tuple[float, float, float, float] | None = None) -> Grid:
    """The 10 m UTM 32N grid covering the intersection of the scenes (and the AOI)."""
    from rasterio.warp import transform_bounds

    boxes = []
    for s in scenes:
        ref = s.bands["B04"]
        with rasterio.open(ref.href) as src:
            if src.crs is None:
                raise InputFileError(N_("{name}: no CRS."), name=Path(ref.href).name)
            boxes.append(transform_bounds(src.crs, TARGET_CRS, *src.bounds, densify_pts=21))
    if aoi_bounds_32632:
        boxes.append(aoi_bounds_32632)
    x0 = max(b[0] for b in boxes)
    y0 = max(b[1] for b in boxes)
    x1 = min(b[2] for b in boxes)
    y1 = min(b[3] for b in boxes)
    if x1 - x0 < 3 * RES or y1 - y0 < 3 * RES:
        raise InputFileError(N_("The scenes (and the area of interest) do not overlap."))
    # Snap to the 10 m lattice so that UTM inputs are read without resampling.
    x0, y0 = np.ceil(x0 / RES) * RES, np.ceil(y0 / RES) * RES
    x1, y1 = np.floor(x1 / RES) * RES, np.floor(y1 / RES) * RES
    return Grid(rasterio.Affine(RES, 0, x0, 0, -RES, y1), int((x1 - x0) / RES), int((y1 - y0) / RES))


class SceneReader:
    """Reads windows of a scene's bands on a :class:`Grid` (reflectance + validity)."""

    def __init__(self, scene: Scene, grid: Grid, scl_drop: tuple[int, ...] | None = None) -> None:
        scene.check()
        self.scene, self.grid = scene, grid
        self.scl_drop = scl_drop
        self._srcs: dict[str, rasterio.DatasetReader] = {}
        self._vrts: dict[tuple[str, str], WarpedVRT] = {}

    def _vrt(self, code: str) -> tuple[WarpedVRT, int]:
        ref = self.scene.bands[code]
        resampling = Resampling.nearest if code == "SCL" else Resampling.bilinear
        key = (ref.href, resampling.name)
        if key not in self._vrts:
            if ref.href not in self._srcs:
                self._srcs[ref.href] = rasterio.open(ref.href)
            src = self._srcs[ref.href]
            if src.crs is None:
                raise InputFileError(N_("{name}: no CRS."), name=Path(ref.href).name)
            self._vrts[key] = WarpedVRT(src, crs=self.grid.crs, transform=self.grid.transform,
                                        width=self.grid.width, height=self.grid.height, resampling=resampling,
                                        src_nodata=ref.nodata if ref.nodata is not None else None,
                                        nodata=ref.nodata if ref.nodata is not None else 0)
        return self._vrts[key], ref.index

    def read(self, window: Window, bands: Iterable[str] = BANDS) -> tuple[dict[str, np.ndarray], np.ndarray]:
        """Reflectance per band (float32, NaN = no data) and a validity mask for the window."""
        out: dict[str, np.ndarray] = {}
        valid = np.ones((int(window.height), int(window.width)), dtype=bool)
        for code in bands:
            vrt, idx = self._vrt(code)
            ref = self.scene.bands[code]
            dn = vrt.read(idx, window=window, boundless=False)
            out[code] = to_reflectance(dn, ref.offset_dn, ref.nodata, ref.scale)
            valid &= ~np.isnan(out[code])
        if "SCL" in self.scene.bands:
            vrt, idx = self._vrt("SCL")
            scl = vrt.read(idx, window=window)
            valid &= scl_valid(scl, self.scl_drop) if self.scl_drop else scl_valid(scl)
        return out, valid

    def close(self) -> None:
        for v in self._vrts.values():
            v.close()
        for s in self._srcs.values():
            s.close()
