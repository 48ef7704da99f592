"""An owner uploads photos and a plan with the workbook in a real browser (Italian): a decompression bomb is
refused in Italian naming the file, nothing stored and no Submit; the valid files are previewed as pictures and
stored, without their GPS, with the submission. Real server, real Chromium."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest
from PIL import Image

from geo.catalogue import open_catalogue
from geo.media.store import media_file, media_for
from tests.conftest import revision
from tests.listing.conftest import fill
from tests.media import samples as S
from tests.web.browser import CHROMIUM, CHROMIUM_ARGS, TEST_CHROMIUM, click_for_run, streamlit_server

pytestmark = [pytest.mark.browser]
if not Path(CHROMIUM).exists():
    pytestmark.append(pytest.mark.skip(reason="Debian chromium not installed (make test installs it)"))


def test_owner_uploads_photos_and_a_plan_and_a_bomb_is_refused_in_italian(built_catalogue, tmp_path):
    from tests.web.browser import shared_playwright as sync_playwright

    cat_path = tmp_path / "c.gpkg"
    shutil.copy2(built_catalogue, cat_path)
    book = fill(tmp_path / "offerta.xlsx")
    files = {"facciata.jpg": S.phone_jpeg(), "bomba.png": S.png_bomb(), "planimetria.pdf": S.pdf(2)}
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    before = revision(cat_path)
    with streamlit_server(cat_path, role="owner") as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=TEST_CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1200})
        page.route("https://**/*", lambda route: route.abort())
        page.goto(f"{url}/owner?lang=it", wait_until="domcontentloaded")
        inputs = page.locator("input[type=file]")
        inputs.nth(1).wait_for(state="attached", timeout=60000)
        inputs.nth(0).set_input_files(str(book))
        page.get_by_text("File valido").first.wait_for(timeout=90000)
        inputs.nth(1).set_input_files([str(tmp_path / "facciata.jpg"), str(tmp_path / "bomba.png")])
        page.get_by_text("bomba.png dichiara più pixel del limite").first.wait_for(timeout=90000)
        assert page.get_by_role("button", name="Invia").count() == 0  # no Submit while a file is refused
        assert revision(cat_path) == before
        # Again without the bomb, with the plan: two pictures in the preview, then Submit.
        page.goto(f"{url}/owner?lang=it", wait_until="domcontentloaded")
        inputs = page.locator("input[type=file]")
        inputs.nth(1).wait_for(state="attached", timeout=60000)
        inputs.nth(0).set_input_files(str(book))
        page.get_by_text("File valido").first.wait_for(timeout=90000)
        inputs.nth(1).set_input_files([str(tmp_path / "facciata.jpg"), str(tmp_path / "planimetria.pdf")])
        page.locator('[data-testid="stImage"] img').nth(1).wait_for(timeout=90000)
        click_for_run(page, page.get_by_role("button", name="Invia"))
        page.get_by_text("Inviato").first.wait_for(timeout=90000)
        browser.close()
    cat = open_catalogue(cat_path)
    site = cat.table("site_media")["site_id"].iloc[0]
    got = media_for(cat, [site], role="staff")[site]
    assert sorted((m.kind, m.name) for m in got) == [("photo", "facciata.jpg"), ("plan", "planimetria.pdf")]
    photo = next(m for m in got if m.kind == "photo")
    data = media_file(cat, photo, role="staff")
    assert b"GPS" not in data and S.OWNER_NAME.encode() not in data
    assert Image.open(io.BytesIO(data)).size == (400, 600)
