"""A listing titled <img src=x onerror=alert(1)> is previewed, submitted, published and shown: no script runs."""

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

XSS = "<img src=x onerror=alert(1)>"


def assert_not_injected(page) -> None:
    """No element made from the owner's text exists, in the page or any frame."""
    for frame in page.frames:
        try:
            imgs = frame.evaluate("document.querySelectorAll('img[src=\"x\"]').length")
        except Exception as exc:  # a frame detached during the check
            if "detached" in str(exc):
                continue
            raise
        assert imgs == 0, f"owner text became an <img> element in {frame.url}"


def test_owner_text_never_runs_as_script(browser, built_catalogue, tmp_path):
    cat_path = tmp_path / "c.gpkg"
    shutil.copy2(built_catalogue, cat_path)
    xlsx = fill(tmp_path / "xss.xlsx", sites=[{**SITE, "title_it": XSS, "title_en": XSS,
                                               "description_it": "<script>alert(2)</script>"}])
    dialogs: list[str] = []
    with streamlit_server(cat_path, role="staff") as url:
        page = browser.new_page()
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        owner_uploader(page, url, "en").set_input_files(str(xlsx))
        page.get_by_text("Valid file").wait_for(timeout=60000)
        # The preview shows the title as text, in both languages.
        page.get_by_text(XSS).filter(visible=True).first.wait_for(timeout=30000)
        app_idle(page)
        assert_not_injected(page)
        page.get_by_role("button", name="Submit").click()
        page.get_by_text(re.compile(r"^Submitted: \d+ site")).wait_for(timeout=60000)  # the receipt, not the list's status cell
        # The private link is a full URL back to the owner page (the token is unguessable: 32 bytes).
        link = page.locator("code", has_text="?token=").first.inner_text(timeout=30000)
        assert link.startswith(f"{url}/owner?token=") and link.endswith("&lang=en"), link

        sid = open_catalogue(cat_path).sites(statuses=["submitted"]).query("is_demo == False")["site_id"].iloc[0]
        page.goto(f"{url}/staff?lang=en&site={sid}", wait_until="domcontentloaded")
        page.get_by_text(XSS).filter(visible=True).first.wait_for(timeout=60000)  # the staff view of the sheet
        assert_not_injected(page)
        page.get_by_role("button", name=re.compile(r"^Publish .*…$")).click()  # two steps: ask, then confirm
        page.get_by_role("button", name=re.compile(r"^Yes, publish ")).click(timeout=60000)
        page.get_by_text(f"({sid}) published").wait_for(timeout=60000)
        assert open_catalogue(cat_path).site(sid, role="staff")["status"] == "published"

        page.goto(f"{url}/sheet?lang=en&site={sid}", wait_until="domcontentloaded")
        page.get_by_text(XSS).filter(visible=True).first.wait_for(timeout=60000)
        assert_not_injected(page)
        page.goto(f"{url}/find?lang=en", wait_until="domcontentloaded")
        page.get_by_text("sites found").first.wait_for(timeout=60000)
        app_idle(page)
        assert_not_injected(page)
    assert dialogs == []
