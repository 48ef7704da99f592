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
    """Weighted indicators: persistence of derelict-like cover, vegetation encroachment on hard
    surfaces, lack of change, and built context (disused sites sit inside built-up areas)."""

    name = "rules-v1"
    WEIGHTS = {"persistence": 0.35, "encroachment": 0.25, "stability": 0.20, "built_context": 0.20}

    def score(self, features: pd.DataFrame) -> np.ndarray:
        s = sum(w * features[k].to_numpy(dtype=float) for k, w in self.WEIGHTS.items())
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
    if row.get("built_context", 0) >= 0.5:
        parts.append("in contesto edificato" if it else "in a built-up context")
    return "; ".join(parts) or ("indizi deboli" if it else "weak evidence")
