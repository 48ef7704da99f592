"""Benchmark: the find page's server time and memory with the largest infrastructure layer an import accepts.

Builds the demo catalogue (or copies ``--catalogue``), fills layer ``infrastructure`` with ``--rows`` points
spread over Lombardy (default: ``MAX_LAYER_ROWS`` of geo.layers.imports, i.e. five kinds at the per-file limit)
through the same merge and transaction as ``geo import infrastructure``, then runs the find page under
Streamlit's AppTest: the first run (cold caches), the median of ``--repeat`` reruns (wall and CPU seconds), the
size of the map sent to the browser and the process's peak memory.

    .venv/bin/python benchmarks/bench_big_layer.py [--rows 50000] [--repeat 3] [--catalogue PATH]
"""

from __future__ import annotations

import argparse
import logging
import os
import resource
import shutil
import statistics
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
KINDS = ("airport", "motorway_junction", "rail_station", "rail_freight_terminal", "port")


def fill(path: Path, rows: int) -> None:
    """Layer ``infrastructure`` grown to ``rows`` points: the catalogue's own, and new ones over Lombardy's box split
    evenly over the five kinds (one import source per kind)."""
    import geopandas as gpd
    import numpy as np

    from geo.catalogue import open_catalogue
    from geo.layers.imports import merge_infrastructure

    rng = np.random.default_rng(0)
    cat = open_catalogue(path)

    def change(cur):
        layer = cur.layer("infrastructure")
        add = rows - len(layer)  # the layer holds ``rows`` points in all
        per = -(-add // len(KINDS))
        for i, kind in enumerate(KINDS):
            n = min(per, add - i * per)
            if n <= 0:
                break
            new = gpd.GeoDataFrame({
                "infra_id": [f"{kind}:bench:{j}" for j in range(n)], "kind": kind,
                "name": [f"{kind} {j}" for j in range(n)], "iata": None, "icao": None, "subkind": kind,
                "source": "bench"}, geometry=gpd.points_from_xy(rng.uniform(8.5, 11.4, n), rng.uniform(44.7, 46.6, n)),
                crs=4326)
            layer = merge_infrastructure(layer, new, kind)
        return {"infrastructure": layer}

    cat.update_layers(change, actor="bench", reason="largest accepted infrastructure layer")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, help="points in layer infrastructure (default: the largest accepted)")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--catalogue", help="a catalogue to copy (default: build the demo one)")
    args = ap.parse_args()
    try:
        from geo.layers.imports import MAX_LAYER_ROWS
    except ImportError:  # a version without import limits: measure the same size
        MAX_LAYER_ROWS = 50_000
    rows = args.rows or MAX_LAYER_ROWS
    path = Path(tempfile.mkdtemp()) / "catalogue.gpkg"
    if args.catalogue:
        shutil.copy2(args.catalogue, path)
    else:
        from geo.catalogue.build import build_catalogue

        build_catalogue(path, demo=True)
    t = time.perf_counter()
    fill(path, rows)
    print(f"catalogue: {path}  infrastructure: {rows} points in all, written in {time.perf_counter() - t:.1f} s")
    os.environ.update(GEO_CATALOGUE=str(path), GEO_AUTH_MODE="local", GEO_LOCAL_ROLE="staff",
                      STREAMLIT_LOGGER_LEVEL="error")
    from streamlit.testing.v1 import AppTest

    logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context").disabled = True
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=600)
    at.switch_page("geo/web/pages/find.py")
    t, c = time.perf_counter(), _cpu()
    at.run()
    first, first_cpu = time.perf_counter() - t, _cpu() - c
    if at.exception:
        raise SystemExit(f"find: {at.exception[0].value}")
    runs, cpus = [], []
    for _ in range(args.repeat):
        t, c = time.perf_counter(), _cpu()
        at.run()
        runs.append(time.perf_counter() - t)
        cpus.append(_cpu() - c)
    html = max((len(getattr(e.proto, "json_args", "") or "") for e in at.get("iframe") + at.get("component_instance")),
               default=0)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"find page: first run {first:.2f} s ({first_cpu:.2f} s CPU), rerun median {statistics.median(runs):.2f} s "
          f"({statistics.median(cpus):.2f} s CPU); map sent {html / 2**20:.1f} MB; "
          f"peak memory {peak:.0f} MB (before the page {before:.0f} MB)")


def _cpu() -> float:
    """CPU seconds of the whole process (the page runs in another thread): less noisy than wall time on a
    shared machine."""
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


if __name__ == "__main__":
    main()
