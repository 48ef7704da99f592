"""An owner's title written as HTML and as Markdown stays text from the preview to the public pages.

One listing titled ``<img src=x onerror=alert(1)> ![p](http://evil.example/p.png) [Log in](...)`` (and a
description with ``<script>`` and a Markdown link) is previewed, submitted, published by staff and shown: on
the owner's preview and follow-up, the staff view, the sheet, the find page and the home page no element is
made from it (no ``<img src=x>``, no image or link to evil.example), no request leaves for it and no dialog
opens. Real server, real Chromium. (It was two tests, one per kind of markup, each with its own server and the
same upload, submit and publish: one flow now checks both on every page.)"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from geo.catalogue import open_catalogue
from tests.listing.conftest import SITE, fill
from tests.web.browser import CHROMIUM, app_idle, click_for_run, open_tab, owner_uploader, streamlit_server

pytestmark = [pytest.mark.browser]
if not Path(CHROMIUM).exists():
    pytestmark.append(pytest.mark.skip(reason="Debian chromium not installed (make test installs it)"))

XSS = "<img src=x onerror=alert(1)>"
MARKDOWN = "![p](http://evil.example/p.png) [Log in](http://evil.example/login)"
TITLE = f"{XSS} {MARKDOWN}"
DESCRIPTION = "<script>alert(2)</script> Vedi [qui](http://evil.example/x) **subito**"


#: Every frame until the app has been idle for 1 s (30 s at most): the top of the button labelled ``label``, in px.
BUTTON_TOPS = """async (label) => {
  const app = document.querySelector('[data-testid="stApp"]'), tops = [], end = performance.now() + 30000;
  let idleSince = null;
  while (performance.now() < end) {
    const b = [...document.querySelectorAll('button')].find(b => b.innerText.trim() === label);
    if (b) tops.push(Math.round(b.getBoundingClientRect().top));
    const idle = app.dataset.testScriptState === 'notRunning';
    idleSince = idle ? (idleSince ?? performance.now()) : null;
    if (idleSince !== null && performance.now() - idleSince > 1000 && tops.length) break;
    await new Promise(r => requestAnimationFrame(r));
  }
  return tops;
}"""


def assert_plain(page, requests: list[str]) -> None:
    """No element made from the owner's text, in the page or any frame, and no request for its URLs."""
    for frame in page.frames:
        try:
            found = frame.evaluate("""() => [
                document.querySelectorAll('img[src="x"]').length,
                document.querySelectorAll('img[src*="evil.example"]').length,
                document.querySelectorAll('a[href*="evil.example"]').length]""")
        except Exception as exc:  # a frame detached during the check
            if "detached" in str(exc):
                continue
            raise
        assert found == [0, 0, 0], f"owner text became an element in {frame.url} (img x, img, link): {found}"
    assert [r for r in requests if "evil.example" in r or r.endswith("/x")] == []


def test_owner_html_and_markdown_stay_text_from_preview_to_public_pages(browser, built_catalogue, tmp_path):
    cat_path = tmp_path / "c.gpkg"
    shutil.copy2(built_catalogue, cat_path)
    xlsx = fill(tmp_path / "hostile.xlsx", sites=[{**SITE, "title_it": TITLE, "title_en": TITLE,
                                                   "description_it": DESCRIPTION}])
    dialogs: list[str] = []
    with streamlit_server(cat_path, role="staff") as url:
        tab = open_tab(browser)
        page = tab.page
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        owner_uploader(page, url, "en").set_input_files(str(xlsx))
        page.get_by_text("Valid file").wait_for(timeout=60000)
        # The Submit button stands where it is drawn: the preview map's frame above it holds its height from the
        # start (it came in at height 0 and grew, moving the button ~270 px down and back while an owner clicks),
        # and so does the check's table of warnings (its placeholder was 40 px while the browser loaded the
        # table's code, the first time: the button then moved ~100-260 px down, once).
        tops = page.evaluate(BUTTON_TOPS, "Submit")
        assert tops and max(tops) - min(tops) <= 20, f"the Submit button moved: {sorted(set(tops))}"
        # The preview shows the title as typed: the expander label keeps the Markdown characters (URLs carry an
        # invisible word joiner, U+2060, that stops them from being linked) and the HTML as text.
        page.get_by_text(XSS).filter(visible=True).first.wait_for(timeout=30000)
        label = page.get_by_text("Row 5: <img").first.inner_text().replace("\u2060", "")
        assert label.startswith(f"Row 5: {TITLE} — completeness"), label
        app_idle(page)
        assert_plain(page, tab.requests)

        click_for_run(page, page.get_by_role("button", name="Submit"))
        page.get_by_text(re.compile(r"^Submitted: \d+ site")).wait_for(timeout=60000)  # the receipt, not the list's status cell
        # The private link is a full URL back to the owner page (the token is unguessable: 32 bytes); the follow-up
        # table has the title as a cell.
        link = page.locator("code", has_text="?token=").first.inner_text(timeout=30000)
        assert link.startswith(f"{url}/owner?token=") and link.endswith("&lang=en"), link
        page.get_by_text("Your submissions", exact=True).wait_for(timeout=30000)
        app_idle(page)
        assert_plain(page, tab.requests)

        sid = open_catalogue(cat_path).sites(statuses=["submitted"]).query("is_demo == False")["site_id"].iloc[0]
        page.goto(f"{url}/staff?lang=en&site={sid}", wait_until="domcontentloaded")
        page.get_by_text(XSS).filter(visible=True).first.wait_for(timeout=60000)  # the staff view of the sheet
        publish = page.get_by_role("button", name=re.compile(r"^Publish .*…$"))
        publish.wait_for(timeout=60000)
        app_idle(page)
        assert_plain(page, tab.requests)
        publish.click()  # two steps: ask, then confirm
        page.get_by_role("button", name=re.compile(r"^Yes, publish ")).click(timeout=60000)
        page.get_by_text(f"({sid}) published").wait_for(timeout=60000)
        assert open_catalogue(cat_path).site(sid, role="staff")["status"] == "published"

        for path, shown in ((f"/sheet?lang=en&site={sid}", XSS), ("/find?lang=en", "sites found"),
                            ("/?lang=en", "Published")):
            page.goto(f"{url}{path}", wait_until="domcontentloaded")
            page.get_by_text(shown).filter(visible=True).first.wait_for(timeout=60000)
            app_idle(page)
            assert_plain(page, tab.requests)
    assert dialogs == []
