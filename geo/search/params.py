"""Filters and brief in the URL: two compact JSON query parameters, exact round trip."""

from __future__ import annotations

import json

from geo.errors import UserError
from geo.i18n import N_
from geo.search.brief import Brief
from geo.search.query import Query


def to_query_params(query: Query, brief: Brief | None = None) -> dict[str, str]:
    out: dict[str, str] = {}
    q = query.to_dict()
    if q:
        out["q"] = json.dumps(q, separators=(",", ":"), sort_keys=True, ensure_ascii=False)
    if brief is not None and brief.criteria:
        out["b"] = brief.to_json()
    return out


def from_query_params(params: dict[str, str]) -> tuple[Query, Brief]:
    try:
        q = Query.from_dict(json.loads(params["q"])) if params.get("q") else Query()
    except (ValueError, TypeError) as exc:
        raise UserError(N_("Unreadable filters in the link: {error}"), error=str(exc)) from None
    b = Brief.from_json(params["b"]) if params.get("b") else Brief()
    return q, b
