"""Server time of one submission and one publication at 320, 10k and 100k listings, on each backend.

    .venv/bin/python benchmarks/bench_store.py                       # GeoPackage, and PostGIS on a throwaway
                                                                     # cluster when PostgreSQL is installed
    .venv/bin/python benchmarks/bench_store.py --postgis URL         # an existing PostGIS database (emptied!)
    .venv/bin/python benchmarks/bench_store.py --sizes 320 10000 --repeat 5

Targets (issue 9): <= 100 ms per action at 100k on the GeoPackage, and a ratio 100k/320 below 2.
Baseline in the same run: the first release copied the whole file for every write; the time to copy and
fsync the catalogue at each size is the floor of that design, printed beside our figures.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def grow(target: str, n: int, seed: int = 7) -> None:
    """Add copies of the demo listings (new ids, jittered positions) until the catalogue holds ``n``."""
    import geopandas as gpd

    from geo.catalogue import open_catalogue
    from geo.catalogue.stores import connect
    from geo.catalogue.frames import to_storage

    cat = open_catalogue(target)
    base = cat.sites(statuses=None)
    need = n - len(base)
    if need <= 0:
        return
    rng = np.random.default_rng(seed)
    reps = int(np.ceil(need / len(base)))
    big = pd.concat([base] * reps, ignore_index=True).iloc[:need].copy()
    big["site_id"] = [f"BENCH-{i:07d}" for i in range(need)]
    big["lon"] = big["lon"] + rng.normal(0, 0.01, need)
    big["lat"] = big["lat"] + rng.normal(0, 0.01, need)
    big = gpd.GeoDataFrame(big, geometry=gpd.points_from_xy(big["lon"], big["lat"], crs=4326), crs=4326)
    db = connect(target)
    step = 20000
    for i in range(0, need, step):
        with db.transaction() as tx:
            tx.insert("sites", to_storage(big.iloc[i:i + step]))


def workbook(path: Path) -> Path:
    from tests.listing.conftest import SITE, fill

    return fill(path, sites=[SITE])


def measure(target: str, xlsx: Path, repeat: int) -> dict[str, float]:
    from geo.catalogue import open_catalogue
    from geo.listing.check import check_workbook
    from geo.listing.submission import publish, submit

    cat = open_catalogue(target)
    res = check_workbook(xlsx, cat.places())
    assert res.ok, res.report("en")
    sub_t, pub_t = [], []
    for i in range(repeat + 1):
        res.sites[0].record["land_area_m2"] = 20000.0 + uuid.uuid4().int % 10**9 / 1000
        res.file_sha256 = uuid.uuid4().hex
        t = time.perf_counter()
        rec = submit(cat, res)
        t1 = time.perf_counter()
        publish(cat, "staff", rec.site_ids[0], actor="staff:bench")
        t2 = time.perf_counter()
        if i:  # the first action of a process warms its caches
            sub_t.append(t1 - t)
            pub_t.append(t2 - t1)
    return {"submit_ms": 1000 * statistics.median(sub_t), "publish_ms": 1000 * statistics.median(pub_t)}


def copy_floor(path: Path, repeat: int = 3) -> float:
    """Median ms to copy and fsync the file: what every write cost at least in the whole-file design."""
    out = []
    for _ in range(repeat):
        dst = path.with_name(".copy-bench.gpkg")
        t = time.perf_counter()
        shutil.copy2(path, dst)
        fd = os.open(dst, os.O_RDONLY)
        os.fsync(fd)
        os.close(fd)
        out.append(time.perf_counter() - t)
        dst.unlink()
    return 1000 * statistics.median(out)


def run_backend(name: str, make_target, sizes: list[int], repeat: int, tmp: Path) -> list[dict]:
    from geo.catalogue.build import build_catalogue

    xlsx = workbook(tmp / "bench.xlsx")
    rows = []
    for n in sizes:
        target = make_target(n)
        t0 = time.perf_counter()
        build_catalogue(target, demo=True, n_sites=min(n, 320))
        grow(target, n)
        setup = time.perf_counter() - t0
        m = measure(target, xlsx, repeat)
        row = {"backend": name, "sites": n, **m, "setup_s": setup}
        if name == "gpkg":
            row["size_mb"] = Path(target).stat().st_size / 1e6
            row["copy_floor_ms"] = copy_floor(Path(target))
        rows.append(row)
        print(" ".join(f"{k}={v:.1f}" if isinstance(v, float) else f"{k}={v}" for k, v in row.items()), flush=True)
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="+", default=[320, 10_000, 100_000])
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--postgis", help="postgresql:// URL of a database the benchmark may empty")
    ap.add_argument("--no-postgis", action="store_true")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-store-"))
    rows = run_backend("gpkg", lambda n: str(tmp / f"cat-{n}.gpkg"), args.sizes, args.repeat, tmp)
    cluster = None
    if not args.no_postgis:
        url = args.postgis
        if url is None:
            try:
                from tests.pg import start_cluster

                cluster = start_cluster()
            except Exception as exc:  # noqa: BLE001 - the benchmark still reports the GeoPackage
                print(f"PostGIS skipped: {exc}")
        if url or cluster:
            rows += run_backend("postgis", lambda n: url or cluster.new_database(), args.sizes, args.repeat, tmp)
    if cluster:
        cluster.stop()
    df = pd.DataFrame(rows)
    print()
    print(df.round(1).to_string(index=False))
    for backend, g in df.groupby("backend"):
        g = g.set_index("sites")
        lo, hi = g.index.min(), g.index.max()
        print(f"{backend}: ratio {hi}/{lo} submit {g.loc[hi, 'submit_ms'] / g.loc[lo, 'submit_ms']:.2f}, "
              f"publish {g.loc[hi, 'publish_ms'] / g.loc[lo, 'publish_ms']:.2f}")
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
