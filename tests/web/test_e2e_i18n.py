"""In a real browser, Leaflet's own texts (drawing tools, zoom buttons) follow the page's language: the find page
opened in Italian, then switched to English with the sidebar's language control, as a reader does (one page, one
app session: the map is redrawn in the new language, with the same sites, and the link says it)."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest

from tests.web.browser import CHROMIUM, open_tab, switch_language
from tests.web.test_e2e_map import drawn_count

pytestmark = [pytest.mark.browser]
if not Path(CHROMIUM).exists():
    pytestmark.append(pytest.mark.skip(reason="Debian chromium not installed (make test installs it)"))

#: The drawing tool's and the zoom button's titles in each language.
TITLES = {"it": ("Disegna un poligono", "Ingrandisci"), "en": ("Draw a polygon", "Zoom in")}


def test_map_tools_speak_the_page_language_and_follow_its_switch(browser, server):
    from playwright.sync_api import expect  # as the other browser tests: Playwright imported where it is used

    ctx, page, errors, _ = open_tab(browser)
    try:
        page.goto(f"{server}/find?lang=it", wait_until="domcontentloaded")
        frame, markers = drawn_count(page)
        polygon, zoom_in = TITLES["it"]
        assert frame.locator(".leaflet-draw-draw-polygon").get_attribute("title") == polygon
        assert frame.locator(".leaflet-control-zoom-in").get_attribute("title") == zoom_in

        switch_language(page, "en")
        assert parse_qs(urlparse(page.url).query)["lang"] == ["en"]  # a link copied now opens in English
        frame, _markers = drawn_count(page)
        polygon, zoom_in = TITLES["en"]
        # The map is redrawn by the rerun: wait for it rather than read the Italian map still on screen.
        expect(frame.locator(".leaflet-draw-draw-polygon")).to_have_attribute("title", polygon, timeout=60000)
        assert frame.locator(".leaflet-control-zoom-in").get_attribute("title") == zoom_in
        assert drawn_count(page)[1] == markers  # the redrawn map has the same sites
        assert not [e for e in errors if "TypeError" in e or "ReferenceError" in e], errors
    finally:
        ctx.close()
