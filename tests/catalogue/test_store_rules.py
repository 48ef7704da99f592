"""The store's rules, each checked where a one-character change would break it: who reads what,
units of work (all or nothing, revision bumps), versions and conflicts, the change log, outlines.

GeoPackage only (the PostGIS backend runs the same Catalogue code and has its own tests), except the
reference cache inside a unit of work, checked on both stores (the mutation run takes the GeoPackage one).
"""

from __future__ import annotations

import re

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from shapely.geometry import MultiPolygon, Point, Polygon, box

from geo.catalogue import open_catalogue
from geo.catalogue.access import PUBLIC_STATUSES, can_read, visible_rows, visible_statuses
from geo.catalogue.catalogue import (CHANGE_COLUMNS, REFERENCE_LAYERS, TABLES, Catalogue, ConflictError, _display,
                                     _s, clean_outline, new_id, now_iso)
from geo.errors import CatalogueError, UserError

NEW = {"title_it": "Prova", "municipality_istat": "019036", "lat": 45.135, "lon": 10.025}


# ------------------------------------------------------------------ who reads what (access.py)
@pytest.mark.parametrize("role,expected", [("staff", None), ("public", ("published",)), ("owner", ("published",)),
                                           ("analyst", ("published",)), (None, ("published",)),
                                           ("Staff", ("published",)), ("admin", ("published",))])
def test_only_staff_read_every_status(role, expected):
    assert visible_statuses(role) == expected
    assert PUBLIC_STATUSES == ("published",)


def test_visible_rows_and_can_read():
    df = pd.DataFrame({"site_id": ["a", "b", "c"], "status": ["published", "submitted", "draft"]})
    assert visible_rows(df, "public")["site_id"].tolist() == ["a"]
    assert visible_rows(df, "staff")["site_id"].tolist() == ["a", "b", "c"]
    assert visible_rows(df, "nobody")["site_id"].tolist() == ["a"]
    assert can_read("public", "published") and not can_read("public", "submitted") and not can_read("owner", None)
    assert can_read("staff", "draft") and can_read("staff", None) and not can_read("analyst", "withdrawn")


def test_catalogue_reads_follow_the_role(writable_catalogue):
    cat = open_catalogue(writable_catalogue)
    everything = cat.sites(statuses=None)
    statuses = set(everything["status"])
    assert {"published", "submitted"} <= statuses
    published = everything[everything["status"] == "published"]
    assert len(cat.sites()) == len(published)  # the default is published only
    assert len(cat.sites(statuses=None, role="public")) == len(published)
    assert len(cat.sites(statuses=None, role="owner")) == len(published)
    assert len(cat.sites(statuses=None, role="staff")) == len(everything)
    assert len(cat.sites(statuses=["submitted"], role="public")) == 0
    n_sub = int((everything["status"] == "submitted").sum())
    assert len(cat.sites(statuses=["submitted"], role="staff")) == n_sub
    assert len(cat.sites(statuses=["submitted"])) == n_sub  # no role: the statuses asked
    assert len(cat.sites(statuses=["submitted", "published"], role="public")) == len(published)
    sub = everything.loc[everything["status"] == "submitted", "site_id"].iloc[0]
    pub = published["site_id"].iloc[0]
    assert cat.site(sub) is None and cat.site(sub, role="owner") is None
    assert cat.site(sub, role="staff")["status"] == "submitted"
    assert [r and r["site_id"] for r in cat.records([pub, "NOPE", sub], role="staff")] == [pub, None, sub]
    assert [r and r["site_id"] for r in cat.records([sub, pub])] == [None, pub]
    assert cat.records([]) == []


def test_an_empty_status_list_reads_nothing(writable_catalogue):
    cat = open_catalogue(writable_catalogue)
    assert len(cat.sites(statuses=[])) == 0 and len(cat.sites(statuses=[], role="staff")) == 0


# ------------------------------------------------------------------ opening
def test_opening_a_missing_folder_or_outdated_catalogue_says_what_to_do(tmp_path, writable_catalogue):
    with pytest.raises(CatalogueError) as e:
        open_catalogue(tmp_path / "none.gpkg")
    assert "geo build" in e.value.message("en") and "geo build" in e.value.message("it")
    with pytest.raises(CatalogueError) as e:
        open_catalogue(tmp_path)
    assert "folder" in e.value.message("en") and "cartella" in e.value.message("it")
    from geo.catalogue.stores import connect

    db = connect(str(writable_catalogue))
    with db.transaction() as tx:
        tx.replace("alembic_version", pd.DataFrame({"version_num": ["0000"]}))
    with pytest.raises(CatalogueError) as e:
        Catalogue(str(writable_catalogue))
    msg = e.value.message("en")
    assert "'0000'" in msg and "geo catalogue upgrade" in msg and "upgrade" in e.value.message("it")


def test_a_url_is_shown_without_its_password():
    assert "s3cret" not in _display("postgresql://geo:s3cret@db.example:5432/cat")
    assert _display("data/catalogue.gpkg") == "data/catalogue.gpkg"


def test_ids_and_timestamps():
    assert re.fullmatch(r"LS-[0-9A-F]{10}", new_id("LS")) and new_id("LS") != new_id("LS")
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00", now_iso())
    assert _s(None) is None and _s(5.0) == "5" and _s(5.5) == "5.5" and _s("x") == "x" and _s(7) == "7"
    assert _s(True) == "True"


# ------------------------------------------------------------------ reads of layers and tables
def test_absent_layers_read_empty_and_tables_filter(writable_catalogue):
    cat = open_catalogue(writable_catalogue)
    absent = cat.layer("no_such_layer")
    assert len(absent) == 0 and isinstance(absent, gpd.GeoDataFrame)
    with cat.unit_of_work() as uow:
        uow.tx.drop("enquiries")
    table = cat.layer("enquiries")  # an attribute table: an absent one is an empty DataFrame, no geometry
    assert len(table) == 0 and not isinstance(table, gpd.GeoDataFrame)
    assert "enquiries" in TABLES and "municipalities" in REFERENCE_LAYERS
    src = cat.sources()
    one = src["source_id"].iloc[0]
    assert cat.table("sources", where={"source_id": [one]})["source_id"].tolist() == [one]
    assert len(cat.table("sources")) == len(src)
    counts = cat.counts()
    assert counts["sites"] == len(cat.sites(statuses=None)) and "municipalities" in counts
    assert set(cat.layer_names()) == set(counts)
    meta = cat.metadata()
    assert meta["schema_version"] and meta["demo"] == "true"
    ol = cat.outlines()
    if len(ol):
        sid = ol["site_id"].iloc[0]
        assert cat.outlines([sid])["site_id"].tolist() == [sid]
    assert len(cat.outlines(["NOPE"])) == 0


# ------------------------------------------------------------------ units of work
def test_a_unit_of_work_lands_whole_and_bumps_the_revision(writable_catalogue):
    cat = open_catalogue(writable_catalogue)
    r0 = cat.revision()
    assert r0
    with cat.unit_of_work(actor="staff:a", reason="two things") as uow:
        (sid,) = uow.write_sites([NEW])
        uow.upsert("sources", "source_id", [{"source_id": "test_src", "name": "Test", "licence": "CC0"}])
        assert uow.site(sid)["title_it"] == "Prova"  # read inside the transaction sees its own write
        assert uow.records([]) == [] and uow.sites([sid])["site_id"].tolist() == [sid]
        assert len(uow.sites(statuses=["draft"])) >= 1
    r1 = cat.revision()
    assert r1 and r1 != r0
    assert cat.site(sid, role="staff")["title_it"] == "Prova"
    assert "test_src" in set(cat.sources()["source_id"])
    h = cat.history(sid)
    assert set(h["actor"]) == {"staff:a"} and set(h["reason"]) == {"two things"}
    assert list(h.columns) == CHANGE_COLUMNS
    # The reference version moves only when a reference layer changes.
    meta = cat.metadata()
    assert meta["reference_version"] != r1


def test_an_error_inside_a_unit_of_work_leaves_nothing(writable_catalogue):
    cat = open_catalogue(writable_catalogue)
    r0, n0 = cat.revision(), len(cat.sites(statuses=None))
    with pytest.raises(RuntimeError):
        with cat.unit_of_work(actor="t") as uow:
            uow.write_sites([NEW])
            uow.insert("sources", [{"source_id": "half", "name": "x", "licence": "x"}])
            raise RuntimeError("disk full")
    assert cat.revision() == r0 and len(cat.sites(statuses=None)) == n0
    assert "half" not in set(cat.sources()["source_id"])


def test_upsert_replaces_by_key_and_delete_counts(writable_catalogue):
    cat = open_catalogue(writable_catalogue)
    n = len(cat.sources())
    with cat.unit_of_work() as uow:
        uow.upsert("sources", "source_id", pd.DataFrame([{"source_id": "s1", "name": "One", "licence": "A"}]))
        uow.upsert("sources", "source_id", [])  # nothing to do
    with cat.unit_of_work() as uow:
        uow.upsert("sources", "source_id", [{"source_id": "s1", "name": "Uno", "licence": "B"}])
    src = cat.table("sources", where={"source_id": ["s1"]})
    assert src[["name", "licence"]].values.tolist() == [["Uno", "B"]]
    assert len(cat.sources()) == n + 1  # the other rows are untouched
    with cat.unit_of_work() as uow:
        assert uow.delete("sources", {"source_id": ["s1"]}) == 1
        assert uow.delete("sources", {"source_id": ["s1"]}) == 0
        assert len(uow.table("no_such_table")) == 0
    assert len(cat.table("sources", where={"source_id": ["s1"]})) == 0


# ------------------------------------------------------------------ writes, versions, conflicts
def test_a_new_listing_gets_an_id_version_one_draft_and_a_logged_creation(writable_catalogue):
    cat = open_catalogue(writable_catalogue)
    (sid,) = cat.write_sites([NEW], actor="owner:1", reason="new")
    (quiet,) = cat.write_sites([NEW], actor="owner:2")
    assert set(cat.history(sid)["actor"]) == {"owner:1"} and set(cat.history(sid)["reason"]) == {"new"}
    assert set(cat.history(quiet)["actor"]) == {"owner:2"} and set(cat.history(quiet)["reason"]) == {""}
    assert sid.startswith("LS-")
    rec = cat.site(sid, role="staff")
    assert rec["version"] == 1 and rec["status"] == "draft"
    assert rec["created_at"] == rec["updated_at"] and rec["created_at"].endswith("+00:00")
    assert rec["municipality_name"] == "Cremona"  # computed inside the write
    h = cat.history(sid)
    assert "title_it" in set(h["field"]) and "version" not in set(h["field"]) and "updated_at" not in set(h["field"])
    assert h.loc[h["field"] == "title_it", "old"].tolist() == [None]
    # Unknown (None) fields of a new listing are not logged as changes.
    assert "power_kw" not in set(h["field"])
    # Change ids sort in the order the changes were made.
    assert list(h["change_id"]) == sorted(h["change_id"])


def test_rewriting_keeps_created_at_and_counts_versions(writable_catalogue):
    cat = open_catalogue(writable_catalogue)
    old = cat.site("DEMO-0001", role="staff")
    cat.update_site("DEMO-0001", {"power_kw": 1234.0}, actor="staff:a", expected_version=old["version"])
    new = cat.site("DEMO-0001", role="staff")
    assert new["version"] == old["version"] + 1 and new["created_at"] == old["created_at"]
    assert new["status"] == old["status"] and new["title_it"] == old["title_it"]  # a partial write keeps the rest
    assert new["updated_at"] >= old["updated_at"]
    # Writing the same value again logs nothing for that field, but is a new version.
    n = len(cat.history("DEMO-0001"))
    cat.update_site("DEMO-0001", {"power_kw": 1234.0}, actor="staff:a")
    assert len(cat.history("DEMO-0001")) == n
    assert cat.site("DEMO-0001", role="staff")["version"] == new["version"] + 1


def test_a_whole_record_write_replaces_the_listing(writable_catalogue):
    cat = open_catalogue(writable_catalogue)
    old = cat.site("DEMO-0002", role="staff")
    cat.write_sites([{**NEW, "site_id": "DEMO-0002", "status": "submitted"}], actor="t")
    new = cat.site("DEMO-0002", role="staff")
    assert new["title_it"] == "Prova" and new["status"] == "submitted" and new["version"] == old["version"] + 1
    assert new["created_at"] == old["created_at"]
    assert new["power_kw"] is None  # not given: a whole record replaces every field


def test_a_stale_version_is_a_conflict_and_changes_nothing(writable_catalogue):
    cat = open_catalogue(writable_catalogue)
    v = cat.site("DEMO-0003", role="staff")["version"]
    cat.update_site("DEMO-0003", {"power_kw": 1.0}, actor="staff:a", expected_version=v)
    r = cat.revision()
    with pytest.raises(ConflictError) as e:
        cat.update_site("DEMO-0003", {"power_kw": 2.0}, actor="staff:b", expected_version=v)
    assert isinstance(e.value, UserError)
    assert f"version {v + 1}" in e.value.message("en") and f"opened {v}" in e.value.message("en")
    assert "DEMO-0003" in e.value.message("it") and f"versione {v + 1}" in e.value.message("it")
    assert cat.site("DEMO-0003", role="staff")["power_kw"] == 1.0 and cat.revision() == r
    cat.update_site("DEMO-0003", {"power_kw": 3.0}, actor="staff:b", expected_version=v + 1)
    assert cat.site("DEMO-0003", role="staff")["version"] == v + 2


def test_refused_writes(writable_catalogue):
    cat = open_catalogue(writable_catalogue)
    r = cat.revision()
    with pytest.raises(UserError) as e:
        cat.write_sites([{**NEW, "flying_cars": 3}], actor="t")
    assert "flying_cars" in e.value.message("en") and "Campi sconosciuti" in e.value.message("it")
    with pytest.raises(UserError) as e:
        cat.write_sites([{**NEW, "site_id": "A"}, {**NEW, "site_id": "B"}, {**NEW, "site_id": "A"}], actor="t")
    assert "A" in e.value.message("en") and "B" not in e.value.message("en").split(":")[-1]
    with pytest.raises(UserError) as e:
        cat.update_site("NOPE", {"power_kw": 1.0}, actor="t")
    assert "NOPE" in e.value.message("en")
    with pytest.raises(UserError) as e:
        with cat.unit_of_work() as uow:
            uow.write_sites([{"site_id": "NOPE2", "power_kw": 1.0}], partial=True)
    assert "NOPE2" in e.value.message("en")
    with pytest.raises(UserError) as e:
        cat.write_sites([{"title_it": "x", "lat": 45.1}], actor="t")
    assert "coordinates" in e.value.message("en")
    with pytest.raises(UserError):
        cat.write_sites([{"title_it": "x", "lon": 10.0}], actor="t")
    assert cat.revision() == r
    # Two listings without ids are not duplicates of each other.
    assert len(set(cat.write_sites([NEW, NEW], actor="t"))) == 2


def test_an_outline_gives_coordinates_and_is_logged(writable_catalogue):
    cat = open_catalogue(writable_catalogue)
    ol = box(10.02, 45.13, 10.03, 45.14)
    (sid,) = cat.write_sites([{"title_it": "Solo perimetro", "outline": ol, "outline__prov": "declared"}], actor="t")
    rec = cat.site(sid, role="staff")
    assert ol.contains(Point(rec["lon"], rec["lat"]))
    assert rec["lat__prov"] == "computed" and rec["lon__prov"] == "computed"
    assert rec["outline"].equals(ol)
    # Given coordinates are kept, with their provenance.
    (sid2,) = cat.write_sites([{**NEW, "lat__prov": "declared", "lon__prov": "declared", "outline": ol}], actor="t")
    rec2 = cat.site(sid2, role="staff")
    assert (rec2["lat"], rec2["lon"], rec2["lat__prov"]) == (45.135, 10.025, "declared")
    h = cat.history(sid)
    assert h.loc[h["field"] == "outline", "new"].iloc[0].startswith("POLYGON")
    # The same outline again is not a change; a different one is.
    n = len(cat.history(sid))
    cat.update_site(sid, {"outline": ol}, actor="t")
    assert (cat.history(sid)["field"] == "outline").sum() == 1 and len(cat.history(sid)) == n
    cat.update_site(sid, {"outline": box(10.02, 45.13, 10.025, 45.135)}, actor="t")
    assert (cat.history(sid)["field"] == "outline").sum() == 2
    assert cat.outlines([sid])["site_id"].tolist() == [sid]
    assert sid in set(cat.outlines()["site_id"]) and sid2 in set(cat.outlines()["site_id"])
    cat.update_site(sid, {"outline": None}, actor="t")
    assert len(cat.outlines([sid])) == 0 and cat.site(sid, role="staff")["outline"] is None


def test_history_is_oldest_first_with_none_for_unknown(writable_catalogue):
    cat = open_catalogue(writable_catalogue)
    assert cat.history("NOPE").columns.tolist() == CHANGE_COLUMNS and len(cat.history("NOPE")) == 0
    for v in (1.0, 2.5, None):
        cat.update_site("DEMO-0004", {"power_kw": v}, actor="t", reason=f"set {v}")
    h = cat.history("DEMO-0004")
    power = h[h["field"] == "power_kw"]
    assert power["new"].tolist()[-3:] == ["1", "2.5", None]
    assert power["reason"].tolist()[-3:] == ["set 1.0", "set 2.5", "set None"]
    assert h["at"].tolist() == sorted(h["at"])


# ------------------------------------------------------------------ reference layers
def test_replacing_a_reference_layer_recomputes_sites_and_moves_the_reference_version(writable_catalogue):
    cat = open_catalogue(writable_catalogue)
    before = cat.metadata()["reference_version"]
    sites = cat.sites(statuses=None).set_index("site_id")
    in_zls = sites.index[sites["in_zls"].astype(bool)]
    assert len(in_zls) > 0
    zls = cat.layer("zls_municipalities")
    empty = zls.iloc[:0]
    cat.replace_layers({"zls_municipalities": empty}, actor="staff:z", reason="ZLS withdrawn")
    after = cat.sites(statuses=None).set_index("site_id")
    assert sorted(after.index) == sorted(sites.index)  # every site recomputed, none lost
    assert not after["in_zls"].astype(bool).any()
    assert after["title_it"].equals(sites["title_it"]) and after["version"].equals(sites["version"])
    meta = cat.metadata()
    assert meta["reference_version"] != before and meta["reference_version"] == meta["revision"]
    h = cat.history(in_zls[0])
    row = h[h["field"] == "in_zls"].iloc[-1]
    assert (row["old"], row["new"], row["actor"], row["reason"]) == ("True", "False", "staff:z", "ZLS withdrawn")
    cat.replace_layers({"zls_municipalities": zls})  # default actor and reason: the change says what changed
    row = cat.history(in_zls[0]).iloc[-1]
    assert (row["field"], row["actor"], row["reason"]) == ("in_zls", "system", "layers changed: zls_municipalities")
    # A layer that is not a reference layer changes no site and keeps the reference version.
    ref = cat.metadata()["reference_version"]
    n = len(cat.history(in_zls[0]))
    cat.replace_layers({"sources": cat.sources()})
    assert cat.metadata()["reference_version"] == ref and len(cat.history(in_zls[0])) == n


def test_deleting_a_reference_layer_recomputes_too(writable_catalogue):
    cat = open_catalogue(writable_catalogue)
    before = cat.metadata()["reference_version"]
    sites = cat.sites(statuses=None)
    assert sites["dist_motorway_junction_km"].notna().all()
    cat.replace_layers({}, delete=["infrastructure"], actor="t", reason="")
    assert cat.metadata()["reference_version"] != before
    assert "infrastructure" not in cat.layer_names()
    assert cat.sites(statuses=None)["dist_motorway_junction_km"].isna().all()
    h = cat.history(sites["site_id"].iloc[0])
    assert "layers changed: infrastructure" in set(h["reason"])  # with no reason given, the change says why


def test_update_layers_reads_inside_the_transaction(writable_catalogue):
    cat = open_catalogue(writable_catalogue)
    seen = {}

    def change(uow):
        src = uow.sources()
        seen["n"] = len(src)
        return {"sources": pd.concat([src, pd.DataFrame([{"source_id": "u1", "name": "U", "licence": "L"}])])}

    n = len(cat.sources())
    assert n > 0
    out = cat.update_layers(change, actor="t")
    assert seen["n"] == n and set(out) == {"sources"} and len(cat.sources()) == n + 1
    sites = cat.sites(statuses=None)
    sid = sites["site_id"].iloc[0]
    cat.update_layers(lambda uow: {}, delete=["infrastructure"])  # default actor and reason
    assert "infrastructure" not in cat.layer_names()
    row = cat.history(sid).iloc[-1]
    assert (row["actor"], row["reason"]) == ("system", "layers changed: infrastructure")


# ------------------------------------------------------------------ outlines as stored
def test_clean_outline():
    assert clean_outline(None) is None and clean_outline(Polygon()) is None
    cw = Polygon([(0, 0), (0, 1), (1, 1), (1, 0)])  # clockwise
    out = clean_outline(cw)
    assert out.exterior.is_ccw and out.equals(cw)
    z = Polygon([(0, 0, 5), (1, 0, 5), (1, 1, 5), (0, 1, 5)])
    assert not clean_outline(z).has_z
    bowtie = Polygon([(0, 0), (1, 1), (1, 0), (0, 1)])  # self-intersecting
    fixed = clean_outline(bowtie)
    assert fixed.is_valid and fixed.geom_type == "MultiPolygon" and fixed.area == pytest.approx(0.5)
    mixed = shapely.GeometryCollection([box(0, 0, 1, 1), Point(5, 5), shapely.LineString([(0, 0), (3, 3)])])
    assert clean_outline(mixed).equals(box(0, 0, 1, 1))
    two = MultiPolygon([box(0, 0, 1, 1), box(2, 2, 3, 3)])
    assert clean_outline(two).geom_type == "MultiPolygon" and len(clean_outline(two).geoms) == 2
    holed = Polygon([(0, 0), (4, 0), (4, 4), (0, 4)], [[(1, 1), (1, 2), (2, 2), (2, 1)]])
    assert len(clean_outline(holed).interiors) == 1
    nested = shapely.GeometryCollection([MultiPolygon([box(0, 0, 1, 1), box(2, 2, 3, 3)]), Point(5, 5)])
    assert clean_outline(nested).equals(MultiPolygon([box(0, 0, 1, 1), box(2, 2, 3, 3)]))
    mixed = shapely.GeometryCollection([MultiPolygon([box(0, 0, 1, 1), box(2, 2, 3, 3)]), box(5, 5, 6, 6)])
    out = clean_outline(mixed)
    assert out.geom_type == "MultiPolygon" and len(out.geoms) == 3 and out.area == pytest.approx(3.0)
    with pytest.raises(UserError) as e:
        clean_outline(Point(1, 1))
    assert e.value.message("en") == "The outline holds no polygon."


def test_zis_areas_and_the_zls_perimeter_reach_the_recomputed_sites(writable_catalogue):
    cat = open_catalogue(writable_catalogue)
    site = cat.site("DEMO-0001", role="staff")
    x, y = site["lon"], site["lat"]
    zis = gpd.GeoDataFrame({"zis_id": ["Z9"], "name": ["Test ZIS"], "phase": ["candidate"]},
                           geometry=[box(x - 0.001, y - 0.001, x + 0.001, y + 0.001)], crs=4326)
    cat.replace_layers({"zis_areas": zis}, actor="t", reason="zis")
    assert cat.site("DEMO-0001", role="staff")["zis_id"] == "Z9"
    zls_sites = cat.sites(statuses=None)
    zls_sites = zls_sites[zls_sites["in_zls"].astype(bool)]
    keep = zls_sites.iloc[0]
    perimeter = gpd.GeoDataFrame({"name": ["port"]}, geometry=[Point(keep["lon"], keep["lat"]).buffer(0.001)],
                                 crs=4326)
    cat.replace_layers({"zls_perimeter": perimeter}, actor="t", reason="perimeter")
    after = cat.sites(statuses=None).set_index("site_id")
    assert after.loc[keep["site_id"], "in_zls"] and int(after["in_zls"].astype(bool).sum()) == 1


def test_a_catalogue_of_one_site_is_recomputed_too(writable_catalogue):
    cat = open_catalogue(writable_catalogue)
    ids = cat.sites(statuses=None)["site_id"].tolist()
    with cat.unit_of_work() as uow:
        uow.delete("sites", {"site_id": ids[1:]})
    assert cat.site(ids[0], role="staff")["dist_motorway_junction_km"] is not None
    cat.replace_layers({}, delete=["infrastructure"])
    assert cat.site(ids[0], role="staff")["dist_motorway_junction_km"] is None


# ------------------------------------------------------------------ the messages, word for word (English source)
def test_store_messages(tmp_path, writable_catalogue):
    with pytest.raises(CatalogueError) as e:
        open_catalogue(tmp_path / "none.gpkg")
    assert e.value.message("en") == f"Catalogue not found or not valid: {tmp_path / 'none.gpkg'}. Build it with 'geo build'."
    with pytest.raises(CatalogueError) as e:
        open_catalogue(tmp_path)
    assert e.value.message("en") == f"{tmp_path} is a folder, not a catalogue."
    cat = open_catalogue(writable_catalogue)
    v = cat.site("DEMO-0005", role="staff")["version"]
    cases = [
        (lambda: cat.write_sites([{**NEW, "flying_cars": 1}], actor="t"), "Unknown fields: ['flying_cars']"),
        (lambda: cat.write_sites([{**NEW, "site_id": "B"}, {**NEW, "site_id": "A"}, {**NEW, "site_id": "B"},
                                  {**NEW, "site_id": "A"}], actor="t"), "Listing given twice in one write: A, B."),
        (lambda: cat.update_site("NOPE", {"power_kw": 1.0}, actor="t"), "No listing NOPE."),
        (lambda: cat.write_sites([{"site_id": "LS-X", "title_it": "x", "lat": 45.1}], actor="t"),
         "Listing LS-X: coordinates missing."),
        (lambda: cat.update_site("DEMO-0005", {"power_kw": 1.0}, actor="t", expected_version=v - 1),
         f"Listing DEMO-0005 changed meanwhile (version {v}, you opened {v - 1}): reload the page, check it again "
         "and retry."),
    ]
    for call, message in cases:
        with pytest.raises(UserError) as e:
            call()
        assert e.value.message("en") == message
    with pytest.raises(UserError) as e:
        with cat.unit_of_work() as uow:
            uow.write_sites([{"site_id": "NOPE2", "power_kw": 1.0}], partial=True)
    assert e.value.message("en") == "No listing NOPE2."


# ------------------------------------------------------------------ reads and row writes inside a unit of work
def test_reads_inside_a_unit_of_work(writable_catalogue):
    cat = open_catalogue(writable_catalogue)
    src = cat.sources()
    one = src["source_id"].iloc[0]
    site = cat.site("DEMO-0001", role="staff")
    with cat.unit_of_work() as uow:
        assert uow.table("sources", where={"source_id": [one]})["source_id"].tolist() == [one]
        assert len(uow.table("sources")) == len(src)
        near = uow.table("sites", bbox=(site["lon"] - 1e-4, site["lat"] - 1e-4, site["lon"] + 1e-4,
                                        site["lat"] + 1e-4))
        assert "DEMO-0001" in set(near["site_id"]) and len(near) < len(cat.sites(statuses=None))
        absent_layer = uow.layer("no_such_layer")
        assert isinstance(absent_layer, gpd.GeoDataFrame) and len(absent_layer) == 0
    with cat.unit_of_work() as uow:
        uow.tx.drop("enquiries")
    with cat.unit_of_work() as uow:
        absent = uow.table("enquiries")  # an attribute table: an absent one is a DataFrame without geometry
        assert len(absent) == 0 and not isinstance(absent, gpd.GeoDataFrame)


def test_an_empty_table_keeps_its_columns(writable_catalogue):
    cat = open_catalogue(writable_catalogue)
    with cat.unit_of_work() as uow:
        uow.delete("sources", {"source_id": cat.sources()["source_id"].tolist()})
    with cat.unit_of_work() as uow:
        empty = uow.table("sources")
        assert len(empty) == 0 and "source_id" in empty.columns and "licence" in empty.columns


def test_inserted_rows_are_committed(writable_catalogue):
    cat = open_catalogue(writable_catalogue)
    n = len(cat.sources())
    with cat.unit_of_work() as uow:
        uow.insert("sources", [{"source_id": "ins1", "name": "One", "licence": "CC0"}])
        uow.insert("sources", pd.DataFrame([{"source_id": "ins2", "name": "Two", "licence": "CC0"}]))
    got = cat.sources().set_index("source_id")
    assert len(got) == n + 2 and got.loc["ins1", "name"] == "One" and got.loc["ins2", "name"] == "Two"


def test_a_new_listing_is_placed_by_its_coordinates(writable_catalogue):
    cat = open_catalogue(writable_catalogue)
    demo = cat.site("DEMO-0001", role="staff")
    (sid,) = cat.write_sites([{"title_it": "Qui", "lat": demo["lat"], "lon": demo["lon"]}], actor="t")
    rec = cat.site(sid, role="staff")
    assert rec["dist_motorway_junction_km"] == pytest.approx(demo["dist_motorway_junction_km"])
    assert rec["dist_rail_station_km"] == pytest.approx(demo["dist_rail_station_km"])


def test_a_write_inside_update_layers_is_logged_with_the_actions_reason(writable_catalogue):
    cat = open_catalogue(writable_catalogue)
    ids = []

    def change(uow):
        ids.extend(uow.write_sites([NEW]))
        return {}

    cat.update_layers(change)
    row = cat.history(ids[0]).iloc[0]
    assert (row["actor"], row["reason"]) == ("system", "")
    cat.update_layers(change, actor="staff:a", reason="import")
    row = cat.history(ids[1]).iloc[0]
    assert (row["actor"], row["reason"]) == ("staff:a", "import")


def test_places_know_the_municipalities(writable_catalogue):
    cat = open_catalogue(writable_catalogue)
    assert cat.places().find("Cremona")["istat"] == "019036"


def test_layer_reads_by_bbox_and_keeps_the_columns_of_an_empty_table(writable_catalogue):
    cat = open_catalogue(writable_catalogue)
    site = cat.site("DEMO-0001", role="staff")
    near = cat.layer("sites", bbox=(site["lon"] - 1e-4, site["lat"] - 1e-4, site["lon"] + 1e-4, site["lat"] + 1e-4))
    assert "DEMO-0001" in set(near["site_id"]) and len(near) < len(cat.sites(statuses=None))
    with cat.unit_of_work() as uow:
        uow.delete("sources", {"source_id": cat.sources()["source_id"].tolist()})
    empty = cat.layer("sources")
    assert len(empty) == 0 and {"source_id", "licence"} <= set(empty.columns)


def test_update_site_records_actor_and_default_reason(writable_catalogue):
    cat = open_catalogue(writable_catalogue)
    cat.update_site("DEMO-0006", {"power_kw": 777.0}, actor="staff:z")
    h = cat.history("DEMO-0006")
    row = h[h["field"] == "power_kw"].iloc[-1]
    assert (row["new"], row["actor"], row["reason"]) == ("777", "staff:z", "")


def test_a_new_infrastructure_layer_reaches_the_distances(writable_catalogue):
    cat = open_catalogue(writable_catalogue)
    before = cat.sites(statuses=None).set_index("site_id")["dist_motorway_junction_km"]
    infra = cat.layer("infrastructure")
    exits = infra[infra["kind"] == "motorway_junction"]
    fewer = pd.concat([infra[infra["kind"] != "motorway_junction"], exits.iloc[:1]])
    cat.replace_layers({"infrastructure": gpd.GeoDataFrame(fewer, crs=infra.crs)}, actor="t", reason="one exit")
    after = cat.sites(statuses=None).set_index("site_id")["dist_motorway_junction_km"].reindex(before.index)
    assert after.notna().all() and (after >= before - 1e-6).all() and (after > before + 1).any()


def test_a_write_after_a_reference_change_sees_the_new_layer(writable_catalogue, built_catalogue, tmp_path):
    """The reference layers are cached per catalogue and reference version: never stale, never another's."""
    import shutil

    other = tmp_path / "other.gpkg"
    shutil.copy2(built_catalogue, other)
    cat = open_catalogue(writable_catalogue)
    viadana = {"title_it": "Prova", "municipality_istat": "020066", "lat": 44.927, "lon": 10.52}
    (a,) = cat.write_sites([viadana], actor="t")  # fills the cache
    assert cat.site(a, role="staff")["in_zls"] is True
    cat.replace_layers({"zls_municipalities": cat.layer("zls_municipalities").iloc[:0]}, actor="t")
    (b,) = cat.write_sites([viadana], actor="t")
    assert cat.site(b, role="staff")["in_zls"] is False
    (c,) = open_catalogue(other).write_sites([viadana], actor="t")  # another catalogue, its own layers
    assert open_catalogue(other).site(c, role="staff")["in_zls"] is True


def test_writes_replace_rows_log_old_values_and_keep_given_creation_dates(writable_catalogue):
    cat = open_catalogue(writable_catalogue)
    n = len(cat.sites(statuses=None))
    cat.update_site("DEMO-0007", {"power_kw": 1.0}, actor="t")
    cat.update_site("DEMO-0007", {"power_kw": 2.0}, actor="t")
    assert len(cat.sites(statuses=None)) == n  # rewritten in place, never a second row
    h = cat.history("DEMO-0007")
    assert h.loc[h["field"] == "power_kw", ["old", "new"]].values.tolist()[-1] == ["1", "2"]
    # A whole record keeps nothing of the old one it does not give.
    cat.write_sites([{**NEW, "site_id": "DEMO-0007"}], actor="t")
    assert cat.site("DEMO-0007", role="staff")["power_kw"] is None
    (sid,) = cat.write_sites([{**NEW, "created_at": "2020-01-02T03:04:05+00:00"}], actor="t")
    assert cat.site(sid, role="staff")["created_at"] == "2020-01-02T03:04:05+00:00"


# ------------------------------------------------------------------ what the last mutation run left untested
VIADANA = {"title_it": "Prova", "municipality_istat": "020066", "lat": 44.927, "lon": 10.52}  # a ZLS municipality


def test_a_write_after_a_reference_change_in_the_same_unit_of_work_sees_it(catalogue_target):
    """The reference version moves only on commit: inside the action the cached layers are stale, and a
    rolled-back change must not reach the cache (found by the mutation run: both were wrong)."""
    cat = open_catalogue(catalogue_target)
    (a,) = cat.write_sites([VIADANA], actor="t")  # fills the cache
    assert cat.site(a, role="staff")["in_zls"] is True
    with cat.unit_of_work(actor="t") as uow:
        uow.replace_layers({"zls_municipalities": uow.layer("zls_municipalities").iloc[:0]})
        (b,) = uow.write_sites([VIADANA])
    assert cat.site(b, role="staff")["in_zls"] is False
    assert len(cat.layer("zls_municipalities")) == 0


def test_a_rolled_back_reference_change_leaves_later_writes_alone(catalogue_target):
    cat = open_catalogue(catalogue_target)
    mun = cat.layer("municipalities")
    renamed = mun.assign(name=mun["name"].where(mun["istat"] != "019036", "Renamed"))
    with pytest.raises(RuntimeError):
        with cat.unit_of_work(actor="t") as uow:
            uow.replace_layers({"zls_municipalities": uow.layer("zls_municipalities").iloc[:0],
                                "municipalities": renamed})
            (b,) = uow.write_sites([VIADANA])
            assert uow.site(b)["in_zls"] is False  # inside the action: its own layers
            raise RuntimeError("abandoned")
    assert len(cat.layer("zls_municipalities")) > 0
    assert cat.places().municipality_name("019036") == "Cremona"
    (c,) = cat.write_sites([VIADANA], actor="t")
    assert cat.site(c, role="staff")["in_zls"] is True


def test_a_listing_written_inside_zis_areas_and_a_zls_perimeter(writable_catalogue):
    """The write path (not only the recomputation) reads the ZIS areas and the ZLS perimeter."""
    cat = open_catalogue(writable_catalogue)
    x, y = NEW["lon"], NEW["lat"]
    zis = gpd.GeoDataFrame({"zis_id": ["Z9"], "name": ["Test ZIS"], "phase": ["candidate"]},
                           geometry=[box(x - 0.001, y - 0.001, x + 0.001, y + 0.001)], crs=4326)
    perimeter = gpd.GeoDataFrame({"name": ["port"]}, geometry=[Point(x, y).buffer(0.001)], crs=4326)
    cat.replace_layers({"zis_areas": zis, "zls_perimeter": perimeter}, actor="t", reason="zis and perimeter")
    inside, outside = cat.write_sites([NEW, VIADANA], actor="t")
    rec_in, rec_out = cat.site(inside, role="staff"), cat.site(outside, role="staff")
    assert (rec_in["zis_id"], rec_in["in_zls"]) == ("Z9", True)
    # Viadana is a ZLS municipality, but a perimeter, once imported, decides.
    assert (rec_out["zis_id"], rec_out["in_zls"]) == (None, False)


def test_only_a_reference_layer_without_sites_recomputes_the_sites(writable_catalogue):
    cat = open_catalogue(writable_catalogue)
    sites = cat.sites(statuses=None).set_index("site_id")
    sid = sites.index[sites["in_zls"].astype(bool)][0]
    n = len(cat.history(sid))
    ref = cat.metadata()["reference_version"]
    # Sites given with the reference layer are taken as they are: not recomputed.
    cat.replace_layers({"zls_municipalities": cat.layer("zls_municipalities").iloc[:0], "sites": cat.layer("sites")})
    assert cat.metadata()["reference_version"] != ref
    assert cat.site(sid, role="staff")["in_zls"] is True and len(cat.history(sid)) == n
    # Nor does a layer that is not a reference layer recompute them.
    cat.replace_layers({"sources": cat.sources()})
    assert cat.site(sid, role="staff")["in_zls"] is True and len(cat.history(sid)) == n


def test_the_default_reason_names_every_changed_layer(writable_catalogue):
    cat = open_catalogue(writable_catalogue)
    sites = cat.sites(statuses=None).set_index("site_id")
    sid = sites.index[sites["in_zls"].astype(bool)][0]
    cat.replace_layers({"zls_municipalities": cat.layer("zls_municipalities").iloc[:0]}, delete=["infrastructure"])
    after = cat.sites(statuses=None).set_index("site_id")  # recomputed against the municipalities too
    assert after["municipality_name"].equals(sites["municipality_name"]) and after["province"].equals(sites["province"])
    assert after["municipality_name"].notna().all()
    h = cat.history(sid)
    assert set(h.loc[h["field"] == "in_zls", "reason"]) == {"layers changed: infrastructure, zls_municipalities"}


def test_set_meta_writes_the_values_and_every_commit_a_new_revision(writable_catalogue):
    cat = open_catalogue(writable_catalogue)
    with cat.unit_of_work() as uow:
        uow.set_meta({"demo": "false", "note": 5})
    meta = cat.metadata()
    assert (meta["demo"], meta["note"]) == ("false", "5")
    revisions = [cat.revision()]
    for _ in range(2):
        with cat.unit_of_work():
            pass
        revisions.append(cat.revision())
    assert len(set(revisions)) == 3 and all(re.match(r"[0-9a-f]{8,}-", r) for r in revisions)


def test_history_with_exactly_one_change(writable_catalogue):
    cat = open_catalogue(writable_catalogue)
    (sid,) = cat.write_sites([NEW], actor="t")
    with cat.unit_of_work() as uow:
        uow.delete("site_changes", {"site_id": [sid]})
    assert len(cat.history(sid)) == 0
    cat.update_site(sid, {"power_kw": 5.0}, actor="staff:a", reason="one")
    h = cat.history(sid)
    assert h[["field", "old", "new", "actor", "reason"]].values.tolist() == [["power_kw", None, "5", "staff:a", "one"]]


def test_changes_of_one_action_keep_their_order_when_the_clock_stands_still(writable_catalogue, monkeypatch):
    """Change ids sort by time, then by position in the action: a clock too coarse to move between two
    changes still lists them in the order they were made."""
    import time

    from geo.catalogue.frames import SITE_COLUMNS

    cat = open_catalogue(writable_catalogue)
    stopped = time.time_ns()
    monkeypatch.setattr(time, "time_ns", lambda: stopped)
    (sid,) = cat.write_sites([{**NEW, "power_kw": 10.0, "covered_area_m2": 500.0, "title_en": "Test"}], actor="t")
    fields = cat.history(sid)["field"].tolist()
    assert len(fields) > 8 and fields == [c for c in SITE_COLUMNS if c in fields]


def test_the_outline_change_logs_the_old_outline(writable_catalogue):
    cat = open_catalogue(writable_catalogue)
    first, second = box(10.02, 45.13, 10.03, 45.14), box(10.02, 45.13, 10.025, 45.135)
    (sid,) = cat.write_sites([{**NEW, "outline": first}], actor="t")
    cat.update_site(sid, {"outline": second}, actor="t")
    h = cat.history(sid)
    old, new = h.loc[h["field"] == "outline", ["old", "new"]].values.tolist()[-1]
    assert shapely.from_wkt(old).equals(first) and shapely.from_wkt(new).equals(second)


def test_coordinates_from_an_outline_keep_a_given_provenance(writable_catalogue):
    cat = open_catalogue(writable_catalogue)
    ol = box(10.02, 45.13, 10.03, 45.14)
    (sid,) = cat.write_sites([{"title_it": "x", "outline": ol, "lat__prov": "estimated", "lon__prov": "verified"}],
                             actor="t")
    rec = cat.site(sid, role="staff")
    assert ol.contains(Point(rec["lon"], rec["lat"]))
    assert (rec["lat__prov"], rec["lon__prov"]) == ("estimated", "verified")


def test_records_skip_an_invisible_listing_before_a_visible_one(writable_catalogue):
    cat = open_catalogue(writable_catalogue)
    hidden, shown = cat.write_sites([{**NEW, "status": "draft"}, {**NEW, "status": "published"}], actor="t")
    got = cat.records([hidden, shown])
    assert got[0] is None and got[1]["site_id"] == shown
    assert [r["site_id"] for r in cat.records([hidden, shown], role="staff")] == [hidden, shown]


def test_the_region_layer_bounds_the_places(writable_catalogue, built_catalogue, tmp_path):
    """places() reads the region outline when the catalogue has one, the municipalities' union otherwise."""
    import shutil

    cat = open_catalogue(writable_catalogue)
    mun = cat.layer("municipalities").set_index("istat")
    here = mun.loc["019036"].geometry.representative_point()   # Cremona
    there = mun.loc["020066"].geometry.representative_point()  # Viadana
    region = cat.layer("region")
    small = gpd.GeoDataFrame(region.drop(columns="geometry"), geometry=[here.buffer(0.01)], crs=4326)
    assert cat.places().in_lombardy(there.x, there.y)  # the reference layers are read (and cached) first
    n_changes = len(cat.layer("site_changes"))
    cat.replace_layers({"region": small})  # a new region outline alone is seen at once
    places = cat.places()
    assert places.in_lombardy(here.x, here.y) and not places.in_lombardy(there.x, there.y)
    assert len(cat.layer("site_changes")) == n_changes  # and no site is recomputed for it
    other = tmp_path / "no_region.gpkg"
    shutil.copy2(built_catalogue, other)
    cat = open_catalogue(other)
    cat.replace_layers({"region": region.iloc[:0]})
    places = cat.places()
    assert places.in_lombardy(here.x, here.y) and places.in_lombardy(there.x, there.y)
    assert not places.in_lombardy(9.0, 40.0)


def test_a_catalogue_over_a_database_object(writable_catalogue):
    from geo.catalogue.stores import connect

    db = connect(str(writable_catalogue))
    cat = Catalogue(db)
    assert cat.db is db and cat.url == cat.path == str(writable_catalogue)
    assert cat.site("DEMO-0001", role="staff")["site_id"] == "DEMO-0001"
    assert open_catalogue(writable_catalogue).path == str(writable_catalogue)


def test_schema_messages_word_for_word(writable_catalogue):
    from geo.catalogue.catalogue import SCHEMA_VERSION
    from geo.catalogue.stores import connect

    db = connect(str(writable_catalogue))
    tail = (f"expected {SCHEMA_VERSION!r}: upgrade it with 'geo catalogue upgrade' (data is kept) or rebuild it "
            "with 'geo build'.")
    with db.transaction() as tx:
        tx.replace("alembic_version", pd.DataFrame({"version_num": ["0000"]}))
    with pytest.raises(CatalogueError) as e:
        open_catalogue(writable_catalogue)
    assert e.value.message("en") == f"Catalogue {writable_catalogue} has schema '0000', {tail}"
    with db.transaction() as tx:  # an empty version table: the catalogue is at no known revision
        tx.delete("alembic_version")
    with pytest.raises(CatalogueError) as e:
        open_catalogue(writable_catalogue)
    assert e.value.message("en") == f"Catalogue {writable_catalogue} has schema None, {tail}"


def test_a_url_is_opened_as_a_url_and_shown_without_its_password(tmp_path, monkeypatch):
    """Nothing listens on port 1: the message names the URL, password hidden, even where a folder has the
    URL's name relative to the working directory."""
    from pathlib import Path

    url = "postgresql://geo:s3cret@127.0.0.1:1/cat"
    shown = "postgresql://geo:***@127.0.0.1:1/cat"
    assert _display(url) == shown
    monkeypatch.chdir(tmp_path)
    Path(url).mkdir(parents=True)
    assert Path(url).is_dir()
    with pytest.raises(CatalogueError) as e:
        open_catalogue(url)
    assert e.value.message("en") == f"Catalogue not found or not valid: {shown}. Build it with 'geo build'."


@pytest.mark.parametrize("layer", ["municipalities", "region"])
def test_the_layers_everything_stands_on_cannot_be_deleted(catalogue_target, layer):
    cat = open_catalogue(catalogue_target)
    before = (len(cat.layer(layer)), cat.places() is not None, cat.sites(statuses=None)["municipality_name"].tolist())
    with pytest.raises(UserError) as e:
        cat.replace_layers({}, delete=["zis_areas", layer])
    assert f"'{layer}' cannot be deleted" in e.value.message("en") and "non può essere eliminato" in \
        e.value.message("it")
    assert (len(cat.layer(layer)), cat.places() is not None,
            cat.sites(statuses=None)["municipality_name"].tolist()) == before
    assert len(cat.layer("zis_areas")) > 0  # the whole action was refused, not half of it


# ------------------------------------------------------------------ what the mutation run of issue 17 left untested
def _drive_of(rec: dict) -> dict:
    from geo.routing.drive import DRIVE_COLUMNS

    return {c: rec[c] for c in (*DRIVE_COLUMNS, *(f"{c}__prov" for c in DRIVE_COLUMNS))}


def _routing_figures(lonlat: list[tuple[float, float]], infrastructure: pd.DataFrame, graph) -> list[dict]:
    """The drive columns geo.routing gives for these positions, as a stored record holds them."""
    from geo.catalogue.frames import normalise_record
    from geo.routing.drive import drive_fields
    from geo.routing.lines import to_metric

    out = drive_fields(to_metric(lonlat), infrastructure, graph)
    return [_drive_of(normalise_record(row)) for row in out.astype(object).where(out.notna(), None).to_dict("records")]


def test_stored_drive_times_are_the_routings_on_the_default_graph_and_on_an_imported_network(writable_catalogue):
    """Written and recomputed listings carry geo.routing's own figures: on the default motorway graph, then on
    a road network imported as the two tables `geo import roads` writes (built here in code)."""
    from geo.routing.drive import graph_for, graph_from_tables, graph_tables
    from geo.routing.graph import from_lines
    from geo.routing.lines import to_metric
    from geo.routing.speeds import profile

    cat = open_catalogue(writable_catalogue)
    infra = cat.layer("infrastructure")
    far = {**NEW, "lat": 45.60, "lon": 9.60}  # near Bergamo, 60 km from the other
    a, b = cat.write_sites([NEW, far], actor="t")
    default = _routing_figures([(NEW["lon"], NEW["lat"]), (far["lon"], far["lat"])], infra, graph_for(None, None))
    assert [_drive_of(cat.site(s, role="staff")) for s in (a, b)] == default
    assert default[0]["drive_motorway_min"] > 0 and default[0]["drive_rail_station_to"]
    assert default[0]["drive_method"].startswith("estimated") and default[0]["drive_motorway_min__prov"] == "estimated"
    # A road network: from the first site 20 km east, then north; the second site lies far from it.
    x, y = to_metric([(NEW["lon"], NEW["lat"])])[0]
    net = from_lines([([(x, y), (x + 20_000, y)], "primary", None, 0),
                      ([(x + 20_000, y), (x + 20_000, y + 15_000)], "secondary", None, 0)], profile())
    nodes, edges = graph_tables(net)
    cat.replace_layers({"road_nodes": nodes, "road_edges": edges}, actor="t", reason="roads")  # recomputes a and b
    (c,) = cat.write_sites([NEW], actor="t")
    imported = _routing_figures([(NEW["lon"], NEW["lat"]), (far["lon"], far["lat"])], infra,
                                graph_from_tables(nodes, edges))
    assert [_drive_of(cat.site(s, role="staff")) for s in (a, b, c)] == [imported[0], imported[1], imported[0]]
    assert imported[0]["drive_method"].startswith("computed: imported road network")
    assert imported[0]["drive_motorway_min"] != default[0]["drive_motorway_min"]


def test_a_position_given_by_half_takes_the_outlines_point(writable_catalogue):
    """An owner's workbook may give one coordinate and an outline: the listing is placed at the outline's
    point (both coordinates, provenance computed); without an outline half a position is refused."""
    cat = open_catalogue(writable_catalogue)
    ol = box(10.02, 45.13, 10.03, 45.14)
    p = clean_outline(ol).representative_point()
    r = cat.revision()
    with pytest.raises(UserError):
        with cat.unit_of_work(actor="owner:1", reason="submission") as uow:
            uow.write_sites([{"title_it": "Mezzo", "lat": 45.9}])
    assert cat.revision() == r
    with cat.unit_of_work(actor="owner:1", reason="submission") as uow:
        ids = uow.write_sites([{"title_it": "Solo lat", "lat": 45.9, "outline": ol},
                               {"title_it": "Solo lon", "lon": 9.1, "outline": ol}])
    for sid in ids:
        rec = cat.site(sid, role="staff")
        assert (rec["lon"], rec["lat"]) == pytest.approx((p.x, p.y))
        assert (rec["lon__prov"], rec["lat__prov"]) == ("computed", "computed")


def test_the_reference_names_its_version_and_missing_layers_read_empty(writable_catalogue):
    """cat.reference() carries the catalogue's reference_version (the key of the owner page's checked
    uploads); Reference.from_layers makes a missing or column-less layer an empty one prepare accepts."""
    from geo.catalogue import Reference, prepare

    cat = open_catalogue(writable_catalogue)
    ref = cat.reference()
    assert ref.version and ref.version == cat.metadata()["reference_version"]
    assert len(ref.municipalities) > 0 and len(ref.infrastructure) > 0
    cat.replace_layers({"zls_municipalities": cat.layer("zls_municipalities").iloc[:0]}, actor="t")
    assert cat.reference().version == cat.metadata()["reference_version"] != ref.version
    assert Reference.from_layers({}, version="v1").version == "v1"
    bare = Reference.from_layers({"zis_areas": pd.DataFrame(), "road_nodes": None})
    assert bare.version == ""
    for name in REFERENCE_LAYERS:
        layer = getattr(bare, name)
        assert isinstance(layer, gpd.GeoDataFrame) and len(layer) == 0 and layer.crs == "EPSG:4326"
    (rec,) = prepare([NEW], bare)
    assert (rec["lat"], rec["lon"], rec["municipality_istat"]) == (NEW["lat"], NEW["lon"], "019036")
    assert rec["municipality_name"] is None and rec["dist_motorway_junction_km"] is None
    assert rec["drive_motorway_min"] is None and rec["zis_id"] is None


def test_a_recomputation_stores_and_logs_the_provenance_of_the_recomputed_fields(writable_catalogue):
    """Without a ZIS layer 'not in a ZIS' is unknown (provenance None); with one it is computed: the
    recomputation writes the __prov columns and logs their change like any field."""
    cat = open_catalogue(writable_catalogue)
    zis = cat.layer("zis_areas")
    assert len(zis) > 0
    sites = cat.sites(statuses=None).set_index("site_id")
    outside = sites.index[sites["zis_id"].isna()][0]
    assert sites.loc[outside, "zis_id__prov"] == "computed"
    cat.replace_layers({"zis_areas": zis.iloc[:0]}, actor="t", reason="ZIS withdrawn")
    rec = cat.site(outside, role="staff")
    assert (rec["zis_id"], rec["zis_id__prov"]) == (None, None)
    h = cat.history(outside)
    assert h.loc[h["field"] == "zis_id__prov", ["old", "new", "reason"]].values.tolist() == [
        ["computed", None, "ZIS withdrawn"]]
    assert "zis_id" not in set(h["field"])  # the value itself did not change
    cat.replace_layers({"zis_areas": zis}, actor="t", reason="ZIS back")
    assert cat.site(outside, role="staff")["zis_id__prov"] == "computed"
    h = cat.history(outside)
    assert h.loc[h["field"] == "zis_id__prov", "new"].tolist() == [None, "computed"]
