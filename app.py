"""Streamlit entry point: navigation over the pages and the shared sidebar.

Run with ``make run``. Pages live in ``geo/web/pages``; staff-only pages are
listed only for staff and also check the role themselves (server side).
"""

from pathlib import Path

import streamlit as st

from geo.web.auth import auth_mode, current_role
from geo.web.state import current_lang, t

# An emoji favicon: a ":material/...:" favicon would be fetched from Google Fonts (not offline).
st.set_page_config(page_title="Lombardy sites", page_icon="🗺️", layout="wide")

PAGES = Path(__file__).parent / "geo" / "web" / "pages"

with st.sidebar:
    lang = st.radio(":material/language: " + t("language"), ["it", "en"], index=["it", "en"].index(current_lang()),
                    horizontal=True, format_func=lambda v: {"it": "Italiano", "en": "English"}[v], key="lang_radio")
    if lang != st.session_state.get("lang"):
        st.session_state["lang"] = lang
        st.query_params["lang"] = lang
    role = current_role()
    st.caption(f"{t('role')}: **{role}**" + (" (local)" if auth_mode() == "local" else ""))
    if auth_mode() == "oidc":
        if getattr(st.user, "is_logged_in", False):
            st.button(t("logout"), on_click=st.logout)
        else:
            st.button(t("login"), on_click=st.login)

# Material icons ship with Streamlit (emoji need a font the server's users may lack).
# (file, title key, icon, roles allowed to see it; None = everyone)
SPEC = [
    ("home.py", "page_home", ":material/home:", None),
    ("find.py", "page_find", ":material/search:", None),
    ("sheet.py", "page_sheet", ":material/description:", None),
    ("shortlist.py", "page_shortlist", ":material/star:", None),
    ("owner.py", "page_owner", ":material/upload_file:", None),
    ("staff.py", "page_staff", ":material/fact_check:", {"staff"}),
    ("analyst.py", "page_analyst", ":material/satellite_alt:", {"staff", "analyst"}),
]
pages = [st.Page(str(PAGES / f), title=t(key), icon=icon, url_path=f.removesuffix(".py"), default=f == "home.py")
         for f, key, icon, roles in SPEC if (PAGES / f).exists() and (roles is None or role in roles)]
st.navigation(pages).run()
