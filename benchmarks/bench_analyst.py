"""Benchmark: server time of the analyst page per run (what every click on it costs the analyst).

Builds a catalogue (default: the demo one, to a temporary file), publishes a detection run of the
synthetic scenes with its planted candidate copied to ``--candidates`` places (each with the run's real
scenes, so the before/after views are read), records ``--reviews`` decisions, then runs the page under
Streamlit's AppTest: the first run (cold caches) apart, then the median of ``--repeat`` reruns, of a
widget change (minimum score) and of a change of candidate.

    .venv/bin/python benchmarks/bench_analyst.py [--candidates 300] [--reviews 60] [--repeat 5] [--catalogue PATH]
"""

from __future__ import annotations

import argparse
import logging
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the synthetic scenes of tests/brownfield, run as a script from anywhere


def publish_run(target: str, work: Path, n_candidates: int, n_reviews: int) -> None:
    """A real run of the synthetic scenes, its candidate repeated ``n_candidates`` times 2 km apart."""
    import geopandas as gpd
    import pandas as pd
    from shapely import affinity

    from geo.brownfield.review import record_review
    from geo.brownfield.run import detect, publish
    from geo.brownfield.sources import scene_from_path
    from geo.catalogue import open_catalogue
    from tests.brownfield.synthetic import scene_arrays, write_stack

    s0 = scene_from_path(write_stack(work / "a.tif", scene_arrays(120, 0)), "2019-06-01", level="L2A")
    s1 = scene_from_path(write_stack(work / "b.tif", scene_arrays(120, 1)), "2021-06-01", level="L2A")
    run = detect([s0, s1])
    one = run.candidates.iloc[[0]]
    copies = []
    for i in range(n_candidates):
        c = one.copy()
        c["geometry"] = [affinity.translate(g, 2000.0 * (i % 20), -2000.0 * (i // 20)) for g in c.geometry]
        c["candidate_id"] = f"{c['candidate_id'].iloc[0]}-{i:04d}"
        c["rank"] = i + 1
        c["score"] = round(0.3 + 0.7 * (i % 10) / 10, 2)
        copies.append(c)
    run.candidates = gpd.GeoDataFrame(pd.concat(copies, ignore_index=True), crs=run.candidates.crs)
    run.candidates["in_budget"] = True
    run.record["n_candidates"] = n_candidates
    publish(run, target)
    cat = open_catalogue(target)
    cands = cat.layer("brownfield_candidates")
    for i in range(min(n_reviews, len(cands))):
        record_review(cat, cands.iloc[i], "confirm" if i % 2 else "reject", "bench", None if i % 2 else "in use")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--candidates", type=int, default=300)
    ap.add_argument("--reviews", type=int, default=60)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--catalogue", help="an existing catalogue to copy (default: build the demo one)")
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp())
    path = work / "catalogue.gpkg"
    if args.catalogue:
        for suffix in ("", "-wal"):  # a WAL file not yet checkpointed holds committed rows too
            if Path(f"{args.catalogue}{suffix}").exists():
                shutil.copy2(f"{args.catalogue}{suffix}", f"{path}{suffix}")
    else:
        from geo.catalogue.build import build_catalogue

        build_catalogue(path, demo=True)
    publish_run(str(path), work, args.candidates, args.reviews)
    os.environ.update(GEO_CATALOGUE=str(path), GEO_AUTH_MODE="local", GEO_LOCAL_ROLE="analyst",
                      STREAMLIT_LOGGER_LEVEL="error")
    from streamlit.testing.v1 import AppTest

    logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context").disabled = True
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
    at.query_params["lang"] = "en"
    at.switch_page("geo/web/pages/analyst.py")

    def timed(action) -> float:
        t = time.perf_counter()
        action()
        if at.exception:
            raise SystemExit(f"analyst: {at.exception[0].value}")
        return time.perf_counter() - t

    first = timed(at.run)
    reruns = [timed(at.run) for _ in range(args.repeat)]
    scores = [timed(lambda v=v: at.sidebar.slider(key="bf_score").set_value(v).run())
              for v in [0.1 + 0.05 * (i % 4) for i in range(args.repeat)]]
    ids = list(at.selectbox(key="bf_pick").options)
    picks = [timed(lambda c=c: at.selectbox(key="bf_pick").set_value(c).run()) for c in ids[1:args.repeat + 1]]
    print(f"catalogue: {path}  candidates: {args.candidates}  reviews: {args.reviews}")
    print(f"analyst page server time: first run {first:.2f} s; median rerun {statistics.median(reruns):.2f} s, "
          f"score change {statistics.median(scores):.2f} s, candidate change {statistics.median(picks):.2f} s "
          f"(max of all after the first {max(reruns + scores + picks):.2f} s)")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
