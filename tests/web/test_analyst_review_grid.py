"""The analyst page's review grid: a batch of candidates in rank order, decided per chip through the one
review write path; a skip writes nothing; the next batch's pictures are drawn before they are needed."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import revision
from tests.web.grid_catalogue import publish_yard_town
from tests.web.shown import shown

APP = str(Path(__file__).resolve().parents[2] / "app.py")


@pytest.fixture(scope="module")
def town(built_catalogue, tmp_path_factory) -> tuple[Path, list[str]]:
    """A demo catalogue with the yard town published: (a pristine copy to start from, ids in rank order)."""
    import shutil

    work = tmp_path_factory.mktemp("grid")
    path = work / "catalogue.gpkg"
    shutil.copy2(built_catalogue, path)
    return path, publish_yard_town(path, work)


@pytest.fixture
def catalogue(town, tmp_path, monkeypatch) -> Path:
    import shutil

    dst = tmp_path / "catalogue.gpkg"
    shutil.copy2(town[0], dst)
    monkeypatch.setenv("GEO_CATALOGUE", str(dst))
    monkeypatch.setenv("GEO_AUTH_MODE", "local")
    monkeypatch.setenv("GEO_LOCAL_ROLE", "analyst")
    return dst


def grid_page(lang: str = "en") -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["lang"] = lang
    at.switch_page("geo/web/pages/analyst.py")
    at.run()
    at.toggle(key="bf_grid").set_value(True).run()
    assert not at.exception, at.exception
    return at


def chips(at: AppTest) -> list[str]:
    """The candidate ids of the batch on screen, in chip order."""
    focus = {b.key: shown(b.proto.label) for b in at.button if b.key and b.key.startswith("bf_gfocus_")}
    return [focus[f"bf_gfocus_{i}"] for i in range(len(focus))]


def reviews(target: Path) -> list[tuple[str, str, object]]:
    from geo.catalogue import open_catalogue

    r = open_catalogue(target).table("brownfield_reviews")
    return sorted(zip(r["candidate_id"], r["decision"], r["reason"])) if len(r) else []


def test_a_batch_is_decided_chip_by_chip_and_a_skip_writes_nothing(catalogue, town):
    ranked = town[1]
    at = grid_page()
    assert chips(at) == ranked[:8]  # the page's ranking, eight at a time
    a, b, c, d = ranked[:4]
    at.button(key=f"bf_gconfirm_{a}").click().run()
    # A rejection needs a reason: without one, or with only blanks, its button is disabled.
    assert at.button(key=f"bf_greject_{b}").disabled
    at.text_input(key="bf_grid_reason").input("   ").run()
    assert at.button(key=f"bf_greject_{b}").disabled
    at.text_input(key="bf_grid_reason").input("active car park").run()
    at.button(key=f"bf_greject_{b}").click().run()
    before = revision(catalogue)
    at.button(key=f"bf_gskip_{c}").click().run()
    assert revision(catalogue) == before  # a skip writes nothing
    at.button(key=f"bf_gconfirm_{d}").click().run()
    assert not at.exception and not at.error, (at.exception, [m.value for m in at.error])
    assert reviews(catalogue) == sorted([(a, "confirm", None), (b, "reject", "active car park"),
                                         (d, "confirm", None)])
    # A reason the catalogue refuses (a NUL character) is one message, and nothing is written.
    e = ranked[4]
    at.text_input(key="bf_grid_reason").input("car\x00park").run()
    before = revision(catalogue)
    at.button(key=f"bf_greject_{e}").click().run()
    assert at.error and revision(catalogue) == before, [m.value for m in at.error]
    assert not at.exception
    labels = [shown(m.value) for m in at.markdown]
    assert sum("confirmed" in t for t in labels) == 2 and any("skipped" in t for t in labels), labels


def test_the_next_batch_follows_the_ranking_and_leaves_out_what_was_settled(catalogue, town):
    ranked = town[1]
    at = grid_page()
    for cid in ranked[:8]:
        at.button(key=f"bf_gskip_{cid}").click().run()
    assert chips(at) == ranked[8:16]
    at.button(key=f"bf_gconfirm_{ranked[8]}").click().run()
    # A new page session reads the decision from the catalogue: the confirmed candidate is no longer to review.
    assert chips(grid_page())[:2] == [ranked[0], ranked[1]]
    assert ranked[8] not in chips(grid_page())


def test_the_keys_follow_the_focused_chip(catalogue, town):
    ranked = town[1]
    at = grid_page()
    shortcut = {b.key: b.proto.shortcut for b in at.button if b.key}
    assert shortcut[f"bf_gconfirm_{ranked[0]}"] == "y" or shortcut[f"bf_gconfirm_{ranked[0]}"].lower() == "y"
    assert not shortcut[f"bf_gconfirm_{ranked[1]}"]
    assert [shortcut[f"bf_gfocus_{i}"] for i in range(8)] == [str(i + 1) for i in range(8)]
    at.button(key="bf_gfocus_2").click().run()
    shortcut = {b.key: b.proto.shortcut for b in at.button if b.key}
    assert shortcut[f"bf_gconfirm_{ranked[2]}"] and not shortcut[f"bf_gconfirm_{ranked[0]}"]
    at.button(key=f"bf_gconfirm_{ranked[2]}").click().run()  # then the next chip to decide has the keys
    shortcut = {b.key: b.proto.shortcut for b in at.button if b.key}
    assert shortcut[f"bf_gconfirm_{ranked[3]}"]


def test_the_grid_speaks_italian(catalogue):
    at = grid_page("it")
    labels = {shown(b.proto.label) for b in at.button}
    assert {"Conferma", "Rifiuta", "Salta"} <= labels, labels
    assert at.text_input(key="bf_grid_reason").label == "Motivo del rifiuto (vale per tutta la griglia)"
    assert at.toggle(key="bf_grid").label == "Rivedi più candidati insieme"
    at.button(key="bf_gskip_" + shown(at.button(key="bf_gfocus_0").proto.label)).click().run()
    assert any(shown(m.value).endswith("[saltato]") for m in at.markdown), [m.value for m in at.markdown]
    en = grid_page("en")
    assert {"Confirm", "Reject", "Skip"} <= {shown(b.proto.label) for b in en.button}
    assert en.text_input(key="bf_grid_reason").label == "Reason for rejections in this grid"


def test_the_next_batch_is_drawn_ahead(tmp_path):
    """Pictures queued for prefetch are drawn by the worker; a later ``get`` does not draw them again."""
    from shapely.geometry import box

    from geo.web.review_grid import ChipPictures, next_batch, next_focus

    assert next_batch(list("abcdef"), {"a", "c"}, 3) == ["b", "d", "e"]
    assert next_focus(list("abcd"), {"a", "b"}, 1) == 2 and next_focus(list("abcd"), {"c", "d"}, 3) == 0
    assert next_focus(list("ab"), {"a", "b"}, 1) == 1
    drawn = []

    class Counting(ChipPictures):
        @staticmethod
        def _draw(record, geometry):
            drawn.append(geometry)
            time.sleep(0.05)
            return b"png"

    shelf = Counting()
    keys = [("t", "run", f"c{i}") for i in range(3)]
    shelf.prefetch([(k, {}, box(i, 0, i + 1, 1)) for i, k in enumerate(keys)])
    deadline = time.monotonic() + 10
    while not all(shelf.cached(k) for k in keys) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert all(shelf.cached(k) for k in keys)
    assert [shelf.get(k, {}, None) for k in keys] == [b"png"] * 3
    assert len(drawn) == 3


def test_a_decision_costs_the_server_under_a_third_of_a_second(catalogue, town):
    """CPU seconds of a click to the end of the run, whole page (AppTest reruns it all; a browser only the grid).

    CPU, not wall time: the machine's other work does not inflate it. The wall figures, with the machine's
    load, come from benchmarks/bench_review_grid.py."""
    import statistics

    ranked = town[1]
    at = grid_page()
    at.text_input(key="bf_grid_reason").input("active car park").run()
    cpu = []
    for i, cid in enumerate(ranked[:6]):
        c = time.process_time()
        at.button(key=f"bf_g{('confirm', 'reject', 'skip')[i % 3]}_{cid}").click().run()
        cpu.append(time.process_time() - c)
    assert not at.exception
    assert statistics.median(cpu) <= 0.3, cpu
