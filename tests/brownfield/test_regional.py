"""Regional runs: STAC time series -> growing-season composites -> chunked detection on Dask -> one layer.

The data: two adjacent generated tiles x 14 dates (12 in the growing seasons of 2019 and
2024, 2 in winter) with clouds and shadows, in a static STAC catalogue on disk
(tests/brownfield/timeseries.py). Everything is read back through odc-stac and
computed by real Dask schedulers; nothing is mocked.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
from shapely.geometry import box

from geo.brownfield.bands import SCL_DROP
from geo.brownfield.cube import LAYERS, composite_block, load_cube
from geo.brownfield.stac import read_items
from geo.brownfield.regional import detect_regional, make_client, run_chunks
from geo.brownfield.rules import RuleParams
from geo.cli import main
from tests.brownfield.timeseries import BANDS, ORIGIN, Case, regions, to_dn, truth, write_catalogue

pytestmark = pytest.mark.filterwarnings("ignore::PendingDeprecationWarning")  # odc-geo uses affine "*"
ROOT = Path(__file__).resolve().parents[2]
CASE = Case()
YEARS = list(CASE.years)


@pytest.fixture(scope="module")
def catalogue(tmp_path_factory) -> Path:
    return write_catalogue(tmp_path_factory.mktemp("s2"), CASE)


@pytest.fixture(scope="module")
def items(catalogue):
    return read_items(catalogue)


@pytest.fixture(scope="module")
def reference_run(items, tmp_path_factory):
    """The single-process run (no cluster), chunks of 24 px: the reference every other run must equal."""
    return detect_regional(items, YEARS, chunk=24, client=None, work_dir=tmp_path_factory.mktemp("w") / "parts")


def _planted(name: str):
    r, c = regions(CASE)[name]
    x0, y0 = ORIGIN
    return box(x0 + c.start * 10, y0 - r.stop * 10, x0 + c.stop * 10, y0 - r.start * 10)


def _comparable(res):
    c = res.candidates.drop(columns=["run_id"]).sort_values("candidate_id").reset_index(drop=True)
    return c


# ------------------------------------------------------------------ composites
def test_composite_block_is_the_median_of_clear_observations_only():
    dn = np.array([1000, 1200, 9000, 1100, 1300], np.uint16).reshape(5, 1, 1, 1).repeat(6, axis=1)
    dn[4, 2] = 0  # no data in one band: the whole observation is unusable
    scl = np.array([4, 5, 9, 3, 4], np.uint8).reshape(5, 1, 1)  # cloud, shadow
    out = composite_block(dn, scl, np.zeros((5, 6)), np.full((5, 6), 1e-4))
    assert out.shape == (len(LAYERS), 1, 1)
    assert out[0, 0, 0] == pytest.approx(0.11)  # median of 1000 and 1200: dates 1 and 2 only
    assert out[LAYERS.index("clear"), 0, 0] == 2
    # Offsets per acquisition (baseline 04.00): the same surface reads the same after harmonisation.
    off = np.zeros((5, 6))
    off[1] = -1000.0
    dn2 = dn.copy()
    dn2[1] += 1000
    assert composite_block(dn2, scl, off, np.full((5, 6), 1e-4))[0, 0, 0] == pytest.approx(0.11)
    # Nothing clear: no data, and a zero count.
    none = composite_block(dn, np.full((5, 1, 1), 8, np.uint8), np.zeros((5, 6)), np.full((5, 6), 1e-4))
    assert np.isnan(none[:6]).all() and none[6, 0, 0] == 0


def test_composites_from_stac_equal_hand_computed_medians(items):
    dates, refl, scl = truth(CASE)
    cube = load_cube(items, YEARS, chunk=32)
    assert (cube.width, cube.height) == (CASE.shape[1], CASE.shape[0])
    assert tuple(cube.transform)[:6] == (10.0, 0.0, ORIGIN[0], 0.0, -10.0, ORIGIN[1])
    # Winter dates are outside the growing season and never enter a composite.
    assert all(d.month in range(4, 11) for y in YEARS for d in cube.dates[y])
    assert [len(cube.dates[y]) for y in YEARS] == [CASE.dates_per_year] * 2
    got = cube.data.compute(scheduler="synchronous")
    h, w = CASE.shape
    rr, cc = np.mgrid[0:h, 0:w]
    scl10 = scl[:, (rr // 2) * 2, (cc // 2) * 2]  # the 20 m SCL read nearest onto the 10 m grid
    for yi, y in enumerate(YEARS):
        idx = [i for i, d in enumerate(dates) if d.year == y and d.month in range(4, 11)]
        offset = -1000.0 if y >= 2022 else 0.0
        clear = ~np.isin(scl10[idx], SCL_DROP)
        assert np.array_equal(got[yi, LAYERS.index("clear")], clear.sum(axis=0))
        for b in ("B02", "B04", "B08"):  # 10 m bands: read without resampling
            dn = to_dn(refl[idx, BANDS.index(b)], offset).astype(np.float32)
            vals = np.where(clear, (dn + np.float32(offset)) * np.float32(1e-4), np.nan)
            with np.errstate(all="ignore"), __import__("warnings").catch_warnings():
                __import__("warnings").simplefilter("ignore")
                expect = np.nanmedian(vals, axis=0)
            assert np.allclose(got[yi, LAYERS.index(b)], expect, atol=1e-6, equal_nan=True)
    # One pixel by hand: the planted straddling yard in 2024 is ruderal (B08 0.20) under any cloud.
    r, c = regions(CASE)["STRADDLE"]
    assert got[1, LAYERS.index("B08"), r.start + 3, c.start + 3] == pytest.approx(0.20, abs=0.01)


# ------------------------------------------------------------------ detection
def test_planted_sites_one_seamless_polygon_across_tiles_and_chunks(reference_run):
    c = reference_run.candidates
    assert c.crs.to_epsg() == 32632
    straddle, quiet = _planted("STRADDLE"), _planted("QUIET_LOT")
    tile_edge = ORIGIN[0] + CASE.tile * 10
    hit = c[c.intersects(straddle)]
    assert len(hit) == 1  # one polygon, although it spans two tiles and several 24 px chunks
    g = hit.geometry.iloc[0]
    assert g.geom_type == "Polygon" and g.bounds[0] < tile_edge < g.bounds[2]
    assert g.intersection(straddle).area / straddle.area > 0.95
    assert hit["encroachment"].iloc[0] > 0.8 and not hit["too_small"].iloc[0]
    assert len(c[c.intersects(quiet)]) == 1
    # The active yard (trucks: brightness jumps between dates) and the yard clouded in 2019 are not candidates.
    assert not c.intersects(_planted("ACTIVE_YARD").buffer(-20)).any()
    assert not c.intersects(_planted("CLOUDED").buffer(-20)).any()
    assert len(c) == 2 and c["rank"].tolist() == [1, 2]
    rec = reference_run.record
    assert rec["composites"]["years"] == YEARS and rec["composites"]["min_clear"] == 3
    assert rec["execution"]["chunks"] == 2 * 4 and rec["execution"]["resumed_chunks"] == 0
    assert rec["warnings"] == []  # summer composites, L2A
    assert len(rec["inputs"]) == 2 * 12  # two tiles x six growing-season dates x two years


def test_too_few_clear_observations_is_no_data(items):
    from geo.brownfield.regional import detect_block

    stack = load_cube(items, YEARS, chunk=96).data.compute(scheduler="synchronous")
    r, c = regions(CASE)["CLOUDED"]
    assert (stack[0, LAYERS.index("clear"), r, c] <= 1).all()  # cloud on all but one date of 2019
    # Even with permissive rules, a pixel without enough clear observations is never a candidate.
    out = detect_block(stack, 3, RuleParams())
    assert not out[0, r, c][2:-2, 2:-2].any()
    out1 = detect_block(stack, 1, RuleParams())
    assert out1[0, r, c][2:-2, 2:-2].all()  # the same yard with the threshold at 1 would be one


def test_chunking_does_not_change_the_layer(items, reference_run, tmp_path):
    whole = detect_regional(items, YEARS, chunk=96, client=None, work_dir=tmp_path / "p")
    a, b = _comparable(reference_run), _comparable(whole)
    assert a.drop(columns="geometry").equals(b.drop(columns="geometry"))
    assert all(x.equals(y) for x, y in zip(a.geometry, b.geometry))
    assert whole.record["execution"]["chunks"] == 1


def test_the_cube_read_window_by_window_gives_the_regional_layer(items, reference_run):
    """The cube is a Reader: windowed detection through it finds what the chunked Dask run finds."""
    from geo.brownfield.readers import CubeReader, Reader
    from geo.brownfield.run import detect_from

    reader = CubeReader(load_cube(items, YEARS, chunk=24), min_clear=3)
    assert isinstance(reader, Reader)
    res = detect_from(reader, block=40)  # windows that do not match the Dask chunks
    cols = ["candidate_id", "rank", "area_m2", "score", "too_small", "size_class"]
    a, b = _comparable(reference_run)[cols + ["geometry"]], _comparable(res)[cols + ["geometry"]]
    assert len(a) >= 1 and a[cols].equals(b[cols])
    assert all(x.equals(y) for x, y in zip(a.geometry, b.geometry))
    assert res.record["dates"] == [str(max(reference_run.record["composites"]["dates"][str(y)])) for y in YEARS]


def test_local_cluster_with_two_workers_equals_the_single_process_run(items, reference_run, tmp_path):
    client = make_client(workers=2, memory_limit="1GiB")
    try:
        assert len(client.scheduler_info()["workers"]) == 2
        seen = []
        # 48 px chunks: the chunk edge is the tile edge, right through the straddling site.
        res = detect_regional(items, YEARS, chunk=48, client=client, work_dir=tmp_path / "p",
                              progress=lambda i, n: seen.append((i, n)))
    finally:
        cluster = client.cluster
        client.close()
        cluster.close()
    a, b = _comparable(reference_run), _comparable(res)
    assert a.drop(columns="geometry").equals(b.drop(columns="geometry"))
    assert all(x.equals(y) for x, y in zip(a.geometry, b.geometry))
    assert res.record["execution"]["workers"] == 2 and res.record["execution"]["scheduler"].startswith("tcp://")
    assert seen[0] == (0, 2) and seen[-1] == (2, 2)
    assert res.naive is not None and reference_run.naive["area_m2"].tolist() == res.naive["area_m2"].tolist()


def test_a_killed_run_resumes_from_its_persisted_chunks(catalogue, items, reference_run, tmp_path):
    out = tmp_path / "run.gpkg"
    parts = tmp_path / "run.gpkg.parts"
    cmd = [sys.executable, "-m", "geo.cli", "brownfield", "detect", "--stac", str(catalogue), "--max-cloud", "100",
           "--scheduler", "sync", "--chunk", "16", "--out", str(out)]
    # The run to kill is niced so that this watcher sees its first chunks land (2 shared cores).
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            preexec_fn=lambda: os.nice(19))
    deadline = time.time() + 120
    while time.time() < deadline and not (parts.exists() and len(list(parts.glob("chunk-*.parquet"))) >= 2):
        time.sleep(0.001)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    done = len(list(parts.glob("chunk-*.parquet")))
    assert not out.exists() and 2 <= done < 3 * 6, done  # killed part-way: some chunks on disk, no output
    # Started again with the same inputs: only the missing chunks are computed.
    assert main(cmd[3:]) == 0
    rec = json.loads(gpd.read_file(out, layer="brownfield_runs")["record_json"].iloc[0])
    assert rec["execution"]["resumed_chunks"] == done and rec["execution"]["chunks"] == 3 * 6
    assert not parts.exists()  # written: the parts are removed
    got = gpd.read_file(out, layer="brownfield_candidates").to_crs(32632)
    ref = reference_run.candidates
    assert sorted(got["candidate_id"]) == sorted(ref["candidate_id"])
    assert got["area_m2"].sort_values().tolist() == ref["area_m2"].sort_values().tolist()


def test_chunks_of_another_run_are_never_reused(items, tmp_path):
    work = tmp_path / "p"
    cube = load_cube(items, YEARS, chunk=48)
    parts, cr = run_chunks(cube, RuleParams(), work, min_clear=3)
    assert cr.resumed == 0 and len(list(work.glob("chunk-*"))) == 2
    _, cr = run_chunks(cube, RuleParams(), work, min_clear=3)
    assert cr.resumed == 2  # same inputs: everything is already there
    _, cr = run_chunks(cube, RuleParams(mmu_m2=3000), work, min_clear=3)
    assert cr.resumed == 0  # other parameters: the old chunks are discarded, not mixed in


def test_cli_composites_from_static_stac(catalogue, tmp_path, capsys):
    out = tmp_path / "run.gpkg"
    assert main(["brownfield", "detect", "--stac", str(catalogue), "--max-cloud", "100", "--scheduler", "sync",
                 "--chunk", "48", "--out", str(out), "--budget", "0.4"]) == 0
    c = gpd.read_file(out, layer="brownfield_candidates")
    assert len(c) == 2 and c["in_budget"].tolist() == [True, True]  # both, with their 50 m halo, within 40%
    rec = json.loads(gpd.read_file(out, layer="brownfield_runs")["record_json"].iloc[0])
    assert rec["composites"]["dates"]["2019"][0] == "2019-05-01" and rec["budget"] == 0.4
    # One year only: no comparison possible, said plainly.
    assert main(["brownfield", "detect", "--stac", str(catalogue), "--max-cloud", "100", "--scheduler", "sync",
                 "--to", "2020-12-31", "--out", str(out)]) == 1
    assert "two different years" in capsys.readouterr().err
