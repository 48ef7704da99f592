"""Workbooks filled programmatically from the generated template."""

from __future__ import annotations

import io
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable

import openpyxl
import pytest

from geo.listing import layout as L
from geo.listing.template import write_template

OWNER = {"owner_type": "company", "owner_name": "Officine Prova S.r.l.", "contact_email": "uffici@prova.it",
         "contact_name": "Anna Rossi", "contact_phone": "+39 0372 123456", "applicant_role": "owner"}
SITE = {
    "offer_type": "A", "asset_kind": "area_with_buildings", "origin": "disused",
    "title_it": "Ex fornace di Cremona", "title_en": "Former kiln in Cremona",
    "description_it": "Area produttiva dismessa.", "description_en": "Disused industrial area.",
    "municipality_istat": "019036", "address": "Via Prova 1", "lat": "45,1336", "lon": "10,0226",
    "land_area_m2": "25.000", "covered_area_m2": "9.000", "zoning": "D1 produttivo",
    "permitted_uses": "industrial; logistics", "condition": "to_renovate", "occupancy": "vacant",
    "years_unused": 6, "contamination": "none_known", "transaction": "sale", "price_eur": "1.500.000",
    "available_from": "01/03/2026", "power_kw": 800, "rail_siding": "No",
}


@lru_cache(maxsize=None)
def _template(lang: str) -> bytes:
    """The real template of ``lang``, written once per test process (every filled workbook starts from it)."""
    with tempfile.TemporaryDirectory() as where:
        return write_template(Path(where) / f"template.{lang}.xlsx", lang).read_bytes()


def fill(path: Path, sites: list[dict[str, Any]] | None = None, owner: dict[str, Any] | None = None,
         mutate: Callable[[openpyxl.Workbook], None] | None = None, lang: str = "it") -> Path:
    """The template of ``lang`` filled with ``owner`` and ``sites`` (raw values, as an owner types them)."""
    wb = openpyxl.load_workbook(io.BytesIO(_template(lang)))
    own = wb[L.SHEET_OWNER]
    for r in range(2, own.max_row + 1):
        k = own.cell(r, 1).value
        if k in (owner if owner is not None else OWNER):
            own.cell(r, L.OWNER_VALUE_COL, (owner if owner is not None else OWNER)[k])
    ws = wb[L.SHEET_SITES]
    keys = [c.value for c in ws[L.ROW_KEYS]]
    for i, site in enumerate(sites if sites is not None else [SITE]):
        for k, v in site.items():
            if k in keys:
                ws.cell(L.FIRST_DATA_ROW + i, keys.index(k) + 1, v)
    if mutate:
        mutate(wb)
    path.parent.mkdir(parents=True, exist_ok=True)  # a case name may hold a "/" ("#DIV/0!")
    wb.save(path)
    return path


@pytest.fixture()
def filled(tmp_path) -> Callable[..., Path]:
    return lambda name="w.xlsx", **kw: fill(tmp_path / name, **kw)
