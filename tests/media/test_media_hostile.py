"""Hostile photos, plans and captions next to valid ones: each refused in Italian and English, nothing stored."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from geo.catalogue import open_catalogue
from geo.cli import main
from geo.media import limits
from geo.media.images import process_image
from geo.media.model import MediaError
from geo.media.plans import process_plan
from geo.media.prepare import MediaUpload, check_caption, prepare_media
from tests.conftest import revision
from tests.listing.conftest import fill
from tests.media import samples as S


class Row:
    """A workbook row as prepare_media reads it (row number and record)."""

    def __init__(self, row: int = 5, **record) -> None:
        self.row, self.record = row, record


def refused(uploads, *fragments_en: str, it: str = "") -> MediaError:
    with pytest.raises(MediaError) as err:
        prepare_media(uploads, [Row()])
    en, itm = err.value.message("en"), err.value.message("it")
    for f in fragments_en:
        assert f in en, en
    assert it in itm and en != itm, itm  # said in both languages
    return err.value


def test_valid_photos_of_each_format_pass():
    out = prepare_media([MediaUpload("a.jpg", S.jpeg()), MediaUpload("b.png", S.png()), MediaUpload("c.webp", S.webp()),
                         MediaUpload("d.png", S.png(mode="RGBA"))], [Row()])
    assert [(m.mime, m.row, m.position) for m in out] == [("image/jpeg", 5, 1), ("image/jpeg", 5, 2),
                                                           ("image/jpeg", 5, 3), ("image/png", 5, 4)]
    assert Image.open(io.BytesIO(out[3].data)).mode == "RGBA"  # transparency kept, as PNG


def test_a_phone_jpeg_with_gps_is_accepted_with_every_metadata_removed():
    m = prepare_media([MediaUpload("IMG_0001.JPG", S.phone_jpeg())], [Row()])[0]
    for blob in (m.data, m.thumb_320, m.thumb_1280):
        assert b"Exif" not in blob and b"xmpmeta" not in blob and S.OWNER_NAME.encode() not in blob
        assert dict(Image.open(io.BytesIO(blob)).getexif()) == {}
    assert (m.width, m.height) == (400, 600)


def test_a_png_decompression_bomb_is_refused_unread():
    refused([MediaUpload("ok.jpg", S.jpeg()), MediaUpload("bomb.png", S.png_bomb())], "bomb.png",
            "decompression bomb", it="bomb.png")


def test_pillows_own_bomb_guard_becomes_the_same_refusal(monkeypatch):
    monkeypatch.setattr(limits, "MAX_PIXELS", 10**9)  # past our cap, Pillow's MAX_IMAGE_PIXELS still answers
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 100_000)
    refused([MediaUpload("big.png", S.png(600, 400))], "big.png", "decompression bomb")


def test_a_picture_over_the_pixel_cap_is_refused(monkeypatch):
    monkeypatch.setattr(limits, "MAX_PIXELS", 200_000)
    refused([MediaUpload("wide.jpg", S.jpeg(600, 400))], "wide.jpg", "600 x 400", "megapixels")


def test_a_text_file_renamed_jpg_is_refused():
    refused([MediaUpload("photo.jpg", b"just some text, not a picture\n" * 20)], "photo.jpg",
            "not a JPEG, PNG or WebP")


def test_a_truncated_jpeg_is_refused():
    data = S.jpeg(1200, 900)
    refused([MediaUpload("cut.jpg", data[: len(data) // 2])], "cut.jpg", "truncated")


@pytest.mark.parametrize("data", [S.jpeg(comment=b"<script>alert(document.cookie)</script>"),
                                  S.jpeg() + S.zip_bytes(), S.png() + b"<html><body>hi</body></html>",
                                  S.jpeg() + S.pdf(1)], ids=["script-in-comment", "zip-appended", "html-appended",
                                                             "pdf-appended"])
def test_a_polyglot_is_refused(data):
    refused([MediaUpload("poly.jpg", data)], "poly.jpg", "another kind of content")


def test_an_oversized_photo_and_plan_are_refused(monkeypatch):
    monkeypatch.setattr(limits, "MAX_IMAGE_BYTES", 1000)
    refused([MediaUpload("big.jpg", S.jpeg())], "big.jpg", "at most")
    monkeypatch.setattr(limits, "MAX_PLAN_BYTES", 500)
    refused([MediaUpload("big.pdf", S.pdf(1))], "big.pdf", "at most")


def test_eleven_photos_are_refused_ten_pass():
    ten = [MediaUpload(f"p{i}.jpg", S.jpeg(400, 300, seed=i)) for i in range(limits.MAX_IMAGES)]
    assert len(prepare_media(ten, [Row()])) == 10
    refused(ten + [MediaUpload("p10.jpg", S.jpeg(400, 300, seed=99))], "11 photos", "at most 10")


def test_the_same_photo_twice_is_refused():
    refused([MediaUpload("a.jpg", S.jpeg()), MediaUpload("b.jpg", S.jpeg())], "b.jpg", "same file as a.jpg")


def test_plans_valid_encrypted_scripted_fake_truncated_too_long(monkeypatch):
    ok = process_plan(S.pdf(3), "plan.pdf")
    assert ok.pages == 3 and Image.open(io.BytesIO(ok.thumb_1280)).size[0] == 1280
    refused([MediaUpload("locked.pdf", S.encrypted_pdf())], "locked.pdf", "encrypted")
    refused([MediaUpload("js.pdf", S.pdf_with_javascript())], "js.pdf", "scripts")
    refused([MediaUpload("fake.pdf", b"%PDF-1.7 not really")], "fake.pdf", "not a readable PDF")
    refused([MediaUpload("plan.pdf", b"GIF89a....")], "plan.pdf", "not a PDF")
    refused([MediaUpload("cut.pdf", S.pdf(2)[:900])], "cut.pdf", "not a readable PDF")
    monkeypatch.setattr(limits, "MAX_PLAN_PAGES", 2)
    refused([MediaUpload("long.pdf", S.pdf(3))], "long.pdf", "3 pages", "at most 2")


@pytest.mark.parametrize("caption", ["<img src=x onerror=alert(1)>", "Bella <b>vista</b>", "&#60;script&#62;",
                                     "<!-- x -->", "ok\u202etxt.exe", "\u200b\u200b"])
def test_html_and_hidden_characters_in_a_caption_are_refused(caption):
    for fine in ("Capannone > 5.000 m², vista da sud", "Uffici R&D; magazzino & piazzale"):
        assert check_caption(fine, "a.jpg") == fine
    refused([MediaUpload("a.jpg", S.jpeg(), caption)], "a.jpg")


def test_a_caption_too_long_is_refused():
    refused([MediaUpload("a.jpg", S.jpeg(), "x" * (limits.MAX_CAPTION + 1))], "201 characters")


def test_one_image_function_for_every_refusal():
    with pytest.raises(MediaError):
        process_image(b"", "empty.jpg")


# ---------------------------------------------------------------- the command line, on a real catalogue
def test_cli_submits_media_and_refuses_a_hostile_one_storing_nothing(catalogue_target, tmp_path, capsys):
    book = fill(tmp_path / "w.xlsx")
    (tmp_path / "facciata.jpg").write_bytes(S.phone_jpeg())
    (tmp_path / "bomb.png").write_bytes(S.png_bomb())
    (tmp_path / "plan.pdf").write_bytes(S.pdf(1))
    before = revision(catalogue_target)
    code = main(["--catalogue", str(catalogue_target), "--lang", "it", "listing", "submit", str(book),
                 "--media", str(tmp_path / "facciata.jpg"), "--media", str(tmp_path / "bomb.png")])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 1 and len(err) == 1 and "bomb.png" in err[0] and "megapixel" in err[0], err
    assert revision(catalogue_target) == before
    code = main(["--catalogue", str(catalogue_target), "listing", "submit", str(book),
                 "--media", str(tmp_path / "facciata.jpg"), "--caption", "Facciata", "--media", str(tmp_path / "plan.pdf")])
    out = capsys.readouterr().out
    assert code == 0 and "owner token" in out
    from geo.media.store import media_for

    cat = open_catalogue(catalogue_target)
    site = cat.table("site_media")["site_id"].iloc[0]
    got = media_for(cat, [site], role="staff")[site]
    assert [(m.kind, m.caption) for m in got] == [("photo", "Facciata"), ("plan", "")]
