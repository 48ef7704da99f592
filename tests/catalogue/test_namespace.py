"""Issue 16, item 1: our data lives in our own namespace, and nothing else is ever dropped.

PostGIS: the catalogue lives in its own schema (``lombardy`` unless ``GEO_PG_SCHEMA`` says otherwise),
another application's objects in ``public`` survive every command byte for byte, a catalogue from
before schemas moves in by revision 0003. Both backends: ``build``, ``copy`` and ``upgrade`` refuse a
target holding anything not ours (one sentence naming it, nothing changed); a rebuild over live data
needs ``--force`` and backs up first; every ``--out`` refuses any catalogue.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
import shapely

from geo.catalogue import migrate, open_catalogue
from geo.catalogue.stores import connect
from geo.catalogue.ownership import OUR_TABLES
from geo.catalogue.postgis_db import PostGISDB
from geo.catalogue.transfer import copy_catalogue
from geo.cli import main
from geo.errors import CatalogueError, UserError
from tests.conftest import revision, sha256


def pg(url: str, statement: str, params: tuple = ()) -> list[tuple]:
    import psycopg

    with psycopg.connect(url, autocommit=True) as con:
        cur = con.execute(statement, params or None)
        return cur.fetchall() if cur.description else []


def relations(url: str, schema: str) -> list[str]:
    return [r[0] for r in pg(url, "SELECT relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                                  "WHERE n.nspname = %s AND c.relkind IN ('r', 'v', 'm', 'p') AND NOT EXISTS "
                                  "(SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype = 'e') "
                                  "ORDER BY 1", (schema,))]  # PostGIS's own tables and views aside


#: Another application sharing the database: tables (one named like ours), its own Alembic, a view.
OTHER_APP = """
CREATE TABLE public.app_users (id serial PRIMARY KEY, name text, geom geometry(Point, 4326));
INSERT INTO public.app_users (name, geom) VALUES ('anna', 'SRID=4326;POINT(9 45)'), ('bruno', NULL);
CREATE TABLE public.sites (code text PRIMARY KEY, note text);
INSERT INTO public.sites VALUES ('S1', 'not ours');
CREATE TABLE public.alembic_version (version_num varchar(32) PRIMARY KEY);
INSERT INTO public.alembic_version VALUES ('abc123');
CREATE VIEW public.app_view AS SELECT name FROM public.app_users;
CREATE FUNCTION public.app_fn() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$;
"""


def public_state(url: str) -> dict:
    """Every relation of ``public`` (PostGIS's own aside) with all its rows, and the app's function."""
    state = {name: sorted(map(repr, pg(url, f'SELECT * FROM public."{name}"'))) for name in relations(url, "public")}
    state["fn"] = pg(url, "SELECT pg_get_functiondef('public.app_fn'::regproc)")
    return state


def _legacy_tables() -> tuple[str, ...]:
    """Our tables when revision 0003 was written (its own list): later revisions add the others."""
    import importlib.util

    path = Path(migrate.__file__).with_name("migrations") / "versions" / "0003_own_schema.py"
    spec = importlib.util.spec_from_file_location("revision_0003", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.TABLES


#: Tables added by revisions after 0003 (a catalogue written before schemas never held them).
LATER_TABLES = frozenset(OUR_TABLES) - set(_legacy_tables())


def make_legacy(built: Path, url: str) -> None:
    """The demo catalogue as the software before schemas wrote it: every table in public, at revision 0002."""
    copy_catalogue(built, url)
    for name in ("site_media", "site_media_files"):  # tables of later revisions (0004) did not exist then
        pg(url, f'DROP TABLE lombardy."{name}"')
    for name in relations(url, "lombardy"):
        if name in LATER_TABLES:  # a table of a later revision did not exist then
            pg(url, f'DROP TABLE lombardy."{name}"')
        else:
            pg(url, f'ALTER TABLE lombardy."{name}" SET SCHEMA public')
    pg(url, "DROP SCHEMA lombardy")
    pg(url, "UPDATE public.alembic_version SET version_num = '0002'")


def cli(capsys, *args: str) -> tuple[int, str]:
    code = main([str(a) for a in args])
    out = capsys.readouterr()
    return code, out.out + out.err


# ------------------------------------------------------------------ PostGIS: our own schema
def test_a_postgis_catalogue_lives_in_its_own_schema_never_public(built_catalogue, postgis_url):
    copy_catalogue(built_catalogue, postgis_url)
    assert relations(postgis_url, "public") == []
    ours = relations(postgis_url, "lombardy")
    assert {"sites", "owners", "catalogue_meta", "alembic_version"} <= set(ours) and set(ours) <= OUR_TABLES
    assert migrate.current(postgis_url) == migrate.HEAD
    assert len(open_catalogue(postgis_url).sites()) > 0


def test_the_schema_is_a_setting(built_catalogue, postgis_url, monkeypatch):
    monkeypatch.setenv("GEO_PG_SCHEMA", "region_cat")
    copy_catalogue(built_catalogue, postgis_url)
    assert "sites" in relations(postgis_url, "region_cat") and relations(postgis_url, "lombardy") == []
    assert len(open_catalogue(postgis_url).sites()) > 0 and migrate.current(postgis_url) == migrate.HEAD
    for bad in ("public", "pg_x", "Bad-Name"):
        monkeypatch.setenv("GEO_PG_SCHEMA", bad)
        with pytest.raises(UserError, match="GEO_PG_SCHEMA"):
            PostGISDB(postgis_url)


def test_another_applications_objects_in_public_survive_build_copy_and_upgrade(built_catalogue, postgis_url,
                                                                               capsys):
    pg(postgis_url, OTHER_APP)
    before = public_state(postgis_url)
    assert cli(capsys, "--catalogue", postgis_url, "build", "--no-demo")[0] == 0  # our schema is empty: fine
    assert cli(capsys, "catalogue", "copy", built_catalogue, postgis_url, "--overwrite")[0] == 0
    assert cli(capsys, "--catalogue", postgis_url, "catalogue", "upgrade")[0] == 0
    code, out = cli(capsys, "--catalogue", postgis_url, "catalogue", "status")
    assert code == 0 and "abc123" not in out  # their Alembic revision is theirs, never read as ours
    assert public_state(postgis_url) == before
    assert migrate.current(postgis_url) == migrate.HEAD


def test_a_catalogue_in_public_moves_into_its_schema_by_revision_0003(built_catalogue, postgis_url, capsys):
    make_legacy(built_catalogue, postgis_url)
    pg(postgis_url, "CREATE TABLE public.app_users (id int, name text); INSERT INTO public.app_users VALUES (1, 'a')")
    old = PostGISDB(postgis_url, schema="public")  # the layout before schemas, read as it is
    before = {t: old.read(t) for t in old.tables() if t in OUR_TABLES}
    published = int((before["sites"]["status"] == "published").sum())
    assert migrate.current(postgis_url) == "0002"
    with pytest.raises(CatalogueError) as refused:
        open_catalogue(postgis_url)
    from geo.catalogue.catalogue import _display

    shown = _display(postgis_url)  # the URL without its password
    assert refused.value.message("en") == (
        f"The catalogue {shown} is in the layout before schemas (its tables in public): move it into its own "
        "schema with 'geo catalogue upgrade' (data is kept).")
    assert refused.value.message("it").startswith(f"Il catalogo {shown} ha la struttura precedente agli schemi")
    code, out = cli(capsys, "--catalogue", postgis_url, "catalogue", "status")
    assert code == 1 and "before schemas" in out
    code, out = cli(capsys, "--catalogue", postgis_url, "catalogue", "upgrade")
    assert code == 0 and "0002" in out and migrate.HEAD in out
    assert relations(postgis_url, "public") == ["app_users"]  # only what is not ours stayed
    assert pg(postgis_url, "SELECT * FROM public.app_users") == [(1, "a")]
    new = connect(postgis_url)
    added = set(new.tables()) - set(before)  # tables of revisions after 0003 (e.g. the mail outbox), empty
    assert set(before) <= set(new.tables()) and added <= OUR_TABLES and all(len(new.read(t)) == 0 for t in added)
    for name, frame in before.items():
        pd.testing.assert_frame_equal(new.read(name), frame, check_exact=True, obj=name)
    assert migrate.current(postgis_url) == migrate.HEAD
    code, out = cli(capsys, "--catalogue", postgis_url, "search", "--format", "csv")
    assert code == 0 and f"\n{published} sites" in out and out.count("published,") >= published  # searchable
    with new.transaction() as tx:  # and writable: a new row takes the next key of the moved sequence
        tx.insert("owners", pd.DataFrame({"owner_id": ["o-1"], "token_hash": ["h"]}))
    assert new.read("owners")["owner_id"].tolist()[-1] == "o-1"


def test_revision_0003_is_a_no_op_on_a_geopackage(writable_catalogue):
    with connect(writable_catalogue).transaction() as tx:
        migrate.stamp(tx, "0002")
    before = revision(writable_catalogue)
    migrate.upgrade(writable_catalogue, "0003")  # this revision alone (later ones may follow it)
    assert migrate.current(writable_catalogue) == "0003"
    assert revision(writable_catalogue) == before


# ------------------------------------------------------------------ targets holding what is not ours
def someone_elses_geopackage(path: Path, layers: tuple[str, ...] = ("parcels",)) -> Path:
    for name in layers:
        pyogrio.write_dataframe(gpd.GeoDataFrame({"owner": ["x"]}, geometry=[shapely.Point(9, 45)], crs=4326),
                                path, layer=name, driver="GPKG", append=path.exists())
    return path


def test_build_copy_and_upgrade_refuse_a_geopackage_holding_someone_elses_layer(built_catalogue, tmp_path, capsys):
    target = someone_elses_geopackage(tmp_path / "theirs.gpkg")
    before = sha256(target)
    for args in (["--catalogue", target, "build", "--no-demo"],
                 ["catalogue", "copy", built_catalogue, target],
                 ["catalogue", "copy", built_catalogue, target, "--overwrite"]):
        code, out = cli(capsys, *args)
        assert code == 1 and "table parcels" in out and "nothing was changed" in out, (args, out)
        assert len(out.strip().splitlines()) == 1
    code, out = cli(capsys, "--catalogue", target, "catalogue", "upgrade")
    assert code == 1 and "is not a catalogue" in out
    assert sha256(target) == before
    assert pyogrio.list_layers(target)[:, 0].tolist() == ["parcels"]


def test_a_catalogue_with_someone_elses_layer_in_it_is_refused_too(writable_catalogue, tmp_path, capsys):
    someone_elses_geopackage(writable_catalogue, ("parcels", "roads"))
    before = sha256(writable_catalogue)
    for args in (["--catalogue", writable_catalogue, "build", "--no-demo"],
                 ["catalogue", "copy", writable_catalogue.with_name("nope.gpkg"), writable_catalogue],
                 ["--catalogue", writable_catalogue, "catalogue", "upgrade"]):
        code, out = cli(capsys, *args)
        assert code == 1, (args, out)
    code, out = cli(capsys, "--catalogue", writable_catalogue, "build", "--no-demo")
    assert "table parcels, table roads" in out
    assert sha256(writable_catalogue) == before


def test_a_file_that_is_not_a_geopackage_is_never_built_or_copied_over(built_catalogue, tmp_path, capsys):
    target = tmp_path / "notes.gpkg"
    target.write_text("someone's notes\n")
    for args in (["--catalogue", target, "build", "--no-demo"], ["catalogue", "copy", built_catalogue, target]):
        code, out = cli(capsys, *args)
        assert code == 1 and "file notes.gpkg" in out, out
    assert target.read_text() == "someone's notes\n"


def test_a_refusal_names_a_few_things_then_says_how_many_more(tmp_path, capsys):
    target = someone_elses_geopackage(tmp_path / "many.gpkg", tuple(f"layer{i}" for i in range(8)))
    code, out = cli(capsys, "--catalogue", target, "build", "--no-demo")
    assert code == 1 and "layer0, table layer1" in out and "and 3 more" in out and "layer7" not in out


def test_upgrade_of_a_file_that_is_not_a_catalogue_writes_nothing(tmp_path, capsys):
    empty = tmp_path / "empty.gpkg"
    con = sqlite3.connect(empty)
    con.execute("CREATE TABLE notes (x)")
    con.close()
    text = tmp_path / "notes.gpkg"
    text.write_text("just text\n")
    for target in (empty, text):
        before = sha256(target)
        code, out = cli(capsys, "--catalogue", target, "catalogue", "upgrade")
        assert code == 1 and len(out.strip().splitlines()) == 1, out
        assert sha256(target) == before
        assert not Path(f"{target}-wal").exists() or Path(f"{target}-wal").stat().st_size == 0


def test_postgis_build_copy_and_upgrade_refuse_a_foreign_table_in_our_schema(built_catalogue, postgis_url, capsys):
    copy_catalogue(built_catalogue, postgis_url)
    pg(postgis_url, "CREATE TABLE lombardy.notes (x text); INSERT INTO lombardy.notes VALUES ('keep me')")
    before = revision(postgis_url)
    for args in (["--catalogue", postgis_url, "build", "--no-demo"],
                 ["catalogue", "copy", built_catalogue, postgis_url, "--overwrite"],
                 ["--catalogue", postgis_url, "catalogue", "upgrade"]):
        code, out = cli(capsys, *args)
        assert code == 1 and "table notes" in out and "schema lombardy" in out, (args, out)
    assert revision(postgis_url) == before
    assert pg(postgis_url, "SELECT x FROM lombardy.notes") == [("keep me",)]


@pytest.mark.parametrize("plant, named", [
    ("CREATE SEQUENCE lombardy.counter", "sequence counter"),
    ("CREATE MATERIALIZED VIEW lombardy.totals AS SELECT count(*) AS n FROM lombardy.sites", "materialized view totals"),
    ("CREATE VIEW lombardy.names AS SELECT site_id FROM lombardy.sites", "view names"),
    ("CREATE FUNCTION lombardy.f() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$", "function f"),
    ("CREATE RULE keep AS ON DELETE TO lombardy.owners DO INSTEAD NOTHING", "rule keep on owners"),
])
def test_every_kind_of_foreign_object_in_our_schema_refuses_a_copy_over_it(built_catalogue, postgis_demo,
                                                                          postgis_server, plant, named, capsys):
    url = postgis_server.new_database("cat", template=postgis_demo)
    try:
        pg(url, plant)
        before = revision(url)
        code, out = cli(capsys, "catalogue", "copy", built_catalogue, url, "--overwrite")
        assert code == 1 and named in out, out
        assert revision(url) == before
    finally:
        postgis_server.drop_database(url)


def test_upgrade_of_a_database_without_a_catalogue_is_refused(postgis_url, capsys):
    pg(postgis_url, OTHER_APP)
    before = public_state(postgis_url)
    code, out = cli(capsys, "--catalogue", postgis_url, "catalogue", "upgrade")
    assert code == 1 and "is not a catalogue" in out
    assert public_state(postgis_url) == before
    assert pg(postgis_url, "SELECT 1 FROM pg_namespace WHERE nspname = 'lombardy'") == []


# ------------------------------------------------------------------ rebuilding over live data
def test_a_rebuild_over_live_data_needs_force_and_backs_up_first(catalogue_target, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)  # a PostGIS catalogue's backup goes to ./backups
    with connect(catalogue_target).transaction() as tx:
        tx.insert("owners", pd.DataFrame({"owner_id": ["o-1"], "token_hash": ["h"]}))
    before = revision(catalogue_target)
    code, out = cli(capsys, "--catalogue", catalogue_target, "build", "--no-demo")
    assert code == 1 and "owners (1)" in out and "--force" in out and len(out.strip().splitlines()) == 1
    assert revision(catalogue_target) == before
    code, out = cli(capsys, "--catalogue", catalogue_target, "build", "--no-demo", "--force")
    assert code == 0, out
    line = next(x for x in out.splitlines() if x.startswith("backup of the catalogue before the rebuild: "))
    backup = Path(line.split(": ", 1)[1].rsplit(" (", 1)[0])
    assert backup.is_file() and connect(backup).read("owners")["owner_id"].tolist() == ["o-1"]
    assert len(connect(catalogue_target).read("owners")) == 0


def test_live_data_counts_what_people_wrote(writable_catalogue):
    from geo.catalogue.build import live_data

    db = connect(writable_catalogue)
    assert live_data(db) == {}  # the demo catalogue: generated records only, rebuilt freely
    with db.transaction() as tx:
        tx.insert("sources", pd.DataFrame({"source_id": ["import:zis:zis.gpkg"], "name": ["zis"]}))
        tx.insert("enquiries", pd.DataFrame({"enquiry_id": ["e-1"], "site_id": ["s"]}))
    assert live_data(db) == {"enquiries": 1, "imported layers": 1}


# ------------------------------------------------------------------ every --out refuses any catalogue
def test_listing_template_refuses_to_write_over_any_catalogue(writable_catalogue, built_catalogue, tmp_path, capsys):
    other = tmp_path / "other.gpkg"  # a catalogue that is not the --catalogue one
    other.write_bytes(built_catalogue.read_bytes())
    before = sha256(other)
    code, out = cli(capsys, "--catalogue", writable_catalogue, "listing", "template", other)
    assert code == 1 and "is a catalogue" in out and len(out.strip().splitlines()) == 1
    assert sha256(other) == before
    code, out = cli(capsys, "--catalogue", writable_catalogue, "listing", "template", writable_catalogue)
    assert code == 1 and "is a catalogue" in out
    plain = tmp_path / "template.xlsx"
    from geo.listing.template import write_template

    write_template(plain, "en")  # an old template (another language): a workbook of ours, replaced
    assert cli(capsys, "--catalogue", writable_catalogue, "listing", "template", plain)[0] == 0  # valid: replaced


def test_brownfield_detect_refuses_an_out_that_is_any_catalogue_even_without_publish(writable_catalogue,
                                                                                    built_catalogue, tmp_path,
                                                                                    capsys):
    from tests.brownfield.synthetic import scene_arrays, write_stack

    s0 = write_stack(tmp_path / "a.tif", scene_arrays(60, 0))
    s1 = write_stack(tmp_path / "b.tif", scene_arrays(60, 1))
    base = ["--catalogue", writable_catalogue, "brownfield", "detect", "--scene", f"2019-06-01={s0}",
            "--scene", f"2021-06-01={s1}"]
    other = tmp_path / "other.gpkg"
    other.write_bytes(built_catalogue.read_bytes())
    before = sha256(other), sha256(writable_catalogue)
    for out_path in (other, writable_catalogue):
        code, out = cli(capsys, *base, "--out", out_path)
        assert code == 1 and "is a catalogue" in out and len(out.strip().splitlines()) == 1, out
    assert (sha256(other), sha256(writable_catalogue)) == before
    run = tmp_path / "run.gpkg"  # the valid case: a run file, written and then written again
    assert cli(capsys, *base, "--out", run)[0] == 0
    assert cli(capsys, *base, "--out", run)[0] == 0
