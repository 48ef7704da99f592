"""In a real browser, Leaflet's own texts (drawing tools, zoom buttons) follow the page's language."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.web.browser import CHROMIUM, open_tab
from tests.web.test_e2e_map import drawn_count

pytestmark = [pytest.mark.browser]
if not Path(CHROMIUM).exists():
    pytestmark.append(pytest.mark.skip(reason="Debian chromium not installed (make test installs it)"))


@pytest.mark.parametrize("lang, polygon, zoom_in", [("it", "Disegna un poligono", "Ingrandisci"),
                                                    ("en", "Draw a polygon", "Zoom in")])
def test_map_tools_speak_the_page_language(browser, server, lang, polygon, zoom_in):
    ctx, page, errors, _ = open_tab(browser)
    try:
        page.goto(f"{server}/find?lang={lang}", wait_until="domcontentloaded")
        frame, _markers = drawn_count(page)
        assert frame.locator(".leaflet-draw-draw-polygon").get_attribute("title") == polygon
        assert frame.locator(".leaflet-control-zoom-in").get_attribute("title") == zoom_in
        assert not [e for e in errors if "TypeError" in e or "ReferenceError" in e], errors
    finally:
        ctx.close()
