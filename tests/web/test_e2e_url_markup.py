"""Markdown, HTML and script in every URL field the app reads stay text (issue 16, item 4).

Real server, real Chromium. For each field: no request leaves for the remote host, no link to it, no
image, no element made from the HTML, no script runs, and the page says something about the value.
The links are written in today's format (``q``/``b`` JSON documents, ``sl``, ``site``, ``lang``,
``token``).
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pytest

from tests.web.browser import CHROMIUM, app_idle

pytestmark = [pytest.mark.browser]
if not Path(CHROMIUM).exists():
    pytestmark.append(pytest.mark.skip(reason="Debian chromium not installed (make test installs it)"))

IMAGE = "![p](http://evil.example/p.png)"
#: A remote image, a phishing link, raw HTML with a handler, a script, a directive, maths, bare links.
PAYLOAD = (f"{IMAGE} [Log in again](http://evil.example/login) <img src=http://evil.example/i.png "
           "onerror=alert(1)><b>bold</b><script>alert(2)</script> :red[red] $x^2$ :smile: "
           "http://evil.example/auto www.evil.example x@evil.example")
QUOTED = "![p](http:"  # how the message begins quoting the payload (a word joiner follows the colon)

# (page, parameters, text the page shows: the quoted payload, or a message of its own; the link
# contract names the part it left out, quoting the value as text where it is short enough to show).
CASES = {
    "find-near": ("find", {"q": {"near": PAYLOAD}}, "The link's 'q.near' was left out"),
    "find-radius": ("find", {"q": {"radius_km": PAYLOAD}}, QUOTED),
    "find-filter-name": ("find", {"q": {PAYLOAD: 1}}, QUOTED),
    "find-filter-value": ("find", {"q": {"min_land_m2": PAYLOAD}}, QUOTED),
    "find-province": ("find", {"q": {"provinces": [PAYLOAD]}}, "The link's 'q.provinces' was left out"),
    "find-use": ("find", {"q": {"uses": [PAYLOAD]}}, "The link's 'q.uses' was left out"),
    "find-q-not-json": ("find", {"q": PAYLOAD}, "The link's 'q' was left out"),
    "find-criterion-name": ("find", {"b": {"criteria": [{"key": PAYLOAD, "value": 1}]}}, QUOTED),
    "find-criterion-value": ("find", {"b": {"criteria": [{"key": "power_min", "value": PAYLOAD}]}},
                             "(power_min)' was left out"),  # 'b.criteria[N] (power_min)': N is its place
    "find-b-not-json": ("find", {"b": PAYLOAD}, "The link's 'b' was left out"),
    "shortlist-sl": ("shortlist", {"sl": PAYLOAD}, "The link's 'sl' was left out"),  # the id quoted, cut at 200
    "sheet-site": ("sheet", {"site": PAYLOAD}, "Site not found or not visible"),
    "find-lang": ("find", {"lang": PAYLOAD}, QUOTED),
    "owner-token": ("owner", {"token": PAYLOAD}, "Invalid private link"),
    "staff-site": ("staff", {"site": PAYLOAD}, "does not exist"),
}
#: The cases of one page load: the find page's JSON fields in one link (each part is left out on its own, with
#: its own message: tests/web/test_url_links.py checks that part by part without a browser), its two documents
#: that are not JSON in another, and each other field alone. 7 page loads instead of 15 (~4 CPU-s each).
LOADS = {
    "find-json-fields": ["find-near", "find-radius", "find-filter-name", "find-filter-value", "find-province",
                         "find-use", "find-criterion-name", "find-criterion-value"],
    "find-not-json": ["find-q-not-json", "find-b-not-json"],
    **{case: [case] for case in ("find-lang", "shortlist-sl", "sheet-site", "owner-token", "staff-site")},
}


def _load(cases: list[str]) -> tuple[str, dict[str, str], list[str]]:
    """(page, URL parameters, expected texts) of several cases at once: their JSON documents merged."""
    pages = {CASES[c][0] for c in cases}
    assert len(pages) == 1, cases
    merged: dict = {}
    for c in cases:
        for key, value in CASES[c][1].items():
            if isinstance(value, dict) and isinstance(merged.get(key), dict):
                for k, v in value.items():  # criteria lists are joined, other keys are distinct
                    merged[key][k] = merged[key][k] + v if k == "criteria" else v
            else:
                assert key not in merged, (key, cases)
                merged[key] = dict(value) if isinstance(value, dict) else value
    params = {k: json.dumps(v) if isinstance(v, dict) else v for k, v in merged.items()}
    return pages.pop(), params, [CASES[c][2] for c in cases]


INERT = """() => [
    document.querySelectorAll('a[href*="evil.example"]').length,
    document.querySelectorAll('img[src*="evil.example"], img[src*="p.png"]').length,
    document.querySelectorAll('[data-testid="stAlert"] img, [data-testid="stAlert"] a, '
                              + '[data-testid="stAlert"] b, [data-testid="stAlert"] script, '
                              + '[data-testid="stAlert"] .katex').length,
    document.querySelectorAll('script:not([src])').length - (window.__inline_scripts || 0),
    window.__pwned || 0]"""


def _inert(page, requests: list[str], dialogs: list[str]) -> None:
    for frame in page.frames:
        try:
            found = frame.evaluate(INERT)
        except Exception as exc:  # a frame detached during the check
            if "detached" in str(exc):
                continue
            raise
        assert found[:3] == [0, 0, 0] and found[4] == 0, f"payload became markup in {frame.url}: {found}"
    assert requests == [] and dialogs == [], (requests, dialogs)


def test_every_case_is_in_one_load():
    assert sorted(c for cases in LOADS.values() for c in cases) == sorted(CASES)


@pytest.mark.parametrize("load", list(LOADS))
def test_markup_in_a_url_field_stays_text(browser, server, load):
    page_name, params, expects = _load(LOADS[load])
    requests: list[str] = []
    dialogs: list[str] = []
    page = browser.new_page()
    try:
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        # The app's own requests carry the payload in their query string: the host is what matters.
        page.route("**/*", lambda route: (requests.append(route.request.url), route.abort())
                   if (urlsplit(route.request.url).hostname or "").endswith("evil.example")
                   else route.continue_())
        page.route("https://**/*", lambda route: route.abort())  # basemap tiles: no network in tests
        query = urlencode({"lang": "en", **params})
        page.goto(f"{server}/{page_name}?{query}", wait_until="domcontentloaded")
        page.locator('[data-testid="stMain"] h1, [data-testid="stAlert"]').first.wait_for(timeout=60000)
        for expect in expects:  # "Log in again" is in the message whether it is shown as text or made a link
            alert = page.locator('[data-testid="stAlert"]', has_text="Log in again" if expect == QUOTED else expect)
            alert.first.wait_for(timeout=60000)
        app_idle(page)  # the run is over: any image, link or script the payload made has loaded or run
        _inert(page, requests, dialogs)
        quoted = page.locator('[data-testid="stAlert"]', has_text="Log in again")
        assert quoted.count() >= expects.count(QUOTED), (load, quoted.all_inner_texts())
        for text in quoted.all_inner_texts() if QUOTED in expects else []:
            text = text.replace("\u2060", "")  # the whole value is shown as the characters it is made of
            for part in (IMAGE, "<script>alert(2)</script>", ":red[red]", "$x^2$", ":smile:", "www.evil.example"):
                assert part in text, (part, text)  # not an image, a script, red text, maths or an emoji
    finally:
        page.close()
