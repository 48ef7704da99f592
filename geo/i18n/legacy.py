"""User-interface strings in Italian and English.

Field labels, choice labels and validation messages come from
:mod:`geo.schema`; this table holds only the words of the interface itself.
"""

from __future__ import annotations

from typing import Literal

Lang = Literal["it", "en"]

STRINGS: dict[str, tuple[str, str]] = {
    "app_title": ("Opportunità insediative in Lombardia", "Investment sites in Lombardy"),
    "language": ("Lingua", "Language"),
    "role": ("Ruolo", "Role"),
    "page_home": ("Panoramica", "Overview"),
    "page_find": ("Cerca siti", "Find sites"),
    "page_sheet": ("Scheda sito", "Site sheet"),
    "page_shortlist": ("Selezione", "Shortlist"),
    "page_owner": ("Proponi un sito", "Offer a site"),
    "page_staff": ("Validazione", "Validation"),
    "page_analyst": ("Aree dismesse (satellite)", "Brownfields (satellite)"),
    "demo_banner": ("DATI DIMOSTRATIVI: le schede e le ZIS contrassegnate DEMO sono generate automaticamente e "
                    "non sono offerte o zone reali.",
                    "DEMO DATA: listings and ZIS marked DEMO are generated automatically and are not real "
                    "offers or zones."),
    "demo": ("DEMO", "DEMO"),
    "choose": ("Scegli", "Choose"),
    "any": ("qualsiasi", "any"),
    "home_intro": ("Aree ed edifici offerti dai proprietari per nuovi insediamenti in Lombardia, con le zone "
                   "ZLS e ZIS: cercate i siti adatti a un investitore e confrontateli, oppure proponete un sito.",
                   "Areas and buildings offered by their owners for new investment in Lombardy, with the ZLS and "
                   "ZIS zones: find and compare sites for an investor, or offer a site."),
    "catalogue_counts": ("Contenuto del catalogo", "Catalogue contents"),
    "layer": ("Livello", "Layer"),
    "rows": ("Righe", "Rows"),
    "published": ("Pubblicate", "Published"),
    "submitted": ("Inviate", "Submitted"),
    "sources": ("Fonti e licenze", "Sources and licences"),
    "built_at": ("Catalogo costruito il", "Catalogue built on"),
    "no_catalogue": ("Catalogo non disponibile.", "Catalogue not available."),
    "zls_note": ("I comuni della ZLS approssimano per eccesso il perimetro reale della ZLS (3.303 ha).",
                 "ZLS municipalities over-approximate the real ZLS perimeter (3,303 ha)."),
    "filters": ("Filtri", "Filters"),
    "brief": ("Richiesta dell'investitore", "Investor brief"),
    "results": ("Risultati", "Results"),
    "n_results": ("{n} siti trovati", "{n} sites found"),
    "open_sheet": ("Apri la scheda", "Open site sheet"),
    "add_shortlist": ("Aggiungi alla selezione", "Add to shortlist"),
    "remove_shortlist": ("Togli dalla selezione", "Remove from shortlist"),
    "no_brief_compare": ("Nessuna richiesta dell'investitore nel link: aggiungere criteri in «Cerca siti» per "
                         "confrontare gli esiti.",
                         "No investor brief in the link: add criteria on 'Find sites' to compare verdicts."),
    "shortlist_empty": ("La selezione è vuota: aggiungi siti dalla ricerca.",
                        "The shortlist is empty: add sites from the search."),
    "download_pdf": ("Scarica PDF", "Download PDF"),
    "download_html": ("Scarica HTML", "Download HTML"),
    "download_csv": ("Scarica CSV", "Download CSV"),
    "download_geojson": ("Scarica GeoJSON", "Download GeoJSON"),
    "download_dossier": ("Scarica il dossier (PDF)", "Download dossier (PDF)"),
    "near_caption": ("Entro {km} km da {name} ({prov})", "Within {km} km of {name} ({prov})"),
    "share_link": ("Il link di questa pagina riproduce ricerca, richiesta e selezione.",
                   "This page's link reproduces the search, the brief and the shortlist."),
    "select_site": ("Sito", "Site"),
    "not_found": ("Sito non trovato o non visibile.", "Site not found or not visible."),
    "not_allowed": ("Accesso non consentito per il ruolo «{role}».", "Access not allowed for role '{role}'."),
    "error": ("Errore", "Error"),
    "unexpected_error": ("Errore imprevisto: l'operazione non è stata eseguita e il catalogo non è cambiato. "
                         "Riferimento: {ref}",
                         "Unexpected error: the operation was not carried out and the catalogue is unchanged. "
                         "Reference: {ref}"),
    "basemap_osm": ("Mappa (OpenStreetMap)", "Map (OpenStreetMap)"),
    "basemap_sat": ("Satellite (Esri)", "Satellite (Esri)"),
    "layer_sites": ("Siti", "Sites"),
    "layer_outlines": ("Perimetri dei siti", "Site outlines"),
    "legend_site": ("Sito (nessuna richiesta: nessun esito)", "Site (no brief: no verdict)"),
    "layer_zls": ("ZLS Lombardia (comuni)", "ZLS Lombardia (municipalities)"),
    "layer_zls_aid": ("ZLS in Carta degli aiuti", "ZLS in aid map"),
    "layer_zis": ("ZIS", "ZIS"),
    "layer_municipalities": ("Confini comunali", "Municipal boundaries"),
    "layer_provinces": ("Province", "Provinces"),
    "layer_infra": ("Infrastrutture", "Infrastructure"),
    "provenance": ("Fonte del dato", "Data source"),
    "prov_declared": ("dichiarato", "declared"),
    "prov_verified": ("verificato", "verified"),
    "prov_computed": ("calcolato", "computed"),
    "prov_estimated": ("stimato", "estimated"),
    "prov_unknown": ("non noto", "unknown"),
    "yes": ("Sì", "Yes"),
    "no": ("No", "No"),
    "zls_benefits": ("Cosa significa la ZLS per l'investitore", "What the ZLS means for the investor"),
    "verdict": ("Esito", "Verdict"),
    "score": ("Punteggio", "Score"),
    "criterion": ("Criterio", "Criterion"),
    "reason": ("Motivo", "Reason"),
    "PASS": ("Conforme", "Pass"),
    "CONDITIONAL": ("Condizionato", "Conditional"),
    "FAIL": ("Non conforme", "Fail"),
    "UNKNOWN": ("Dato mancante", "Unknown"),
    "apply": ("Applica", "Apply"),
    "reset": ("Azzera", "Reset"),
    "staff_only": ("Riservato allo staff", "Staff only"),
    "contacts": ("Contatti (riservati)", "Contacts (restricted)"),
    "map": ("Mappa", "Map"),
    "compare": ("Confronto", "Comparison"),
    "history": ("Storico modifiche", "Change history"),
    "generated_on": ("Generato il", "Generated on"),
    "sheet_footer": ("Valori con la loro fonte: dichiarato dal proprietario, verificato dallo staff, calcolato "
                     "dai livelli ufficiali, stimato da satellite; «non noto» se mancante.",
                     "Values with their source: declared by the owner, verified by staff, computed from official "
                     "layers, estimated from satellite; 'unknown' when missing."),
    "login": ("Accedi", "Log in"),
    "logout": ("Esci", "Log out"),
}


def t(key: str, lang: Lang = "en", **kw) -> str:
    """The interface string ``key`` in ``lang`` (the key itself if missing)."""
    pair = STRINGS.get(key)
    if pair is None:
        return key
    text = pair[0] if lang == "it" else pair[1]
    return text.format(**kw) if kw else text
