"""A title written as Markdown stays text on the owner's pages (preview, private link, follow-up)
and on the staff and home pages: no request leaves for the image, no link is made. Real server,
real Chromium."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from geo.catalogue import open_catalogue
from tests.listing.conftest import SITE, fill
from tests.web.browser import CHROMIUM, app_idle, owner_uploader, streamlit_server

pytestmark = [pytest.mark.browser]
if not Path(CHROMIUM).exists():
    pytestmark.append(pytest.mark.skip(reason="Debian chromium not installed (make test installs it)"))

TITLE = "![p](http://evil.example/p.png) [Log in](http://evil.example/login)"


def assert_inert(page, requests: list[str]) -> None:
    """No element or request made from the owner's Markdown, in the page or any frame."""
    for frame in page.frames:
        try:
            found = frame.evaluate("""() => [
                document.querySelectorAll('img[src*="evil.example"]').length,
                document.querySelectorAll('a[href*="evil.example"]').length]""")
        except Exception as exc:  # a frame detached during the check
            if "detached" in str(exc):
                continue
            raise
        assert found == [0, 0], f"owner Markdown became an image or a link in {frame.url}: {found}"
    assert requests == [], requests


def test_markdown_title_stays_text_on_owner_staff_and_home_pages(browser, built_catalogue, tmp_path):
    cat_path = tmp_path / "c.gpkg"
    shutil.copy2(built_catalogue, cat_path)
    xlsx = fill(tmp_path / "md.xlsx", sites=[{**SITE, "title_it": TITLE, "title_en": TITLE,
                                              "description_it": "Vedi [qui](http://evil.example/x) **subito**"}])
    requests: list[str] = []
    with streamlit_server(cat_path, role="staff") as url:
        page = browser.new_page()
        page.route("**/*", lambda route: (requests.append(route.request.url), route.abort())
                   if "evil.example" in route.request.url else route.continue_())
        owner_uploader(page, url, "en").set_input_files(str(xlsx))
        page.get_by_text("Valid file").wait_for(timeout=60000)
        # The preview's expander label shows the Markdown characters themselves (URLs carry an
        # invisible word joiner, U+2060, that stops them from being linked).
        page.get_by_text("Row 5: ![p](http:").first.wait_for(timeout=30000)
        label = page.get_by_text("Row 5: ![p](http:").first.inner_text().replace("\u2060", "")
        assert label.startswith(f"Row 5: {TITLE} — completeness"), label
        app_idle(page)
        assert_inert(page, requests)
        page.get_by_role("button", name="Submit").click()
        page.get_by_text(re.compile(r"^Submitted: \d+ site")).wait_for(timeout=60000)  # the receipt, not the list's status cell
        # Private link at the top, follow-up table with the title as a cell.
        link = page.locator("code", has_text="?token=").first.inner_text(timeout=30000)
        assert "?token=" in link and link.endswith("&lang=en")
        page.get_by_text("Your submissions", exact=True).wait_for(timeout=30000)
        app_idle(page)
        assert_inert(page, requests)

        sid = open_catalogue(cat_path).sites(statuses=["submitted"]).query("is_demo == False")["site_id"].iloc[0]
        page.goto(f"{url}/staff?lang=en&site={sid}", wait_until="domcontentloaded")
        publish = page.get_by_role("button", name=re.compile(r"^Publish "))
        publish.wait_for(timeout=60000)
        app_idle(page)
        assert_inert(page, requests)
        publish.click()
        page.get_by_role("button", name=re.compile(r"^Yes, publish ")).click()  # the confirmation
        page.get_by_text(f"({sid}) published").wait_for(timeout=60000)

        page.goto(f"{url}/?lang=en", wait_until="domcontentloaded")
        page.get_by_text("Published").first.wait_for(timeout=60000)
        app_idle(page)
        assert_inert(page, requests)
