"""The listing as investors will see it, before submission: same record shape as the catalogue."""

from __future__ import annotations

from typing import Any


from geo.catalogue.compute import compute_site_fields
from geo.catalogue.frames import records_to_frame, row_to_record
from geo.listing.check import CheckResult
from geo.schema import FIELD, prov_column


def preview_records(result: CheckResult, cat) -> list[dict[str, Any]]:
    """Each checked site as a record: declared values + computed fields, ready for geo.render."""
    out = []
    recs = []
    # The owner sheet's public fields (owner type) belong to every site, as submission stores them.
    owner_public = {k: v for k, v in result.owner.items() if k in FIELD and FIELD[k].public and v is not None}
    for s in result.sites:
        rec = {**owner_public, **{k: v for k, v in s.record.items() if k in FIELD and k != "outline"}}
        for k in list(rec):
            rec[prov_column(k)] = "declared"
        rec.update({"site_id": f"PREVIEW-{s.row}", "status": "draft", "is_demo": False})
        if rec.get("lat") is None and s.record.get("outline") is not None:
            p = s.record["outline"].representative_point()
            rec["lon"], rec["lat"] = p.x, p.y
        recs.append(rec)
    usable = [r for r in recs if r.get("lat") is not None and r.get("lon") is not None]
    if usable:
        frame = records_to_frame(usable)
        comp = compute_site_fields(frame, cat.layer("municipalities"), cat.layer("zls_municipalities"),
                                   cat.layer("infrastructure"), cat.layer("zis_areas"), cat.layer("zls_perimeter"))
        for c in comp.columns:
            frame[c] = comp[c].values
        by_id = {row["site_id"]: row_to_record(row) for _, row in frame.iterrows()}
    else:
        by_id = {}
    for s, rec in zip(result.sites, recs):
        full = by_id.get(rec["site_id"], rec)
        full["outline"] = s.record.get("outline")
        full["_row"] = s.row
        full["_completeness"] = s.completeness
        full["_missing"] = s.missing
        full["_english_incomplete"] = [k for k in ("title_en", "description_en")
                                       if not full.get(k) and full.get(k.replace("_en", "_it"))]
        out.append(full)
    return out
