"""The owner's preview is what investors will see: the same record and the same site panel (sheet and
location map, in Italian and English) before submission, once stored, and once published; on a
GeoPackage and on PostGIS."""

from __future__ import annotations

import pytest

from geo.catalogue import open_catalogue
from geo.catalogue.frames import SITE_COLUMNS
from geo.listing.check import check_workbook
from geo.listing.preview import preview_records
from geo.listing.submission import publish, submit
from geo.render.location import metric_layers
from geo.web.site_panel import panel_html, site_location
from tests.listing.conftest import SITE

#: What differs by nature between a preview and the stored listing: its identity and its life so far.
LIFE = {"site_id", "status", "version", "created_at", "updated_at", "owner_id", "submission_id", "confirmed_at",
        "published_at"}


def _panels(cat, rec) -> dict[str, str]:
    layers = metric_layers(**{n: cat.layer(n) for n in ("provinces", "motorways", "railways", "infrastructure")})
    location = site_location(rec, cat.layer("municipalities"), layers)
    assert location is not None and location.municipality is not None  # the location map, not the sketch
    return {code: panel_html(rec, code, location) for code in ("it", "en")}


@pytest.mark.parametrize("site", [SITE, {**SITE, "municipality_istat": "015146", "lat": "45,4642", "lon": "9,19",
                                         "title_en": ""}], ids=["zls", "milan-italian-only"])
def test_preview_equals_stored_equals_published_sheet(filled, catalogue_target, site):
    cat = open_catalogue(catalogue_target)
    res = check_workbook(filled(sites=[site]), cat.places())
    assert res.ok, res.report("en")
    (preview,) = preview_records(res, cat)
    receipt = submit(cat, res)
    (sid,) = receipt.site_ids
    stored = open_catalogue(catalogue_target).site(sid, role="staff")
    publish(cat, "staff", sid, "staff:test")
    published = open_catalogue(catalogue_target).site(sid, role="public")
    assert stored["status"] == "submitted" and published["status"] == "published"

    # The same fields, declared and computed, with the same provenance.
    for rec in (stored, published):
        differ = {k: (preview.get(k), rec.get(k)) for k in SITE_COLUMNS if k not in LIFE and preview.get(k) != rec.get(k)}
        assert differ == {}
    assert preview["dist_airport_km"] is not None and preview["dist_airport_km__prov"] == "computed"

    # The same panel, in both languages, once the listing's identity and lifecycle rows (status, dates), which
    # change by nature on submission and publication, are those of the published listing.
    life = {k: published.get(k) for k in LIFE}
    before = _panels(cat, {**preview, **life})
    assert before == _panels(cat, {**stored, **life}) == _panels(cat, published)
    assert _panels(cat, preview) != before  # the lifecycle rows are shown: the alignment above is needed
    assert "Ex fornace" in before["it"] and ("Former kiln" in before["en"] or "Italian only" in before["en"])


def test_the_preview_reads_the_cached_reference_layers(filled, catalogue_target):
    """A rerun of the preview reads no reference layer: the catalogue's cached ones serve it."""
    cat = open_catalogue(catalogue_target)
    res = check_workbook(filled(), cat.places())
    preview_records(res, cat)  # warms the cache
    reads: list[str] = []
    real = cat.db.read

    def counting(name, *a, **kw):
        reads.append(name)
        return real(name, *a, **kw)

    cat.db.read = counting
    try:
        (rec,) = preview_records(res, cat)
    finally:
        cat.db.read = real
    assert rec["in_zls"] is True
    assert not set(reads) & {"municipalities", "zls_municipalities", "infrastructure", "zis_areas", "zls_perimeter"}
