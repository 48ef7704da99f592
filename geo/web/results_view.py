"""The find page's results table and brief sidebar pieces, in the reader's language.

What matters comes first: the verdict (with a brief) and, for staff, the listing's
status are the first columns, so they are on screen at any width. Every number
carries its unit and the locale's separators ("10,5 km" in Italian): cells are
text formatted here (Streamlit's own number formats follow the *browser's* locale,
not the page's language), right-aligned and padded with figure spaces so that a
click on a column's header sorts them as numbers. Formatting uses Babel's symbols
once per call and Python's formatter per cell, so 10,000 rows cost milliseconds,
not Babel's seconds. Sites that fail a hard criterion are hidden unless asked for.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np
import pandas as pd
from babel.numbers import NumberFormatError, get_decimal_symbol, get_group_symbol, parse_decimal

from geo.i18n import N_, translator
from geo.schema import FIELD
from geo.search.brief import Criterion
from geo.search.verdict import Verdict

NBSP = "\N{NO-BREAK SPACE}"
FIGURE_SPACE = "\N{FIGURE SPACE}"  # as wide as a digit
MISSING = "—"
#: The DEMO badge: once per row, in its own column (demo titles carry no "[DEMO]" in the table).
DEMO_BADGE = N_("DEMO")
DEMO_PREFIX = "[DEMO]"

#: Numeric columns of the table: (index column, decimals, unit kind). Units: CLDR-like text or "money".
NUMBERS: tuple[tuple[str, int, str], ...] = (
    ("land_area_m2", 0, "m²"),
    ("price_eur", 0, "money"),
    ("power_kw", 0, "kW"),
    ("dist_motorway_junction_km", 1, "km"),
)


#: Columns named as the brief names them ("Nearest motorway junction", without "(computed)").
LABEL_CRITERION = {"dist_motorway_junction_km": Criterion("motorway_junction_km", 10.0)}


def _symbols(lang: str) -> tuple[str, str]:
    loc = translator(lang).locale
    return get_decimal_symbol(loc), get_group_symbol(loc)


def format_numbers(values: Iterable, lang: str, digits: int = 0, unit: str = "", *,
                   aligned: bool = False) -> list[str]:
    """Each value with the locale's separators, ``digits`` decimals and ``unit`` ("10,5 km"); missing -> "—".

    ``unit == "money"`` writes euros the way the locale does ("1.800.000 €", "€1,800,000"), ``"percent"``
    a percentage (the values are in percent already).

    ``aligned``: every number (and "—") padded on the left with figure spaces, a digit's width, to the widest of
    ``values``. A table compares its cells as text when a reader clicks a header ("9.000" after "12.000"); padded,
    the text order is the numeric order, unknown first (a figure space comes before any digit). For values >= 0.

    >>> format_numbers([10.5, None, 12345.0], "it", 1, "km")
    ['10,5\\xa0km', '—', '12.345,0\\xa0km']
    >>> format_numbers([1800000], "en", 0, "money")
    ['€1,800,000']
    >>> [v.replace(FIGURE_SPACE, "_") for v in format_numbers([900, 12000, None], "it", 0, "m²", aligned=True)]
    ['___900\\xa0m²', '12.000\\xa0m²', '_____—']
    """
    dec, grp = _symbols(lang)
    table = str.maketrans({",": "\x00", ".": dec})
    if unit in ("money", "percent"):  # where the locale puts the sign, from Babel once
        sample = translator(lang).money(7) if unit == "money" else translator(lang).percent(0.07)
        before, after = sample.split("7", 1)
    else:
        before, after = "", (NBSP + unit if unit else "")
    numbers: list[str | None] = []
    for v in values:
        if v is None or (isinstance(v, float) and not math.isfinite(v)) or v is pd.NA:
            numbers.append(None)
        else:
            numbers.append(f"{float(v):,.{digits}f}".translate(table).replace("\x00", grp))
    width = max((len(n) for n in numbers if n is not None), default=1) if aligned else 0
    return [MISSING.rjust(width, FIGURE_SPACE) if n is None else f"{before}{n.rjust(width, FIGURE_SPACE)}{after}"
            for n in numbers]


def parse_number(text: str, lang: str) -> float | None:
    """A number typed the locale's way ("10,5" in Italian, "10.5" in English), or None when it is not one.

    >>> parse_number("10,5", "it"), parse_number("1.500", "it"), parse_number("10.5", "it"), parse_number("10.5", "en"), parse_number("x", "en")
    (10.5, 1500.0, None, 10.5, None)
    """
    text = (text or "").strip().replace(NBSP, "").replace(" ", "")
    if not text:
        return None
    try:
        value = float(parse_decimal(text, locale=translator(lang).locale, strict=True))
    except (NumberFormatError, ValueError):
        return None
    return value if math.isfinite(value) else None


def show_number(value: float, lang: str, digits: int = 4) -> str:
    """A widget's number as the locale writes it, without trailing zeros ("10", "10,5")."""
    return translator(lang).number(value, digits).replace(NBSP, "")


def _title(record: dict, lang: str, demo: bool) -> str:
    from geo.web.mapview import map_title

    title = map_title(record, lang, limit=200)
    if demo and title.startswith(DEMO_PREFIX):
        title = title[len(DEMO_PREFIX):].lstrip()
    return title


def failing_mask(sites: pd.DataFrame) -> np.ndarray:
    """True for the sites whose overall verdict is FAIL (they fail a hard criterion)."""
    if "verdict" not in sites or not len(sites):
        return np.zeros(len(sites), dtype=bool)
    return (sites["verdict"] == Verdict.FAIL.name).to_numpy()


def results_table(sites: pd.DataFrame, lang: str, *, has_brief: bool, show_status: bool
                  ) -> tuple[pd.DataFrame, dict]:
    """``(table, column_config)`` of the results: verdict, status (staff), DEMO, title, place, numbers, score.

    Columns without meaning are left out rather than shown empty: no verdict or score without a brief,
    no status for the public, no DEMO column when no site is a demo.
    """
    import streamlit as st

    _ = translator(lang)
    cols: dict[str, list | pd.Series] = {}
    config: dict = {}
    if has_brief:
        name = _("Verdict")
        labels = {v.name: v.label(lang) for v in Verdict}
        cols[name] = [labels.get(v, "—") for v in sites["verdict"]]
        config[name] = st.column_config.TextColumn(
            width="small", pinned=True, help=_("The site against the whole brief: a failed hard criterion fails it"))
    if show_status:
        f = FIELD["status"]
        name = f.label(lang)
        labels = {c: f.choice_label(c, lang) for c in f.choices}
        cols[name] = [labels.get(s, s) if isinstance(s, str) and s else "—" for s in sites["status"]]
        config[name] = st.column_config.TextColumn(width="small", pinned=True)
    demo = sites["is_demo"].fillna(False).astype(bool).to_numpy() if "is_demo" in sites else np.zeros(len(sites), bool)
    if demo.any():
        cols[_(DEMO_BADGE)] = np.where(demo, _(DEMO_BADGE), "")
        config[_(DEMO_BADGE)] = st.column_config.TextColumn(width="small")
    cols[_("ID")] = sites["site_id"].to_numpy()
    records = sites[["title_it", "title_en"]].to_dict("records")
    cols[_("Title")] = [_title(r, lang, d) for r, d in zip(records, demo)]
    cols[FIELD["municipality_name"].label(lang)] = sites["municipality_name"].fillna("—").to_numpy()
    cols[FIELD["province"].label(lang)] = sites["province"].fillna("—").to_numpy()
    for column, digits, unit in NUMBERS:
        if column not in sites:
            continue
        label = LABEL_CRITERION[column].label(lang) if column in LABEL_CRITERION else FIELD[column].label(lang)
        cols[label] = format_numbers(sites[column].tolist(), lang, digits, unit, aligned=True)
        config[label] = st.column_config.TextColumn(
            alignment="right", help=_("Straight-line distance") if column.startswith("dist_") else None)
    if has_brief:
        name = _("Score")
        cols[name] = format_numbers((sites["score"].astype(float) * 100).tolist(), lang, 0, "percent", aligned=True)
        config[name] = st.column_config.TextColumn(
            width="small", alignment="right", help=_("Share of the brief met, weighted: pass 100%, conditional 60%, unknown 30%, fail 0%"))
    return pd.DataFrame(cols), config


def brief_widget_label(c, kind: str, lang: str) -> str:
    """A brief widget's checkbox label: what, in which unit, which way ("Nearest motorway junction (km) ≤").

    >>> from geo.search.brief import Criterion
    >>> brief_widget_label(Criterion("land_area_min", 8e4), "ha", "en")
    'Land area (ha) ≥'
    """
    label = c.label(lang)
    if kind not in ("ha", "num"):
        return label
    if kind == "ha":
        unit = "ha"
    elif c.op == "within_km":
        unit = "km"
    elif c.column == "price_eur_m2":
        unit = "€/m²"
    else:
        unit = FIELD[c.column].unit_text(lang)
    sign = "≥" if c.op == "min" else "≤"
    return f"{label} ({unit}) {sign}" if unit else f"{label} {sign}"


def number_text_input(label: str, low: float, high: float, value: float, lang: str, *, key: str) -> float:
    """A number typed and shown the way ``lang`` writes it ("10,5" in Italian), within ``[low, high]``.

    A text that is not such a number keeps ``value`` and says so under the field (st.number_input would
    show and expect "10.50" whatever the page's language).
    """
    import streamlit as st

    from geo.web.ui import show

    _ = translator(lang)
    written_in = f"{key}__lang"  # the language the field's text is written in
    if key not in st.session_state:
        st.session_state[key] = show_number(value, lang)
    elif st.session_state.get(written_in, lang) != lang:
        # The page's language changed: the text is rewritten the new language's way ("5,000" typed in English is
        # 5.000 in Italian, not 5,000 = five), from the number it meant in the old one.
        meant = parse_number(st.session_state[key], st.session_state[written_in])
        st.session_state[key] = show_number(value if meant is None else meant, lang)
    st.session_state[written_in] = lang
    text = st.text_input(label, key=key, label_visibility="collapsed")
    if text == show_number(value, lang):
        return value  # as shown, untouched: the exact value (a link's 3793.59622983 ha stays itself)
    parsed = parse_number(text, lang)
    if parsed is None or not low <= parsed <= high:
        show("warning", _("\"{text}\" is not a number from {low} to {high}: {value} is used."), text=text,
             low=show_number(low, lang), high=show_number(high, lang), value=show_number(value, lang))
        return value
    return parsed
