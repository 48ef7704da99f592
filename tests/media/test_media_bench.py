"""The media benchmark still runs (tiny photos, no timing asserted): it must not rot between measurements."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_media_benchmark_runs(built_catalogue):
    out = subprocess.run([sys.executable, "benchmarks/bench_media.py", "--photos", "2", "--width", "640", "--height",
                          "480", "--catalogue", str(built_catalogue)], cwd=ROOT, capture_output=True, text=True,
                         timeout=600)
    assert out.returncode == 0, out.stderr[-3000:]
    assert "upload: 2 photos of 640 x 480" in out.stdout and "peak RSS" in out.stdout and "photos_for" in out.stdout
