"""Brownfield candidates: run history, map over satellite imagery, before/after views, review."""

import json
import re

import folium
import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from geo.brownfield.detect import SIZE_CLASSES
from geo.brownfield.review import (before_after_rgb, decided_candidates, filter_candidates, list_runs,
                                   promote_to_listing, record_review, scenes_state)
from geo.catalogue import catalogue_target
from geo.i18n import SOURCE_LANG, Translator, translator
from geo.web.assets import localise
from geo.web.auth import actor, require_can
from geo.web.loaders import get_catalogue
from geo.web.mapview import ESRI, OSM
from geo.web.review_grid import review_grid
from geo.web.state import current_lang
from geo.web.ui import flash, guarded, map_frame, md, show

LABELS = ("new", "already listed", "in register")
DECISIONS = ("pending", "confirm", "reject", "promote")
SHEET_PAGE = "geo/web/pages/sheet.py"  # where a promoted candidate's draft listing opens

lang = current_lang()
_ = translator(lang)
require_can("review_brownfields")
st.title(_("Brownfields (satellite)"))


def label_text(_: Translator, value: object) -> str:
    """A candidate's label ("new", "already listed", "in register") in the page's language."""
    names = {"new": _.pgettext("brownfield label", "new"),
             "already listed": _.pgettext("brownfield label", "already listed"),
             "in register": _.pgettext("brownfield label", "in register")}
    return names.get(value, str(value))


def decision_text(_: Translator, value: object) -> str:
    """An analyst's decision on a candidate; not yet reviewed is "to review", never None."""
    names = {"pending": _.pgettext("brownfield review", "to review"),
             "confirm": _.pgettext("brownfield review", "confirmed"),
             "reject": _.pgettext("brownfield review", "rejected"),
             "promote": _.pgettext("brownfield review", "promoted")}
    return names.get("pending" if value is None or (isinstance(value, float) and pd.isna(value)) else value,
                     str(value))


def size_text(_: Translator, name: object) -> str:
    """A size class ("0.2-0.5 ha", ">5 ha") with the locale's decimal separator ("0,2-0,5 ha")."""
    return re.sub(r"\d+(?:\.\d+)?", lambda m: _.number(float(m.group()), 2), str(name))


def dates_text(_: Translator, dates: object) -> str:
    """ISO dates (a list or "2019-06-01,2021-06-01") as the locale writes them."""
    items = dates if isinstance(dates, list) else [d for d in str(dates or "").split(",") if d]
    out = []
    for d in items:
        try:
            out.append(_.date(str(d)))
        except (ValueError, TypeError):
            out.append(str(d))
    return ", ".join(out)


def learned_quality(_: Translator, info: dict) -> None:
    """The learned scorer's spatial block cross-validation with its intervals, in plain words, and its learning
    curve (the figure against the number of decisions), when the run record holds them (issue 19)."""
    cv = info.get("cv") or {}
    auc = cv.get("auc") or {}
    if auc.get("lo") is not None:
        def num(v):
            return _.number(v, 2, trim=False)

        better = auc["lo"] > 0.5
        text = (_("Judged on blocks of {km} km left out in turn ({blocks} blocks): AUC {auc} (95% interval {lo}-{hi}); "
                  "better than chance: yes at 95%.") if better else
                _("Judged on blocks of {km} km left out in turn ({blocks} blocks): AUC {auc} (95% interval {lo}-{hi}); "
                  "better than chance: no at 95%."))
        show("caption", text, km=_.number(cv.get("block_m", 1500) / 1000, 1), blocks=_.integer(cv.get("n_blocks", 0)),
             auc=num(auc["value"]), lo=num(auc["lo"]), hi=num(auc["hi"]))
        lift = cv.get("lift_top10") or {}
        if lift.get("lo") is not None:
            show("caption", _("Among the reviewed candidates, the top 10% by this score hold {lift} times the share of "
                              "confirmed ones (95% interval {lo}-{hi})."),
                 lift=num(lift["value"]), lo=num(lift["lo"]), hi=num(lift["hi"]))
    elif cv.get("scheme"):
        st.caption(_("All decisions lie in one block: the scorer cannot be judged on places it has not seen yet."))
    curve = [p for p in info.get("learning_curve") or [] if p.get("auc") is not None]
    if len(curve) >= 2:
        st.caption(_("Learning curve: cross-validated AUC against the number of decisions (with its 95% interval)."))
        frame = pd.DataFrame({"n": [p["n"] for p in curve], "auc": [p["auc"] for p in curve],
                              "lo": [p["lo"] for p in curve], "hi": [p["hi"] for p in curve]}).set_index("n")
        st.line_chart(frame.rename(columns={"auc": _("AUC"), "lo": _("95% low"), "hi": _("95% high")}),
                      x_label=_("decisions"), y_label=_("AUC"))


# What a run of the page reads, cached per catalogue revision (every committed review or publication changes
# it): the runs, the candidates with their decisions, a candidate's before/after views (also keyed by the
# state of the scene files they read). Shared by every visitor and never changed in place.
@st.cache_resource(max_entries=2, show_spinner=False)
def cached_runs(target: str, revision: str, _cat) -> tuple[pd.DataFrame, dict[str, dict]]:
    """The runs, newest first, and each run's record by run id."""
    runs = list_runs(_cat)
    return runs, {r: json.loads(j) for r, j in zip(runs["run_id"], runs["record_json"])} if len(runs) else {}


@st.cache_resource(max_entries=4, show_spinner=False)
def cached_candidates(target: str, revision: str, lang: str, _cat) -> tuple[pd.DataFrame, dict[str, dict]]:
    """Every candidate with its decision and its texts in ``lang`` (``*_text`` columns), and each one's map
    feature (GeoJSON, by candidate id): formatted once per revision and language, not on every click."""
    c = decided_candidates(_cat)
    if len(c) == 0:
        return c, {}
    tr = translator(lang)
    c = c.assign(score_text=[tr.number(s, 2, trim=False) for s in c["score"]],
                 area_text=[tr.unit(a, "area-square-meter", 0) for a in c["area_m2"]],
                 size_text=[size_text(tr, s) for s in c["size_class"]],
                 label_text=[label_text(tr, v) for v in c["label"]],
                 review_text=[decision_text(tr, v) for v in c["decision"]],
                 first_seen_text=[dates_text(tr, [d]) if isinstance(d, str) and d else "" for d in
                                  (c["first_seen"] if "first_seen" in c else [None] * len(c))])
    layer = json.loads(c[["candidate_id", "score", "score_text", "area_text", "geometry"]].to_json(drop_id=True))
    return c, {f["properties"]["candidate_id"]: f for f in layer["features"]}


@st.cache_resource(max_entries=64, show_spinner=False)
def cached_views(target: str, revision: str, candidate_id: str, scenes: tuple, _cat, _row):
    return before_after_rgb(_cat, _row)


def warning_text(w: dict) -> str:
    """A run's recorded warning in the page's language (recorded in both when the run was published)."""
    return str(w.get(lang) or w.get(SOURCE_LANG) or w.get("message") or w.get("code") or "")


with guarded():
    cat = get_catalogue()
    stamp = (catalogue_target(), cat.revision())
    runs, records = cached_runs(*stamp, cat)
    st.subheader(_("Runs"))
    if len(runs) == 0:
        st.info(_("No published run. Run 'geo brownfield detect ... --publish'."))
        st.stop()
    st.dataframe(pd.DataFrame({
        _("Run"): runs["run_id"],
        _("Created"): [_.datetime(str(c)) for c in runs["created_at"]],
        _("Method"): runs["method"],
        _("Dates"): [dates_text(_, d) for d in runs["dates"]],
        _("Candidates"): [_.integer(n) for n in runs["n_candidates"]],
    }), hide_index=True, width="stretch")
    latest = records[runs["run_id"].iloc[0]]  # newest first
    for w in latest.get("warnings", []):  # runs recorded before warnings existed have none
        show("warning", "{run}: {warning}", run=latest["run_id"], warning=warning_text(w))
    info = latest.get("scorer_info")
    if info and "fallback" not in info:
        auc = info.get("cv_auc")
        st.info(md(_("Ranking learned from {n} analysts' decisions ({positive} confirmed); cross-validated AUC "
                     "{auc}."), n=info["n_decisions"], positive=info.get("n_positive", "?"),
                   auc=_.number(auc, 2, trim=False)) if auc is not None else
                _("Ranking learned from analysts' decisions."))
        learned_quality(_, info)
    elif info:
        show("caption", _("Ranking: rules (evidence score); {n} decisions are not enough to learn one ({why})."),
             n=info.get("n_decisions", 0), why=info.get("fallback_text", {}).get(_.lang) or info["fallback"])
    budget = latest.get("budget")
    if budget:
        if latest.get("budget_rule"):  # issue 19: the matching tolerance round each candidate counts too
            show("caption", _("Short list: the top candidates within {share} of the analysed area, counting the 50 m "
                              "round each that matching a register allows."), share=_.percent(budget, 1))
        else:
            show("caption", _("Short list: the top candidates within {share} of the analysed area."),
                 share=_.percent(budget, 1))
    with st.sidebar:
        min_score = st.slider(_("Minimum score"), 0.0, 1.0, 0.3, 0.05, key="bf_score")
        sizes = st.multiselect(_("Size"), [s[2] for s in SIZE_CLASSES], format_func=lambda v: size_text(_, v),
                               placeholder=_("Choose"), key="bf_size")
        labels = st.multiselect(_("Label"), list(LABELS), default=["new"], format_func=lambda v: label_text(_, v),
                                placeholder=_("Choose"), key="bf_label")
        decisions = st.multiselect(_("Review"), list(DECISIONS), default=["pending", "confirm"],
                                   format_func=lambda v: decision_text(_, v), placeholder=_("Choose"), key="bf_dec")
        recent = st.checkbox(_("Only first seen in the latest run"), key="bf_recent",
                             help=_("Possible recent closures."))
    beyond = st.sidebar.checkbox(_("Also show candidates beyond the budget"), key="bf_beyond")
    everything, features = cached_candidates(*stamp, lang, cat)
    cands = filter_candidates(everything, min_score, sizes or None, labels or None,
                              decisions or None, include_beyond_budget=beyond)
    if recent and len(cands) and "first_seen" in cands:
        cands = cands[cands["first_seen"] == latest["dates"][-1]].reset_index(drop=True)
    show("subheader", _.ngettext("{n} candidate", "{n} candidates", len(cands)), n=len(cands))
    if len(cands) == 0:
        st.stop()
    if st.toggle(_("Review several at once"), key="bf_grid",
                 help=_("A grid of the candidates still to review, decided with the mouse or the keyboard.")):
        review_grid(_, cat, catalogue_target(), cands, records, lambda d: dates_text(_, d))
        st.stop()  # the grid replaces the map and the one-candidate review
    cid = st.selectbox(_("Candidate"), cands["candidate_id"], key="bf_pick")
    row = cands[cands["candidate_id"] == cid].iloc[0]
    # The map follows the candidate under review (its outline in yellow, the others in orange).
    c = row.geometry.centroid
    m = folium.Map(location=[c.y, c.x], zoom_start=16, tiles=None, prefer_canvas=True)
    folium.TileLayer(ESRI, name=_("Satellite (Esri)"), attr="Imagery © Esri", max_zoom=19).add_to(m)
    folium.TileLayer(OSM, name=_("Map (OpenStreetMap)"), attr="© OpenStreetMap contributors", show=False).add_to(m)
    outlines = {"type": "FeatureCollection", "features": [features[i] for i in cands["candidate_id"]]}
    folium.GeoJson(outlines, name=_("Candidates"), style_function=lambda f: {
        "color": "#ff6f00", "weight": 2, "fillOpacity": 0.1 + 0.4 * f["properties"]["score"]},
        tooltip=folium.GeoJsonTooltip(["candidate_id", "score_text", "area_text"],
                                      aliases=[_("Candidate"), _("Score"), _("Area")])).add_to(m)
    folium.GeoJson(row.geometry.__geo_interface__, name=cid,
                   style_function=lambda _f: {"color": "#ffd700", "weight": 3, "fillOpacity": 0}).add_to(m)
    x0, y0, x1, y1 = row.geometry.bounds
    m.fit_bounds([[y0 - 0.004, x0 - 0.006], [y1 + 0.004, x1 + 0.006]])
    folium.LayerControl().add_to(m)
    localise(m)
    with map_frame(f"bf_map_{cid}", 480):
        st_folium(m, key=f"bf_map_{cid}", height=480, width="stretch", returned_objects=[])
    explanation = f"explanation_{lang}" if f"explanation_{lang}" in cands else f"explanation_{SOURCE_LANG}"
    table = {
        _("Candidate"): cands["candidate_id"],
        _("Score"): cands["score_text"],
        _("Area"): cands["area_text"],
        _("Size"): cands["size_text"],
        _("Label"): cands["label_text"],
        _("Review"): cands["review_text"],
    }
    if "first_seen" in cands:
        table[_("First seen")] = cands["first_seen_text"]
    if explanation in cands:
        table[_("Why")] = cands[explanation]
    st.dataframe(pd.DataFrame(table), hide_index=True, width="stretch")
    record = records.get(row.get("run_id"))
    pics = cached_views(*stamp, cid, scenes_state(record), cat, row)
    if pics:
        a, b = st.columns(2)
        dates = record["dates"] if record else []
        # Native Sentinel-2 pixels (10 m), enlarged without smoothing; the candidate's outline in yellow.
        a.image(pics[0], caption=_("before {date}").format(date=dates_text(_, dates[:1])))
        b.image(pics[1], caption=_("after {date}").format(date=dates_text(_, dates[-1:])))
    else:
        st.caption(_("Before/after images unavailable: this run's scenes are no longer reachable from the server."))
    c1, c2, c3 = st.columns(3)
    if c1.button(_("Confirm"), key="bf_confirm"):
        record_review(cat, row, "confirm", actor())
        flash(md(_("{candidate} confirmed."), candidate=cid))
        st.rerun()
    # The reason box belongs to one candidate: emptied when another is chosen or after a rejection.
    if st.session_state.get("bf_reason_for") != cid:
        st.session_state["bf_reason"] = ""
        st.session_state["bf_reason_for"] = cid
    reason = c2.text_input(_("Reason for rejection"), key="bf_reason")
    if c2.button(_("Reject"), key="bf_reject", disabled=not reason):
        record_review(cat, row, "reject", actor(), reason)
        st.session_state.pop("bf_reason_for", None)
        flash(md(_("{candidate} rejected: {reason}"), candidate=cid, reason=reason))
        st.rerun()
    promoted = row.get("site_id") if "site_id" in row else None
    promoted = promoted if isinstance(promoted, str) and promoted else None
    if promoted:  # already a draft listing: a link to it instead of a second draft
        c3.page_link(SHEET_PAGE, label=md(_("Draft listing {site}"), site=promoted),
                     icon=":material/description:", query_params={"site": promoted})
    elif c3.button(_("Promote to draft listing"), key="bf_promote"):
        sid = promote_to_listing(cat, row, actor())
        show("success", _("Draft listing {site} created (origin: disused; satellite values marked 'estimated')."),
             site=sid)
        st.page_link(SHEET_PAGE, label=_("Open the draft"), icon=":material/description:",
                     query_params={"site": sid})
