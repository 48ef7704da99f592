"""Search filters and brief <-> Streamlit widgets <-> URL query parameters."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from geo.search import Brief, Criterion, Query, parse_link, to_query_params
from geo.search.params import PARTS

#: Brief criteria offered in the sidebar: key -> (widget kind, default value)
BRIEF_WIDGETS = {
    "land_area_min": ("ha", 8.0), "land_area_max": ("ha", 15.0), "power_min": ("num", 5000.0),
    "motorway_junction_km": ("num", 10.0), "airport_km": ("num", 50.0), "rail_station_km": ("num", 5.0),
    "price_m2_max": ("num", 150.0), "available_by": ("date", None), "uses_any": ("uses", ["industrial"]),
    "in_zls": ("flag", True), "zls_aid_area": ("flag", True), "rail_siding": ("flag", True),
    "fibre": ("flag", True), "contamination": ("clean", ["none_known", "remediated"]),
    "drive_motorway_min": ("num", 15.0), "drive_rail_terminal_min": ("num", 30.0), "drive_port_min": ("num", 45.0),
}


def load_from_url() -> tuple[Query, Brief]:
    """The query and brief in the URL (read once per session, by :func:`geo.search.parse_link`), else the
    session's. Each part of the link that cannot be used is one warning naming it; the rest applies."""
    if "search_q" not in st.session_state:
        state = parse_link({k: st.query_params.get(k) for k in PARTS})
        from geo.web.ui import show_user_error

        for exc in state.problems:
            show_user_error(exc, kind="warning")
        st.session_state["search_q"], st.session_state["search_b"] = state.query, state.brief
        if "shortlist" not in st.session_state:  # each site once, checked like the rest of the link
            st.session_state["shortlist"] = state.shortlist
    return st.session_state["search_q"], st.session_state["search_b"]


def apply_pending_widgets() -> None:
    """Set widget values asked for by the previous run (a widget's value cannot change once it is drawn)."""
    for k, v in st.session_state.pop("pending_widgets", {}).items():
        st.session_state[k] = v


def set_pending_widgets(values: dict) -> None:
    st.session_state["pending_widgets"] = {**st.session_state.get("pending_widgets", {}), **values}


def page_link_params(**extra: str) -> dict[str, str]:
    """Query parameters that carry the search, brief, shortlist and language to another page."""
    from geo.web.state import current_lang, shortlist

    q, b = load_from_url()
    out = dict(to_query_params(q, b))
    sl = shortlist()
    if sl:
        out["sl"] = ",".join(sl)
    out["lang"] = current_lang()
    out.update({k: v for k, v in extra.items() if v})
    return out


def keep_state_in_url() -> tuple[Query, Brief]:
    """On any page: restore search, brief and shortlist from this page's URL (fresh visit) or the session,
    and write them back to the URL, so that every page's link reproduces what is on screen."""
    from geo.web.state import current_lang, shortlist

    q, b = load_from_url()
    save_to_url(q, b)
    sl = shortlist()
    if sl and st.query_params.get("sl") != ",".join(sl):
        st.query_params["sl"] = ",".join(sl)
    if st.query_params.get("lang") != current_lang():
        st.query_params["lang"] = current_lang()
    return q, b


def save_to_url(q: Query, b: Brief) -> None:
    st.session_state["search_q"], st.session_state["search_b"] = q, b
    params = to_query_params(q, b)
    for k in ("v", "q", "b"):
        if k in params:
            if st.query_params.get(k) != params[k]:
                st.query_params[k] = params[k]
        elif k in st.query_params:
            del st.query_params[k]


def criterion_value(kind: str, raw):
    if kind == "ha":
        return float(raw) * 10000.0
    if kind == "date":
        return raw.isoformat() if isinstance(raw, dt.date) else str(raw)
    return raw


def widget_value(kind: str, crit: Criterion | None, default):
    if crit is None:
        return default if kind != "date" else dt.date.today() + dt.timedelta(days=365)
    if kind == "ha":
        return float(crit.value) / 10000.0
    if kind == "date":
        return dt.date.fromisoformat(str(crit.value))
    return crit.value
