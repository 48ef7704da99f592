"""The search map in a real browser: every visitor sees it, drawn areas search, the URL carries them.

Debian's Chromium driven by Playwright against a real Streamlit server, offline
(tile requests are aborted).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest

from tests.web.browser import CHROMIUM, app_idle, open_tab
from tests.web.test_e2e_browser import result_count

pytestmark = [pytest.mark.browser]
if not Path(CHROMIUM).exists():
    pytestmark.append(pytest.mark.skip(reason="Debian chromium not installed (make test installs it)"))


def drawn_count(page, timeout_ms: int = 60000) -> tuple[object, int]:
    """The map frame and the number of sites its script drew (``data-site-count``)."""
    page.wait_for_selector("iframe[title*='streamlit_folium']", timeout=timeout_ms)
    for _ in range(timeout_ms // 100):
        for f in page.frames:
            if "streamlit_folium" not in f.url and "component" not in f.url:
                continue
            try:
                n = f.evaluate("document.body && document.body.getAttribute('data-site-count')")
                markers = f.evaluate("window.__geoSites ? window.__geoSites.getLayers().length : -1")
            except Exception:
                continue
            if n is not None and markers >= 0:
                return f, int(markers)
        page.wait_for_timeout(100)
    raise AssertionError("the map never drew its sites")


def settled(page, quiet_ms: int = 1500) -> None:
    """Wait until the app has not been running for ``quiet_ms`` (the map's first value causes one rerun)."""
    app_idle(page, quiet_ms)


def start_drawing(frame, tool: str) -> None:
    """Click a Leaflet.draw tool and wait until its handler is on (its tooltip shows): under load a drag that
    starts earlier is a click on whatever lies below (a province), not a drawing."""
    tooltip = frame.locator(".leaflet-draw-tooltip").first
    for _ in range(3):
        frame.locator(f".leaflet-draw-draw-{tool}").click()
        try:
            tooltip.wait_for(state="visible", timeout=10000)
            return
        except Exception:  # noqa: BLE001 - not on yet: click the tool again
            continue
    raise AssertionError(f"the {tool} tool never turned on")


def map_idle(page, frame, timeout_ms: int = 30000) -> None:
    """Wait until Leaflet has finished fitting the view (a drag during a zoom animation is not a drawing)."""
    js = ("(() => { var m = window.__geoSites && window.__geoSites._map; return !!m && !m._animatingZoom && "
          "!(m._panAnim && m._panAnim._inProgress); })()")
    for _ in range(timeout_ms // 100):
        if frame.evaluate(js):
            page.wait_for_timeout(300)
            return
        page.wait_for_timeout(100)


def wait_count_change(page, frame, before: int, timeout_ms: int = 60000) -> int:
    """The new result count after a drawing; on timeout, say what the map's component last sent."""
    for _ in range(timeout_ms // 200):
        try:
            n = result_count(page)
            if n != before:
                return n
        except Exception:
            pass
        page.wait_for_timeout(200)
    diag = "detached" if frame.is_detached() else frame.evaluate(
        "(() => { var g = window.__GLOBAL_DATA__ || {}; return JSON.stringify({lad: g.last_active_drawing, "
        "all: g.all_drawings}).slice(0, 600); })()")
    raise AssertionError(f"the count never changed from {before}; map component state: {diag}")


def wait_count(page, expected: int, timeout_ms: int = 60000) -> None:
    for _ in range(timeout_ms // 100):
        try:
            if result_count(page) == expected:
                return
        except Exception:
            pass
        page.wait_for_timeout(100)
    raise AssertionError(f"result count never became {expected} (is {result_count(page)})")


def test_same_link_in_two_fresh_browsers_and_a_reload_all_show_the_markers(browser, server, catalogue):
    url = f"{server}/find?lang=en&q=" + json.dumps({"zls": True}, separators=(",", ":"))
    expected = None
    for visit in range(2):
        ctx, page, errors, _ = open_tab(browser, fresh=True)
        page.goto(url, wait_until="domcontentloaded")
        n = result_count(page)
        frame, markers = drawn_count(page)
        assert markers == n > 0, (visit, markers, n)
        expected = expected or n
        assert n == expected
        # Reference layers are drawn without tiles: the province outlines are there.
        provinces = frame.evaluate("(() => { var l = window.__geoRefs && window.__geoRefs['Provinces'];"
                                   " return l && l._map ? l.getLayers().length : 0; })()")
        assert provinces == 12
        if visit == 1:
            page.reload(wait_until="domcontentloaded")
            assert result_count(page) == expected
            _, markers = drawn_count(page)
            assert markers == expected
        assert not [e for e in errors if "is not defined" in e], errors
        ctx.close()


def test_a_rectangle_drawn_with_the_mouse_filters_and_goes_into_the_url(browser, server, catalogue):
    ctx, page, errors, _ = open_tab(browser)
    page.goto(f"{server}/find?lang=en", wait_until="domcontentloaded")
    n_all = result_count(page)
    settled(page)
    frame, markers = drawn_count(page)
    assert markers == n_all
    map_idle(page, frame)
    box = frame.locator(".leaflet-container").bounding_box()
    start_drawing(frame, "rectangle")
    # A rectangle over the middle of the map (the map fits all of Lombardy's sites).
    x0, y0 = box["x"] + box["width"] * 0.40, box["y"] + box["height"] * 0.35
    x1, y1 = box["x"] + box["width"] * 0.62, box["y"] + box["height"] * 0.65
    page.mouse.move(x0, y0)
    page.mouse.down()
    page.mouse.move((x0 + x1) / 2, (y0 + y1) / 2, steps=5)
    page.mouse.move(x1, y1, steps=5)
    page.mouse.up()
    n = wait_count_change(page, frame, n_all)
    assert 0 < n < n_all
    # The area is in the URL, as a polygon of the query.
    q = json.loads(parse_qs(urlparse(page.url).query)["q"][0])
    assert q["polygon"]["type"] == "Polygon"
    # The same sites by the library, on the polygon from the URL.
    from geo.search import Query, SearchIndex, search

    idx = SearchIndex.from_sites(catalogue.sites(statuses=None))
    assert len(search(idx, Query(polygon=q["polygon"]), role="staff", places=catalogue.places())) == n
    for _ in range(60):  # the map is redrawn by the page's rerun: under load it may still show the old one
        _, markers = drawn_count(page)
        if markers == n:
            break
        page.wait_for_timeout(500)
    assert markers == n
    link = page.url
    ctx.close()

    # The link restores the area in a fresh browser.
    ctx, page, _, _ = open_tab(browser, fresh=True)
    page.goto(link, wait_until="domcontentloaded")
    wait_count(page, n)
    _, markers = drawn_count(page)
    assert markers == n
    page.get_by_role("button", name="Clear drawn area").click()
    wait_count(page, n_all)
    assert "polygon" not in json.loads(parse_qs(urlparse(page.url).query).get("q", ["{}"])[0])
    ctx.close()


def test_map_opens_on_the_place_and_radius_and_a_clicked_marker_is_selected(browser, server, catalogue):
    ctx, page, _, _ = open_tab(browser)
    q = json.dumps({"near": "Cremona", "radius_km": 25}, separators=(",", ":"))
    page.goto(f"{server}/find?lang=en&q={q}", wait_until="domcontentloaded")
    n = result_count(page)
    settled(page)
    frame, markers = drawn_count(page)
    assert markers == n > 0
    view = frame.evaluate("""(() => {
        var map = window.__geoSites._map, b = map.getBounds(), circles = [];
        map.eachLayer(function (l) { if (l instanceof L.Circle) circles.push([l.getLatLng().lat, l.getLatLng().lng,
                                                                               l.getRadius()]); });
        return {s: b.getSouth(), w: b.getWest(), n: b.getNorth(), e: b.getEast(), circles: circles}; })()""")
    # The 25 km circle around Cremona is drawn and the map is fitted to it (not to all of Lombardy).
    assert any(abs(r - 25000) < 1 and abs(lat - 45.14) < 0.05 and abs(lon - 10.02) < 0.08
               for lat, lon, r in view["circles"]), view["circles"]
    assert view["s"] < 45.14 - 0.2 < 45.14 + 0.2 < view["n"] and view["e"] - view["w"] < 2.0
    # Click a marker that stands alone (not in a cluster): its site becomes the selection, ringed on the map.
    find_single = """(() => {
        var g = window.__geoSites, map = g._map, out = null;
        g.getLayers().forEach(function (m) {
            // Outside any cluster a marker is on the map itself (on the canvas: no DOM element of its own).
            if (!out && m._map && map.getBounds().pad(-0.1).contains(m.getLatLng())) {
                var p = map.latLngToContainerPoint(m.getLatLng()); out = {id: m.options.siteId, x: p.x, y: p.y}; }
        });
        return out; })()"""
    target = None
    for _ in range(100):  # the clusters settle after the fit's zoom animation
        target = frame.evaluate(find_single)
        if target is not None:
            break
        page.wait_for_timeout(100)
    assert target is not None
    page.wait_for_timeout(500)
    target = frame.evaluate(find_single)
    box = frame.locator(".leaflet-container").bounding_box()
    page.mouse.click(box["x"] + target["x"], box["y"] + target["y"])
    page.get_by_role("button", name=re.compile(r"Add to shortlist \(1\)")).wait_for(timeout=60000)
    for _ in range(300):
        frame, _ = drawn_count(page)
        ringed = frame.evaluate("(window.__geoHighlight || []).map(function (r) { return r.options.siteId; })")
        if ringed:
            break
        page.wait_for_timeout(100)
    assert ringed == [target["id"]]
    ctx.close()


def test_a_circle_drawn_with_the_mouse_searches_around_its_centre(browser, server, catalogue):
    ctx, page, _, _ = open_tab(browser)
    page.goto(f"{server}/find?lang=en", wait_until="domcontentloaded")
    n_all = result_count(page)
    settled(page)
    frame, _ = drawn_count(page)
    map_idle(page, frame)
    box = frame.locator(".leaflet-container").bounding_box()
    start_drawing(frame, "circle")
    x0, y0 = box["x"] + box["width"] * 0.5, box["y"] + box["height"] * 0.5
    page.mouse.move(x0, y0)
    page.mouse.down()
    page.mouse.move(x0 + 40, y0, steps=4)
    page.mouse.move(x0 + 90, y0, steps=4)
    page.mouse.up()
    n = wait_count_change(page, frame, n_all)
    q = json.loads(parse_qs(urlparse(page.url).query)["q"][0])
    assert set(q) >= {"point", "radius_km"} and "polygon" not in q and 0 < q["radius_km"] < 100
    from geo.search import Query, SearchIndex, search

    idx = SearchIndex.from_sites(catalogue.sites(statuses=None))
    expected = search(idx, Query(point=q["point"], radius_km=q["radius_km"]), role="staff", places=catalogue.places())
    assert n == len(expected) < n_all
    # The radius box shows the drawn radius, and the circle is drawn on the map.
    assert float(page.get_by_label("Radius km").input_value()) == pytest.approx(q["radius_km"], abs=0.01)
    ctx.close()
