"""What each zone flag means for an investor, in both languages."""

from __future__ import annotations

from typing import Any

from geo.layers.zls import AID_AREA_BENEFIT, BENEFITS, PERIMETER_NOTE_EN, PERIMETER_NOTE_IT


def zone_notes(record: dict[str, Any], lang: str = "en") -> list[tuple[str, list[str]]]:
    """``[(heading, [bullet, ...]), ...]`` for the zones the site is in."""
    out: list[tuple[str, list[str]]] = []
    it = lang == "it"
    if record.get("in_zls") is True:
        bullets = list(BENEFITS["it" if it else "en"])
        if record.get("zls_aid_area") is True:
            bullets.append(AID_AREA_BENEFIT["it" if it else "en"])
        else:
            bullets.append("Credito d'imposta ZLS non applicabile: comune fuori dalla Carta degli aiuti 2022-2027"
                           if it else "ZLS tax credit not applicable: municipality outside the 2022-2027 aid map")
        bullets.append(PERIMETER_NOTE_IT if it else PERIMETER_NOTE_EN)
        out.append(("ZLS Lombardia (porti di Cremona e Mantova)" if it else
                    "ZLS Lombardia (ports of Cremona and Mantova)", bullets))
    if record.get("zis_id"):
        out.append(("Zona di Innovazione e Sviluppo (ZIS)" if it else "Innovation and Development Zone (ZIS)",
                    [f"{record['zis_id']}" + (" — DEMO, non reale" if it else " — DEMO, not real")
                     if str(record["zis_id"]).startswith("DEMO") else str(record["zis_id"])]))
    if record.get("legal_disused_area") is True:
        out.append(("Area dismessa (L.R. 1/2007 art. 7)" if it else "Disused area (Regional Law 1/2007 art. 7)",
                    ["Possibili procedure e incentivi regionali per il recupero delle aree dismesse" if it else
                     "Regional procedures and incentives for the reuse of disused areas may apply"]))
    return out
