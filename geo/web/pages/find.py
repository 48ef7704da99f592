"""Find sites: filters and investor brief in the sidebar, map and ranked results in sync."""

import hashlib
import json

import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from geo.schema import FIELD
from geo.search import Brief, Criterion, Query, SearchIndex, search
from geo.web.auth import current_role
from geo.web.loaders import _stamp, get_all_sites, get_catalogue, get_layer
from geo.web.map_events import apply_map_state, clicked_site
from geo.web.mapview import build_map, legend_html
from geo.web.search_state import BRIEF_WIDGETS, criterion_value, load_from_url, save_to_url, widget_value
from geo.web.state import current_lang, set_shortlist, shortlist, t
from geo.web.ui import demo_banner, guarded

DEFAULT_RADIUS_KM = 20.0  # around a named place when no radius is given

lang = current_lang()
it = lang == "it"
staff = current_role() == "staff"


@st.cache_resource(max_entries=2, show_spinner=False)
def _index(path: str, mtime: float) -> SearchIndex:
    return SearchIndex.from_sites(get_all_sites())


def _f(v: float | int | None) -> float | None:
    """Widget value from the URL: floats (st.number_input refuses mixed int/float), None = empty."""
    return float(v) if v else None


def _ha(m2: float | None) -> float | None:
    return float(m2) / 1e4 if m2 else None


def choice_select(label: str, key: str, values: list[str], default: list[str]) -> list[str]:
    f = FIELD[key]
    return st.multiselect(label, f.choices, default=[v for v in default if v in f.choices],
                          format_func=lambda v: f.choice_label(v, lang), placeholder=t("choose"),
                          key=f"w_{label}_{key}")


st.title(t("page_find"))
with guarded():
    cat = get_catalogue()
    index = _index(*_stamp())
    q0, b0 = load_from_url()
    demo_banner(bool(index.sites["is_demo"].fillna(False).any()))

    with st.sidebar:
        st.header(t("filters"))
        near = st.text_input("Vicino a (comune)" if it else "Near (municipality)", value=q0.near or "",
                             key="w_near")
        # Empty means "no limit"; a place without a radius searches DEFAULT_RADIUS_KM around it.
        radius = st.number_input("Raggio km" if it else "Radius km", 0.0, 300.0, _f(q0.radius_km), 5.0,
                                 placeholder=str(DEFAULT_RADIUS_KM), key="w_radius")
        c1, c2 = st.columns(2)
        min_ha = c1.number_input("Min ha", 0.0, 1000.0, _ha(q0.min_land_m2), 0.5, placeholder=t("any"),
                                 key="w_minha")
        max_ha = c2.number_input("Max ha", 0.0, 1000.0, _ha(q0.max_land_m2), 0.5, placeholder=t("any"),
                                 key="w_maxha")
        kinds = choice_select(FIELD["asset_kind"].label(lang), "asset_kind", [], q0.asset_kinds)
        origins = choice_select(FIELD["origin"].label(lang), "origin", [], q0.origins)
        uses = choice_select(FIELD["permitted_uses"].label(lang), "permitted_uses", [], q0.uses)
        trans = choice_select(FIELD["transaction"].label(lang), "transaction", [], q0.transactions)
        max_price = st.number_input(f"{FIELD['price_eur'].label(lang)} max (€)", 0.0, 1e9, _f(q0.max_price_eur),
                                    100000.0, placeholder=t("any"), key="w_maxprice")
        min_power = st.number_input(f"{FIELD['power_kw'].label(lang)} min (kW)", 0.0, 1e6, _f(q0.min_power_kw),
                                    500.0, placeholder=t("any"), key="w_minpower")
        provinces = st.multiselect("Provincia" if it else "Province",
                                   sorted(index.sites["province"].dropna().unique()), default=q0.provinces,
                                   placeholder=t("choose"), key="w_prov")
        f1, f2, f3 = st.columns(3)
        zls = f1.checkbox("ZLS", value=q0.zls, key="w_zls")
        aid = f2.checkbox("Aiuti" if it else "Aid map", value=q0.aid_area, key="w_aid")
        zis = f3.checkbox("ZIS", value=q0.in_zis, key="w_zis")
        siding = st.checkbox(FIELD["rail_siding"].label(lang), value=q0.rail_siding, key="w_siding")
        use_draw = st.checkbox("Usa l'area disegnata sulla mappa" if it else "Use the area drawn on the map",
                               value=True, key="w_draw")
        use_view = st.checkbox("Solo la vista corrente della mappa" if it else "Only the current map view",
                               value=False, key="w_view")

        st.header(t("brief"))
        have = {c.key: c for c in b0.criteria}
        crits: list[Criterion] = []
        for key, (kind, default) in BRIEF_WIDGETS.items():
            prev = have.get(key)
            label = Criterion(key, default if default is not None else "2027-01-01").label(lang)
            if key == "land_area_min":
                label += " (ha) ≥"
            elif key == "land_area_max":
                label += " (ha) ≤"
            on = st.checkbox(label, value=prev is not None, key=f"b_on_{key}")
            if not on:
                continue
            cols = st.columns([3, 1])
            if kind in ("ha", "num"):
                raw = cols[0].number_input(label, value=float(widget_value(kind, prev, default)),
                                           key=f"b_v_{key}", label_visibility="collapsed")
            elif kind == "date":
                raw = cols[0].date_input(label, value=widget_value(kind, prev, default), key=f"b_v_{key}",
                                         label_visibility="collapsed")
            elif kind == "uses":
                f = FIELD["permitted_uses"]
                raw = cols[0].multiselect(label, f.choices, default=widget_value(kind, prev, default),
                                          format_func=lambda v: f.choice_label(v, lang), placeholder=t("choose"),
                                          key=f"b_v_{key}",
                                          label_visibility="collapsed") or ["industrial"]
            else:
                raw = default
            hard = cols[1].toggle("hard", value=prev.hard if prev else True, key=f"b_h_{key}")
            crits.append(Criterion(key, criterion_value(kind, raw), hard=hard))
        brief = Brief(name=b0.name, criteria=crits)
        up = st.file_uploader("Carica richiesta (JSON)" if it else "Load brief (JSON)", type=["json"], key="w_up")
        if up is not None and st.session_state.get("brief_loaded") != up.file_id:
            st.session_state["brief_loaded"] = up.file_id
            loaded = Brief.from_json(up.getvalue().decode("utf-8", "replace"))
            for k in list(st.session_state):
                if k.startswith("b_"):
                    del st.session_state[k]
            st.session_state["search_b"] = loaded
            st.query_params["b"] = loaded.to_json()
            st.rerun()
        st.download_button("Salva richiesta (JSON)" if it else "Save brief (JSON)",
                           json.dumps(brief.to_dict(), ensure_ascii=False, indent=2), "brief.json",
                           "application/json", key="w_save")

    query = Query(near=near.strip() or None, radius_km=radius or None, min_land_m2=min_ha * 1e4 if min_ha else None,
                  max_land_m2=max_ha * 1e4 if max_ha else None, asset_kinds=kinds, origins=origins, uses=uses,
                  transactions=trans, max_price_eur=max_price or None, min_power_kw=min_power or None,
                  provinces=provinces, zls=zls, aid_area=aid, in_zis=zis, rail_siding=siding,
                  polygon=q0.polygon, bbox=None)
    if query.near and not query.radius_km:
        query.radius_km = DEFAULT_RADIUS_KM
    map_state = st.session_state.get("findmap_state")
    query = apply_map_state(query, map_state, use_drawing=use_draw, use_view=use_view, radius_km=radius or 10.0)
    save_to_url(query, brief)

    result = search(index, query, brief, staff=staff, places=cat.places())
    sites = result.sites
    st.subheader(t("n_results", n=len(sites)))
    if query.near and query.point is None:  # the look-up is tolerant: show which municipality it settled on
        m = cat.places().find(query.near)
        st.caption(t("near_caption", km=f"{query.radius_km:g}", name=m["name"], prov=m["province"]))
    st.caption(t("share_link"))

    key = hashlib.sha1((json.dumps(query.to_dict(), sort_keys=True, default=str) + brief.to_json() + lang
                        + str(_stamp())).encode()).hexdigest()

    @st.cache_resource(max_entries=8, show_spinner=False)
    def _map(k: str, _sites, _lang: str):
        return build_map(_sites, _lang, outlines=cat.outlines(_sites["site_id"]),
                         zls=get_layer("zls_municipalities", for_map=True), zis=get_layer("zis_areas"),
                         provinces=get_layer("provinces", for_map=True),
                         municipalities=get_layer("municipalities", for_map=True),
                         infrastructure=get_layer("infrastructure"))

    fmap = _map(key, sites, lang)
    returned = ["last_active_drawing", "last_object_clicked"] + (["bounds"] if use_view else [])
    state = st_folium(fmap, key="findmap", height=560, width="stretch", returned_objects=returned)
    st.html(legend_html(lang, bool(brief.criteria)))
    if state != map_state and state is not None:
        st.session_state["findmap_state"] = state
        if (state.get("last_active_drawing") != (map_state or {}).get("last_active_drawing")
                or (use_view and state.get("bounds") != (map_state or {}).get("bounds"))):
            st.rerun()
    picked = clicked_site(state, sites)

    lab = {"site_id": "ID", "demo": t("demo"), "title": "Titolo" if it else "Title",
           "municipality_name": FIELD["municipality_name"].label(lang), "province": FIELD["province"].label(lang),
           "land_area_m2": FIELD["land_area_m2"].label_with_unit(lang), "verdict": t("verdict"), "score": t("score")}
    table = pd.DataFrame({
        "site_id": sites["site_id"],
        "demo": sites["is_demo"].fillna(False).map({True: "DEMO", False: ""}),
        "title": sites["title_en" if not it else "title_it"].fillna(sites["title_it"]),
        "municipality_name": sites["municipality_name"], "province": sites["province"],
        "land_area_m2": sites["land_area_m2"].round(0),
        "verdict": sites["verdict"].map(lambda v: t(v) if v else ""), "score": sites["score"],
    }).rename(columns=lab)
    sel = st.dataframe(table, hide_index=True, width="stretch", on_select="rerun",
                       selection_mode="multi-row", key="results_table", height=320)
    chosen = [sites["site_id"].iloc[i] for i in (sel.selection.rows if sel else [])]
    if picked and picked not in chosen:
        chosen = [picked] + chosen
    sl = shortlist()
    c1, c2, c3 = st.columns(3)
    if c1.button(f"{t('add_shortlist')} ({len(chosen)})", disabled=not chosen, key="add_sl"):
        set_shortlist(sl + chosen)
        st.rerun()
    if c2.button(t("open_sheet"), disabled=len(chosen) < 1, key="open_sheet"):
        st.session_state["sheet_site"] = chosen[0]
        st.switch_page("geo/web/pages/sheet.py")
    c3.write(f":material/star: {t('page_shortlist')}: {len(sl)}")
    if chosen and brief.criteria:
        with st.expander(f"{t('reason')}: {chosen[0]}", expanded=True):
            st.dataframe(pd.DataFrame(result.explain(chosen[0], lang),
                                      columns=[t("criterion"), t("verdict"), t("reason")]).assign(
                **{t("verdict"): lambda d: d[t("verdict")].map(t)}), hide_index=True, width="stretch")
