"""Staff publishing a listing its owner replaced after the page was drawn: refused with a message, not applied."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from geo.catalogue import open_catalogue
from geo.listing.check import check_workbook
from geo.listing.submission import replace_submission, submit
from tests.listing.conftest import SITE, fill

APP = str(Path(__file__).resolve().parents[2] / "app.py")


def test_publish_of_a_version_the_owner_replaced_meanwhile_is_refused(catalogue_target, tmp_path, monkeypatch):
    monkeypatch.setenv("GEO_CATALOGUE", catalogue_target)
    monkeypatch.setenv("GEO_AUTH_MODE", "local")
    monkeypatch.setenv("GEO_LOCAL_ROLE", "staff")
    cat = open_catalogue(catalogue_target)
    r = submit(cat, check_workbook(fill(tmp_path / "a.xlsx", sites=[SITE]), cat.places(), "en"))
    sid = r.site_ids[0]
    at = AppTest.from_file(APP, default_timeout=90)
    at.query_params["lang"] = "en"
    at.query_params["site"] = sid
    at.switch_page("geo/web/pages/staff.py")
    at.run()
    assert not at.exception
    # The owner replaces the listing while staff look at version 1 ...
    v2 = {**SITE, "power_kw": 2500}
    replace_submission(cat, r.token, r.submission_id, check_workbook(fill(tmp_path / "b.xlsx", sites=[v2]),
                                                                     cat.places(), "en"))
    # ... and staff click Publish on what they saw.
    next(b for b in at.button if b.key == f"pub_{sid}").click().run()
    assert not at.exception
    errors = " ".join(e.value for e in at.error)
    assert "changed meanwhile" in errors and "reload" in errors
    rec = open_catalogue(catalogue_target).site(sid, role="staff")
    assert rec["status"] == "submitted" and rec["power_kw"] == 2500  # nothing published that staff did not see
    # After reloading, staff see version 2 and can publish it.
    at.run()
    next(b for b in at.button if b.key == f"pub_{sid}").click().run()
    assert not at.error and open_catalogue(catalogue_target).site(sid, role="staff")["status"] == "published"
