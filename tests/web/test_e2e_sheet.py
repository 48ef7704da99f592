"""The site sheet in a real Chromium, as an investor meets it: a search box first, a town typed, the sheet
opened with its location map drawn (an image the browser decoded, not only its legend) and the enquiry
form in view. Both languages in one visit: the search box read in Italian and, through the sidebar's language
control, in English; the sheet opened in English and switched back to Italian (the same page and app session:
the typed town and the chosen site are kept across each switch)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.web.browser import CHROMIUM, open_tab, switch_language
from tests.web.test_e2e_map import settled

pytestmark = [pytest.mark.browser]
if not Path(CHROMIUM).exists():
    pytestmark.append(pytest.mark.skip(reason="Debian chromium not installed (make test installs it)"))

#: Per language: the search box's label and the start of its placeholder; the enquiry form's title and button.
TEXTS = {"it": ("Cerca un sito", "Digitare un titolo", "Chiedi informazioni su questo sito", "Invia"),
         "en": ("Find a site", "Type a title", "Ask about this site", "Send")}


def search_box(page, lang: str):
    """The sheet's search box, found by its label in ``lang``, once it is there; its placeholder is in ``lang``."""
    find, placeholder, _ask, _send = TEXTS[lang]
    box = page.get_by_label(find)
    box.wait_for(timeout=60000)
    assert placeholder in (box.get_attribute("placeholder") or "")
    return box


def sheet_shown(page, lang: str) -> None:
    """The opened sheet: its location map decoded and drawn, the enquiry form in full view, both in ``lang``."""
    _find, _placeholder, ask, send = TEXTS[lang]
    img = page.locator("img.geo-location").first
    img.wait_for(timeout=60000)
    size = img.evaluate("i => [i.complete, i.naturalWidth, i.getBoundingClientRect().width]")
    assert size[0] and size[1] > 0 and size[2] > 100, size  # decoded and drawn, not a broken image
    assert page.get_by_text(ask, exact=True).is_visible()  # the enquiry form, not a closed expander
    assert page.get_by_role("button", name=send).is_visible()


def test_type_a_town_open_the_sheet_and_see_its_map_in_either_language(browser, server):
    ctx, page, errors, _ = open_tab(browser)
    try:
        page.goto(f"{server}/sheet?lang=it", wait_until="domcontentloaded")
        search_box(page, "it")
        assert page.locator("img.geo-location").count() == 0  # nothing opened before a choice

        switch_language(page, "en")
        box = search_box(page, "en")
        assert page.locator("img.geo-location").count() == 0  # still nothing opened
        box.fill("gaggiano")
        box.press("Enter")
        pick = page.get_by_role("button", name="DEMO-0003", exact=False).first
        pick.wait_for(timeout=60000)
        pick.click()
        page.wait_for_url("**site=DEMO-0003**", timeout=60000)
        settled(page)
        sheet_shown(page, "en")

        switch_language(page, "it")  # the same sheet, now in Italian
        assert "site=DEMO-0003" in page.url
        settled(page)
        assert search_box(page, "it").input_value() == "gaggiano"
        sheet_shown(page, "it")
        assert not [e for e in errors if "TypeError" in e or "ReferenceError" in e], errors
    finally:
        ctx.close()
