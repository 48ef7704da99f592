"""Search by truck drive time end to end: CLI --max-min, the link, brief criteria with reasons and verdicts."""

from __future__ import annotations

import io
import json

import numpy as np
import pandas as pd
import pytest

from geo.cli import main
from geo.errors import UserError
from geo.search import Brief, SearchIndex, search
from geo.search.brief import Criterion
from geo.search.params import parse_link, to_query_params
from geo.search.query import make_query


def test_cli_max_min_keeps_exactly_the_sites_within_the_minutes(built_catalogue, catalogue, capsys):
    assert main(["--catalogue", str(built_catalogue), "search", "--max-min", "motorway=8", "--format", "csv"]) == 0
    out = pd.read_csv(io.StringIO(capsys.readouterr().out))
    sites = catalogue.sites()
    want = set(sites.loc[sites["drive_motorway_min"].astype(float) <= 8, "site_id"])
    assert set(out["site_id"]) == want and 0 < len(want) < len(sites)
    assert (out["drive_motorway_min"] <= 8).all()
    for kind in ("motorway", "rail_station", "rail_terminal", "port"):
        assert f"drive_{kind}_min" in out.columns


def test_geojson_carries_the_drive_columns_and_their_provenance(built_catalogue, capsys):
    main(["--catalogue", str(built_catalogue), "search", "--max-min", "rail_station=15", "--limit", "3"])
    feats = json.loads(capsys.readouterr().out)["features"]
    assert feats and all(f["properties"]["drive_rail_station_min"] <= 15 for f in feats)
    assert all(f["properties"]["drive_rail_station_min__prov"] == "estimated" for f in feats)
    assert all(f["properties"]["drive_rail_station_to"] for f in feats)


@pytest.mark.parametrize("args, message", [
    (["--max-min", "moon=3"], "unknown kind 'moon'"),
    (["--max-min", "motorway"], "KIND=MIN"),
    (["--max-min", "motorway=-2"], "cannot be negative"),
    (["--max-min", "motorway=100000"], "out of range"),
])
def test_cli_refuses_a_bad_max_min_in_one_line(built_catalogue, capsys, args, message):
    assert main(["--catalogue", str(built_catalogue), "search", *args]) == 1
    assert message in capsys.readouterr().err


def test_the_link_round_trips_max_min_and_old_links_still_read():
    q = make_query(max_min={"port": "45", "motorway": 10})
    state = parse_link(to_query_params(q, Brief(criteria=[Criterion("drive_port_min", 30.0)])))
    assert state.query.max_min == {"port": 45.0, "motorway": 10.0} and not state.problems
    assert state.brief.criteria[0].key == "drive_port_min"
    old = parse_link({"v": "2", "q": json.dumps({"max_km": {"airport": 30}})})  # a link made before issue 20
    assert old.query.max_km == {"airport": 30.0} and old.query.max_min == {} and not old.problems
    bad = parse_link({"v": "2", "q": json.dumps({"max_min": {"spaceport": 3}, "zls": True})})
    assert bad.query.zls and [str(p.params.get("part", "")) or p for p in bad.problems]
    with pytest.raises(UserError):
        make_query(max_min={"motorway": "soon"})


def test_brief_criterion_gives_pass_fail_unknown_with_reasons(catalogue):
    index = SearchIndex.from_sites(catalogue.sites())
    brief = Brief(criteria=[Criterion("drive_motorway_min", 10.0), Criterion("drive_port_min", 60.0, hard=False)])
    res = search(index, None, brief)
    table = res.sites
    mins = table["drive_motorway_min"].astype(float).to_numpy()
    verdict = table["verdict"].to_numpy()
    assert (verdict[mins <= 10] != "FAIL").all()
    assert (verdict[mins > 11] == "FAIL").all()
    near = table.loc[mins <= 10, "site_id"].iloc[0]
    (label, v, reason), (plabel, pv, preason) = res.explain(near, "en")
    row = table[table["site_id"] == near].iloc[0]
    assert v == "PASS"
    assert reason == f"{row['drive_motorway_min']:.1f} min to {row['drive_motorway_to']}, estimated (within 10 min)"
    assert pv == "UNKNOWN" and "layer 'port' not loaded" in preason  # no port in the demo catalogue
    it = res.explain(near, "it")[0][2]
    assert "stimato (entro 10 min)" in it  # Italian reason
    assert np.isfinite(mins).all()


def test_the_sheet_shows_the_times_with_their_provenance_and_method(catalogue):
    from geo.render.values import sheet_rows

    rec = catalogue.records(catalogue.sites()["site_id"].head(1).tolist())[0]
    rows = {label: (value, prov) for _g, _l, rs in sheet_rows(rec, "it") for label, value, prov in rs}
    value, prov = rows["In camion all'uscita autostradale più vicina"]
    assert value.endswith(" min") and prov == "estimated"
    assert rows["Uscita autostradale raggiunta"][0] == rec["drive_motorway_to"]
    assert rows["Tempi di guida: metodo"][0].startswith("stimati: grafo autostradale di Regione Lombardia")  # in Italian
