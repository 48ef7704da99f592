"""The learned scorer: gradient boosting on analysts' decisions, behind the Scorer protocol, with a fallback."""

from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
from shapely.geometry import box

from geo.brownfield.detect import sites
from geo.brownfield.learned import MIN_DECISIONS, Fallback, LearnedScorer, apply_to_run, fit, labelled, rescore
from geo.brownfield.rules import FEATURES
from geo.brownfield.scoring import RuleScorer


def _planted(n: int, seed: int):
    """Planted sites in two kinds the rules cannot tell apart, and the analysts' verdict on each.

    Both kinds are bare, stable and built-up (the rules score them alike). Disused yards have plants
    coming back (``veg_gain`` > 0.05); active depots do not, and analysts reject them.
    """
    rng = np.random.default_rng(seed)
    rows, truth = [], []
    for i in range(n):
        disused = bool(i % 2)
        vals = {"bare_all": rng.uniform(0.6, 1.0), "bsi_mean": rng.uniform(0.02, 0.12),
                "stability": rng.uniform(0.7, 1.0), "persistence": rng.uniform(0.8, 1.0),
                "built_context": rng.uniform(0.6, 1.0), "bare_share": rng.uniform(0.3, 0.9),
                "encroachment": rng.uniform(0.0, 0.3),
                "veg_gain": rng.uniform(0.06, 0.3) if disused else rng.uniform(0.0, 0.04)}
        side = rng.uniform(80, 200)
        g = box(i * 1000, 0, i * 1000 + side, side)
        npx = int(round(g.area / 100))
        rows.append({"geometry": g, "n_px": npx, "edge": False,
                     **{f"sum_{k}": int(round((vals.get(k, 0) + (0.5 if k == "bsi_mean" else 0)) * 250)) * npx
                        for k in FEATURES}})
        truth.append(disused)
    s = sites(rows, "EPSG:32632")
    # sites() ranks the rows; recover each one's verdict from its position (x = i * 1000).
    order = (s.geometry.bounds["minx"] // 1000).astype(int).to_numpy()
    return s, np.asarray(truth)[order]


def _auc(scores, y):
    from sklearn.metrics import roc_auc_score

    return roc_auc_score(y, scores)


def test_learned_scorer_ranks_what_analysts_confirm_where_the_rules_cannot():
    train, y = _planted(60, seed=1)
    test, y_test = _planted(60, seed=2)
    model = fit(train, y)
    assert isinstance(model, LearnedScorer) and model.n_decisions == 60 and model.n_positive == 30
    assert model.cv_auc > 0.9  # cross-validated on the decisions it learned from, blocks left out in turn
    learned, rules = _auc(model.score(test), y_test), _auc(RuleScorer().score(test), y_test)
    assert learned > 0.9 and rules < 0.75 and learned > rules + 0.2
    assert set(model.info()) == {"name", "n_decisions", "n_positive", "cv_auc", "cv", "learning_curve"}
    # Rescoring keeps the ranking rule: too-small sites after assessable ones, whatever the model says.
    ranked = rescore(test, model)
    small = ranked["too_small"].to_numpy()
    assert not (np.diff(small.astype(int)) < 0).any()
    assert ranked["rank"].tolist() == list(range(1, len(ranked) + 1))


def test_too_few_or_one_sided_decisions_keep_the_rules():
    feats, y = _planted(MIN_DECISIONS - 1, seed=3)
    fb = fit(feats, y)
    assert isinstance(fb, Fallback) and fb.scorer.name == "rules-v2"
    assert f"only {MIN_DECISIONS - 1} decisions" in fb.reason
    feats, y = _planted(40, seed=3)
    fb = fit(feats, np.ones(40, bool))
    assert isinstance(fb, Fallback) and "confirmations only" in fb.reason
    fb = fit(feats, np.zeros(40, bool))
    assert isinstance(fb, Fallback) and "one kind" in fb.reason
    assert isinstance(fit(feats, y), LearnedScorer)


def test_decisions_reach_later_candidates_by_overlap():
    cands, y = _planted(30, seed=4)
    revs = gpd.GeoDataFrame({"decision": np.where(y, "confirm", "reject"), "at": "2026-01-01", "reason": "",
                             "site_id": None}, geometry=cands.geometry.translate(5, 0), crs=32632).to_crs(4326)
    revs = revs.iloc[:25]  # five candidates were never reviewed
    feats, labels = labelled(cands, revs)
    assert len(feats) == 25 and labels.tolist() == y[:25].tolist()


def test_cli_learned_ranking_falls_back_with_a_reason_in_the_record(tmp_path, catalogue_target, capsys):
    from geo.brownfield.review import load_candidates, record_review
    from geo.brownfield.run import detect, publish
    from geo.brownfield.sources import scene_from_path
    from geo.catalogue import open_catalogue
    from geo.cli import main
    from tests.brownfield.synthetic import scene_arrays, write_stack

    s0 = write_stack(tmp_path / "a.tif", scene_arrays(120, 0))
    s1 = write_stack(tmp_path / "b.tif", scene_arrays(120, 1))
    publish(detect([scene_from_path(s0, "2019-06-01"), scene_from_path(s1, "2021-06-01")]), catalogue_target)
    cat = open_catalogue(catalogue_target)
    (cand,) = [r for _, r in load_candidates(cat, include_beyond_budget=True).iterrows()]
    record_review(cat, cand, "confirm", "analyst:a")
    out = tmp_path / "run.gpkg"
    assert main(["--catalogue", str(catalogue_target), "brownfield", "detect", "--scene", f"2019-06-01={s0}",
                 "--scene", f"2021-06-01={s1}", "--level", "L2A", "--out", str(out), "--learned"]) == 0
    assert "learned scorer not used: only 1 decision " in capsys.readouterr().err
    rec = json.loads(gpd.read_file(out, layer="brownfield_runs")["record_json"].iloc[0])
    assert rec["scorer"] == "rules-v2" and rec["scorer_info"]["n_decisions"] == 1
    assert "at least 20" in rec["scorer_info"]["fallback"]


def test_apply_to_run_rescores_and_moves_the_budget(tmp_path):
    from geo.brownfield.run import RunResult

    cands, y = _planted(40, seed=5)
    extent = gpd.GeoDataFrame(geometry=[box(0, 0, 40000, 2000)], crs=32632)  # 80 km2
    cands["in_budget"] = False
    res = RunResult("RUN-x", cands.assign(run_id="RUN-x"), {"budget": 0.002, "scorer": "rules-v2"}, extent)
    revs = gpd.GeoDataFrame({"decision": np.where(y, "confirm", "reject"), "at": "2026-01-01", "reason": "",
                             "site_id": None}, geometry=cands.geometry, crs=32632)
    info = apply_to_run(res, revs, min_decisions=20)
    assert info["name"] == "gbm-v1" and res.record["scorer"] == "gbm-v1" and res.record["scorer_info"] == info
    top = res.candidates[res.candidates["in_budget"]]
    assert len(top) > 0 and top["area_m2"].sum() <= 0.002 * 8e7
    assert res.record["n_in_budget"] == len(top)
    # The short list now holds what analysts confirm.
    truth = dict(zip(cands["candidate_id"], y))
    assert np.mean([truth[c] for c in top["candidate_id"]]) > 0.8


# ------------------------------------------------------------------ judged honestly: spatial block cross-validation
def test_block_cross_validation_does_not_reward_learning_where_a_site_is():
    """Labels that follow the place, features that only fingerprint the place: leaving random rows out lets
    the model recognise the neighbours of a test site (AUC near 1); leaving whole blocks out does not."""
    from sklearn.model_selection import StratifiedKFold, cross_val_score

    from geo.brownfield.learned import _model, block_cv, decision_blocks, feature_matrix

    rng = np.random.default_rng(0)
    rows, y = [], []
    for b in range(12):  # 12 blocks of 1.5 km, 6 sites each; a block is all confirmed or all rejected
        finger = rng.uniform(0, 1, len(FEATURES))
        for j in range(6):
            x0 = b * 1500 + 200 + j * 150
            rows.append({**{k: float(np.clip(finger[i] + rng.normal(0, 0.01), 0, 1)) for i, k in enumerate(FEATURES)},
                         "area_m2": 10000.0, "geometry": box(x0, 100, x0 + 100, 200)})
            y.append(b % 2 == 0)
    feats, y = gpd.GeoDataFrame(rows, crs=32632), np.array(y)
    X = feature_matrix(feats)
    random_folds = cross_val_score(_model(0), X, y, scoring="roc_auc",
                                   cv=StratifiedKFold(5, shuffle=True, random_state=0)).mean()
    cv = block_cv(X, y, decision_blocks(feats), seed=0, n_boot=200)
    assert random_folds > 0.95
    assert cv["n_blocks"] == 12 and cv["folds"] == 5
    assert cv["auc"]["value"] < 0.75 and cv["auc"]["lo"] < 0.5 < cv["auc"]["hi"]


def test_block_cross_validation_with_intervals_and_a_learning_curve():
    cands, y = _planted(60, seed=3)
    model = fit(cands, y)
    cv = model.info()["cv"]
    assert cv["scheme"] == "spatial blocks" and cv["folds"] == 5 and cv["n_blocks"] >= 30
    assert cv["auc"]["value"] > 0.85 and 0.5 < cv["auc"]["lo"] <= cv["auc"]["value"] <= cv["auc"]["hi"]
    assert cv["lift_top10"]["value"] > 1.5 and cv["lift_top20"]["lo"] is not None
    curve = model.info()["learning_curve"]
    assert [p["n"] for p in curve] == [20, 40, 60]
    assert all(p["lo"] is None or p["lo"] <= p["auc"] <= p["hi"] for p in curve)
    json.dumps(model.info())  # the run record keeps it as JSON


def test_confirmations_only_state_the_positive_unlabelled_caveat():
    cands, _y = _planted(30, seed=4)
    fb = fit(cands, np.ones(30, bool))
    assert isinstance(fb, Fallback) and "positive-unlabelled" in fb.reason and "not negatives" in fb.reason
    assert "positive-unlabelled" not in fit(cands, np.zeros(30, bool)).reason
