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
    """Evidence that a site is disused: the naive object evidence of its pixels, adjusted by the rules.

    Written and frozen on synthetic planted sites before the second Milan evaluation (issue 12: "never
    below the naive ranking"; the naive ranking orders components of BSI > 0 on every date by size x mean
    BSI). The evidence of a site is an amount, in m² x BSI:

    * the naive evidence of its pixels: area x mean of ``bare_bsi`` (BSI where BSI > 0 on every date,
      else 0), i.e. exactly the naive object's size x mean BSI when the site is one bare object;
    * plus vegetation encroaching on surfaces hard at the first date, the signature of abandonment the
      bare-soil view misses: area x ``encroachment`` x 0.10, an encroached m² counting as a m² of bare
      ground at BSI 0.10 (the "bare" end of the bareness scale of rules-v2);
    * times the rule adjustment ``0.5 + 0.5 x max(encroachment, stability x persistence)`` in 0.5-1: how
      fully the site meets the pixel rule it passed (encroached, or derelict-like on every date and
      stable). A site that changes between dates without plants taking over (an active yard) keeps half its
      evidence, never less, so the rules reorder sites only within a factor of two of the naive evidence.
      Encroached sites are not marked down for their change: the plants are the change.

    The score is ``E / (E + 1000)`` (1000 = one hectare of bare ground at BSI 0.10 scores 0.5): in 0-1 and
    monotone in the evidence, so ranking by score is ranking by evidence. Sites too small to assess from
    Sentinel-2 still rank after every assessable one (:func:`geo.brownfield.detect.rank`).
    """

    name = "rules-v3"
    ENCROACHED_AS_BSI = 0.10
    HALF_SCORE = 1000.0  # m² x BSI

    @staticmethod
    def adjustment(encroachment, stability, persistence) -> np.ndarray:
        def c(x):
            return np.clip(np.asarray(x, dtype=float), 0, 1)

        return 0.5 + 0.5 * np.maximum(c(encroachment), c(stability) * c(persistence))

    def evidence(self, features: pd.DataFrame) -> np.ndarray:
        """Evidence in m² x BSI: (naive evidence + encroachment) x rule adjustment."""
        f = {k: features[k].to_numpy(dtype=float) for k in ("area_m2", "encroachment", "stability", "persistence")}
        if "bare_bsi" in features:
            f["bare_bsi"] = features["bare_bsi"].to_numpy(dtype=float)
        else:  # a layer written before rules-v3: the closest reading of its site means
            f["bare_bsi"] = features["bare_all"].to_numpy(dtype=float) * np.clip(
                features["bsi_mean"].to_numpy(dtype=float), 0, None)
        naive = f["area_m2"] * np.clip(f["bare_bsi"], 0, None)
        veg = f["area_m2"] * np.clip(f["encroachment"], 0, 1) * self.ENCROACHED_AS_BSI
        return (naive + veg) * self.adjustment(f["encroachment"], f["stability"], f["persistence"])

    def score(self, features: pd.DataFrame) -> np.ndarray:
        e = self.evidence(features)
        return np.clip(np.round(e / (e + self.HALF_SCORE), 6), 0, 1)


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
