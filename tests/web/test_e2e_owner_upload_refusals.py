"""A wrong file on the owner's uploader is refused in the owner's language, naming the file: a PDF
brochure and an 11 MB workbook reach our checker instead of Streamlit's English refusals in the
browser ("application/pdf files are not allowed", "File must be 10.0MB or smaller"); a valid
workbook dropped next is read as before. Both languages in one visit: each file is dropped once, and its
answer read in the language of the moment and again after the sidebar's language control switched to the other
one (the same page and app session: the file stays on the uploader, its check is said again in the new
language). Real server, real Chromium."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.listing.conftest import fill
from tests.web.browser import CHROMIUM, owner_uploader, switch_language

pytestmark = [pytest.mark.browser]
if not Path(CHROMIUM).exists():
    pytestmark.append(pytest.mark.skip(reason="Debian chromium not installed (make test installs it)"))

STREAMLIT_ENGLISH = ("not allowed", "or smaller", "File must be")
#: Per language: what the checker says of the PDF, of the oversized file, and of the valid workbook.
PDF = {"it": "«brochure.pdf» non è una cartella di lavoro Excel (contenuto: PDF)",
       "en": "'brochure.pdf' is not an Excel workbook (content: PDF)"}
BIG = {"it": "il limite è 10 MB", "en": "the limit is 10 MB"}
VALID = {"it": "File valido", "en": "Valid file"}


def said(page, text: str) -> str:
    """Wait until ``text`` is on the page (attached: a cell of the refusals' table is enough); the page's text."""
    page.get_by_text(text).first.wait_for(state="attached", timeout=60000)
    return page.locator("body").inner_text()


def big_refused(page, lang: str) -> None:
    """The oversized file refused by our checker in ``lang``: no Streamlit refusal, no valid file's answer."""
    body = said(page, BIG[lang])
    assert not any(s in body for s in STREAMLIT_ENGLISH), body[-2000:]
    assert VALID[lang] not in body  # so a later wait is for the valid file's own answer


def test_a_pdf_or_an_oversized_file_is_refused_in_the_owners_language(browser, server, tmp_path):
    # Checking a file writes nothing: the session's shared staff server (tests/web/conftest.py) serves it.
    pdf = tmp_path / "brochure.pdf"
    pdf.write_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj << /Type /Catalog >> endobj\n")
    big = tmp_path / "capannone.xlsx"
    big.write_bytes(b"PK\x03\x04" + b"\0" * (11 * 1024 * 1024))
    valid = fill(tmp_path / "offerta.xlsx")
    upload = owner_uploader(browser.new_page(), server, "it")
    page = upload.page

    upload.set_input_files(str(pdf))
    assert PDF["en"] not in said(page, PDF["it"])
    switch_language(page, "en")
    assert PDF["it"] not in said(page, PDF["en"])  # the same file, its refusal said again in English

    upload.set_input_files(str(big))
    big_refused(page, "en")
    switch_language(page, "it")
    big_refused(page, "it")

    upload.set_input_files(str(valid))  # and the right file, next, is read as ever
    page.get_by_text(VALID["it"]).first.wait_for(timeout=60000)
    switch_language(page, "en")
    page.get_by_text(VALID["en"]).first.wait_for(timeout=60000)
    assert VALID["it"] not in page.locator("body").inner_text()
