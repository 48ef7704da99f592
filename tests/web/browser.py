"""Helpers for end-to-end tests: a real Streamlit server and Debian's Chromium via Playwright."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator, NamedTuple

from geo.web.state import LANGUAGE_NAMES

ROOT = Path(__file__).resolve().parents[2]
#: Debian's Chromium, the browser investors and staff run: the benchmarks measure with it (``--chromium``).
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
#: What the tests drive: Chromium's headless shell (Debian's ``chromium-headless-shell``: the same version, Blink
#: and V8 as ``CHROMIUM``, without the browser's UI layer; what Playwright itself runs for headless tests). A fresh
#: visit of the find page costs the machine 3.3 CPU-s with it against 4.4 with the full browser in headless mode
#: (``make browser`` installs both). The full browser where the shell is not installed.
TEST_CHROMIUM = shutil.which("chromium-headless-shell") or CHROMIUM
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage"]


#: Any request that would leave the machine (basemap tiles, fonts): aborted, as there is no network in tests.
OUTSIDE = re.compile(r"https?://(?!127\.0\.0\.1).*")
#: Wide enough for the staff page and the results table's verdict column.
WIDE = {"width": 1400, "height": 1000}


class Tab(NamedTuple):
    """A page opened by :func:`open_tab`: what to close after it, the page, its console and page errors, and every
    URL it requested."""

    closer: Any
    page: Any
    errors: list[str]
    requests: list[str]


def open_tab(browser, fresh: bool = False) -> Tab:
    """A 1400x1000 page of the worker's Chromium (tests/web/conftest.py) with outside requests aborted.

    ``fresh``: in a new browser context (no cache, no cookies: a colleague opening a link, a new visitor);
    else a tab of the worker's shared context, whose HTTP cache keeps the app's assets (~0.8 CPU-s less per
    load), for a test that is not about a new visitor. ``closer`` is the context or the page.
    """
    if fresh:
        closer = browser.new_context(viewport=WIDE)
        page = closer.new_page()
    else:
        page = closer = browser.new_page(viewport=WIDE)
    tab = Tab(closer, page, [], [])
    page.on("console", lambda m: tab.errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: tab.errors.append(str(e)))
    page.on("request", lambda r: tab.requests.append(r.url))
    page.route(OUTSIDE, lambda route: route.abort())
    return tab


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start(catalogue: Path, role: str, timeout: float, script: Path, cwd: Path,
           output: int) -> tuple[subprocess.Popen, str]:
    """One Streamlit server on a free port, healthy; RuntimeError when it exits first (e.g. the port was taken)."""
    port = free_port()
    env = {**os.environ, "GEO_CATALOGUE": str(catalogue), "GEO_AUTH_MODE": "local", "GEO_LOCAL_ROLE": role}
    if cwd != ROOT:  # another checkout: its own code, not this one's
        env["PYTHONPATH"] = str(cwd)
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", str(script),
                             "--server.port", str(port), "--server.address", "127.0.0.1",
                             "--server.headless", "true", "--browser.gatherUsageStats", "false"],
                            cwd=cwd, env=env, stdout=output, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                    if r.read() == b"ok":
                        time.sleep(0.2)  # a server of another xdist worker on the same port: ours has exited by now
                        if proc.poll() is None:
                            return proc, url
            except OSError:
                pass
            if proc.poll() is not None:
                said = proc.stdout.read().decode()[-2000:] if proc.stdout else ""
                raise RuntimeError(f"streamlit exited: {said}")
            if time.monotonic() > deadline:
                raise TimeoutError("streamlit did not become healthy")
            time.sleep(0.2)
    except BaseException:
        _stop(proc)
        raise


def _stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


@contextmanager
def streamlit_process(catalogue: Path, role: str = "staff", timeout: float = 90, *, script: Path | None = None,
                      cwd: Path = ROOT, output: int = subprocess.PIPE) -> Iterator[tuple[subprocess.Popen, str]]:
    """A Streamlit server running ``script`` (default: the app, ``app.py``) on ``catalogue`` as ``role``: its
    process and URL while the block runs.

    ``cwd``: the checkout it runs from (another one than this is put first on its ``PYTHONPATH``, so an older
    commit's app runs its own code); ``output``: where its log goes (``subprocess.DEVNULL`` for a long run whose
    log nobody reads). A free port may be taken between probe and bind (parallel xdist workers): then another
    port, up to 3 times.
    """
    script = script or cwd / "app.py"
    for attempt in range(3):
        try:
            proc, url = _start(catalogue, role, timeout, script, cwd, output)
            break
        except RuntimeError:
            if attempt == 2:
                raise
    try:
        yield proc, url
    finally:
        _stop(proc)


@contextmanager
def streamlit_server(catalogue: Path, role: str = "staff", timeout: float = 90, **where) -> Iterator[str]:
    """A Streamlit server of the app on ``catalogue`` as ``role``: its URL while the block runs (``where``: the
    ``script``, ``cwd`` and ``output`` of :func:`streamlit_process`)."""
    with streamlit_process(catalogue, role, timeout, **where) as (_proc, url):
        yield url


_PLAYWRIGHT = None


@contextmanager
def shared_playwright():
    """This process's one Playwright (started once, stopped at exit), as ``sync_playwright()`` gives it.

    Playwright's sync API allows one running instance per thread: a test that opened its own while the
    session's shared browser (tests/web/conftest.py) was up failed with "using Playwright Sync API inside the
    asyncio loop". Every test takes this one instead; its browsers are still its own to launch and close.
    """
    global _PLAYWRIGHT
    if _PLAYWRIGHT is None:
        import atexit

        from playwright.sync_api import sync_playwright

        _PLAYWRIGHT = sync_playwright().start()
        atexit.register(_PLAYWRIGHT.stop)
    yield _PLAYWRIGHT


def owner_uploader(page, url: str, lang: str = "en"):
    """Open the owner page of the app at ``url`` in ``lang`` (tiles from outside aborted: no network in tests) and
    return its workbook uploader (the first file input), once it is on the page."""
    page.route("https://**/*", lambda route: route.abort())
    page.goto(f"{url}/owner?lang={lang}", wait_until="domcontentloaded")
    upload = page.locator("input[type=file]").first
    upload.wait_for(state="attached", timeout=60000)
    return upload


#: Records, from now on, whether the app starts a run (its script state leaves ``notRunning``).
_WATCH_RUN_JS = """() => {
  const app = document.querySelector('[data-testid="stApp"]');
  window.__geoRan = false;
  window.__geoRunWatch?.disconnect();
  window.__geoRunWatch = new MutationObserver(() => { if (app.dataset.testScriptState !== 'notRunning') window.__geoRan = true; });
  window.__geoRunWatch.observe(app, {attributes: true, attributeFilter: ['data-test-script-state']});
}"""


def click_for_run(page, target, tries: int = 3, within_ms: int = 15000) -> None:
    """Click ``target``, a button whose click makes the app run, once the app is idle, and click again if no run
    starts within ``within_ms``: under a full suite's load a click on a still page was seen lost (no run, the button
    still there, once in ~500 submits). A second click cannot submit twice: a taken click empties the uploader and
    removes the button, and a click during the run it started joins that run."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    for _ in range(tries):
        app_idle(page)
        page.evaluate(_WATCH_RUN_JS)
        target.click(timeout=60000)
        try:
            page.wait_for_function("() => window.__geoRan === true", polling=50, timeout=within_ms)
            return
        except PlaywrightTimeout:
            continue
    raise AssertionError(f"{tries} clicks on {target} and the app never ran")


def switch_language(page, lang: str) -> None:
    """Choose ``lang`` in the sidebar's language control, as a reader does (no new page load: the same app session
    reruns in it), and wait until the app has rerun (the link says ``lang=...``; the run is over)."""
    page.get_by_test_id("stSidebar").get_by_text(LANGUAGE_NAMES[lang], exact=True).click()
    page.wait_for_url(re.compile(rf"[?&]lang={lang}(&|$)"), timeout=60000)
    app_idle(page)


#: True once the app has been idle for ``quietMs``: its script not running (the ``data-test-script-state`` Streamlit
#: sets on ``stApp``), the server connected, and the page's frames where they were. With ``toolbarMode = "minimal"``
#: there is no status widget to watch: a wait on it passed at once, in the middle of a run. The frames matter: a
#: frame grows after the run (the maps' frames hold their height from the start, geo.web.ui.map_frame; other
#: components' do not), moving what is below it: a click then lands beside its target.
_IDLE_JS = """(quietMs) => {
  const now = performance.now(), app = document.querySelector('[data-testid="stApp"]');
  const frames = [...document.querySelectorAll('iframe')];
  const growing = frames.some(f => f.offsetParent !== null && f.offsetHeight === 0);
  window.__geoGrowingSince = growing ? (window.__geoGrowingSince ?? now) : undefined;
  const busy = !app || app.dataset.testScriptState !== 'notRunning' || app.dataset.testConnectionState !== 'CONNECTED'
    || (growing && now - window.__geoGrowingSince < 10000);  /* a frame meant to stay empty: not forever */
  const sig = busy ? null : frames.map(f => `${f.offsetHeight}:${Math.round(f.getBoundingClientRect().top)}`).join()
    + '|' + document.documentElement.scrollHeight;
  if (busy || window.__geoIdleSig !== sig) { window.__geoIdleSig = sig; window.__geoIdleAt = now; return false; }
  return now - window.__geoIdleAt >= quietMs;
}"""


def app_idle(page, quiet_ms: int = 300) -> None:
    """Wait until the app has finished its run and its page stands still for ``quiet_ms``: a click during a rerun,
    or while a map's frame still grows, may land on an element that is about to be replaced or moved."""
    page.wait_for_timeout(100)  # a click's run: the frontend marks it on its next frame
    page.evaluate("() => { window.__geoIdleSig = undefined; window.__geoGrowingSince = undefined; }")
    page.wait_for_function(_IDLE_JS, arg=quiet_ms, polling=100, timeout=90000)
