"""Benchmark: what a visitor of the find page waits for, in real Chromium, against the smallest streamlit-folium app.

Two Streamlit servers on the same demo catalogue (320 sites): the project's app (``app.py``, find page) and
``benchmarks/minimal_app.py`` (one folium map with a marker per site, nothing else). In one run, alternately:

* a fresh visitor (new browser context: no cookie, no session), timed from navigation to the markers drawn
  on the map (its frame's body gets ``data-site-count``), with the bytes the server sent over the websocket;
* eight fresh visitors at once: the wait of the last one to see its markers, and the CPU seconds each server
  spent per visitor (what is left of the wait is the browser's work: Chromium compiling and drawing the page).

Offline: tile requests are aborted. The machine may be shared: the script prints ``uptime`` before and after;
compare medians and ratios of the same run, not figures of different runs.

    .venv/bin/python benchmarks/bench_browser.py [--rounds 5] [--crowd 8] [--catalogue PATH] [--app-root DIR]

``--app-root`` serves the project's app from another checkout (e.g. an older commit, to compare before/after
in one run; ``--also-root`` adds it as a third contender).
"""

from __future__ import annotations

import argparse
import asyncio
import re
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.catalogue import catalogue_or_demo  # noqa: E402
from tests.web.browser import CHROMIUM, CHROMIUM_ARGS, streamlit_process  # noqa: E402

READY = ("() => Array.from(document.querySelectorAll('iframe')).some(f => { try { "
         "return f.contentDocument.body.getAttribute('data-site-count') !== null; } catch (e) { return false; } })")
OUTSIDE = re.compile(r"https://.*")


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU seconds used so far by the processes ``pids`` and their children."""
    total = 0.0
    for pid in pids:
        try:
            proc = psutil.Process(pid)
            for p in [proc, *proc.children(recursive=True)]:
                t = p.cpu_times()
                total += t.user + t.system
        except psutil.NoSuchProcess:
            pass
    return total


async def fresh_page(browser):
    """A fresh visitor's context and page (no cookie, no session, 1400x1000; requests outside are aborted)."""
    ctx = await browser.new_context(viewport={"width": 1400, "height": 1000})
    page = await ctx.new_page()
    await page.route(OUTSIDE, lambda route: route.abort())
    return ctx, page


async def until_markers(page, url: str, polling: int = 20) -> float:
    """Seconds from navigation to ``url`` to the markers drawn on the page's map."""
    t = time.perf_counter()
    await page.goto(url, wait_until="commit")
    await page.wait_for_function(READY, timeout=180000, polling=polling)
    return time.perf_counter() - t


async def visit(browser, url: str) -> tuple[float, int, int]:
    """A fresh visitor: seconds from navigation to the markers drawn, websocket bytes received by then, and
    messages the browser sent (a script run asked for: the first one, and one per rerun a widget asks for)."""
    ctx, page = await fresh_page(browser)
    received, sent = [0], [0]

    def on_ws(ws):
        ws.on("framereceived", lambda payload: received.__setitem__(0, received[0] + len(payload)))
        ws.on("framesent", lambda payload: sent.__setitem__(0, sent[0] + 1))

    page.on("websocket", on_ws)
    took = await until_markers(page, url)
    await ctx.close()
    return took, received[0], sent[0]


async def crowd(browser, url: str, n: int) -> list[float]:
    """``n`` fresh visitors at once: each one's wait."""
    return [t for t, _b, _m in await asyncio.gather(*(visit(browser, url) for _ in range(n)))]


def minimal_script() -> Path:
    """``minimal_app.py`` copied beside a link to ``static/``: Streamlit serves the ``static`` folder next to the
    script it runs, and the minimal app loads Leaflet from there like the project's app."""
    where = Path(tempfile.mkdtemp())
    (where / "static").symlink_to(ROOT / "static")
    (where / "minimal_app.py").write_text((ROOT / "benchmarks" / "minimal_app.py").read_text())
    return where / "minimal_app.py"


def serve_contenders(stack: ExitStack, catalogue: Path, root: Path, others: list[Path]) -> tuple[dict, dict]:
    """Streamlit servers (closed with ``stack``) for the find page of ``root`` ("find"), of each checkout in
    ``others`` ("find (also)", "find (also 2)"...) and the minimal app ("minimal"): their URLs and process ids."""
    contenders = {"find": (root, None, "/find?lang=en")}
    for i, other in enumerate(others):
        contenders["find (also)" if i == 0 else f"find (also {i + 1})"] = (other, None, "/find?lang=en")
    contenders["minimal"] = (ROOT, minimal_script(), "/")
    urls, servers = {}, {}
    for k, (where, script, page) in contenders.items():
        proc, url = stack.enter_context(streamlit_process(catalogue, "staff", 120, script=script, cwd=where,
                                                          output=subprocess.DEVNULL))
        urls[k], servers[k] = url + page, proc.pid
    return urls, servers


def uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


async def run(urls: dict[str, str], servers: dict[str, int], rounds: int, n: int, warmup: int = 1,
              chromium: str = CHROMIUM) -> None:
    """``rounds`` of (one fresh visitor, then ``n`` at once) on each server, alternating who goes first; a table
    of medians. ``servers``: each server's process id, for the CPU seconds it spent on the ``n`` visitors."""
    from playwright.async_api import async_playwright

    single: dict[str, list[float]] = {k: [] for k in urls}
    got: dict[str, list[int]] = {k: [] for k in urls}
    asked: dict[str, list[int]] = {k: [] for k in urls}
    last: dict[str, list[float]] = {k: [] for k in urls}
    cpu: dict[str, list[float]] = {k: [] for k in urls}
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        for k, url in urls.items():  # warm-up: first visitors of each server (imports, caches)
            for _ in range(warmup):
                await visit(browser, url)
        for r in range(rounds):
            order = list(urls) if r % 2 == 0 else list(reversed(urls))  # alternate who goes first
            for k in order:
                t, b, m = await visit(browser, urls[k])
                single[k].append(t)
                got[k].append(b)
                asked[k].append(m)
            for k in order:
                before = cpu_seconds([servers[k]])
                last[k].append(max(await crowd(browser, urls[k], n)))
                cpu[k].append((cpu_seconds([servers[k]]) - before) / n)
            print(f"round {r + 1}: " + "  ".join(f"{k} {single[k][-1]:.2f} s / {n} at once {last[k][-1]:.2f} s"
                                                 for k in urls), flush=True)
        await browser.close()
    base = "minimal"
    med = statistics.median
    print(f"\n{'':12} {'fresh visitor s':>16} {'ratio':>6} {'ws KB':>7} {'msgs':>5} {f'last of {n} s':>14} "
          f"{'ratio':>6} {'server CPU s/visitor':>21}")
    for k in urls:
        s, c = med(single[k]), med(last[k])
        print(f"{k:12} {s:>16.2f} {s / med(single[base]):>6.2f} {med(got[k]) / 1e3:>7.0f} {med(asked[k]):>5.0f} "
              f"{c:>14.2f} {c / med(last[base]):>6.2f} {med(cpu[k]):>21.3f}")
    print(f"targets: find page <= 1.25x the minimal app, for one fresh visitor and for the last of {n}")
    print("msgs: messages the browser sent to the server by the time its markers were drawn")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--crowd", type=int, default=8)
    ap.add_argument("--catalogue", help="an existing catalogue (default: build the demo one)")
    ap.add_argument("--app-root", type=Path, default=ROOT, help="checkout whose app.py is served")
    ap.add_argument("--also-root", type=Path, help="a second checkout served beside it (before/after)")
    ap.add_argument("--warmup", type=int, default=1,
                    help="visitors per server before the measured rounds (0: the first measured one is cold)")
    ap.add_argument("--chromium", default=CHROMIUM,
                    help="the browser binary (default: Debian's Chromium, the browser visitors run)")
    args = ap.parse_args()
    path = catalogue_or_demo(args.catalogue)
    print(f"catalogue: {path}\nbefore: {uptime()}", flush=True)
    with ExitStack() as stack:
        urls, servers = serve_contenders(stack, path, args.app_root, [args.also_root] if args.also_root else [])
        asyncio.run(run(urls, servers, args.rounds, args.crowd, args.warmup, args.chromium))
    print(f"after: {uptime()}")


if __name__ == "__main__":
    main()
