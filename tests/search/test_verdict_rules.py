"""The verdict rules at their edges: thresholds, the 10 % band, the 90-day grace, the overall order, the score.

Each assertion sits on a boundary that a one-character change to ``geo.search.verdict_rules`` moves
(``>=`` to ``>``, 10 % to 25 %, which hard verdict wins), so that such a change fails here.
"""

from __future__ import annotations

import numpy as np
import pytest

from geo.search import Brief, Criterion
from geo.search.verdict import NO_VERDICT_COLOUR, Verdict
from geo.search.verdict_rules import (CONDITIONAL, DATE_GRACE_DAYS, FAIL, PASS, TOLERANCE, UNKNOWN, criterion_codes,
                                 evaluate, judge, reason, reasons)
from tests.search.test_search import make_index

NAME = {PASS: "PASS", CONDITIONAL: "CONDITIONAL", FAIL: "FAIL", UNKNOWN: "UNKNOWN"}


def codes(rows: list[dict], crit: Criterion) -> list[str]:
    idx = make_index(rows)
    return [NAME[int(c)] for c in criterion_codes(idx, crit, np.arange(len(rows)))]


def overall(rows: list[dict], *criteria: Criterion) -> list[str]:
    idx = make_index(rows)
    _, ov, _ = judge(idx, Brief(criteria=list(criteria)), np.arange(len(rows)))
    return [NAME[int(c)] for c in ov]


def test_the_band_is_ten_percent():
    assert TOLERANCE == 0.10 and DATE_GRACE_DAYS == 90


# ------------------------------------------------------------------ thresholds and the 10 % band
def test_minimum_met_exactly_passes_and_the_band_ends_at_ninety_percent():
    rows = [{"power_kw": v} for v in (5000.0, 4999.0, 4500.0, 4499.0, 3800.0, 3700.0)]
    assert codes(rows, Criterion("power_min", 5000)) == ["PASS", "CONDITIONAL", "CONDITIONAL", "FAIL", "FAIL",
                                                         "FAIL"]


def test_maximum_met_exactly_passes_and_the_band_ends_at_hundred_and_ten_percent():
    rows = [{"land_area_m2": v} for v in (10000.0, 10001.0, 10999.0, 11001.0, 12400.0, 12600.0)]
    assert codes(rows, Criterion("land_area_max", 10000)) == ["PASS", "CONDITIONAL", "CONDITIONAL", "FAIL", "FAIL",
                                                              "FAIL"]


def test_the_band_edge_itself_is_conditional():
    edge = 10000 * (1 + TOLERANCE)
    assert codes([{"land_area_m2": edge}], Criterion("land_area_max", 10000)) == ["CONDITIONAL"]
    assert codes([{"power_kw": 5000 * (1 - TOLERANCE)}], Criterion("power_min", 5000)) == ["CONDITIONAL"]


def test_codes_follow_the_rows_asked_for():
    """Any subset or order of rows gets the codes those rows have in the full index."""
    rows = [{"permitted_uses": "logistics", "implementation_plan": "to_be_approved", "contamination": "none_known",
             "transaction": "sale"},
            {"permitted_uses": "offices", "contamination": "investigating", "transaction": "lease"},
            {"permitted_uses": "logistics", "contamination": "suspected", "transaction": "sale_or_lease"}]
    idx = make_index(rows)
    for crit in (Criterion("uses_any", ["logistics"]), Criterion("contamination", ["none_known"]),
                 Criterion("transaction", ["lease"])):
        full = criterion_codes(idx, crit, np.arange(3))
        for sub in ([2, 0], [1], [0, 2, 1]):
            assert criterion_codes(idx, crit, np.array(sub)).tolist() == full[sub].tolist()


def test_other_transactions_do_not_widen_to_sale_or_lease():
    rows = [{"transaction": "other"}, {"transaction": "sale_or_lease"}]
    assert codes(rows, Criterion("transaction", ["other"])) == ["PASS", "FAIL"]


def test_distance_within_exactly_passes_and_the_band_is_ten_percent():
    rows = [{"dist_airport_km": v} for v in (20.0, 20.5, 21.9, 22.1, 24.0, {}.get("x"))]
    assert codes(rows, Criterion("airport_km", 20)) == ["PASS", "CONDITIONAL", "CONDITIONAL", "FAIL", "FAIL",
                                                        "UNKNOWN"]


def test_distance_to_a_point_is_measured_in_km():
    # In the metric CRS 45.095 N is 10.55 km north of 45.0 N, and 45.1 N 11.11 km: within 10 km + 10 %, beyond.
    rows = [{"lat": 45.0, "lon": 10.0}, {"lat": 45.095, "lon": 10.0}, {"lat": 45.1, "lon": 10.0}]
    crit = Criterion("distance_to_point_km", {"lat": 45.0, "lon": 10.0, "km": 10, "label": "port"})
    assert codes(rows, crit) == ["PASS", "CONDITIONAL", "FAIL"]
    crit = Criterion("distance_to_point_km", {"lat": 45.0, "lon": 10.0, "km": 9.5, "label": "port"})
    assert codes(rows, crit) == ["PASS", "FAIL", "FAIL"]  # 10.55 > 9.5 * 1.1
    # 45.09 N is 9.9987 km away: metres are divided by exactly 1000 (9.99 km is just short of it).
    edge = [{"lat": 45.09, "lon": 10.0}]
    assert codes(edge, Criterion("distance_to_point_km", {"lat": 45.0, "lon": 10.0, "km": 9.99})) == ["CONDITIONAL"]
    assert codes(edge, Criterion("distance_to_point_km", {"lat": 45.0, "lon": 10.0, "km": 9.999})) == ["PASS"]


def test_a_missing_number_is_unknown_on_both_sides():
    assert codes([{}], Criterion("power_min", 0)) == ["UNKNOWN"]
    assert codes([{}], Criterion("price_max", 1e12)) == ["UNKNOWN"]


# ------------------------------------------------------------------ dates, booleans, categories, uses
def test_availability_date_and_ninety_days_of_grace():
    rows = [{"available_from": d} for d in ("2026-06-30", "2026-07-01", "2026-09-28", "2026-09-29", None)]
    assert codes(rows, Criterion("available_by", "2026-06-30")) == ["PASS", "CONDITIONAL", "CONDITIONAL", "FAIL",
                                                                    "UNKNOWN"]


def test_yes_no_criteria():
    rows = [{"rail_siding": True}, {"rail_siding": False}, {}]
    assert codes(rows, Criterion("rail_siding", True)) == ["PASS", "FAIL", "UNKNOWN"]
    assert codes([{"zis_id": "Z1"}, {}], Criterion("in_zis", True))[0] == "PASS"


def test_uses_any_all_and_the_implementation_plan():
    rows = [{"permitted_uses": "logistics;offices"}, {"permitted_uses": "logistics"},
            {"permitted_uses": "logistics;offices", "implementation_plan": "to_be_approved"},
            {"permitted_uses": "retail"}, {"permitted_uses": None}]
    assert codes(rows, Criterion("uses_all", ["logistics", "offices"])) == ["PASS", "FAIL", "CONDITIONAL", "FAIL",
                                                                            "UNKNOWN"]
    assert codes(rows, Criterion("uses_any", ["offices", "industrial"])) == ["PASS", "FAIL", "CONDITIONAL", "FAIL",
                                                                              "UNKNOWN"]


def test_a_site_with_only_the_first_use_is_known():
    from geo.search.index import USES

    first = USES[0]
    rows = [{"permitted_uses": first}, {"permitted_uses": USES[1]}]
    assert codes(rows, Criterion("uses_any", [first])) == ["PASS", "FAIL"]
    assert codes(rows, Criterion("uses_all", [first, USES[1]])) == ["FAIL", "FAIL"]
    assert codes([{"permitted_uses": f"{first};{USES[1]}"}], Criterion("uses_all", [first, USES[1]])) == ["PASS"]


def test_transaction_sale_or_lease_satisfies_either():
    rows = [{"transaction": "sale_or_lease"}, {"transaction": "sale"}, {"transaction": "lease"}, {}]
    assert codes(rows, Criterion("transaction", ["lease"])) == ["PASS", "FAIL", "PASS", "UNKNOWN"]
    assert codes(rows, Criterion("transaction", ["sale"])) == ["PASS", "PASS", "FAIL", "UNKNOWN"]


def test_other_categories_do_not_widen():
    rows = [{"province": "MN"}, {"province": "CR"}, {"province": None}]
    assert codes(rows, Criterion("province", ["MN"])) == ["PASS", "FAIL", "UNKNOWN"]


def test_contamination_under_investigation_is_conditional_only_when_a_clean_site_is_asked():
    rows = [{"contamination": c} for c in ("none_known", "remediated", "investigating", "remediation_ongoing",
                                           "suspected")] + [{}]
    assert codes(rows, Criterion("contamination", ["none_known"])) == ["PASS", "FAIL", "CONDITIONAL", "CONDITIONAL",
                                                                        "FAIL", "UNKNOWN"]
    assert codes(rows, Criterion("contamination", ["remediated"])) == ["FAIL", "PASS", "CONDITIONAL", "CONDITIONAL",
                                                                        "FAIL", "UNKNOWN"]
    assert codes(rows, Criterion("contamination", ["none_known", "remediated"])) == [
        "PASS", "PASS", "CONDITIONAL", "CONDITIONAL", "FAIL", "UNKNOWN"]
    # Someone who accepts a suspected site is not asking for a clean one: no conditional band.
    assert codes(rows, Criterion("contamination", ["none_known", "suspected"])) == [
        "PASS", "FAIL", "FAIL", "FAIL", "PASS", "UNKNOWN"]


# ------------------------------------------------------------------ overall verdict
def test_hard_fail_wins_over_hard_unknown_whatever_the_order():
    rows = [{"power_kw": 100.0}]  # land area unknown
    assert overall(rows, Criterion("power_min", 5000), Criterion("land_area_min", 1000)) == ["FAIL"]
    assert overall(rows, Criterion("land_area_min", 1000), Criterion("power_min", 5000)) == ["FAIL"]


def test_hard_unknown_wins_over_conditional_and_pass():
    rows = [{"power_kw": 4800.0, "land_area_m2": 5000.0}]
    assert overall(rows, Criterion("power_min", 5000), Criterion("land_area_min", 1000),
                   Criterion("covered_area_min", 100)) == ["UNKNOWN"]


def test_each_site_gets_its_own_overall():
    rows = [{"power_kw": 6000.0}, {}, {"power_kw": 100.0}, {"power_kw": 4800.0}]
    assert overall(rows, Criterion("power_min", 5000)) == ["PASS", "UNKNOWN", "FAIL", "CONDITIONAL"]


def test_conditional_anywhere_makes_the_overall_conditional_even_when_soft():
    rows = [{"power_kw": 6000.0, "land_area_m2": 950.0}, {"power_kw": 4800.0, "land_area_m2": 5000.0},
            {"power_kw": 6000.0, "land_area_m2": 5000.0}]
    assert overall(rows, Criterion("power_min", 5000), Criterion("land_area_min", 1000, hard=False)) == [
        "CONDITIONAL", "CONDITIONAL", "PASS"]


def test_soft_fail_and_soft_unknown_do_not_change_the_overall():
    rows = [{"power_kw": 6000.0, "land_area_m2": 10.0}, {"power_kw": 6000.0}]
    assert overall(rows, Criterion("power_min", 5000), Criterion("land_area_min", 1000, hard=False)) == [
        "PASS", "PASS"]


def test_scores_are_weighted_means_of_the_points():
    rows = [{"power_kw": 6000.0, "land_area_m2": 10.0}, {"power_kw": 4800.0}, {"land_area_m2": 2000.0}]
    idx = make_index(rows)
    brief = Brief(criteria=[Criterion("power_min", 5000, weight=3), Criterion("land_area_min", 1000, weight=1)])
    c, ov, score = judge(idx, brief, np.arange(3))
    assert c.tolist() == [[PASS, FAIL], [CONDITIONAL, UNKNOWN], [UNKNOWN, PASS]]
    assert ov.tolist() == [FAIL, UNKNOWN, UNKNOWN]
    assert score.tolist() == [0.75, round((3 * 0.6 + 0.3) / 4, 4), round((3 * 0.3 + 1) / 4, 4)]
    assert [v.points for v in Verdict] == [1.0, 0.6, 0.0, 0.3]
    # All weights zero: every criterion counts once.
    brief0 = Brief(criteria=[Criterion("power_min", 5000, weight=0), Criterion("land_area_min", 1000, weight=0)])
    assert judge(idx, brief0, np.arange(3))[2].tolist() == [0.5, 0.45, 0.65]


def test_small_weights_are_weights_and_scores_have_four_decimals():
    idx = make_index([{"power_kw": 6000.0, "land_area_m2": 950.0}])
    brief = Brief(criteria=[Criterion("power_min", 5000, weight=0.5), Criterion("land_area_min", 1000, weight=0.25),
                            Criterion("covered_area_min", 10, weight=0.25)])
    # (0.5 * 1 + 0.25 * 0.6 + 0.25 * 0.3) / 1.0
    assert judge(idx, brief, np.arange(1))[2].tolist() == [0.725]
    brief = Brief(criteria=[Criterion("power_min", 5000, weight=0.5), Criterion("land_area_min", 1000, weight=0.25)])
    assert judge(idx, brief, np.arange(1))[2].tolist() == [round((0.5 + 0.25 * 0.6) / 0.75, 4)] == [0.8667]
    equal = Brief(criteria=[Criterion("power_min", 5000), Criterion("land_area_min", 1000),
                            Criterion("covered_area_min", 10)])
    assert judge(idx, equal, np.arange(1))[2].tolist() == [0.6333]


def test_no_brief_means_no_verdict():
    idx = make_index([{}, {}])
    c, ov, score = judge(idx, Brief(criteria=[]), np.arange(2))
    assert c.shape == (2, 0) and ov.tolist() == [-1, -1] and np.isnan(score).all()
    df = evaluate(idx, Brief(criteria=[]), np.arange(2))
    assert df.columns.tolist() == ["verdict", "score"]
    assert df["verdict"].tolist() == [None, None] and df["verdict"].dtype == object and df["score"].isna().all()


def test_evaluate_frame_has_names_scores_and_codes():
    idx = make_index([{"power_kw": 6000.0}, {"power_kw": 10.0}])
    df = evaluate(idx, Brief(criteria=[Criterion("power_min", 5000), Criterion("gas", True, hard=False)]),
                  np.arange(2))
    assert df.columns.tolist() == ["verdict", "score", "c0", "c1"]
    assert df["verdict"].tolist() == ["PASS", "FAIL"] and df["c0"].tolist() == [PASS, FAIL]
    assert df["c1"].tolist() == [UNKNOWN, UNKNOWN] and df["score"].tolist() == [0.65, 0.15]


def test_the_verdict_type():
    assert [v.name for v in sorted(Verdict, key=lambda v: v.rank)] == ["PASS", "CONDITIONAL", "UNKNOWN", "FAIL"]
    assert [int(v) for v in Verdict] == [0, 1, 2, 3]
    assert Verdict.parse("UNKNOWN") is Verdict.UNKNOWN and Verdict.parse(2) is Verdict.FAIL
    assert Verdict.parse(Verdict.PASS) is Verdict.PASS and Verdict.parse(None) is None
    assert [v.label("it") for v in Verdict] == ["Conforme", "Condizionato", "Non conforme", "Dato mancante"]
    assert [v.label("en") for v in Verdict] == ["Pass", "Conditional", "Fail", "Unknown"]
    assert [v.label() for v in Verdict] == ["Pass", "Conditional", "Fail", "Unknown"]
    assert [v.colour for v in Verdict] == ["#2e7d32", "#f9a825", "#c62828", "#757575"]
    assert [v.fill for v in Verdict] == ["#c8ebc8", "#ffecb3", "#ffcdd2", "#e1e1e1"]
    assert [v.fill_rgb for v in Verdict] == [(200, 235, 200), (255, 236, 179), (255, 205, 210), (225, 225, 225)]
    assert NO_VERDICT_COLOUR == "#1565c0"
    with pytest.raises(KeyError):
        Verdict.parse("MAYBE")


# ------------------------------------------------------------------ reasons
REASON_CASES = [
    # (criterion, row, lang, expected reason with {L} for the criterion's label from the schema)
    (Criterion('power_min', 5000), {'power_kw': 6000.0}, 'en',
     '{L} 6,000 kW ≥ required 5,000 kW'),
    (Criterion('power_min', 5000), {'power_kw': 6000.0}, 'it',
     '{L} 6.000 kW ≥ 5.000 kW richiesti'),
    (Criterion('power_min', 5000), {'power_kw': 4800.0}, 'en',
     '{L} 4,800 kW: just below required 5,000 kW'),
    (Criterion('power_min', 5000), {'power_kw': 4800.0}, 'it',
     '{L} 4.800 kW: poco sotto i 5.000 kW richiesti'),
    (Criterion('price_max', 100000), {'price_eur': 90000.0}, 'en',
     '{L} €90,000 ≤ maximum €100,000'),  # amounts written as the sheet writes them
    (Criterion('price_max', 100000), {'price_eur': 105000.0}, 'en',
     '{L} €105,000: just above maximum €100,000'),
    (Criterion('price_max', 100000), {'price_eur': 200000.0}, 'en',
     '{L} €200,000 > maximum €100,000'),
    (Criterion('price_max', 100000), {'price_eur': 90000.0}, 'it',
     '{L} 90.000\u00a0€ ≤ 100.000\u00a0€ massimi'),
    (Criterion('price_max', 100000), {'price_eur': 105000.0}, 'it',
     '{L} 105.000\u00a0€: poco sopra i 100.000\u00a0€ massimi'),
    (Criterion('price_max', 100000), {'price_eur': 200000.0}, 'it',
     '{L} 200.000\u00a0€ > 100.000\u00a0€ massimi'),
    (Criterion('airport_km', 20), {'dist_airport_km': 12.34}, 'en',
     '{L}: 12.3 km ≤ 20 km'),
    (Criterion('airport_km', 20), {'dist_airport_km': 21.0}, 'en',
     '{L}: 21 km, just beyond 20 km'),
    (Criterion('airport_km', 20), {'dist_airport_km': 40.0}, 'en',
     '{L}: 40 km > 20 km'),
    (Criterion('airport_km', 20), {'dist_airport_km': 21.0}, 'it',
     '{L}: 21 km, poco oltre 20 km'),
    (Criterion('available_by', '2026-06-30'), {'available_from': '2026-06-01'}, 'en',
     '{L} 2026-06-01, by 2026-06-30'),
    (Criterion('available_by', '2026-06-30'), {'available_from': '2026-06-01'}, 'it',
     '{L} 01/06/2026, entro il 30/06/2026'),
    (Criterion('available_by', '2026-06-30'), {'available_from': '2026-08-01'}, 'en',
     '{L} 2026-08-01: within 90 days of 2026-06-30'),
    (Criterion('available_by', '2026-06-30'), {'available_from': '2026-08-01'}, 'it',
     '{L} 01/08/2026: entro 90 giorni dal 30/06/2026'),
    (Criterion('available_by', '2026-06-30'), {'available_from': '2027-08-01'}, 'en',
     '{L} 2027-08-01, after 2026-06-30'),
    (Criterion('available_by', '2026-06-30'), {'available_from': '2027-08-01'}, 'it',
     '{L} 01/08/2027, dopo il 30/06/2026'),
    (Criterion('rail_siding', True), {'rail_siding': True}, 'en',
     '{L}: yes'),
    (Criterion('rail_siding', True), {'rail_siding': True}, 'it',
     '{L}: sì'),
    (Criterion('rail_siding', True), {'rail_siding': False}, 'en',
     '{L}: no'),
    (Criterion('rail_siding', True), {'rail_siding': False}, 'it',
     '{L}: no'),
    (Criterion('rail_siding', True), {}, 'en',
     '{L}: value missing'),
    (Criterion('rail_siding', True), {}, 'it',
     '{L}: dato mancante'),
    (Criterion('uses_all', ['logistics', 'offices']), {'permitted_uses': 'logistics;offices'}, 'en',
     '{L}: Logistics, Offices (wanted Logistics + Offices)'),
    (Criterion('uses_all', ['logistics', 'offices']), {'permitted_uses': 'logistics'}, 'en',
     '{L}: Logistics, lacks Logistics + Offices'),
    (Criterion('uses_all', ['logistics', 'offices']), {'permitted_uses': 'logistics'}, 'it',
     '{L}: Logistica, manca Logistica + Uffici / terziario'),
    (Criterion('uses_any', ['logistics', 'offices']), {'permitted_uses': 'logistics'}, 'en',
     '{L}: Logistics (wanted Logistics / Offices)'),
    (Criterion('uses_any', ['logistics', 'offices']), {'permitted_uses': 'logistics'}, 'it',
     '{L}: Logistica (richiesto Logistica / Uffici / terziario)'),
    (Criterion('uses_any', ['logistics']), {'permitted_uses': 'logistics', 'implementation_plan': 'to_be_approved'}, 'en',
     '{L}: permitted but implementation plan to be approved'),
    (Criterion('uses_any', ['logistics']), {'permitted_uses': 'logistics', 'implementation_plan': 'to_be_approved'}, 'it',
     '{L}: ammesso ma piano attuativo da approvare'),
    (Criterion('uses_any', ['logistics']), {'permitted_uses': 'retail'}, 'en',
     '{L}: Retail, not Logistics'),
    (Criterion('uses_any', ['logistics']), {'permitted_uses': 'retail'}, 'it',
     '{L}: Commercio, non Logistica'),
    (Criterion('contamination', ['none_known']), {'contamination': 'investigating'}, 'en',
     '{L}: Under investigation, conditional (wanted None known)'),
    (Criterion('contamination', ['none_known']), {'contamination': 'investigating'}, 'it',
     '{L}: In caratterizzazione, condizionato (richiesto Nessuna contaminazione nota)'),
    (Criterion('province', ['MN']), {'province': 'MN'}, 'en',
     '{L}: MN (wanted MN)'),
    (Criterion('power_min', 5000), {'power_kw': 100.0}, 'en',
     '{L} 100 kW < required 5,000 kW'),
    (Criterion('power_min', 5000), {'power_kw': 100.0}, 'it',
     '{L} 100 kW < 5.000 kW richiesti'),
]


REASON_CASES += [
    (Criterion("airport_km", 20), {"dist_airport_km": 12.34}, "it", "{L}: 12,3 km ≤ 20 km"),
    (Criterion("airport_km", 20), {"dist_airport_km": 40.0}, "it", "{L}: 40 km > 20 km"),
    (Criterion("uses_all", ["logistics", "offices"]), {"permitted_uses": "logistics;offices"}, "it",
     "{L}: Logistica, Uffici / terziario (richiesto Logistica + Uffici / terziario)"),
    (Criterion("price_m2_max", 50), {"price_eur": 400000.0, "land_area_m2": 10000.0}, "en",
     "{L} 40 €/m² ≤ maximum 50 €/m²"),
    (Criterion("price_m2_max", 50), {"price_eur": 400000.0, "land_area_m2": 10000.0}, "it",
     "{L} 40 €/m² ≤ 50 €/m² massimi"),
    (Criterion("contamination", ["none_known"]), {"contamination": "none_known"}, "it",
     "{L}: Nessuna contaminazione nota (richiesto Nessuna contaminazione nota)"),
    (Criterion("lease_max", 10), {"lease_eur_m2_year": 8.0}, "en", "{L} 8 €/m²/year ≤ maximum 10 €/m²/year"),
    (Criterion("lease_max", 10), {"lease_eur_m2_year": 8.0}, "it", "{L} 8 €/m²/anno ≤ 10 €/m²/anno massimi"),
]


@pytest.mark.parametrize("crit,row,lang,expected", REASON_CASES)
def test_reasons_say_value_and_requirement(crit, row, lang, expected):
    idx = make_index([row])
    c = criterion_codes(idx, crit, np.arange(1))
    assert reason(idx, crit, 0, int(c[0]), lang) == expected.format(L=crit.label(lang))


def test_reasons_for_several_sites_and_the_default_language():
    idx = make_index([{"power_kw": 6000.0}, {}])
    brief = Brief(criteria=[Criterion("power_min", 5000)])
    c, _, _ = judge(idx, brief, np.arange(2))
    assert reasons(idx, brief, [1, 0], c[::-1]) == [["Available power: value missing"],
                                                    ["Available power 6,000 kW ≥ required 5,000 kW"]]
    assert reason(idx, brief.criteria[0], 0, PASS) == "Available power 6,000 kW ≥ required 5,000 kW"
    label_it = brief.criteria[0].label("it")
    assert reasons(idx, brief, [0], c, "it") == [[f"{label_it} 6.000 kW ≥ 5.000 kW richiesti"]]


def test_requirements_are_written_with_two_decimals_and_distances_to_a_point_in_km():
    idx = make_index([{"dist_airport_km": 1.0}, {"lat": 45.0, "lon": 10.0}])
    crit = Criterion("airport_km", 2.125)
    assert reason(idx, crit, 0, PASS, "en") == f"{crit.label('en')}: 1 km ≤ 2.12 km"
    point = Criterion("distance_to_point_km", {"lat": 45.0, "lon": 10.0, "km": 2.5, "label": "port"})
    assert reason(idx, point, 1, PASS, "en") == f"{point.label('en')}: 0 km in a straight line ≤ 2.5 km"


def test_a_missing_reference_layer_is_named_in_the_reason():
    idx = make_index([{}])
    assert "dist_port_km" in idx.missing_layers
    crit = Criterion("port_km", 30)
    assert reason(idx, crit, 0, UNKNOWN, "en") == crit.label("en") + (
        ": layer 'port' not loaded (geo import infrastructure FILE --kind port)")
    assert reason(idx, crit, 0, UNKNOWN, "it") == crit.label("it") + (
        ": livello «port» non caricato (geo import infrastructure FILE --kind port)")


# ------------------------------------------------------------------ truck minutes (issue 20)
LODI = {"lat": 45.30, "lon": 9.70}  # no motorway exit near enough to beat the direct leg within 25 minutes


def _east_of(point: dict, metres: list[float]) -> list[dict]:
    """Sites ``metres`` east of ``point`` (in EPSG:32632), as make_index rows."""
    from geo.routing.lines import to_lonlat, to_metric

    x, y = to_metric(np.array([[point["lon"], point["lat"]]]))[0]
    lonlat = to_lonlat(np.array([[x + m, y] for m in metres]))
    return [{"lon": float(lon), "lat": float(lat)} for lon, lat in lonlat]


def test_minutes_from_a_point_on_the_default_graph_pass_within_ten_percent_and_fail_beyond():
    from geo.routing import isochrones
    from geo.routing.drive import graph_for
    from geo.routing.lines import to_metric
    from geo.routing.speeds import profile

    rows = _east_of(LODI, [7500.0, 10500.0, 12500.0])
    idx = make_index(rows)
    crit = Criterion("drive_from_point_min", {**LODI, "min": 20, "label": "Lodi"})
    # Expected minutes from the routing library itself, as the map's 10/20/30-minute zones compute them.
    p = profile()
    isochrones._CACHE.clear()
    xy = tuple(to_metric(np.array([[LODI["lon"], LODI["lat"]]]))[0])
    want = isochrones.cached_reach(graph_for(None, None, p), p, xy).sites_min(np.column_stack([idx.x, idx.y]))
    # Here the straight leg x 1.3 at 40 km/h wins: 14.625, 20.475 and 24.375 minutes.
    assert want == pytest.approx([p.leg_min(7500.0), p.leg_min(10500.0), p.leg_min(12500.0)])
    assert [NAME[int(c)] for c in criterion_codes(idx, crit, np.arange(3))] == ["PASS", "CONDITIONAL", "FAIL"]
    # The criterion reuses the zones' Dijkstra (bounded at 30 min, as the zones): no second one is run.
    assert [k[-1] for k in isochrones._CACHE] == [30.0]
    assert [NAME[int(c)] for c in criterion_codes(idx, crit, np.array([2, 0]))] == ["FAIL", "PASS"]
    label_en, label_it = crit.label("en"), crit.label("it")
    assert label_en == "Truck drive from Lodi"
    got = [reason(idx, crit, i, int(c), lang) for lang in ("en", "it")
           for i, c in enumerate(criterion_codes(idx, crit, np.arange(3)))]
    assert got == [f"{label_en}: 14.62 min ≤ 20 min", f"{label_en}: 20.48 min, just beyond 20 min",
                   f"{label_en}: 24.38 min > 20 min",  # minutes to two decimals, as the requirement is written
                   f"{label_it}: 14,62 min ≤ 20 min", f"{label_it}: 20,48 min, poco oltre 20 min",
                   f"{label_it}: 24,38 min > 20 min"]
    odd = Criterion("drive_from_point_min", {**LODI, "min": 20.125})  # the requirement to two decimals too
    assert reason(idx, odd, 0, PASS, "en") == f"{odd.label('en')}: 14.62 min ≤ 20.12 min"


def test_minutes_from_a_point_on_an_imported_network_fail_beyond_the_bound_and_a_site_off_it_is_unknown():
    """On an imported network only the network counts: a site on a piece not joined to the point is unknown,
    not estimated by a straight line. The Dijkstra is bounded at the requirement plus 10 %; a connected site
    beyond that bound fails with its exact minutes (a second, unbounded Dijkstra, run only then)."""
    from geo.routing import isochrones
    from geo.routing.graph import from_lines
    from geo.routing.lines import to_metric
    from geo.routing.speeds import profile

    rows = _east_of(LODI, [25_000.0, 39_500.0, 43_500.0, 60_000.0, 61_000.0])
    idx = make_index(rows)
    x0, y0 = to_metric(np.array([[LODI["lon"], LODI["lat"]]]))[0]
    pts = [(x0, y0)] + list(zip(idx.x.tolist(), idx.y.tolist()))
    # A primary road at 60 km/h (1 km a minute) through the point and the first three sites, one line per
    # stretch (nodes of degree 2: no junction time); the last two sites on a road of their own.
    p = profile()
    idx.graph = from_lines([([pts[i], pts[i + 1]], "primary", 60, 0) for i in range(3)]
                           + [([pts[4], pts[5]], "primary", 60, 0)], p)
    km = np.cumsum([np.hypot(pts[i + 1][0] - pts[i][0], pts[i + 1][1] - pts[i][1]) for i in range(3)]) / 1000
    assert km == pytest.approx([25.0, 39.5, 43.5], abs=0.001)
    crit = Criterion("drive_from_point_min", {**LODI, "min": 40, "label": "Lodi"})
    from geo.search.verdict_rules import _values

    isochrones._CACHE.clear()
    got = _values(idx, crit, np.arange(3))
    assert got == pytest.approx(km, rel=1e-9)
    assert [k[-1] for k in isochrones._CACHE] == [pytest.approx(44.0)]  # 40 min + 10 %, beyond the zones' 30
    isochrones._CACHE.clear()
    got = _values(idx, crit, np.arange(5))
    assert got[:3] == pytest.approx(km, rel=1e-9) and np.isnan(got[3:]).all()
    # sites 3 and 4 not reached within 44 min: the unbounded Dijkstra tells "not joined" from "further"
    assert [k[-1] for k in isochrones._CACHE] == [pytest.approx(44.0), np.inf]
    assert [NAME[int(c)] for c in criterion_codes(idx, crit, np.arange(5))] == [
        "PASS", "PASS", "CONDITIONAL", "UNKNOWN", "UNKNOWN"]
    # 20 min: bounded at the zones' 30 min; sites 1 and 2 (39.5 and 43.5 min) lie beyond it but are joined
    # to the point: they fail with their minutes; site 4, on the other piece, stays unknown.
    short = Criterion("drive_from_point_min", {**LODI, "min": 20})
    isochrones._CACHE.clear()
    got = _values(idx, short, np.arange(5))
    assert got[:3] == pytest.approx(km, rel=1e-9) and np.isnan(got[3:]).all()
    assert [k[-1] for k in isochrones._CACHE] == [30.0, np.inf]
    assert [NAME[int(c)] for c in criterion_codes(idx, short, np.array([0, 1, 2, 4]))] == [
        "FAIL", "FAIL", "FAIL", "UNKNOWN"]
    assert [NAME[int(c)] for c in criterion_codes(idx, short, np.array([2, 1]))] == ["FAIL", "FAIL"]
    assert [reason(idx, short, 2, FAIL, lang) for lang in ("en", "it")] == [
        f"{short.label('en')}: 43.5 min > 20 min", f"{short.label('it')}: 43,5 min > 20 min"]
    assert reason(idx, crit, 3, UNKNOWN, "en") == "Truck drive from Lodi: value missing"
    assert round(km[2], 2) == 43.5 and reason(idx, crit, 2, CONDITIONAL, "it") == "In camion da Lodi: 43,5 min, poco oltre 40 min"


@pytest.mark.parametrize("network", ["default", "imported"])
def test_minutes_from_a_point_to_a_draft_without_coordinates_is_unknown_and_the_located_sites_keep_theirs(network):
    """A staff search reaches drafts, some not located yet: the criterion is UNKNOWN for such a site (no
    KD-tree error), and the located sites beside it keep their verdicts and reasons."""
    from geo.routing import isochrones
    from geo.routing.graph import from_lines
    from geo.routing.lines import to_metric
    from geo.routing.speeds import profile
    from geo.search import search

    located = _east_of(LODI, [7_500.0, 12_500.0])
    idx = make_index([{**located[0], "power_kw": 2000.0}, {"lat": None, "lon": None, "status": "draft", "power_kw": 2000.0},
                      {**located[1], "power_kw": 2000.0}])
    assert np.isnan(idx.x[1]) and np.isnan(idx.y[1])
    if network == "imported":  # a road at 30 km/h (0.5 km a minute) through the point and both sites
        x0, y0 = to_metric(np.array([[LODI["lon"], LODI["lat"]]]))[0]
        a, b = (idx.x[0], idx.y[0]), (idx.x[2], idx.y[2])
        idx.graph = from_lines([([(x0, y0), a], "primary", 30, 0), ([a, b], "primary", 30, 0)], profile())
    isochrones._CACHE.clear()
    crit = Criterion("drive_from_point_min", {**LODI, "min": 20, "label": "Lodi"}).checked()
    power = Criterion("power_min", 1000)
    res = search(idx, None, Brief(criteria=[crit, power]), role="staff")
    got = {r.site_id: r.verdict for r in res.sites.itertuples()}
    assert got == {"S0": "PASS", "S1": "UNKNOWN", "S2": "FAIL"}
    assert res.explain("S1", "en")[0] == (crit.label("en"), "UNKNOWN", f"{crit.label('en')}: value missing")
    assert res.explain("S1", "it")[0][2] == f"{crit.label('it')}: dato mancante"
    assert res.explain("S1", "en")[1][1] == "PASS"  # its other criteria are judged as ever
    want = {"default": "24.38 min", "imported": "25 min"}[network]
    assert res.explain("S2", "en")[0] == (crit.label("en"), "FAIL", f"{crit.label('en')}: {want} > 20 min")
    assert search(idx, None, Brief(criteria=[crit])).sites["site_id"].tolist() == ["S0", "S2"]  # the public


def test_drive_time_reasons_name_the_destination_and_how_the_time_was_made():
    rows = [{"drive_motorway_min": 7.04, "drive_motorway_to": "A21 Cremona", "drive_motorway_min__prov": "estimated"},
            {"drive_motorway_min": 8.2, "drive_motorway_to": "A1 Lodi", "drive_motorway_min__prov": "computed"},
            {"drive_motorway_min": 9.0},  # an older record: no destination, no provenance
            {}]
    idx = make_index(rows)
    crit = Criterion("drive_motorway_min", 7.5)
    c = criterion_codes(idx, crit, np.arange(4))
    assert [NAME[int(v)] for v in c] == ["PASS", "CONDITIONAL", "FAIL", "UNKNOWN"]
    assert [reason(idx, crit, i, int(c[i]), "en") for i in range(4)] == [
        "7 min to A21 Cremona, estimated (within 7.5 min)",
        "8.2 min to A1 Lodi, computed: just beyond 7.5 min",
        "9 min to —, —: more than 7.5 min",
        f"{crit.label('en')}: value missing"]
    assert [reason(idx, crit, i, int(c[i]), "it") for i in range(3)] == [
        "7 min per A21 Cremona, stimato (entro 7,5 min)",
        "8,2 min per A1 Lodi, calcolato: appena oltre 7,5 min",
        "9 min per —, —: più di 7,5 min"]


def test_a_drive_time_without_its_layer_names_the_layer_to_import():
    idx = make_index([{}])
    for key, kind in (("drive_motorway_min", "motorway_junction"), ("drive_rail_terminal_min", "rail_freight_terminal"),
                      ("drive_port_min", "port")):
        assert key in idx.missing_layers
        crit = Criterion(key, 30)
        assert reason(idx, crit, 0, UNKNOWN, "en") == crit.label("en") + (
            f": layer '{kind}' not loaded (geo import infrastructure FILE --kind {kind})")
        assert reason(idx, crit, 0, UNKNOWN, "it") == crit.label("it") + (
            f": livello «{kind}» non caricato (geo import infrastructure FILE --kind {kind})")


def test_a_price_per_square_metre_is_written_to_two_decimals():
    idx = make_index([{"price_eur": 401_234.0, "land_area_m2": 10000.0}])
    crit = Criterion("price_m2_max", 50)
    assert reason(idx, crit, 0, PASS, "en") == f"{crit.label('en')} 40.12 €/m² ≤ maximum 50 €/m²"
    assert reason(idx, crit, 0, PASS, "it") == f"{crit.label('it')} 40,12 €/m² ≤ 50 €/m² massimi"
