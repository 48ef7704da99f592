"""Warnings about a run that say when its candidates deserve less trust (pure functions).

None of these needs a reference register: they follow from the inputs and
from how much of the analysed area the run flags.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass

#: Months of the growing season in Lombardy's plain (vegetation indices carry signal).
GROWING_MONTHS = frozenset(range(4, 11))  # April-October
#: A candidate layer covering more than this share of the analysed area is not a short list.
MAX_FLAGGED_SHARE = 0.15


@dataclass(frozen=True)
class RunWarning:
    code: str
    it: str
    en: str

    def message(self, lang: str = "en") -> str:
        return self.it if lang == "it" else self.en

    def to_dict(self) -> dict:
        return asdict(self)


def run_warnings(dates: list[dt.date], levels: list[str], candidate_area_m2: float,
                 analysed_area_m2: float) -> list[RunWarning]:
    """What an analyst should know before trusting a run's candidates."""
    out: list[RunWarning] = []
    if dates and not any(d.month in GROWING_MONTHS for d in dates):
        out.append(RunWarning(
            "winter_only",
            "Tutte le date sono fuori dalla stagione vegetativa (aprile-ottobre): gli indici di vegetazione "
            "distinguono poco e i candidati saranno troppi. Aggiungere date estive.",
            "Every date is outside the growing season (April-October): vegetation indices say little and the "
            "run will over-flag. Add summer dates."))
    if "L1C" in levels:
        both = "L2A" in levels
        out.append(RunWarning(
            "mixed_levels" if both else "top_of_atmosphere",
            ("Date L1C e L2A mescolate: riflettanze non confrontabili tra le date." if both else
             "Immagini Level-1C (al sensore, senza correzione atmosferica): indici e soglie meno affidabili; "
             "preferire Level-2A."),
            ("Level-1C and Level-2A dates mixed: reflectances are not comparable across dates." if both else
             "Level-1C images (top of atmosphere, no atmospheric correction): indices and thresholds are less "
             "reliable; prefer Level-2A.")))
    if analysed_area_m2 > 0:
        share = candidate_area_m2 / analysed_area_m2
        if share > MAX_FLAGGED_SHARE:
            pct_it = f"{share * 100:.0f}".replace(".", ",")
            out.append(RunWarning(
                "over_flagging",
                f"I candidati coprono il {pct_it}% dell'area analizzata (oltre il {MAX_FLAGGED_SHARE:.0%}): "
                "non è una lista breve. Restringere con --landuse (aree produttive) o usare date estive.",
                f"Candidates cover {share:.0%} of the analysed area (over {MAX_FLAGGED_SHARE:.0%}): not a short "
                "list. Restrict with --landuse (productive land) or use summer dates."))
    return out
