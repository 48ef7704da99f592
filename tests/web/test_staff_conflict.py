"""Staff publishing a listing its owner replaced after the page was drawn: refused with a message, not applied."""

from __future__ import annotations

from pathlib import Path

import pytest

from streamlit.testing.v1 import AppTest

from geo.catalogue import open_catalogue
from geo.listing.check import check_workbook
from geo.listing.submission import replace_submission, submit
from tests.listing.conftest import SITE, fill

APP = str(Path(__file__).resolve().parents[2] / "app.py")


def open_page(monkeypatch, target, role: str, page: str, **params) -> AppTest:
    """``page`` run under AppTest as ``role`` (local auth) on the catalogue ``target``, in English."""
    monkeypatch.setenv("GEO_CATALOGUE", str(target))
    monkeypatch.setenv("GEO_AUTH_MODE", "local")
    monkeypatch.setenv("GEO_LOCAL_ROLE", role)
    at = AppTest.from_file(APP, default_timeout=90)
    at.query_params["lang"] = "en"
    for k, v in params.items():
        at.query_params[k] = v
    at.switch_page(f"geo/web/pages/{page}.py")
    at.run()
    assert not at.exception
    return at


def test_publish_of_a_version_the_owner_replaced_meanwhile_is_refused(catalogue_target, tmp_path, monkeypatch):
    cat = open_catalogue(catalogue_target)
    r = submit(cat, check_workbook(fill(tmp_path / "a.xlsx", sites=[SITE]), cat.places()))
    sid = r.site_ids[0]
    at = open_page(monkeypatch, catalogue_target, "staff", "staff", site=sid)
    # The owner replaces the listing while staff look at version 1 ...
    v2 = {**SITE, "power_kw": 2500}
    replace_submission(cat, r.token, r.submission_id, check_workbook(fill(tmp_path / "b.xlsx", sites=[v2]),
                                                                     cat.places()))
    # ... and staff click Publish on what they saw, and confirm.
    next(b for b in at.button if b.key == f"pub_{sid}").click().run()
    next(b for b in at.button if b.key == f"pub_yes_{sid}").click().run()
    assert not at.exception
    errors = " ".join(e.value for e in at.error)
    assert "changed meanwhile" in errors and "reload" in errors
    rec = open_catalogue(catalogue_target).site(sid, role="staff")
    assert rec["status"] == "submitted" and rec["power_kw"] == 2500  # nothing published that staff did not see
    # After reloading, staff see version 2 and can publish it.
    at.run()
    next(b for b in at.button if b.key == f"pub_{sid}").click().run()
    next(b for b in at.button if b.key == f"pub_yes_{sid}").click().run()
    assert not at.error and open_catalogue(catalogue_target).site(sid, role="staff")["status"] == "published"


def test_staff_see_enquiries_as_text_and_listings_due(catalogue_target, monkeypatch):
    from geo.listing.enquiries import send_enquiry

    monkeypatch.setenv("GEO_RECONFIRM_MONTHS", "1")
    cat = open_catalogue(catalogue_target)
    sid = cat.sites()["site_id"].iloc[0]
    hostile = "![p](http://evil.example/p.png) [Log in](http://evil.example/login)"
    send_enquiry(cat, sid, "Li Wei", "li.wei@example.com", hostile, consent=True)
    at = open_page(monkeypatch, catalogue_target, "staff", "staff")
    at.radio(key="staff_section").set_value("enquiries").run()
    table = next(d.value for d in at.dataframe if "Message" in d.value.columns)
    assert table["Message"].tolist() == [hostile] and table["ID"].tolist() == [sid]
    markdown = " ".join(str(m.value) for m in [*at.markdown, *at.caption, *at.info, *at.warning])
    assert "evil.example" not in markdown
    assert any(c.value == "Investor enquiries: 1 new of 1" for c in at.caption)
    assert any(e.label.startswith("To be reconfirmed:") for e in at.expander)
    # The public cannot reach any of it.
    at = open_page(monkeypatch, catalogue_target, "public", "staff")
    assert not [d for d in at.dataframe if "Message" in d.value.columns or "E-mail" in d.value.columns]
    assert not [e for e in at.expander if "enquiries" in e.label or "reconfirmed" in e.label]
    assert not [c for c in at.caption if "enquiries" in c.value]
    assert not [r for r in at.radio if r.key == "staff_section"]


@pytest.mark.parametrize("role", ["staff", "public", "analyst", "owner"])
def test_a_submitted_listing_sheet_is_for_staff_only(built_catalogue, catalogue, monkeypatch, role):
    sub = catalogue.sites(statuses=["submitted"]).iloc[0]
    at = open_page(monkeypatch, built_catalogue, role, "sheet", site=sub["site_id"])
    shown = " ".join(str(getattr(e, "value", "")) for e in at.main) + " ".join(
        str(h.proto.body) for h in at.get("html"))
    if role == "staff":
        assert sub["title_it"] in shown or sub["title_en"] in shown
    else:
        assert sub["title_it"] not in shown and (sub["title_en"] or "~") not in shown
        assert at.warning  # "not found": the same answer as for a listing that does not exist


def test_an_investor_sends_an_enquiry_from_the_sheet(catalogue_target, monkeypatch):
    from geo.listing.enquiries import enquiries_for_staff

    sid = open_catalogue(catalogue_target).sites()["site_id"].iloc[0]
    at = open_page(monkeypatch, catalogue_target, "public", "sheet", site=sid)
    at.text_input(key="enq_name").input("Li Wei, Shenzhen Motors")
    at.text_input(key="enq_email").input("li.wei@example.com")
    at.text_area(key="enq_message").input("Is the site still available in 2027?")
    at.checkbox(key="enq_consent").check()
    next(b for b in at.button if b.label == "Send").click().run()
    assert not at.exception and not at.error
    assert any("Enquiry sent" in s.value for s in at.success)
    got = enquiries_for_staff(open_catalogue(catalogue_target), "staff")
    assert got["site_id"].tolist() == [sid] and got["name"].tolist() == ["Li Wei, Shenzhen Motors"]
    # Without consent: a message, nothing stored.
    at.text_input(key="enq_name").input("A")
    at.text_input(key="enq_email").input("a@example.com")
    at.text_area(key="enq_message").input("Hi")
    next(b for b in at.button if b.label == "Send").click().run()
    assert any("consent" in e.value for e in at.error)
    assert len(enquiries_for_staff(open_catalogue(catalogue_target), "staff")) == 1
