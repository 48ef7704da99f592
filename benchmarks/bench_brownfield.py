"""Benchmark: a generated Sentinel-2 tile (6 bands, 2 dates) through the detection, end to end.

Windowed pipeline (geo.brownfield: 1024-px blocks read through WarpedVRT)
against a straightforward whole-array NumPy implementation of the same steps
(read every band whole, compute, clean, label), each in a child process so
that peak memory (ru_maxrss) is its own. The whole-array variant needs ~60
bytes per pixel; above --whole-max it is run on a crop and extrapolated
linearly (printed as such).

    .venv/bin/python benchmarks/bench_brownfield.py --size 10980     # full tile
    .venv/bin/python benchmarks/bench_brownfield.py --size 4096      # quicker
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import resource
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import rasterio
from rasterio.transform import from_origin

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

BANDS = ("B02", "B03", "B04", "B08", "B11", "B12")
ORIGIN = (499980.0, 5100000.0)


def write_tile(folder: Path, size: int, date: int) -> Path:
    """A tile of roofs, fields and planted disused yards, tiled GeoTIFFs (one per band), DEFLATE."""
    from tests.brownfield.synthetic import FIELD, ROOF, RUDERAL

    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(date)
    profile = dict(driver="GTiff", width=size, height=size, count=1, dtype="uint16", crs="EPSG:32632",
                   transform=from_origin(ORIGIN[0], ORIGIN[1], 10, 10), nodata=0, tiled=True, blockxsize=512,
                   blockysize=512, compress="deflate", predictor=2)
    for i, b in enumerate(BANDS):
        with rasterio.open(folder / f"T32TNR_{b}.tif", "w", **profile) as dst:
            for r0 in range(0, size, 1024):
                h = min(1024, size - r0)
                yy, xx = np.mgrid[r0:r0 + h, 0:size]
                land = np.where(((yy // 300) + (xx // 300)) % 3 == 0, FIELD[i], ROOF[i]).astype(np.float32)
                yard = ((yy % 500) < 40) & ((xx % 500) < 40)
                if date == 1:
                    land[yard] = RUDERAL[i]
                    if i < 3:  # an active town: visible brightness changes outside the disused yards
                        land[~yard & (land < 0.2)] += 0.08
                land += rng.normal(0, 0.004, land.shape).astype(np.float32)
                dst.write(np.clip(land * 10000, 1, 65534).astype("uint16"), 1,
                          window=rasterio.windows.Window(0, r0, size, h))
    return folder


def windowed(dirs: list[str], q) -> None:
    from geo.brownfield.run import detect
    from geo.brownfield.sources import scene_from_path

    t = time.perf_counter()
    scenes = [scene_from_path(d, date) for d, date in zip(dirs, ("2019-06-01", "2021-06-01"))]
    res = detect(scenes)
    q.put({"seconds": time.perf_counter() - t, "candidates": len(res.candidates),
           "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024})


def whole_array(dirs: list[str], size: int, q) -> None:
    """The same steps on whole arrays: read all, compute all, clean, label, polygonise."""
    from rasterio.windows import Window

    from geo.brownfield.bands import to_reflectance
    from geo.brownfield.detect import clean, polygons
    from geo.brownfield.rules import FEATURES, RuleParams, pixel_features
    from geo.brownfield.sources import Grid

    t = time.perf_counter()
    dates, valids = [], []
    for d in dirs:
        refl = {}
        for b in BANDS:
            with rasterio.open(Path(d) / f"T32TNR_{b}.tif") as src:
                refl[b] = to_reflectance(src.read(1, window=Window(0, 0, size, size)))
        dates.append(refl)
        valids.append(np.all([~np.isnan(v) for v in refl.values()], axis=0))
    p = RuleParams()
    mask, feats = pixel_features(dates, valids, p)
    mask = clean(mask, p)
    grid = Grid(from_origin(ORIGIN[0], ORIGIN[1], 10, 10), size, size)
    f8 = {k: (np.clip(feats[k], 0, 1) * 250).astype(np.uint8) for k in FEATURES}
    cands = polygons(mask.astype(np.uint8), f8, grid, p)
    q.put({"seconds": time.perf_counter() - t, "candidates": len(cands),
           "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024})


def in_child(fn, *args) -> dict:
    ctx = mp.get_context("spawn")
    q = ctx.Queue()
    p = ctx.Process(target=fn, args=(*args, q))
    p.start()
    out = q.get()
    p.join()
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--size", type=int, default=10980)
    ap.add_argument("--whole-max", type=int, default=4096, help="largest side run whole; beyond, extrapolate")
    ap.add_argument("--dir", help="reuse/keep the generated tiles here")
    args = ap.parse_args()
    base = Path(args.dir) if args.dir else Path(tempfile.mkdtemp(prefix="bench_bf_"))
    dirs = [str(base / f"date{i}") for i in (0, 1)]
    t = time.perf_counter()
    for i, d in enumerate(dirs):
        if not (Path(d) / "T32TNR_B12.tif").exists():
            write_tile(Path(d), args.size, i)
    gen = time.perf_counter() - t
    mpx = args.size * args.size / 1e6
    w = in_child(windowed, dirs)
    ws = min(args.size, args.whole_max)
    whole = in_child(whole_array, dirs, ws)
    factor = (args.size / ws) ** 2
    whole_s = whole["seconds"] * factor
    print(json.dumps({"size": args.size, "megapixels": round(mpx, 1), "dates": 2, "bands": 6,
                      "generate_s": round(gen, 1), "windowed": w, "whole_array_side": ws, "whole_array": whole},
                     indent=1))
    print(f"\nwindowed:    {w['seconds']:.1f} s, {mpx / w['seconds']:.1f} Mpx/s, peak RSS {w['peak_rss_mb']:.0f} MB, "
          f"{w['candidates']} candidates")
    note = "" if ws == args.size else f" (measured on {ws}x{ws}, time x{factor:.1f}, memory ~x{factor:.1f})"
    print(f"whole-array: {whole_s:.1f} s, {mpx / whole_s:.1f} Mpx/s, peak RSS {whole['peak_rss_mb'] * (factor if ws != args.size else 1):.0f} MB"
          f"{note}")
    print(f"ratio whole/windowed time: {whole_s / w['seconds']:.2f}; targets: <= 600 s and <= 3072 MB for 10980 px")


if __name__ == "__main__":
    main()
