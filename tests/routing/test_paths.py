"""Shortest truck times on synthetic networks with hand-computed answers."""

from __future__ import annotations

import numpy as np
import pytest

from geo.routing.graph import DEFAULT, from_lines
from geo.routing.isochrones import sites_within, zones, cached_reach
from geo.routing.paths import nearest, reach
from geo.routing.speeds import Profile, parse

NO_PENALTY = Profile(junction_s=0.0)


def xy(*pts):
    return np.array(pts, dtype=float)


def test_one_way_is_respected_and_the_way_back_is_the_long_detour():
    # 10 km one-way primary east (70 km/h = 8.5714 min); back by 20 km of residential streets (30 km/h = 40 min)
    g = from_lines([([(0, 0), (10_000, 0)], "primary", None, 1),
                    ([(10_000, 0), (10_000, 5000), (0, 5000), (0, 0)], "residential", None, 0)], NO_PENALTY)
    east = nearest(g, NO_PENALTY, xy((0, 0)), xy((10_000, 0)))
    west = nearest(g, NO_PENALTY, xy((10_000, 0)), xy((0, 0)))
    assert east.minutes[0] == pytest.approx(60 / 7, rel=1e-6)
    assert west.minutes[0] == pytest.approx(40.0, rel=1e-6)
    assert east.computed.all() and west.computed.all()


def test_oneway_backwards_and_maxspeed_below_the_truck_speed():
    g = from_lines([([(0, 0), (6000, 0)], "motorway", 60, -1)], NO_PENALTY)  # drawn east, driven west
    assert nearest(g, NO_PENALTY, xy((6000, 0)), xy((0, 0))).minutes[0] == pytest.approx(6.0)
    assert np.isnan(nearest(g, NO_PENALTY, xy((0, 0)), xy((6000, 0))).minutes[0])


def test_a_slow_ferry_like_edge_is_taken_only_when_it_saves_time():
    road = ([(0, 0), (0, 10_000), (20_000, 10_000), (20_000, 0)], "primary", None, 0)  # 40 km at 70: 34.29 min
    short_ferry = ([(0, 0), (20_000, 0)], "ferry", None, 0)  # 20 km at 10 km/h: 120 min
    g = from_lines([road, short_ferry], NO_PENALTY)
    assert nearest(g, NO_PENALTY, xy((0, 0)), xy((20_000, 0))).minutes[0] == pytest.approx(40 * 60 / 70)
    g2 = from_lines([road, ([(0, 0), (4000, 0)], "ferry", None, 0), ([(4000, 0), (20_000, 0)], "motorway", None, 0)],
                    NO_PENALTY)
    # 4 km ferry (24 min) + 16 km motorway (12 min) = 36 min > 34.29: the road still wins
    assert nearest(g2, NO_PENALTY, xy((0, 0)), xy((20_000, 0))).minutes[0] == pytest.approx(40 * 60 / 70)
    fast = parse("ferry=20", NO_PENALTY)  # 12 + 12 = 24 min: now the ferry wins
    g3 = from_lines([road, ([(0, 0), (4000, 0)], "ferry", None, 0), ([(4000, 0), (20_000, 0)], "motorway", None, 0)],
                    fast)
    assert nearest(g3, fast, xy((0, 0)), xy((20_000, 0))).minutes[0] == pytest.approx(24.0)


def test_a_disconnected_piece_is_unknown_not_guessed():
    g = from_lines([([(0, 0), (5000, 0)], "primary", None, 0),
                    ([(50_000, 0), (55_000, 0)], "primary", None, 0)], NO_PENALTY)
    r = nearest(g, NO_PENALTY, xy((0, 0), (55_000, 0)), xy((50_000, 0)))
    assert np.isnan(r.minutes[0]) and r.dest[0] == -1
    assert r.minutes[1] == pytest.approx(5000 / (70_000 / 60))
    assert g.components()[0] == 2


def test_nearest_of_several_destinations_names_the_right_one_and_adds_the_legs():
    p = Profile(junction_s=0.0, detour=1.5, local_kmh=30.0)
    g = from_lines([([(0, 0), (10_000, 0)], "motorway", None, 0), ([(10_000, 0), (30_000, 0)], "motorway", None, 0)],
                   p)
    # site 1 km off the west end; destinations: 400 m off x=10 km, and at 30 km
    r = nearest(g, p, xy((0, 1000)), xy((30_000, 0), (10_000, -400)))
    leg = lambda m: m * 1.5 / 500.0  # 30 km/h = 500 m/min  # noqa: E731
    assert r.dest[0] == 1
    assert r.minutes[0] == pytest.approx(leg(1000) + 10_000 / (80_000 / 60) + leg(400))
    # 2 km away from the network: estimated, not computed
    far = nearest(g, p, xy((0, 2500)), xy((30_000, 0)))
    assert not far.computed[0] and far.minutes[0] == pytest.approx(leg(2500) + 30_000 / (80_000 / 60))


def test_junction_penalty_applies_where_three_roads_meet():
    p = Profile()  # 10 s at a junction of three or more
    g = from_lines([([(0, 0), (1000, 0)], "primary", None, 0), ([(1000, 0), (2000, 0)], "primary", None, 0),
                    ([(1000, 0), (1000, 1000)], "primary", None, 0)], p)
    assert nearest(g, p, xy((0, 0)), xy((2000, 0))).minutes[0] == pytest.approx(2000 / (70_000 / 60) + 10 / 60)


def test_default_graph_joins_at_exits_pays_access_and_may_go_direct():
    p = Profile(junction_s=0.0)  # access_min 2, detour 1.3, 40 km/h
    g = from_lines([([(0, 0), (40_000, 0)], "motorway", None, 0)], p, kind=DEFAULT)
    r = nearest(g, p, xy((0, 0), (35_000, 0)), xy((40_000, 0)))
    assert r.minutes[0] == pytest.approx(2 + 30 + 2)  # on at the west exit, 40 km at 80, off at the east exit
    assert r.minutes[1] == pytest.approx(p.leg_min(5000))  # 9.75 min direct beats 2 + 3.75 + 2
    assert not r.computed.any()


def test_isochrone_and_sites_within_minutes_of_a_point():
    p = Profile(junction_s=0.0)
    g = from_lines([([(0, 0), (40_000, 0)], "motorway", None, 0)], p, kind=DEFAULT)
    z = zones(cached_reach(g, p, (0.0, 0.0)))
    # 10 min: the direct leg only (10 / 1.3 * 40/60 km = 5.13 km); 30 min: the east exit reached at 32 min? no:
    # 2 + 30 = 32 > 30, so still only the disc around the start
    assert z[10].bounds[2] == pytest.approx(10 / p.leg_min(1.0), rel=1e-3)
    assert z[30].bounds[2] < 40_000
    sites = xy((3000, 0), (8000, 0), (41_000, 0))
    assert sites_within(g, p, (0.0, 0.0), sites, 10).tolist() == [True, False, False]
    # the third: on at 0, 40 km at 80 (30 min), off (2 + 2 min), 1 km leg (1.95 min) = 35.95 min
    assert sites_within(g, p, (0.0, 0.0), sites, 35.9).tolist() == [True, True, False]
    assert sites_within(g, p, (0.0, 0.0), sites, 36).tolist() == [True, True, True]


def test_reach_beyond_its_bound_is_inf_unbounded_exact_and_a_site_without_coordinates_nan():
    # the one-way loop of the first test: from (10 km, 0) back to (0, 0) only by 40 min of residential streets
    g = from_lines([([(0, 0), (10_000, 0)], "primary", None, 1),
                    ([(10_000, 0), (10_000, 5000), (0, 5000), (0, 0)], "residential", None, 0),
                    ([(90_000, 0), (99_000, 0)], "primary", None, 0)], NO_PENALTY)  # a piece of its own
    sites = xy((0, 0), (np.nan, np.nan), (99_000, 0), (10_000, np.nan))
    bounded = reach(g, NO_PENALTY, (10_000.0, 0.0), 30.0).sites_min(sites)
    assert np.isinf(bounded[0]) and np.isinf(bounded[2]) and np.isnan(bounded[[1, 3]]).all()
    unbounded = reach(g, NO_PENALTY, (10_000.0, 0.0), np.inf).sites_min(sites)
    assert unbounded[0] == pytest.approx(40.0, rel=1e-6)  # joined to the point, further than the bound
    assert np.isinf(unbounded[2]) and np.isnan(unbounded[[1, 3]]).all()
    # on the default graph the direct leg reaches every located site; one without coordinates has no leg
    d = from_lines([([(0, 0), (40_000, 0)], "motorway", None, 0)], NO_PENALTY, kind=DEFAULT)
    m = reach(d, NO_PENALTY, (0.0, 0.0), 30.0).sites_min(xy((3000, 0), (np.nan, 0), (400_000, 0)))
    assert m[0] == pytest.approx(NO_PENALTY.leg_min(3000)) and np.isnan(m[1]) and np.isfinite(m[2])
    assert sites_within(d, NO_PENALTY, (0.0, 0.0), xy((3000, 0), (np.nan, 0)), 10).tolist() == [True, False]


def test_profile_refuses_nonsense():
    from geo.errors import UserError

    for bad in ("motorway=0", "motorway", "warp=3", "detour=0.5", "motorway=abc"):
        with pytest.raises(UserError):
            parse(bad)


def test_isochrone_on_an_imported_network_follows_the_roads_driven():
    import shapely

    p = Profile(junction_s=0.0)
    g = from_lines([([(0, 0), (20_000, 0)], "primary", None, 0), ([(0, 0), (0, 20_000)], "residential", None, 0)], p)
    z = zones(cached_reach(g, p, (0.0, 0.0)))
    # 10 min: 11.67 km along the primary (70 km/h), 5 km up the residential street (30 km/h), +500 m off-road
    assert z[10].contains(shapely.Point(11_000, 0)) and not z[10].contains(shapely.Point(12_700, 0))
    assert z[10].contains(shapely.Point(0, 4_500)) and not z[10].contains(shapely.Point(0, 6_000))
    assert not z[10].contains(shapely.Point(8000, 8000))  # between the roads: not reached
    assert z[30].contains(shapely.Point(19_500, 0))


def test_nearest_of_a_site_without_coordinates_is_unknown_and_its_neighbours_still_answered():
    # The same KD-tree look-ups as reach(): on an imported network and on the default graph (direct leg too).
    g = from_lines([([(0, 0), (5000, 0)], "primary", None, 0)], NO_PENALTY)
    r = nearest(g, NO_PENALTY, xy((0, 0), (np.nan, np.nan), (5000, np.nan)), xy((5000, 0)))
    assert r.minutes[0] == pytest.approx(5000 / (70_000 / 60)) and r.dest[0] == 0 and r.computed[0]
    assert np.isnan(r.minutes[1:]).all() and (r.dest[1:] == -1).all() and not r.computed[1:].any()
    d = from_lines([([(0, 0), (40_000, 0)], "motorway", None, 0)], NO_PENALTY, kind=DEFAULT)
    r = nearest(d, NO_PENALTY, xy((np.nan, 0), (35_000, 0)), xy((40_000, 0)))
    assert np.isnan(r.minutes[0]) and r.dest[0] == -1
    assert r.minutes[1] == pytest.approx(NO_PENALTY.leg_min(5000)) and r.dest[1] == 0
