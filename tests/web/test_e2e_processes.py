"""Several app processes on one PostGIS catalogue (a team behind a reverse proxy with sticky sessions): a change
committed while both are serving is seen by each on its visitor's next rerun, because every cache of an app process
is keyed by the catalogue's revision, read from the catalogue on every run (geo.web.loaders).

Two real ``streamlit run`` processes, Debian's Chromium, a throwaway PostgreSQL.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.web.browser import CHROMIUM, streamlit_server
from tests.web.test_e2e_browser import result_count

pytestmark = [pytest.mark.browser]
if not Path(CHROMIUM).exists():
    pytestmark.append(pytest.mark.skip(reason="Debian chromium not installed (make test installs it)"))


def rerun(page) -> None:
    """A rerun of the visitor's open session (not a new one): a widget that changes no filter is ticked."""
    page.get_by_text("Municipal boundaries").click()


def count_becomes(page, n: int, timeout_s: float = 60) -> int:
    for _ in range(int(timeout_s * 5)):
        got = result_count(page)
        if got == n:
            return got
        page.wait_for_timeout(200)
    return result_count(page)


@pytest.mark.parametrize("catalogue_target", ["postgis"], indirect=True)
def test_a_publication_is_seen_by_both_app_processes_on_their_next_rerun(browser, catalogue_target):
    from geo.catalogue import open_catalogue

    cat = open_catalogue(catalogue_target)
    sites = cat.sites(statuses=None)
    waiting = sites[sites["status"] != "published"]["site_id"].iloc[0]
    before = len(cat.sites())
    with streamlit_server(catalogue_target, role="public") as a, streamlit_server(catalogue_target, role="public") as b:
        pages = []
        for url in (a, b):
            page = browser.new_page()
            page.route(re.compile(r"https://.*"), lambda route: route.abort())
            page.goto(f"{url}/find?lang=en", wait_until="domcontentloaded")
            assert result_count(page) == before  # each process has read and cached the catalogue
            pages.append(page)
        cat.update_site(waiting, {"status": "published"}, actor="staff@test", reason="published meanwhile")
        for page in pages:
            rerun(page)
            assert count_becomes(page, before + 1) == before + 1
            page.close()
