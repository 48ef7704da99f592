"""A scorer learned from analysts' decisions (gradient boosting), behind the same ``Scorer`` protocol.

Analysts confirm, promote or reject candidates on the review page; each
decision is stored with the candidate's polygon (``brownfield_reviews``). A
later run's candidates that overlap a reviewed polygon (IoU >= 0.5) carry its
decision, and their per-site indicators are the training set: confirm and
promote are positives, reject negatives. Below ``MIN_DECISIONS`` decisions,
or without both kinds, the rules stay (and the run record says why).

The model is judged honestly (issue 19): **spatial block cross-validation** (the decisions fall in
1.5 km blocks; each fold leaves whole blocks out, so a neighbour of a test site never trains the model;
the held-out predictions are pooled), the ROC AUC of the pooled predictions and the lift of their top
10% and 20% with 95% intervals from a bootstrap over blocks, and a **learning curve** (the figure against
the number of decisions, in the order they were made). With confirmations only, nothing can be learned
or measured: unreviewed candidates are unlabelled, not negatives (the positive-unlabelled caveat), and
the fallback says so.
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
    #: The spatial block cross-validation (:func:`block_cv`) and the learning curve, as the record keeps them.
    cv: dict = field(default_factory=dict)
    learning_curve: list = field(default_factory=list)

    def score(self, features: pd.DataFrame) -> np.ndarray:
        if len(features) == 0:
            return np.zeros(0)
        return np.round(self.model.predict_proba(feature_matrix(features))[:, 1], 3)

    def info(self) -> dict:
        return {"name": self.name, "n_decisions": self.n_decisions, "n_positive": self.n_positive,
                "cv_auc": self.cv_auc, "cv": self.cv, "learning_curve": self.learning_curve}


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


#: Side of the cross-validation blocks (m), as the evaluation's (geo.brownfield.stats.BLOCK_M).
CV_BLOCK_M = 1500.0
#: Bootstrap resamples of the blocks for the cross-validated figures' intervals.
CV_BOOT = 500
#: Shares of the pooled predictions whose lift is reported (the top 10% and 20% of the reviewed candidates).
TOP_SHARES = (0.10, 0.20)


def _model(seed: int):
    from sklearn.ensemble import GradientBoostingClassifier

    return GradientBoostingClassifier(n_estimators=100, max_depth=2, learning_rate=0.1, subsample=1.0,
                                      random_state=seed)


def decision_blocks(features: pd.DataFrame, block_m: float = CV_BLOCK_M) -> np.ndarray:
    """The 1.5 km block of each reviewed candidate (by its representative point in EPSG:32632); all in one
    block when the frame has no geometry."""
    from geo.brownfield.stats import block_ids

    if not hasattr(features, "geometry") or len(features) == 0:
        return np.zeros(len(features), np.int64)
    pts = features.to_crs(32632).geometry.representative_point()
    return block_ids(pts.x.to_numpy(), pts.y.to_numpy(), (0.0, 0.0), block_m)


def pooled_predictions(X: np.ndarray, y: np.ndarray, blocks: np.ndarray, seed: int = 0) -> tuple[np.ndarray, int]:
    """Held-out probabilities from leaving blocks out in turn (at most 5 folds of whole blocks), pooled.

    A fold whose training part holds one kind only predicts that kind's share (it cannot learn).
    """
    from sklearn.model_selection import GroupKFold

    groups = np.unique(blocks)
    folds = min(5, len(groups))
    pred = np.full(len(y), float(y.mean()))
    if folds < 2:
        return pred, 0
    for train, test in GroupKFold(n_splits=folds).split(X, y, blocks):
        if y[train].all() or not y[train].any():
            pred[test] = float(y[train].mean())
            continue
        pred[test] = _model(seed).fit(X[train], y[train]).predict_proba(X[test])[:, 1]
    return pred, folds


def _auc(y: np.ndarray, p: np.ndarray) -> float:
    """ROC AUC by ranks (Mann-Whitney, ties counted half): the same figure as scikit-learn's, without its
    input checks, which cost more than the figure in a bootstrap."""
    from scipy.stats import rankdata

    npos = int(y.sum())
    nneg = len(y) - npos
    if npos == 0 or nneg == 0:
        return float("nan")
    r = rankdata(p)
    return float((r[y].sum() - npos * (npos + 1) / 2) / (npos * nneg))


def _lift_top(y: np.ndarray, p: np.ndarray, share: float) -> float:
    k = max(1, int(np.ceil(share * len(y))))
    base = y.mean()
    return float(y[np.argsort(-p, kind="stable")[:k]].mean() / base) if base > 0 else float("nan")


def block_cv(X: np.ndarray, y: np.ndarray, blocks: np.ndarray, seed: int = 0, n_boot: int = CV_BOOT) -> dict:
    """Spatial block cross-validation: pooled AUC and lift of the top 10% / 20%, each with its 95% interval
    from resampling whole blocks (resamples holding one kind only are dropped)."""
    from geo.brownfield.stats import _percentile

    pred, folds = pooled_predictions(X, y, blocks, seed)
    _u, g = np.unique(blocks, return_inverse=True)
    rows_of = [np.flatnonzero(g == b) for b in range(g.max() + 1)] if len(g) else []
    rng = np.random.default_rng(seed)
    boot = {"auc": [], **{f"lift_top{int(s * 100)}": [] for s in TOP_SHARES}}
    for _i in range(n_boot if folds else 0):
        idx = np.concatenate([rows_of[b] for b in rng.integers(0, len(rows_of), len(rows_of))])
        yy, pp = y[idx], pred[idx]
        if yy.all() or not yy.any():
            continue
        boot["auc"].append(_auc(yy, pp))
        for s in TOP_SHARES:
            boot[f"lift_top{int(s * 100)}"].append(_lift_top(yy, pp, s))
    point = {"auc": _auc(y, pred) if folds else float("nan"),
             **{f"lift_top{int(s * 100)}": _lift_top(y, pred, s) if folds else float("nan") for s in TOP_SHARES}}
    out = {"scheme": "spatial blocks", "block_m": CV_BLOCK_M, "n_blocks": int(len(np.unique(blocks))),
           "folds": folds}
    for k, v in point.items():
        lo, hi = _percentile(np.asarray(boot[k], float))
        out[k] = {"value": _round(v), "lo": _round(lo), "hi": _round(hi)}
    return out


def _round(x: float) -> float | None:
    return None if x is None or not np.isfinite(x) else round(float(x), 3)


def learning_curve(X: np.ndarray, y: np.ndarray, blocks: np.ndarray, seed: int = 0, n_boot: int = 200,
                   first: int = MIN_DECISIONS, whole: dict | None = None) -> list[dict]:
    """The block cross-validated AUC (with its interval) of the first 20, 40, 80, ... decisions and of all of
    them, in the order given (the order analysts made them); ``whole``: the :func:`block_cv` of all of them,
    when already computed."""
    n = len(y)
    steps, k = [], first
    while k < n:
        steps.append(k)
        k *= 2
    steps.append(n)
    out = []
    for k in steps:
        cv = whole if (k == n and whole is not None) else block_cv(X[:k], y[:k], blocks[:k], seed, n_boot)
        out.append({"n": int(k), "auc": cv["auc"]["value"], "lo": cv["auc"]["lo"], "hi": cv["auc"]["hi"]})
    return out


def fit(features: pd.DataFrame, labels, min_decisions: int = MIN_DECISIONS, seed: int = 0, curve: bool = True
        ) -> LearnedScorer | Fallback:
    """Train on reviewed candidates' features (``labels`` True = confirmed, in the order the decisions were
    made), or fall back to the rules; judged by spatial block cross-validation (:func:`block_cv`).

    Examples
    --------
    >>> fit(pd.DataFrame({k: [0.5] for k in (*FEATURES, "area_m2")}), [True]).reason
    'only 1 decision (at least 20 needed)'
    """
    y = np.asarray(labels, dtype=bool)
    n, pos = len(y), int(y.sum())
    if n < min_decisions:
        return Fallback(n_decisions=n, texts=both(
            lambda _: _.ngettext("only {n} decision (at least {min} needed)",
                                 "only {n} decisions (at least {min} needed)", n),
            n=lambda _: _.integer(n), min=lambda _: _.integer(min_decisions)))
    if pos == n:
        return Fallback(n_decisions=n, texts=both(N_(
            "confirmations only: the unreviewed candidates are unlabelled, not negatives (positive-unlabelled), so "
            "no scorer can be learned or measured; reject the candidates that are not disused too")))
    if pos == 0:
        return Fallback(n_decisions=n, texts=both(
            N_("decisions of one kind only (confirm and reject are both needed)")))
    X = feature_matrix(features)
    blocks = decision_blocks(features)
    cv = block_cv(X, y, blocks, seed)
    if cv["folds"] == 0:  # one block: no spatial cross-validation is possible; say so rather than guess
        cv["scheme"] = "none (all decisions in one block)"
    model = _model(seed).fit(X, y)
    lc = learning_curve(X, y, blocks, seed, whole=cv) if curve else []
    return LearnedScorer(model, n, pos, cv["auc"]["value"], cv=cv, learning_curve=lc)


def labelled(candidates, reviews) -> tuple[pd.DataFrame, np.ndarray]:
    """The candidates that carry an analyst's decision (IoU >= 0.5 with a reviewed polygon), and the labels."""
    from geo.brownfield.review import _match

    m = _match(candidates, reviews)
    keep = m["decision"].isin(POSITIVE + NEGATIVE).to_numpy()
    # In the order the decisions were made (the learning curve's order); ties keep the candidates' order.
    order = np.argsort(m["reviewed_at"][keep].astype(str).to_numpy(), kind="stable")
    return candidates[keep].iloc[order], m["decision"][keep].isin(POSITIVE).to_numpy()[order]


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
