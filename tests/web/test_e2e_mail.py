"""E-mail as people get it, through the running app: an owner submits on the page and finds the private
link in their mailbox (a real SMTP server on localhost); the page says it was e-mailed; with the server
down the submission still lands and staff see the message waiting. Real server, real Chromium."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest

from geo.catalogue import open_catalogue
from geo.mail.outbox import outbox_for_staff
from tests.listing.conftest import OWNER, fill
from tests.mail.conftest import free_port, smtp  # noqa: F401 - the fixture
from tests.web.browser import CHROMIUM, click_for_run, owner_uploader, streamlit_server

pytestmark = [pytest.mark.browser]
if not Path(CHROMIUM).exists():
    pytestmark.append(pytest.mark.skip(reason="Debian chromium not installed (make test installs it)"))


def _submit_on_page(browser, url: str, book: Path, lang: str) -> str:
    upload = owner_uploader(browser.new_page(), url, lang)
    page = upload.page
    upload.set_input_files(str(book))
    # The check's verdict, then the end of the run: the preview's maps and cards are still drawn above the button
    # for a while, and a click before then may land where the button no longer is (a lost click: no receipt).
    page.get_by_text("File valido" if lang == "it" else "Valid file").first.wait_for(timeout=60000)
    click_for_run(page, page.get_by_role("button", name="Invia" if lang == "it" else "Submit", exact=True))
    done = page.locator("[data-testid=stAlert]").filter(has_text="SUB-").first  # the receipt
    try:
        done.wait_for(timeout=60000)
    except Exception as exc:  # say what the page showed
        raise AssertionError(f"no receipt within 60 s; the page said:\n{page.locator('body').inner_text()[-3000:]}"
                             ) from exc
    return done.inner_text()


def _wait_for(predicate, timeout: float = 30.0) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.2)
    return False


def test_the_owner_finds_the_private_link_in_the_mailbox(browser, built_catalogue, tmp_path, smtp):  # noqa: F811
    cat_path = tmp_path / "c.gpkg"
    shutil.copy2(built_catalogue, cat_path)
    with streamlit_server(cat_path, role="owner") as url:
        said = _submit_on_page(browser, url, fill(tmp_path / "offerta.xlsx"), "it")
        assert OWNER["contact_email"] in said.replace("\u2060", "") and "e-mail" in said, said  # shown, not linked
        assert _wait_for(lambda: smtp.to(OWNER["contact_email"])), "no mail reached the owner"
        # The staff's notice goes out in the same round of the server's deliverer, or the next one: awaited while
        # the server runs (once it stops, what it has not sent waits in the outbox for the next one).
        assert _wait_for(lambda: len(smtp.to("staff1@regione.example")) == 1), "no notice reached staff"
    [mail] = smtp.to(OWNER["contact_email"])
    body = mail.get_content()
    assert "https://siti.regione.example/owner?token=" in body and "&lang=it" in body
    assert "link privato" in body.lower()


def test_with_the_mail_server_down_the_listing_lands_and_the_mail_waits(browser, built_catalogue, tmp_path, smtp,  # noqa: F811
                                                                        monkeypatch):
    cat_path = tmp_path / "c.gpkg"
    shutil.copy2(built_catalogue, cat_path)
    monkeypatch.setenv("GEO_SMTP_URL", f"smtp://127.0.0.1:{free_port()}?starttls=off")
    with streamlit_server(cat_path, role="owner") as url:
        said = _submit_on_page(browser, url, fill(tmp_path / "offerta.xlsx"), "en")
        assert "Submitted: 1 site" in said, said
        cat = open_catalogue(cat_path)
        assert _wait_for(lambda: len(outbox_for_staff(cat, "staff")) == 3
                         and outbox_for_staff(cat, "staff")["last_error"].notna().all())
    box = outbox_for_staff(cat, "staff")
    assert (box["status"] == "queued").all() and len(cat.sites(statuses=["submitted"])) >= 1
