"""Warnings about a run that say when its candidates deserve less trust (pure functions).

None of these needs a reference register: they follow from the inputs and
from how much of the analysed area the run flags.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from geo.brownfield.texts import both
from geo.i18n import N_, translator

#: Months of the growing season in Lombardy's plain (vegetation indices carry signal).
GROWING_MONTHS = frozenset(range(4, 11))  # April-October
#: A candidate layer covering more than this share of the analysed area is not a short list.
MAX_FLAGGED_SHARE = 0.15


@dataclass(frozen=True)
class RunWarning:
    """A warning about a run: one English message (marked ``N_``) and its values, translated when shown."""

    code: str
    msgid: str
    values: dict = field(default_factory=dict)

    def message(self, lang: str = "en") -> str:
        _ = translator(lang)
        return _(self.msgid).format(**{k: (v(_) if callable(v) else v) for k, v in self.values.items()})

    def to_dict(self) -> dict:
        """As the run record stores it: the code and the message in each language (``{"code", "it", "en"}``)."""
        return {"code": self.code, **both(self.msgid, **self.values)}


def run_warnings(dates: list[dt.date], levels: list[str], candidate_area_m2: float,
                 analysed_area_m2: float) -> list[RunWarning]:
    """What an analyst should know before trusting a run's candidates."""
    out: list[RunWarning] = []
    if dates and not any(d.month in GROWING_MONTHS for d in dates):
        out.append(RunWarning(
            "winter_only",
            N_("Every date is outside the growing season (April-October): vegetation indices say little and the "
               "run will over-flag. Add summer dates.")))
    if "L1C" in levels:
        if "L2A" in levels:
            out.append(RunWarning(
                "mixed_levels",
                N_("Level-1C and Level-2A dates mixed: reflectances are not comparable across dates.")))
        else:
            out.append(RunWarning(
                "top_of_atmosphere",
                N_("Level-1C images (top of atmosphere, no atmospheric correction): indices and thresholds are "
                   "less reliable; prefer Level-2A.")))
    if analysed_area_m2 > 0:
        share = candidate_area_m2 / analysed_area_m2
        if share > MAX_FLAGGED_SHARE:
            out.append(RunWarning(
                "over_flagging",
                N_("Candidates cover {share} of the analysed area (over {limit}): not a short list. Restrict with "
                   "--landuse (productive land) or use summer dates."),
                {"share": lambda _: _.percent(share), "limit": lambda _: _.percent(MAX_FLAGGED_SHARE)}))
    return out
