"""The owner's follow-up page: the owner's language, human statuses, the latest version chosen,
a confirmation before withdrawing, the private link at the top. Runs the real page under AppTest
on a real catalogue, with submissions made by the real checker and submission code."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from geo.catalogue import open_catalogue
from geo.listing.check import check_workbook
from geo.listing.submission import mark_verified, publish, replace_submission, send_back, submit
from tests.conftest import sha256
from tests.listing.conftest import SITE, fill
from tests.web.shown import shown

APP = str(Path(__file__).resolve().parents[2] / "app.py")
# Three different sites in Cremona (different places and areas: not the same site offered twice).
FIRST = SITE
SECOND = {**SITE, "title_it": "Capannone Via Seconda", "title_en": "Shed on Via Seconda", "lat": "45,1400", "lon": "10,0300", "land_area_m2": "14.000",
          "covered_area_m2": "5.000"}
THIRD = {**SITE, "title_it": "Area Via Terza", "title_en": "", "lat": "45,1250", "lon": "10,0100",
         "land_area_m2": "40.000", "covered_area_m2": "2.000"}  # no English title


@pytest.fixture()
def owner_catalogue(built_catalogue, tmp_path, monkeypatch):
    path = tmp_path / "c.gpkg"
    shutil.copy2(built_catalogue, path)
    monkeypatch.setenv("GEO_CATALOGUE", str(path))
    monkeypatch.setenv("GEO_AUTH_MODE", "local")
    monkeypatch.setenv("GEO_LOCAL_ROLE", "owner")

    def check(name, site):
        res = check_workbook(fill(tmp_path / name, sites=[site]), open_catalogue(path).places())
        assert res.ok, res.report("en")
        return res

    v1 = submit(open_catalogue(path), check("v1.xlsx", FIRST))
    v2 = replace_submission(open_catalogue(path), v1.token, v1.submission_id,
                            check("v2.xlsx", {**FIRST, "power_kw": 2500}))
    pub = submit(open_catalogue(path), check("p.xlsx", SECOND), token=v1.token)
    back = submit(open_catalogue(path), check("b.xlsx", THIRD), token=v1.token)
    publish(open_catalogue(path), "staff", pub.site_ids[0], actor="staff:anna")
    send_back(open_catalogue(path), "staff", back.site_ids[0], "Manca la planimetria", actor="staff:anna")
    return path, v1, v2, pub, back


def test_a_listing_with_verified_fields_is_in_review(owner_catalogue):
    path, v1, v2, pub, back = owner_catalogue
    mark_verified(open_catalogue(path), "staff", v2.site_ids[0], ["land_area_m2", "power_kw"], actor="staff:anna")
    table = owner_page(v1.token, "it").dataframe[-1].value
    status = dict(zip(zip(table["Versione"], table["Codice scheda"]), table["Stato"]))
    assert status[("v2", v2.site_ids[0])] == "In esame dallo staff (2 campi verificati)"
    assert status[("v1", v1.site_ids[0])] == "Sostituita dalla versione 2"


def owner_page(token: str, lang: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["lang"] = lang
    at.query_params["token"] = token
    at.switch_page("geo/web/pages/owner.py")
    at.run()
    assert not at.exception, at.exception
    return at


def test_follow_up_speaks_the_owners_language_with_human_statuses(owner_catalogue):
    path, v1, v2, pub, back = owner_catalogue
    at = owner_page(v1.token, "it")
    table = at.dataframe[-1].value
    assert list(table.columns) == ["Scheda", "Versione", "Stato", "Inviata il (ora italiana)", "Codice scheda"]
    status = dict(zip(zip(table["Versione"], table["Codice scheda"]), table["Stato"]))
    assert status[("v1", v1.site_ids[0])] == "Sostituita dalla versione 2"
    assert status[("v2", v2.site_ids[0])] == "Inviata: in attesa di esame"
    assert status[("v1", pub.site_ids[0])] == "Pubblicata: visibile agli investitori"
    assert status[("v1", back.site_ids[0])] == "Rimandata dallo staff: Manca la planimetria"
    # One history per listing: its versions together, the newest first.
    assert table["Codice scheda"].tolist().count(v1.site_ids[0]) == 2
    codes, shown_versions = table["Codice scheda"].tolist(), table["Versione"].tolist()
    at_rows = [i for i, c in enumerate(codes) if c == v1.site_ids[0]]
    assert at_rows[1] == at_rows[0] + 1 and [shown_versions[i] for i in at_rows] == ["v2", "v1"]
    text = table.to_string()
    for raw in ("submission_id", "None", "submitted", "T1", "Z"):  # no codes, no ISO timestamps
        assert raw not in text, raw
    # The latest version is the one chosen to act on; replaced versions cannot be chosen at all.
    # The latest submission first (the listing sent back last), then the others; replaced versions cannot be
    # chosen at all, and each choice names the listing's title and version.
    pick = at.selectbox(key="owner_sub")
    assert pick.value == back.submission_id
    assert v1.submission_id not in pick.options
    assert "'Ex fornace di Cremona' v2 — inviata il" in " ".join(pick.options)
    # The private link, at the top, with the page's language.
    (code,) = at.code
    assert f"?token={v1.token}&lang=it" in code.value

    en = owner_page(v1.token, "en")
    shown = set(en.dataframe[-1].value["Status"])
    assert {"Superseded by version 2", "Submitted: waiting for review", "Published: visible to investors",
            "Sent back by staff: Manca la planimetria"} <= shown
    # A title the owner wrote only in Italian is shown, and says so, instead of passing for English.
    titles = dict(zip(en.dataframe[-1].value["Listing code"], en.dataframe[-1].value["Listing"]))
    assert titles[back.site_ids[0]] == "Area Via Terza (Italian only)"
    assert titles[pub.site_ids[0]] == "Shed on Via Seconda"
    assert dict(zip(table["Codice scheda"], table["Scheda"]))[back.site_ids[0]] == "Area Via Terza"


def test_withdraw_asks_for_confirmation_first(owner_catalogue):
    path, v1, v2, pub, back = owner_catalogue
    before = sha256(path)
    at = owner_page(v1.token, "en")
    at.selectbox(key="owner_sub").set_value(v2.submission_id).run()
    assert shown(at.button(key="owner_withdraw").label) == "Withdraw 'Former kiln in Cremona' v2…"
    at.button(key="owner_withdraw").click().run()
    assert not at.exception
    asked = "Withdraw 'Former kiln in Cremona' v2?"
    assert any(asked in shown(w.value) for w in at.warning)
    assert sha256(path) == before  # nothing withdrawn by the first click
    at.button(key="owner_withdraw_cancel").click().run()
    assert not any(asked in shown(w.value) for w in at.warning) and sha256(path) == before
    at.button(key="owner_withdraw").click().run()
    assert shown(at.button(key="owner_withdraw_confirm").label) == "Yes, withdraw 'Former kiln in Cremona' v2"
    at.button(key="owner_withdraw_confirm").click().run()
    assert not at.exception
    assert [shown(m.value) for m in at.success] == ["'Former kiln in Cremona' v2 withdrawn."]
    assert open_catalogue(path).sites(statuses=["withdrawn"])["site_id"].tolist() == v2.site_ids
    table = at.dataframe[-1].value
    assert "Withdrawn" in set(table["Status"])
    assert at.selectbox(key="owner_sub").value != v2.submission_id  # a withdrawn version is no longer offered


def test_a_due_listing_is_reconfirmed_in_one_click(owner_catalogue):
    path, v1, v2, pub, back = owner_catalogue
    sid = pub.site_ids[0]
    at = owner_page(v1.token, "en")
    assert not any(b.key == f"reconfirm_{sid}" for b in at.button)  # just published: not due
    cat = open_catalogue(path)
    with cat.unit_of_work(actor="test", reason="seven months pass") as uow:
        uow.update_site(sid, {"confirmed_at": "2025-01-10T09:00:00Z"})
    at = owner_page(v1.token, "en")
    # The owner's title in the page's language, the date as the locale writes it.
    assert any("'Shed on Via Seconda' was last confirmed on 10 Jan 2025" in w.value for w in at.warning)
    at.button(key=f"reconfirm_{sid}").click().run()
    assert not at.exception
    assert [shown(m.value) for m in at.success] == [f"Availability of {sid} confirmed."]
    assert open_catalogue(path).site(sid, role="staff")["confirmed_at"] > "2025-01-10"
    assert not any(b.key == f"reconfirm_{sid}" for b in at.button)
