"""The server settings the project ships (.streamlit/config.toml), as Streamlit itself reads them from the
project's folder (where `make run` and the README's commands start it)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
READ = ("import json; from streamlit import config; "
        "print(json.dumps({k: config.get_option(k) for k in ('server.fileWatcherType', 'server.runOnSave', "
        "'server.headless', 'client.showErrorDetails', 'browser.gatherUsageStats')}))")


def test_the_shipped_server_watches_no_source_file_and_shows_no_traceback():
    # With the watcher on, every new session walks sys.modules and hashes each project module before its first
    # message (~0.6 s of server time per fresh visitor, measured with benchmarks/bench_browser.py).
    out = subprocess.run([sys.executable, "-c", READ], cwd=ROOT, capture_output=True, text=True, check=True)
    got = json.loads(out.stdout.strip().splitlines()[-1])
    assert got == {"server.fileWatcherType": "none", "server.runOnSave": False, "server.headless": True,
                   "client.showErrorDetails": "none", "browser.gatherUsageStats": False}
