"""Benchmark: server time of one rerun of each page (what every click costs the user).

Runs the app under Streamlit's AppTest on a catalogue (default: the demo one,
built to a temporary file), with a shortlist of N sites and a 3-criterion brief
in the URL, and prints per page: the first run of a new process (cold caches),
a fresh visitor's first run (a new session, warm caches), the median rerun, and
for the find page a filter changed. AppTest's own cost of a first run (measured
on an empty script in the same run) is subtracted.

    .venv/bin/python benchmarks/bench_pages.py [--shortlist 20] [--repeat 3] [--catalogue PATH]
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.catalogue import catalogue_or_demo  # noqa: E402

PAGES = ["home", "find", "sheet", "shortlist", "owner", "staff", "analyst"]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--shortlist", type=int, default=20)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--catalogue", help="an existing catalogue (default: build the demo one)")
    args = ap.parse_args()
    path = catalogue_or_demo(args.catalogue)
    os.environ.update(GEO_CATALOGUE=str(path), GEO_AUTH_MODE="local", GEO_LOCAL_ROLE="staff",
                      STREAMLIT_LOGGER_LEVEL="error")
    from streamlit.testing.v1 import AppTest

    from tests.apptest_once import compile_scripts_once, scan_components_once

    scan_components_once()  # AppTest's own set-up, not a cost of the page (see below)
    compile_scripts_once()  # the server compiles each script once; AppTest on every run

    # AppTest resets Streamlit's log level on every app; its bare-mode warnings would drown the figures.
    bare_warning = logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context")

    from geo.catalogue import open_catalogue

    ids = open_catalogue(path).sites()["site_id"].head(args.shortlist).tolist()
    brief = json.dumps({"criteria": [{"key": "power_min", "value": 2000}, {"key": "fibre", "value": True},
                                     {"key": "land_area_min", "value": 10000, "hard": False}]})
    print(f"catalogue: {path}  shortlist: {len(ids)} sites  brief: 3 criteria")

    def session(page: str):
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
        bare_warning.disabled = True
        at.query_params["sl"] = ",".join(ids)
        at.query_params["b"] = brief
        if page != "home":
            at.switch_page(f"geo/web/pages/{page}.py")
        return at

    # The server's own time: each script run as Streamlit executes it (AppTest's own set-up, which also scanned
    # installed packages for components on every run until scan_components_once, is not a cost of the page).
    from streamlit.runtime.scriptrunner import script_runner

    # CPU seconds of the script's thread beside wall seconds: on a shared machine wall time moves with the load.
    script_runs: list[tuple[float, float]] = []
    run_script = script_runner.exec_func_with_error_handling

    def timed_exec(func, ctx):
        t, c = time.perf_counter(), time.thread_time()
        try:
            return run_script(func, ctx)
        finally:
            script_runs.append((time.perf_counter() - t, time.thread_time() - c))

    script_runner.exec_func_with_error_handling = timed_exec

    def timed(at) -> tuple[float, float]:
        del script_runs[:]
        at.run()
        if at.exception:
            raise SystemExit(f"{at.exception[0].value}")
        # a run that calls st.rerun() runs the script again: both count
        return sum(w for w, _c in script_runs), sum(c for _w, c in script_runs)

    def med(runs) -> str:
        runs = list(runs)
        return f"{statistics.median(w for w, _c in runs):.2f}/{statistics.median(c for _w, c in runs):.2f}"

    print("server time of the script, wall/CPU seconds (medians)")
    print(f"{'page':<10} {'cold':>10} {'fresh visitor':>14} {'rerun':>10} {'widget change':>14}")
    for page in PAGES:
        cold = med([timed(session(page))])  # the first visitor of a new process: caches empty
        fresh = med(timed(session(page)) for _ in range(args.repeat))
        at = session(page)
        at.run()
        rerun = med(timed(at) for _ in range(args.repeat))
        change = ""
        if page == "find":  # a filter ticked and unticked: the search, the map and the table again
            ticks = []
            for _ in range(args.repeat):
                at.pills(key="w_zones").set_value(["zls"])
                ticks.append(timed(at))
                at.pills(key="w_zones").set_value([])
                ticks.append(timed(at))
            change = med(ticks)
        print(f"{page:<10} {cold:>10} {fresh:>14} {rerun:>10} {change:>14}")
    print("targets: a widget change on the find page <= 0.5 s; the shortlist and analyst pages <= 1 s (fresh visitor)")
    # Baseline in the same run: the shortlist's listings read one by one (as the page did) vs in one go.
    cat = open_catalogue(path)
    t = time.perf_counter()
    [cat.site(s) for s in ids]
    one_by_one = time.perf_counter() - t
    t = time.perf_counter()
    cat.records(ids)
    together = time.perf_counter() - t
    print(f"reading {len(ids)} listings: one by one {one_by_one:.2f} s, records() {together:.2f} s, "
          f"ratio {one_by_one / max(together, 1e-9):.1f}")


if __name__ == "__main__":
    main()
