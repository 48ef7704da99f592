"""What each zone flag means for an investor, in the reader's language."""

from __future__ import annotations

from typing import Any

from geo.i18n import translator
from geo.layers.zls import AID_AREA_BENEFIT, BENEFITS, PERIMETER_NOTE


def zone_notes(record: dict[str, Any], lang: str = "en") -> list[tuple[str, list[str]]]:
    """``[(heading, [bullet, ...]), ...]`` for the zones the site is in (plain text, not escaped)."""
    _ = translator(lang)
    out: list[tuple[str, list[str]]] = []
    if record.get("in_zls") is True:
        bullets = [_(b) for b in BENEFITS]
        if record.get("zls_aid_area") is True:
            bullets.append(_(AID_AREA_BENEFIT))
        else:
            bullets.append(_("ZLS tax credit not applicable: municipality outside the 2022-2027 aid map"))
        bullets.append(_(PERIMETER_NOTE))
        out.append((_("ZLS Lombardia (ports of Cremona and Mantova)"), bullets))
    if record.get("zis_id"):
        zis = str(record["zis_id"])
        out.append((_("Innovation and Development Zone (ZIS)"),
                    [_("{zis} — DEMO, not real").format(zis=zis) if zis.startswith("DEMO") else zis]))
    if record.get("legal_disused_area") is True:
        out.append((_("Disused area (Regional Law 1/2007 art. 7)"),
                    [_("Regional procedures and incentives for the reuse of disused areas may apply")]))
    return out
