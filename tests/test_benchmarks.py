"""The benchmark scripts still run (tiny sizes, no timing asserted): they must not rot between measurements."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _run(*args: str) -> str:
    out = subprocess.run([sys.executable, *args], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr[-3000:]
    return out.stdout


def test_search_benchmark_runs():
    out = _run("benchmarks/bench_search.py", "--sizes", "300", "--repeat", "2")
    assert "median ms" in out and "\n     300 " in out


def test_brownfield_benchmark_runs(tmp_path):
    out = _run("benchmarks/bench_brownfield.py", "--size", "256", "--dir", str(tmp_path))
    assert "windowed:" in out and "whole-array:" in out and "peak RSS" in out


@pytest.mark.browser
def test_map_benchmark_runs():
    out = _run("benchmarks/bench_map.py", "--sites", "200", "--repeat", "1")
    assert "payload (MB)" in out and "time to interactive (s)" in out


def test_pages_benchmark_runs():
    out = _run("benchmarks/bench_pages.py", "--shortlist", "3", "--repeat", "1")
    assert "widget change" in out and "\nshortlist " in out and "records()" in out


@pytest.mark.browser
@pytest.mark.slow
def test_browser_benchmark_runs():
    out = _run("benchmarks/bench_browser.py", "--rounds", "1", "--crowd", "2")
    assert "fresh visitor s" in out and "\nminimal " in out and "last of 2 s" in out


def test_workbooks_benchmark_runs():
    out = _run("benchmarks/bench_workbooks.py", "--only", "row_16k_columns", "--baseline-limit", "20")
    assert "row_16k_columns" in out and "1 site, ok=True" in out and "worst:" in out


def test_documents_benchmark_runs(built_catalogue):
    out = _run("benchmarks/bench_documents.py", "--sites", "2", "--repeat", "1", "--catalogue", str(built_catalogue))
    assert "sheet PDF" in out and "dossier of 2 sites" in out and "peak memory" in out


def test_drive_benchmark_runs():
    out = _run("benchmarks/bench_drive.py", "--grid", "30", "--sites", "500")
    assert "dijkstra s" in out and "same minutes: True" in out and "ratio networkx" in out
