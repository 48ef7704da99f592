"""Shortlist: compare side by side (criteria as rows, verdicts coloured) and export a dossier."""

import pandas as pd
import streamlit as st

from geo.export import to_csv, to_geojson
from geo.render import render_dossier_pdf
from geo.render.values import display_value, title_of
from geo.schema import FIELD
from geo.search import Query, SearchIndex, search
from geo.search.verdicts import NAMES
from geo.web.auth import current_role
from geo.web.loaders import get_all_sites, get_catalogue
from geo.web.search_state import load_from_url
from geo.web.state import current_lang, set_shortlist, shortlist, t
from geo.web.ui import demo_banner, guarded

lang = current_lang()
staff = current_role() == "staff"
COLOURS = {"PASS": "#c8ebc8", "CONDITIONAL": "#ffecb3", "FAIL": "#ffcdd2", "UNKNOWN": "#e1e1e1"}

st.title(t("page_shortlist"))
with guarded():
    ids = shortlist()
    sites = get_all_sites()
    visible = sites if staff else sites[sites["status"] == "published"]
    ids = [s for s in ids if s in set(visible["site_id"])]
    if not ids:
        st.info(t("shortlist_empty"))
        st.stop()
    _, brief = load_from_url()
    sub = visible[visible["site_id"].isin(ids)]
    index = SearchIndex.from_sites(sub)
    res = search(index, Query(), brief, staff=staff)
    cat = get_catalogue()
    records = cat.records(ids)  # in shortlist order, one read
    demo_banner(any(r.get("is_demo") for r in records))

    remove = st.multiselect(t("remove_shortlist"), ids, placeholder=t("choose"), key="sl_remove")
    if remove and st.button(t("remove_shortlist"), key="sl_remove_btn"):
        set_shortlist([s for s in ids if s not in remove])
        st.rerun()

    st.subheader(t("compare"))
    rows, comparison = {}, []
    explained = {sid: res.explain(sid, lang) for sid in ids}
    for j, c in enumerate(brief.criteria):
        label = c.label(lang) + ("" if c.hard else " (soft)")
        cells = [(explained[s][j][1], explained[s][j][2]) for s in ids]
        comparison.append((label, cells))
        rows[label] = [f"{t(v)} — {r}" for v, r in cells]
    by_id = res.sites.set_index("site_id")
    if brief.criteria:
        rows[t("verdict")] = [t(by_id.loc[s, "verdict"]) for s in ids]
        rows[t("score")] = [f"{by_id.loc[s, 'score']:.2f}" for s in ids]
    else:
        st.caption(t("no_brief_compare"))
    for key in ("land_area_m2", "covered_area_m2", "permitted_uses", "price_eur", "available_from", "power_kw",
                "dist_motorway_junction_km", "dist_airport_km", "in_zls", "zls_aid_area"):
        rows[FIELD[key].label(lang)] = [display_value(key, r.get(key), lang) for r in records]
    header = [f"{s}{' · DEMO' if r.get('is_demo') else ''}" for s, r in zip(ids, records)]
    table = pd.DataFrame(rows, index=header).T

    def colour(v: str) -> str:
        for name, col in COLOURS.items():
            if isinstance(v, str) and v.startswith(t(name)):
                return f"background-color:{col}"
        return ""

    st.dataframe(table.style.map(colour), width="stretch")
    st.caption(" · ".join(title_of(r, lang) for r in records))

    c1, c2, c3, c4 = st.columns(4)
    for code, col in (("it", c1), ("en", c2)):
        def dossier(code: str = code) -> bytes:
            # Rendered on click, not on every rerun (a 20-site dossier takes seconds).
            explained_ = {s: res.explain(s, code) for s in ids}
            comp = [(c.label(code), [(explained_[s][j][1], explained_[s][j][2]) for s in ids])
                    for j, c in enumerate(brief.criteria)]
            return render_dossier_pdf(records, code, comparison=comp or None, title=brief.name or None)

        col.download_button(f"{t('download_dossier')} {code.upper()}", dossier, f"dossier_{code}.pdf",
                            "application/pdf", key=f"dossier_{code}")
    c3.download_button(t("download_csv"), to_csv(res.sites, staff=staff), "shortlist.csv", "text/csv", key="sl_csv")
    c4.download_button(t("download_geojson"), to_geojson(res.sites, staff=staff), "shortlist.geojson",
                       "application/geo+json", key="sl_geojson")
