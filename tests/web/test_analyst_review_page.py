"""The analyst's review page supports a decision: pending is "to review", the rejection reason
does not stay for the next candidate, a promoted candidate links to its draft listing."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest
from tests.web.shown import shown

APP = str(Path(__file__).resolve().parents[2] / "app.py")


def analyst_page(lang: str = "en") -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["lang"] = lang
    at.switch_page("geo/web/pages/analyst.py")
    at.run()
    assert not at.exception, at.exception
    return at


def test_review_reads_as_a_decision(monkeypatch, writable_catalogue, tmp_path):
    from geo.brownfield.run import detect, publish
    from geo.brownfield.sources import scene_from_path
    from geo.catalogue import open_catalogue
    from tests.brownfield.synthetic import scene_arrays, write_stack

    s0 = scene_from_path(write_stack(tmp_path / "a.tif", scene_arrays(120, 0)), "2019-06-01", level="L2A")
    s1 = scene_from_path(write_stack(tmp_path / "b.tif", scene_arrays(120, 1)), "2021-06-01", level="L2A")
    publish(detect([s0, s1], budget=0.1), writable_catalogue)  # the 4 ha site + its 50 m halo: ~6% of the town
    monkeypatch.setenv("GEO_CATALOGUE", str(writable_catalogue))
    monkeypatch.setenv("GEO_AUTH_MODE", "local")
    monkeypatch.setenv("GEO_LOCAL_ROLE", "staff")

    at = analyst_page("en")
    assert at.dataframe[1].value["Review"].tolist() == ["to review"]
    assert analyst_page("it").dataframe[1].value["Revisione"].tolist() == ["da rivedere"]

    # A reason typed, the candidate rejected: the box is empty when the candidate is shown again.
    at.multiselect(key="bf_dec").select("reject").run()
    at.text_input(key="bf_reason").input("parcheggio attivo").run()
    at.button(key="bf_reject").click().run()
    assert not at.exception
    assert at.dataframe[1].value["Review"].tolist() == ["rejected"]
    assert at.text_input(key="bf_reason").value == ""

    # Promoted: a link to the draft, not a second draft.
    at.button(key="bf_promote").click().run()
    assert not at.exception
    assert not at.error, [e.value for e in at.error]
    assert any("created (origin: disused" in shown(s.value) for s in at.success), [s.value for s in at.success]
    drafts = open_catalogue(writable_catalogue).sites(statuses=["draft"])
    drafts = drafts[drafts["origin"] == "disused"]
    (sid,) = drafts["site_id"].tolist()
    at = analyst_page("en")
    at.multiselect(key="bf_dec").select("promote").run()
    links = [p for p in at.get("page_link")]
    assert any(f"Draft listing {sid}" in shown(p.proto.label) and sid in str(p.proto.query_string) for p in links), \
        [p.proto for p in links]
    assert not any(b.key == "bf_promote" for b in at.button)
