"""Atomic writes, history of changes, imports of good and broken files."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import geopandas as gpd
import pytest
from shapely.geometry import Polygon, box

from geo.catalogue import SCHEMA_VERSION, open_catalogue
from geo.catalogue.build import build_catalogue
from geo.cli import main
from geo.errors import UserError

from tests.conftest import every_case_on_gpkg, revision


def test_write_sites_computes_fields_and_records_history(catalogue_target):
    cat = open_catalogue(catalogue_target)
    rec = cat.site("DEMO-0001", role="staff")
    old_power = rec["power_kw"]
    cat.update_site("DEMO-0001", {"power_kw": 4321.0, "power_kw__prov": "verified"}, actor="staff:anna",
                    reason="checked with the utility")
    cat = open_catalogue(catalogue_target)
    new = cat.site("DEMO-0001", role="staff")
    assert new["power_kw"] == 4321.0 and new["power_kw__prov"] == "verified"
    assert new["version"] == rec["version"] + 1
    h = cat.history("DEMO-0001")
    row = h[h["field"] == "power_kw"].iloc[-1]
    assert row["actor"] == "staff:anna" and row["reason"] == "checked with the utility"
    assert row["new"] == "4321" and row["old"] == (None if old_power is None else f"{old_power:g}".replace(".0", ""))


def test_new_site_in_a_zls_aid_municipality_gets_computed_zone_flags(catalogue_target):
    cat = open_catalogue(catalogue_target)
    # Viadana (020066): ZLS and aid map.
    (sid,) = cat.write_sites([{"title_it": "Prova", "municipality_istat": "020066", "lat": 44.927, "lon": 10.52,
                               "status": "draft", "land_area_m2": 5000.0}], actor="test")
    site = open_catalogue(catalogue_target).site(sid, role="staff")
    assert site["in_zls"] is True and site["zls_aid_area"] is True
    assert site["in_zls__prov"] == "computed"
    assert site["municipality_name"] == "Viadana" and site["province"] == "MN"


def test_refused_write_leaves_the_catalogue_byte_for_byte(catalogue_target):
    before = revision(catalogue_target)
    cat = open_catalogue(catalogue_target)
    with pytest.raises(UserError):
        cat.write_sites([{"no_such_field": 1}], actor="t")
    assert revision(catalogue_target) == before


def _zis_file(path, geom, **props):
    props = {"zis_id": "Z1", "name": "Test ZIS", "phase": "candidate", **props}
    gpd.GeoDataFrame([props], geometry=[geom], crs=4326).to_file(path, driver="GeoJSON")
    return path


GOOD = box(9.15, 45.45, 9.25, 45.52)


def test_import_zis_fills_layer_and_site_flags(catalogue_target, tmp_path):
    f = _zis_file(tmp_path / "zis.geojson", GOOD, sector="biotech")
    assert main(["--catalogue", str(catalogue_target), "import", "zis", str(f)]) == 0
    cat = open_catalogue(catalogue_target)
    zis = cat.layer("zis_areas")
    assert list(zis["zis_id"]) == ["Z1"] and not zis["is_demo"].astype(bool).any()
    sites = cat.sites(statuses=None)
    inside = sites.within(GOOD)
    assert (sites.loc[inside, "zis_id"] == "Z1").all()
    assert sites.loc[~inside, "zis_id"].isna().all()


ZIS_CASES = ["self_intersection", "wrong_crs", "not_geojson", "missing_column", "bad_phase", "no_crs_points"]


# Every one is refused by the reader, before the catalogue is opened. On PostGIS too, one per kind: a geometry, a
# position (a CRS that puts it outside Lombardy; no CRS at all is the same kind), the file, a column's value (a
# missing column is the same kind).
@pytest.mark.parametrize("case, catalogue_target",
                         every_case_on_gpkg([(c,) for c in ZIS_CASES], ZIS_CASES,
                                            {"self_intersection", "wrong_crs", "not_geojson", "bad_phase"}),
                         indirect=["catalogue_target"])
@pytest.mark.filterwarnings("ignore:'crs' was not provided")
def test_broken_zis_file_is_a_clear_error_and_changes_nothing(catalogue_target, tmp_path, case, capsys):
    f = tmp_path / "zis.geojson"
    if case == "self_intersection":
        _zis_file(f, Polygon([(9, 45), (9.1, 45.1), (9.1, 45), (9, 45.1)]))
        expect = ("invalid geometry", "geometria non valida")
    elif case == "wrong_crs":
        # Metric coordinates declared as EPSG:4326 -> far outside Lombardy.
        gpd.GeoDataFrame([{"zis_id": "Z", "name": "n", "phase": "candidate"}],
                         geometry=[box(500000, 5000000, 501000, 5001000)], crs=4326).to_file(f, driver="GeoJSON")
        expect = ("outside Lombardy", "fuori dalla Lombardia")
    elif case == "not_geojson":
        f.write_text("this is not json")
        expect = ("not a readable vector file", "non è un file vettoriale")
    elif case == "missing_column":
        gpd.GeoDataFrame([{"zis_id": "Z"}], geometry=[GOOD], crs=4326).to_file(f, driver="GeoJSON")
        expect = ("required columns missing: name, phase", "colonne obbligatorie mancanti")
    elif case == "bad_phase":
        _zis_file(f, GOOD, phase="approved")
        expect = ("phase 'approved' not allowed", "fase «approved» non ammessa")
    else:
        f = tmp_path / "zis.gpkg"
        gpd.GeoDataFrame([{"zis_id": "Z", "name": "n", "phase": "candidate"}], geometry=[GOOD]).to_file(f)
        expect = ("no coordinate reference system", "sistema di riferimento")
    before = revision(catalogue_target)
    assert main(["--catalogue", str(catalogue_target), "import", "zis", str(f)]) == 1
    err_en = capsys.readouterr().err
    assert main(["--lang", "it", "--catalogue", str(catalogue_target), "import", "zis", str(f)]) == 1
    err_it = capsys.readouterr().err
    assert expect[0] in err_en and expect[1] in err_it
    assert "Traceback" not in err_en + err_it
    assert revision(catalogue_target) == before


def test_import_infrastructure_csv_keeps_source_and_updates_distances(catalogue_target, tmp_path):
    f = tmp_path / "junctions.csv"
    f.write_text("name,lat,lon\nCasello Cremona,45.1527,10.0012\nCasello Brescia Ovest,45.5420,10.1640\n")
    assert main(["--catalogue", str(catalogue_target), "import", "infrastructure", str(f),
                 "--kind", "motorway_junction", "--source", "test list"]) == 0
    cat = open_catalogue(catalogue_target)
    infra = cat.layer("infrastructure")
    mj = infra[(infra["kind"] == "motorway_junction") & (infra["source"] == "test list")]
    assert len(mj) == 2
    sites = cat.sites(statuses=None)
    assert sites["dist_motorway_junction_km"].notna().all()
    # Re-importing the same source replaces its rows instead of duplicating them.
    assert main(["--catalogue", str(catalogue_target), "import", "infrastructure", str(f),
                 "--kind", "motorway_junction", "--source", "test list"]) == 0
    again = open_catalogue(catalogue_target).layer("infrastructure")
    assert len(again) == len(infra) and (again["source"] == "test list").sum() == 2


def test_import_zls_perimeter_narrows_in_zls(catalogue_target, tmp_path):
    cat = open_catalogue(catalogue_target)
    before = cat.sites(statuses=None)["in_zls"].sum()
    f = tmp_path / "perimeter.geojson"
    gpd.GeoDataFrame({"n": [1]}, geometry=[box(10.0, 45.12, 10.05, 45.15)], crs=4326).to_file(f, driver="GeoJSON")
    assert main(["--catalogue", str(catalogue_target), "import", "zls-perimeter", str(f)]) == 0
    after = open_catalogue(catalogue_target).sites(statuses=None)
    assert after["in_zls"].sum() < before
    assert (after.loc[after["in_zls"]].within(box(10.0, 45.12, 10.05, 45.15))).all()


@pytest.fixture(scope="module")
def demo_of_30(tmp_path_factory) -> Path:
    """A demo catalogue of 30 sites, built once for the module's kill tests (each kills a build over a copy)."""
    path = tmp_path_factory.mktemp("demo30") / "catalogue.gpkg"
    build_catalogue(path, demo=True, n_sites=30)
    return path


@pytest.mark.slow
@pytest.mark.parametrize("delay", [0.3, 1.5, 2.5, 3.5])
def test_build_killed_at_any_point_leaves_old_catalogue_usable(tmp_path, delay, warm, demo_of_30):
    """A rebuild is one transaction: killed at any moment, the previous catalogue is whole.

    The build runs in a process forked from a warm interpreter (tests/forks.py): the delays fall in the build
    itself, not in Python's start-up."""
    from geo.catalogue.stores import connect
    from tests.catalogue.worker import state

    path = tmp_path / "catalogue.gpkg"
    shutil.copy2(demo_of_30, path)
    before = state(str(path))
    job = warm.start("geo.cli", "--catalogue", str(path), "build", "--no-demo")
    time.sleep(delay)
    warm.kill(job)  # SIGKILL
    assert not connect(path).check()
    after = state(str(path))
    n = len(open_catalogue(path).sites(statuses=None))
    assert (after == before and n == 30) or n == 0  # old or new, never a mix
    assert not [p for p in tmp_path.iterdir() if ".tmp" in p.name or "creating" in p.name]
    build_catalogue(path, demo=False)  # the next build succeeds
    assert len(open_catalogue(path).sites(statuses=None)) == 0


def test_one_bad_record_writes_none_of_them(catalogue_target):
    before = revision(catalogue_target)
    cat = open_catalogue(catalogue_target)
    good = {"title_it": "Buona", "municipality_istat": "019036", "lat": 45.1336, "lon": 10.0226}
    with pytest.raises(UserError) as e:
        cat.write_sites([good, {"title_it": "Senza coordinate", "site_id": "LS-NOCOORD"}], actor="t")
    assert "LS-NOCOORD" in e.value.message("en") and "coordinate" in e.value.message("it")
    with pytest.raises(UserError):
        cat.write_sites([{**good, "site_id": "X"}, {**good, "site_id": "X"}], actor="t")
    with pytest.raises(UserError):
        cat.update_site("NO-SUCH-SITE", {"power_kw": 1.0}, actor="t")
    assert revision(catalogue_target) == before


def test_history_keeps_every_change_in_order_with_outline(catalogue_target):
    cat = open_catalogue(catalogue_target)
    ol = box(10.02, 45.13, 10.03, 45.14)
    (sid,) = cat.write_sites([{"title_it": "Prova", "municipality_istat": "019036", "lat": 45.135, "lon": 10.025,
                               "outline": ol}], actor="owner:1", reason="new")
    for n in (1, 2, 3):
        cat.update_site(sid, {"power_kw": float(n)}, actor=f"staff:{n}", reason=f"step {n}")
    cat.update_site(sid, {"outline": None}, actor="staff:4", reason="outline withdrawn")
    cat = open_catalogue(catalogue_target)
    h = cat.history(sid)
    power = h[h["field"] == "power_kw"]
    assert list(power["new"]) == ["1", "2", "3"] and list(power["old"]) == [None, "1", "2"]
    assert list(power["actor"]) == ["staff:1", "staff:2", "staff:3"]
    outl = h[h["field"] == "outline"]
    assert outl["new"].iloc[0].startswith("POLYGON") and outl["new"].iloc[-1] is None
    assert cat.site(sid, role="staff")["outline"] is None and cat.site(sid, role="staff")["version"] == 5
    assert {"municipality_name", "in_zls"} <= set(h["field"])  # computed fields are history too


def test_concurrent_writers_lose_no_update(catalogue_target):
    """Two writers read-modify-write at once; the writer lock serialises them."""
    import threading

    errors = []

    def work(site_id, values):
        try:
            cat = open_catalogue(catalogue_target)
            for v in values:
                cat.update_site(site_id, {"power_kw": v}, actor=f"t:{site_id}")
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(s, [11.0, 12.0, 13.0])) for s in ("DEMO-0003", "DEMO-0004")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    cat = open_catalogue(catalogue_target)
    assert cat.site("DEMO-0003", role="staff")["power_kw"] == 13.0 and cat.site("DEMO-0004", role="staff")["power_kw"] == 13.0
    assert len(cat.history("DEMO-0003").query("field == 'power_kw'")) == 3


def test_zis_import_recomputes_sites_and_records_it(catalogue_target, tmp_path):
    old = open_catalogue(catalogue_target).sites(statuses=None).set_index("site_id")["zis_id"]
    f = _zis_file(tmp_path / "zis.geojson", GOOD)
    assert main(["--catalogue", str(catalogue_target), "import", "zis", str(f), "--licence", "CC BY 4.0"]) == 0
    cat = open_catalogue(catalogue_target)
    assert set(cat.layer("zis_areas")["zis_id"]) == {"Z1"}  # the demo ZIS are replaced
    ch = cat.layer("site_changes")
    zch = ch[(ch["field"] == "zis_id") & (ch["actor"] == "geo import zis")]
    new = cat.sites(statuses=None).set_index("site_id")["zis_id"].reindex(old.index)
    changed = (old.fillna("-") != new.fillna("-")).sum()
    assert len(zch) == changed > 0
    assert cat.sources().set_index("source_id").loc["import:zis:zis.geojson", "licence"] == "CC BY 4.0"


def test_geo_info_lists_counts_metadata_and_sources(built_catalogue, capsys):
    assert main(["--catalogue", str(built_catalogue), "info"]) == 0
    out = capsys.readouterr().out
    assert f"schema_version: {SCHEMA_VERSION}" in out and "municipalities" in out and "1,503" in out
    assert "CC BY 4.0" in out and "MIT" in out and "DGR XII/4959" in out


def test_records_reads_many_listings_in_the_order_asked(catalogue):
    ids = ["DEMO-0007", "NO-SUCH-SITE", "DEMO-0002"]
    recs = catalogue.records(ids)
    assert recs[1] is None and [r["site_id"] for r in (recs[0], recs[2])] == ["DEMO-0007", "DEMO-0002"]
    one = catalogue.site("DEMO-0007", role="staff")
    assert recs[0].keys() == one.keys()
    assert all(recs[0][k] == one[k] or (recs[0][k] != recs[0][k] and one[k] != one[k])  # NaN == NaN
               for k in one if k != "outline")
    assert catalogue.records([]) == []
    with_outline = catalogue.outlines()["site_id"].iloc[0]
    assert catalogue.records([with_outline])[0]["outline"].equals(catalogue.site(with_outline, role="staff")["outline"])


def test_a_killed_run_file_write_leaves_no_temporary_file_after_the_next(tmp_path):
    """A stand-alone file (a brownfield run's output) killed mid-write: the next write removes the leftover."""
    import pandas as pd

    from geo.atomic_files import atomic_gpkg, write_layer

    out = tmp_path / "run.gpkg"
    leftover = tmp_path / ".run.abc123.tmp.gpkg"
    leftover.write_bytes(b"x" * 1000)  # what SIGKILL leaves behind between copy and swap
    with atomic_gpkg(out, fresh=True) as tmp:
        write_layer(tmp, "t", pd.DataFrame({"a": [1]}))
    assert out.exists() and not leftover.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run.gpkg", "run.gpkg.lock"]


def test_import_actors_adds_a_kind_beside_the_shipped_clusters(catalogue_target, tmp_path):
    f = tmp_path / "universities.csv"
    f.write_text("name,lat,lon\nPolitecnico di Milano,45.4781,9.2272\nUniversità di Pavia,45.1866,9.1562\n")
    clusters = (open_catalogue(catalogue_target).layer("innovation_actors")["kind"] == "cluster").sum()
    for _ in range(2):  # re-importing the same source replaces its rows
        assert main(["--catalogue", catalogue_target, "import", "actors", str(f), "--kind", "university",
                     "--source", "test list"]) == 0
    actors = open_catalogue(catalogue_target).layer("innovation_actors")
    assert (actors["kind"] == "cluster").sum() == clusters == 9
    assert sorted(actors.loc[actors["kind"] == "university", "name"]) == ["Politecnico di Milano",
                                                                         "Università di Pavia"]
    with pytest.raises(SystemExit) as exit_:  # an unknown kind is a usage error (one line, exit 2)
        main(["--catalogue", catalogue_target, "import", "actors", str(f), "--kind", "museum"])
    assert exit_.value.code == 2
