"""Each page runs under AppTest on a real catalogue, with no exception and no traceback."""

from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest

from pathlib import Path
from tests.web.shown import shown

APP = str(Path(__file__).resolve().parents[2] / "app.py")


@pytest.fixture()
def app_env(monkeypatch, built_catalogue):
    monkeypatch.setenv("GEO_CATALOGUE", str(built_catalogue))
    monkeypatch.setenv("GEO_AUTH_MODE", "local")
    monkeypatch.setenv("GEO_LOCAL_ROLE", "staff")
    return built_catalogue


def run_page(page: str, lang: str = "en", **params) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["lang"] = lang
    for k, v in params.items():
        at.query_params[k] = v
    at.switch_page(f"geo/web/pages/{page}.py") if page != "home" else None
    at.run()
    assert not at.exception, at.exception
    return at


def test_home_shows_counts_and_demo_banner(app_env):
    at = run_page("home")
    assert any("DEMO DATA" in w.value for w in at.warning)
    labels = {m.label: m.value for m in at.metric}
    assert int(labels["Published"]) > 200 and labels["ZLS"] == "18"
    assert "Submitted" in labels  # staff see the size of the validation queue


def test_home_for_the_public_hides_internal_counts(monkeypatch, built_catalogue):
    monkeypatch.setenv("GEO_CATALOGUE", str(built_catalogue))
    monkeypatch.setenv("GEO_AUTH_MODE", "local")
    monkeypatch.setenv("GEO_LOCAL_ROLE", "public")
    at = run_page("home")
    labels = {m.label for m in at.metric}
    assert "Published" in labels and "Submitted" not in labels
    assert not at.dataframe[:-1]  # only the sources table, not the internal layer counts


def test_home_in_italian(app_env):
    at = run_page("home", lang="it")
    assert any("DATI DIMOSTRATIVI" in w.value for w in at.warning)
    assert "Pubblicate" in {m.label for m in at.metric}


def test_missing_catalogue_is_a_message_not_a_traceback(monkeypatch, tmp_path):
    monkeypatch.setenv("GEO_CATALOGUE", str(tmp_path / "none.gpkg"))
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert not at.exception
    assert any("geo build" in e.value for e in at.error)


def test_site_sheet_shows_fields_provenance_and_zone_notes(app_env, catalogue):
    sites = catalogue.sites()
    sid = sites.loc[sites["in_zls"] & sites["zls_aid_area"], "site_id"].iloc[0]
    at = run_page("sheet", lang="en", site=sid)
    html = " ".join(h.proto.body for h in at.get("html"))
    assert "ZLS tax credit on capital goods" in html
    assert "Land area" in html and "computed" in html and "declared" in html
    assert "DEMO" in html
    assert [b.label for b in at.get("download_button")][:2] == ["Download PDF (IT)", "Download HTML (IT)"]


def test_site_sheet_hides_contacts_from_public(monkeypatch, built_catalogue, catalogue):
    monkeypatch.setenv("GEO_CATALOGUE", str(built_catalogue))
    monkeypatch.setenv("GEO_AUTH_MODE", "local")
    monkeypatch.setenv("GEO_LOCAL_ROLE", "public")
    sid = catalogue.sites()["site_id"].iloc[0]
    at = run_page("sheet", lang="en", site=sid)
    html = " ".join(h.proto.body for h in at.get("html"))
    assert "@example.invalid" not in html and "Contact" not in html
    submitted = catalogue.sites(statuses=["submitted"])["site_id"].iloc[0]
    at = run_page("sheet", lang="en", site=submitted)
    assert any("not found" in w.value for w in at.warning)


def test_find_page_filters_and_brief_from_the_url(app_env, catalogue):
    import json

    at = run_page("find", lang="en")
    n_all = int(at.subheader[0].value.split()[0])
    assert n_all == len(catalogue.sites(statuses=None))  # staff see submitted listings too
    q = json.dumps({"near": "Cremona", "radius_km": 30, "zls": True})
    b = json.dumps({"criteria": [{"key": "power_min", "value": 5000, "hard": True, "weight": 1}]})
    at = run_page("find", lang="en", q=q, b=b)
    n = int(at.subheader[0].value.split()[0])
    assert 0 < n < n_all
    assert at.pills(key="w_zones").value == ["zls"]
    assert at.text_input(key="w_near").value == "Cremona"
    assert at.checkbox(key="b_on_power_min").value is True
    assert any(c.value == "Within 30 km of Cremona (CR)" for c in at.caption)
    legend = " ".join(h.proto.body for h in at.get("html"))
    assert "Pass" in legend and "Unknown" in legend and "ZLS in aid map" in legend  # colours of a brief
    # A misspelt place is resolved tolerantly, and the page says which municipality it chose.
    at = run_page("find", lang="it", q=json.dumps({"near": "cremna"}))
    assert any(c.value == "Entro 20 km da Cremona (CR)" for c in at.caption)


def test_find_page_draws_the_less_used_widgets_when_asked_and_hidden_values_still_apply(app_env):
    """A first visit draws little more than the map (a fresh visitor's browser pays for each widget); the less
    used filters, the brief's criteria and the results table open when asked for or when the link uses them."""
    def count(at) -> int:
        return int(at.subheader[0].value.split()[0])

    at = run_page("find", lang="en")
    keys = {w.key for w in at.get("checkbox") + at.get("multiselect") + at.get("number_input")}
    assert not {"w_prov", "w_maxprice", "w_siding", "b_on_power_min", "w_minha", "w_maxha", "w_status"} & keys
    assert not at.dataframe and not at.button  # nothing selected: no shortlist buttons, a caption says how
    assert any("Click a marker" in c.value for c in at.caption)
    n_all = count(at)
    at.toggle(key="w_table").set_value(True).run()
    assert len(at.dataframe[0].value) == n_all
    at.toggle(key="w_brief").set_value(True).run()
    at.checkbox(key="b_on_power_min").check().run()
    assert "Score" in at.dataframe[0].value.columns
    # A filter of the link opens its widget; hidden again, it still filters (and the page says so).
    at = run_page("find", lang="en", q=json.dumps({"provinces": ["CR"]}))
    assert at.multiselect(key="w_prov").value == ["CR"]
    n_cr = count(at)
    assert 0 < n_cr < n_all
    at.toggle(key="w_more").set_value(False).run()
    assert not at.exception and count(at) == n_cr
    assert any("hidden filters still apply" in c.value for c in at.sidebar.caption)
    at.toggle(key="w_more").set_value(True).run()
    assert at.multiselect(key="w_prov").value == ["CR"] and count(at) == n_cr
    # Staff's listing status and the area in a link open "More filters" too; hidden, they still filter.
    at = run_page("find", lang="en", q=json.dumps({"statuses": ["submitted"], "min_land_m2": 20000}))
    assert at.multiselect(key="w_status").value == ["submitted"] and at.number_input(key="w_minha").value == 2
    n_sub = count(at)
    assert 0 < n_sub < n_all
    at.toggle(key="w_more").set_value(False).run()
    assert not at.exception and count(at) == n_sub
    at.toggle(key="w_more").set_value(True).run()
    at.multiselect(key="w_status").set_value([]).run()  # every status again; the area still applies
    assert n_sub < count(at) < n_all and json.loads(at.query_params["q"]) == {"min_land_m2": 20000.0}


def test_find_page_bad_link_is_a_warning(app_env):
    at = run_page("find", lang="it", q="{broken")
    assert any("«q»" in w.value and "JSON" in w.value for w in at.warning)  # names the part of the link


def test_find_page_shows_only_published_to_the_public(monkeypatch, built_catalogue, catalogue):
    monkeypatch.setenv("GEO_CATALOGUE", str(built_catalogue))
    monkeypatch.setenv("GEO_AUTH_MODE", "local")
    monkeypatch.setenv("GEO_LOCAL_ROLE", "public")
    at = run_page("find", lang="en")
    assert int(at.subheader[0].value.split()[0]) == len(catalogue.sites())


def test_shortlist_compares_with_verdicts_and_exports(app_env, catalogue):
    import json

    ids = catalogue.sites()["site_id"].iloc[:3].tolist()
    b = json.dumps({"criteria": [{"key": "power_min", "value": 2000, "hard": True, "weight": 1},
                                 {"key": "fibre", "value": True, "hard": False, "weight": 1}]})
    at = run_page("shortlist", lang="en", sl=",".join(ids), b=b)
    df = at.dataframe[0].value
    assert list(df.columns)[:1][0].startswith(ids[0])
    assert "Available power" in df.index and "Verdict" in df.index
    labels = [d.label for d in at.get("download_button")]
    assert labels == ["Download dossier (PDF) IT", "Download dossier (PDF) EN", "Download CSV", "Download GeoJSON"]
    # Without a brief there is nothing to judge: no empty verdict rows, and the page says how to get them.
    at = run_page("shortlist", lang="en", sl=",".join(ids))
    assert "Verdict" not in at.dataframe[0].value.index and "Land area" in at.dataframe[0].value.index
    assert any("No investor brief" in c.value for c in at.caption)


def test_empty_shortlist_says_so(app_env):
    at = run_page("shortlist", lang="it")
    assert any("selezione è vuota" in i.value for i in at.info)


def test_owner_page_offers_both_templates(app_env):
    at = run_page("owner", lang="en")
    assert [b.label for b in at.get("download_button")][:2] == ["Excel (IT)", "Excel (EN)"]


def test_staff_page_lists_the_queue_for_staff(app_env, catalogue):
    at = run_page("staff", lang="en")
    n = len(catalogue.sites(statuses=["submitted"]))
    assert any(f"{n} listings waiting" in c.value for c in at.caption)
    queue_table = next(d.value for d in at.dataframe if "Fields changed" in d.value.columns)
    assert len(queue_table) == n  # the whole queue in one table


def test_staff_page_opens_the_linked_listing_and_publishes_it(monkeypatch, writable_catalogue):
    from geo.catalogue import open_catalogue

    monkeypatch.setenv("GEO_CATALOGUE", str(writable_catalogue))
    monkeypatch.setenv("GEO_AUTH_MODE", "local")
    monkeypatch.setenv("GEO_LOCAL_ROLE", "staff")
    queue = open_catalogue(writable_catalogue).sites(statuses=["submitted"])["site_id"].tolist()
    sid = queue[len(queue) // 2]
    at = run_page("staff", lang="en", site=sid)
    assert at.selectbox(key="staff_pick").value == sid
    at.button(key=f"pub_{sid}").click().run()  # step one: asks, publishes nothing
    assert not at.exception and any(f"({sid})? Investors will see it" in shown(w.value) for w in at.warning)
    assert open_catalogue(writable_catalogue).site(sid, role="staff")["status"] == "submitted"
    at.button(key=f"pub_yes_{sid}").click().run()
    assert not at.exception
    assert open_catalogue(writable_catalogue).site(sid, role="staff")["status"] == "published"
    (done,) = [shown(m.value) for m in at.success]
    assert done.endswith(f"({sid}) published: now visible in public search.")
    assert any(f"{len(queue) - 1} listings waiting" in c.value for c in at.caption)
    options = at.selectbox(key="staff_pick").options  # formatted labels, "ID · DEMO — title (vN)"
    assert len(options) == len(queue) - 1 and not any(o.startswith(sid + " ") for o in options)


@pytest.mark.parametrize("role", ["owner", "public", "analyst"])
def test_staff_page_is_refused_to_other_roles_whatever_the_url(monkeypatch, built_catalogue, role):
    monkeypatch.setenv("GEO_CATALOGUE", str(built_catalogue))
    monkeypatch.setenv("GEO_AUTH_MODE", "local")
    monkeypatch.setenv("GEO_LOCAL_ROLE", role)
    at = AppTest.from_file(APP, default_timeout=60)
    at.switch_page("geo/web/pages/staff.py")
    at.run()
    assert not at.exception
    # The page is not even registered for them: navigation falls back to the overview.
    assert not any("listings waiting" in c.value for c in at.caption)
    assert not at.get("expandable")
    assert at.title[0].value == "Opportunità insediative in Lombardia"  # default language: Italian


def test_staff_page_itself_refuses_non_staff(monkeypatch, built_catalogue):
    """Defence in depth: run the page file directly, as if navigation had let it through."""
    monkeypatch.setenv("GEO_CATALOGUE", str(built_catalogue))
    monkeypatch.setenv("GEO_AUTH_MODE", "local")
    monkeypatch.setenv("GEO_LOCAL_ROLE", "owner")
    page = str(Path(APP).parent / "geo" / "web" / "pages" / "staff.py")
    at = AppTest.from_file(page, default_timeout=60)
    at.run()
    assert any("not allowed" in e.value or "non consentito" in e.value for e in at.error)
    assert not at.get("expandable") and not at.caption


def test_owner_token_link_shows_only_own_submissions(app_env, tmp_path, monkeypatch):
    import shutil

    from geo.catalogue import open_catalogue
    from geo.listing.check import check_workbook
    from geo.listing.submission import submit
    from tests.listing.conftest import SITE, fill

    path = tmp_path / "c.gpkg"
    shutil.copy2(app_env, path)
    monkeypatch.setenv("GEO_CATALOGUE", str(path))
    cat = open_catalogue(path)
    a = submit(cat, check_workbook(fill(tmp_path / "a.xlsx"), cat.places()))
    b = submit(open_catalogue(path), check_workbook(fill(tmp_path / "b.xlsx", sites=[{**SITE, "title_it": "B", "land_area_m2": "30.000"}]),
                                                    cat.places()))
    at = run_page("owner", lang="en", token=a.token)
    shown = at.dataframe[-1].value
    assert set(shown["Listing code"]) == set(a.site_ids) and not set(b.site_ids) & set(shown["Listing code"])
    # The owner withdraws a submission through the link (after confirming) and is told so after the reload.
    at.button(key="owner_withdraw").click().run()
    at.button(key="owner_withdraw_confirm").click().run()
    assert not at.exception
    from tests.web.shown import shown as visible

    assert [visible(m.value) for m in at.success] == ["'Former kiln in Cremona' v1 withdrawn."]
    assert set(open_catalogue(path).sites(statuses=["withdrawn"])["site_id"]) == set(a.site_ids)
    assert open_catalogue(path).site(b.site_ids[0], role="staff")["status"] == "submitted"  # the other owner's is untouched
    at = run_page("owner", lang="en", token="forged")
    assert any("Invalid private link" in e.value for e in at.error)


def test_analyst_page_shows_published_candidates(monkeypatch, writable_catalogue, tmp_path):
    from geo.brownfield.run import detect, publish
    from geo.brownfield.sources import scene_from_path
    from tests.brownfield.synthetic import scene_arrays, write_stack

    s0 = scene_from_path(write_stack(tmp_path / "a.tif", scene_arrays(120, 0)), "2019-06-01", level="L2A")
    s1 = scene_from_path(write_stack(tmp_path / "b.tif", scene_arrays(120, 1)), "2021-06-01", level="L2A")
    publish(detect([s0, s1], budget=0.1), writable_catalogue)  # the 4 ha site + its 50 m halo: ~6% of the town
    monkeypatch.setenv("GEO_CATALOGUE", str(writable_catalogue))
    monkeypatch.setenv("GEO_AUTH_MODE", "local")
    monkeypatch.setenv("GEO_LOCAL_ROLE", "analyst")
    at = run_page("analyst", lang="en")
    assert any(s.value == "1 candidate" for s in at.subheader)
    assert at.selectbox(key="bf_pick").value.startswith("BF-")
    assert not at.warning  # a summer run on a small area: nothing to warn about
    assert at.dataframe[1].value["First seen"].tolist() == ["1 Jun 2021"]  # dates as the locale writes them
    at.checkbox(key="bf_recent").check().run()  # first run: everything is first seen in it
    assert any(s.value == "1 candidate" for s in at.subheader)
    at.checkbox(key="bf_recent").uncheck().run()
    # Review through the page: a rejection needs a reason; the decision is stored and said after the reload.
    cid = at.selectbox(key="bf_pick").value
    assert at.button(key="bf_reject").disabled
    at.text_input(key="bf_reason").input("active car park").run()
    at.button(key="bf_reject").click().run()
    assert not at.exception
    assert [shown(m.value) for m in at.success] == [f"{cid} rejected: active car park"]
    from geo.brownfield.review import reviews
    from geo.catalogue import open_catalogue

    rev = reviews(open_catalogue(writable_catalogue))
    assert rev[["candidate_id", "decision", "reason"]].values.tolist() == [[cid, "reject", "active car park"]]
    assert any(s.value == "0 candidates" for s in at.subheader)  # rejected ones are filtered out by default
    w0 = scene_from_path(write_stack(tmp_path / "w0.tif", scene_arrays(120, 0)), "2019-12-01", level="L2A")
    w1 = scene_from_path(write_stack(tmp_path / "w1.tif", scene_arrays(120, 1)), "2021-01-15", level="L2A")
    publish(detect([w0, w1], budget=0.1), writable_catalogue)
    at = run_page("analyst", lang="en")
    assert any("outside the growing season" in w.value for w in at.warning)
    # The same site seen again by a later run is not "first seen in the latest run".
    at.multiselect(key="bf_dec").select("reject").run()
    assert any(s.value == "1 candidate" for s in at.subheader)
    assert at.get("image") and not any("unavailable" in c.value for c in at.caption)
    at.checkbox(key="bf_recent").check().run()
    assert any(s.value == "0 candidates" for s in at.subheader)
    (tmp_path / "w0.tif").unlink()  # the scenes moved away: the page says so instead of failing
    at = run_page("analyst", lang="en")
    at.multiselect(key="bf_dec").select("reject").run()
    assert any("Before/after images unavailable" in c.value for c in at.caption) and not at.exception
    monkeypatch.setenv("GEO_LOCAL_ROLE", "owner")
    page = str(Path(APP).parent / "geo" / "web" / "pages" / "analyst.py")
    at = AppTest.from_file(page, default_timeout=60)
    at.run()
    assert any("not allowed" in e.value or "non consentito" in e.value for e in at.error)
