"""Issue 16, item 7: a catalogue file is data, not code.

Code planted in a catalogue (an SQLite trigger or view, a PostgreSQL trigger, rule or function in
our schema) is reported by `geo catalogue status` (exit 1, naming it) and every write is refused,
nothing changed; SQLite runs with `trusted_schema = OFF` on every connection.
"""

from __future__ import annotations

import sqlite3
import time

import pandas as pd
import pytest

from geo.catalogue import open_catalogue
from geo.catalogue.stores import connect
from geo.catalogue.ownership import ForeignCodeError, ForeignObjectsError
from geo.cli import main
from geo.listing.check import check_workbook
from geo.listing.submission import submit, token_hash
from tests.conftest import revision
from tests.listing.conftest import fill

#: Rewrites a new owner's token hash: whoever planted it could then act as that owner.
STEAL_SQLITE = ("CREATE TRIGGER steal AFTER INSERT ON owners BEGIN "
                "UPDATE owners SET token_hash = 'attacker' WHERE fid = NEW.fid; END")
STEAL_PG = ("CREATE FUNCTION lombardy.steal() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN NEW.token_hash := 'attacker'; RETURN NEW; END $$; "
            "CREATE TRIGGER steal BEFORE INSERT ON lombardy.owners FOR EACH ROW EXECUTE FUNCTION lombardy.steal()")


def sql(target: str, statement: str) -> None:
    """Run SQL on the catalogue behind our back, as another program (or an attacker's file) would."""
    if "://" in target:
        import psycopg

        with psycopg.connect(target, autocommit=True) as con:
            con.execute(statement)
        return
    con = sqlite3.connect(target)
    try:
        con.executescript(statement)
    finally:
        con.close()


def plant_steal(target: str) -> None:
    sql(target, STEAL_PG if "://" in target else STEAL_SQLITE + ";")


def remove_steal(target: str) -> None:
    sql(target, "DROP TRIGGER steal ON lombardy.owners; DROP FUNCTION lombardy.steal()" if "://" in target
            else "DROP TRIGGER steal;")


def status(target: str, capsys) -> tuple[int, str]:
    code = main(["--catalogue", target, "catalogue", "status"])
    return code, capsys.readouterr().out


def test_a_planted_trigger_on_owners_refuses_the_submission_and_status_names_it(catalogue_target, tmp_path, capsys):
    cat = open_catalogue(catalogue_target)
    res = check_workbook(fill(tmp_path / "w.xlsx"), cat.places())
    assert res.ok, res.report("en")
    assert status(catalogue_target, capsys)[0] == 0  # a clean catalogue: nothing to report
    plant_steal(catalogue_target)
    before = revision(catalogue_target)
    with pytest.raises(ForeignCodeError, match="trigger steal"):
        submit(cat, res)
    assert revision(catalogue_target) == before
    code, out = status(catalogue_target, capsys)
    assert code == 1 and "steal" in out
    # The valid case: once the trigger is gone the same submission lands, with the owner's own token hash.
    remove_steal(catalogue_target)
    assert status(catalogue_target, capsys)[0] == 0
    receipt = submit(open_catalogue(catalogue_target), res)
    owners = connect(catalogue_target).read("owners")
    assert owners["token_hash"].tolist()[-1] == token_hash(receipt.token)


def test_every_store_write_refuses_planted_code(catalogue_target):
    """Not only the catalogue's units of work: a bare store transaction refuses too (build, copy, imports)."""
    plant_steal(catalogue_target)
    before = revision(catalogue_target)
    with pytest.raises(ForeignCodeError, match="steal"):
        with connect(catalogue_target).transaction() as tx:
            tx.insert("owners", pd.DataFrame({"owner_id": ["o-1"], "token_hash": ["h"]}))
    assert revision(catalogue_target) == before


def test_a_trigger_named_like_ours_with_another_body_is_not_ours(catalogue_target, capsys):
    """GDAL's trigger names are no pass: the whole text must be one the store writes."""
    if "://" in catalogue_target:
        pytest.skip("PostgreSQL: every trigger in our schema is foreign, whatever its name (covered above)")
    sql(catalogue_target, 'DROP TRIGGER "trigger_insert_feature_count_owners"; '
                          'CREATE TRIGGER "trigger_insert_feature_count_owners" AFTER INSERT ON "owners" BEGIN '
                          "UPDATE owners SET token_hash = 'attacker'; END;")
    before = revision(catalogue_target)
    with pytest.raises(ForeignCodeError, match="trigger trigger_insert_feature_count_owners"):
        with open_catalogue(catalogue_target).unit_of_work("staff:x") as uow:
            uow.set_meta({"note": "x"})
    assert revision(catalogue_target) == before
    assert status(catalogue_target, capsys)[0] == 1


def test_a_planted_view_is_reported_and_refuses_writes(catalogue_target, capsys):
    view = ("CREATE VIEW lombardy.tokens AS SELECT owner_id, token_hash FROM lombardy.owners" if "://" in
            catalogue_target else "CREATE VIEW tokens AS SELECT owner_id, token_hash FROM owners;")
    sql(catalogue_target, view)
    before = revision(catalogue_target)
    with pytest.raises(ForeignCodeError, match="view tokens"):
        with open_catalogue(catalogue_target).unit_of_work("staff:x") as uow:
            uow.set_meta({"note": "x"})
    assert revision(catalogue_target) == before
    code, out = status(catalogue_target, capsys)
    assert code == 1 and "view tokens" in out
    assert len(open_catalogue(catalogue_target).sites()) > 0  # reading goes on: only writes are refused


def test_a_foreign_table_in_the_catalogue_refuses_writes_and_is_reported(catalogue_target, capsys):
    table = ("CREATE TABLE lombardy.notes (x text)" if "://" in catalogue_target else "CREATE TABLE notes (x text);")
    sql(catalogue_target, table)
    before = revision(catalogue_target)
    with pytest.raises(ForeignObjectsError, match="table notes"):
        with open_catalogue(catalogue_target).unit_of_work("staff:x") as uow:
            uow.set_meta({"note": "x"})
    assert revision(catalogue_target) == before
    code, out = status(catalogue_target, capsys)
    assert code == 1 and "notes" in out


def test_a_function_in_our_schema_is_reported_and_refused_as_a_target(catalogue_target, capsys):
    """A function alone runs only when something calls it: a trigger, rule, view or default (each refused
    per write), never our statements, which resolve no name in our schema. It is reported, and a build,
    copy or upgrade refuses the target."""
    if "://" not in catalogue_target:
        pytest.skip("SQLite files hold no functions")
    sql(catalogue_target, "CREATE FUNCTION lombardy.st_asbinary(geometry) RETURNS bytea LANGUAGE sql "
                          "AS $$ SELECT NULL::bytea $$")
    before = revision(catalogue_target)
    assert open_catalogue(catalogue_target).sites().geometry.notna().all()  # PostGIS's own function ran
    code, out = status(catalogue_target, capsys)
    assert code == 1 and "function st_asbinary" in out
    code = main(["--catalogue", catalogue_target, "build", "--no-demo"])
    assert code == 1 and "function st_asbinary" in capsys.readouterr().err
    assert revision(catalogue_target) == before


def test_a_planted_column_default_refuses_writes(catalogue_target, capsys):
    """PostgreSQL runs a column's default on every insert that omits the column: code, like a trigger."""
    if "://" not in catalogue_target:
        pytest.skip("the GeoPackage store writes no default; SQLite defaults call no application function")
    sql(catalogue_target, "ALTER TABLE lombardy.owners ALTER COLUMN updated_at SET DEFAULT md5(random()::text)")
    before = revision(catalogue_target)
    with pytest.raises(ForeignCodeError, match="default owners.updated_at"):
        with connect(catalogue_target).transaction() as tx:
            tx.insert("owners", pd.DataFrame({"owner_id": ["o-1"], "token_hash": ["h"]}))
    assert revision(catalogue_target) == before
    code, out = status(catalogue_target, capsys)
    assert code == 1 and "owners.updated_at" in out


def test_sqlite_connections_run_with_trusted_schema_off(built_catalogue, tmp_path):
    """Readers, the Alembic engine: no code stored in the file may call our functions or a virtual table."""
    from geo.catalogue import migrate
    from geo.catalogue.gpkg_db import GeoPackageDB

    path = tmp_path / "c.gpkg"
    path.write_bytes(built_catalogue.read_bytes())
    sql(str(path), "CREATE VIEW peek AS SELECT ST_MinX(geom) AS x FROM sites;")
    db = GeoPackageDB(path)
    with db._reading() as c:
        assert c.con.execute("PRAGMA trusted_schema").fetchone() == (0,)
        with pytest.raises(sqlite3.OperationalError, match="unsafe use of ST_MinX"):
            c.con.execute("SELECT * FROM peek").fetchall()
    engine = migrate._engine(path)
    try:
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA trusted_schema").scalar() == 0
    finally:
        engine.dispose()


def test_the_per_write_check_costs_well_under_a_millisecond(built_catalogue, catalogue_target):
    """The check runs in every write transaction: one read of sqlite_master / the catalogue tables."""
    from geo.catalogue.gpkg_db import foreign_code
    from geo.catalogue.postgis_db import foreign_in

    if "://" in catalogue_target:
        import psycopg

        with psycopg.connect(catalogue_target) as con:
            foreign_in(con, "lombardy", code_only=True, quick=True)  # prepares the probe on this connection
            t = time.perf_counter()
            for _ in range(50):
                assert foreign_in(con, "lombardy", code_only=True, quick=True) == []
            per = (time.perf_counter() - t) / 50
    else:
        con = sqlite3.connect(catalogue_target)
        t = time.perf_counter()
        for _ in range(50):
            assert foreign_code(con) == []
        per = (time.perf_counter() - t) / 50
        con.close()
    print(f"per-write check: {per * 1000:.3f} ms")
    # Measured on 2 shared cores at load 6-7: ~0.15-1.0 ms (SQLite), ~0.8 ms (PostgreSQL, with its round trip).
    assert per < 0.005, f"{per * 1000:.2f} ms per check"
