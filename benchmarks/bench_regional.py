"""Benchmark: a generated regional case (tiles x dates, 6 bands + SCL, static STAC) on 1 and 2 Dask workers.

The whole regional pipeline (odc-stac reads -> SCL-masked growing-season
composites of two years -> chunked rules with halo -> polygons per chunk ->
one merged layer) runs on a fresh LocalCluster of 1 worker, then of 2 workers
(one thread each, 2 GiB each). Reported: wall time, throughput (pixel-dates
per second), peak RSS of every worker process, the scaling ratio, and a
projection for Lombardy from the measured per-worker throughput.

    .venv/bin/python benchmarks/bench_regional.py --tiles 2x2 --size 1024 --dates 6
    .venv/bin/python benchmarks/bench_regional.py --tiles 2x2 --size 2048 --dates 6   # the issue's case: 4 x 12 x 2048

``--dates`` is per year; two years are generated (2019 and 2024), so 6 means 12 dates.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import resource
import shutil
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
ASSET = {"B02": "blue", "B03": "green", "B04": "red", "B08": "nir", "B11": "swir16", "B12": "swir22", "SCL": "scl"}
ORIGIN = (499980.0, 5100000.0)


def _tile_arrays(size: int, ti: int, tj: int, date: dt.date, year_b: bool, rng) -> tuple[np.ndarray, np.ndarray]:
    """Reflectance (6, size, size) and SCL (size, size) of one tile on one date: a town of roofs and fields,
    disused yards overgrowing in year B, active yards, one cloud with its shadow."""
    from tests.brownfield.synthetic import BARE_FIELD, FIELD, ROOF, RUDERAL

    y0, x0 = ti * size, tj * size
    yy, xx = np.mgrid[y0:y0 + size, x0:x0 + size]
    field = ((yy // 300) + (xx // 300)) % 3 == 0
    img = np.where(field[None], np.array(FIELD, np.float32)[:, None, None], np.array(ROOF, np.float32)[:, None, None])
    img = img.astype(np.float32)
    img[:3] += np.where(field, 0, rng.uniform(-0.05, 0.08, (size, size))).astype(np.float32)[None]
    yard = ((yy % 500) < 40) & ((xx % 500) < 40)          # disused: roofs that plants overgrow
    active = ((yy % 500) >= 250) & ((yy % 500) < 290) & ((xx % 500) < 40)  # busy bare yards
    img[:, yard] = np.array(RUDERAL if year_b else ROOF, np.float32)[:, None]
    img[:, active] = np.array(BARE_FIELD, np.float32)[:, None]
    img[:3, active] += np.float32(rng.uniform(-0.1, 0.1))
    img += rng.normal(0, 0.003, img.shape).astype(np.float32)
    scl = np.where(field, 4, 5).astype(np.uint8)
    r0, c0 = rng.integers(0, size // 2, 2)
    img[:, r0:r0 + size // 4, c0:c0 + size // 4] = 0.45
    scl[r0:r0 + size // 4, c0:c0 + size // 4] = 9
    return img, scl


def generate(root: Path, tiles: tuple[int, int], size: int, dates_per_year: int, years=(2019, 2024)) -> Path:
    import pystac
    from pyproj import Transformer
    from pystac.extensions.projection import ProjectionExtension
    from shapely.geometry import box, mapping

    tr = Transformer.from_crs(32632, 4326, always_xy=True)
    cat = pystac.Catalog(id="bench", description="generated regional case")
    rng = np.random.default_rng(0)
    prof = dict(driver="GTiff", count=1, crs="EPSG:32632", tiled=True, blockxsize=256, blockysize=256,
                compress="deflate")
    for ti in range(tiles[0]):
        for tj in range(tiles[1]):
            x0, y0 = ORIGIN[0] + tj * size * 10, ORIGIN[1] - ti * size * 10
            for y in years:
                for k in range(dates_per_year):
                    d = dt.date(y, 5, 1) + dt.timedelta(days=int(k * 140 / max(1, dates_per_year - 1)))
                    img, scl = _tile_arrays(size, ti, tj, d, y == years[-1], rng)
                    offset = -1000.0 if d >= dt.date(2022, 1, 25) else 0.0
                    folder = root / f"T{ti}{tj}" / f"{d:%Y%m%d}"
                    folder.mkdir(parents=True, exist_ok=True)
                    item = pystac.Item(id=f"T{ti}{tj}_{d:%Y%m%d}", geometry=None, bbox=None,
                                       datetime=dt.datetime(d.year, d.month, d.day, 10, 30),
                                       properties={"eo:cloud_cover": 6.0,
                                                   "s2:processing_baseline": "05.00" if offset else "02.12"})
                    lon0, lat0 = tr.transform(x0, y0 - size * 10)
                    lon1, lat1 = tr.transform(x0 + size * 10, y0)
                    item.bbox = [lon0, lat0, lon1, lat1]
                    item.geometry = mapping(box(lon0, lat0, lon1, lat1))
                    for bi, b in enumerate(BANDS + ("SCL",)):
                        step = 2 if b in ("B11", "B12", "SCL") else 1
                        if b == "SCL":
                            a, dtype, nodata = scl[::2, ::2], "uint8", None
                        else:
                            band = img[bi] if step == 1 else img[bi].reshape(size // 2, 2, size // 2, 2).mean((1, 3))
                            a = np.clip(np.round(band * 10000 - offset), 1, 65534).astype(np.uint16)
                            dtype, nodata = "uint16", 0
                        tf = from_origin(x0, y0, 10.0 * step, 10.0 * step)
                        p = folder / f"{b}.tif"
                        with rasterio.open(p, "w", width=a.shape[1], height=a.shape[0], dtype=dtype, nodata=nodata,
                                           transform=tf, **prof) as dst:
                            dst.write(a, 1)
                        item.add_asset(ASSET[b], pystac.Asset(href=str(p), media_type=pystac.MediaType.COG))
                        ProjectionExtension.ext(item.assets[ASSET[b]], add_if_missing=True).apply(
                            epsg=32632, shape=list(a.shape), transform=list(tf)[:6])
                    cat.add_item(item)
    cat.normalize_and_save(str(root / "stac"), catalog_type=pystac.CatalogType.SELF_CONTAINED)
    return root / "stac" / "catalog.json"


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _cpu_s() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def run_on(catalog: Path, workers: int, chunk: int, work: Path, memory_limit: str) -> dict:
    from dask.distributed import Client, LocalCluster

    from geo.brownfield.cube import read_items
    from geo.brownfield.regional import detect_regional

    items = read_items(catalog)
    cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, memory_limit=memory_limit,
                           dashboard_address=":0")
    client = Client(cluster)
    try:
        client.run(lambda: __import__("geo.brownfield.regional"))  # imports are not the pipeline
        cpu0 = client.run(_cpu_s)
        t = time.perf_counter()
        res = detect_regional(items, [2019, 2024], chunk=chunk, client=client, work_dir=work)
        seconds = time.perf_counter() - t
        peaks = client.run(_peak_rss_mb)
        cpu = {k: v - cpu0[k] for k, v in client.run(_cpu_s).items()}
    finally:
        client.close()
        cluster.close()
        shutil.rmtree(work, ignore_errors=True)
    return {"workers": workers, "seconds": round(seconds, 1), "candidates": int(len(res.candidates)),
            "peak_rss_mb_per_worker": [round(v) for v in peaks.values()],
            # CPU seconds each worker spent: on a shared machine, wall time / CPU time shows the contention.
            "cpu_s_per_worker": [round(v, 1) for v in cpu.values()],
            "chunks": res.record["execution"]["chunks"]}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--tiles", default="2x2", help="rows x cols of tiles")
    ap.add_argument("--size", type=int, default=1024, help="tile side in pixels (10 m)")
    ap.add_argument("--dates", type=int, default=6, help="growing-season dates per year (two years)")
    ap.add_argument("--chunk", type=int, default=1024)
    ap.add_argument("--memory-limit", default="2GiB")
    ap.add_argument("--workers", default="1,2")
    ap.add_argument("--keep", help="generate into this folder and keep it (reused when it exists)")
    args = ap.parse_args()
    tiles = tuple(int(v) for v in args.tiles.split("x"))
    root = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="bench_regional_"))
    catalog = root / "stac" / "catalog.json"
    t = time.perf_counter()
    if not catalog.exists():
        generate(root, tiles, args.size, args.dates)
    gen = time.perf_counter() - t
    px = tiles[0] * tiles[1] * args.size ** 2
    obs = px * args.dates * 2
    out = {"case": {"tiles": args.tiles, "size": args.size, "dates": args.dates * 2, "pixels": px,
                    "pixel_dates": obs, "chunk": args.chunk, "generate_s": round(gen, 1)}, "runs": []}
    for w in (int(v) for v in args.workers.split(",")):
        r = run_on(catalog, w, args.chunk, root / f"parts{w}", args.memory_limit)
        r["mpx_dates_per_s"] = round(obs / r["seconds"] / 1e6, 2)
        out["runs"].append(r)
        print(json.dumps(r), flush=True)
    lomb = 8 * 10980 ** 2 * 30 * 5  # Lombardy: 8 full tiles, 30 growing-season dates a year, 5 years
    out["lombardy_pixel_dates"] = lomb
    if len(out["runs"]) >= 2:
        r1, r2 = out["runs"][0], out["runs"][1]
        out["scaling_1_to_2"] = round(r1["seconds"] / r2["seconds"], 2)
        # Wall-time projection: measured per-worker throughput, parallel efficiency as measured at 2 workers.
        eff = out["scaling_1_to_2"] / 2
        out["projection_hours_wall"] = {n: round(lomb / (obs / r1["seconds"] * (1 if n == 1 else n * eff)) / 3600, 2)
                                        for n in (1, 8, 64)}
        # CPU projection: what the same work needs when every worker has its own core (the development
        # machine is shared, so its wall times include waiting for a core). The parallel overhead is the
        # extra CPU the 2-worker run spent (transfers of halos, scheduling) over the 1-worker run.
        cpu1, cpu2 = sum(r1["cpu_s_per_worker"]), sum(r2["cpu_s_per_worker"])
        out["cpu_overhead_2_workers"] = round(cpu2 / cpu1, 2)
        out["scaling_1_to_2_cpu_bound"] = round(cpu1 / max(r2["cpu_s_per_worker"]), 2)
        out["projection_hours_cpu"] = {n: round(lomb / (obs / cpu1) * (1 if n == 1 else cpu2 / cpu1 / n) / 3600, 2)
                                       for n in (1, 8, 64)}
    out["load_average_after"] = [round(v, 2) for v in __import__("os").getloadavg()]
    print(json.dumps(out, indent=2))
    if not args.keep:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
