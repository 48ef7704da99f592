"""A search resolves its place, circle and area once, and carries them: the find page and ``geo search`` read
them from the SearchResult instead of looking the place up or computing the area again (issue 17, item 2)."""

from __future__ import annotations

import argparse
from dataclasses import fields

import pytest
import shapely

from geo.cli import main
from geo.errors import UserError
from geo.search import Query, SearchIndex, make_query, search
from geo.search.query import FLAGS, LISTS, NUMBERS, list_choices, resolve, transformer


@pytest.fixture(scope="module")
def index(catalogue):
    return SearchIndex.from_sites(catalogue.sites(statuses=None))


class CountingPlaces:
    """The real municipality index, counting its (costly, tolerant) name look-ups."""

    def __init__(self, places):
        self.places, self.finds = places, 0

    def find(self, name):
        self.finds += 1
        return self.places.find(name)

    def __getattr__(self, name):
        return getattr(self.places, name)


def test_a_place_search_carries_the_place_and_its_circle_looked_up_once(index, places):
    counting = CountingPlaces(places)
    res = search(index, make_query(near="cremona", radius_km=25), role="staff", places=counting)
    assert res.place["name"] == "Cremona" and res.place["province"] == "CR"
    lat, lon, km = res.circle
    assert km == 25 and 45.0 < lat < 45.3 and 9.9 < lon < 10.2
    assert res.area is None
    assert counting.finds == 1  # the filter, the circle and the caption: one look-up
    # The circle is the one the filter used: every site found is within it, every other one outside.
    x0, y0 = transformer(4326, 32632).transform(lon, lat)
    d = ((index.x - x0) ** 2 + (index.y - y0) ** 2) ** 0.5 / 1000
    inside = set(index.sites["site_id"][d <= 25])
    assert set(res.sites["site_id"]) == inside and inside


def test_a_point_search_carries_its_circle_and_no_place(index, places):
    res = search(index, make_query(point=[45.46, 9.19]), role="staff", places=places)
    assert res.place is None and res.circle == (45.46, 9.19, 20.0)


def test_a_drawn_area_is_computed_once_and_carried(index, places):
    poly = {"type": "Polygon", "coordinates": [[[9.0, 45.3], [9.4, 45.3], [9.4, 45.6], [9.0, 45.6], [9.0, 45.3]]]}
    res = search(index, make_query(polygon=poly, bbox=[9.2, 45.0, 10.0, 46.0]), role="staff", places=places)
    assert res.area.equals(shapely.box(9.2, 45.3, 9.4, 45.6)) and res.circle is None
    geo = res.sites.geometry
    assert len(res) and shapely.contains_xy(res.area, geo.x, geo.y).all()


def test_a_place_that_does_not_exist_is_one_user_error(places):
    with pytest.raises(UserError) as e:
        resolve(make_query(near="Atlantide"), places)
    assert "Atlantide" in e.value.message("en")


def test_transformers_are_built_once():
    assert transformer(4326, 32632) is transformer(4326, 32632)
    assert transformer(32632, 4326) is not transformer(4326, 32632)


def test_the_cli_prints_the_place_the_search_settled_on(built_catalogue, capsys):
    assert main(["--catalogue", str(built_catalogue), "search", "--near", "S. Donato Milanese", "--format",
                 "csv"]) == 0
    assert "near: San Donato Milanese (Milano, ISTAT " in capsys.readouterr().err  # the province by name


def test_every_query_field_has_a_cli_option_of_its_kind():
    from geo.commands.search import COMPOSED, register

    ap = argparse.ArgumentParser()
    register(ap.add_subparsers())
    parser = ap._subparsers._group_actions[0].choices["search"]
    actions = {a.dest: a for a in parser._actions}
    for f in fields(Query):
        if f.name in COMPOSED:
            continue
        a = actions[f.name]
        if f.name in LISTS:
            assert a.choices == (list_choices()[f.name] or None)
        elif f.name in FLAGS:
            assert a.const is True
        elif f.name in NUMBERS:
            assert a.type.__name__ == f.name  # checked by make_query against the limits table
