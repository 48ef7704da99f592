"""Offer a site: template, upload with every error shown, preview as investors will see it, submit.

Owners are identified by the private link (``?token=...``) they receive on
their first submission; without it the page shows only their own upload.
"""

import tempfile

import folium
import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from geo.listing.check import check_workbook
from geo.listing.preview import preview_records
from geo.listing.submission import owner_by_token, owner_view, replace_submission, submit, withdraw
from geo.listing.template import write_template
from geo.render import render_card_html, render_sheet_html
from geo.web.assets import localise
from geo.web.loaders import get_catalogue, get_layer
from geo.web.state import current_lang, t
from geo.web.ui import flash, guarded

lang = current_lang()
it = lang == "it"
st.title(t("page_owner"))


@st.cache_data(max_entries=8, show_spinner=False)
def template_bytes(lang_: str, owner_key: str, owner: dict | None) -> bytes:
    with tempfile.NamedTemporaryFile(suffix=".xlsx") as fh:
        write_template(fh.name, lang_, owner=owner)
        return open(fh.name, "rb").read()


def _private_link(token: str) -> str:
    """The full link back to this page with the owner's token (relative when the URL is unknown)."""
    try:
        base = st.context.url or ""
    except Exception:  # noqa: BLE001 - no browser context (bare/AppTest runs)
        base = ""
    return f"{base}?token={token}&lang={lang}"


def show_check(res) -> None:
    if res.issues:
        problem = "Problema" if it else "Problem"
        # The problem text first after its place: it is what the owner reads; value and expectation follow.
        df = pd.DataFrame([{
            ("Gravità" if it else "Severity"): ("errore" if it else "error") if i.severity == "error" else (
                "avviso" if it else "warning"),
            ("Foglio" if it else "Sheet"): i.sheet or "", ("Riga" if it else "Row"): i.row or "",
            ("Colonna" if it else "Column"): i.column or "",
            problem: i.message(lang),
            ("Valore trovato" if it else "Value found"): "" if i.value is None else str(i.value),
            ("Atteso" if it else "Expected"): i.expected(lang),
        } for i in res.issues])
        n_err = len(res.errors)
        (st.error if n_err else st.warning)(
            (f"{n_err} errori e {len(res.issues) - n_err} avvisi" if it else
             f"{n_err} errors and {len(res.issues) - n_err} warnings"))
        st.dataframe(df, hide_index=True, width="stretch",
                     column_config={problem: st.column_config.TextColumn(problem, width="large")})
    if res.ok:
        st.success("File valido: controllate l'anteprima e inviate." if it else
                   "Valid file: check the preview and submit.")


def show_preview(cat, res) -> None:
    records = preview_records(res, cat)
    mun = get_layer("municipalities")
    for rec in records:
        with st.expander(f"{'Riga' if it else 'Row'} {rec['_row']}: {rec.get('title_it') or ''} — "
                         f"{'completezza' if it else 'completeness'} {rec['_completeness']:.0%}", expanded=True):
            if rec["_missing"]:
                from geo.schema import FIELD

                st.caption(("Mancano: " if it else "Missing: ") +
                           ", ".join(FIELD[k].label(lang) for k in rec["_missing"][:10]))
            if rec["_english_incomplete"]:
                st.warning("Testo inglese incompleto: gli investori esteri vedranno l'italiano." if it else
                           "English text incomplete: foreign investors will see the Italian text.")
            codes = ["it", "en"] if it else ["en", "it"]  # the owner's language first
            tabs = st.tabs([{"it": "Italiano", "en": "English"}[c] for c in codes])
            geom = mun.loc[mun["istat"] == rec.get("municipality_istat"), "geometry"]
            for code, tab in zip(codes, tabs):
                with tab:
                    st.html(render_card_html(rec, code))
                    st.html(render_sheet_html(rec, code, standalone=False,
                                              municipality=geom.iloc[0] if len(geom) else None))
            if rec.get("lat") is not None:
                m = folium.Map(location=[rec["lat"], rec["lon"]], zoom_start=13, prefer_canvas=True)
                if len(geom):
                    folium.GeoJson(geom.iloc[0].__geo_interface__,
                                   style_function=lambda _f: {"color": "#555", "weight": 1, "fill": False}).add_to(m)
                folium.CircleMarker([rec["lat"], rec["lon"]], radius=8, color="#c62828", fill=True).add_to(m)
                localise(m)
                st_folium(m, key=f"prev_map_{rec['_row']}", height=300, returned_objects=[])


with guarded():
    cat = get_catalogue()
    token = st.query_params.get("token") or st.session_state.get("owner_token")
    owner = owner_by_token(cat, token) if token else None
    if token and owner is None:
        st.error("Link privato non valido." if it else "Invalid private link.")
        token = None

    st.subheader("1. " + ("Scarica il modello" if it else "Download the template"))
    prefill = {k: v for k, v in (owner or {}).items() if k != "owner_id"}
    c1, c2 = st.columns(2)
    for code, col in (("it", c1), ("en", c2)):
        col.download_button(f"Excel ({code.upper()})", template_bytes(code, (owner or {}).get("owner_id", ""),
                                                                     prefill or None),
                            f"opportunity_lombardy_{code}.xlsx", key=f"tpl_{code}",
                            mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    if owner:
        st.caption("I vostri dati di proprietario sono già compilati nel modello." if it else
                   "Your owner data are already filled in the template.")

    st.subheader("2. " + ("Carica il file compilato" if it else "Upload the filled file"))
    up = st.file_uploader("Excel (.xlsx)", type=["xlsx", "xlsm", "xls"], key="owner_upload")
    if up is not None:
        res = check_workbook(up.getvalue(), cat.places(), lang)
        res.file_name = up.name
        show_check(res)
        if res.sites:
            st.subheader("3. " + ("Anteprima: come la vedranno gli investitori" if it else
                                  "Preview: as investors will see it"))
            show_preview(cat, res)
        if res.ok:
            if st.button("Invia" if it else "Submit", type="primary", key="owner_submit"):
                receipt = submit(cat, res, token=token)
                if receipt.token:
                    st.session_state["owner_token"] = receipt.token
                    st.query_params["token"] = receipt.token
                st.success((f"Inviato: {len(receipt.site_ids)} siti ({receipt.submission_id})." if it else
                            f"Submitted: {len(receipt.site_ids)} sites ({receipt.submission_id})."))
                if receipt.token:
                    st.info("Conservate questo link privato: è l'unico modo per vedere e modificare i vostri invii."
                            if it else "Keep this private link: it is the only way to see and change your submissions.")
                    st.code(_private_link(receipt.token), language=None)

    if token and owner:
        st.subheader("I vostri invii" if it else "Your submissions")
        view = owner_view(cat, token)
        st.dataframe(view, hide_index=True, width="stretch")
        active = view[view["status"].isin(["submitted", "draft", "published"])]["submission_id"].unique().tolist()
        if active:
            sub_id = st.selectbox("Invio" if it else "Submission", active, key="owner_sub")
            c1, c2 = st.columns(2)
            if c1.button("Ritira" if it else "Withdraw", key="owner_withdraw"):
                withdraw(cat, token, sub_id)
                flash(f"Invio {sub_id} ritirato." if it else f"Submission {sub_id} withdrawn.")
                st.rerun()
            if up is not None and c2.button("Sostituisci con il file caricato" if it else "Replace with the uploaded file",
                                            key="owner_replace"):
                res = check_workbook(up.getvalue(), cat.places(), lang)
                r = replace_submission(cat, token, sub_id, res)
                flash(f"Invio sostituito: nuova versione {r.submission_id}." if it else
                      f"Submission replaced: new version {r.submission_id}.")
                st.rerun()
