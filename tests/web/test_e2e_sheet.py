"""The site sheet in a real Chromium, as an investor meets it: a search box first, a town typed, the sheet
opened with its location map drawn (an image the browser decoded, not only its legend) and the enquiry
form in view."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.web.browser import CHROMIUM, open_tab
from tests.web.test_e2e_map import settled

pytestmark = [pytest.mark.browser]
if not Path(CHROMIUM).exists():
    pytestmark.append(pytest.mark.skip(reason="Debian chromium not installed (make test installs it)"))


@pytest.mark.parametrize("lang, find, placeholder, ask", [
    ("it", "Cerca un sito", "Digitare un titolo", "Chiedi informazioni su questo sito"),
    ("en", "Find a site", "Type a title", "Ask about this site")])
def test_type_a_town_open_the_sheet_and_see_its_map(browser, server, lang, find, placeholder, ask):
    ctx, page, errors, _ = open_tab(browser)
    try:
        page.goto(f"{server}/sheet?lang={lang}", wait_until="domcontentloaded")
        box = page.get_by_label(find)
        box.wait_for(timeout=60000)
        assert placeholder in (box.get_attribute("placeholder") or "")
        assert page.locator("img.geo-location").count() == 0  # nothing opened before a choice
        box.fill("gaggiano")
        box.press("Enter")
        pick = page.get_by_role("button", name="DEMO-0003", exact=False).first
        pick.wait_for(timeout=60000)
        pick.click()
        page.wait_for_url("**site=DEMO-0003**", timeout=60000)
        settled(page)
        img = page.locator("img.geo-location").first
        img.wait_for(timeout=60000)
        size = img.evaluate("i => [i.complete, i.naturalWidth, i.getBoundingClientRect().width]")
        assert size[0] and size[1] > 0 and size[2] > 100, size  # decoded and drawn, not a broken image
        assert page.get_by_text(ask, exact=True).is_visible()  # the enquiry form, not a closed expander
        assert page.get_by_role("button", name="Invia" if lang == "it" else "Send").is_visible()
        assert not [e for e in errors if "TypeError" in e or "ReferenceError" in e], errors
    finally:
        ctx.close()
