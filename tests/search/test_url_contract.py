"""One contract for a search in a link: every Query field and every criterion kind round-trips through the
link, the command line builds the same Query, and each hostile part of a link is one message naming it
while the rest of the link still applies (issue 16, item 3)."""

from __future__ import annotations

import argparse
import json
from dataclasses import fields

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geo.errors import UserError
from geo.schema import FIELD
from geo.search import CRITERIA, Brief, Criterion, Query, make_query, parse_link, to_query_params
from geo.search.limits import LIMITS, MAX_JSON_DEPTH, PROVINCES, UTILITIES
from geo.search.query import DISTANCE_COLUMNS


def _num(name: str, low: float | None = None, high: float | None = None):
    lim = LIMITS[name]
    return st.floats(lim.low if low is None else low, lim.high if high is None else high, allow_nan=False)


def _choices(values) -> st.SearchStrategy:
    return st.lists(st.sampled_from(list(values)), unique=True, max_size=3)


_lat, _lon = st.floats(44.7, 46.6, allow_nan=False), st.floats(8.5, 11.4, allow_nan=False)


@st.composite
def _polygon(draw) -> dict:
    lon, lat = draw(_lon), draw(_lat)
    d = draw(st.floats(0.01, 0.5, allow_nan=False))
    ring = [[lon, lat], [lon + d, lat], [lon + d, lat + d], [lon, lat + d], [lon, lat]]
    return {"type": "Polygon", "coordinates": [ring]}


@st.composite
def _bbox(draw) -> list[float]:
    w, s = draw(_lon), draw(_lat)
    return [w, s, w + draw(st.floats(0, 2, allow_nan=False)), s + draw(st.floats(0, 1, allow_nan=False))]


#: Every Query field -> values a person may give (checked against the Query's fields below).
QUERY_VALUES: dict[str, st.SearchStrategy] = {
    "min_land_m2": _num("min_land_m2"), "max_land_m2": _num("max_land_m2"),
    "min_covered_m2": _num("min_covered_m2"), "max_covered_m2": _num("max_covered_m2"),
    "min_floor_m2": _num("min_floor_m2"), "max_floor_m2": _num("max_floor_m2"),
    "asset_kinds": _choices(FIELD["asset_kind"].choices), "origins": _choices(FIELD["origin"].choices),
    "uses": _choices(FIELD["permitted_uses"].choices), "uses_all": st.booleans(),
    "transactions": _choices(FIELD["transaction"].choices),
    "max_price_eur": _num("max_price_eur"), "max_price_eur_m2": _num("max_price_eur_m2"),
    "available_by": st.dates().map(lambda d: d.isoformat()),
    "conditions": _choices(FIELD["condition"].choices), "contaminations": _choices(FIELD["contamination"].choices),
    "min_power_kw": _num("min_power_kw"), "utilities": _choices(UTILITIES),
    "rail_siding": st.booleans(), "zls": st.booleans(), "aid_area": st.booleans(), "in_zis": st.booleans(),
    "provinces": _choices(PROVINCES), "municipalities": st.lists(st.from_regex(r"\A0[1-9]\d{4}\Z"), max_size=3),
    "statuses": _choices(FIELD["status"].choices),
    "near": st.sampled_from(["Cremona", "Milano", "Bergamo", "S. Giuliano Milanese", "Lodi"]),
    "point": st.tuples(_lat, _lon).map(list), "radius_km": _num("radius_km"),
    "polygon": _polygon(), "bbox": _bbox(),
    "max_km": st.dictionaries(st.sampled_from(list(DISTANCE_COLUMNS)), _num("max_km"), max_size=3),
    "max_min": st.dictionaries(st.sampled_from(["motorway", "rail_station", "rail_terminal", "port"]),
                               _num("max_min"), max_size=3),
    "confirmed_within_months": _num("confirmed_within_months"),
}

_POINT = st.fixed_dictionaries({"lat": _lat, "lon": _lon, "km": _num("distance_km")},
                               optional={"label": st.text(max_size=30)})


def _criterion_value(key: str) -> st.SearchStrategy:
    op, col = CRITERIA[key]
    if col == "point":
        return _POINT
    if op == "within_km":
        return _num("distance_km")
    if col == "drive_point":
        return st.fixed_dictionaries({"lat": _lat, "lon": _lon, "min": _num("max_min")},
                                     optional={"label": st.text(max_size=30)})
    if op == "within_min":
        return _num("max_min")
    if op in ("min", "max"):
        from geo.search.limits import CRITERION_LIMIT

        return _num(CRITERION_LIMIT[col])
    if op in ("any", "all"):
        return st.lists(st.sampled_from(PROVINCES if col == "province" else FIELD[col].choices), min_size=1,
                        max_size=3, unique=True)
    if op == "true":
        return st.just(True)
    from geo.search.brief import DATE_MAX, DATE_MIN

    return st.dates(min_value=DATE_MIN, max_value=DATE_MAX).map(lambda d: d.isoformat())


#: Every criterion kind -> values.
CRITERION_VALUES = {key: _criterion_value(key) for key in CRITERIA}


@st.composite
def queries(draw, keys=None) -> Query:
    keys = draw(st.sets(st.sampled_from(sorted(QUERY_VALUES)), max_size=8)) if keys is None else keys
    return make_query({k: draw(QUERY_VALUES[k]) for k in keys})


@st.composite
def briefs(draw) -> Brief:
    keys = draw(st.lists(st.sampled_from(sorted(CRITERIA)), max_size=6))
    crits = [Criterion(k, draw(CRITERION_VALUES[k]), hard=draw(st.booleans()),
                       weight=draw(_num("weight"))).checked() for k in keys]
    return Brief(name=draw(st.text(max_size=20)), criteria=crits)


def test_the_strategies_cover_every_query_field_and_every_criterion_kind():
    assert set(QUERY_VALUES) == {f.name for f in fields(Query)}
    assert set(CRITERION_VALUES) == set(CRITERIA)


def test_every_query_field_is_a_cli_option_or_built_from_one():
    from geo.commands.search import COMPOSED, QUERY_ARGS

    assert set(QUERY_ARGS) | set(COMPOSED) == {f.name for f in fields(Query)}


@settings(max_examples=300, deadline=None)
@given(queries(), briefs(), st.lists(st.sampled_from(["s1", "s2", "LOM-00012"]), max_size=4))
def test_every_query_and_brief_round_trips_through_the_link(q, b, sl):
    params = to_query_params(q, b, sl)
    assert all(isinstance(v, str) for v in params.values())
    state = parse_link(params)
    assert state.problems == []
    assert state.query == q and state.brief == b and state.shortlist == list(dict.fromkeys(sl))
    assert state.version == (2 if params else 1) and params.get("v", "2") == "2"
    # Written again, the link is the same text: a page that rewrites its URL changes nothing.
    assert to_query_params(state.query, state.brief, state.shortlist) == params


def argv_of(q: Query) -> list[str]:
    """``geo search`` options for a Query (what a person would type)."""
    out: list[str] = []
    flags = {"uses_all": "--all-uses", "rail_siding": "--rail-siding", "zls": "--zls", "aid_area": "--aid-area",
             "in_zis": "--zis"}
    lists = {"asset_kinds": "--kind", "origins": "--origin", "uses": "--use", "transactions": "--transaction",
             "conditions": "--condition", "contaminations": "--contamination", "utilities": "--utility",
             "provinces": "--province", "municipalities": "--municipality", "statuses": "--status"}
    for k, v in q.to_dict().items():
        if k in flags:
            out.append(flags[k])
        elif k in lists:
            for x in v:
                out += [lists[k], x]
        elif k in ("point", "bbox"):
            out += [f"--{k}", *map(repr, v)]
        elif k == "polygon":
            out += ["--polygon", json.dumps(v)]
        elif k == "max_km":
            for kind, km in v.items():
                out += ["--max-km", f"{kind}={km!r}"]
        elif k == "max_min":
            for kind, minutes in v.items():
                out += ["--max-min", f"{kind}={minutes!r}"]
        elif k == "confirmed_within_months":
            out += ["--confirmed-within", repr(v)]
        else:
            out += ["--" + k.replace("_", "-"), v if isinstance(v, str) else repr(v)]
    return out


@settings(max_examples=200, deadline=None)
@given(queries())
def test_the_command_line_builds_the_query_the_link_holds(q):
    from geo.commands.search import query_from_args, register

    ap = argparse.ArgumentParser()
    register(ap.add_subparsers())
    args = ap.parse_args(["search", *argv_of(q)])
    assert query_from_args(args) == q == parse_link(to_query_params(q)).query


@pytest.mark.parametrize("values,field,value", [
    ({"utilities": ["steam"]}, "utilities", "steam"),
    ({"provinces": ["XX"]}, "provinces", "XX"),
    ({"uses": ["casino"]}, "uses", "casino"),
    ({"asset_kinds": [3]}, "asset_kinds", "3"),
    ({"municipalities": ["12"]}, "municipalities", "12"),
])
def test_make_query_refuses_a_list_value_the_schema_does_not_know(values, field, value):
    with pytest.raises(UserError) as e:  # never KeyError (an unknown utility used to end in one)
        make_query(values)
    assert field in str(e.value) and value in str(e.value)
    # The valid value next to it is accepted.
    ok = {"utilities": ["gas"], "provinces": ["CR"], "uses": ["logistics"], "asset_kinds": ["area"],
          "municipalities": ["019036"]}[field]
    assert getattr(make_query({field: ok}), field) == ok


def test_limits_are_the_same_for_the_cli_the_link_and_the_query(built_catalogue, capsys):
    from geo.cli import main

    # 500 km and 2,000 ha are accepted by all three; 5,000 km by none.
    assert main(["--catalogue", str(built_catalogue), "search", "--near", "Cremona", "--radius-km", "500",
                 "--min-land-m2", "20000000", "--format", "csv"]) == 0
    capsys.readouterr()
    q = make_query(near="Cremona", radius_km=500, min_land_m2=2e7)
    assert parse_link(to_query_params(q)).query == q
    assert main(["--catalogue", str(built_catalogue), "--lang", "en", "search", "--radius-km", "5000"]) == 1
    err = capsys.readouterr().err
    assert "radius_km" in err and "out of range" in err and len(err.strip().splitlines()) == 1
    state = parse_link({"q": json.dumps({"radius_km": 5000, "zls": True})})
    assert state.query == Query(zls=True) and "q.radius_km" in state.problems[0].message("en")


# --- hostile links: one message naming the part, the rest of the link applies ---------------------------------

GOOD_Q = {"zls": True, "min_land_m2": 10000.0}
GOOD_B = {"criteria": [{"key": "power_min", "value": 2000, "hard": True, "weight": 1}]}


def _parse(q=GOOD_Q, b=GOOD_B, **extra):
    params = {"q": q if isinstance(q, str) else json.dumps(q), "b": b if isinstance(b, str) else json.dumps(b),
              **extra}
    return parse_link(params)


def _one_problem(state, part: str) -> str:
    assert len(state.problems) == 1, [p.message("en") for p in state.problems]
    en, it = state.problems[0].message("en"), state.problems[0].message("it")
    assert f"'{part}'" in en and f"«{part}»" in it
    return en


HOSTILE_Q = [
    ("deeply nested", "[" * 100_000 + "]" * 100_000, "q"),
    ("nested just past the limit", json.dumps({**GOOD_Q, "x": json.loads("[" * MAX_JSON_DEPTH + "]" * MAX_JSON_DEPTH)}),
     "q"),
    ("malformed", '{"zls": true,', "q"),
    ("not an object", "[1, 2]", "q"),
    ("a 5,000-digit number", '{"radius_km": ' + "9" * 5000 + "}", "q"),
]


@pytest.mark.parametrize("case,text,part", HOSTILE_Q, ids=[c[0] for c in HOSTILE_Q])
def test_an_unreadable_filters_part_is_named_and_the_brief_still_applies(case, text, part):
    state = _parse(q=text)
    _one_problem(state, part)
    assert state.query == Query() and [c.key for c in state.brief.criteria] == ["power_min"]


HOSTILE_FIELDS = [
    ("unknown province", {"provinces": ["CR", "ZZ"]}, "q.provinces", "ZZ"),
    ("unknown use", {"uses": ["casino"]}, "q.uses", "casino"),
    ("unknown utility", {"utilities": ["steam"]}, "q.utilities", "steam"),
    ("unknown filter", {"flying": True}, "q.flying", "flying"),
    ("wrong type: flag", {"rail_siding": "no"}, "q.rail_siding", "no"),
    ("wrong type: number", {"radius_km": "far"}, "q.radius_km", "far"),
    ("wrong type: list", {"municipalities": {"a": 1}}, "q.municipalities", "municipalities"),
    ("out of range", {"radius_km": 5000}, "q.radius_km", "5.000"),
    ("out of range area", {"max_land_m2": 1e12}, "q.max_land_m2", "out of range"),
    ("negative", {"min_power_kw": -1}, "q.min_power_kw", "-1"),
    ("not finite", {"max_price_eur": 1e999}, "q.max_price_eur", "finite"),
    ("bbox upside down", {"bbox": [10, 46, 9, 45]}, "q.bbox", "west"),
    ("bbox off the globe", {"bbox": [9, 45, 400, 46]}, "q.bbox", "out of range"),
    ("unreadable polygon", {"polygon": {"type": "Polygon", "coordinates": [[1, 2]]}}, "q.polygon", "GeoJSON"),
    ("unknown infrastructure", {"max_km": {"spaceport": 3}}, "q.max_km", "spaceport"),
    ("date", {"available_by": "tomorrow"}, "q.available_by", "tomorrow"),
    ("long place name", {"near": "x" * 5000}, "q.near", "200"),
]


@pytest.mark.parametrize("case,bad,part,quoted", HOSTILE_FIELDS, ids=[c[0] for c in HOSTILE_FIELDS])
def test_a_bad_filter_is_named_and_the_other_filters_and_the_brief_still_apply(case, bad, part, quoted):
    state = _parse(q={**GOOD_Q, **bad})
    en = _one_problem(state, part)
    assert quoted in en or quoted in state.problems[0].message("it")
    assert state.query == make_query(GOOD_Q) and [c.key for c in state.brief.criteria] == ["power_min"]


HOSTILE_CRITERIA = [
    ("unknown criterion", {"key": "flying_cars", "value": 1}, "flying_cars"),
    ("wrong type", {"key": "power_min", "value": [1]}, "power_min"),
    ("out of range", {"key": "airport_km", "value": 1e6}, "airport_km"),
    ("unknown use", {"key": "uses_any", "value": ["casino"]}, "casino"),
    ("unknown province", {"key": "province", "value": ["ZZ"]}, "ZZ"),
    ("bad point", {"key": "distance_to_point_km", "value": {"lat": 95, "lon": 9, "km": 5}}, "lat"),
    ("bad date", {"key": "available_by", "value": "0001-01-01"}, "0001-01-01"),
    ("bad weight", {"key": "gas", "value": True, "weight": "heavy"}, "heavy"),
    ("bad hard", {"key": "gas", "value": True, "hard": "yes"}, "yes"),
    ("extra member", {"key": "gas", "value": True, "colour": "red"}, "gas"),
    ("not an object", 7, "b.criteria[1]"),
]


@pytest.mark.parametrize("case,bad,quoted", HOSTILE_CRITERIA, ids=[c[0] for c in HOSTILE_CRITERIA])
def test_a_bad_criterion_is_named_and_the_other_criteria_and_the_filters_still_apply(case, bad, quoted):
    good2 = {"key": "fibre", "value": True, "hard": False, "weight": 2}
    state = _parse(b={"criteria": [GOOD_B["criteria"][0], bad, good2]})
    en = _one_problem(state, "b.criteria[1]" + (f" ({bad['key']})" if isinstance(bad, dict) else ""))
    assert quoted in en
    assert [c.key for c in state.brief.criteria] == ["power_min", "fibre"] and state.query == make_query(GOOD_Q)


def test_a_brief_that_is_not_one_or_from_a_newer_version_is_named_and_the_filters_apply():
    for b, part in (('{"criteria": [', "b"), ('{"name": "x"}', "b"), ('{"version": 99, "criteria": []}', "b.version"),
                    ("[" * 10_000, "b")):
        state = _parse(b=b)
        _one_problem(state, part)
        assert state.query == make_query(GOOD_Q) and state.brief == Brief()


def test_an_unknown_version_is_named_and_the_rest_is_read_as_the_current_one():
    state = _parse(v="99")
    _one_problem(state, "v")
    assert state.query == make_query(GOOD_Q) and [c.key for c in state.brief.criteria] == ["power_min"]
    assert _parse(v="2").problems == [] and _parse(v="2").version == 2


def test_a_link_made_before_the_version_reads_as_version_1():
    """Links shared today (q/b/sl, no v) keep working."""
    old = {"q": '{"near":"Cremona","radius_km":30,"zls":true}',
           "b": '{"criteria":[{"hard":true,"key":"power_min","value":5000,"weight":1}],"name":"","version":1}',
           "sl": "a,b"}
    state = parse_link(old)
    assert state.version == 1 and state.problems == []
    assert state.query == make_query(near="Cremona", radius_km=30, zls=True)
    assert state.brief.criteria == [Criterion("power_min", 5000.0)] and state.shortlist == ["a", "b"]


def test_the_same_site_twice_in_a_shortlist_is_read_once():
    assert parse_link({"sl": "a,b,a,,b,c"}).shortlist == ["a", "b", "c"]
    state = parse_link({"sl": "a," + "x" * 500})
    assert state.shortlist == ["a"] and "'sl'" in state.problems[0].message("en")


def test_the_strict_form_raises_the_first_problem():
    from geo.search import from_query_params

    with pytest.raises(UserError, match="q.utilities"):
        from_query_params({"q": '{"utilities": ["steam"]}'})
