"""Completeness of a listing, weighted by what investors filter on (``Field.weight``)."""

from __future__ import annotations

from typing import Any

from geo.schema import FIELDS
from geo.schema.coerce import is_blank


def completeness(record: dict[str, Any]) -> tuple[float, list[str]]:
    """``(score in 0-1, keys of missing fields by decreasing weight)`` over owner site fields."""
    fields = [f for f in FIELDS if f.source == "owner" and f.sheet == "sites" and f.weight > 0]
    total = sum(f.weight for f in fields)
    missing = [f for f in fields if is_blank(record.get(f.key))]
    if record.get("offer_type") != "B":
        missing = [f for f in missing if f.key not in ("masterplan",)]
    if record.get("lat") is not None:
        missing = [f for f in missing if f.key != "outline"] if record.get("offer_type") != "B" else missing
    got = total - sum(f.weight for f in missing)
    return round(got / total, 3), [f.key for f in sorted(missing, key=lambda f: -f.weight)]
