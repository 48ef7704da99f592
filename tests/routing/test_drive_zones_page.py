"""The find page draws truck drive-time zones from a point and adds "sites within N minutes" to the brief."""

from __future__ import annotations

import json

from tests.web.test_pages import app_env, run_page  # noqa: F401 - the fixture is used by name

CREMONA = [45.1336, 10.0227]


def test_zones_from_the_marker_and_the_within_minutes_button(app_env, catalogue):  # noqa: F811
    at = run_page("find", lang="en", q=json.dumps({"point": CREMONA, "radius_km": 60}))
    n_all = int(at.subheader[0].value.split()[0])
    at.checkbox(key="drive_zones_on").check().run()
    assert not at.exception
    at.number_input(key="drive_zones_min").set_value(15.0).run()
    at.button(key="drive_zones_filter").click().run()
    assert not at.exception, at.exception
    brief = json.loads(at.query_params["b"][0] if isinstance(at.query_params["b"], list) else at.query_params["b"])
    crit = [c for c in brief["criteria"] if c["key"] == "drive_from_point_min"]
    assert crit and crit[0]["value"]["min"] == 15.0 and crit[0]["value"]["lat"] == CREMONA[0]
    assert n_all > 0
