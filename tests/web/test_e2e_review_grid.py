"""The review grid in real Chromium, by keyboard only: keys 1-8 choose a chip, Y/N/S decide; 20 decisions
are timed and their rate printed (the figure of issue 19); the catalogue holds exactly the decisions made."""

from __future__ import annotations

import shutil
import statistics
import time

import pytest

from tests.web.browser import streamlit_server
from tests.web.grid_catalogue import publish_yard_town


@pytest.fixture(scope="module")
def town_server(built_catalogue, tmp_path_factory):
    work = tmp_path_factory.mktemp("grid-e2e")
    path = work / "catalogue.gpkg"
    shutil.copy2(built_catalogue, path)
    ranked = publish_yard_town(path, work)
    with streamlit_server(path, role="analyst") as url:
        yield url, path, ranked


def still_to_review(page, n: int, timeout_ms: int = 30000) -> None:
    page.get_by_text(f"{n} candidates still to review in this session.", exact=True).wait_for(timeout=timeout_ms)


def test_twenty_decisions_by_keyboard(browser, town_server):
    from geo.catalogue import open_catalogue

    url, path, ranked = town_server
    page = browser.new_page(viewport={"width": 1600, "height": 1000})
    page.goto(f"{url}/analyst?lang=en", wait_until="domcontentloaded")
    page.get_by_text("Review several at once").wait_for(timeout=90000)
    page.get_by_text("Review several at once").click()
    page.get_by_text("candidates still to review in this session.").first.wait_for(timeout=60000)
    page.wait_for_timeout(1000)
    reason = page.get_by_label("Reason for rejections in this grid")
    reason.fill("active car park")
    reason.press("Enter")
    page.wait_for_function("[...document.querySelectorAll('button')]"
                           ".some(b => b.innerText.startsWith('Reject') && !b.disabled)", timeout=60000)
    page.get_by_role("heading", name="Brownfields (satellite)").click()  # leave the box: keys go to the grid
    text = page.get_by_text("candidates still to review in this session.").first
    left = int(text.inner_text().split()[0])
    # Key 3 chooses the third chip (its buttons then carry the keys); the first Y confirms it.
    page.keyboard.press("3")
    page.locator("kbd[aria-label='Shortcut Y']").first.wait_for(timeout=30000)
    page.wait_for_timeout(1000)
    keys = (["y"] + ["y", "n", "s", "y"] * 5)[:20]
    started = time.perf_counter()
    each, seen = [], []
    for k in keys:
        t = time.perf_counter()
        page.keyboard.press(k)
        left -= 1
        still_to_review(page, left)  # written below the chips: the grid is on screen again
        page.locator("kbd[aria-label='Shortcut Y']").first.wait_for(timeout=30000)
        seen.append(int(text.inner_text().split()[0]))
        each.append(time.perf_counter() - t)
    elapsed = time.perf_counter() - started
    rate = len(keys) / elapsed * 60
    print(f"\nreview grid, real Chromium: {len(keys)} decisions by keyboard in {elapsed:.1f} s = "
          f"{rate:.0f} decisions per minute; key to grid back on screen: median {statistics.median(each):.2f} s, "
          f"p90 {sorted(each)[int(0.9 * len(each))]:.2f} s")
    assert seen == list(range(seen[0], seen[0] - len(keys), -1)), seen  # one decision per key
    assert rate > 6
    r = open_catalogue(path).table("brownfield_reviews")
    counts = r["decision"].value_counts().to_dict()
    assert counts == {"confirm": keys.count("y"), "reject": keys.count("n")}, counts
    assert set(r.loc[r["decision"] == "reject", "reason"]) == {"active car park"}
    assert ranked[2] in set(r.loc[r["decision"] == "confirm", "candidate_id"])  # the chip key 3 chose
