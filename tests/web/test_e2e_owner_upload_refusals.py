"""A wrong file on the owner's uploader is refused in the owner's language, naming the file: a PDF
brochure and an 11 MB workbook reach our checker instead of Streamlit's English refusals in the
browser ("application/pdf files are not allowed", "File must be 10.0MB or smaller"); a valid
workbook dropped next is read as before. Both languages in one visit: in Italian, then in English through
the sidebar's language control (the same page and app session: the file on the uploader is kept, and its
check is said again in English). Real server, real Chromium."""

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
SAID = {"it": ("«brochure.pdf» non è una cartella di lavoro Excel (contenuto: PDF)", "il limite è 10 MB",
               "File valido"),
        "en": ("'brochure.pdf' is not an Excel workbook (content: PDF)", "the limit is 10 MB", "Valid file")}


def refused_then_read(upload, lang: str, files: tuple[Path, Path, Path]) -> None:
    """Drop the PDF, the oversized file and the valid workbook in turn; each is answered in ``lang``."""
    pdf_text, big_text, valid_text = SAID[lang]
    pdf, big, valid = files
    page = upload.page
    upload.set_input_files(str(pdf))
    page.get_by_text(pdf_text).first.wait_for(state="attached", timeout=60000)  # a cell of the table
    upload.set_input_files(str(big))
    page.get_by_text(big_text).first.wait_for(state="attached", timeout=60000)
    body = page.locator("body").inner_text()
    assert not any(s in body for s in STREAMLIT_ENGLISH), body[-2000:]
    assert valid_text not in body  # so the next wait is for the valid file's own answer

    upload.set_input_files(str(valid))  # and the right file, next, is read as ever
    page.get_by_text(valid_text).first.wait_for(timeout=60000)


def test_a_pdf_or_an_oversized_file_is_refused_in_the_owners_language(browser, server, tmp_path):
    # Checking a file writes nothing: the session's shared staff server (tests/web/conftest.py) serves it.
    pdf = tmp_path / "brochure.pdf"
    pdf.write_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj << /Type /Catalog >> endobj\n")
    big = tmp_path / "capannone.xlsx"
    big.write_bytes(b"PK\x03\x04" + b"\0" * (11 * 1024 * 1024))
    files = (pdf, big, fill(tmp_path / "offerta.xlsx"))
    upload = owner_uploader(browser.new_page(), server, "it")
    page = upload.page
    refused_then_read(upload, "it", files)

    switch_language(page, "en")  # the valid workbook stays on the uploader, checked again in English
    page.get_by_text(SAID["en"][2]).first.wait_for(timeout=60000)
    assert SAID["it"][2] not in page.locator("body").inner_text()
    refused_then_read(upload, "en", files)
