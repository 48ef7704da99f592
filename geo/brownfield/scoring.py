"""Site scores from site indicators. Rules today; a learned model tomorrow, same interface."""

from __future__ import annotations

from typing import Protocol

import numpy as np
import pandas as pd


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


def explain(row: pd.Series, lang: str = "en") -> str:
    """A one-line explanation of a candidate's score from its indicators."""
    it = lang == "it"
    parts = []
    if row.get("encroachment", 0) >= 0.3:
        parts.append("vegetazione in crescita su superfici dure" if it else "vegetation encroaching on hard surfaces")
    if row.get("persistence", 0) >= 0.8:
        parts.append("copertura da area abbandonata in tutte le date" if it else "derelict-like cover on every date")
    if row.get("stability", 0) >= 0.7:
        parts.append("nessun cambiamento tra le date" if it else "no change between dates")
    if row.get("bare_all", 0) >= 0.5:
        parts.append("suolo nudo o ghiaia in tutte le date" if it else "bare ground or gravel on every date")
    if row.get("built_context", 0) >= 0.5:
        parts.append("in contesto edificato" if it else "in a built-up context")
    return "; ".join(parts) or ("indizi deboli" if it else "weak evidence")
