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
from geo.listing.freshness import is_due, reconfirm, reconfirm_months
from geo.listing.layout import MAX_BYTES
from geo.listing.preview import preview_records
from geo.listing.submission import owner_by_token, owner_view, replace_submission, submit, withdraw
from geo.listing.template import write_template
from geo.render import render_card_html, render_sheet_html
from geo.web.assets import localise
from geo.web.loaders import get_catalogue, get_layer
from geo.web.state import current_lang, t
from geo.web.ui import flash, guarded, md_escape

lang = current_lang()
it = lang == "it"
title_col, link_col = st.columns([3, 2], vertical_alignment="bottom")
title_col.title(t("page_owner"))


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
        # An expander label is Markdown: the owner's title is escaped (an image or a link in it stays text).
        with st.expander(f"{'Riga' if it else 'Row'} {rec['_row']}: {md_escape(rec.get('title_it') or '')} — "
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



CLOSED = ("replaced", "withdrawn")


def _when(iso: object, time: bool = True) -> str:
    """'23/11/2026 16:40' (it) or '23 Nov 2026 16:40' (en), UTC, from an ISO timestamp (date only: time=False)."""
    import datetime as dt

    try:
        d = dt.datetime.fromisoformat(str(iso).replace("Z", "+00:00"))
    except ValueError:
        return ""
    fmt = ("%d/%m/%Y" if it else "%d %b %Y") + (" %H:%M" if time else "")
    return d.strftime(fmt)


def _superseded_by(view: pd.DataFrame) -> dict[tuple[str, str], int]:
    """(submission, site) -> the version that replaced it: the next version holding the same site."""
    out: dict[tuple[str, str], int] = {}
    for sid, rows in view.groupby("site_id", sort=False):
        versions = sorted({int(v) for v in rows["version"]})
        for _, r in rows.iterrows():
            later = [v for v in versions if v > int(r["version"])]
            if later:
                out[(r["submission_id"], sid)] = later[0]
    return out


def human_status(row: dict, superseded: dict, lang_: str, verified: int = 0) -> str:
    """The state of one listing of one version, as the owner would say it (``verified``: how many of
    its fields staff have verified; a submitted listing with some is in review)."""
    i = lang_ == "it"
    newer = superseded.get((row["submission_id"], row["site_id"]))
    sub_status = row.get("submission_status") or ""
    status = row.get("status") or ""
    if newer is not None or sub_status == "replaced":
        return (f"Sostituita dalla versione {newer}" if i else f"Superseded by version {newer}") if newer else (
            "Sostituita" if i else "Superseded")
    if sub_status == "withdrawn" or status == "withdrawn":
        return "Ritirata" if i else "Withdrawn"
    if status == "published":
        return "Pubblicata: visibile agli investitori" if i else "Published: visible to investors"
    if status == "validated":
        return "In esame dallo staff" if i else "In review by staff"
    if status == "draft" or sub_status == "sent_back":
        reason = row.get("reason")
        reason = "" if reason is None or (isinstance(reason, float) and pd.isna(reason)) else str(reason)
        return ((f"Rimandata dallo staff: {reason}" if i else f"Sent back by staff: {reason}") if reason else
                ("Rimandata dallo staff" if i else "Sent back by staff"))
    if status == "submitted" and verified:
        return (f"In esame dallo staff ({verified} campi verificati)" if i else
                f"In review by staff ({verified} fields verified)")
    if status == "submitted":
        return "Inviata: in attesa di esame" if i else "Submitted: waiting for review"
    if status == "expired":
        return "Scaduta" if i else "Expired"
    return status


def show_reconfirmation(cat, token: str, recs: dict) -> None:
    """Published listings whose last confirmation is older than the period: one click says 'still on offer'."""
    months = reconfirm_months()
    due = [r for r in recs.values() if r.get("status") == "published"
           and is_due(r.get("confirmed_at") or r.get("updated_at"), months)]
    for rec in due:
        when = _when(rec.get("confirmed_at") or rec.get("updated_at"), time=False)
        title = md_escape(rec.get("title_it") or rec["site_id"])  # owner text in a Markdown message
        st.warning((f"«{title}» è stata confermata l'ultima volta il {when}: dopo {months} mesi va riconfermata. "
                    "È ancora disponibile così com'è?") if it else
                   (f"'{title}' was last confirmed on {when}: after {months} months it needs reconfirming. "
                    "Is it still on offer as it is?"), icon=":material/event_repeat:")
        if st.button("Sì, è ancora disponibile" if it else "Yes, still on offer", key=f"reconfirm_{rec['site_id']}",
                     type="primary"):
            reconfirm(cat, token, rec["site_id"])
            flash(f"Disponibilità di {rec['site_id']} confermata." if it else
                  f"Availability of {rec['site_id']} confirmed.")
            st.rerun()


def show_follow_up(cat, token: str, up) -> None:
    st.subheader("I vostri invii" if it else "Your submissions")
    view = owner_view(cat, token)
    if view.empty:
        st.info("Nessun invio." if it else "No submission yet.")
        return
    superseded = _superseded_by(view)
    rows = view.to_dict("records")
    # Fields staff have verified so far, per listing: only the token's own listings (from owner_view).
    ids = list(dict.fromkeys(r["site_id"] for r in rows))
    recs = {rec["site_id"]: rec for rec in cat.records(ids, role="staff") if rec}
    verified = {sid: sum(1 for k, v in rec.items() if k.endswith("__prov") and v == "verified")
                for sid, rec in recs.items()}
    show_reconfirmation(cat, token, recs)
    # Owner text goes to a dataframe cell only (never Markdown).
    table = pd.DataFrame({
        "Versione" if it else "Version": [int(r["version"]) for r in rows],
        "Scheda" if it else "Listing": [r.get("title") or "" for r in rows],
        "Stato" if it else "Status": [human_status(r, superseded, lang, verified.get(r["site_id"], 0))
                                      for r in rows],
        "Inviata il (UTC)" if it else "Submitted (UTC)": [_when(r.get("submitted_at")) for r in rows],
        "Codice scheda" if it else "Listing code": [r["site_id"] for r in rows],
    }).sort_values("Versione" if it else "Version", ascending=False, kind="stable")
    st.dataframe(table, hide_index=True, width="stretch")

    # Versions one can still act on: not replaced, not withdrawn; the latest first (and chosen).
    by_sub: dict[str, dict] = {}
    for r in rows:
        closed = (r.get("submission_status") in CLOSED or r.get("status") == "withdrawn"
                  or (r["submission_id"], r["site_id"]) in superseded)
        info = by_sub.setdefault(r["submission_id"], {"version": int(r["version"]), "n": 0, "closed": True,
                                                      "at": r.get("submitted_at")})
        info["n"] += 1
        info["closed"] = info["closed"] and closed
    active = sorted((s for s, v in by_sub.items() if not v["closed"]), key=lambda s: -by_sub[s]["version"])
    if not active:
        return
    sub_id = st.selectbox(
        "Versione su cui agire" if it else "Version to act on", active, index=0, key="owner_sub",
        format_func=lambda s: (f"Versione {by_sub[s]['version']} — {_when(by_sub[s]['at'])} — {by_sub[s]['n']} "
                               f"{'schede' if it else 'listings'}" if it else
                               f"Version {by_sub[s]['version']} — {_when(by_sub[s]['at'])} — {by_sub[s]['n']} "
                               "listings"))
    version = by_sub[sub_id]["version"]
    if st.session_state.get("owner_confirm_withdraw") == sub_id:
        st.warning((f"Ritirare la versione {version}? Le sue schede non saranno più visibili né esaminate. "
                    "Per riproporle servirà un nuovo invio.") if it else
                   (f"Withdraw version {version}? Its listings will no longer be shown or reviewed. "
                    "Offering them again needs a new submission."))
        a, b = st.columns(2)
        if a.button("Sì, ritira" if it else "Yes, withdraw", type="primary", key="owner_withdraw_confirm"):
            st.session_state.pop("owner_confirm_withdraw", None)
            withdraw(cat, token, sub_id)
            flash(f"Versione {version} ritirata." if it else f"Version {version} withdrawn.")
            st.rerun()
        if b.button("Annulla" if it else "Cancel", key="owner_withdraw_cancel"):
            st.session_state.pop("owner_confirm_withdraw", None)
            st.rerun()
        return
    c1, c2 = st.columns(2)
    if c1.button("Ritira…" if it else "Withdraw…", key="owner_withdraw"):
        st.session_state["owner_confirm_withdraw"] = sub_id
        st.rerun()
    if up is not None and c2.button(f"Sostituisci la versione {version} con il file caricato" if it else
                                    f"Replace version {version} with the uploaded file", key="owner_replace"):
        res = check_workbook(up.getvalue(), cat.places(), lang)
        r = replace_submission(cat, token, sub_id, res)
        flash(f"Versione {version} sostituita dalla versione {version + 1}." if it else
              f"Version {version} replaced by version {version + 1}.")
        st.rerun()


with guarded():
    cat = get_catalogue()
    token = st.query_params.get("token") or st.session_state.get("owner_token")
    owner = owner_by_token(cat, token) if token else None
    if token and owner is None:
        st.error("Link privato non valido." if it else "Invalid private link.")
        token = None
    if token and owner:  # top right, on every visit: the only way back to these submissions
        with link_col:
            st.caption("Il vostro link privato: conservatelo, è l'unico accesso ai vostri invii." if it else
                       "Your private link: keep it, it is the only way back to your submissions.")
            st.code(_private_link(token), language=None, wrap_lines=True)  # with a copy button

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
    # A new key after each submission empties the uploader: the same file is not offered twice.
    up = st.file_uploader("Excel (.xlsx)", type=["xlsx", "xlsm", "xls"], max_upload_size=MAX_BYTES // 1024 // 1024,
                          key=f"owner_upload_{st.session_state.get('owner_upload_gen', 0)}")
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
                    st.query_params["lang"] = lang
                st.session_state["owner_upload_gen"] = st.session_state.get("owner_upload_gen", 0) + 1
                flash((f"Inviato: {len(receipt.site_ids)} siti ({receipt.submission_id})." if it else
                       f"Submitted: {len(receipt.site_ids)} sites ({receipt.submission_id}).") +
                      ((" Il vostro link privato è in alto a destra: copiatelo e conservatelo." if it else
                        " Your private link is at the top right: copy it and keep it.") if receipt.token else ""))
                st.rerun()

    if token and owner:
        show_follow_up(cat, token, up)
