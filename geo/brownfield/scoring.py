"""Site scores from site indicators. Rules today; a learned model tomorrow, same interface."""

from __future__ import annotations

from typing import Protocol

import numpy as np
import pandas as pd

from geo.i18n import N_, translator


class Scorer(Protocol):
    """Anything that turns a features table (one row per candidate) into scores in 0-1.

    A classifier trained on reviewed candidates (``brownfield_reviews``) fits
    here: ``predict_proba(features)[:, 1]``.
    """

    name: str

    def score(self, features: pd.DataFrame) -> np.ndarray: ...


class RuleScorer:
    """Evidence that a site is disused, from its indicators, with weights fixed before any evaluation.

    Every candidate passed the pixel rules, so persistence and stability are
    high for all of them and cannot rank them (the v1 score spanned 0.6-0.8).
    The evidence that still varies between candidates carries most weight:

    * ``bare_all`` (0.30): share of the site that is unsealed or bare (BSI > 0) on every
      date; roofs and asphalt of active fabric are not, yards of gravel and rubble are;
    * bareness (0.20): the site's mean BSI, 0 at BSI -0.05 (sealed), 1 at BSI 0.10 (bare);
    * ``encroachment`` (0.20): vegetation gain on surfaces hard at the first date;
    * ``stability`` (0.15) and ``persistence`` (0.15): kept, they still separate the borderline sites.

    Built context is reported but not scored: in a city it is true almost everywhere.
    """

    name = "rules-v2"
    WEIGHTS = {"bare_all": 0.30, "bareness": 0.20, "encroachment": 0.20, "stability": 0.15, "persistence": 0.15}

    @staticmethod
    def bareness(bsi_mean: np.ndarray) -> np.ndarray:
        return np.clip((np.asarray(bsi_mean, dtype=float) + 0.05) / 0.15, 0, 1)

    def score(self, features: pd.DataFrame) -> np.ndarray:
        cols = {k: features[k].to_numpy(dtype=float) for k in ("bare_all", "encroachment", "stability", "persistence")}
        cols["bareness"] = self.bareness(features["bsi_mean"].to_numpy(dtype=float))
        s = sum(w * cols[k] for k, w in self.WEIGHTS.items())
        return np.clip(np.round(s, 3), 0, 1)


class BaselineScorer:
    """The bare-soil gate has no graded evidence: its score is the bare share."""

    name = "baseline-bsi-ndvi"

    def score(self, features: pd.DataFrame) -> np.ndarray:
        return np.clip(features["bare_share"].to_numpy(dtype=float), 0, 1)


#: The indicators an explanation names, each with the threshold from which it counts as evidence.
EVIDENCE = (
    ("encroachment", 0.3, N_("vegetation encroaching on hard surfaces")),
    ("persistence", 0.8, N_("derelict-like cover on every date")),
    ("stability", 0.7, N_("no change between dates")),
    ("bare_all", 0.5, N_("bare ground or gravel on every date")),
    ("built_context", 0.5, N_("in a built-up context")),
)


def explain(row: pd.Series, lang: str = "en") -> str:
    """A one-line explanation of a candidate's score from its indicators, in ``lang``."""
    _ = translator(lang)
    parts = [_(text) for key, threshold, text in EVIDENCE if row.get(key, 0) >= threshold]
    return "; ".join(parts) or _("weak evidence")
