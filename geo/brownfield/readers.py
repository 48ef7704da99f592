"""The reader seam: where detection gets its pixels, window by window, on one 10 m grid.

Detection (:func:`geo.brownfield.detect.detect_rasters`) reads only through a :class:`Reader`, in the spirit
of stackstac's ``Reader`` protocol and odc-stac's reader driver. A reader returns, for a window of its
:class:`~geo.brownfield.sources.Grid`, one reflectance image per observation (an acquisition, or a year's
growing-season composite) with its validity, as a :class:`Block`.

ScenesReader  scenes from files or STAC assets (GDAL WarpedVRT windows): the per-date path
CubeReader    a composites :class:`~geo.brownfield.cube.Cube` (odc-stac, SCL-masked medians per year)
MemoryReader  arrays built in code: tests and notebooks, no file at all

The Dask path of a regional run maps :func:`composites_block` over the cube's chunks, the same conversion
:class:`CubeReader` applies to a window.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Protocol, Sequence, runtime_checkable

import numpy as np
from rasterio.windows import Window

from geo.brownfield.bands import BANDS
from geo.brownfield.sources import Grid, Scene, SceneReader


@dataclass
class Block:
    """One window's observations, oldest first.

    bands
        Per observation, reflectance per band code (float32, NaN = no data).
    valid
        Per observation, a boolean mask of usable pixels.
    activity
        Composites only: the within-season variability of visible brightness (None for acquisitions).
    """

    bands: list[dict[str, np.ndarray]]
    valid: list[np.ndarray]
    activity: np.ndarray | None = None


@runtime_checkable
class Reader(Protocol):
    """Observations on one grid, read window by window."""

    grid: Grid
    #: One date per observation (an acquisition's date; a composite's last acquisition), oldest first.
    dates: list[dt.date]

    def read(self, window: Window) -> Block:
        """The observations inside ``window`` (rows and columns of :attr:`grid`)."""
        ...

    def close(self) -> None:
        """Release files or workers held by the reader."""
        ...


class ScenesReader:
    """Scenes (files or STAC assets) read onto ``grid`` with GDAL, one :class:`SceneReader` per date."""

    def __init__(self, scenes: Sequence[Scene], grid: Grid) -> None:
        self.scenes = sorted(scenes, key=lambda s: s.date)
        self.grid = grid
        self.dates = [s.date for s in self.scenes]
        self._readers: list[SceneReader] = []
        try:
            self._readers = [SceneReader(s, grid) for s in self.scenes]
        except BaseException:
            self.close()
            raise

    def read(self, window: Window) -> Block:
        bands, valid = [], []
        for r in self._readers:
            refl, ok = r.read(window)
            bands.append(refl)
            valid.append(ok)
        return Block(bands, valid)

    def close(self) -> None:
        for r in self._readers:
            r.close()


def composites_block(stack: np.ndarray, min_clear: int) -> Block:
    """Composites (year, layer, rows, cols) as :func:`geo.brownfield.cube.composite_block` makes them -> a
    :class:`Block` (pure): a year's pixel is valid with at least ``min_clear`` clear observations and every band.
    """
    nb = len(BANDS)
    bands, valid, acts = [], [], []
    for y in range(stack.shape[0]):
        comp = stack[y]
        bands.append({b: comp[i] for i, b in enumerate(BANDS)})
        ok = (comp[nb] >= min_clear) & np.isfinite(comp[:nb]).all(axis=0)
        valid.append(ok)
        acts.append(np.where(ok, comp[nb + 1], np.nan))
    with np.errstate(invalid="ignore"):
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # a pixel with no valid year: NaN
            activity = np.nanmean(np.stack(acts), axis=0) if acts else None
    return Block(bands, valid, activity)


class CubeReader:
    """A composites cube read window by window (each window's composites computed when read)."""

    def __init__(self, cube, min_clear: int) -> None:
        self.cube, self.min_clear = cube, min_clear
        self.grid = Grid(cube.transform, cube.width, cube.height)
        self.dates = [max(cube.dates[y]) for y in cube.years]

    def read(self, window: Window) -> Block:
        r0, c0 = int(window.row_off), int(window.col_off)
        sub = self.cube.data[:, :, r0:r0 + int(window.height), c0:c0 + int(window.width)]
        stack = np.asarray(sub.compute(scheduler="synchronous") if hasattr(sub, "compute") else sub)
        return composites_block(stack, self.min_clear)

    def close(self) -> None:
        pass


class MemoryReader:
    """Reflectance arrays held in memory (tests, notebooks): one dict of band arrays per date.

    Examples
    --------
    >>> import rasterio
    >>> g = Grid(rasterio.Affine(10, 0, 500000, 0, -10, 5040000), 4, 3)
    >>> r = MemoryReader(g, [dt.date(2019, 6, 1)], [{b: np.full((3, 4), 0.1, np.float32) for b in BANDS}])
    >>> blk = r.read(Window(1, 1, 2, 2))
    >>> blk.bands[0]["B04"].shape, bool(blk.valid[0].all())
    ((2, 2), True)
    """

    def __init__(self, grid: Grid, dates: Sequence[dt.date], bands: Sequence[dict[str, np.ndarray]],
                 valid: Sequence[np.ndarray] | None = None) -> None:
        if len(bands) != len(dates):
            raise ValueError("one dict of bands per date")
        for d in bands:
            for code, a in d.items():
                if a.shape != (grid.height, grid.width):
                    raise ValueError(f"{code}: shape {a.shape}, the grid is {(grid.height, grid.width)}")
        self.grid, self.dates = grid, list(dates)
        self._bands = [{k: np.asarray(v, np.float32) for k, v in d.items()} for d in bands]
        self._valid = list(valid) if valid is not None else [
            np.logical_and.reduce([~np.isnan(v) for v in d.values()]) for d in self._bands]

    def read(self, window: Window) -> Block:
        r0, c0 = int(window.row_off), int(window.col_off)
        sl = (slice(r0, r0 + int(window.height)), slice(c0, c0 + int(window.width)))
        return Block([{k: v[sl] for k, v in d.items()} for d in self._bands], [v[sl] for v in self._valid])

    def close(self) -> None:
        pass


__all__ = ["Block", "Reader", "ScenesReader", "CubeReader", "MemoryReader", "composites_block"]
