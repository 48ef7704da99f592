"""Shortlist: compare side by side (criteria as rows, verdicts coloured) and export a dossier.

The page's own URL carries the shortlist (``sl``), the brief (``b``) and the search (``q``):
opened in a fresh browser it shows the same comparison.
"""

import pandas as pd
import streamlit as st

from geo.catalogue.access import visible_rows
from geo.export import to_csv, to_geojson
from geo.render import render_dossier_pdf, render_site_list_html
from geo.render.location import location_context
from geo.render.values import display_value
from geo.schema import FIELD
from geo.search import Query, Verdict, search
from geo.web.auth import current_role
from geo.media.store import as_photos, media_for
from geo.web.loaders import get_all_sites, get_catalogue, get_index, get_layer, get_records, revision_stamp
from geo.web.map_data import location_layers
from geo.web.search_state import keep_state_in_url, page_link_params
from geo.web.state import current_lang, set_shortlist, shortlist, tr
from geo.web.ui import demo_banner, guarded, show

lang = current_lang()
_ = tr()
role = current_role()
staff = role == "staff"
#: Facts shown under the verdicts (a criterion on the same field already shows its value in its reason).
FACTS = ("land_area_m2", "covered_area_m2", "permitted_uses", "price_eur", "available_from", "power_kw",
         "dist_motorway_junction_km", "dist_rail_station_km", "dist_airport_km", "in_zls", "zls_aid_area")



st.title(_("Shortlist"))
with guarded():
    brief = keep_state_in_url()[1]
    ids = list(dict.fromkeys(shortlist()))  # a site named twice in a link is compared once
    stamp = revision_stamp()  # read once for this run
    sites = get_all_sites(stamp)
    visible = visible_rows(sites, role)
    missing = [s for s in ids if s not in set(visible["site_id"])]
    if missing:  # ids from the link that are not (or no longer) published: said, not silently dropped
        show("warning", _("Not found or not visible, left out of the shortlist: {ids}"),
             ids=", ".join(missing[:10]) + (" …" if len(missing) > 10 else ""))
    ids = [s for s in ids if s in set(visible["site_id"])]
    if not ids:
        st.info(_("The shortlist is empty: add sites from the search."))
        st.stop()
    # The cached index of every listing, judged against the brief (milliseconds), then the shortlist's rows:
    # no index built and no listing read on each rerun.
    res = search(get_index(stamp), Query(), brief, role=role)
    ranked = res.sites
    ranked = ranked[ranked["site_id"].isin(ids)]
    records = get_records(ids, role, stamp)  # in shortlist order, read once per revision
    demo_banner(any(r.get("is_demo") for r in records))

    remove = st.multiselect(_("Remove from shortlist"), ids, placeholder=_("Choose"), key="sl_remove")
    if remove and st.button(_("Remove from shortlist"), key="sl_remove_btn"):
        set_shortlist([s for s in ids if s not in remove])
        st.rerun()

    st.subheader(_("Comparison"))
    # Rows are keyed by position, labelled afterwards: a criterion whose label equals a field's
    # label (land area, power) keeps its verdict row instead of being overwritten by the raw value.
    rows: list[tuple[str, list[str], bool]] = []  # (label, cells, is_verdict_row)
    explained = {sid: res.explain(sid, lang) for sid in ids}
    covered = set()
    for j, c in enumerate(brief.criteria):
        label = c.label(lang) if c.hard else _("{criterion} (soft)").format(criterion=c.label(lang))
        rows.append((label, [f"{Verdict[explained[s][j][1]].label(lang)} — {explained[s][j][2]}" for s in ids], True))
        covered.add(c.column)
    by_id = ranked.set_index("site_id")
    if brief.criteria:
        rows.append((_("Verdict"), [Verdict[by_id.loc[s, "verdict"]].label(lang) for s in ids], True))
        rows.append((_("Score"), [_.number(by_id.loc[s, "score"], 2, trim=False) for s in ids], False))
    else:
        st.caption(_("No investor brief in the link: add criteria on 'Find sites' to compare verdicts."))
    for key in FACTS:
        if key in covered:
            continue
        rows.append((FIELD[key].label(lang), [display_value(key, r.get(key), lang) for r in records], False))
    labels, seen = [], {}
    for label, _cells, _verdict in rows:  # unique index labels (a dataframe index may not repeat)
        seen[label] = seen.get(label, 0) + 1
        labels.append(label if seen[label] == 1 else f"{label} ({seen[label]})")
    header = [s + (" · " + _("DEMO") if r.get("is_demo") else "") for s, r in zip(ids, records)]
    table = pd.DataFrame([cells for _label, cells, _verdict in rows], index=labels, columns=header)
    fills = {v.label(lang): v.fill for v in Verdict}

    def colour(v: str) -> str:
        if isinstance(v, str):
            for name, fill in fills.items():
                if v == name or v.startswith(name + " — "):
                    return f"background-color:{fill}"
        return ""

    st.dataframe(table.style.map(colour), width="stretch")
    # Owner titles are escaped HTML text (a template with autoescape), never Markdown (st.caption would load a
    # remote image or show a live link); a title only in the other language says so.
    st.html(render_site_list_html(records, lang))

    def locations() -> dict:
        """Each sheet's location map (computed on click, with the dossier)."""
        mun = get_layer("municipalities", stamp=stamp)
        layers = location_layers(stamp)
        return {r["site_id"]: location_context(r, municipalities=mun[mun["istat"] == r.get("municipality_istat")],
                                               **layers) for r in records if r}

    c1, c2, c3, c4 = st.columns(4)
    for code, col in (("it", c1), ("en", c2)):
        def dossier(code: str = code) -> bytes:
            # Rendered on click, not on every rerun (a 20-site dossier takes seconds).
            explained_ = {s: res.explain(s, code) for s in ids}
            comp = [(c.label(code), [(explained_[s][j][1], explained_[s][j][2]) for s in ids])
                    for j, c in enumerate(brief.criteria)]
            return render_dossier_pdf(records, code, comparison=comp or None, title=brief.name or None,
                                      locations=locations(),
                                      photos={sid: as_photos(m) for sid, m in media_for(
                                          get_catalogue(), [r["site_id"] for r in records if r], role=role,
                                          kind="photo").items()})

        col.download_button(_("Download dossier (PDF) {language}").format(language=code.upper()), dossier, f"dossier_{code}.pdf",
                            "application/pdf", key=f"dossier_{code}")
    c3.download_button(_("Download CSV"), to_csv(ranked, staff=staff), "shortlist.csv", "text/csv", key="sl_csv")
    c4.download_button(_("Download GeoJSON"), to_geojson(ranked, staff=staff), "shortlist.geojson",
                       "application/geo+json", key="sl_geojson")
    st.page_link(page="geo/web/pages/find.py", label=_("Find sites"), icon=":material/search:",
                 query_params=page_link_params())
