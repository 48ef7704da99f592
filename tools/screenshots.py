"""``make screenshots``: every page and every document as images, to look at before calling a change done.

Writes under ``build/screenshots/`` (not part of ``make test``):

- ``pages/<role>_<page>_<lang>.png``: each page the role can open, in Italian and English, in Debian's
  Chromium (the app served by Streamlit on a fresh demo catalogue, as ``tests/web`` starts it);
- ``documents/<doc>_<lang>_p<N>.png``: the site sheet PDF, the dossier PDF (both with an investor brief)
  rendered page by page with PDFium, and the stand-alone HTML sheet as Chromium shows it;
- ``contact.png`` (every image as a thumbnail with its name) and ``index.txt`` (the file list).

Usage: ``python tools/screenshots.py [--out DIR] [--roles public staff ...] [--pages home sheet ...] [--no-pages]``.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from PIL import Image  # noqa: E402

from tests.docimage import contact_sheet, pages_png  # noqa: E402
from tests.web.browser import CHROMIUM, CHROMIUM_ARGS, streamlit_server  # noqa: E402

LANGS = ("it", "en")
ROLES = ("public", "owner", "staff", "analyst")
SHEET_SITE = "DEMO-0003"
DOSSIER_SITES = ("DEMO-0001", "DEMO-0002", "DEMO-0003")
#: A page taller than this (px) is cut there: a contact sheet of 10,000 px strips shows nothing.
MAX_HEIGHT = 6000


def _brief():
    from geo.search import Brief, Criterion

    return Brief(name="Logistics hub", criteria=[Criterion("land_area_min", 20000), Criterion("power_min", 5000),
                                                 Criterion("motorway_junction_km", 5, hard=False)])


def build_catalogue(folder: Path) -> Path:
    """A fresh demo catalogue (``geo build``): what ``make run`` serves."""
    path = folder / "catalogue.gpkg"
    subprocess.run([sys.executable, "-m", "geo.cli", "--catalogue", str(path), "build"], check=True, cwd=ROOT,
                   stdout=subprocess.DEVNULL)
    return path


def documents(catalogue: Path, out: Path, browser) -> list[Path]:
    """The sheet (PDF, HTML) and the dossier (PDF) in both languages, as PNG pages."""
    from geo.catalogue import open_catalogue
    from geo.render.documents import Sources, dossier_document, sheet_document

    cat = open_catalogue(catalogue)
    sources = Sources.of(cat)
    brief = _brief()
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for lang in LANGS:
        pdfs = {"sheet_pdf": sheet_document(cat, SHEET_SITE, lang, "pdf", brief=brief, sources=sources),
                "dossier_pdf": dossier_document(cat, DOSSIER_SITES, lang, brief=brief, sources=sources)}
        for name, data in pdfs.items():
            (out / f"{name}_{lang}.pdf").write_bytes(data)
            for i, img in enumerate(pages_png(data, scale=1.5), start=1):
                p = out / f"{name}_{lang}_p{i:02d}.png"
                img.save(p)
                written.append(p)
        html = out / f"sheet_html_{lang}.html"
        html.write_bytes(sheet_document(cat, SHEET_SITE, lang, "html", brief=brief, sources=sources))
        page = browser.new_page(viewport={"width": 1100, "height": 900})
        page.goto(html.as_uri(), wait_until="load")
        p = out / f"sheet_html_{lang}.png"
        page.screenshot(path=str(p), full_page=True)
        page.close()
        written.append(p)
    return written


def _settled(page, quiet_ms: int = 2000, timeout_ms: int = 90000) -> None:
    """Until the app has drawn its page (no skeleton left) and not been running for ``quiet_ms``."""
    quiet = 0
    for _ in range(timeout_ms // 100):
        running = (page.locator("[data-testid='stApp'][data-test-script-state='notRunning']").count() == 0
                   or page.locator("[data-testid='stSkeleton']").count() > 0
                   or page.locator("[data-testid='stMainBlockContainer'] [data-testid='stElementContainer']").count() == 0)
        quiet = 0 if running else quiet + 100
        if quiet >= quiet_ms:
            return
        page.wait_for_timeout(100)


def _full_height(page) -> int:
    """The height of the app's scrolling content (Streamlit scrolls inside its main block, not the window)."""
    return int(page.evaluate("""() => Math.max(...[...document.querySelectorAll(
        "[data-testid='stMain'], [data-testid='stAppViewContainer'], section.main, body")].map(e => e.scrollHeight))"""))


def page_urls(role: str) -> list[tuple[str, str]]:
    """(name, path and query) of every page ``role`` can open, with the data that makes it show something."""
    from geo.catalogue.access import can
    from geo.search import Query
    from geo.search.params import to_query_params

    from urllib.parse import urlencode

    brief = urlencode(to_query_params(Query(), _brief(), list(DOSSIER_SITES)))
    pages = [("home", "", None),  # the default page is served at the root
             ("find", "find?" + brief, None), ("sheet", f"sheet?site={SHEET_SITE}", None),
             ("sheet_brief", f"sheet?site={SHEET_SITE}&" + brief, None), ("shortlist", "shortlist?" + brief, None),
             ("owner", "owner", None), ("staff", "staff", "review_queue"), ("analyst", "analyst", "review_brownfields")]
    return [(name, url) for name, url, action in pages if action is None or can(role, action)]


def pages(catalogue: Path, out: Path, browser, roles=ROLES, only: list[str] | None = None) -> list[Path]:
    """Each page each role can open, in both languages, as full-height PNGs (map tiles blocked: offline)."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for role in roles:
        with streamlit_server(catalogue, role=role) as url:
            for name, path in page_urls(role):
                if only and name not in only:
                    continue
                for lang in LANGS:
                    ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
                    page = ctx.new_page()
                    page.route("**/tile.openstreetmap.org/**", lambda r: r.abort())
                    sep = "&" if "?" in path else "?"
                    page.goto(f"{url}/{path}{sep}lang={lang}", wait_until="domcontentloaded")
                    page.wait_for_selector("[data-testid='stMain']", timeout=90000)
                    _settled(page)
                    page.set_viewport_size({"width": 1400, "height": min(max(_full_height(page), 1000), MAX_HEIGHT)})
                    page.wait_for_timeout(1500)  # the map frames draw after the resize
                    _settled(page, 1000)
                    p = out / f"{role}_{name}_{lang}.png"
                    page.screenshot(path=str(p))
                    written.append(p)
                    ctx.close()
                    print(p.relative_to(out.parent), flush=True)
    return written


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=ROOT / "build" / "screenshots")
    ap.add_argument("--catalogue", type=Path, help="a GeoPackage to serve (default: a fresh demo build)")
    ap.add_argument("--roles", nargs="+", default=list(ROLES), choices=ROLES)
    ap.add_argument("--pages", nargs="+", metavar="NAME", help="only these pages (home, find, sheet, ...)")
    ap.add_argument("--no-pages", action="store_true",
                    help="documents only (no app server); page images already in OUT/pages are kept")
    args = ap.parse_args(argv)
    from playwright.sync_api import sync_playwright

    started = time.monotonic()
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as pw:
        catalogue = args.catalogue or build_catalogue(Path(tmp))
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            images = documents(catalogue, args.out / "documents", browser)
            if not args.no_pages:
                images += pages(catalogue, args.out / "pages", browser, args.roles, args.pages)
        finally:
            browser.close()
    if args.no_pages or args.pages or set(args.roles) != set(ROLES):  # earlier page images stay in the contact sheet
        images = list(dict.fromkeys(images + sorted((args.out / "pages").glob("*.png"))))
    named = [(str(p.relative_to(args.out)), Image.open(p)) for p in images]
    contact_sheet(named).save(args.out / "contact.png")
    (args.out / "index.txt").write_text("\n".join(n for n, _i in named) + "\n", encoding="utf-8")
    print(f"{len(named)} images, contact sheet {args.out / 'contact.png'} ({time.monotonic() - started:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
