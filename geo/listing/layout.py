"""Where things are in the template (one place, read by the writer and the reader)."""

from __future__ import annotations

from geo.schema import Field, owner_fields

SHEET_INSTRUCTIONS = "Istruzioni - Instructions"
SHEET_OWNER = "Proprietario - Owner"
SHEET_SITES = "Siti - Sites"
SHEET_LISTS = "Elenchi - Lists"

# Sites sheet: row 1 machine keys, row 2 Italian label (unit), row 3 English label (unit),
# row 4 an example (ignored by the checker), data from row 5.
ROW_KEYS, ROW_IT, ROW_EN, ROW_EXAMPLE, FIRST_DATA_ROW = 1, 2, 3, 4, 5
EXAMPLE_MARK = "ESEMPIO / EXAMPLE"

# Owner sheet: column A key, B Italian label, C English label, D value; fields from row 2.
OWNER_VALUE_COL = 4

#: A type-B outline as the reader (geo.schema.coerce.parse_geometry) takes it: a polygon in WGS84 (EPSG:4326),
#: longitude before latitude, the ring closed; the template's help and the owner page quote these.
OUTLINE_EXAMPLE_WKT = "POLYGON((10.0210 45.1328, 10.0242 45.1328, 10.0242 45.1344, 10.0210 45.1344, 10.0210 45.1328))"
OUTLINE_EXAMPLE_GEOJSON = ('{"type": "Polygon", "coordinates": [[[10.0210, 45.1328], [10.0242, 45.1328], '
                           '[10.0242, 45.1344], [10.0210, 45.1344], [10.0210, 45.1328]]]}')
#: What one Excel cell holds at most (an outline longer than this cannot be typed into the template).
MAX_CELL_CHARS = 32767

MAX_BYTES = 10 * 1024 * 1024
MAX_UNCOMPRESSED = 100 * 1024 * 1024
MAX_SITES = 500


def site_fields() -> list[Field]:
    return owner_fields("sites")


def owner_sheet_fields() -> list[Field]:
    return owner_fields("owner")


EXAMPLE = {
    "offer_type": "A", "asset_kind": "area_with_buildings", "origin": "disused",
    "title_it": "Ex stabilimento tessile", "title_en": "Former textile plant",
    "description_it": "Area produttiva dismessa con capannoni.", "description_en": "Disused industrial site with sheds.",
    "municipality_istat": "019036", "address": "Via dell'Esempio 1, Cremona", "lat": 45.1336, "lon": 10.0226,
    "cadastral_refs": "12/345", "land_area_m2": 25000, "covered_area_m2": 9000, "floor_area_m2": 9500,
    "zoning": "Ambito produttivo D1", "permitted_uses": "industrial;logistics", "condition": "to_renovate",
    "occupancy": "vacant", "years_unused": 6, "contamination": "none_known", "transaction": "sale",
    "price_eur": 1500000, "available_from": "01/03/2026", "power_kw": 800, "rail_siding": False,
}
