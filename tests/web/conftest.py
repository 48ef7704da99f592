"""Browser fixtures shared by the end-to-end tests: one Debian Chromium and one staff app server per xdist worker.

Both are kept for the whole run (session scope). ``browser.new_page()`` opens a page in one context shared by
the tests of the worker, as a person opens tabs in one browser: each page is its own app session (Streamlit's
session lives in the page's websocket), and the HTTP cache keeps the app's immutable assets, which saves ~0.8
CPU-s of the machine per page load (3.8 -> 3.0 s for the find page, measured with the whole process tree's
CPU, 6 visits each). A test about a new visitor (nothing cached, no cookies) asks ``browser.new_context()``.
The ``server`` only reads the demo catalogue, as every test that asks for it does; a test that writes starts
its own server on its own copy (``streamlit_server``).
"""

from __future__ import annotations

import pytest

from tests.web.browser import CHROMIUM_ARGS, TEST_CHROMIUM, streamlit_server


class SessionBrowser:
    """The worker's Chromium: pages in one shared context (``new_page``), fresh contexts on request."""

    def __init__(self, browser) -> None:
        self._browser = browser
        self._shared = None

    def new_page(self, viewport: dict | None = None):
        """A new tab of the shared context (``viewport`` set on the page; the context's default is 1280x720)."""
        if self._shared is None:
            self._shared = self._browser.new_context()
        page = self._shared.new_page()
        if viewport:
            page.set_viewport_size(viewport)
        return page

    def new_context(self, **options):
        """A fresh browser profile: no cache, no cookies, no storage (a new visitor)."""
        return self._browser.new_context(**options)

    def close_test_pages(self) -> None:
        """What a test opened: the shared context's pages, and every other context."""
        for context in self._browser.contexts:
            if context is self._shared:
                for page in context.pages:
                    page.close()
            else:
                context.close()


@pytest.fixture(scope="session")
def browser():
    from tests.web.browser import shared_playwright as sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=TEST_CHROMIUM, args=CHROMIUM_ARGS)
        yield SessionBrowser(b)
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
        request.getfixturevalue("browser").close_test_pages()
