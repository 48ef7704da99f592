"""The benchmark scripts still run (tiny sizes, no timing asserted): they must not rot between measurements.

Each script builds the demo catalogue (and bench_search a PostgreSQL cluster) when given none; here they are
given the suite's (a copy of the cached demo build, the worker's cluster): the build and the cluster start are
tested elsewhere (tests/catalogue/test_build.py, the ``postgis_server`` fixture), the scripts' own steps here."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.web.browser import TEST_CHROMIUM

ROOT = Path(__file__).resolve().parents[1]


def _run(*args: str) -> str:
    out = subprocess.run([sys.executable, *args], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr[-3000:]
    return out.stdout


@pytest.fixture()
def demo_copy(built_catalogue, tmp_path) -> str:
    """A private copy of the demo catalogue for a script to read (it may write its own tables)."""
    dst = tmp_path / "catalogue.gpkg"
    shutil.copy2(built_catalogue, dst)
    return str(dst)


def test_search_benchmark_runs(postgis_url):
    out = _run("benchmarks/bench_search.py", "--sizes", "300", "--repeat", "2", "--postgis", postgis_url)
    assert "median ms" in out and "\n     300 " in out and "PostGIS GiST, no brief" in out


def test_brownfield_benchmark_runs(tmp_path):
    out = _run("benchmarks/bench_brownfield.py", "--size", "256", "--dir", str(tmp_path))
    assert "windowed:" in out and "whole-array:" in out and "peak RSS" in out


@pytest.mark.browser
def test_map_benchmark_runs():
    out = _run("benchmarks/bench_map.py", "--sites", "200", "--repeat", "1", "--chromium", TEST_CHROMIUM)
    assert "payload (MB)" in out and "time to interactive (s)" in out and "sites: 200\n" in out


def test_pages_benchmark_runs(demo_copy):
    out = _run("benchmarks/bench_pages.py", "--shortlist", "3", "--repeat", "1", "--catalogue", demo_copy)
    assert "widget change" in out and "\nshortlist " in out and "records()" in out


@pytest.mark.browser
@pytest.mark.slow
def test_browser_benchmark_runs(demo_copy):
    out = _run("benchmarks/bench_browser.py", "--rounds", "1", "--crowd", "1", "--warmup", "0",
               "--catalogue", demo_copy, "--chromium", TEST_CHROMIUM)
    assert "fresh visitor s" in out and "\nminimal " in out and "last of 1 s" in out


def test_workbooks_benchmark_runs():
    # openpyxl needs minutes for this workbook: killed after 2 s, which is the path the smoke test needs to see.
    out = _run("benchmarks/bench_workbooks.py", "--only", "row_16k_columns", "--baseline-limit", "2")
    assert "row_16k_columns" in out and "1 site, ok=True" in out and "killed after 2 s" in out and "worst:" in out


def test_documents_benchmark_runs(built_catalogue):
    out = _run("benchmarks/bench_documents.py", "--sites", "2", "--repeat", "1", "--catalogue", str(built_catalogue))
    assert "sheet PDF" in out and "dossier of 2 sites" in out and "peak memory" in out


def test_drive_benchmark_runs():
    out = _run("benchmarks/bench_drive.py", "--grid", "30", "--sites", "500")
    assert "dijkstra s" in out and "same minutes: True" in out and "ratio networkx" in out
