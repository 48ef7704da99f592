"""The listing as investors will see it, before submission: the record submission would store.

The preview is a read-only dry run of :func:`geo.catalogue.records.prepare` on the catalogue's
cached reference layers, over the records :func:`geo.listing.submission.submit` writes.
"""

from __future__ import annotations

from typing import Any

from geo.catalogue.records import prepare
from geo.listing.check import CheckResult
from geo.schema import FIELD, prov_column

#: The site id a previewed listing shows until submission gives it its own.
PREVIEW_PREFIX = "PREVIEW-"


def declared_records(result: CheckResult) -> list[dict[str, Any]]:
    """Each checked site as submission writes it: the owner's fields and the site's, all ``declared``.

    The outline is kept (a geometry stored beside the record, without a provenance).
    """
    recs = []
    for s in result.sites:
        rec: dict[str, Any] = {}
        for k, v in {**result.owner, **s.record}.items():
            if k not in FIELD:
                continue
            rec[k] = v
            if k != "outline":  # the outline is a geometry, not a column with a provenance
                rec[prov_column(k)] = "declared"
        recs.append(rec)
    return recs


def preview_records(result: CheckResult, cat) -> list[dict[str, Any]]:
    """Each checked site as a record: declared values + computed fields, ready for the site panel.

    Besides the record's columns: ``_row`` (the workbook row), ``_completeness``, ``_missing`` and
    ``_english_incomplete`` (the English texts investors will see in Italian).
    """
    recs = [{**rec, "site_id": f"{PREVIEW_PREFIX}{s.row}", "status": "draft", "is_demo": False}
            for s, rec in zip(result.sites, declared_records(result))]
    out = []
    for s, full in zip(result.sites, prepare(recs, cat.reference())):
        full.setdefault("outline", None)
        full["_row"] = s.row
        full["_completeness"] = s.completeness
        full["_missing"] = s.missing
        full["_english_incomplete"] = [k for k in ("title_en", "description_en")
                                       if not full.get(k) and full.get(k.replace("_en", "_it"))]
        out.append(full)
    return out
