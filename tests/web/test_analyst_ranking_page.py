"""The analyst page says how the list was ranked and hides what lies beyond the area budget unless asked."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from geo.brownfield.run import detect, publish
from geo.brownfield.sources import scene_from_path
from tests.brownfield.synthetic import scene_arrays, write_stack
from tests.web.shown import shown

APP = str(Path(__file__).resolve().parents[2] / "app.py")


def _page(monkeypatch, target):
    monkeypatch.setenv("GEO_CATALOGUE", target)
    monkeypatch.setenv("GEO_AUTH_MODE", "local")
    monkeypatch.setenv("GEO_LOCAL_ROLE", "analyst")
    at = AppTest.from_file(APP, default_timeout=90)
    at.query_params["lang"] = "en"
    at.switch_page("geo/web/pages/analyst.py")
    at.run()
    assert not at.exception
    return at


def _run(tmp_path, budget: float):
    s0 = scene_from_path(write_stack(tmp_path / "a.tif", scene_arrays(120, 0)), "2019-06-01")
    s1 = scene_from_path(write_stack(tmp_path / "b.tif", scene_arrays(120, 1)), "2021-06-01")
    return detect([s0, s1], budget=budget)


def test_learned_ranking_quality_and_budget_are_shown(catalogue_target, tmp_path, monkeypatch):
    run = _run(tmp_path, budget=0.01)  # the one planted site lies beyond a 1% budget
    assert run.candidates["in_budget"].tolist() == [False]
    run.record.update(scorer="learned-gbm",
                      scorer_info={"name": "learned-gbm", "n_decisions": 24, "n_positive": 9, "cv_auc": 0.91})
    publish(run, catalogue_target)
    at = _page(monkeypatch, catalogue_target)
    assert any("learned from 24 analysts' decisions (9 confirmed); cross-validated AUC 0.91" in shown(i.value)
               for i in at.info)
    assert any("within 1% of the analysed area, counting the 50 m round each" in c.value for c in at.caption)
    cid = run.candidates["candidate_id"].iloc[0]
    assert cid not in " ".join(str(getattr(e, "value", "")) for e in at.main)
    at.sidebar.checkbox(key="bf_beyond").check().run()
    assert not at.exception
    assert cid in " ".join(str(getattr(e, "value", "")) for e in at.main)


def test_rules_fallback_says_why(catalogue_target, tmp_path, monkeypatch):
    run = _run(tmp_path, budget=0.05)
    run.record["scorer_info"] = {"name": "rules-v2", "n_decisions": 3, "fallback": "only 3 decisions (at least 20 needed)"}
    publish(run, catalogue_target)
    at = _page(monkeypatch, catalogue_target)
    assert any("3 decisions are not enough" in c.value and "at least 20" in c.value for c in at.caption)


def test_the_learned_scorer_is_shown_with_its_block_cv_interval_and_learning_curve(catalogue_target, tmp_path,
                                                                                    monkeypatch):
    run = _run(tmp_path, budget=0.05)
    cv = {"scheme": "spatial blocks", "block_m": 1500.0, "n_blocks": 14, "folds": 5,
          "auc": {"value": 0.71, "lo": 0.46, "hi": 0.9}, "lift_top10": {"value": 1.8, "lo": 0.9, "hi": 2.6},
          "lift_top20": {"value": 1.5, "lo": 0.8, "hi": 2.1}}
    curve = [{"n": 20, "auc": 0.6, "lo": 0.3, "hi": 0.85}, {"n": 40, "auc": 0.71, "lo": 0.46, "hi": 0.9}]
    run.record.update(scorer="gbm-v1", scorer_info={"name": "gbm-v1", "n_decisions": 40, "n_positive": 15,
                                                    "cv_auc": 0.71, "cv": cv, "learning_curve": curve})
    publish(run, catalogue_target)
    at = _page(monkeypatch, catalogue_target)
    captions = " ".join(c.value for c in at.caption)
    assert "blocks of 1.5 km left out in turn (14 blocks): AUC 0.71 (95% interval 0.46-0.90)" in shown(captions)
    assert "better than chance: no at 95%" in captions  # the interval reaches below 0.5
    assert "top 10% by this score hold 1.80 times" in shown(captions)
    assert "Learning curve" in captions
