"""Two visitors of the find page at once, in two browser contexts of one app server: what one does (a drawn area,
a shortlist) never shows on the other's page, whatever the server shares between sessions (cached data, a
rendered map)."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest

from tests.web.browser import CHROMIUM, open_tab
from tests.web.test_e2e_browser import result_count
from tests.web.test_e2e_map import drawn_count, map_idle, settled, start_drawing, wait_count_change

pytestmark = [pytest.mark.browser]
if not Path(CHROMIUM).exists():
    pytestmark.append(pytest.mark.skip(reason="Debian chromium not installed (make test installs it)"))

SEARCH_AREA = "(() => { var l = window.__geoRefs && window.__geoRefs['Search area']; return !!(l && l._map); })()"


def query_of(page) -> dict:
    return json.loads(parse_qs(urlparse(page.url).query).get("q", ["{}"])[0])


def test_one_visitors_drawn_area_and_shortlist_never_reach_another_visitor(browser, server, catalogue):
    sid = str(catalogue.sites()["site_id"].iloc[0])
    a_ctx, a, _, _ = open_tab(browser, fresh=True)
    a.goto(f"{server}/find?lang=en&sl={sid}", wait_until="domcontentloaded")
    n_all = result_count(a)
    settled(a)
    frame, _ = drawn_count(a)
    map_idle(a, frame)
    box = frame.locator(".leaflet-container").bounding_box()
    start_drawing(frame, "rectangle")
    x0, y0 = box["x"] + box["width"] * 0.40, box["y"] + box["height"] * 0.35
    x1, y1 = box["x"] + box["width"] * 0.62, box["y"] + box["height"] * 0.65
    a.mouse.move(x0, y0)
    a.mouse.down()
    a.mouse.move(x1, y1, steps=8)
    a.mouse.up()
    n = wait_count_change(a, frame, n_all)
    assert 0 < n < n_all and query_of(a)["polygon"]["type"] == "Polygon"
    settled(a)
    a_frame, markers = drawn_count(a)
    assert markers == n and a_frame.evaluate(SEARCH_AREA)  # visitor A's map draws A's area
    a.get_by_text("Shortlist: 1").first.wait_for(timeout=30000)

    # Visitor B opens the same page while A's session is alive: B sees the whole catalogue, no area, no shortlist.
    b_ctx, b, _, _ = open_tab(browser, fresh=True)
    b.goto(f"{server}/find?lang=en", wait_until="domcontentloaded")
    assert result_count(b) == n_all
    settled(b)
    b_frame, markers = drawn_count(b)
    assert markers == n_all
    assert not b_frame.evaluate(SEARCH_AREA)
    assert "polygon" not in query_of(b) and "sl" not in parse_qs(urlparse(b.url).query)
    assert b.get_by_role("button", name="Clear drawn area").count() == 0
    b.get_by_text("Shortlist: 0").first.wait_for(timeout=30000)

    # And A, running again after B, still has its own area and shortlist.
    a.reload(wait_until="domcontentloaded")
    assert result_count(a) == n, a.url
    a.get_by_text("Shortlist: 1").first.wait_for(timeout=30000)
    assert query_of(a)["polygon"]["type"] == "Polygon" and parse_qs(urlparse(a.url).query)["sl"] == [sid]
    a_ctx.close()
    b_ctx.close()
