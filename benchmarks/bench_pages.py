"""Benchmark: server time of one rerun of each page (what every click costs the user).

Runs the app under Streamlit's AppTest on a catalogue (default: the demo one,
built to a temporary file), with a shortlist of N sites and a 3-criterion brief
in the URL, and prints the median time of a rerun per page. The first run of
each page (cold caches) is reported apart.

    .venv/bin/python benchmarks/bench_pages.py [--shortlist 20] [--repeat 3] [--catalogue PATH]
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import statistics
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PAGES = ["home", "find", "sheet", "shortlist", "owner", "staff", "analyst"]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--shortlist", type=int, default=20)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--catalogue", help="an existing catalogue (default: build the demo one)")
    args = ap.parse_args()
    if args.catalogue:
        path = Path(args.catalogue)
    else:
        from geo.catalogue.build import build_catalogue

        path = Path(tempfile.mkdtemp()) / "catalogue.gpkg"
        build_catalogue(path, demo=True)
    os.environ.update(GEO_CATALOGUE=str(path), GEO_AUTH_MODE="local", GEO_LOCAL_ROLE="staff",
                      STREAMLIT_LOGGER_LEVEL="error")
    from streamlit.testing.v1 import AppTest

    # AppTest resets Streamlit's log level on every app; its bare-mode warnings would drown the figures.
    bare_warning = logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context")

    from geo.catalogue import open_catalogue

    ids = open_catalogue(path).sites()["site_id"].head(args.shortlist).tolist()
    brief = json.dumps({"criteria": [{"key": "power_min", "value": 2000}, {"key": "fibre", "value": True},
                                     {"key": "land_area_min", "value": 10000, "hard": False}]})
    print(f"catalogue: {path}  shortlist: {len(ids)} sites  brief: 3 criteria")
    print(f"{'page':<10} {'first run s':>12} {'rerun median s':>15}")
    for page in PAGES:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
        bare_warning.disabled = True
        at.query_params["sl"] = ",".join(ids)
        at.query_params["b"] = brief
        if page != "home":
            at.switch_page(f"geo/web/pages/{page}.py")
        t = time.perf_counter()
        at.run()
        first = time.perf_counter() - t
        if at.exception:
            raise SystemExit(f"{page}: {at.exception[0].value}")
        runs = []
        for _ in range(args.repeat):
            t = time.perf_counter()
            at.run()
            runs.append(time.perf_counter() - t)
        print(f"{page:<10} {first:>12.2f} {statistics.median(runs):>15.2f}")
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
