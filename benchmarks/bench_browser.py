"""Benchmark: what a visitor of the find page waits for, in real Chromium, against the smallest streamlit-folium app.

Two Streamlit servers on the same demo catalogue (320 sites): the project's app (``app.py``, find page) and
``benchmarks/minimal_app.py`` (one folium map with a marker per site, nothing else). In one run, alternately:

* a fresh visitor (new browser context: no cookie, no session), timed from navigation to the markers drawn
  on the map (its frame's body gets ``data-site-count``), with the bytes the server sent over the websocket;
* eight fresh visitors at once: the wait of the last one to see its markers.

Offline: tile requests are aborted. The machine may be shared: the script prints ``uptime`` before and after;
compare medians and ratios of the same run, not figures of different runs.

    .venv/bin/python benchmarks/bench_browser.py [--rounds 5] [--crowd 8] [--catalogue PATH] [--app-root DIR]

``--app-root`` serves the project's app from another checkout (e.g. an older commit, to compare before/after
in one run; ``--also-root`` adds it as a third contender).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Iterator

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.web.browser import CHROMIUM, CHROMIUM_ARGS, free_port  # noqa: E402

READY = ("() => Array.from(document.querySelectorAll('iframe')).some(f => { try { "
         "return f.contentDocument.body.getAttribute('data-site-count') !== null; } catch (e) { return false; } })")
OUTSIDE = re.compile(r"https://.*")


@contextmanager
def server(script: Path, catalogue: Path, cwd: Path, timeout: float = 120) -> Iterator[str]:
    """``streamlit run script`` on a free port (local staff role), until the context ends."""
    port = free_port()
    env = {**os.environ, "GEO_CATALOGUE": str(catalogue), "GEO_AUTH_MODE": "local", "GEO_LOCAL_ROLE": "staff",
           "PYTHONPATH": str(cwd)}
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", str(script), "--server.port", str(port),
                             "--server.address", "127.0.0.1", "--server.headless", "true",
                             "--browser.gatherUsageStats", "false"],
                            cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                    if r.read() == b"ok":
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{script} did not start")
            time.sleep(0.2)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


async def visit(browser, url: str) -> tuple[float, int]:
    """A fresh visitor: seconds from navigation to the markers drawn, and websocket bytes received by then."""
    ctx = await browser.new_context(viewport={"width": 1400, "height": 1000})
    page = await ctx.new_page()
    await page.route(OUTSIDE, lambda route: route.abort())
    received = [0]

    def on_ws(ws):
        ws.on("framereceived", lambda payload: received.__setitem__(0, received[0] + len(payload)))

    page.on("websocket", on_ws)
    t = time.perf_counter()
    await page.goto(url, wait_until="commit")
    await page.wait_for_function(READY, timeout=180000, polling=20)
    took = time.perf_counter() - t
    await ctx.close()
    return took, received[0]


async def crowd(browser, url: str, n: int) -> list[float]:
    """``n`` fresh visitors at once: each one's wait."""
    return [t for t, _b in await asyncio.gather(*(visit(browser, url) for _ in range(n)))]


def minimal_script() -> Path:
    """``minimal_app.py`` copied beside a link to ``static/``: Streamlit serves the ``static`` folder next to the
    script it runs, and the minimal app loads Leaflet from there like the project's app."""
    where = Path(tempfile.mkdtemp())
    (where / "static").symlink_to(ROOT / "static")
    (where / "minimal_app.py").write_text((ROOT / "benchmarks" / "minimal_app.py").read_text())
    return where / "minimal_app.py"


def uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


async def run(urls: dict[str, str], rounds: int, n: int) -> None:
    from playwright.async_api import async_playwright

    single: dict[str, list[float]] = {k: [] for k in urls}
    sent: dict[str, list[int]] = {k: [] for k in urls}
    last: dict[str, list[float]] = {k: [] for k in urls}
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for k, url in urls.items():  # warm-up: first visitor of each server (imports, caches)
            await visit(browser, url)
        for r in range(rounds):
            order = list(urls) if r % 2 == 0 else list(reversed(urls))  # alternate who goes first
            for k in order:
                t, b = await visit(browser, urls[k])
                single[k].append(t)
                sent[k].append(b)
            for k in order:
                last[k].append(max(await crowd(browser, urls[k], n)))
            print(f"round {r + 1}: " + "  ".join(f"{k} {single[k][-1]:.2f} s / {n} at once {last[k][-1]:.2f} s"
                                                 for k in urls), flush=True)
        await browser.close()
    base = "minimal"
    print(f"\n{'':12} {'fresh visitor s':>16} {'ratio':>6} {'ws KB':>8} {f'last of {n} s':>14} {'ratio':>6}")
    for k in urls:
        s, c = statistics.median(single[k]), statistics.median(last[k])
        print(f"{k:12} {s:>16.2f} {s / statistics.median(single[base]):>6.2f} "
              f"{statistics.median(sent[k]) / 1e3:>8.0f} {c:>14.2f} {c / statistics.median(last[base]):>6.2f}")
    print(f"targets: find page <= 1.25x the minimal app, for one fresh visitor and for the last of {n}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--crowd", type=int, default=8)
    ap.add_argument("--catalogue", help="an existing catalogue (default: build the demo one)")
    ap.add_argument("--app-root", type=Path, default=ROOT, help="checkout whose app.py is served")
    ap.add_argument("--also-root", type=Path, help="a second checkout served beside it (before/after)")
    args = ap.parse_args()
    if args.catalogue:
        path = Path(args.catalogue)
    else:
        from geo.catalogue.build import build_catalogue

        path = Path(tempfile.mkdtemp()) / "catalogue.gpkg"
        build_catalogue(path, demo=True)
    print(f"catalogue: {path}\nbefore: {uptime()}", flush=True)
    with ExitStack() as stack:
        urls = {"find": stack.enter_context(server(args.app_root / "app.py", path, args.app_root)) + "/find?lang=en"}
        if args.also_root:
            urls["find (also)"] = stack.enter_context(server(args.also_root / "app.py", path, args.also_root)) \
                + "/find?lang=en"
        urls["minimal"] = stack.enter_context(server(minimal_script(), path, ROOT)) + "/"
        asyncio.run(run(urls, args.rounds, args.crowd))
    print(f"after: {uptime()}")


if __name__ == "__main__":
    main()
