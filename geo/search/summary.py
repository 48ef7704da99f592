"""A brief and its result in words: each criterion with its value and unit, and the count of verdicts.

Pure functions (no page): the find page's sidebar and results heading use them, so do tests.

>>> from geo.search.brief import Criterion
>>> criterion_text(Criterion("motorway_junction_km", 10.5), "it")
"Distanza in linea d'aria dall'uscita autostradale più vicina ≤ 10,5 km"
>>> criterion_text(Criterion("power_min", 5000), "en").replace(NBSP, " ")
'Available power ≥ 5,000 kW'
>>> count_line({"PASS": 1, "CONDITIONAL": 2, "FAIL": 0}, "en")
'1 site passes / 2 conditional / 0 fail'
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from geo.i18n import N_, translator
from geo.schema import FIELD
from geo.search.brief import Criterion
from geo.search.verdict import Verdict

NBSP = "\N{NO-BREAK SPACE}"
#: "hard"/"soft" as the brief sidebar spells them out (the same words as its toggle).
HARD_WORD, SOFT_WORD = N_("hard"), N_("soft")


def requirement(c: Criterion, lang: str) -> str:
    """The criterion's required value with its unit, in ``lang`` ("10,5 km", "8 ha", "5.000 kW", "150 €/m²")."""
    _ = translator(lang)
    col, v = c.column, c.value
    if c.op == "within_km":
        km = v.get("km") if isinstance(v, dict) else v
        return _.unit(float(km), "length-kilometer", 2) if km is not None else "—"
    if c.op in ("min", "max"):
        if v is None:
            return "—"
        if col == "land_area_m2" or col.endswith("_area_m2"):
            # Land is thought of in hectares above one hectare; buildings in m².
            return (_.unit(float(v) / 1e4, "area-hectare", 2) if col == "land_area_m2"
                    else _.unit(float(v), "area-square-meter", 0))
        if col == "price_eur":
            return _.money(float(v))
        if col == "price_eur_m2":
            return f"{_.number(float(v), 2)}\N{NO-BREAK SPACE}€/m²"
        unit = FIELD[col].unit_text(lang) if col in FIELD else ""
        return f"{_.number(float(v), 2)}\N{NO-BREAK SPACE}{unit}".strip()
    if c.op == "by":
        import datetime as dt

        try:
            return _.date(dt.date.fromisoformat(str(v)[:10]))
        except ValueError:
            return str(v)
    if c.op in ("any", "all"):
        f = FIELD.get(col)
        values = v if isinstance(v, (list, tuple)) else [v]
        return (" / " if c.op == "any" else " + ").join(f.choice_label(str(x), lang) if f else str(x)
                                                       for x in values)
    return _("yes")


def criterion_text(c: Criterion, lang: str) -> str:
    """The criterion as one line: label, operator, value and unit ("Nearest motorway junction ≤ 10 km")."""
    _ = translator(lang)
    label = c.label(lang)
    if c.op == "within_km" or c.op == "max":
        return f"{label} ≤ {requirement(c, lang)}"
    if c.op == "min":
        return f"{label} ≥ {requirement(c, lang)}"
    if c.op == "by":
        return _("Available by {date}").format(date=requirement(c, lang))
    if c.op in ("any", "all"):
        return f"{label}: {requirement(c, lang)}"
    return label


def importance_word(c: Criterion, lang: str) -> str:
    """"hard" or "soft", spelled out in ``lang``."""
    return translator(lang)(HARD_WORD if c.hard else SOFT_WORD)


def verdict_counts(verdicts: Iterable[str | None]) -> dict[str, int]:
    """How many sites have each overall verdict (names as in :class:`Verdict`; None, no brief, is not counted)."""
    counts = {v.name: 0 for v in Verdict}
    for v in verdicts:
        if v is not None and v in counts:
            counts[v] += 1
    return counts


def count_line(counts: Mapping[str, int], lang: str) -> str:
    """"N sites pass / M conditional / K fail" (plural forms of ``lang``); "/ U unknown" when some are.

    >>> count_line({"PASS": 1, "CONDITIONAL": 1, "FAIL": 2, "UNKNOWN": 3}, "it")
    '1 sito conforme / 1 condizionato / 2 non conformi / 3 da verificare'
    """
    _ = translator(lang)
    n_pass, n_cond = counts.get("PASS", 0), counts.get("CONDITIONAL", 0)
    n_fail, n_unk = counts.get("FAIL", 0), counts.get("UNKNOWN", 0)
    parts = [_.ngettext("{n} site passes", "{n} sites pass", n_pass).format(n=_.integer(n_pass)),
             _.ngettext("{n} conditional", "{n} conditional", n_cond).format(n=_.integer(n_cond)),
             _.ngettext("{n} fail", "{n} fail", n_fail).format(n=_.integer(n_fail))]
    if n_unk:
        parts.append(_.ngettext("{n} unknown", "{n} unknown", n_unk).format(n=_.integer(n_unk)))
    return " / ".join(parts)
