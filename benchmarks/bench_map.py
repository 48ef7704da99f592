"""Benchmark: the search map at 10k results — bytes sent to the browser and time to interactive.

Our map (sites as one compact JSON array, clustered in the browser) against a
naive folium map (one folium.Marker per site in a MarkerCluster), both served
from a local HTTP server with the vendored Leaflet and measured in headless
Chromium in the same run. "Interactive" = the page has loaded and the
cluster layer has been added to the map (a JS flag polled by Playwright).

The map alone: what a visitor of the app waits for on the find page (a Streamlit server,
fresh browser contexts, one and eight at once, against the smallest streamlit-folium app
over the same sites) is benchmarks/bench_browser.py.

    .venv/bin/python benchmarks/bench_map.py [--sites 10000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import functools
import http.server
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import folium
from folium.plugins import MarkerCluster

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.bench_search import synthetic_sites  # noqa: E402
from geo.web.assets import localise  # noqa: E402
from geo.web.mapview import build_map  # noqa: E402
from tests.web.browser import CHROMIUM, CHROMIUM_ARGS  # noqa: E402


def naive_map(sites) -> folium.Map:
    """One folium object per site (and no reference layers: the baseline is only the markers)."""
    m = folium.Map(location=(45.6, 9.8), zoom_start=8, tiles="OpenStreetMap")
    mc = MarkerCluster().add_to(m)
    for _, r in sites.iterrows():
        folium.CircleMarker([r.geometry.y, r.geometry.x], radius=7, tooltip=str(r["title_it"])).add_to(mc)
    localise(m)
    return m


FLAG = "<script>window.addEventListener('load',function(){window.__loaded=performance.now();});</script>"


def serve(directory: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    class Handler(http.server.SimpleHTTPRequestHandler):
        def translate_path(self, path):
            if path.startswith("/app/static/"):
                return str(ROOT / "static" / path[len("/app/static/"):].split("?")[0])
            return super().translate_path(path)

        def log_message(self, *a):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Handler, directory=str(directory)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd, f"http://127.0.0.1:{httpd.server_address[1]}"


def time_to_interactive(browser, url: str, ready_js: str) -> float:
    page = browser.new_page()
    page.route("https://**/*", lambda route: route.abort())
    t0 = time.perf_counter()
    page.goto(url, wait_until="commit")
    page.wait_for_function(ready_js, timeout=120000, polling=20)
    dt = time.perf_counter() - t0
    page.close()
    return dt


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sites", type=int, default=10000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--chromium", default=CHROMIUM,
                    help="the browser binary (default: Debian's Chromium, the browser visitors run)")
    args = ap.parse_args()
    sites = synthetic_sites(args.sites)
    out = Path(tempfile.mkdtemp())
    t = time.perf_counter()
    from geo.layers import admin, airports, zls
    from geo.web.mapview import for_map

    mun = admin.municipalities()
    layers = dict(municipalities=for_map("municipalities", mun),
                  provinces=for_map("provinces", admin.provinces()),
                  zls=for_map("zls_municipalities", zls.zls_municipalities(mun)),
                  infrastructure=airports.airports(admin.region()))
    t = time.perf_counter()
    ours = build_map(sites, "en", draw=True, **layers)
    build_ours = time.perf_counter() - t
    t = time.perf_counter()
    naive = naive_map(sites)
    build_naive = time.perf_counter() - t
    (out / "ours.html").write_text(ours.get_root().render())
    (out / "naive.html").write_text(naive.get_root().render())
    # What st_folium sends: the map script plus the headers; the standalone HTML is a close upper bound.
    size_ours = (out / "ours.html").stat().st_size
    size_naive = (out / "naive.html").stat().st_size
    httpd, base = serve(out)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=args.chromium, args=CHROMIUM_ARGS)
        ready_ours = "() => document.body && document.body.getAttribute('data-site-count') !== null"
        ready_naive = "() => document.querySelectorAll('.marker-cluster').length > 0"
        tti_ours = [time_to_interactive(b, f"{base}/ours.html", ready_ours) for _ in range(args.repeat)]
        tti_naive = [time_to_interactive(b, f"{base}/naive.html", ready_naive) for _ in range(args.repeat)]
        b.close()
    httpd.shutdown()
    mo, mn = statistics.median(tti_ours), statistics.median(tti_naive)
    print(f"sites: {args.sites}")
    print(f"{'':24} {'ours':>10} {'naive':>10} {'ratio':>7}")
    print(f"{'payload (MB)':24} {size_ours / 1e6:>10.2f} {size_naive / 1e6:>10.2f} {size_naive / size_ours:>7.1f}")
    print(f"{'build in Python (s)':24} {build_ours:>10.2f} {build_naive:>10.2f} {build_naive / build_ours:>7.1f}")
    print(f"{'time to interactive (s)':24} {mo:>10.2f} {mn:>10.2f} {mn / mo:>7.1f}")
    print("targets: payload <= 3 MB, interactive <= 2 s at 10k results")


if __name__ == "__main__":
    main()
