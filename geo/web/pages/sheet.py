"""Site sheet: every field grouped as in the schema with its provenance, zone notes, a map, exports."""

import uuid

import streamlit as st

from geo.catalogue.access import visible_rows
from geo.listing.enquiries import send_enquiry
from geo.render import render_sheet_html, render_sheet_pdf
from geo.layers.actors import nearest_actors
from geo.media.store import media_file
from geo.web.gallery import show_gallery, site_media
from geo.web.auth import current_role
from geo.web.loaders import get_all_sites, get_catalogue, get_layer
from geo.web.site_panel import show_map, show_sheet
from geo.web.search_state import keep_state_in_url, page_link_params
from geo.i18n import N_, content
from geo.web.state import current_lang, set_shortlist, shortlist, tr
from geo.web.ui import guarded, md

lang = current_lang()
_ = tr()
#: Columns of the innovation-ecosystem table, and how an actor's position is known.
ACTOR_COLUMNS = {"kind": N_("Kind"), "name": N_("Name"), "ecosystem": N_("Ecosystem"),
                 "location_precision": N_("Located at")}
PRECISION = {"municipality": N_("headquarters' municipality")}
ACTOR_KINDS = {"cluster": N_("technology cluster"), "university": N_("university"), "irccs": N_("IRCCS"),
               "its": N_("ITS Academy"), "incubator": N_("incubator")}


def _translated(values, labels: dict[str, str]):
    """Codes shown with their label in the reader's language (unknown codes as they are)."""
    return values.map(lambda v: _(labels[v]) if v in labels else v)


def site_label(sid: str, record: dict) -> str:
    """A site in the picker: its id and title, with "(Italian only)" when the title is in the other language."""
    title = content(record, "title", lang)
    if title is None:
        return sid
    return f"{sid} · {title.noted()}"


def _visitor() -> str:
    """This browser session's key for the enquiry rate limit (a new tab is a new session)."""
    return st.session_state.setdefault("_visitor", uuid.uuid4().hex)


def _enquiry_form(cat, sid: str, lang: str) -> None:
    """An investor asks about the site; it reaches staff (the owner's contacts are never shown publicly)."""
    with st.expander(_("Ask about this site")):
        with st.form(key=f"enquiry_{sid}", clear_on_submit=True):
            name = st.text_input(_("Name and organisation"), max_chars=200)
            email = st.text_input(_("E-mail"), max_chars=254)
            message = st.text_area(_("Message"), max_chars=4000)
            consent = st.checkbox(_("I agree to the use of my data to answer this enquiry"))
            if st.form_submit_button(_("Send")):
                # Rate-limited per visitor and per client address; a UserError is shown by guarded().
                send_enquiry(cat, sid, name, email, message, consent, session=_visitor(),
                             address=st.context.ip_address)
                st.success(_("Enquiry sent: Invest in Lombardy staff will answer you."))


with guarded():
    keep_state_in_url()  # the sheet's link carries the search, brief and shortlist too
    role = current_role()
    staff = role == "staff"
    sites = get_all_sites()
    visible = visible_rows(sites, role)
    ids = visible["site_id"].tolist()
    wanted = st.query_params.get("site") or st.session_state.get("sheet_site")
    if not ids:
        st.info(_("Site not found or not visible."))
        st.stop()
    idx = ids.index(wanted) if wanted in ids else 0
    if wanted and wanted not in ids:
        st.warning(_("Site not found or not visible."))
    records = dict(zip(ids, visible[[c for c in ("title_it", "title_en") if c in visible]].to_dict("records")))
    sid = st.selectbox(_("Site"), ids, index=idx, format_func=lambda s: site_label(s, records.get(s, {})))
    st.query_params["site"] = sid
    cat = get_catalogue()
    rec = cat.site(sid, role=role)
    left, right = st.columns([3, 2])
    media = site_media([sid], role)[sid]  # photos and plans, as the listing is visible to this role
    photos = [m for m in media if m.kind == "photo"]
    with left:  # the shared site panel: the owner's preview and the staff review show the same
        location = show_sheet(rec, lang, staff=staff)
        if media:
            show_gallery(media, lang, key=f"sheet_gallery_{sid}", files=lambda m: media_file(cat, m, role=role))
    with right:
        show_map(rec, lang, key=f"sheet_map_{sid}")
        sl = shortlist()
        if sid in sl:
            if st.button(_("Remove from shortlist"), key="sheet_rm"):
                set_shortlist([s for s in sl if s != sid])
                st.rerun()
        elif st.button(_("Add to shortlist"), key="sheet_add"):
            set_shortlist(sl + [sid])
            st.rerun()
        for code in ("it", "en"):
            c1, c2 = st.columns(2)
            # Documents are rendered when the button is clicked, not on every rerun.
            c1.download_button(_("Download PDF ({language})").format(language=code.upper()),
                               lambda code=code: render_sheet_pdf(rec, code, staff=False, location=location,
                                                                photos=photos), file_name=f"{sid}_{code}.pdf", mime="application/pdf", key=f"pdf_{code}")
            c2.download_button(_("Download HTML ({language})").format(language=code.upper()),
                               lambda code=code: render_sheet_html(rec, code, staff=False, location=location),
                               file_name=f"{sid}_{code}.html", mime="text/html", key=f"html_{code}")
        actors = nearest_actors(float(rec["lon"]), float(rec["lat"]), get_layer("innovation_actors"))
        if len(actors):
            st.markdown(md("**{text}**", text=_("Innovation ecosystem nearby")))
            shown = actors.assign(kind=_translated(actors["kind"], ACTOR_KINDS),
                                  location_precision=_translated(actors["location_precision"], PRECISION),
                                  km=actors["km"].map(lambda km: _.number(km, 1)))
            st.dataframe(shown.rename(columns={k: _(v) for k, v in ACTOR_COLUMNS.items()}), hide_index=True,
                         width="stretch")
        n1, n2 = st.columns(2)
        n1.page_link("geo/web/pages/find.py", label=_("Find sites"), icon=":material/search:",
                     query_params=page_link_params())
        n2.page_link("geo/web/pages/shortlist.py", label=_("Shortlist"), icon=":material/star:",
                     query_params=page_link_params())
        if staff:
            with st.expander(_("Change history")):
                st.dataframe(cat.history(sid), hide_index=True)
        if rec.get("status") == "published":
            _enquiry_form(cat, sid, lang)
