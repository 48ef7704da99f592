"""Each page's own URL restores the search, the brief and the shortlist in a fresh browser;
owner text is shown as text on the find, sheet and shortlist pages (never as Markdown)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest

from tests.web.browser import CHROMIUM, app_idle, open_tab, streamlit_server

pytestmark = [pytest.mark.browser]
if not Path(CHROMIUM).exists():
    pytestmark.append(pytest.mark.skip(reason="Debian chromium not installed (make test installs it)"))

MARKDOWN = "![p](http://evil.example/p.png) [Log in](http://evil.example/login)"
BRIEF = json.dumps({"criteria": [{"key": "land_area_min", "value": 10000, "hard": True, "weight": 1},
                                 {"key": "power_min", "value": 2000, "hard": True, "weight": 1}]},
                   separators=(",", ":"))
QUERY = json.dumps({"zls": True}, separators=(",", ":"))


@pytest.fixture(scope="module")
def marked_catalogue(built_catalogue, tmp_path_factory):
    """A copy of the demo catalogue where one published listing's title is Markdown with a remote image."""
    from geo.catalogue import open_catalogue

    path = tmp_path_factory.mktemp("state") / "c.gpkg"
    shutil.copy2(built_catalogue, path)
    cat = open_catalogue(path)
    sites = cat.sites()
    sid = sites.loc[sites["in_zls"].fillna(False).astype(bool), "site_id"].iloc[0]
    cat.update_site(sid, {"title_it": MARKDOWN, "title_en": MARKDOWN}, actor="test")
    return path, sid, sites["site_id"].iloc[:3].tolist()


@pytest.fixture(scope="module")
def session(marked_catalogue, browser):
    path, sid, others = marked_catalogue
    with streamlit_server(path, role="staff") as url:
        yield url, browser, sid, others


def params(page) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlparse(page.url).query).items()}


def wait_params(page, *keys: str, timeout_ms: int = 30000) -> dict[str, str]:
    for _ in range(timeout_ms // 100):
        p = params(page)
        if all(k in p for k in keys):
            return p
        page.wait_for_timeout(100)
    raise AssertionError(f"URL {page.url} lacks {keys}")


def assert_no_markdown_rendered(page, requests) -> None:
    for frame in page.frames:
        try:
            bad = frame.evaluate("document.querySelectorAll('img[src*=\"evil.example\"], a[href*=\"evil.example\"]')"
                                 ".length")
        except Exception:
            continue
        assert bad == 0, f"owner Markdown became an image or a link in {frame.url}"
    assert not [u for u in requests if "evil.example" in u]


def test_shortlist_url_restores_shortlist_and_brief_in_a_fresh_browser(session):
    url, browser, sid, others = session
    ids = [sid] + [s for s in others if s != sid][:2]
    ctx, page, _, requests = open_tab(browser, fresh=True)
    page.goto(f"{url}/shortlist?lang=en&sl={','.join(ids)}&b={BRIEF}&q={QUERY}", wait_until="domcontentloaded")
    page.get_by_text("Comparison").first.wait_for(timeout=60000)
    page.locator("[data-testid='stDataFrame']").first.wait_for(timeout=60000)
    # The three sites are listed (their titles as text) in shortlist order.
    for s in ids:
        page.get_by_text(s, exact=True).first.wait_for(timeout=30000)
    p = wait_params(page, "sl", "b", "q")
    assert p["sl"].split(",") == ids and json.loads(p["b"])["criteria"] == json.loads(BRIEF)["criteria"] and json.loads(p["q"]) == {"zls": True}
    # The owner's Markdown title is shown as text.
    page.get_by_text(MARKDOWN).first.wait_for(timeout=30000)
    assert_no_markdown_rendered(page, requests)
    ctx.close()


def test_sheet_url_keeps_search_brief_and_shortlist_and_links_carry_them(session):
    url, browser, sid, others = session
    ctx, page, _, requests = open_tab(browser, fresh=True)
    page.goto(f"{url}/sheet?lang=en&site={sid}&sl={sid}&b={BRIEF}&q={QUERY}", wait_until="domcontentloaded")
    page.get_by_text("Land area").first.wait_for(timeout=60000)
    # The sheet lists the innovation actors near the site (technology clusters, municipality-level).
    page.get_by_text("Innovation ecosystem nearby").first.wait_for(timeout=30000)
    p = wait_params(page, "site", "sl", "b", "q")
    assert p["site"] == sid and p["sl"] == sid and json.loads(p["q"]) == {"zls": True}
    app_idle(page)
    assert_no_markdown_rendered(page, requests)
    # The link to the find page carries the search and brief: the filter and the brief are restored there.
    page.get_by_role("link", name="Find sites").last.click()
    page.locator("h3", has_text="sites found").first.wait_for(timeout=60000)
    p = wait_params(page, "q", "b", "sl")
    assert json.loads(p["q"]) == {"zls": True} and json.loads(p["b"])["criteria"] == json.loads(BRIEF)["criteria"]
    assert page.get_by_role("button", name="ZLS", exact=True).get_attribute("aria-pressed") == "true"  # a pill
    app_idle(page)
    assert_no_markdown_rendered(page, requests)
    ctx.close()


def test_find_url_restores_filters_and_brief_in_a_fresh_browser(session, marked_catalogue):
    url, browser, sid, _ = session
    from geo.catalogue import open_catalogue
    from geo.search import Query, SearchIndex, search

    cat = open_catalogue(marked_catalogue[0])
    from geo.search import Brief

    # "N sites found" leaves out the sites failing a hard criterion of the brief (hidden by default).
    expected = len(search(SearchIndex.from_sites(cat.sites(statuses=None)), Query(zls=True), Brief.from_json(BRIEF),
                          role="staff", hide_failed=True))
    for _ in range(2):
        ctx, page, _, requests = open_tab(browser, fresh=True)
        page.goto(f"{url}/find?lang=en&q={QUERY}&b={BRIEF}", wait_until="domcontentloaded")
        h = page.locator("h3", has_text="sites found").first
        h.wait_for(timeout=60000)
        assert int(h.inner_text().split()[0]) == expected
        assert page.get_by_role("button", name="ZLS", exact=True).get_attribute("aria-pressed") == "true"  # a pill
        app_idle(page)
        assert_no_markdown_rendered(page, requests)
        ctx.close()
