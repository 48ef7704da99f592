"""Browser fixtures shared by the end-to-end tests: one Debian Chromium and one staff app server per module."""

from __future__ import annotations

import pytest

from tests.web.browser import CHROMIUM, CHROMIUM_ARGS, streamlit_server


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def server(built_catalogue):
    with streamlit_server(built_catalogue, role="staff") as url:
        yield url
