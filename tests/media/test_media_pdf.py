"""Photos in the PDF site sheet: the document read back holds the pictures (and no metadata of the owner's)."""

from __future__ import annotations

import io

from PIL import Image
from pypdf import PdfReader

from geo.media.prepare import MediaUpload, prepare_media
from geo.render import render_sheet_pdf
from tests.media import samples as S


class Row:
    row, record = 5, {}


RECORD = {"site_id": "LS-TEST", "title_it": "Ex fornace", "title_en": "Former kiln", "municipality_name": "Cremona",
          "province": "CR", "status": "published"}


def _images(pdf: bytes) -> list[Image.Image]:
    return [img.image for page in PdfReader(io.BytesIO(pdf)).pages for img in page.images]


def test_the_sheet_pdf_draws_the_photos_with_their_captions_in_both_languages():
    photos = prepare_media([MediaUpload("a.jpg", S.phone_jpeg(), "Facciata nord"),
                            MediaUpload("b.png", S.png(800, 500), "Cortile"), MediaUpload("plan.pdf", S.pdf(1))],
                           [Row()])
    for lang, heading in (("it", "Fotografie"), ("en", "Photos")):
        pdf = render_sheet_pdf(RECORD, lang, photos=photos)
        images = _images(pdf)
        assert sorted(im.size for im in images) == sorted([(400, 600), (800, 500)])  # the plan is not a photo
        text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
        assert heading in text and "Facciata nord" in text and "Cortile" in text
        assert S.OWNER_NAME.encode() not in pdf and b"GPS" not in pdf
    assert _images(render_sheet_pdf(RECORD, "en")) == []  # no photos, no picture


def test_at_most_six_photos_go_on_the_sheet():
    photos = prepare_media([MediaUpload(f"p{i}.jpg", S.jpeg(400, 300, seed=i)) for i in range(8)], [Row()])
    assert len(_images(render_sheet_pdf(RECORD, "en", photos=photos))) == 6


def test_the_dossier_carries_each_sites_photos_on_its_sheet():
    from geo.render import render_dossier_pdf

    photos = prepare_media([MediaUpload("a.jpg", S.jpeg(640, 480))], [Row()])
    other = {**RECORD, "site_id": "LS-OTHER"}
    pdf = render_dossier_pdf([RECORD, other], "it", photos={"LS-TEST": photos})
    assert [im.size for im in _images(pdf)] == [(640, 480)]
