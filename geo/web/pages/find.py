"""Find sites: filters and investor brief in the sidebar, map and ranked results in sync.

The map is built fresh on every run from cached *data* (geo.web.map_data): a
folium object cached and shared between visitors is changed by its first
render and reaches the next visitor broken.
"""

import json

import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from geo.errors import UserError
from geo.schema import FIELD
from geo.search import CRITERIA, DEFAULT_RADIUS_KM, Brief, Criterion, Verdict, make_query, search
from geo.search.brief import DATE_MAX, DATE_MIN
from geo.search.limits import CRITERION_LIMIT, LIMITS, PROVINCES
from geo.search.params import link_problem
from geo.search.query import centre_of
from geo.catalogue.access import can
from geo.listing.status import STAFF_STATES, state_label
from geo.search.summary import count_line, criterion_text, importance_word, verdict_counts
from geo.web.auth import current_role
from geo.web.loaders import catalogue_handle, get_index, revision_stamp
from geo.web.map_data import actors_text, infrastructure_text, layer_text, outlines_text, zls_texts
from geo.web.results_view import brief_widget_label, failing_mask, number_text_input, results_table
from geo.web.map_events import apply_drawing, clicked_site, drawing_key, view_bbox
from geo.web.mapview import build_map, legend_html
from geo.web.search_state import (BRIEF_WIDGETS, apply_pending_widgets, criterion_value, keep_state_in_url,
                                  page_link_params, save_to_url, set_pending_widgets, widget_value)
from geo.web.state import current_lang, set_shortlist, shortlist, tr
from geo.web.ui import demo_banner, guarded, map_frame, md, show, show_user_error, uploader_css

#: Largest brief file accepted (MB): a brief with every criterion is under 10 KB.
BRIEF_MAX_MB = 1

lang = current_lang()
_ = tr()
role = current_role()
every_status = can(role, "read_unpublished")  # staff: a status filter, column and marker


def _f(v: float | int | None) -> float | None:
    """Widget value from the URL: floats (st.number_input refuses mixed int/float), None = empty (0 stays 0)."""
    return None if v is None else float(v)


def _ha(m2: float | None) -> float | None:
    return None if m2 is None else float(m2) / 1e4


def _m2(ha: float | None, original: float | None) -> float | None:
    """The widget's hectares in m²; the link's own value while the widget still shows it (no float drift)."""
    if ha is None:
        return None
    return original if original is not None and ha == _ha(original) else ha * 1e4


def _range(name: str, scale: float = 1.0) -> tuple[float, float]:
    """A widget's (min, max): the shared limit of ``name`` (geo.search.limits), in the widget's unit."""
    lim = LIMITS[name]
    return lim.low / scale, lim.high / scale


def _on_map(bbox: list[float] | None) -> list[float] | None:
    """The map view's bbox clipped to valid longitudes and latitudes (a world view pans past 180°)."""
    if bbox is None:
        return None
    w, s_, e, n = bbox
    return [max(-180.0, w), max(-90.0, s_), min(180.0, e), min(90.0, n)]


def _shown(value) -> str:
    """A filter or criterion value from a link, as text (escaped where it is shown)."""
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


#: Query fields without a sidebar widget: shown read-only, each with a button that removes it.
NO_WIDGET = ("min_covered_m2", "max_covered_m2", "min_floor_m2", "max_floor_m2", "uses_all", "max_price_eur_m2",
             "available_by", "conditions", "contaminations", "utilities", "municipalities", "bbox", "max_km")


def choice_select(label: str, key: str, values: list[str], default: list[str]) -> list[str]:
    f = FIELD[key]
    return st.multiselect(label, f.choices, default=[v for v in default if v in f.choices],
                          format_func=lambda v: f.choice_label(v, lang), placeholder=_("Choose"),
                          key=f"w_{label}_{key}")


def brief_widgets(q0, b0: Brief) -> Brief:
    """The brief's widgets in the sidebar, filled from ``b0``: the brief they show (a brief loaded from a file or a
    criterion removed: saved to the URL, and the page runs again)."""
    # The first criterion of each widget key is bound to its widget; every other criterion of the link
    # (gas, a maximum price, a distance to a point, a second one of a key) is kept as it is, in its place.
    bound = {}
    for i, c in enumerate(b0.criteria):
        if c.key in BRIEF_WIDGETS:
            bound.setdefault(c.key, i)
    from_widget: dict[str, Criterion | None] = {}
    for key, (kind, default) in BRIEF_WIDGETS.items():
        prev = b0.criteria[bound[key]] if key in bound else None
        label = brief_widget_label(Criterion(key, default if default is not None else "2027-01-01"), kind,
                                   lang)
        on = st.checkbox(label, value=prev is not None, key=f"b_on_{key}")
        if not on:
            from_widget[key] = None
            continue
        # The value, then "hard" on its own line (a narrow column beside the value cut it to "h.").
        if kind in ("ha", "num"):
            column = CRITERIA[key][1]
            lo, hi = _range(CRITERION_LIMIT.get(column, "distance_km"), 1e4 if kind == "ha" else 1.0)
            # Typed and shown the locale's way ("10,5" in Italian); st.number_input writes "10.50".
            raw = number_text_input(label, lo, hi, float(widget_value(kind, prev, default)), lang,
                                    key=f"b_v_{key}")
        elif kind == "date":
            raw = st.date_input(label, value=widget_value(kind, prev, default), min_value=DATE_MIN,
                                max_value=DATE_MAX, key=f"b_v_{key}", label_visibility="collapsed")
        elif kind == "uses":
            f = FIELD["permitted_uses"]
            raw = st.multiselect(label, f.choices, default=widget_value(kind, prev, default),
                                 format_func=lambda v: f.choice_label(v, lang), placeholder=_("Choose"),
                                 key=f"b_v_{key}", label_visibility="collapsed") or ["industrial"]
        else:
            raw = prev.value if prev is not None else default
        hard = st.toggle(_("hard"), value=prev.hard if prev else True, key=f"b_h_{key}")
        value = (prev.value if prev is not None and raw == widget_value(kind, prev, default)
                 else criterion_value(kind, raw))
        from_widget[key] = Criterion(key, value, hard=hard, weight=prev.weight if prev else 1.0)
        show("caption", "{criterion} · {importance}", criterion=criterion_text(from_widget[key], lang),
             importance=importance_word(from_widget[key], lang))
    crits: list[Criterion] = []
    for i, c in enumerate(b0.criteria):
        if bound.get(c.key) == i:
            if from_widget[c.key] is not None:
                crits.append(from_widget[c.key])
            continue
        # No widget for this one: shown as it is, kept, and removable.
        e1, e2 = st.columns([4, 1])
        e1.caption(md("{criterion} · {importance}", criterion=criterion_text(c, lang),
                       importance=importance_word(c, lang)))
        if e2.button(_("Remove"), key=f"rm_b_{i}"):
            save_to_url(q0, Brief(name=b0.name, criteria=[x for j, x in enumerate(b0.criteria) if j != i]))
            st.rerun()
        crits.append(c)
    crits += [c for k, c in from_widget.items() if c is not None and k not in bound]
    brief = Brief(name=b0.name, criteria=crits)
    # A brief is a few KB; the uploader's own texts in the reader's language (Streamlit's are English).
    st.markdown(uploader_css(_, "w_up", BRIEF_MAX_MB, ["json"]), unsafe_allow_html=True)  # our texts only
    up = st.file_uploader(_("Load brief (JSON)"), type=["json"], key="w_up", max_upload_size=BRIEF_MAX_MB)
    if up is not None and st.session_state.get("brief_loaded") != up.file_id:
        st.session_state["brief_loaded"] = up.file_id
        loaded = Brief.from_json(up.getvalue().decode("utf-8", "replace"))
        for k in list(st.session_state):
            if k.startswith("b_"):
                del st.session_state[k]
        st.session_state["search_b"] = loaded
        st.query_params["b"] = loaded.to_json()
        st.rerun()
    st.download_button(_("Save brief (JSON)"),
                       json.dumps(brief.to_dict(), ensure_ascii=False, indent=2), "brief.json",
                       "application/json", key="w_save")
    return brief


st.title(_("Find sites"))
with guarded():
    apply_pending_widgets()
    stamp = revision_stamp()  # the catalogue's revision, read once for this run (every read is a query)
    places = catalogue_handle(stamp.target).places()
    index = get_index(stamp)
    q0, b0 = keep_state_in_url()
    if not st.session_state.get("link_place_checked"):
        # A place or point in a fresh link that cannot be searched around (no such municipality, a centre far
        # outside Lombardy) is named once, and the rest of the link still applies.
        st.session_state["link_place_checked"] = True
        try:
            centre_of(q0, places)
        except UserError as exc:
            part = "point" if q0.point else "near"
            show_user_error(link_problem(f"q.{part}", exc), kind="warning")
            q0 = make_query({**q0.to_dict(), part: None})
            save_to_url(q0, b0)
    demo_banner(bool(index.sites["is_demo"].fillna(False).any()))

    with st.sidebar:
        st.header(_("Filters"))
        near = st.text_input(_("Near (municipality)"), value=q0.near or "", key="w_near")
        # Empty means "no limit"; a place or point without a radius searches DEFAULT_RADIUS_KM around it.
        radius = st.number_input(_("Radius km"), *_range("radius_km"), _f(q0.radius_km), 5.0,
                                 placeholder=_.number(DEFAULT_RADIUS_KM, 1), key="w_radius")
        # The zones as one row of pills: three checkboxes in columns cut "Aid map" to "Aid ..." at 1400 px, and
        # each column block costs every visitor's browser a layout observer.
        zone_names = {"zls": "ZLS", "aid": _("Aid map"), "zis": "ZIS"}
        zones_on = {"zls": q0.zls, "aid": q0.aid_area, "zis": q0.in_zis}
        zones = st.pills(_("Zones"), list(zone_names), selection_mode="multi",
                         default=[k for k, v in zones_on.items() if v], format_func=zone_names.get,
                         key="w_zones") or []
        zls, aid, zis = "zls" in zones, "aid" in zones, "zis" in zones
        # Every widget drawn costs each visitor's browser (a fresh find page drew ~45: eight visitors opening it at
        # once waited 2.2x what they wait for the minimal folium app; without the page's widgets, the main frame's
        # time in Chromium halved: 0.76 -> 0.38 s, benchmarks/profile_browser.py). The filters used less often
        # (area, staff's listing status among them) are drawn when asked for, or when the search uses one; hidden,
        # their values (from the link or the session) still apply.
        more_used = bool(q0.min_land_m2 is not None or q0.max_land_m2 is not None or (every_status and q0.statuses)
                         or q0.asset_kinds or q0.origins or q0.uses or q0.transactions or q0.provinces
                         or q0.rail_siding or any(v is not None for v in (q0.max_price_eur, q0.min_power_kw,
                                                                          q0.confirmed_within_months)))
        if st.toggle(_("More filters"), value=more_used, key="w_more"):
            c1, c2 = st.columns(2)
            min_ha = c1.number_input(_("Min ha"), *_range("min_land_m2", 1e4), _ha(q0.min_land_m2), 0.5,
                                     placeholder=_("any"), key="w_minha")
            max_ha = c2.number_input(_("Max ha"), *_range("max_land_m2", 1e4), _ha(q0.max_land_m2), 0.5,
                                     placeholder=_("any"), key="w_maxha")
            # Staff see listings of every status: filter them (submitted / published / sent back / withdrawn).
            # A status from a link that the list does not offer (e.g. "validated") is kept, not dropped.
            statuses = st.multiselect(_("Listing status"), [*STAFF_STATES, *(v for v in q0.statuses
                                                                              if v not in STAFF_STATES)],
                                      default=list(q0.statuses),
                                      format_func=lambda v: state_label(v, lang), placeholder=_("any"),
                                      key="w_status") if every_status else []
            kinds = choice_select(FIELD["asset_kind"].label(lang), "asset_kind", [], q0.asset_kinds)
            origins = choice_select(FIELD["origin"].label(lang), "origin", [], q0.origins)
            uses = choice_select(FIELD["permitted_uses"].label(lang), "permitted_uses", [], q0.uses)
            trans = choice_select(FIELD["transaction"].label(lang), "transaction", [], q0.transactions)
            max_price = st.number_input(_("{field} max (€)").format(field=FIELD["price_eur"].label(lang)),
                                        *_range("max_price_eur"),
                                        _f(q0.max_price_eur), 100000.0, placeholder=_("any"), key="w_maxprice")
            min_power = st.number_input(_("{field} min (kW)").format(field=FIELD["power_kw"].label(lang)),
                                        *_range("min_power_kw"),
                                        _f(q0.min_power_kw), 500.0, placeholder=_("any"), key="w_minpower")
            fresh = st.number_input(_("Confirmed in the last N months"), *_range("confirmed_within_months"),
                                    _f(q0.confirmed_within_months),
                                    1.0, placeholder=_("any"), key="w_fresh")
            provinces = st.multiselect(_("Province"), PROVINCES,
                                       default=q0.provinces, placeholder=_("Choose"), key="w_prov")
            siding = st.checkbox(FIELD["rail_siding"].label(lang), value=q0.rail_siding, key="w_siding")
        else:
            kinds, origins, uses, trans = q0.asset_kinds, q0.origins, q0.uses, q0.transactions
            max_price, min_power, fresh = q0.max_price_eur, q0.min_power_kw, q0.confirmed_within_months
            provinces, siding = q0.provinces, q0.rail_siding
            min_ha, max_ha = _ha(q0.min_land_m2), _ha(q0.max_land_m2)
            statuses = list(q0.statuses) if every_status else []
            if more_used:
                st.caption(_("The hidden filters still apply."))
        use_view = st.checkbox(_("Only the current map view"), value=False, key="w_view")
        # 1,503 outlines weigh 0.75 MB on every rerun: sent only when asked for (provinces are always drawn).
        show_mun = st.checkbox(_("Municipal boundaries"), value=False, key="w_mun")
        # Filters with no widget (from a link or `geo search`): shown as they are, kept, and removable.
        extra = {k: v for k, v in q0.to_dict().items() if k in NO_WIDGET and not (k == "bbox" and use_view)}
        if extra:
            st.caption(_("Other filters in the link"))
        for k, v in extra.items():
            e1, e2 = st.columns([4, 1])
            e1.caption(md("{name}: {value}", name=k, value=_shown(v)))
            if e2.button(_("Remove"), key=f"rm_q_{k}"):
                save_to_url(make_query({**q0.to_dict(), k: None}), b0)
                st.rerun()

        st.header(_("Investor brief"))
        brief_count = st.empty()  # "N sites pass the brief", filled once the search has run
        # Drawn when asked for or when the search has a brief (see "More filters" above); hidden, the brief applies.
        if st.toggle(_("Score sites against criteria"), value=bool(b0.criteria), key="w_brief"):
            brief = brief_widgets(q0, b0)
        else:
            brief = b0
            if b0.criteria:
                show("caption", _.ngettext("{n} criterion applies", "{n} criteria apply", len(b0.criteria)),
                     n=_.integer(len(b0.criteria)))

    # Typing a place replaces a drawn circle or marker (the point would otherwise win).
    near = near.strip()
    point = q0.point if not (near and near != (q0.near or "")) else None
    # Filters without a widget (drawn area, max_km, utilities... from a link or the CLI) survive from the URL.
    # A bbox from the link stays until removed; "only the current map view" replaces it while ticked.
    bbox = _on_map(view_bbox(st.session_state.get("findmap_state"))) if use_view else (
        None if st.session_state.get("bbox_from_view") else q0.bbox)
    st.session_state["bbox_from_view"] = use_view
    # Empty widgets are None and 0 stays 0 (a radius of 0 km is not the default 20 km).
    query = make_query({**q0.to_dict(), **{k: v for k, v in dict(
        near=near or None, radius_km=radius, min_land_m2=_m2(min_ha, q0.min_land_m2),
        max_land_m2=_m2(max_ha, q0.max_land_m2), asset_kinds=kinds, origins=origins, uses=uses,
        transactions=trans, max_price_eur=max_price, min_power_kw=min_power,
        confirmed_within_months=fresh, statuses=statuses or None,
        provinces=provinces, zls=zls, aid_area=aid, in_zis=zis, rail_siding=siding, point=point,
        bbox=bbox).items()}})
    save_to_url(query, brief)

    result = search(index, query, brief, role=role, places=places)
    # A site that fails a hard criterion is not "found": hidden (table and map) and not counted, unless asked for.
    sites = result.sites
    failing = failing_mask(sites)
    n_found = len(sites) - int(failing.sum())
    show("subheader", _.ngettext("{n} site found", "{n} sites found", n_found), n=_.integer(n_found))
    if brief.criteria:
        counts = verdict_counts(sites["verdict"])
        show("caption", "{line}", line=count_line(counts, lang))
        brief_count.caption(md(_.ngettext("{n} site passes the brief", "{n} sites pass the brief",
                                          counts["PASS"]), n=_.integer(counts["PASS"])))
        show_failing = failing.any() and st.toggle(
            _("Show failing sites ({n})").format(n=_.integer(int(failing.sum()))), value=False,
            key="w_show_fail")
        if not show_failing:
            sites = sites[~failing]
    circle = result.circle  # the search's own place, circle and area: resolved once, by search()
    if result.place is not None:  # the look-up is tolerant: show which municipality it settled on
        m = result.place
        show("caption", _("Within {km} km of {name} ({prov})"), km=_.number(query.effective_radius_km, 3),
             name=m["name"], prov=m["province"])
    elif circle is not None:
        show("caption", _("Within {km} km of the point {lat}, {lon}"),
             km=_.number(circle[2], 3), lat=_.number(circle[0], 4, trim=False), lon=_.number(circle[1], 4, trim=False))
    area = result.area if query.polygon else None  # a bbox alone (the map view) is not drawn
    # Columns only for the button (each block costs the browser a layout observer).
    b1, b2 = st.columns([3, 1]) if query.polygon or query.point else (st, None)
    b1.caption(_("This page's link reproduces the search, the brief and the shortlist."))
    if b2 is not None and b2.button(_("Clear drawn area"), key="clear_area"):
        cleared = make_query({**query.to_dict(), "polygon": None, "point": None})
        save_to_url(cleared, brief)
        st.rerun()

    map_state = st.session_state.get("findmap_state")
    view = None
    if use_view and map_state and map_state.get("center"):
        # Keep the view the filter is using: refitting would change the view, and the filter with it.
        view = ((map_state["center"]["lat"], map_state["center"]["lng"]), int(map_state.get("zoom") or 8))
    # Rows selected in the table (as of this run) are ringed on the map; a clicked marker selects its site below.
    prev_sel = st.session_state.get("results_table")
    sel_rows = list(getattr(getattr(prev_sel, "selection", None), "rows", None) or
                    ((prev_sel or {}).get("selection", {}).get("rows", []) if isinstance(prev_sel, dict) else []))
    ringed = [str(sites["site_id"].iloc[i]) for i in sel_rows if i < len(sites)]
    site_ids = set(sites["site_id"])
    picked = st.session_state.get("map_picked")
    picked = picked if picked in site_ids else None
    if picked and picked not in ringed:
        ringed.append(picked)
    fmap = build_map(sites, lang, outlines=outlines_text(sites["site_id"], stamp), highlight=ringed,
                     zls=zls_texts(stamp), zis=layer_text("zis_areas", stamp),
                     provinces=layer_text("provinces", stamp),
                     municipalities=layer_text("municipalities", stamp) if show_mun else None,
                     motorways=layer_text("motorways", stamp), railways=layer_text("railways", stamp),
                     infrastructure=infrastructure_text(stamp), actors=actors_text(stamp),
                     search_area=area, search_circle=circle,
                     center=view[0] if view else None, zoom=view[1] if view else 8, fit=view is None)
    # Truck drive-time zones from the drawn point or the picked site (issue 20; geo/web/drive_zones.py).
    from geo.web.drive_zones import zone_controls

    if query.point:
        zone_controls(fmap, tuple(query.point), _("the marker"), query, brief, lang, stamp)
    elif picked:
        row = sites[sites["site_id"] == picked].iloc[0]
        zone_controls(fmap, (float(row.geometry.y), float(row.geometry.x)), str(picked), query, brief, lang, stamp)
    returned = ["last_active_drawing", "all_drawings", "last_object_clicked"] + (["bounds", "center", "zoom"] if use_view else [])
    with map_frame("findmap", 560):
        state = st_folium(fmap, key="findmap", height=560, width="stretch", returned_objects=returned)
    st.html(legend_html(lang, bool(brief.criteria), statuses=every_status))
    if state is not None and state != map_state:
        st.session_state["findmap_state"] = state
        sig = drawing_key(state)
        if sig is not None and sig != st.session_state.get("find_drawing"):
            # A new drawing: it becomes the search area, in the URL like every other filter.
            st.session_state["find_drawing"] = sig
            drawn = apply_drawing(query, state, radius_km=query.radius_km)
            if drawn.point is not None and drawn.point != query.point:
                set_pending_widgets({"w_near": "", "w_radius": drawn.radius_km})
            save_to_url(drawn, brief)
            st.rerun()
        click = state.get("last_object_clicked")
        if click and click != (map_state or {}).get("last_object_clicked"):
            # A marker clicked: its site is selected (kept across the map's redraws) and ringed.
            hit = clicked_site(state, sites)
            if hit and hit != picked:
                st.session_state["map_picked"] = hit
                st.rerun()
        if use_view and view_bbox(state) != view_bbox(map_state):
            st.rerun()

    # The results table is the heaviest part of the page for a browser (its code alone is 1.3 MB of the 4.2 MB a
    # fresh visitor's browser compiled): drawn with a brief (it ranks the sites), else when asked for. A marker
    # clicked on the map selects its site without it. Verdict and (staff) status first, units and the page
    # language's decimals on every number, DEMO once.
    sel = None
    if brief.criteria or st.toggle(_("Results table"), key="w_table"):
        table, columns = results_table(sites, lang, has_brief=bool(brief.criteria), show_status=every_status)
        sel = st.dataframe(table, hide_index=True, width="stretch", on_select="rerun", column_config=columns,
                           selection_mode="multi-row", key="results_table", height=320)
    chosen = [sites["site_id"].iloc[i] for i in (sel.selection.rows if sel else [])]
    if picked and picked not in chosen:
        chosen = [picked] + chosen
    sl = shortlist()
    if not chosen:
        # Nothing selected: how to select, instead of two buttons that could not be pressed (and a column block).
        show("caption", ":material/star: {count} · {hint}", count=_("Shortlist: {n}").format(n=_.integer(len(sl))),
             hint=_("Click a marker or select rows of the results table to add sites to it."))
    else:
        c1, c2, c3 = st.columns(3)
        if c1.button(_("Add to shortlist ({n})").format(n=_.integer(len(chosen))), key="add_sl"):
            set_shortlist(sl + chosen)
            st.rerun()
        if c2.button(_("Open site sheet"), key="open_sheet"):
            st.session_state["sheet_site"] = chosen[0]
            st.switch_page(page="geo/web/pages/sheet.py", query_params=page_link_params(site=chosen[0]))
        c3.write(md(":material/star: " + _("Shortlist: {n}"), n=_.integer(len(sl))))
    if chosen and brief.criteria:
        with st.expander(md(_("Reason: {site}"), site=chosen[0]), expanded=True):
            explained = pd.DataFrame(result.explain(chosen[0], lang), columns=["criterion", "verdict", "reason"])
            explained["verdict"] = explained["verdict"].map(lambda v: Verdict[v].label(lang))
            st.dataframe(explained.rename(columns={"criterion": _("Criterion"), "verdict": _("Verdict"),
                                                   "reason": _("Reason")}), hide_index=True, width="stretch")
