"""Benchmark: server time of one decision on the analyst page's review grid (issue 19: <= 0.3 s).

Copies a catalogue (default: builds the demo one), publishes the yard town of tests/web/grid_catalogue.py
(100 candidates with real scenes, so the chips' pictures are drawn), opens the grid under Streamlit's
AppTest and times ``--decisions`` decisions (confirm, reject with a reason, skip in turn), each from the
click to the end of the script run. AppTest reruns the whole page on a click (a browser reruns only the
grid's fragment), so the figures are an upper bound of what the analyst waits for.

    .venv/bin/python benchmarks/bench_review_grid.py [--decisions 20] [--catalogue PATH]
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
sys.path.insert(0, str(ROOT))  # the synthetic scenes of tests/, run as a script from anywhere


def decision_times(n: int) -> tuple[list[float], list[float]]:
    """Wall and CPU seconds of ``n`` grid decisions under AppTest (the catalogue in ``GEO_CATALOGUE``)."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
    at.query_params["lang"] = "en"
    at.switch_page("geo/web/pages/analyst.py")
    at.run()
    at.toggle(key="bf_grid").set_value(True).run()
    at.text_input(key="bf_grid_reason").input("active car park").run()
    times, cpu = [], []
    for i in range(n):
        cid = next(b.key.removeprefix("bf_gskip_") for b in at.button if b.key and b.key.startswith("bf_gskip_"))
        decision = ("confirm", "reject", "skip")[i % 3]
        t, c = time.perf_counter(), time.process_time()
        at.button(key=f"bf_g{decision}_{cid}").click().run()
        times.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
        if at.exception:
            raise SystemExit(f"review grid: {at.exception[0].value}")
    return times, cpu


def summary(values: list[float]) -> str:
    v = sorted(values)
    return f"median {statistics.median(v):.3f} s, p90 {v[min(len(v) - 1, int(0.9 * len(v)))]:.3f} s"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--decisions", type=int, default=20)
    ap.add_argument("--catalogue", help="an existing catalogue to copy (default: build the demo one)")
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp())
    path = work / "catalogue.gpkg"
    if args.catalogue:
        for suffix in ("", "-wal"):
            if Path(f"{args.catalogue}{suffix}").exists():
                shutil.copy2(f"{args.catalogue}{suffix}", f"{path}{suffix}")
    else:
        from geo.catalogue.build import build_catalogue

        build_catalogue(path, demo=True)
    from tests.web.grid_catalogue import publish_yard_town

    publish_yard_town(path, work)
    os.environ.update(GEO_CATALOGUE=str(path), GEO_AUTH_MODE="local", GEO_LOCAL_ROLE="analyst",
                      STREAMLIT_LOGGER_LEVEL="error")
    logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context").disabled = True
    wall, cpu = decision_times(args.decisions)
    print(f"review grid decision server time ({len(wall)} decisions, AppTest, whole page): wall {summary(wall)}; "
          f"CPU {summary(cpu)} (CPU: what the machine's load does not inflate)")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
