"""A generated regional case: several adjacent tiles x a dozen dates with clouds, as a static STAC catalogue.

Everything is in reflectance truth first (:func:`truth`), then written as
Sentinel-2 L2A files (uint16 DN, 10 m bands + 20 m B11/B12/SCL) per tile and
date, and indexed by pystac items with the projection extension, as Earth
Search serves them. Tests compare what the pipeline computes against the
truth arrays kept here.

Planted (pixel rows/cols on the mosaic grid, 10 m, origin ``ORIGIN``):

* ``STRADDLE``: a yard of roofs in year A that plants overgrow by year B, across the
  edge between tile 0 and tile 1 -> one candidate;
* ``QUIET_LOT``: bare ground, unchanged and quiet on every date -> a candidate;
* ``ACTIVE_YARD``: the same bare ground with trucks and stockpiles (brightness jumps from
  date to date) -> not a candidate;
* ``CLOUDED``: an overgrown yard like STRADDLE, but under cloud on all but one date of
  year A -> too few clear observations, no data, never a candidate.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import rasterio
from rasterio.transform import from_origin

from tests.brownfield.synthetic import BARE_FIELD, FIELD, ROOF, RUDERAL

BANDS = ("B02", "B03", "B04", "B08", "B11", "B12")
ASSET = {"B02": "blue", "B03": "green", "B04": "red", "B08": "nir", "B11": "swir16", "B12": "swir22", "SCL": "scl"}
ORIGIN = (600000.0, 5040000.0)
CLOUD = (0.45, 0.45, 0.46, 0.48, 0.40, 0.35)
SHADOW = (0.02, 0.02, 0.02, 0.03, 0.02, 0.02)


@dataclass(frozen=True)
class Case:
    tile: int = 48          # tile side in pixels (10 m)
    tiles: tuple[int, int] = (1, 2)  # rows x cols of tiles
    years: tuple[int, int] = (2019, 2024)
    dates_per_year: int = 6  # May-September, plus one winter date per year (outside the season)
    seed: int = 0

    @property
    def shape(self) -> tuple[int, int]:
        return self.tile * self.tiles[0], self.tile * self.tiles[1]

    def dates(self) -> list[dt.date]:
        out = []
        for y in self.years:
            out.append(dt.date(y, 2, 10))  # winter: must not enter the growing-season composite
            for i in range(self.dates_per_year):
                out.append(dt.date(y, 5, 1) + dt.timedelta(days=int(i * 140 / max(1, self.dates_per_year - 1))))
        return out


def regions(case: Case) -> dict[str, tuple[slice, slice]]:
    t = case.tile
    return {"STRADDLE": (slice(10, 26), slice(t - 8, t + 8)),       # 16 x 16 px = 2.56 ha across the tile edge
            "QUIET_LOT": (slice(30, 42), slice(t + 20, t + 34)),    # 12 x 14 px = 1.68 ha, in tile 1
            "ACTIVE_YARD": (slice(30, 42), slice(6, 20)),           # same size, tile 0
            "CLOUDED": (slice(4, 16), slice(t + 30, t + 44))}       # 12 x 14, tile 1


def truth(case: Case) -> tuple[list[dt.date], np.ndarray, np.ndarray]:
    """Reflectance (dates, bands, rows, cols) and SCL (dates, rows, cols) of the whole mosaic."""
    rng = np.random.default_rng(case.seed)
    dates = case.dates()
    h, w = case.shape
    reg = regions(case)
    refl = np.empty((len(dates), len(BANDS), h, w), np.float32)
    scl = np.full((len(dates), h, w), 4, np.uint8)  # vegetation / built: both clear classes
    yy, xx = np.mgrid[0:h, 0:w]
    fields = ((yy // 12 + xx // 12) % 4 == 0)
    for di, d in enumerate(dates):
        year_b = d.year == case.years[-1]
        img = np.where(fields[None], np.array(FIELD, np.float32)[:, None, None],
                       np.array(ROOF, np.float32)[:, None, None]).astype(np.float32)
        # An active town: roofs and streets change in brightness from date to date.
        img[:3] += np.where(fields, 0, rng.uniform(-0.05, 0.08, (h, w))).astype(np.float32)[None]
        def put(name, sig, jitter=0.0):
            r, c = reg[name]
            img[:, r, c] = np.array(sig, np.float32)[:, None, None]
            if jitter:
                img[:3, r, c] += np.float32(rng.uniform(-jitter, jitter))
        put("STRADDLE", RUDERAL if year_b else ROOF)
        put("CLOUDED", RUDERAL if year_b else ROOF)
        put("QUIET_LOT", BARE_FIELD)
        put("ACTIVE_YARD", BARE_FIELD, jitter=0.10)
        img += rng.normal(0, 0.003, img.shape).astype(np.float32)
        s = scl[di]
        s[fields] = 4
        s[~fields] = 5
        # A cloud and its shadow somewhere on every date (never on the same pixels twice in a row).
        r0, c0 = rng.integers(0, h - 10), rng.integers(0, w - 16)
        img[:, r0:r0 + 8, c0:c0 + 12] = np.array(CLOUD, np.float32)[:, None, None]
        s[r0:r0 + 8, c0:c0 + 12] = 9
        r1, c1 = min(h - 4, r0 + 8), min(w - 8, c0 + 4)
        img[:, r1:r1 + 4, c1:c1 + 8] = np.array(SHADOW, np.float32)[:, None, None]
        s[r1:r1 + 4, c1:c1 + 8] = 3
        if d.year == case.years[0] and d.month >= 5 and di % (case.dates_per_year + 1) != 1:
            r, c = reg["CLOUDED"]  # clouded on all growing-season dates of year A but the first
            img[:, r, c] = np.array(CLOUD, np.float32)[:, None, None]
            s[r, c] = 8
        refl[di] = img
    return dates, refl, scl


def _write(path: Path, a: np.ndarray, transform, dtype: str, nodata) -> None:
    with rasterio.open(path, "w", driver="GTiff", width=a.shape[1], height=a.shape[0], count=1, dtype=dtype,
                       crs="EPSG:32632", transform=transform, nodata=nodata, tiled=a.shape[0] >= 256 and
                       a.shape[1] >= 256, compress="deflate") as dst:
        dst.write(a.astype(dtype), 1)


def to_dn(refl: np.ndarray, offset_dn: float = 0.0) -> np.ndarray:
    return np.clip(np.round(refl * 10000 - offset_dn), 1, 65534).astype(np.uint16)


def write_catalogue(root: Path, case: Case = Case()) -> Path:
    """Files and a self-contained static STAC catalogue (``root/stac/catalog.json``)."""
    import pystac
    from pystac.extensions.projection import ProjectionExtension

    dates, refl, scl = truth(case)
    t = case.tile
    cat = pystac.Catalog(id="generated-s2", description="generated Sentinel-2 L2A tiles with clouds")
    for ti in range(case.tiles[0]):
        for tj in range(case.tiles[1]):
            rs, cs = slice(ti * t, (ti + 1) * t), slice(tj * t, (tj + 1) * t)
            x0, y0 = ORIGIN[0] + tj * t * 10, ORIGIN[1] - ti * t * 10
            for di, d in enumerate(dates):
                offset = -1000.0 if d >= dt.date(2022, 1, 25) else 0.0
                folder = root / f"T{ti}{tj}" / d.strftime("%Y%m%d")
                folder.mkdir(parents=True, exist_ok=True)
                item = pystac.Item(id=f"S2_T{ti}{tj}_{d:%Y%m%d}", geometry=None, bbox=None,
                                   datetime=dt.datetime(d.year, d.month, d.day, 10, 30),
                                   properties={"eo:cloud_cover": 10.0, "s2:processing_baseline":
                                               "05.00" if offset else "02.12"},
                                   collection=None)
                bbox = (x0, y0 - t * 10, x0 + t * 10, y0)
                from pyproj import Transformer
                from shapely.geometry import box, mapping

                tr = Transformer.from_crs(32632, 4326, always_xy=True)
                lon0, lat0 = tr.transform(bbox[0], bbox[1])
                lon1, lat1 = tr.transform(bbox[2], bbox[3])
                item.bbox = [lon0, lat0, lon1, lat1]
                item.geometry = mapping(box(lon0, lat0, lon1, lat1))
                for bi, b in enumerate(BANDS + ("SCL",)):
                    step = 2 if b in ("B11", "B12", "SCL") else 1
                    if b == "SCL":
                        a = scl[di, rs, cs][::step, ::step]
                        dtype, nodata = "uint8", None
                    else:
                        a = to_dn(refl[di, bi, rs, cs], offset)[::step, ::step] if step == 1 else \
                            to_dn(refl[di, bi, rs, cs].reshape(t // 2, 2, t // 2, 2).mean(axis=(1, 3)), offset)
                        dtype, nodata = "uint16", 0
                    tf = from_origin(x0, y0, 10.0 * step, 10.0 * step)
                    p = folder / f"{b}.tif"
                    _write(p, a, tf, dtype, nodata)
                    asset = pystac.Asset(href=str(p), media_type=pystac.MediaType.COG, roles=["data"])
                    item.add_asset(ASSET[b], asset)
                    ProjectionExtension.ext(asset, add_if_missing=True).apply(
                        epsg=32632, shape=list(a.shape), transform=list(tf)[:6])
                cat.add_item(item)
    cat.normalize_and_save(str(root / "stac"), catalog_type=pystac.CatalogType.SELF_CONTAINED)
    return root / "stac" / "catalog.json"
