"""Per-session state shared by the pages: language, shortlist, role."""

from __future__ import annotations

import streamlit as st

from geo.i18n import LOCALES, Lang, Translator, check_lang, translator

#: Each language as the language control names it: in itself, not translated.
LANGUAGE_NAMES: dict[Lang, str] = {"it": "Italiano", "en": "English"}


def current_lang() -> Lang:
    lang = st.session_state.get("lang")
    if lang not in LOCALES:
        lang = check_lang(st.query_params.get("lang"))
        st.session_state["lang"] = lang
    return lang


def tr() -> Translator:
    """The session's translator: ``_ = tr()`` then ``_("English text")``, ``_.number(x)``, ..."""
    return translator(current_lang())


def shortlist() -> list[str]:
    if "shortlist" not in st.session_state:
        raw = st.query_params.get("sl", "")
        st.session_state["shortlist"] = [s for s in raw.split(",") if s]
    return st.session_state["shortlist"]


def set_shortlist(ids: list[str]) -> None:
    st.session_state["shortlist"] = list(dict.fromkeys(ids))
    if ids:
        st.query_params["sl"] = ",".join(st.session_state["shortlist"])
    elif "sl" in st.query_params:
        del st.query_params["sl"]
