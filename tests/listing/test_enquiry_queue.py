"""Enquiries as a queue (issue 18 item 6): status, assignee, reply, history, filters; on both backends.

Every refused action (wrong role, stale view, closed enquiry, unreadable text) leaves the catalogue unchanged:
asserted through its revision and row counts (tests.conftest.revision).
"""

from __future__ import annotations

import pytest

from geo.catalogue import ConflictError, open_catalogue
from geo.catalogue.access import AccessDenied
from geo.errors import UserError
from geo.listing.enquiries import (answer, assign, close, enquiry_history, enquiry_queue, event_words, reopen,
                                   send_enquiry)
from geo.i18n import translator
from tests.conftest import every_case_on_gpkg, revision

LONG = ("Is the site still free? " + "We need 20,000 m² of covered space for a logistics hub. " * 30).strip()


@pytest.fixture()
def queued(catalogue_target):
    cat = open_catalogue(catalogue_target)
    sid = cat.sites()["site_id"].iloc[0]
    e = send_enquiry(cat, sid, "Li Wei", "li.wei@example.com", LONG, consent=True)
    return cat, catalogue_target, e.enquiry_id, sid


def test_an_enquiry_is_assigned_answered_and_closed_with_its_history(queued):
    cat, _target, eid, sid = queued
    q = enquiry_queue(cat, "staff")
    row = q[q["enquiry_id"] == eid].iloc[0]
    assert row["status"] == "new" and row["seen"] == 1 and row["message"] == LONG  # the full message
    a = assign(cat, "staff", eid, "anna@region.it", "staff:marco", seen=1)
    assert (a.before["assigned_to"], a.after["assigned_to"], a.seen) == (None, "anna@region.it", 2)
    r = answer(cat, "staff", eid, "Yes: visits on Tuesdays.\nRegards", "staff:anna", seen=2)
    assert (r.before["status"], r.after["status"], r.reply, r.site_id) == ("new", "answered",
                                                                         "Yes: visits on Tuesdays.\nRegards", sid)
    assert r.enquirer == {"name": "Li Wei", "email": "li.wei@example.com"}  # whom the reply goes to (item 7)
    c = close(cat, "staff", eid, "staff:anna", seen=3)
    assert (c.before["status"], c.after["status"], c.after["reply"]) == ("answered", "closed", r.reply)
    h = enquiry_history(cat, "staff", eid)
    assert h["action"].tolist() == ["received", "assigned", "answered", "closed"]
    assert h["actor"].tolist() == ["public", "staff:marco", "staff:anna", "staff:anna"]
    assert h["text"].tolist()[1:] == [None, r.reply, None] and h["text"].iloc[0] == LONG
    assert all(h["at"].iloc[i] <= h["at"].iloc[i + 1] for i in range(len(h) - 1))
    assert event_words(h.iloc[1].to_dict(), translator("it")) == "assegnata a anna@region.it"
    row = enquiry_queue(cat, "staff", statuses=["closed"]).set_index("enquiry_id").loc[eid]
    assert (row["status"], row["assigned_to"], row["reply"], row["seen"]) == ("closed", "anna@region.it", r.reply, 4)


def test_the_queue_filters_by_status_and_assignee(queued):
    cat, _target, eid, sid = queued
    other = send_enquiry(cat, sid, "Ana Silva", "ana@example.pt", "Price?", consent=True).enquiry_id
    assign(cat, "staff", eid, "anna@region.it", "staff:anna")
    answer(cat, "staff", other, "Price on request.", "staff:marco")  # assigns the replier
    ids = lambda **kw: set(enquiry_queue(cat, "staff", **kw)["enquiry_id"])  # noqa: E731
    assert ids(statuses=["new"]) == {eid} and ids(statuses=["answered"]) == {other}
    assert ids(assignee="anna@region.it") == {eid} and ids(assignee="staff:marco") == {other}
    assert ids(statuses=["new", "answered"]) == {eid, other} and ids(statuses=["closed"]) == set()
    assert other not in ids(unassigned=True) and eid not in ids(unassigned=True)


def test_a_closed_enquiry_is_reopened_as_answered(queued):
    cat, _target, eid, _sid = queued
    answer(cat, "staff", eid, "Yes.", "staff:anna")
    close(cat, "staff", eid, "staff:anna")
    assert reopen(cat, "staff", eid, "staff:anna").after["status"] == "answered"


ACTIONS = ["assign", "answer", "close", "reopen", "unreadable", "empty", "stale", "closed", "public", "owner",
           "analyst", "absent"]
#: On PostGIS too: every refusal raised inside the unit of work (a stale view, a closed or absent enquiry, a
#: state that forbids the action: the rollback is the backend's), and one of each kind refused before it: a
#: reply text (too long; unreadable and empty take the same path) and a role (public; owner and analyst alike).
ACTIONS_ON_POSTGIS = {"assign", "close", "reopen", "stale", "closed", "absent", "answer", "public"}


@pytest.mark.parametrize("action, catalogue_target", every_case_on_gpkg([(a,) for a in ACTIONS], ACTIONS,
                                                                        ACTIONS_ON_POSTGIS),
                         indirect=["catalogue_target"])
def test_a_refused_queue_action_changes_nothing(queued, action):
    cat, target, eid, _sid = queued
    if action in ("closed", "reopen"):
        if action == "closed":
            close(cat, "staff", eid, "staff:anna")
    before = revision(target)
    calls = {
        "assign": lambda: close(cat, "staff", eid, "staff:anna", seen=1) and assign(
            cat, "staff", eid, "anna", "staff:anna", seen=1),
        "answer": lambda: answer(cat, "staff", eid, "x" * 9000, "staff:anna"),
        "close": lambda: close(cat, "staff", eid, "staff:anna", seen=5),
        "reopen": lambda: reopen(cat, "staff", eid, "staff:anna"),
        "unreadable": lambda: answer(cat, "staff", eid, "Yes\u200b.", "staff:anna"),
        "empty": lambda: answer(cat, "staff", eid, " \n ", "staff:anna"),
        "stale": lambda: answer(cat, "staff", eid, "Yes.", "staff:anna", seen=2),
        "closed": lambda: answer(cat, "staff", eid, "Yes.", "staff:anna"),
        "public": lambda: answer(cat, "public", eid, "Yes.", "public"),
        "owner": lambda: close(cat, "owner", eid, "owner"),
        "analyst": lambda: assign(cat, "analyst", eid, "me", "analyst"),
        "absent": lambda: answer(cat, "staff", "ENQ-nope", "Yes.", "staff:anna"),
    }
    if action == "assign":  # stale: another member closed it meanwhile (that one lands)
        close(cat, "staff", eid, "staff:marco", seen=1)
        before = revision(target)
        with pytest.raises(ConflictError) as exc:
            assign(cat, "staff", eid, "anna", "staff:anna", seen=1)
    else:
        with pytest.raises((UserError, AccessDenied)) as exc:
            calls[action]()
    assert exc.value.message("it") != exc.value.message("en")
    if action in ("public", "owner", "analyst"):
        assert isinstance(exc.value, AccessDenied)
    if action in ("stale", "close"):
        assert isinstance(exc.value, ConflictError) and "reload" in exc.value.message("en")
    assert revision(target) == before
