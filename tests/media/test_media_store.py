"""Photos and plans stored with a submission, on both backends: cleaned, visible as the listing is, all or none."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from geo.catalogue import open_catalogue
from geo.catalogue.stores import connect
from geo.errors import UserError
from geo.listing.check import check_workbook
from geo.listing.submission import publish, replace_submission, submit
from geo.media.prepare import MediaUpload, prepare_media
from geo.media.store import media_file, photos_for, plans_for
from tests.conftest import catalogue_digest, revision
from tests.listing.conftest import SITE, fill
from tests.media import samples as S


def _checked(cat, tmp_path, name="w.xlsx", sites=None):
    return check_workbook(fill(tmp_path / name, sites=sites), cat.places())


def _no_metadata(data: bytes) -> None:
    """The stored bytes, read back: no EXIF, GPS, XMP, comment or owner's name anywhere."""
    for marker in (b"Exif", b"GPS", b"xmpmeta", b"http://ns.adobe.com", S.OWNER_NAME.encode(), b"PhoneMaker",
                   b"taken by"):
        assert marker not in data, marker
    im = Image.open(io.BytesIO(data))
    assert dict(im.getexif()) == {} and "exif" not in im.info and "xmp" not in im.info and "comment" not in im.info


def test_a_submission_stores_cleaned_photos_and_plans_seen_as_the_listing_is(catalogue_target, tmp_path):
    cat = open_catalogue(catalogue_target)
    res = _checked(cat, tmp_path)
    media = prepare_media([MediaUpload("IMG_0001.JPG", S.phone_jpeg(), "Facciata su via Prova"),
                           MediaUpload("cortile.png", S.png()), MediaUpload("planimetria.pdf", S.pdf(2))], res.sites)
    receipt = submit(cat, res, media=media)
    (sid,) = receipt.site_ids
    assert photos_for(cat, sid) == [] and plans_for(cat, sid) == []  # submitted, not published: public sees none
    photos = photos_for(cat, sid, role="staff")
    assert [(p.caption, p.name, p.position) for p in photos] == [("Facciata su via Prova", "IMG_0001.JPG", 1),
                                                                  ("", "cortile.png", 2)]
    assert all(p.submission_id == receipt.submission_id and p.data is None for p in photos)
    stored = media_file(cat, photos[0], role="staff")
    assert media_file(cat, photos[0]) is None  # the file follows the listing's visibility too
    _no_metadata(stored)
    upright = Image.open(io.BytesIO(stored))
    assert upright.size == (400, 600) == (photos[0].width, photos[0].height)  # EXIF orientation 6 applied
    assert upright.getpixel((upright.width - 8, 8))[0] > 200 > upright.getpixel((8, 8))[0]  # red corner turned right
    for p in photos:
        for edge in (320, 1280):
            assert max(Image.open(io.BytesIO(p.thumbnail(edge))).size) <= edge
        _no_metadata(p.thumb_320)
    (plan,) = plans_for(cat, sid, role="staff")
    assert plan.pages == 2 and plan.mime == "application/pdf"
    pdf = media_file(cat, plan, role="staff")
    assert pdf.startswith(b"%PDF-") and S.OWNER_NAME.encode() not in pdf  # author and creator gone
    from pypdf import PdfReader

    assert len(PdfReader(io.BytesIO(pdf)).pages) == 2 and not (PdfReader(io.BytesIO(pdf)).metadata or {}).get("/Author")
    publish(cat, "staff", sid, "staff:anna")
    assert [p.media_id for p in photos_for(cat, sid)] == [p.media_id for p in photos]
    assert media_file(cat, photos[0]) == stored


def test_a_refused_submission_stores_no_media(catalogue_target, tmp_path):
    cat = open_catalogue(catalogue_target)
    res = _checked(cat, tmp_path)
    submit(cat, res)  # the same workbook once, without photos
    before = revision(catalogue_target)
    media = prepare_media([MediaUpload("IMG_0001.JPG", S.phone_jpeg())], res.sites)
    with pytest.raises(UserError) as err:
        submit(cat, res, media=media)  # the same file again: refused in the transaction, after media were written
    assert "already submitted" in err.value.message("en") and "già" in err.value.message("it")
    assert revision(catalogue_target) == before
    assert connect(catalogue_target).count("site_media") == 0 == connect(catalogue_target).count("site_media_files")


def test_a_replacement_with_photos_replaces_them_and_one_without_keeps_them(catalogue_target, tmp_path):
    cat = open_catalogue(catalogue_target)
    res = _checked(cat, tmp_path)
    first = submit(cat, res, media=prepare_media([MediaUpload("a.jpg", S.jpeg(seed=1))], res.sites))
    (sid,) = first.site_ids
    res2 = _checked(cat, tmp_path, "w2.xlsx", sites=[{**SITE, "price_eur": "1.400.000"}])
    second = replace_submission(cat, first.token, first.submission_id, res2,
                                media=prepare_media([MediaUpload("b.jpg", S.jpeg(seed=2)),
                                                     MediaUpload("c.webp", S.webp())], res2.sites))
    assert [p.name for p in photos_for(cat, sid, role="staff")] == ["b.jpg", "c.webp"]
    res3 = _checked(cat, tmp_path, "w3.xlsx", sites=[{**SITE, "price_eur": "1.300.000"}])
    replace_submission(cat, first.token, second.submission_id, res3)
    assert [p.name for p in photos_for(cat, sid, role="staff")] == ["b.jpg", "c.webp"]
    assert connect(catalogue_target).count("site_media") == 3  # the replaced one is kept, not shown
    assert "_media" in set(cat.history(sid)["field"])


def test_files_go_to_the_row_that_names_them(catalogue_target, tmp_path):
    cat = open_catalogue(catalogue_target)
    other = {**SITE, "title_it": "Capannone di Crema", "lat": "45,3600", "lon": "9,6850", "municipality_istat": "019035",
             "photos": "capannone.jpg"}
    res = _checked(cat, tmp_path, sites=[{**SITE, "photos": "fornace.jpg"}, other])
    media = prepare_media([MediaUpload("capannone.jpg", S.jpeg(seed=3)), MediaUpload("fornace.jpg", S.jpeg(seed=4))],
                          res.sites)
    a, b = submit(cat, res, media=media).site_ids
    assert [p.name for p in photos_for(cat, a, role="staff")] == ["fornace.jpg"]
    assert [p.name for p in photos_for(cat, b, role="staff")] == ["capannone.jpg"]
    with pytest.raises(UserError) as err:  # named nowhere, two sites: which one?
        prepare_media([MediaUpload("altro.jpg", S.jpeg(seed=5))], res.sites)
    assert "altro.jpg" in err.value.message("it") and "2" in err.value.message("en")


def test_backup_and_copy_carry_the_media(catalogue_target, tmp_path):
    from geo.catalogue.backup import backup_catalogue, restore_catalogue
    from geo.catalogue.transfer import copy_catalogue

    cat = open_catalogue(catalogue_target)
    res = _checked(cat, tmp_path)
    submit(cat, res, media=prepare_media([MediaUpload("a.jpg", S.jpeg()), MediaUpload("p.pdf", S.pdf(1))],
                                         res.sites))
    counts = backup_catalogue(catalogue_target, tmp_path / "b.gpkg")
    assert counts["site_media"] == 2 == counts["site_media_files"]
    assert catalogue_digest(tmp_path / "b.gpkg") == catalogue_digest(catalogue_target)
    copy = tmp_path / "copy.gpkg"
    copy_catalogue(catalogue_target, copy)
    assert catalogue_digest(copy) == catalogue_digest(catalogue_target)
    restore_catalogue(tmp_path / "b.gpkg", catalogue_target, force=True)
    assert connect(catalogue_target).count("site_media_files") == 2
