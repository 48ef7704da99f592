"""What each zone flag means for an investor, in the reader's language."""

from __future__ import annotations

from typing import Any

from geo.i18n import Translator, translator
from geo.layers import zls


def _zls_text(name: str, _: Translator) -> Any:
    """A text of :mod:`geo.layers.zls` (a string or list marked N_()) translated for the reader.

    Transitional: until that module marks its texts N_(), they are ``{"it": ..., "en": ...}``
    tables or ``NAME_IT``/``NAME_EN`` pairs; both are read here.
    """
    value = getattr(zls, name, None)
    if value is None:
        value = {"it": getattr(zls, name + "_IT"), "en": getattr(zls, name + "_EN")}
    if isinstance(value, dict):
        return value[_.lang]
    if isinstance(value, (list, tuple)):
        return [_(v) for v in value]
    return _(value)


def zone_notes(record: dict[str, Any], lang: str = "en") -> list[tuple[str, list[str]]]:
    """``[(heading, [bullet, ...]), ...]`` for the zones the site is in (plain text, not escaped)."""
    _ = translator(lang)
    out: list[tuple[str, list[str]]] = []
    if record.get("in_zls") is True:
        bullets = list(_zls_text("BENEFITS", _))
        if record.get("zls_aid_area") is True:
            bullets.append(_zls_text("AID_AREA_BENEFIT", _))
        else:
            bullets.append(_("ZLS tax credit not applicable: municipality outside the 2022-2027 aid map"))
        bullets.append(_zls_text("PERIMETER_NOTE", _))
        out.append((_("ZLS Lombardia (ports of Cremona and Mantova)"), bullets))
    if record.get("zis_id"):
        zis = str(record["zis_id"])
        out.append((_("Innovation and Development Zone (ZIS)"),
                    [_("{zis} — DEMO, not real").format(zis=zis) if zis.startswith("DEMO") else zis]))
    if record.get("legal_disused_area") is True:
        out.append((_("Disused area (Regional Law 1/2007 art. 7)"),
                    [_("Regional procedures and incentives for the reuse of disused areas may apply")]))
    return out
