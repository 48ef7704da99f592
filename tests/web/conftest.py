"""Browser fixtures shared by the end-to-end tests: one Debian Chromium and one staff app server per xdist worker.

Both are kept for the whole run (session scope): a test opens its own page (a fresh browser context, so no
cookies or session state carry over) and the server only reads the demo catalogue, as every test that asks
for ``server`` does. A test that writes starts its own server on its own copy (``streamlit_server``).
"""

from __future__ import annotations

import pytest

from tests.web.browser import CHROMIUM, CHROMIUM_ARGS, streamlit_server


@pytest.fixture(scope="session")
def browser():
    from tests.web.browser import shared_playwright as sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture(scope="session")
def server(built_catalogue):
    with streamlit_server(built_catalogue, role="staff") as url:
        yield url


@pytest.fixture(autouse=True)
def _close_pages(request):
    """Pages a test opened on the shared browser are closed after it (their app sessions end with them)."""
    yield
    if "browser" in request.fixturenames:
        for context in request.getfixturevalue("browser").contexts:
            context.close()
