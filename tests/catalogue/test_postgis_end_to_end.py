"""A team's catalogue on PostGIS, used end to end: every command and the app, selected by a URL only."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import geopandas as gpd
import pytest
from shapely.geometry import box
from streamlit.testing.v1 import AppTest

from geo.catalogue import open_catalogue
from tests.brownfield.synthetic import scene_arrays, write_stack
from tests.conftest import run_cli
from tests.listing.conftest import SITE, fill

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "app.py")


def geo(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    """``geo ARGS`` in-process (tests/test_cli_errors.py keeps the subprocess smoke tests)."""
    with pytest.MonkeyPatch.context() as mp:
        for k, v in (env or {}).items():
            mp.setenv(k, v)
        return run_cli(*args)


@pytest.mark.slow
def test_every_command_and_the_app_work_on_postgis(postgis_url, tmp_path, monkeypatch):
    # geo build: an empty PostgreSQL database becomes a catalogue.
    r = geo("--catalogue", postgis_url, "build", "--sites", "60")
    assert r.returncode == 0, r.stderr
    cat = open_catalogue(postgis_url)
    assert len(cat.layer("municipalities")) == 1503 and len(cat.sites(statuses=None)) == 60
    # GEO_CATALOGUE works wherever --catalogue does.
    r = geo("info", env={"GEO_CATALOGUE": postgis_url})
    assert r.returncode == 0 and "municipalities" in r.stdout and "1,503" in r.stdout

    # geo import: a ZIS file, with the sites' computed fields refreshed in the same transaction.
    zis = tmp_path / "zis.geojson"
    gpd.GeoDataFrame([{"zis_id": "Z1", "name": "Test ZIS", "phase": "candidate"}],
                     geometry=[box(8.6, 45.3, 9.6, 45.9)], crs=4326).to_file(zis, driver="GeoJSON")
    r = geo("--catalogue", postgis_url, "import", "zis", str(zis))
    assert r.returncode == 0, r.stderr
    sites = open_catalogue(postgis_url).sites(statuses=None)
    inside = sites.within(box(8.6, 45.3, 9.6, 45.9))
    assert inside.any() and (sites.loc[inside, "zis_id"] == "Z1").all()

    # geo listing check, then submit: the owner gets a private link that works.
    wb = fill(tmp_path / "w.xlsx", sites=[SITE])
    assert geo("--catalogue", postgis_url, "listing", "check", str(wb)).returncode == 0
    r = geo("--catalogue", postgis_url, "listing", "submit", str(wb))
    assert r.returncode == 0, r.stderr
    token = [line.rsplit(" ", 1)[1] for line in r.stdout.splitlines() if "owner token" in line][0]
    site_id = r.stdout.split("(")[1].split(")")[0]
    from geo.listing.submission import owner_view

    assert len(owner_view(open_catalogue(postgis_url), token)) == 1

    # geo search: staff see the new listing near Cremona, the public do not.
    r_staff = geo("--catalogue", postgis_url, "search", "--near", "Cremona", "--radius-km", "5", "--staff",
                  "--format", "csv")
    r_public = geo("--catalogue", postgis_url, "search", "--near", "Cremona", "--radius-km", "5", "--format", "csv")
    assert r_staff.returncode == 0 and r_public.returncode == 0, r_staff.stderr + r_public.stderr
    assert site_id in r_staff.stdout and site_id not in r_public.stdout

    # geo brownfield detect --publish: the run lands in the PostGIS catalogue.
    s0 = write_stack(tmp_path / "a.tif", scene_arrays(120, 0))
    s1 = write_stack(tmp_path / "b.tif", scene_arrays(120, 1))
    r = geo("--catalogue", postgis_url, "brownfield", "detect", "--scene", f"2019-06-01={s0}", "--scene",
            f"2021-06-01={s1}", "--level", "L2A", "--out", str(tmp_path / "run.gpkg"), "--publish")
    assert r.returncode == 0, r.stderr
    cat = open_catalogue(postgis_url)
    assert len(cat.layer("brownfield_candidates")) >= 1
    assert json.loads(cat.table("brownfield_runs")["record_json"].iloc[0])["dates"][0] == "2019-06-01"

    # The app on the same URL: staff see the queue with the owner's listing; the find page lists sites.
    monkeypatch.setenv("GEO_CATALOGUE", postgis_url)
    monkeypatch.setenv("GEO_AUTH_MODE", "local")
    monkeypatch.setenv("GEO_LOCAL_ROLE", "staff")
    for page in ("home", "find", "staff", "analyst"):
        at = AppTest.from_file(APP, default_timeout=90)
        at.query_params["lang"] = "en"
        if page != "home":
            at.switch_page(f"geo/web/pages/{page}.py")
        at.run()
        assert not at.exception, (page, at.exception)
        text = " ".join(str(getattr(e, "value", "")) for e in at.main)
        assert "Traceback" not in text
    # Both copies agree: GeoPackage -> PostGIS -> GeoPackage is lossless (the round trip of geo catalogue copy).
    back = tmp_path / "back.gpkg"
    r = geo("catalogue", "copy", postgis_url, str(back))
    assert r.returncode == 0, r.stderr
    from tests.catalogue.worker import state

    assert state(str(back)) == state(postgis_url)
