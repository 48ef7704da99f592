"""A scorer learned from analysts' decisions (gradient boosting), behind the same ``Scorer`` protocol.

Analysts confirm, promote or reject candidates on the review page; each
decision is stored with the candidate's polygon (``brownfield_reviews``). A
later run's candidates that overlap a reviewed polygon (IoU >= 0.5) carry its
decision, and their per-site indicators are the training set: confirm and
promote are positives, reject negatives. Below ``MIN_DECISIONS`` decisions,
or without both kinds, the rules stay (and the run record says why).

The model's quality is its cross-validated ROC AUC on those decisions
(stratified k-fold), reported with the number of decisions it learned from.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from geo.brownfield.rules import FEATURES
from geo.brownfield.scoring import RuleScorer, Scorer
from geo.brownfield.texts import both
from geo.i18n import N_

MIN_DECISIONS = 20
#: The per-site features the model sees: every indicator and the site's size (log area).
COLUMNS = (*FEATURES, "log_area")
POSITIVE = ("confirm", "promote")
NEGATIVE = ("reject",)


def feature_matrix(features: pd.DataFrame) -> np.ndarray:
    f = features.copy()
    f["log_area"] = np.log10(f["area_m2"].astype(float).clip(lower=1.0))
    return f[list(COLUMNS)].to_numpy(dtype=float)


@dataclass
class LearnedScorer:
    """Probability that analysts would confirm a candidate, from its indicators."""

    model: object
    n_decisions: int
    n_positive: int
    cv_auc: float
    name: str = "gbm-v1"

    def score(self, features: pd.DataFrame) -> np.ndarray:
        if len(features) == 0:
            return np.zeros(0)
        return np.round(self.model.predict_proba(feature_matrix(features))[:, 1], 3)

    def info(self) -> dict:
        return {"name": self.name, "n_decisions": self.n_decisions, "n_positive": self.n_positive,
                "cv_auc": self.cv_auc}


@dataclass
class Fallback:
    """Why the rules were kept: too few decisions, or only one kind."""

    scorer: Scorer = field(default_factory=RuleScorer)
    n_decisions: int = 0
    #: The reason in every language of the interface (:func:`~geo.brownfield.texts.both`).
    texts: dict[str, str] = field(default_factory=dict)

    @property
    def reason(self) -> str:
        """The reason in English (the run record's ``fallback``)."""
        return self.texts.get("en", "")

    def info(self) -> dict:
        return {"name": self.scorer.name, "n_decisions": self.n_decisions, "fallback": self.reason,
                "fallback_text": dict(self.texts)}


def fit(features: pd.DataFrame, labels, min_decisions: int = MIN_DECISIONS, seed: int = 0
        ) -> LearnedScorer | Fallback:
    """Train on reviewed candidates' features (``labels`` True = confirmed), or fall back to the rules.

    Examples
    --------
    >>> fit(pd.DataFrame({k: [0.5] for k in (*FEATURES, "area_m2")}), [True]).reason
    'only 1 decision (at least 20 needed)'
    """
    from sklearn.ensemble import GradientBoostingClassifier
    from sklearn.model_selection import StratifiedKFold, cross_val_score

    y = np.asarray(labels, dtype=bool)
    n, pos = len(y), int(y.sum())
    if n < min_decisions:
        return Fallback(n_decisions=n, texts=both(
            lambda _: _.ngettext("only {n} decision (at least {min} needed)",
                                 "only {n} decisions (at least {min} needed)", n),
            n=lambda _: _.integer(n), min=lambda _: _.integer(min_decisions)))
    if pos == 0 or pos == n:
        return Fallback(n_decisions=n, texts=both(
            N_("decisions of one kind only (confirm and reject are both needed)")))
    X = feature_matrix(features)
    model = GradientBoostingClassifier(n_estimators=100, max_depth=2, learning_rate=0.1, subsample=1.0,
                                       random_state=seed)
    folds = StratifiedKFold(n_splits=min(5, pos, n - pos), shuffle=True, random_state=seed)
    auc = float(np.mean(cross_val_score(model, X, y, cv=folds, scoring="roc_auc")))
    model.fit(X, y)
    return LearnedScorer(model, n, pos, round(auc, 3))


def labelled(candidates, reviews) -> tuple[pd.DataFrame, np.ndarray]:
    """The candidates that carry an analyst's decision (IoU >= 0.5 with a reviewed polygon), and the labels."""
    from geo.brownfield.review import _match

    m = _match(candidates, reviews)
    keep = m["decision"].isin(POSITIVE + NEGATIVE).to_numpy()
    return candidates[keep], m["decision"][keep].isin(POSITIVE).to_numpy()


def rescore(candidates, scorer: Scorer):
    """Candidates scored by ``scorer`` and ranked again (assessable first, then by the new score)."""
    from geo.brownfield.detect import rank

    out = candidates.copy()
    out["score"] = scorer.score(out) if len(out) else []
    return rank(out)


def learn_and_rescore(candidates, reviews, min_decisions: int = MIN_DECISIONS, seed: int = 0):
    """Train on this layer's reviewed candidates and rescore all of them; returns (candidates, scorer info)."""
    feats, y = labelled(candidates, reviews)
    model = fit(feats, y, min_decisions, seed)
    if isinstance(model, Fallback):
        return candidates, model.info()
    return rescore(candidates, model), model.info()


def apply_to_run(result, reviews, min_decisions: int = MIN_DECISIONS, seed: int = 0) -> dict:
    """Rescore a :class:`~geo.brownfield.result.RunResult` in place from analysts' decisions (or keep the rules).

    The budget flag follows the new ranking; the run record's ``scorer`` and ``scorer_info`` say which
    scorer ranked the layer, from how many decisions, and its cross-validated AUC (or why it fell back).
    """
    from geo.brownfield.detect import MATCH_TOLERANCE_M, in_budget_tolerance

    cands, info = learn_and_rescore(result.candidates, reviews, min_decisions, seed)
    if "fallback" not in info:
        area = result.analysed_area.to_crs(32632).geometry.union_all()
        cands["in_budget"] = in_budget_tolerance(cands.to_crs(32632).geometry.to_numpy(), area,
                                                 result.record.get("budget", 0.05), MATCH_TOLERANCE_M)
        result.candidates = cands
        result.record["scorer"] = info["name"]
        result.record["n_in_budget"] = int(cands["in_budget"].sum())
    result.record["scorer_info"] = info
    return info
