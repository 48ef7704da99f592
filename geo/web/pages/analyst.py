"""Brownfield candidates: run history, map over satellite imagery, before/after views, review."""

import json

import folium
import streamlit as st
from streamlit_folium import st_folium

from geo.brownfield.detect import SIZE_CLASSES
from geo.brownfield.review import before_after_rgb, list_runs, load_candidates, promote_to_listing, record_review
from geo.web.assets import localise
from geo.web.auth import actor, require_role
from geo.web.loaders import get_catalogue
from geo.web.mapview import ESRI, OSM
from geo.web.state import current_lang, t
from geo.web.ui import flash, guarded, md_escape

LABEL_IT = {"new": "nuovo", "already listed": "già in catalogo", "in register": "nel registro"}
DECISION_IT = {"pending": "da rivedere", "confirm": "confermato", "reject": "respinto", "promote": "promosso"}
DECISION_EN = {"pending": "to review", "confirm": "confirmed", "reject": "rejected", "promote": "promoted"}

lang = current_lang()
it = lang == "it"
require_role("staff", "analyst")
st.title(t("page_analyst"))

with guarded():
    cat = get_catalogue()
    runs = list_runs(cat)
    st.subheader("Esecuzioni" if it else "Runs")
    if len(runs) == 0:
        st.info("Nessuna esecuzione pubblicata. Lanciare «geo brownfield detect ... --publish»." if it else
                "No published run. Run 'geo brownfield detect ... --publish'.")
        st.stop()
    run_cols = {"run_id": ("Esecuzione", "Run"), "created_at": ("Creata (UTC)", "Created (UTC)"),
                "method": ("Metodo", "Method"), "dates": ("Date", "Dates"),
                "n_candidates": ("Candidati", "Candidates")}
    st.dataframe(runs[list(run_cols)].rename(columns={k: v[0 if it else 1] for k, v in run_cols.items()}),
                 hide_index=True, width="stretch")
    latest = json.loads(runs["record_json"].iloc[0])  # newest first
    for w in latest.get("warnings", []):  # runs recorded before warnings existed have none
        st.warning(f"{latest['run_id']}: " + (w["it"] if it else w["en"]))
    info = latest.get("scorer_info")
    if info and "fallback" not in info:
        auc = info.get("cv_auc")
        st.info((f"Ordinamento appreso da {info['n_decisions']} decisioni degli analisti "
                 f"({info.get('n_positive', '?')} confermate); AUC in validazione incrociata "
                 f"{auc:.2f}." if it else
                 f"Ranking learned from {info['n_decisions']} analysts' decisions ({info.get('n_positive', '?')} "
                 f"confirmed); cross-validated AUC {auc:.2f}.") if auc is not None else
                ("Ordinamento appreso dalle decisioni degli analisti." if it else
                 "Ranking learned from analysts' decisions."))
    elif info:
        st.caption((f"Ordinamento: regole (punteggio di evidenza); {info.get('n_decisions', 0)} decisioni non bastano "
                    "ad apprenderne uno." if it else
                    f"Ranking: rules (evidence score); {info.get('n_decisions', 0)} decisions are not enough to "
                    f"learn one ({info['fallback']})."))
    budget = latest.get("budget")
    if budget:
        st.caption((f"Lista breve: i candidati migliori entro il {budget:.0%} dell'area analizzata." if it else
                    f"Short list: the top candidates within {budget:.0%} of the analysed area."))
    with st.sidebar:
        min_score = st.slider("Punteggio minimo" if it else "Minimum score", 0.0, 1.0, 0.3, 0.05, key="bf_score")
        sizes = st.multiselect("Dimensione" if it else "Size", [s[2] for s in SIZE_CLASSES], placeholder=t("choose"),
                               key="bf_size")
        labels = st.multiselect("Etichetta" if it else "Label", ["new", "already listed", "in register"],
                                default=["new"], format_func=lambda v: LABEL_IT.get(v, v) if it else v,
                                placeholder=t("choose"), key="bf_label")
        decisions = st.multiselect("Revisione" if it else "Review", ["pending", "confirm", "reject", "promote"],
                                   default=["pending", "confirm"],
                                   format_func=lambda v: (DECISION_IT if it else DECISION_EN).get(v, v),
                                   placeholder=t("choose"), key="bf_dec")
        recent = st.checkbox("Solo comparsi nell'ultima esecuzione" if it else "Only first seen in the latest run",
                             key="bf_recent", help=("Possibili dismissioni recenti." if it else
                                                    "Possible recent closures."))
    beyond = st.sidebar.checkbox("Mostra anche i candidati oltre il budget" if it else
                                 "Also show candidates beyond the budget", key="bf_beyond")
    cands = load_candidates(cat, min_score, sizes or None, labels or None, decisions or None,
                            include_beyond_budget=beyond)
    if recent and len(cands) and "first_seen" in cands:
        cands = cands[cands["first_seen"] == latest["dates"][-1]].reset_index(drop=True)
    st.subheader(f"{len(cands)} " + ("candidati" if it else "candidates"))
    if len(cands) == 0:
        st.stop()
    cid = st.selectbox("Candidato" if it else "Candidate", cands["candidate_id"], key="bf_pick")
    row = cands[cands["candidate_id"] == cid].iloc[0]
    # The map follows the candidate under review (its outline in yellow, the others in orange).
    c = row.geometry.centroid
    m = folium.Map(location=[c.y, c.x], zoom_start=16, tiles=None, prefer_canvas=True)
    folium.TileLayer(ESRI, name=t("basemap_sat"), attr="Imagery © Esri", max_zoom=19).add_to(m)
    folium.TileLayer(OSM, name=t("basemap_osm"), attr="© OpenStreetMap contributors", show=False).add_to(m)
    show = cands[["candidate_id", "score", "area_m2", "geometry"]].copy()
    folium.GeoJson(show, name="candidates", style_function=lambda f: {
        "color": "#ff6f00", "weight": 2, "fillOpacity": 0.1 + 0.4 * f["properties"]["score"]},
        tooltip=folium.GeoJsonTooltip(["candidate_id", "score", "area_m2"])).add_to(m)
    folium.GeoJson(row.geometry.__geo_interface__, name=cid,
                   style_function=lambda _f: {"color": "#ffd700", "weight": 3, "fillOpacity": 0}).add_to(m)
    x0, y0, x1, y1 = row.geometry.bounds
    m.fit_bounds([[y0 - 0.004, x0 - 0.006], [y1 + 0.004, x1 + 0.006]])
    folium.LayerControl().add_to(m)
    localise(m)
    st_folium(m, key=f"bf_map_{cid}", height=480, width="stretch", returned_objects=[])
    cols = ["candidate_id", "score", "area_m2", "size_class", "label", "decision"]
    cols += ["first_seen"] if "first_seen" in cands else []
    table = cands[cols + ["explanation_it" if it else "explanation_en"]].copy()
    # Not yet reviewed is "to review", never None.
    table["decision"] = table["decision"].where(table["decision"].notna(), "pending").map(
        lambda v: (DECISION_IT if it else DECISION_EN).get(v, v))
    if it:
        table["label"] = table["label"].map(lambda v: LABEL_IT.get(v, v))
    cand_cols = {"candidate_id": ("Candidato", "Candidate"), "score": ("Punteggio", "Score"),
                 "area_m2": ("Area (m²)", "Area (m²)"), "size_class": ("Dimensione", "Size"),
                 "label": ("Etichetta", "Label"), "decision": ("Revisione", "Review"),
                 "first_seen": ("Visto dal", "First seen"),
                 "explanation_it": ("Perché", "Why"), "explanation_en": ("Perché", "Why")}
    st.dataframe(table.rename(columns={k: v[0 if it else 1] for k, v in cand_cols.items()}), hide_index=True,
                 width="stretch")
    pics = before_after_rgb(cat, row)
    if pics:
        a, b = st.columns(2)
        dates = json.loads(runs.loc[runs["run_id"] == row.get("run_id"), "record_json"].iloc[0])["dates"] \
            if row.get("run_id") in set(runs["run_id"]) else ["", ""]
        # Native Sentinel-2 pixels (10 m), enlarged without smoothing; the candidate's outline in yellow.
        a.image(pics[0], caption=f"{'prima' if it else 'before'} {dates[0]}")
        b.image(pics[1], caption=f"{'dopo' if it else 'after'} {dates[-1]}")
    else:
        st.caption("Immagini prima/dopo non disponibili: le scene di questa esecuzione non sono più raggiungibili "
                   "dal server." if it else
                   "Before/after images unavailable: this run's scenes are no longer reachable from the server.")
    c1, c2, c3 = st.columns(3)
    if c1.button("Conferma" if it else "Confirm", key="bf_confirm"):
        record_review(cat, row, "confirm", actor())
        flash(f"{cid} confermato." if it else f"{cid} confirmed.")
        st.rerun()
    # The reason box belongs to one candidate: emptied when another is chosen or after a rejection.
    if st.session_state.get("bf_reason_for") != cid:
        st.session_state["bf_reason"] = ""
        st.session_state["bf_reason_for"] = cid
    reason = c2.text_input("Motivo del rifiuto" if it else "Reason for rejection", key="bf_reason")
    if c2.button("Rifiuta" if it else "Reject", key="bf_reject", disabled=not reason):
        record_review(cat, row, "reject", actor(), reason)
        st.session_state.pop("bf_reason_for", None)
        flash(f"{cid} respinto: {md_escape(reason)}" if it else f"{cid} rejected: {md_escape(reason)}")  # Markdown
        st.rerun()
    promoted = row.get("site_id") if "site_id" in row else None
    promoted = promoted if isinstance(promoted, str) and promoted else None
    if promoted:  # already a draft listing: a link to it instead of a second draft
        c3.page_link("geo/web/pages/sheet.py", label=(f"Bozza di scheda {promoted}" if it else
                                                       f"Draft listing {promoted}"),
                     icon=":material/description:", query_params={"site": promoted})
    elif c3.button("Crea bozza di scheda" if it else "Promote to draft listing", key="bf_promote"):
        sid = promote_to_listing(cat, row, actor())
        st.success(f"Bozza di scheda {sid} creata (origine: dismessa; valori da satellite «stimati»)." if it else
                   f"Draft listing {sid} created (origin: disused; satellite values marked 'estimated').")
        st.page_link("geo/web/pages/sheet.py", label=("Apri la bozza" if it else "Open the draft"),
                     icon=":material/description:", query_params={"site": sid})
