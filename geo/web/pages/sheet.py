"""Site sheet: every field grouped as in the schema with its provenance, zone notes, a map, exports."""

import folium
import streamlit as st
from streamlit_folium import st_folium

from geo.catalogue.access import visible_rows
from geo.listing.enquiries import send_enquiry
from geo.render import render_sheet_html, render_sheet_pdf
from geo.layers.actors import nearest_actors
from geo.render.location import location_context
from geo.web.assets import localise
from geo.web.auth import current_role
from geo.web.loaders import get_all_sites, get_catalogue, get_layer
from geo.web.map_data import location_layers
from geo.web.search_state import keep_state_in_url, page_link_params
from geo.web.state import current_lang, set_shortlist, shortlist, t
from geo.web.ui import guarded

lang = current_lang()


def _enquiry_form(cat, sid: str, lang: str) -> None:
    """An investor asks about the site; it reaches staff (the owner's contacts are never shown publicly)."""
    it = lang == "it"
    with st.expander("Chiedi informazioni su questo sito" if it else "Ask about this site"):
        with st.form(f"enquiry_{sid}", clear_on_submit=True):
            name = st.text_input("Nome e organizzazione" if it else "Name and organisation", max_chars=200)
            email = st.text_input("E-mail", max_chars=254)
            message = st.text_area("Messaggio" if it else "Message", max_chars=4000)
            consent = st.checkbox("Acconsento al trattamento dei dati per ricevere una risposta" if it else
                                  "I agree to the use of my data to answer this enquiry")
            if st.form_submit_button("Invia" if it else "Send"):
                send_enquiry(cat, sid, name, email, message, consent)  # a UserError is shown by guarded()
                st.success("Richiesta inviata: vi risponderà lo staff di Invest in Lombardy." if it else
                           "Enquiry sent: Invest in Lombardy staff will answer you.")


with guarded():
    keep_state_in_url()  # the sheet's link carries the search, brief and shortlist too
    role = current_role()
    staff = role == "staff"
    sites = get_all_sites()
    visible = visible_rows(sites, role)
    ids = visible["site_id"].tolist()
    wanted = st.query_params.get("site") or st.session_state.get("sheet_site")
    if not ids:
        st.info(t("not_found"))
        st.stop()
    idx = ids.index(wanted) if wanted in ids else 0
    if wanted and wanted not in ids:
        st.warning(t("not_found"))
    titles = dict(zip(visible["site_id"], visible["title_it" if lang == "it" else "title_en"]
                      .fillna(visible["title_it"])))
    sid = st.selectbox(t("select_site"), ids, index=idx, format_func=lambda s: f"{s} · {titles.get(s, '')}")
    st.query_params["site"] = sid
    cat = get_catalogue()
    rec = cat.site(sid, role=role)
    mun = get_layer("municipalities")
    mun_geom = mun.loc[mun["istat"] == rec.get("municipality_istat"), "geometry"]
    # Where the site is, drawn offline (printed sheets too): provinces, lines, nearest exit and station.
    location = location_context(rec, municipalities=mun[mun["istat"] == rec.get("municipality_istat")],
                                **location_layers())
    left, right = st.columns([3, 2])
    with left:
        st.html(render_sheet_html(rec, lang, staff=staff, standalone=False, location=location))
    with right:
        m = folium.Map(location=[rec["lat"], rec["lon"]], zoom_start=14, tiles="OpenStreetMap", prefer_canvas=True)
        if len(mun_geom):
            folium.GeoJson(mun_geom.iloc[0].__geo_interface__,
                           style_function=lambda _f: {"color": "#555", "weight": 1, "fill": False}).add_to(m)
        if rec.get("outline") is not None:
            folium.GeoJson(rec["outline"].__geo_interface__,
                           style_function=lambda _f: {"color": "#00573f", "weight": 2}).add_to(m)
        folium.CircleMarker([rec["lat"], rec["lon"]], radius=8, color="#c62828", fill=True).add_to(m)
        localise(m)
        st_folium(m, key=f"sheet_map_{sid}", height=360, width="stretch", returned_objects=[])
        sl = shortlist()
        if sid in sl:
            if st.button(t("remove_shortlist"), key="sheet_rm"):
                set_shortlist([s for s in sl if s != sid])
                st.rerun()
        elif st.button(t("add_shortlist"), key="sheet_add"):
            set_shortlist(sl + [sid])
            st.rerun()
        for code in ("it", "en"):
            c1, c2 = st.columns(2)
            # Documents are rendered when the button is clicked, not on every rerun.
            c1.download_button(f"{t('download_pdf')} ({code.upper()})",
                               lambda code=code: render_sheet_pdf(rec, code, staff=False, location=location), file_name=f"{sid}_{code}.pdf", mime="application/pdf", key=f"pdf_{code}")
            c2.download_button(f"{t('download_html')} ({code.upper()})",
                               lambda code=code: render_sheet_html(rec, code, staff=False, location=location),
                               file_name=f"{sid}_{code}.html", mime="text/html", key=f"html_{code}")
        actors = nearest_actors(float(rec["lon"]), float(rec["lat"]), get_layer("innovation_actors"))
        if len(actors):
            st.markdown("**" + ("Ecosistema dell'innovazione vicino" if lang == "it" else "Innovation ecosystem nearby")
                        + "**")
            st.dataframe(actors.rename(columns={
                "kind": "Tipo" if lang == "it" else "Kind", "name": "Nome" if lang == "it" else "Name",
                "ecosystem": "Ecosistema" if lang == "it" else "Ecosystem", "km": "km",
                "location_precision": "Posizione" if lang == "it" else "Located at"}).replace(
                {"municipality": "comune della sede" if lang == "it" else "headquarters' municipality"}),
                hide_index=True, width="stretch")
        n1, n2 = st.columns(2)
        n1.page_link("geo/web/pages/find.py", label=t("page_find"), icon=":material/search:",
                     query_params=page_link_params())
        n2.page_link("geo/web/pages/shortlist.py", label=t("page_shortlist"), icon=":material/star:",
                     query_params=page_link_params())
        if staff:
            with st.expander(t("history")):
                st.dataframe(cat.history(sid), hide_index=True)
        if rec.get("status") == "published":
            _enquiry_form(cat, sid, lang)
