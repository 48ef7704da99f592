"""Bounded work in the brownfield inputs (issue 16, item 6): STAC documents and assets capped in bytes (local
files and a local HTTP server on 127.0.0.1, no network), a Dask scheduler on a closed port reported within
about 5 s, an area of interest outside Lombardy or larger than it said plainly."""

from __future__ import annotations

import datetime as dt
import json
import socket
import threading
import time
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import geopandas as gpd
import pytest
from shapely.geometry import box

import geo.brownfield.bounded as bounded
from geo.brownfield.bounded import check_asset, read_bytes
from geo.brownfield.regional import make_client
from geo.brownfield.stac import read_items, scenes_from_items
from geo.cli import main
from geo.errors import InputFileError, UserError

from tests.brownfield.synthetic import scene_arrays, write_band_folder, write_stack

CODES = (("B02", "blue"), ("B03", "green"), ("B04", "red"), ("B08", "nir"), ("B11", "swir16"), ("B12", "swir22"))


# ---------------------------------------------------------------- fixtures
def _catalogue(root: Path, days=("20190601", "20210601"), href=None) -> Path:
    """A static STAC catalogue of two scenes; ``href(code, folder)`` overrides the assets' links."""
    import pystac

    cat = pystac.Catalog(id="test", description="local scenes")
    for i, day in enumerate(days):
        folder = write_band_folder(root / day, scene_arrays(60, i))
        item = pystac.Item(id=f"S2_{day}", geometry=None, bbox=None, datetime=dt.datetime.strptime(day, "%Y%m%d"),
                           properties={"eo:cloud_cover": 5.0, "processing:level": "L2A"}, collection=None)
        for code, key in CODES:
            link = href(code, folder) if href else str(folder / f"T32TNR_20200101T100000_{code}.tif")
            item.add_asset(key, pystac.Asset(href=link))
        cat.add_item(item)
    cat.normalize_and_save(str(root / "stac"), catalog_type=pystac.CatalogType.SELF_CONTAINED)
    return root / "stac" / "catalog.json"


class _Handler(BaseHTTPRequestHandler):
    files: dict[str, bytes] = {}

    def log_message(self, *args):
        pass

    def do_GET(self):
        path = self.path.split("?")[0]
        if path == "/endless.json":  # no length, never ends
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            try:
                self.wfile.write(b'{"type": "Catalog", "description": "')
                while True:
                    self.wfile.write(b"x" * 65536)
            except OSError:
                return
        if path == "/liar.json":  # declares a huge length
            self.send_response(200)
            self.send_header("Content-Length", str(10 * 2**30))
            self.end_headers()
            self.wfile.write(b"{}")
            return
        if path == "/norange.tif":  # ignores Range, sends a body without end
            self.send_response(200)
            self.end_headers()
            try:
                while True:
                    self.wfile.write(b"\0" * 65536)
            except OSError:
                return
        body = self.files.get(path)
        if body is None:
            self.send_error(404)
            return
        rng = self.headers.get("Range")
        if rng and rng.startswith("bytes="):
            a, _, b = rng[6:].partition("-")
            a, b = int(a), min(int(b or len(body) - 1), len(body) - 1)
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {a}-{b}/{len(body)}")
            self.send_header("Content-Length", str(b - a + 1))
            self.end_headers()
            self.wfile.write(body[a:b + 1])
            return
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@contextmanager
def _server(files: dict[str, bytes]):
    handler = type("H", (_Handler,), {"files": files})
    srv = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    srv.daemon_threads = True
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    try:
        yield f"http://127.0.0.1:{srv.server_port}"
    finally:
        srv.shutdown()
        srv.server_close()


def _closed_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


# ---------------------------------------------------------------- STAC documents, local
def test_a_valid_static_catalogue_still_reads(tmp_path):
    scenes = scenes_from_items(read_items(_catalogue(tmp_path)))
    assert [s.date.isoformat() for s in scenes] == ["2019-06-01", "2021-06-01"]


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom"])
def test_an_item_link_to_a_device_is_refused(tmp_path, device):
    cat = _catalogue(tmp_path)
    doc = json.loads(cat.read_text())
    doc["links"] = [ln for ln in doc["links"] if ln["rel"] != "item"] + [{"rel": "item", "href": device}]
    cat.write_text(json.dumps(doc))
    with pytest.raises(InputFileError) as err:  # one item loader for both paths
        read_items(cat)
    assert device in err.value.message("en") and "not a regular file" in err.value.message("en")


def test_a_catalogue_that_is_a_device_or_oversized_is_refused(tmp_path, monkeypatch):
    cat = _catalogue(tmp_path)
    with pytest.raises(InputFileError, match="not a regular file"):
        read_bytes("/dev/zero")
    monkeypatch.setattr(bounded, "MAX_JSON_BYTES", cat.stat().st_size - 1)
    with pytest.raises(InputFileError) as err:
        read_items(cat)
    assert "catalog.json" in err.value.message("en") and "MB" in err.value.message("en")
    monkeypatch.setattr(bounded, "MAX_JSON_BYTES", cat.stat().st_size + 10_000)
    assert len(read_items(cat)) == 2


# ---------------------------------------------------------------- assets, local
@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom"])
def test_an_asset_link_to_a_device_is_refused_per_date_and_in_composites(tmp_path, device, capsys):
    cat = _catalogue(tmp_path, href=lambda code, folder: device if code == "B04" else
                     str(folder / f"T32TNR_20200101T100000_{code}.tif"))
    with pytest.raises(InputFileError) as err:
        scenes_from_items(read_items(cat))
    assert device in err.value.message("en") and "not a regular file" in err.value.message("en")
    assert "non è un file regolare" in err.value.message("it")
    from geo.brownfield.cube import load_cube

    items = read_items(cat)
    with pytest.raises(InputFileError, match="not a regular file"):
        load_cube(items, [2019, 2021])
    code = main(["brownfield", "detect", "--stac", str(cat), "--per-date", "--out", str(tmp_path / "run.gpkg")])
    err_text = capsys.readouterr().err
    assert code == 1 and device in err_text and "Traceback" not in err_text


def test_an_oversized_local_asset_is_refused(tmp_path, monkeypatch):
    cat = _catalogue(tmp_path)
    size = max(p.stat().st_size for p in tmp_path.rglob("*.tif"))
    monkeypatch.setattr(bounded, "MAX_ASSET_BYTES", size - 1)
    with pytest.raises(InputFileError, match="MB read from one link"):
        scenes_from_items(read_items(cat))
    monkeypatch.setattr(bounded, "MAX_ASSET_BYTES", size)
    assert len(scenes_from_items(read_items(cat))) == 2


# ---------------------------------------------------------------- over HTTP (127.0.0.1)
def test_http_documents_are_capped_whatever_the_server_declares(tmp_path, monkeypatch):
    cat = _catalogue(tmp_path)
    files = {f"/stac/{p.relative_to(cat.parent).as_posix()}": p.read_bytes()
             for p in cat.parent.rglob("*.json")}
    with _server(files) as base:
        # A valid catalogue served over HTTP reads (links are relative).
        assert len(_read_http_items(f"{base}/stac/catalog.json")) == 2
        monkeypatch.setattr(bounded, "MAX_JSON_BYTES", 2**20)  # 1 MiB: the endless body is cut fast
        t = time.perf_counter()
        with pytest.raises(InputFileError, match="larger than the 1 MB"):
            read_bytes(f"{base}/endless.json")
        assert time.perf_counter() - t < 10
        with pytest.raises(InputFileError, match="larger than"):
            read_bytes(f"{base}/liar.json")
        with pytest.raises(InputFileError, match="HTTP 404"):
            read_bytes(f"{base}/missing.json")


def _read_http_items(url: str) -> list:
    import pystac

    return list(pystac.read_file(url, stac_io=bounded.stac_io()).get_items(recursive=True))


def test_a_stac_api_answer_is_capped(monkeypatch):
    monkeypatch.setattr(bounded, "MAX_JSON_BYTES", 2**20)
    with _server({}) as base:
        for path in ("/endless.json", "/liar.json"):
            t = time.perf_counter()
            with pytest.raises(InputFileError) as err:
                read_items(f"{base}{path}", dt.date(2019, 1, 1), dt.date(2021, 12, 31), 50, (9, 45, 9.1, 45.1))
            assert "larger than the 1 MB" in err.value.message("en")
            assert time.perf_counter() - t < 10


def test_http_assets_must_be_served_by_range_and_not_oversized(tmp_path, monkeypatch):
    tif = write_stack(tmp_path / "b04.tif", scene_arrays(60, 0))
    with _server({"/b04.tif": tif.read_bytes()}) as base:
        check_asset(f"{base}/b04.tif")  # a COG server: fine
        t = time.perf_counter()
        with pytest.raises(InputFileError, match="byte ranges"):
            check_asset(f"{base}/norange.tif")
        assert time.perf_counter() - t < 10
        with pytest.raises(InputFileError, match="HTTP 404"):
            check_asset(f"{base}/missing.tif")
        monkeypatch.setattr(bounded, "MAX_ASSET_BYTES", tif.stat().st_size - 1)
        with pytest.raises(InputFileError, match="MB read from one link"):
            check_asset(f"{base}/b04.tif")


# ---------------------------------------------------------------- Dask scheduler
def test_a_closed_scheduler_port_is_reported_within_its_timeout():
    # The CLI test below waits the default SCHEDULER_TIMEOUT_S (5 s); here 1 s, the same path in a fifth of the wait.
    t = time.perf_counter()
    with pytest.raises(UserError) as err:
        make_client(f"tcp://127.0.0.1:{_closed_port()}", timeout_s=1.0)
    assert time.perf_counter() - t < 4
    assert "No Dask scheduler answered" in err.value.message("en") and "within 1 s" in err.value.message("en")
    assert "Nessuno scheduler Dask" in err.value.message("it")
    with pytest.raises(UserError, match="not a Dask scheduler address"):
        make_client("nonsense://nowhere")


def test_the_cli_reports_a_closed_scheduler_in_italian(tmp_path, capsys):
    # Two growing seasons of items: the command reaches the scheduler before any asset is read.
    cat = _catalogue(tmp_path)
    port = _closed_port()
    t = time.perf_counter()
    code = main(["--lang", "it", "brownfield", "detect", "--stac", str(cat), "--scheduler",
                 f"tcp://127.0.0.1:{port}", "--max-cloud", "100", "--out", str(tmp_path / "run.gpkg")])
    err = capsys.readouterr().err
    assert code == 1 and time.perf_counter() - t < 10
    assert "Nessuno scheduler Dask" in err and str(port) in err and len(err.strip().splitlines()) == 1


# ---------------------------------------------------------------- area of interest
def _aoi(path: Path, geom, crs=4326) -> Path:
    gpd.GeoDataFrame({"n": [1]}, geometry=[geom], crs=crs).to_file(path, driver="GeoJSON")
    return path


@pytest.fixture()
def two_scenes(tmp_path):
    s0 = write_stack(tmp_path / "a.tif", scene_arrays(60, 0))
    s1 = write_stack(tmp_path / "b.tif", scene_arrays(60, 1))
    return ["--scene", f"2019-06-01={s0}", "--scene", f"2021-06-01={s1}", "--level", "L2A"]


@pytest.mark.parametrize("geom, crs, words", [
    (box(-180, -90, 180, 90), 4326, "larger than the region"),
    (box(-2e7, -2e7, 2e7, 2e7), 3857, "larger than the region"),
    (box(12.4, 41.8, 12.6, 42.0), 4326, "outside Lombardy"),  # Rome
])
def test_an_area_of_interest_outside_or_larger_than_lombardy_is_said_plainly(tmp_path, capsys, two_scenes, geom,
                                                                              crs, words):
    out = tmp_path / "run.gpkg"
    aoi = _aoi(tmp_path / "aoi.geojson", geom, crs)
    code = main(["brownfield", "detect", *two_scenes, "--aoi", str(aoi), "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 1 and words in err and "aoi.geojson" in err and "overlap" not in err
    assert not out.exists()


def test_an_area_of_interest_in_lombardy_runs(tmp_path, capsys, two_scenes):
    # The synthetic scenes lie at 9.0 E, 45.5 N (EPSG:32632 500000, 5040000).
    out = tmp_path / "run.gpkg"
    aoi = _aoi(tmp_path / "aoi.geojson", box(8.99, 45.49, 9.02, 45.51))
    assert main(["brownfield", "detect", *two_scenes, "--aoi", str(aoi), "--out", str(out)]) == 0, \
        capsys.readouterr().err
    assert out.exists()
