"""benchmarks/bench_analyst.py runs and reports the analyst page's server time (the figure in issue 17)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_analyst_benchmark_reports_the_page_server_time(built_catalogue):
    out = subprocess.run([sys.executable, "benchmarks/bench_analyst.py", "--catalogue", str(built_catalogue),
                          "--candidates", "12", "--reviews", "3", "--repeat", "1"],
                         cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr[-2000:]
    line = next(ln for ln in out.stdout.splitlines() if ln.startswith("analyst page server time"))
    assert re.search(r"median rerun \d+\.\d\d s, score change \d+\.\d\d s, candidate change \d+\.\d\d s", line)
    assert "candidates: 12  reviews: 3" in out.stdout
