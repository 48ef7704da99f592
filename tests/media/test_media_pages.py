"""The gallery on the staff page and the site sheet: pictures from the catalogue's bytes, captions as text."""

from __future__ import annotations

from geo.catalogue import open_catalogue
from geo.listing.check import check_workbook
from geo.listing.submission import publish, submit
from geo.media.prepare import MediaUpload, prepare_media
from tests.listing.conftest import fill
from tests.media import samples as S
from tests.web.test_staff_conflict import open_page

CAPTION = "Vista *da sud* [mappa](http://evil.example/x)"


def _images(at) -> list:
    """Every picture of the page (st.image elements), as their protos."""
    return [img for el in at.get("image") for img in el.proto.imgs]


def _submitted(target, tmp_path) -> str:
    cat = open_catalogue(target)
    res = check_workbook(fill(tmp_path / "w.xlsx"), cat.places())
    media = prepare_media([MediaUpload("a.jpg", S.phone_jpeg(), CAPTION), MediaUpload("b.png", S.png()),
                           MediaUpload("plan.pdf", S.pdf(2))], res.sites)
    return submit(cat, res, media=media).site_ids[0]


def test_staff_see_the_photos_and_plans_of_the_listing_under_review(writable_catalogue, tmp_path, monkeypatch):
    sid = _submitted(writable_catalogue, tmp_path)
    at = open_page(monkeypatch, writable_catalogue, "staff", "staff", site=sid)
    images = _images(at)
    assert len(images) == 3  # two photos, the plan's first page
    captions = [i.caption for i in images]
    (mine,) = [c for c in captions if c.startswith("Vista")]
    assert "\\*da sud\\*" in mine and "\\[mappa\\]\\(http\\:" in mine  # Markdown escaped: text, never a link
    assert any(b.label == "Download the PDF" for b in at.get("download_button"))


def test_the_public_sheet_shows_photos_only_once_published(writable_catalogue, tmp_path, monkeypatch):
    sid = _submitted(writable_catalogue, tmp_path)
    at = open_page(monkeypatch, writable_catalogue, "public", "sheet", site=sid)
    assert _images(at) == []
    publish(open_catalogue(writable_catalogue), "staff", sid, "staff:anna")
    at = open_page(monkeypatch, writable_catalogue, "public", "sheet", site=sid)
    assert len(_images(at)) == 3


def test_the_media_uploader_speaks_the_owners_language(monkeypatch, built_catalogue):
    from tests.web.test_owner_uploader_language import _css_text

    at = open_page(monkeypatch, built_catalogue, "owner", "owner", lang="it")
    (style,) = [m.value for m in at.markdown if "stFileUploaderDropzone" in m.value]
    assert 'class*="st-key-owner_media_"' in style and style.count("<style>") == 1 == style.count("</style>")
    shown = _css_text(style)
    assert "Fino a 20 MB per file • JPG, PNG, WEBP, PDF" in shown and "Fino a 10 MB per file • XLSX" in shown
    labels = [u.proto.label for u in at.get("file_uploader")]
    assert "Foto (JPEG, PNG, WebP: fino a 10) e planimetrie (PDF: fino a 5), facoltative" in labels, labels
