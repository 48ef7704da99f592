"""The storage contract (geo.catalogue.db) on both stores, against real servers.

Every test taking ``db`` runs twice: on a GeoPackage file and on a throwaway
PostGIS database (``db_target`` in tests/conftest.py). A few tests at the end
are about PostGIS alone (indexes, connection errors, locks across processes).
"""

from __future__ import annotations

import subprocess
import sys
import threading
import time

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from geo.catalogue.stores import connect
from geo.errors import CatalogueError
from tests.catalogue.worker import increment


@pytest.fixture()
def db(db_target):
    d = connect(db_target)
    d.create()
    return d


def frame(n: int = 4) -> gpd.GeoDataFrame:
    """A small spatial table with every column kind, a missing value of each, and mixed polygon types."""
    geoms = [shapely.box(9 + i, 45, 9.5 + i, 45.5) for i in range(n)]
    geoms[1] = shapely.MultiPolygon([shapely.box(10, 45, 10.2, 45.2), shapely.box(10.3, 45, 10.5, 45.2)])
    geoms[-1] = None
    return gpd.GeoDataFrame({
        "site_id": [f"s{i}" for i in range(n)],
        "name": ["Àrea \"uno\"", "due; DROP TABLE x", None, "quattro\tTab\nnewline"][:n],
        "area_ha": [1.5, np.nan, 3.25, 1e-12][:n],
        "jobs": np.arange(n, dtype="int64") * 10,
        "active": [True, False, True, False][:n],
        "extra": [{"k": [1, 2]}, None, ["a"], {"è": "ü"}][:n],
    }, geometry=geoms, crs=4326)


def test_insert_then_read_gives_the_same_frame_with_the_expected_dtypes(db):
    g = frame()
    with db.transaction() as tx:
        tx.insert("sites", g)
    out = db.read("sites")
    assert isinstance(out, gpd.GeoDataFrame) and out.crs.to_epsg() == 4326
    assert list(out.columns) == ["site_id", "name", "area_ha", "jobs", "active", "extra", "geometry"]
    assert out.dtypes[["area_ha", "jobs", "active"]].astype(str).tolist() == ["float64", "int64", "bool"]
    assert out["site_id"].tolist() == ["s0", "s1", "s2", "s3"]  # insertion order
    assert out["name"].tolist()[:2] == ["Àrea \"uno\"", "due; DROP TABLE x"] and out["name"][2] is None
    assert out["name"][3] == "quattro\tTab\nnewline"
    assert np.isnan(out["area_ha"][1]) and out["area_ha"][3] == 1e-12
    assert out["jobs"].tolist() == [0, 10, 20, 30]
    assert out["active"].tolist() == [True, False, True, False]
    assert out["extra"].tolist() == ['{"k": [1, 2]}', None, '["a"]', '{"è": "ü"}']  # JSON text
    assert out.geometry[3] is None
    assert shapely.equals_exact(np.asarray(out.geometry[:3]), np.asarray(g.geometry[:3]), tolerance=1e-12).all()
    assert out.geom_type[:3].tolist() == ["Polygon", "MultiPolygon", "Polygon"]  # as written, not promoted
    assert db.count("sites") == 4 and db.tables() == ["sites"]


def test_an_absent_table_reads_empty_counts_zero_and_deletes_nothing(db):
    assert db.read("nope").empty and type(db.read("nope")) is pd.DataFrame
    assert db.count("nope") == 0
    with db.transaction() as tx:
        assert tx.read("nope").empty
        assert tx.delete("nope") == 0
        tx.drop("nope")
    assert db.tables() == []


def test_missing_values_keep_their_kind_integers_become_floats_and_booleans_nullable(db):
    t = pd.DataFrame({"i": pd.array([1, None, 3], dtype="Int64"), "b": pd.array([True, None, False], dtype="boolean"),
                      "s": ["x", None, "z"]})
    with db.transaction() as tx:
        tx.insert("t", t)
    out = db.read("t")
    assert type(out) is pd.DataFrame
    assert out["i"].dtype == "float64" and out["i"][0] == 1 and np.isnan(out["i"][1])
    assert str(out["b"].dtype) == "boolean" and out["b"][0] and out["b"][1] is pd.NA
    assert out["s"].tolist() == ["x", None, "z"]


def test_where_matches_any_of_the_values_anded_across_columns(db):
    with db.transaction() as tx:
        tx.insert("sites", frame())
    assert db.read("sites", where={"site_id": ["s0", "s2", "zz"]})["site_id"].tolist() == ["s0", "s2"]
    both = db.read("sites", where={"site_id": ["s0", "s2"], "active": [True], "jobs": [20]})
    assert both["site_id"].tolist() == ["s2"]
    assert db.read("sites", where={"jobs": [np.int64(10)]})["site_id"].tolist() == ["s1"]
    empty = db.read("sites", where={"site_id": []})
    assert empty.empty and list(empty.columns) == list(db.read("sites").columns)
    assert isinstance(empty, gpd.GeoDataFrame)


def test_bbox_keeps_rows_whose_geometry_box_meets_it(db):
    with db.transaction() as tx:
        tx.insert("sites", frame())
        tx.insert("plain", pd.DataFrame({"site_id": ["a"]}))
    assert db.read("sites", bbox=(8.9, 44.9, 9.6, 45.6))["site_id"].tolist() == ["s0"]
    assert db.read("sites", bbox=(10.1, 45.1, 10.15, 45.15))["site_id"].tolist() == ["s1"]  # boxes, not shapes
    assert db.read("sites", bbox=(0, 0, 1, 1)).empty
    assert db.read("sites", bbox=(10.0, 45.0, 11.0, 46.0), where={"site_id": ["s2"]})["site_id"].tolist() == ["s2"]
    assert len(db.read("plain", bbox=(0, 0, 1, 1))) == 1  # no geometry: the box does not apply


def test_insert_adds_missing_columns_and_older_rows_read_as_missing(db):
    with db.transaction() as tx:
        tx.insert("owners", pd.DataFrame({"owner_id": ["o1"], "token_hash": ["h1"]}))
    with db.transaction() as tx:
        tx.insert("owners", pd.DataFrame({"owner_id": ["o2"], "token_hash": ["h2"], "score": [0.5], "n": [3]}))
    out = db.read("owners")
    assert out["owner_id"].tolist() == ["o1", "o2"]
    assert np.isnan(out["score"][0]) and out["score"][1] == 0.5
    assert out["n"].tolist()[1] == 3


def test_delete_returns_the_number_of_rows_and_keeps_the_table(db):
    with db.transaction() as tx:
        tx.insert("sites", frame())
    with db.transaction() as tx:
        assert tx.delete("sites", where={"site_id": ["s1", "s3", "nope"]}) == 2
        assert tx.delete("sites", where={"site_id": []}) == 0
    assert db.read("sites")["site_id"].tolist() == ["s0", "s2"]
    with db.transaction() as tx:
        assert tx.delete("sites") == 2
    assert db.tables() == ["sites"] and db.count("sites") == 0


def test_replace_drops_and_recreates_from_the_frame_even_when_empty(db):
    with db.transaction() as tx:
        tx.insert("t", pd.DataFrame({"a": ["x", "y"], "old": [1, 2]}))
    empty = pd.DataFrame({"a": pd.Series(dtype=object), "flag": pd.Series(dtype=bool), "v": pd.Series(dtype=float)})
    with db.transaction() as tx:
        tx.replace("t", empty)
    out = db.read("t")
    assert out.empty and list(out.columns) == ["a", "flag", "v"]
    assert out.dtypes.astype(str).tolist() == ["object", "bool", "float64"]
    with db.transaction() as tx:
        tx.replace("t", pd.DataFrame({"a": ["z"], "flag": [True], "v": [2.0]}))
        tx.replace("g", gpd.GeoDataFrame({"k": pd.Series(dtype=object)}, geometry=gpd.GeoSeries([], crs=4326)))
    assert db.read("t").to_dict("list") == {"a": ["z"], "flag": [True], "v": [2.0]}
    g = db.read("g")
    assert isinstance(g, gpd.GeoDataFrame) and g.empty and list(g.columns) == ["k", "geometry"]


def test_a_transaction_reads_its_own_writes_and_others_see_them_only_after_commit(db):
    with db.transaction() as tx:
        tx.insert("t", pd.DataFrame({"a": ["x"]}))
    with db.transaction() as tx:
        tx.insert("t", pd.DataFrame({"a": ["y"]}))
        assert tx.read("t")["a"].tolist() == ["x", "y"]
        assert tx.read("t", where={"a": ["y"]})["a"].tolist() == ["y"]
        assert db.read("t")["a"].tolist() == ["x"]  # committed state only
        assert tx.tables() == ["t"]
    assert db.read("t")["a"].tolist() == ["x", "y"]


def test_an_exception_rolls_back_everything_including_new_tables_and_is_re_raised(db):
    with db.transaction() as tx:
        tx.insert("t", pd.DataFrame({"a": ["x"]}))
    with pytest.raises(ZeroDivisionError):
        with db.transaction() as tx:
            tx.insert("t", pd.DataFrame({"a": ["y"], "b": [1.0]}))
            tx.delete("t", where={"a": ["x"]})
            tx.replace("new", frame())
            tx.drop("t")
            1 / 0
    assert db.tables() == ["t"]
    assert db.read("t").to_dict("list") == {"a": ["x"]}
    with db.transaction() as tx:  # the store is usable afterwards (no lock left behind)
        tx.insert("t", pd.DataFrame({"a": ["z"]}))
    assert db.read("t")["a"].tolist() == ["x", "z"]


def _start_counter(db) -> None:
    with db.transaction() as tx:
        tx.replace("counter", pd.DataFrame({"n": [0]}))


def test_writers_in_threads_are_serialised_no_update_is_lost(db):
    _start_counter(db)
    threads = [threading.Thread(target=increment, args=(db.url, 15)) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert db.read("counter")["n"].tolist() == [60]


def test_writers_in_processes_are_serialised_no_update_is_lost(db, warm):
    _start_counter(db)
    # Three processes, each with its own connection, as separate `geo` commands are (forked from a warm
    # interpreter, tests/forks.py, instead of three interpreters started from scratch).
    jobs = [warm.start("tests.catalogue.worker", "increment", db.url, "10") for _ in range(3)]
    assert [warm.wait(j, 120) for j in jobs] == [0, 0, 0], [j.err() for j in jobs]
    assert db.read("counter")["n"].tolist() == [30]


def test_a_second_writer_waits_for_the_first_to_commit(db):
    _start_counter(db)
    inside, events = threading.Event(), []

    def first():
        with db.transaction() as tx:
            tx.insert("counter", pd.DataFrame({"n": [1]}))
            inside.set()
            time.sleep(0.5)
            events.append("first commits")

    t = threading.Thread(target=first)
    t.start()
    inside.wait(10)
    with db.transaction() as tx:
        events.append("second begins")
        assert tx.read("counter")["n"].tolist() == [0, 1]  # sees the first writer's commit
    t.join()
    assert events == ["first commits", "second begins"]


def test_exists_needs_the_catalogue_meta_table_and_check_finds_nothing_wrong(db):
    assert not db.exists()
    with db.transaction() as tx:
        tx.insert("catalogue_meta", pd.DataFrame({"key": ["built_at"], "value": ["now"]}))
        tx.insert("sites", frame())
    assert db.exists()
    assert db.check() == []
    assert db.tables() == ["catalogue_meta", "sites"]


def test_tables_leave_out_the_migration_table(db):
    from geo.catalogue import migrate

    with db.transaction() as tx:
        tx.insert("catalogue_meta", pd.DataFrame({"key": ["a"], "value": ["b"]}))
        migrate.stamp(tx)
        assert migrate.revision_in(tx) == migrate.HEAD
    assert db.tables() == ["catalogue_meta"]


# ------------------------------------------------------------------ PostGIS alone
@pytest.fixture()
def pg(postgis_url):
    d = connect(postgis_url)
    d.create()
    return d


def _indexes(db, table: str) -> dict[str, str]:
    import psycopg

    with psycopg.connect(db.url) as con:
        return dict(con.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s",
                                (table,)).fetchall())


def test_postgis_tables_get_gist_and_key_indexes_and_typed_geometry_columns(pg):
    import psycopg

    with pg.transaction() as tx:
        tx.insert("sites", frame())
        tx.insert("points", gpd.GeoDataFrame({"token_hash": ["h"]}, geometry=[shapely.Point(9, 45)], crs=4326))
    defs = " ".join(_indexes(pg, "sites").values())
    assert "USING gist (geom)" in defs and "USING btree (site_id)" in defs
    assert "USING btree (token_hash)" in " ".join(_indexes(pg, "points").values())
    with psycopg.connect(pg.url) as con:
        cols = dict(con.execute("SELECT f_table_name, type FROM geometry_columns WHERE srid = 4326").fetchall())
    assert cols == {"sites": "GEOMETRY", "points": "POINT"}  # mixed polygon kinds are kept as written


def test_postgis_widens_a_typed_geometry_column_for_rows_of_another_type(pg):
    with pg.transaction() as tx:
        tx.insert("g", gpd.GeoDataFrame({"k": ["a"]}, geometry=[shapely.Point(9, 45)], crs=4326))
    with pg.transaction() as tx:
        tx.insert("g", gpd.GeoDataFrame({"k": ["b"]}, geometry=[shapely.box(9, 45, 10, 46)], crs=4326))
    assert pg.read("g").geom_type.tolist() == ["Point", "Polygon"]


def test_postgis_reprojects_frames_to_4326_and_refuses_names_it_would_truncate(pg):
    g = gpd.GeoDataFrame({"k": ["a"]}, geometry=[shapely.Point(9, 45)], crs=4326).to_crs(32632)
    with pg.transaction() as tx:
        tx.insert("g", g)
    assert shapely.equals_exact(pg.read("g").geometry[0], shapely.Point(9, 45), tolerance=1e-9)
    with pytest.raises(ValueError, match="longer than"):
        with pg.transaction() as tx:
            tx.insert("x" * 64, pd.DataFrame({"a": [1]}))


def test_postgis_transaction_is_not_usable_after_it_ends(pg):
    with pg.transaction() as tx:
        tx.insert("t", pd.DataFrame({"a": [1]}))
    with pytest.raises(AttributeError):
        tx.read("t")


def test_postgis_unreachable_server_is_a_clear_error_not_a_traceback(postgis_server):
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    db = connect(f"postgresql://postgres:secret@127.0.0.1:{port}/nowhere")
    assert not db.exists()
    problems = db.check()
    assert len(problems) == 1 and "Cannot connect" in problems[0] and "secret" not in problems[0]
    with pytest.raises(CatalogueError, match="Cannot connect"):
        db.read("sites")


def test_postgis_create_makes_a_missing_database(postgis_server):
    url = postgis_server.url("made_by_create")
    db = connect(url)
    assert not db.exists()
    db.create()
    with db.transaction() as tx:
        tx.insert("catalogue_meta", pd.DataFrame({"key": ["a"], "value": ["b"]}))
    assert db.exists() and db.check() == []
    postgis_server.drop_database(url)


def test_postgis_writer_in_another_process_waits_for_the_lock(pg):
    """A writer in a separate `python` process blocks on the advisory lock while this one holds it."""
    _start_counter(pg)
    code = ("import sys; from geo.catalogue.stores import connect; import pandas as pd; db = connect(sys.argv[1])\n"
            "with db.transaction() as tx: tx.insert('counter', pd.DataFrame({'n': [2]}))\n")
    with pg.transaction() as tx:
        tx.insert("counter", pd.DataFrame({"n": [1]}))
        p = subprocess.Popen([sys.executable, "-c", code, pg.url])
        time.sleep(2.0)
        assert p.poll() is None  # still waiting for our lock
    assert p.wait(60) == 0
    assert pg.read("counter")["n"].tolist() == [0, 1, 2]


def test_postgis_a_writer_kept_waiting_too_long_is_told_to_retry(pg, monkeypatch):
    from geo.catalogue import postgis_db

    monkeypatch.setattr(postgis_db, "LOCK_TIMEOUT_S", 1)
    _start_counter(pg)
    inside, release = threading.Event(), threading.Event()

    def hold():
        with pg.transaction():
            inside.set()
            release.wait(30)

    t = threading.Thread(target=hold)
    t.start()
    inside.wait(10)
    try:
        with pytest.raises(CatalogueError, match="try again"):
            with pg.transaction() as tx:
                tx.insert("counter", pd.DataFrame({"n": [1]}))
    finally:
        release.set()
        t.join()
    increment(pg.url, 1)  # and the next write goes through
    assert pg.read("counter")["n"].tolist() == [1]


def test_postgis_connections_ended_by_the_server_are_replaced(pg, postgis_server):
    _start_counter(pg)
    pg.read("counter")  # leaves an idle pooled connection
    postgis_server.admin("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                         f"WHERE datname = '{pg.url.rsplit('/', 1)[1]}' AND pid <> pg_backend_pid()")
    assert pg.read("counter")["n"].tolist() == [0]
    increment(pg.url, 1)
    assert pg.read("counter")["n"].tolist() == [1]


def test_an_integer_column_takes_whole_floats_from_a_column_with_missing_values(db):
    """A pandas int column turns float as soon as one value is missing: the rows still go in."""
    with db.transaction() as tx:
        tx.insert("t", pd.DataFrame({"k": ["a"], "n": [1]}))
    with db.transaction() as tx:
        tx.insert("t", pd.DataFrame({"k": ["b", "c"], "n": [10.0, np.nan]}))
    out = db.read("t")
    assert out["n"].tolist()[:2] == [1, 10] and np.isnan(out["n"][2])


def test_postgis_an_integer_column_given_fractions_becomes_real(pg):
    with pg.transaction() as tx:
        tx.insert("t", pd.DataFrame({"n": [1, 2]}))
    with pg.transaction() as tx:
        tx.insert("t", pd.DataFrame({"n": [2.5]}))
    out = pg.read("t")
    assert out["n"].dtype == "float64" and out["n"].tolist() == [1.0, 2.0, 2.5]


def test_readers_never_see_a_table_half_replaced_and_writers_never_fail(db):
    """Whole-table replaces (drop + create on PostGIS) under constant reading: every read is whole."""
    full = {"a": 50, "b": 30}

    def table(n: int, i: int) -> pd.DataFrame:
        return pd.DataFrame({"v": [i] * n, "k": [f"{i}"] * n})

    with db.transaction() as tx:
        for name, n in full.items():
            tx.replace(name, table(n, 0))
    stop, seen, errors = threading.Event(), [], []

    def writer():
        i = 0
        try:
            while not stop.is_set():
                i += 1
                with db.transaction() as tx:  # both tables, in the order opposite to the readers'
                    tx.replace("b", table(full["b"], i) if i % 2 else table(full["b"], i).astype({"v": float}))
                    tx.replace("a", table(full["a"], i))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    def reader():
        try:
            while not stop.is_set():
                seen.append(("a", len(db.read("a"))))
                seen.append(("b", len(db.read("b"))))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer)] + [threading.Thread(target=reader) for _ in range(2)]
    for t in threads:
        t.start()
    time.sleep(3)
    stop.set()
    for t in threads:
        t.join(60)
    assert errors == []
    assert len(seen) > 10 and all(n == full[name] for name, n in seen)


def test_postgis_replace_with_the_same_columns_keeps_the_table_so_readers_do_not_wait(pg):
    import psycopg

    def oid():
        with psycopg.connect(pg.url) as con:
            return con.execute("SELECT 'lombardy.sites'::regclass::oid").fetchone()[0]

    with pg.transaction() as tx:
        tx.replace("sites", frame())
    before = oid()
    with pg.transaction() as tx:
        tx.replace("sites", frame(3))
        assert pg.read("sites")["site_id"].tolist() == ["s0", "s1", "s2", "s3"]  # the old rows, no waiting
    assert oid() == before and pg.read("sites")["site_id"].tolist() == ["s0", "s1", "s2"]
    with pg.transaction() as tx:
        tx.replace("sites", frame(3).drop(columns="extra"))  # other columns: a new table
    assert oid() != before and "extra" not in pg.read("sites").columns


def test_without_postgresql_installed_the_postgis_tests_fail_with_how_to_install(tmp_path):
    """CI installs the server with `make test`; a machine without it must not pass by skipping."""
    import os
    from pathlib import Path

    import tests.pg as pgmod

    assert "make postgres" in pgmod.INSTALL_HINT
    env = {**os.environ, "PG_BIN": str(tmp_path / "no-postgres")}
    root = Path(__file__).resolve().parents[2]
    r = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                        "tests/catalogue/test_postgis_db.py::test_postgis_transaction_is_not_usable_after_it_ends"],
                       cwd=root, env=env, capture_output=True, text=True, timeout=300)
    assert r.returncode != 0 and "skipped" not in r.stdout
    assert "PostgreSQL 15 + PostGIS 3 are needed" in r.stdout and "make postgres" in r.stdout


def test_the_migration_table_reads_like_any_table_though_not_listed(db):
    from geo.catalogue import migrate

    with db.transaction() as tx:
        migrate.stamp(tx)
        assert tx.read("alembic_version")["version_num"].tolist() == [migrate.HEAD]
    assert db.read("alembic_version").to_dict("list") == {"version_num": [migrate.HEAD]}
    assert db.count("alembic_version") == 1 and db.tables() == []


def test_postgis_a_writer_stuck_mid_transaction_loses_the_lock_not_the_others(postgis_url, monkeypatch):
    """A client idle inside its transaction (hung, cut off) is ended by the server: nothing of it lands,
    it is told so, and the next writer gets the lock."""
    from geo.catalogue import postgis_db

    monkeypatch.setattr(postgis_db, "IDLE_IN_TRANSACTION_S", 1)
    db = connect(postgis_url)  # a new database: a pool whose connections get the short timeout
    db.create()
    _start_counter(db)
    outcome = []

    def stuck():
        try:
            with db.transaction() as tx:
                tx.insert("counter", pd.DataFrame({"n": [99]}))
                time.sleep(3)
        except CatalogueError as exc:
            outcome.append(exc.message("en"))

    t = threading.Thread(target=stuck)
    t.start()
    time.sleep(0.5)
    started = time.monotonic()
    increment(db.url, 1)  # waits for the stuck writer's session to be ended (~1 s), not for ever
    waited = time.monotonic() - started
    t.join()
    assert waited < 2.0
    assert db.read("counter")["n"].tolist() == [1]
    assert len(outcome) == 1 and "not saved" in outcome[0]
