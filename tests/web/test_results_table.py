"""The find page's results table and brief sidebar, as staff and investors read them, in both languages.

What matters first (verdict, staff status), a unit on every number, the page language's decimals, a count
of verdicts, failing sites hidden and not counted (with a toggle), no "None", DEMO once per row.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from geo.search import Brief, SearchIndex, make_query, search
from geo.search.params import parse_link
from tests.web.shown import shown

from geo.search.brief import Criterion as _Criterion

#: The nearest exit as the brief names it, in each language (the column and the widget say the same).
MJ = {lang: _Criterion("motorway_junction_km", 10.0).label(lang) for lang in ("it", "en")}

APP = str(Path(__file__).resolve().parents[2] / "app.py")
NBSP = "\N{NO-BREAK SPACE}"
FIGURE_SPACE = "\N{FIGURE SPACE}"
#: A hard distance with a decimal (10.5 km) and a soft power criterion: all four verdicts occur on the demo.
BRIEF = {"criteria": [{"key": "motorway_junction_km", "value": 10.5, "hard": True, "weight": 1},
                      {"key": "power_min", "value": 3000, "hard": False, "weight": 1}]}


@pytest.fixture()
def as_role(monkeypatch, built_catalogue):
    def set_role(role: str) -> None:
        monkeypatch.setenv("GEO_CATALOGUE", str(built_catalogue))
        monkeypatch.setenv("GEO_AUTH_MODE", "local")
        monkeypatch.setenv("GEO_LOCAL_ROLE", role)
    return set_role


@pytest.fixture(scope="module")
def index(catalogue):
    return SearchIndex.from_sites(catalogue.sites(statuses=None)), catalogue.places()


def open_find(lang: str, brief: dict | None = BRIEF) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=90)
    at.query_params["lang"] = lang
    if brief is not None:
        at.query_params["b"] = json.dumps(brief)
    at.switch_page("geo/web/pages/find.py")
    at.run()
    assert not at.exception, at.exception
    return at


def verdicts(index, role: str, brief: dict | None = BRIEF) -> Counter:
    """The overall verdicts of every site the role may see, from the library (not the page)."""
    idx, places = index
    b = parse_link({"b": json.dumps(brief)}).brief if brief else Brief()
    return Counter(search(idx, make_query({}), b, role=role, places=places).verdicts)


def table(at: AppTest):
    return at.dataframe[0].value


def found(at: AppTest) -> int:
    return int(at.subheader[0].value.split()[0].replace(",", "").replace(".", ""))


def captions(at: AppTest) -> list[str]:
    return [shown(c.value) for c in at.caption]


def numbers(df, column: str) -> list[str]:
    """A numeric column's cells as a reader reads them (the figure-space padding left out, NBSP as a space),
    unknown ones left out. Every cell of the column is padded to one width: a click on its header then sorts
    it as numbers (tests/web/test_e2e_results_table.py clicks it)."""
    cells = [c for c in df[column] if c.lstrip(FIGURE_SPACE) != "—"]
    assert len({len(c) for c in cells}) == 1, f"{column}: cells of different widths {cells[:5]}"
    return [c.replace(FIGURE_SPACE, "").replace(NBSP, " ") for c in cells]


def no_none_anywhere(df) -> None:
    cells = [str(v) for v in df.to_numpy().ravel()] + list(df.columns)
    bad = [c for c in cells if c in ("None", "nan", "NaN", "<NA>") or "None" in c.split()]
    assert bad == [], bad[:5]


def demo_once_per_row(df, badge: str) -> None:
    for row in df.astype(str).to_numpy():
        assert sum(cell == badge for cell in row) == 1
        assert not any("[DEMO]" in cell for cell in row)


# --- Italian, staff: verdict and status first, units, comma decimals, counts ---------------------------------

def test_italian_staff_table_leads_with_verdict_and_status_and_writes_units_the_italian_way(as_role, index):
    as_role("staff")
    at = open_find("it")
    df = table(at)
    assert list(df.columns[:2]) == ["Esito", "Stato"]
    assert set(df["Esito"]) <= {"Conforme", "Condizionato", "Da verificare"}  # "Non conforme" hidden by default
    assert {"Pubblicata", "Inviata"} <= set(df["Stato"])  # staff tell unvalidated listings from published ones
    km = numbers(df, MJ["it"])
    assert km and all(re.fullmatch(r"\d{1,3}(\.\d{3})*,\d km", v) for v in km), km[:3]
    assert any(not v.endswith(",0 km") for v in km)
    area = numbers(df, "Superficie territoriale")
    assert area and all(re.fullmatch(r"\d{1,3}(\.\d{3})* m²", v) for v in area), area[:3]
    assert all(v.endswith("€") for v in numbers(df, "Prezzo richiesto"))
    assert all(v.endswith("kW") for v in numbers(df, "Potenza elettrica disponibile"))
    assert all(re.fullmatch(r"\d+%", v) for v in numbers(df, "Punteggio"))
    no_none_anywhere(df)
    demo_once_per_row(df, "DEMO")

    want = verdicts(index, "staff")
    n_pass, n_cond, n_fail, n_unk = (want["PASS"], want["CONDITIONAL"], want["FAIL"], want["UNKNOWN"])
    assert n_pass > 1 and n_cond > 1 and n_fail > 1  # the brief splits the demo three ways
    assert found(at) == n_pass + n_cond + n_unk == len(df)  # failing sites are not "found"
    line = f"{n_pass} siti conformi / {n_cond} condizionati / {n_fail} non conformi"
    assert any(c.startswith(line) for c in captions(at)), captions(at)
    assert f"{n_pass} siti conformi al brief" in captions(at)  # in the brief sidebar
    assert at.subheader[0].value == f"{found(at)} siti trovati"


def test_the_toggle_shows_failing_sites_without_counting_them(as_role, index):
    as_role("staff")
    at = open_find("it")
    n_fail = verdicts(index, "staff")["FAIL"]
    before = found(at)
    toggle = at.toggle(key="w_show_fail")
    assert toggle.label == f"Mostra i siti non conformi ({n_fail})" and toggle.value is False
    toggle.set_value(True).run()
    df = table(at)
    assert len(df) == before + n_fail and (df["Esito"] == "Non conforme").sum() == n_fail
    assert found(at) == before  # still not counted
    no_none_anywhere(df)


# --- English, the public: no status, dot decimals ------------------------------------------------------------

def test_english_public_table_has_no_status_and_dot_decimals(as_role, index):
    as_role("public")
    at = open_find("en")
    df = table(at)
    assert df.columns[0] == "Verdict" and "Status" not in df.columns
    km = numbers(df, MJ["en"])
    assert km and all(re.fullmatch(r"\d{1,3}(,\d{3})*\.\d km", v) for v in km), km[:3]
    assert all(v.startswith("€") for v in numbers(df, "Asking price"))
    want = verdicts(index, "public")
    assert found(at) == len(df) == want["PASS"] + want["CONDITIONAL"] + want["UNKNOWN"]
    assert any(c.startswith(f"{want['PASS']} sites pass / {want['CONDITIONAL']} conditional / "
                            f"{want['FAIL']} fail") for c in captions(at))
    no_none_anywhere(df)
    demo_once_per_row(df, "DEMO")


@pytest.mark.parametrize("lang,absent", [("en", ("Verdict", "Score")), ("it", ("Esito", "Punteggio"))])
def test_without_a_brief_there_is_no_verdict_score_or_none(as_role, index, lang, absent):
    as_role("staff")
    at = open_find(lang, brief=None)
    at.toggle(key="w_table").set_value(True).run()  # without a brief the table is drawn when asked for
    df = table(at)
    assert not set(absent) & set(df.columns)
    assert df.columns[0] == ("Status" if lang == "en" else "Stato")
    assert found(at) == len(df) == sum(verdicts(index, "staff", brief=None).values())
    assert not [t for t in at.toggle if t.key == "w_show_fail"]  # nothing to hide without a brief
    no_none_anywhere(df)
    demo_once_per_row(df, "DEMO")


# --- the brief sidebar: values with units, locale decimals typed and shown, hard/soft spelled out -------------

def test_brief_sidebar_speaks_units_and_the_page_language(as_role):
    as_role("staff")
    it = open_find("it")
    assert it.text_input(key="b_v_motorway_junction_km").value == "10,5"
    assert it.text_input(key="b_v_power_min").value == "3.000"
    assert it.toggle(key="b_h_motorway_junction_km").label == "vincolante"
    side = captions(it)
    assert f"{MJ['it']} ≤ 10,5 km · vincolante" in side
    assert f"Potenza elettrica disponibile ≥ 3.000{NBSP}kW · preferibile" in side
    assert any(c.label == f"{MJ['it']} (km) ≤" for c in it.checkbox)
    en = open_find("en")
    assert en.text_input(key="b_v_motorway_junction_km").value == "10.5"
    assert f"{MJ['en']} ≤ 10.5 km · hard" in captions(en)
    assert f"Available power ≥ 3,000{NBSP}kW · soft" in captions(en)


def test_italian_decimal_comma_is_read_and_a_dot_or_text_is_refused_keeping_the_value(as_role):
    as_role("staff")
    at = open_find("it")
    at.text_input(key="b_v_motorway_junction_km").set_value("12,5").run()
    assert not at.exception
    crit = {c.key: c for c in parse_link(dict(at.query_params)).brief.criteria}
    assert crit["motorway_junction_km"].value == 12.5
    assert f"{MJ['it']} ≤ 12,5 km · vincolante" in captions(at)
    for hostile in ("12.5", "dodici", "-3"):  # "12.5" would be 125 km read the Italian way: refused, not guessed
        at.text_input(key="b_v_motorway_junction_km").set_value(hostile).run()
        assert not at.exception
        assert any(hostile in shown(w.value) and "12,5" in shown(w.value) for w in at.warning), hostile
        crit = {c.key: c for c in parse_link(dict(at.query_params)).brief.criteria}
        assert crit["motorway_junction_km"].value == 12.5  # unchanged


def test_switching_the_page_language_keeps_each_criterion_value(as_role):
    """A brief's numbers survive the language switch: "3,000" written in English is 3.000 in Italian (three
    thousand), never re-read as 3,000 = three; a value typed in Italian stays itself back in English."""
    as_role("staff")
    at = open_find("en")
    assert at.text_input(key="b_v_power_min").value == "3,000"
    at.radio(key="lang_radio").set_value("Italiano").run()
    assert not at.exception
    assert at.text_input(key="b_v_power_min").value == "3.000"
    assert at.text_input(key="b_v_motorway_junction_km").value == "10,5"
    crit = {c.key: c.value for c in parse_link(dict(at.query_params)).brief.criteria}
    assert crit["power_min"] == 3000 and crit["motorway_junction_km"] == 10.5
    assert f"Potenza elettrica disponibile ≥ 3.000{NBSP}kW · preferibile" in captions(at)
    at.text_input(key="b_v_motorway_junction_km").set_value("12,5").run()
    at.radio(key="lang_radio").set_value("English").run()
    assert at.text_input(key="b_v_motorway_junction_km").value == "12.5"
    crit = {c.key: c.value for c in parse_link(dict(at.query_params)).brief.criteria}
    assert crit["power_min"] == 3000 and crit["motorway_junction_km"] == 12.5


def test_a_link_value_with_more_decimals_than_shown_is_kept_exactly(as_role):
    as_role("staff")
    brief = {"criteria": [{"key": "land_area_max", "value": 37935962.298347026, "hard": False, "weight": 0}]}
    at = open_find("it", brief=brief)
    assert at.text_input(key="b_v_land_area_max").value == "3.793,5962"
    assert parse_link(dict(at.query_params)).brief.criteria[0].value == 37935962.298347026
