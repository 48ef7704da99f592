"""Profile: where a fresh visitor's browser CPU goes on the find page, against the minimal streamlit-folium app.

For each contender (the project's find page, ``benchmarks/minimal_app.py``; ``--also-root`` adds another
checkout's find page), ``--rounds`` fresh visitors, each traced with Chrome's timeline (CDP ``Tracing``, category
``devtools.timeline`` and V8's compile events) from navigation to the markers drawn. The renderer main thread's
events are turned into *self* time (an event's duration less its children's) and summed

* by kind: script (compile, evaluate, function calls, GC), style, layout, paint (paint, pre-paint, layerize,
  composite), parse (HTML/CSS), other;
* by frame: the main frame (Streamlit's React app) vs the map's iframe (streamlit-folium: Leaflet and the
  layers), attributed by the nearest enclosing event that names a frame (time no event names a frame: "?").

* and every other thread's busy time (its top-level events), by process (this page's renderer, the browser, the
  GPU process, which rasterises and composites here) and thread name.

Then a crowd (``--crowd`` fresh visitors at once, their pages kept open until their CPU is read): the CPU seconds
the server and Chromium (by process type) spent per visitor (psutil). The medians are printed as a table;
compare contenders of the same run (the machine may be shared). ``--names N`` prints each visit's N costliest
event names.

    .venv/bin/python benchmarks/profile_browser.py [--rounds 3] [--crowd 8] [--catalogue PATH] [--also-root DIR]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import statistics
import sys
from collections import defaultdict
from contextlib import ExitStack
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.bench_browser import (cpu_seconds, fresh_page, serve_contenders, until_markers,  # noqa: E402
                                      uptime)
from benchmarks.catalogue import catalogue_or_demo  # noqa: E402
from tests.web.browser import CHROMIUM, CHROMIUM_ARGS  # noqa: E402

CATEGORIES = "devtools.timeline,disabled-by-default-devtools.timeline,v8,v8.execute,blink.user_timing"
KINDS = {
    "script": ("v8.compile", "v8.compileModule", "V8.CompileCode", "EvaluateScript", "v8.evaluateModule",
               "FunctionCall", "v8.run", "V8.Execute", "TimerFire", "EventDispatch", "FireAnimationFrame",
               "MajorGC", "MinorGC", "V8.GC_SCAVENGER", "BlinkGC.AtomicPhase", "v8.produceCache",
               "v8.parseOnBackground", "CompileScript", "CompileCode", "RunMicrotasks", "V8.ScavengeTask",
               "ScheduleStyleRecalculation", "XHRReadyStateChange", "XHRLoad", "ResizeObserverCallback"),
    "style": ("UpdateLayoutTree", "RecalculateStyles", "ParseAuthorStyleSheet", "StyleRecalcInvalidationTracking"),
    "layout": ("Layout", "UpdateLayerTree", "IntersectionObserverController::computeIntersections",
               "ComputeIntersections", "LayoutInvalidationTracking"),
    "paint": ("Paint", "PrePaint", "Layerize", "CompositeLayers", "PaintImage", "Decode Image", "ImageDecodeTask",
              "UpdateLayer", "Commit", "RasterTask"),
    "parse": ("ParseHTML", "ParseAuthorStyleSheet"),
}
#: Self time by (frame, event name) of the last traced visit (for ``--names``).
NAMES: dict[tuple[str, str], float] = defaultdict(float)
KIND_OF = {name: kind for kind, names in KINDS.items() for name in names}


def frame_of(event: dict) -> str | None:
    """The frame id an event names (its ``args.data.frame``, or ``args.frame``), if any."""
    args = event.get("args") or {}
    data = args.get("data") or {}
    beginData = args.get("beginData") or {}
    return data.get("frame") or beginData.get("frame") or args.get("frame")


def self_times(events: list[dict], main_frame: str) -> dict[tuple[str, str], float]:
    """Seconds of self time on the renderer main thread, by (frame: "main"/"map"/"?", kind)."""
    # The renderer main thread: the thread of the first event that names the main frame.
    threads = defaultdict(list)
    for e in events:
        if e.get("ph") == "X" and "dur" in e:
            threads[(e["pid"], e["tid"])].append(e)
    main = None
    for e in events:
        if frame_of(e) == main_frame and e.get("ph") == "X":
            main = (e["pid"], e["tid"])
            break
    out: dict[tuple[str, str], float] = defaultdict(float)
    NAMES.clear()
    if main is None:
        return out
    xs = sorted(threads[main], key=lambda e: (e["ts"], -e["dur"]))
    stack: list[list] = []  # [end, event, children's duration, frame]
    frames: dict[str, str] = {}

    def close(item):
        end, e, child, frame = item
        self_ = max(0.0, e["dur"] - child) / 1e6
        kind = KIND_OF.get(e["name"], "other" if e["name"] != "RunTask" else "task")
        out[(frame, kind)] += self_
        NAMES[(frame, e["name"])] += self_

    for e in xs:
        while stack and stack[-1][0] <= e["ts"]:
            close(stack.pop())
        if stack:
            stack[-1][2] += e["dur"]
        f = frame_of(e)
        url = ((e.get("args") or {}).get("data") or {}).get("url") or ""
        if f is None and "/component/" in url:  # streamlit-folium's own bundle, loaded in the map's frame
            label = "map"
        elif f is not None:
            label = frames.setdefault(f, "main" if f == main_frame else "map")
        else:
            label = stack[-1][3] if stack else "?"
        stack.append([e["ts"] + e["dur"], e, 0.0, label])
    while stack:
        close(stack.pop())
    # Every other thread: its busy time (top-level events), by process (this page's renderer or another: the GPU
    # process rasterises and composites) and thread name; labelled "thread".
    names = {(e["pid"], e["tid"]): e["args"]["name"] for e in events
             if e.get("ph") == "M" and e.get("name") == "thread_name"}
    marks = {"CrBrowserMain": "browser", "CrGpuMain": "gpu", "CrRendererMain": "other renderer"}
    kinds = {pid: marks[name] for (pid, _tid), name in names.items() if name in marks}
    for key, evs in threads.items():
        if key == main:
            continue
        end = -1.0
        for e in sorted(evs, key=lambda e: e["ts"]):
            if e["ts"] >= end:  # a top-level event (not inside the previous one)
                end = e["ts"] + e["dur"]
                where = "renderer" if key[0] == main[0] else kinds.get(key[0], "other")
                name = re.sub(r"\d+$", "", names.get(key, "?")).rstrip("/")
                out[("thread", f"{where}:{name}")] += e["dur"] / 1e6
    return out


async def traced_visit(browser, url: str) -> tuple[float, dict[tuple[str, str], float]]:
    """A fresh visitor traced: seconds to the markers, and the main thread's self time by (frame, kind)."""
    ctx, page = await fresh_page(browser)
    cdp = await ctx.new_cdp_session(page)
    events: list[dict] = []
    done = asyncio.get_running_loop().create_future()
    cdp.on("Tracing.dataCollected", lambda p: events.extend(p["value"]))
    cdp.on("Tracing.tracingComplete", lambda p: done.set_result(True))
    await cdp.send("Tracing.start", {"traceConfig": {"includedCategories": CATEGORIES.split(",")},
                                     "transferMode": "ReportEvents"})
    took = await until_markers(page, url, polling=50)
    await cdp.send("Tracing.end")
    await done
    tree = await cdp.send("Page.getFrameTree")
    times = self_times(events, tree["frameTree"]["frame"]["id"])
    await ctx.close()
    return took, times


def cpu_by_type(pids: list[int]) -> dict[str, float]:
    """CPU seconds used so far by Chromium ``pids`` and their children, by process type (``--type=``: renderer,
    gpu-process, utility (network); the browser process has none)."""
    out: dict[str, float] = defaultdict(float)
    for pid in pids:
        try:
            root = psutil.Process(pid)
            for p in [root, *root.children(recursive=True)]:
                kind = next((a[7:] for a in p.cmdline() if a.startswith("--type=")), "browser")
                t = p.cpu_times()
                out[kind] += t.user + t.system
        except psutil.NoSuchProcess:
            pass
    return out


async def open_visit(browser, url: str) -> tuple[float, object]:
    """A fresh visitor whose page stays open (a closed page's renderer process exits, and its CPU time with it):
    seconds to the markers, and its context (to close once the CPU is read)."""
    ctx, page = await fresh_page(browser)
    return await until_markers(page, url), ctx


async def crowd_cpu(browser, url: str, n: int, server: int, chrome: list[int]) -> tuple[float, dict, float]:
    """``n`` fresh visitors at once: the last one's wait, Chromium's CPU seconds per visitor by process type
    (and ``all``), the server's CPU seconds per visitor."""
    c0, s0 = cpu_by_type(chrome), cpu_seconds([server])
    got = await asyncio.gather(*(open_visit(browser, url) for _ in range(n)))
    await asyncio.sleep(0.5)  # the last frames drawn
    c1, s1 = cpu_by_type(chrome), cpu_seconds([server])
    for _t, ctx in got:
        await ctx.close()
    used = {k: (c1[k] - c0.get(k, 0.0)) / n for k in c1}
    used["all"] = sum(used.values())
    return max(t for t, _c in got), used, (s1 - s0) / n


async def run(urls: dict[str, str], servers: dict[str, int], rounds: int, n: int, names: int = 0) -> dict:
    from playwright.async_api import async_playwright

    others = {p.pid for p in psutil.process_iter(["name"]) if "chrom" in (p.info["name"] or "").lower()}
    prof: dict[str, list[dict]] = {k: [] for k in urls}
    waits: dict[str, list[float]] = {k: [] for k in urls}
    crowd: dict[str, list[tuple[float, float, float]]] = {k: [] for k in urls}
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        mine = [q.pid for q in psutil.process_iter(["name"]) if "chrom" in (q.info["name"] or "").lower()
                and q.pid not in others and q.ppid() not in others and "--type=" not in " ".join(q.cmdline())]
        for url in urls.values():
            await traced_visit(browser, url)  # warm-up
        for r in range(rounds):
            order = list(urls) if r % 2 == 0 else list(reversed(urls))
            for k in order:
                t, times = await traced_visit(browser, urls[k])
                waits[k].append(t)
                prof[k].append(times)
                if names:
                    top = sorted(NAMES.items(), key=lambda kv: -kv[1])[:names]
                    print(f"  {k}: " + ", ".join(f"{f}/{name} {v:.3f}" for (f, name), v in top))
            for k in order:
                crowd[k].append(await crowd_cpu(browser, urls[k], n, servers[k], mine))
            print(f"round {r + 1}: " + "  ".join(f"{k} {waits[k][-1]:.2f} s, last of {n} {crowd[k][-1][0]:.2f} s"
                                                 for k in urls), flush=True)
        await browser.close()
    med = statistics.median
    keys = sorted({key for runs in prof.values() for times in runs for key in times})
    print("\nper fresh visitor (s, median of rounds): the renderer main thread's self time by frame/kind, then "
          "other threads' busy time (thread/process:name)")
    print(f"{'frame/kind':28}" + "".join(f"{k:>14}" for k in urls))
    for key in keys:
        print(f"{key[0] + '/' + key[1]:28}" + "".join(f"{med([t.get(key, 0.0) for t in prof[k]]):>14.3f}"
                                                      for k in urls))
    for frame in ("main", "map", "?"):
        print(f"{frame + ' total':28}" + "".join(
            f"{med([sum(v for kk, v in t.items() if kk[0] == frame) for t in prof[k]]):>14.3f}" for k in urls))
    print(f"{'main thread':28}" + "".join(
        f"{med([sum(v for kk, v in t.items() if kk[0] != 'thread') for t in prof[k]]):>14.3f}" for k in urls))
    print("\nfresh visitor wait (traced) s: " + "  ".join(f"{k} {med(waits[k]):.2f}" for k in urls))
    kinds = sorted({t for c in crowd.values() for x in c for t in x[1]})
    print(f"{n} at once, per visitor (median): last wait s, server CPU s, Chromium CPU s by process type:")
    print(f"{'':14}{'last s':>8}{'server':>8}" + "".join(f"{t[:11]:>12}" for t in kinds))
    for k in urls:
        c = crowd[k]
        print(f"{k:14}{med([x[0] for x in c]):>8.2f}{med([x[2] for x in c]):>8.2f}"
              + "".join(f"{med([x[1].get(t, 0.0) for x in c]):>12.2f}" for t in kinds))
    return {k: {"profile": [{f"{a}/{b}": v for (a, b), v in t.items()} for t in prof[k]], "waits": waits[k],
                "crowd": [list(x) for x in crowd[k]]} for k in urls}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--crowd", type=int, default=8)
    ap.add_argument("--catalogue", help="an existing catalogue (default: build the demo one)")
    ap.add_argument("--also-root", type=Path, action="append", default=[],
                    help="another checkout's find page beside this one's (may be repeated)")
    ap.add_argument("--names", type=int, default=0, help="print the N costliest event names of each visit")
    ap.add_argument("--json", type=Path, help="write every round's figures here")
    args = ap.parse_args()
    path = catalogue_or_demo(args.catalogue)
    print(f"catalogue: {path}\nbefore: {uptime()}", flush=True)
    with ExitStack() as stack:
        urls, servers = serve_contenders(stack, path, ROOT, args.also_root)
        figures = asyncio.run(run(urls, servers, args.rounds, args.crowd, args.names))
    if args.json:
        args.json.write_text(json.dumps(figures, indent=1))
    print(f"after: {uptime()}")


if __name__ == "__main__":
    main()
