"""Streamlit entry point: navigation over the pages and the shared sidebar.

Run with ``make run``. Pages live in ``geo/web/pages``; staff-only pages are
listed only for staff and also check the role themselves (server side).
"""

from pathlib import Path

import streamlit as st

from geo.catalogue.access import can
from geo.i18n import N_
from geo.web.auth import ROLE_LABELS, auth_mode, current_role
from geo.web.state import LANGUAGE_NAMES, current_lang, tr
from geo.mail.outbox import start_deliverer
from geo.settings import problems, settings
from geo.web.ui import md, show, show_user_error

# A click on the language control reruns the app with the new choice in the control's state: taken before
# anything is translated, so this run (the control's own label and the tab title included) is in that language.
if st.session_state.get("lang_radio") in LANGUAGE_NAMES and st.session_state["lang_radio"] != st.session_state.get("lang"):
    st.session_state["lang"] = st.session_state["lang_radio"]
    st.query_params["lang"] = st.session_state["lang"]

# An emoji favicon: a ":material/...:" favicon would be fetched from Google Fonts (not offline).
_ = tr()
st.set_page_config(page_title=_("Lombardy sites"), page_icon="🗺️", layout="wide")

# A bad setting stops every page here, named, in the reader's language (the server's start check, `geo
# settings` run by `make run`, refuses it first; this catches a server started another way).
bad_settings = problems()
if bad_settings:
    st.title(_("This server is not configured correctly"))
    for exc in bad_settings:
        show_user_error(exc)
    st.info(_("The administrator can list every setting and its problem with the command 'geo settings'."))
    st.stop()
start_deliverer(settings().catalogue)  # once per process; nothing when no GEO_SMTP_URL

PAGES = Path(__file__).parent / "geo" / "web" / "pages"

with st.sidebar:
    # Its choice is taken at the top of the next run, before anything is translated.
    st.radio(":material/language: " + _("Language"), list(LANGUAGE_NAMES),
             index=list(LANGUAGE_NAMES).index(current_lang()), horizontal=True,
             format_func=LANGUAGE_NAMES.__getitem__, key="lang_radio")
    role = current_role()
    local = " " + _("(local)") if auth_mode() == "local" else ""  # ours: part of the template
    st.caption(md(_("Role: **{role}**") + local, role=_(ROLE_LABELS[role])))
    if auth_mode() == "oidc":
        if getattr(st.user, "is_logged_in", False):
            st.button(_("Log out"), on_click=st.logout)
        else:
            st.button(_("Log in"), on_click=st.login)

# Material icons ship with Streamlit (emoji need a font the server's users may lack).
# (file, title, icon, the action it needs (geo.catalogue.access.can); None = everyone)
SPEC = [
    ("home.py", N_("Overview"), ":material/home:", None),
    ("find.py", N_("Find sites"), ":material/search:", None),
    ("sheet.py", N_("Site sheet"), ":material/description:", None),
    ("shortlist.py", N_("Shortlist"), ":material/star:", None),
    ("owner.py", N_("Offer a site"), ":material/upload_file:", None),
    ("staff.py", N_("Validation"), ":material/fact_check:", "review_queue"),
    ("analyst.py", N_("Brownfields (satellite)"), ":material/satellite_alt:", "review_brownfields"),
]
asked = st.query_params.get("lang")
if asked is not None and asked not in LANGUAGE_NAMES:  # a link with a language we do not have: say so, once
    show("warning", _("Unknown language {lang} in the link: the page is shown in {shown}."), lang=asked,
         shown=LANGUAGE_NAMES[current_lang()])
    st.query_params["lang"] = current_lang()
pages = [st.Page(str(PAGES / f), title=_(title), icon=icon, url_path=f.removesuffix(".py"), default=f == "home.py")
         for f, title, icon, action in SPEC if (PAGES / f).exists() and (action is None or can(role, action))]
st.navigation(pages).run()
