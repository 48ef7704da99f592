"""Enquiries from investors and reconfirmation by owners, on both backends."""

from __future__ import annotations

import datetime as dt

import pytest

from geo.catalogue import open_catalogue
from geo.errors import UserError
from geo.listing.check import check_workbook
from geo.listing.enquiries import enquiries_for_staff, send_enquiry
from geo.listing.freshness import due_for_reconfirmation, is_due, reconfirm
from geo.listing.submission import AccessDenied, publish, submit
from tests.conftest import every_case_on_gpkg, revision
from tests.listing.conftest import SITE, fill

HOSTILE = "![p](http://evil.example/p.png) [Log in](http://evil.example/login) <script>alert(1)</script>"


def test_an_enquiry_about_a_published_site_reaches_staff_only(catalogue_target):
    cat = open_catalogue(catalogue_target)
    sid = cat.sites()["site_id"].iloc[0]
    e = send_enquiry(cat, sid, "Li Wei", "li.wei@example.com", HOSTILE, consent=True)
    got = enquiries_for_staff(cat, "staff")
    assert got["enquiry_id"].tolist() == [e.enquiry_id] and got["message"].iloc[0] == HOSTILE  # stored as typed
    assert got["title"].iloc[0] == cat.site(sid)["title_it"]
    with pytest.raises(UserError, match="Access denied"):
        enquiries_for_staff(cat, "public")


BAD_ENQUIRIES = [
    ({"consent": False}, "consent"), ({"email": "li.wei@exa\u200bmple.com"}, "e-mail"),
    ({"email": "not-an-email"}, "e-mail"), ({"message": " "}, "message"), ({"name": ""}, "name"),
    ({"message": "x" * 5000}, "at most 4,000")]
BAD_IDS = [f"bad{i}-{expect}" for i, (_bad, expect) in enumerate(BAD_ENQUIRIES)]


# Every one is refused by the form's check, before the transaction: on PostGIS the over-long message (the
# unreadable texts of test_enquiry_limits.py take the same path there too).
@pytest.mark.parametrize("bad, expect, catalogue_target",
                         every_case_on_gpkg(BAD_ENQUIRIES, BAD_IDS, {"bad5-at most 4,000"}),
                         indirect=["catalogue_target"])
def test_a_bad_enquiry_is_one_clear_message_and_stores_nothing(catalogue_target, bad, expect):
    cat = open_catalogue(catalogue_target)
    sid = cat.sites()["site_id"].iloc[0]
    before = revision(catalogue_target)
    args = {"name": "Li Wei", "email": "li.wei@example.com", "message": "Is the site still free?", "consent": True,
            **bad}
    with pytest.raises(UserError) as exc:
        send_enquiry(cat, sid, **args)
    assert expect in exc.value.message("en") and exc.value.message("it") != exc.value.message("en")
    assert revision(catalogue_target) == before


def test_no_enquiry_about_a_listing_that_is_not_public(catalogue_target):
    cat = open_catalogue(catalogue_target)
    hidden = cat.sites(statuses=["submitted"])["site_id"].iloc[0]
    with pytest.raises(UserError, match="not published"):
        send_enquiry(cat, hidden, "Li Wei", "li.wei@example.com", "Hello", consent=True)


def test_owner_reconfirms_a_due_listing_in_one_click(catalogue_target, tmp_path):
    cat = open_catalogue(catalogue_target)
    r = submit(cat, check_workbook(fill(tmp_path / "w.xlsx", sites=[SITE]), cat.places()))
    sid = r.site_ids[0]
    publish(cat, "staff", sid, actor="staff:anna")
    confirmed = cat.site(sid)["confirmed_at"]
    later = dt.date.fromisoformat(confirmed[:10]) + dt.timedelta(days=200)
    assert sid in set(due_for_reconfirmation(cat, "staff", months=6, today=later)["site_id"])
    assert sid not in set(due_for_reconfirmation(cat, "staff", months=12, today=later)["site_id"])
    with pytest.raises(AccessDenied):
        reconfirm(cat, "forged-token", sid)
    reconfirm(cat, r.token, sid)
    rec = cat.site(sid)
    assert rec["confirmed_at"] >= confirmed and not is_due(rec["confirmed_at"], 6)
    assert "reconfirmed by owner" in set(cat.history(sid)["reason"])
    with pytest.raises(AccessDenied):
        due_for_reconfirmation(cat, "public")


def test_search_keeps_only_listings_confirmed_recently(catalogue_target):
    from geo.search import SearchIndex, make_query, search

    cat = open_catalogue(catalogue_target)
    old, fresh = cat.sites()["site_id"].iloc[:2]
    cat.update_site(old, {"confirmed_at": "2024-01-15T10:00:00+00:00"}, actor="test")
    cat.update_site(fresh, {"confirmed_at": dt.datetime.now(dt.timezone.utc).isoformat()}, actor="test")
    idx = SearchIndex.from_sites(cat.sites(statuses=None))
    got = set(search(idx, make_query(confirmed_within_months=6)).sites["site_id"])
    assert fresh in got and old not in got
    assert old in set(search(idx, make_query()).sites["site_id"])
    with pytest.raises(UserError, match="negative"):
        make_query(confirmed_within_months=-1)
