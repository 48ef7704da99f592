"""Helpers for end-to-end tests: a real Streamlit server and Debian's Chromium via Playwright."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start(catalogue: Path, role: str, timeout: float) -> tuple[subprocess.Popen, str]:
    """One Streamlit server on a free port, healthy; RuntimeError when it exits first (e.g. the port was taken)."""
    port = free_port()
    env = {**os.environ, "GEO_CATALOGUE": str(catalogue), "GEO_AUTH_MODE": "local", "GEO_LOCAL_ROLE": role}
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"),
                             "--server.port", str(port), "--server.address", "127.0.0.1",
                             "--server.headless", "true", "--browser.gatherUsageStats", "false"],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
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
                raise RuntimeError(f"streamlit exited: {proc.stdout.read().decode()[-2000:]}")
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
def streamlit_server(catalogue: Path, role: str = "staff", timeout: float = 90) -> Iterator[str]:
    """A Streamlit server of the app on ``catalogue`` as ``role``: its URL while the block runs.

    A free port may be taken between probe and bind (parallel xdist workers): then another port, up to 3 times.
    """
    for attempt in range(3):
        try:
            proc, url = _start(catalogue, role, timeout)
            break
        except RuntimeError:
            if attempt == 2:
                raise
    try:
        yield url
    finally:
        _stop(proc)
