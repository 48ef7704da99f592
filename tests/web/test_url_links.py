"""A shared link reproduces the search on the find and shortlist pages (issue 16, item 3): every Query field
and criterion kind survives a visit, the result count is the one ``geo search`` gives, values the CLI
accepts never break a page, and each hostile part of a link is one warning naming it while the rest applies."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from streamlit.testing.v1 import AppTest

from geo.search import Brief, Query, SearchIndex, make_query, parse_link, search, to_query_params
from tests.search.test_url_contract import QUERY_VALUES, briefs

APP = str(Path(__file__).resolve().parents[2] / "app.py")


@pytest.fixture(scope="module")
def app_env(built_catalogue):
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("GEO_CATALOGUE", str(built_catalogue))
        mp.setenv("GEO_AUTH_MODE", "local")
        mp.setenv("GEO_LOCAL_ROLE", "staff")
        yield built_catalogue


@pytest.fixture(scope="module")
def engine(catalogue):
    """``(index, places)`` of the demo catalogue, as ``geo search --staff`` reads it."""
    return SearchIndex.from_sites(catalogue.sites(statuses=None)), catalogue.places()


def expected(engine, q: Query, b: Brief | None = None) -> int:
    index, places = engine
    # "N sites found" counts the sites that do not fail a hard criterion (those are hidden by default).
    return len(search(index, q, b or Brief(), role="staff", places=places, hide_failed=True))


def open_page(page: str = "find", **params: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["lang"] = "en"
    for k, v in params.items():
        at.query_params[k] = v
    at.switch_page(f"geo/web/pages/{page}.py")
    at.run()
    assert not at.exception, at.exception
    assert not [e.value for e in at.error], [e.value for e in at.error]  # no "Unexpected error", no refusal
    return at


def count(at: AppTest) -> int:
    return int(at.subheader[0].value.split()[0].replace(",", ""))


def plain(text: str) -> str:
    """A message as read on screen (Markdown escapes and word joiners removed)."""
    return re.sub(r"\\(.)", r"\1", text).replace("\u2060", "")


def warnings(at: AppTest) -> list[str]:
    return [plain(w.value) for w in at.warning if "DEMO DATA" not in w.value]


def url_state(at: AppTest):
    state = parse_link(dict(at.query_params))
    assert state.problems == []
    return state


# --- the link's search survives a visit ----------------------------------------------------------------------

WIDGETLESS_Q = {"utilities": ["water"], "max_price_eur_m2": 400, "bbox": [8.6, 44.8, 11.2, 46.4],
                "max_km": {"airport": 90}, "conditions": ["bare_land", "good", "new", "to_renovate"],
                "uses_all": True, "uses": ["industrial"], "min_covered_m2": 0, "available_by": "2030-01-01"}
WIDGETLESS_B = {"name": "gas & price", "criteria": [
    {"key": "gas", "value": True, "hard": False, "weight": 2},
    {"key": "price_max", "value": 3_000_000, "hard": True, "weight": 1},
    {"key": "distance_to_point_km", "value": {"lat": 45.4642, "lon": 9.19, "km": 60, "label": "Milano"},
     "hard": True, "weight": 1},
    {"key": "power_min", "value": 1000, "hard": False, "weight": 0.5},
    {"key": "lease_max", "value": 80, "hard": False, "weight": 1}]}


def test_widgetless_filters_criteria_and_a_bbox_survive_and_count_as_geo_search(app_env, engine, tmp_path, capsys):
    from geo.cli import main

    at = open_page(q=json.dumps(WIDGETLESS_Q), b=json.dumps(WIDGETLESS_B))
    q, b = make_query(WIDGETLESS_Q), parse_link({"b": json.dumps(WIDGETLESS_B)}).brief
    state = url_state(at)
    assert state.query == q and state.brief == b  # nothing dropped, the criteria in their order
    # The same search on the command line: the same count.
    (tmp_path / "b.json").write_text(json.dumps(WIDGETLESS_B))
    # The page hides (and does not count) sites failing a hard criterion: `geo search --hide-failed`.
    argv = ["--catalogue", str(app_env), "--lang", "en", "search", "--staff", "--hide-failed", "--format", "csv",
            "--brief",
            str(tmp_path / "b.json"), "--utility", "water", "--max-price-eur-m2", "400", "--bbox", "8.6", "44.8",
            "11.2", "46.4", "--max-km", "airport=90", "--all-uses", "--use", "industrial", "--min-covered-m2", "0",
            "--available-by", "2030-01-01"] + sum((["--condition", c] for c in WIDGETLESS_Q["conditions"]), [])
    assert main(argv) == 0
    cli = int(re.search(r"(\d+) sites?", capsys.readouterr().err).group(1))
    assert count(at) == cli == expected(engine, q, b) and cli > 0
    # Shown read-only in the sidebar, each with a way to remove it.
    shown = " ".join(plain(c.value) for c in at.sidebar.caption)
    assert "Other filters in the link" in shown and "utilities" in shown and "bbox" in shown and "Gas" in shown
    assert "Distance to Milano" in shown
    assert {b_.key for b_ in at.sidebar.button} >= {"rm_q_utilities", "rm_q_bbox", "rm_b_0", "rm_b_1", "rm_b_2",
                                                    "rm_b_4"}


def test_removing_a_widgetless_filter_or_criterion_keeps_the_rest(app_env, engine):
    at = open_page(q=json.dumps(WIDGETLESS_Q), b=json.dumps(WIDGETLESS_B))
    at.sidebar.button(key="rm_q_utilities").click().run()
    state = url_state(at)
    assert state.query == make_query({k: v for k, v in WIDGETLESS_Q.items() if k != "utilities"})
    assert [c.key for c in state.brief.criteria] == [c["key"] for c in WIDGETLESS_B["criteria"]]
    at.sidebar.button(key="rm_b_0").click().run()  # gas
    state = url_state(at)
    assert [c.key for c in state.brief.criteria] == ["price_max", "distance_to_point_km", "power_min", "lease_max"]
    assert count(at) == expected(engine, state.query, state.brief)


def test_radius_zero_is_zero_not_the_default(app_env, engine):
    at = open_page(q=json.dumps({"near": "Cremona", "radius_km": 0}))
    assert at.number_input(key="w_radius").value == 0.0
    assert url_state(at).query.radius_km == 0.0
    assert count(at) == expected(engine, make_query(near="Cremona", radius_km=0))
    assert count(at) < expected(engine, make_query(near="Cremona"))  # the default 20 km would find more
    assert any(c.value == "Within 0 km of Cremona (CR)" for c in at.caption)


def test_values_the_cli_accepts_never_break_the_page(app_env, engine):
    """500 km and 2,000 ha used to exceed a widget's maximum ("Unexpected error" until the URL was cleared)."""
    q = {"near": "Cremona", "radius_km": 500, "min_land_m2": 2e7, "max_land_m2": 1e8, "max_price_eur": 1e10,
         "min_power_kw": 1e7, "confirmed_within_months": 1200}
    b = {"criteria": [{"key": "land_area_min", "value": 1e8, "hard": True, "weight": 1},
                      {"key": "airport_km", "value": 1000, "hard": True, "weight": 1}]}
    at = open_page(q=json.dumps(q), b=json.dumps(b))
    assert at.number_input(key="w_radius").value == 500 and at.number_input(key="w_minha").value == 2000
    assert at.text_input(key="b_v_land_area_min").value == "10,000"  # ha, as the page's language writes it
    state = url_state(at)
    assert state.query == make_query(q) and state.brief == parse_link({"b": json.dumps(b)}).brief
    assert count(at) == expected(engine, state.query, state.brief)


def test_a_link_made_before_versions_still_opens_and_gains_only_the_version(app_env, engine):
    q = '{"near":"Cremona","radius_km":30,"zls":true}'
    at = open_page(q=q)
    assert warnings(at) == [] and at.query_params["v"] == "2"
    assert url_state(at).query == make_query(json.loads(q))
    assert count(at) == expected(engine, make_query(json.loads(q)))


# --- hostile links: one warning naming the part; the rest of the link applies ---------------------------------

GOOD_Q = {"zls": True, "radius_km": 40, "near": "Cremona"}
GOOD_B = {"criteria": [{"key": "power_min", "value": 2000, "hard": True, "weight": 1}]}

HOSTILE = [
    # (case, q, b, extra params, part named, rest that applies: (query, criteria keys))
    ("deeply nested filters", "[" * 50_000 + "]" * 50_000, GOOD_B, {}, "q", ({}, ["power_min"])),
    ("malformed filters", '{"zls": tru', GOOD_B, {}, "q", ({}, ["power_min"])),
    ("deeply nested brief", GOOD_Q, '{"criteria":' + "[" * 50_000, {}, "b", (GOOD_Q, [])),
    ("malformed brief", GOOD_Q, '{"criteria": [{"key": "gas"', {}, "b", (GOOD_Q, [])),
    ("unknown province", {**GOOD_Q, "provinces": ["CR", "Atlantis"]}, GOOD_B, {}, "q.provinces",
     (GOOD_Q, ["power_min"])),
    ("unknown use", {**GOOD_Q, "uses": ["casino"]}, GOOD_B, {}, "q.uses", (GOOD_Q, ["power_min"])),
    ("unknown utility", {**GOOD_Q, "utilities": ["steam"]}, GOOD_B, {}, "q.utilities", (GOOD_Q, ["power_min"])),
    ("unknown criterion", GOOD_Q, {"criteria": [*GOOD_B["criteria"], {"key": "flying_cars", "value": 1}]}, {},
     "b.criteria[1] (flying_cars)", (GOOD_Q, ["power_min"])),
    ("wrong type", {**GOOD_Q, "aid_area": "yes"}, GOOD_B, {}, "q.aid_area", (GOOD_Q, ["power_min"])),
    ("out of range", {**GOOD_Q, "max_land_m2": 1e15}, GOOD_B, {}, "q.max_land_m2", (GOOD_Q, ["power_min"])),
    ("out-of-range criterion", GOOD_Q, {"criteria": [*GOOD_B["criteria"], {"key": "power_min", "value": -5}]}, {},
     "b.criteria[1] (power_min)", (GOOD_Q, ["power_min"])),
    ("unknown version", GOOD_Q, GOOD_B, {"v": "3"}, "v", (GOOD_Q, ["power_min"])),
    ("unknown place", {**GOOD_Q, "near": "Atlantide sul Po"}, GOOD_B, {}, "q.near",
     ({"zls": True, "radius_km": 40}, ["power_min"])),
    ("point far outside Lombardy", {"zls": True, "radius_km": 40, "point": [40.85, 14.27]}, GOOD_B, {}, "q.point",
     ({"zls": True, "radius_km": 40}, ["power_min"])),
    ("markdown in a value", {**GOOD_Q, "provinces": ["![p](http://evil.example/p.png)"]}, GOOD_B, {}, "q.provinces",
     (GOOD_Q, ["power_min"])),
]


@pytest.mark.parametrize("case,q,b,extra,part,rest", HOSTILE, ids=[h[0] for h in HOSTILE])
def test_a_hostile_part_is_one_warning_naming_it_and_the_rest_applies(app_env, engine, case, q, b, extra, part,
                                                                      rest):
    at = open_page(q=q if isinstance(q, str) else json.dumps(q), b=b if isinstance(b, str) else json.dumps(b),
                   **extra)
    shown = warnings(at)
    assert len(shown) == 1 and f"'{part}'" in shown[0], shown
    assert "evil.example/p.png)" not in " ".join(w.value for w in at.warning)  # quoted, escaped, never an image
    rest_q, rest_keys = rest
    state = url_state(at)
    assert state.query == make_query(rest_q) and [c.key for c in state.brief.criteria] == rest_keys
    assert count(at) == expected(engine, state.query, state.brief)
    if "near" in rest_q:
        assert at.text_input(key="w_near").value == "Cremona" and at.pills(key="w_zones").value == ["zls"]


def test_link_text_shown_in_the_sidebar_is_escaped(app_env):
    """A widget-less criterion's label and a filter's value come from the link: shown as text, never Markdown."""
    md = "![p](http://evil.example/p.png) [Log in](http://evil.example/login)"
    b = {"criteria": [{"key": "distance_to_point_km", "value": {"lat": 45.4, "lon": 9.2, "km": 9, "label": md}}]}
    at = open_page(q=json.dumps({"available_by": "2030-01-01"}), b=json.dumps(b))
    raw = [c.value for c in at.sidebar.caption if "evil" in c.value]
    assert raw and all("](" not in r and "http://" not in r for r in raw)
    assert md in plain(raw[0])  # the reader sees the text as it was written
    assert url_state(at).brief.criteria[0].value["label"] == md


def test_the_same_site_twice_in_a_shortlist_link_is_compared_once(app_env, catalogue):
    ids = catalogue.sites()["site_id"].iloc[:2].tolist()
    at = open_page("shortlist", sl=",".join([ids[0], ids[1], ids[0]]), b=json.dumps(GOOD_B))
    df = at.dataframe[0].value
    assert [c.split(" ·")[0] for c in df.columns] == ids and "Available power" in df.index
    assert at.query_params["sl"] == ",".join(ids)


def test_a_hostile_shortlist_link_is_named_and_the_valid_sites_stay(app_env, catalogue):
    ids = catalogue.sites()["site_id"].iloc[:2].tolist()
    at = open_page("shortlist", sl=",".join([ids[0], "x" * 500, ids[1]]), q="{bad")
    shown = warnings(at)
    assert len(shown) == 2 and "'sl'" in shown[0] + shown[1] and "'q'" in shown[0] + shown[1]
    assert [c.split(" ·")[0] for c in at.dataframe[0].value.columns] == ids


# --- property: any query and brief, written to a link, open as the same search --------------------------------

_PLACES = [[45.1335, 10.0227], [45.4642, 9.19], [45.6983, 9.6773], [45.5416, 10.2118], [45.3142, 9.5035]]
@st.composite
def page_query(draw) -> Query:
    keys = draw(st.sets(st.sampled_from(sorted(QUERY_VALUES)), max_size=6))
    # Point searches centred in Lombardy (a far centre is a refusal on the CLI and the page alike).
    return make_query({k: draw(QUERY_VALUES[k] if k != "point" else st.sampled_from(_PLACES)) for k in keys})


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
@given(q=page_query(), b=briefs())
def test_any_link_opens_as_the_same_search_with_the_count_of_geo_search(app_env, engine, q, b):
    params = to_query_params(q, b)
    at = open_page(**params)
    assert warnings(at) == []
    assert count(at) == expected(engine, q, b)
    state = url_state(at)
    assert state.query == q and state.brief == b  # the page did not rewrite the link into another search


# --- a real browser: the link opens as the same search and the URL is left as it was ----------------------------

BROWSER_LINKS = [
    # (case, q, b): a widget-less criterion and a bbox, as a colleague would paste them
    ("widget-less criteria and a bbox", WIDGETLESS_Q, WIDGETLESS_B),
    ("CLI-sized radius and area, point criterion", {"near": "Cremona", "radius_km": 500, "min_land_m2": 2e7,
                                                    "bbox": [9.0, 44.9, 10.6, 45.9]},
     {"criteria": [{"key": "distance_to_point_km", "value": {"lat": 45.13, "lon": 10.02, "km": 40}, "hard": True,
                    "weight": 1}, {"key": "gas", "value": True, "hard": False, "weight": 1}]}),
]


@pytest.mark.browser
@pytest.mark.parametrize("case,q,b", BROWSER_LINKS, ids=[c[0] for c in BROWSER_LINKS])
def test_a_link_in_a_real_browser_shows_geo_search_count_and_keeps_its_url(browser, server, engine, case, q, b):
    from urllib.parse import parse_qs, urlencode, urlparse

    from tests.web.browser import app_idle

    params = {"lang": "en", **to_query_params(make_query(q), parse_link({"b": json.dumps(b)}).brief)}
    want = expected(engine, make_query(q), parse_link({"b": json.dumps(b)}).brief)
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.route(re.compile(r"https?://(?!127\.0\.0\.1).*"), lambda route: route.abort())
    page.goto(f"{server}/find?{urlencode(params)}", wait_until="domcontentloaded")
    h = page.locator("h3", has_text="sites found").first
    h.wait_for(timeout=60000)
    assert int(h.inner_text().split()[0].replace(",", "")) == want
    page.get_by_text("Other filters in the link").first.wait_for(timeout=30000)
    app_idle(page)  # the run is over: any rewrite of the URL would have happened by now
    assert {k: v[0] for k, v in parse_qs(urlparse(page.url).query).items()} == params
    assert page.get_by_text("Unexpected error").count() == 0
