"""Site sheet: the investor's page of one site.

Found by typing (title, town or id), then the shared site panel (key facts, location map, the brief's
verdicts when a brief is in the link, photos, every field with its provenance), the interactive map, the
documents (the same content as PDF and HTML), and the enquiry form in full view.
"""

import uuid

import streamlit as st

from geo.catalogue.access import visible_rows
from geo.listing.enquiries import send_enquiry
from geo.render import render_sheet_html, render_sheet_pdf
from geo.layers.actors import nearest_actors
from geo.media.store import as_photos, media_file
from geo.web.gallery import show_gallery, site_media
from geo.web.auth import current_role
from geo.render.documents import verdicts_of
from geo.render.values import BriefVerdicts
from geo.search import Query, search
from geo.web.loaders import get_all_sites, get_catalogue, get_index, get_layer
from geo.web.site_panel import show_map, show_sheet, site_matches
from geo.web.search_state import keep_state_in_url, page_link_params
from geo.i18n import N_, content
from geo.web.state import current_lang, set_shortlist, shortlist, tr
from geo.web.ui import guarded, md, show

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


#: At most this many matches listed under the search box (type more to narrow them).
MATCHES_SHOWN = 12


def site_label(sid: str, record: dict) -> str:
    """A site in the picker: its id and title, with "(Italian only)" when the title is in the other language,
    and its town."""
    title = content(record, "title", lang)
    town = record.get("municipality_name")
    town = f" · {town}" if isinstance(town, str) and town else ""
    if title is None:
        return sid + town
    return f"{sid} · {title.noted()}{town}"


def pick_site(visible, wanted: str | None) -> str | None:
    """The search-first picker: type a title, a town or an id, choose among the matches.

    Returns the chosen id (the one in the link when nothing else was chosen), or None.
    """
    text = st.text_input(_("Find a site"), key="sheet_find", max_chars=200,
                         placeholder=_("Type a title, a town or an id (e.g. Cremona)"))
    if text:
        found = site_matches(visible, text, limit=MATCHES_SHOWN + 1)
        cols = [c for c in ("site_id", "title_it", "title_en", "municipality_name") if c in visible]
        records = visible.loc[visible["site_id"].isin(found), cols].set_index("site_id").to_dict("index")
        if not found:
            st.info(_("No site matches: try a town or part of the title."))
        else:
            if len(found) <= MATCHES_SHOWN:
                show("caption", _.ngettext("{n} match", "{n} matches", len(found)), n=_.integer(len(found)))
            else:
                show("caption", _("More than {n} matches: type more to narrow them."), n=_.integer(MATCHES_SHOWN))
            for sid in found[:MATCHES_SHOWN]:
                # A button label is Markdown: the owner's title is escaped (shown as typed, never as markup).
                if st.button(md("{label}", label=site_label(sid, records.get(sid, {}))), key=f"pick_{sid}",
                             type="primary" if sid == wanted else "secondary"):
                    st.session_state["sheet_site"] = sid
                    st.query_params["site"] = sid
                    st.rerun()
    return wanted


def brief_verdicts(brief, sid: str, role, lang: str) -> BriefVerdicts | None:
    """The site judged against the brief in the link (None without criteria): as the search page says it."""
    if not brief.criteria:
        return None
    return verdicts_of(search(get_index(), Query(), brief, role=role), brief, sid, lang)


def _visitor() -> str:
    """This browser session's key for the enquiry rate limit (a new tab is a new session)."""
    return st.session_state.setdefault("_visitor", uuid.uuid4().hex)


def _enquiry_form(cat, sid: str, lang: str) -> None:
    """An investor asks about the site, in full view; it reaches staff (the owner's contacts are never shown)."""
    with st.container(border=True):
        st.subheader(_("Ask about this site"), anchor="enquiry")
        st.caption(_("Invest in Lombardy staff answer by e-mail; the owner's contacts stay private."))
        with st.form(key=f"enquiry_{sid}", clear_on_submit=True, border=False):
            name = st.text_input(_("Name and organisation"), max_chars=200, key="enq_name")
            email = st.text_input(_("E-mail"), max_chars=254, key="enq_email")
            message = st.text_area(_("Message"), max_chars=4000, key="enq_message")
            consent = st.checkbox(_("I agree to the use of my data to answer this enquiry"), key="enq_consent")
            if st.form_submit_button(_("Send"), type="primary", icon=":material/mail:"):
                # Rate-limited per visitor and per client address; a UserError is shown by guarded().
                send_enquiry(cat, sid, name, email, message, consent, session=_visitor(),
                             address=st.context.ip_address)
                st.success(_("Enquiry sent: Invest in Lombardy staff will answer you."))


with guarded():
    brief = keep_state_in_url()[1]  # the sheet's link carries the search, brief and shortlist too
    role = current_role()
    staff = role == "staff"
    sites = get_all_sites()
    visible = visible_rows(sites, role)
    if not len(visible):
        st.info(_("Site not found or not visible."))
        st.stop()
    wanted = st.query_params.get("site") or st.session_state.get("sheet_site")
    if wanted and wanted not in set(visible["site_id"]):
        st.warning(_("Site not found or not visible."))
        wanted = None
    sid = pick_site(visible, wanted)
    if sid is None:
        show("info", _.ngettext("{n} site: type a title, a town or an id above to open its sheet.",
                                "{n} sites: type a title, a town or an id above to open a sheet.", len(visible)),
             n=_.integer(len(visible)))
        st.stop()
    st.query_params["site"] = sid
    st.session_state["sheet_site"] = sid
    cat = get_catalogue()
    rec = cat.site(sid, role=role)
    verdicts = brief_verdicts(brief, sid, role, lang)
    left, right = st.columns([3, 2])
    media = site_media([sid], role)[sid]  # photos and plans, as the listing is visible to this role
    photos = as_photos(media)  # the documents' gallery: the photos' thumbnails
    with left:  # the shared site panel: the owner's preview and the staff review show the same
        location = show_sheet(rec, lang, staff=staff, verdicts=verdicts)
        if media:
            show_gallery(media, lang, key=f"sheet_gallery_{sid}", files=lambda m: media_file(cat, m, role=role))
    with right:
        if rec.get("status") == "published":
            _enquiry_form(cat, sid, lang)
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
                                                                  verdicts=brief_verdicts(brief, sid, role, code),
                                                                  photos=photos),
                               file_name=f"{sid}_{code}.pdf", mime="application/pdf", key=f"pdf_{code}")
            c2.download_button(_("Download HTML ({language})").format(language=code.upper()),
                               lambda code=code: render_sheet_html(rec, code, staff=False, location=location,
                                                                   verdicts=brief_verdicts(brief, sid, role, code),
                                                                   photos=photos),
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
