"""Type-B offers (an area with a perimeter) go all the way: check, submit, publish, search, on both backends."""

from __future__ import annotations

import shapely
from shapely.geometry import Polygon

from geo.catalogue import open_catalogue
from geo.listing.check import check_workbook
from geo.listing.submission import publish, submit
from geo.search import Query, SearchIndex, search
from tests.listing.conftest import SITE, fill

# Around the site's point in Cremona: clockwise exterior, a hole (a road crossing the area), 3D coordinates.
EXTERIOR = [(10.020, 45.132, 50.0), (10.020, 45.135, 50.0), (10.025, 45.135, 51.0), (10.025, 45.132, 51.0),
            (10.020, 45.132, 50.0)]
HOLE = [(10.022, 45.133, 50.0), (10.023, 45.133, 50.0), (10.023, 45.134, 50.0), (10.022, 45.134, 50.0),
        (10.022, 45.133, 50.0)]


def test_a_type_b_outline_with_a_hole_is_submitted_published_and_found(catalogue_target, tmp_path):
    drawn = Polygon(EXTERIOR, [HOLE])
    assert not drawn.exterior.is_ccw and drawn.has_z  # as a CAD export would give it
    site = {**SITE, "offer_type": "B", "asset_kind": "area_with_buildings", "outline": drawn.wkt,
            "masterplan": "masterplan_ex_fornace.pdf"}
    cat = open_catalogue(catalogue_target)
    res = check_workbook(fill(tmp_path / "b.xlsx", sites=[site]), cat.places())
    assert res.ok, res.report("en")
    receipt = submit(cat, res)
    sid = receipt.site_ids[0]
    publish(cat, "staff", sid, actor="staff:anna")
    rec = open_catalogue(catalogue_target).site(sid)  # public: it is published
    outline = rec["outline"]
    assert outline is not None and not outline.has_z
    assert outline.geom_type == "Polygon" and outline.exterior.is_ccw and len(outline.interiors) == 1
    assert shapely.equals(outline, shapely.force_2d(drawn))  # the same area, normalised
    assert rec["offer_type"] == "B"
    found = search(SearchIndex.from_sites(open_catalogue(catalogue_target).sites(statuses=None)),
                   Query(near="Cremona", radius_km=5), places=cat.places())
    assert sid in set(found.sites["site_id"])
    hist = open_catalogue(catalogue_target).history(sid)
    assert "outline" in set(hist["field"])
