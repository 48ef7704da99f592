"""What owners and staff are told about a listing (geo.listing.status): pure functions, no page."""

from __future__ import annotations

import pandas as pd

from geo.listing import submission
from geo.listing.status import (listing_title, open_versions, owner_status, superseded_by, verifiable_fields,
                                verified_count, versions)


def _view(rows):
    cols = ["submission_id", "version", "site_id", "title", "status", "submission_status", "submitted_at",
            "reason", "replaces"]
    return pd.DataFrame([{c: r.get(c) for c in cols} for r in rows], columns=cols)


V1 = {"submission_id": "SUB-1", "version": 1, "site_id": "LS-A", "status": "submitted",
      "submission_status": "replaced", "submitted_at": "2026-11-23T16:40:00+00:00"}
V2 = {"submission_id": "SUB-2", "version": 2, "site_id": "LS-A", "status": "submitted",
      "submission_status": "submitted", "submitted_at": "2026-11-24T09:00:00+00:00"}
V2B = {**V2, "site_id": "LS-B", "status": "withdrawn"}


def test_a_listing_is_superseded_by_the_next_version_holding_it():
    assert superseded_by(_view([V1, V2, V2B])) == {("SUB-1", "LS-A"): 2}
    assert superseded_by(_view([V2])) == {}


def test_owner_statuses_in_both_languages():
    sup = superseded_by(_view([V1, V2]))
    assert owner_status(V1, sup, "en") == "Superseded by version 2"
    assert owner_status(V1, sup, "it") == "Sostituita dalla versione 2"
    assert owner_status({**V1, "site_id": "LS-Z"}, sup, "en") == "Superseded"  # replaced, no later copy
    assert owner_status(V2, sup, "en") == "Submitted: waiting for review"
    assert owner_status(V2, sup, "en", verified=2) == "In review by staff (2 fields verified)"
    assert owner_status(V2, sup, "it", verified=1) == "In esame dallo staff (1 campo verificato)"
    assert owner_status({**V2, "status": "published"}, sup, "en") == "Published: visible to investors"
    assert owner_status({**V2, "status": "draft", "reason": "price missing"}, sup, "en") == \
        "Sent back by staff: price missing"
    assert owner_status({**V2, "status": "draft", "reason": float("nan")}, sup, "en") == "Sent back by staff"
    assert owner_status(V2B, sup, "it") == "Ritirata"
    assert owner_status({**V2, "status": "expired"}, sup, "en") == "Expired"


def test_open_versions_are_those_with_a_listing_left_to_act_on_latest_first():
    rows = [V1, V2, V2B]
    by = versions(rows, superseded_by(_view(rows)))
    assert by["SUB-1"].closed and not by["SUB-2"].closed and by["SUB-2"].listings == 2
    assert open_versions(by) == ["SUB-2"]
    withdrawn = [{**V2, "submission_status": "withdrawn"}, {**V2B, "submission_status": "withdrawn"}]
    assert open_versions(versions(withdrawn, {})) == []
    v3 = {**V2, "submission_id": "SUB-3", "version": 3, "site_id": "LS-C"}
    assert open_versions(versions([V2, v3], {})) == ["SUB-3", "SUB-2"]


def test_the_closed_statuses_have_one_definition():
    import geo.listing.status as status

    assert status.CLOSED is submission.CLOSED == ("replaced", "withdrawn")


def test_verified_fields_and_titles():
    rec = {"land_area_m2": 1.0, "land_area_m2__prov": "verified", "power_kw__prov": "declared",
           "title_it": "Ex fornace", "title_en": None, "price_eur": None}
    assert verified_count(rec) == 1 and verified_count(None) == 0
    keys = verifiable_fields(rec)
    assert "land_area_m2" in keys and "price_eur" not in keys and "title_it" in keys
    assert listing_title(rec, "it") == "Ex fornace"
    assert listing_title(rec, "en") == "Ex fornace (Italian only)"
    assert listing_title(None, "en", "LS-1") == "LS-1" and listing_title({}, "en", float("nan")) == ""
