"""Run a search: filters, visibility, brief verdicts, ranking."""

from __future__ import annotations

from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.catalogue.access import Role
from geo.places import MunicipalityIndex
from geo.search.brief import Brief
from geo.search.index import SearchIndex
from geo.search.query import Query, Where, filter_mask, resolve
from geo.search.verdict import Verdict
from geo.search.verdict_rules import NAMES, judge, reasons

#: Listing order of overall verdict codes (index: code; -1, no brief, is the last slot).
RANK = np.array([v.rank for v in Verdict] + [len(Verdict)])


@dataclass
class SearchResult:
    """What a search found, and the query's spatial part as it resolved it (read it, do not resolve again)."""

    index: SearchIndex
    brief: Brief
    rows: np.ndarray          # positions in index.sites, ranked
    criterion_codes: np.ndarray  # [n, k] verdict codes per criterion, aligned with rows
    overall: np.ndarray       # [n] overall verdict codes (-1: no brief)
    score: np.ndarray         # [n]
    where: Where = field(default_factory=Where)  # centre, circle, place and area, resolved once

    @property
    def place(self) -> dict | None:
        """The municipality a ``near`` search settled on (``istat``, ``name``, ``province``), or None."""
        return self.where.place

    @property
    def circle(self) -> tuple[float, float, float] | None:
        """``(lat, lon, radius_km)`` of the radius search, or None."""
        return self.where.circle

    @property
    def area(self):
        """The drawn polygon and/or bbox searched inside (prepared WGS84 geometry), or None."""
        return self.where.area

    @property
    def verdicts(self) -> np.ndarray:
        """Overall verdict names (None without a brief), aligned with rows."""
        if not self.brief.criteria:
            return np.full(len(self.rows), None, dtype=object)
        return NAMES[self.overall].astype(object)

    @property
    def table(self) -> pd.DataFrame:
        """verdict, score, c0..cN, aligned with rows."""
        df = pd.DataFrame({"verdict": self.verdicts, "score": self.score})
        for j in range(self.criterion_codes.shape[1]):
            df[f"c{j}"] = self.criterion_codes[:, j]
        return df

    @property
    def sites(self) -> gpd.GeoDataFrame:
        """The matching sites, ranked, with ``verdict`` and ``score`` columns."""
        out = self.index.sites.iloc[self.rows].copy()
        out["verdict"] = self.verdicts
        out["score"] = self.score
        return out

    def __len__(self) -> int:
        return len(self.rows)

    def codes(self) -> np.ndarray:
        return self.criterion_codes

    def explain(self, site_id: str, lang: str = "en") -> list[tuple[str, str, str]]:
        """``[(criterion label, verdict, reason), ...]`` for one site of the result."""
        pos = np.flatnonzero(self.index.sites["site_id"].to_numpy()[self.rows] == site_id)
        if len(pos) == 0:
            return []
        i = int(pos[0])
        codes = self.criterion_codes
        texts = reasons(self.index, self.brief, [int(self.rows[i])], codes[i:i + 1], lang)[0]
        return [(c.label(lang), str(NAMES[codes[i, j]]), texts[j]) for j, c in enumerate(self.brief.criteria)]


def search(index: SearchIndex, query: Query | None = None, brief: Brief | None = None, *, role: Role | str = "public",
           places: MunicipalityIndex | None = None, hide_failed: bool = False) -> SearchResult:
    """Filter, judge against the brief and rank.

    Only ``published`` listings are visible unless ``role`` may read the others
    (:func:`geo.catalogue.access.can`, ``"read_unpublished"``): the rule is applied
    here, so no page or command can forget it.

    Examples
    --------
    >>> idx = SearchIndex.from_sites(cat.sites(statuses=None))                 # doctest: +SKIP
    >>> q = Query(near="Cremona", radius_km=25, zls=True, uses=["logistics"])   # doctest: +SKIP
    >>> b = Brief(criteria=[Criterion("power_min", 5000)])                      # doctest: +SKIP
    >>> res = search(idx, q, b, places=cat.places())                            # doctest: +SKIP
    >>> res.explain(res.sites.site_id.iloc[0])                                  # doctest: +SKIP
    """
    query = query or Query()
    brief = brief or Brief()
    where = resolve(query, places)
    rows = np.flatnonzero(filter_mask(index, query, role=role, places=places, where=where))
    codes, overall, score = judge(index, brief, rows)
    if brief.criteria:
        if hide_failed:
            keep = overall != int(Verdict.FAIL)
            rows, codes, overall, score = rows[keep], codes[keep], overall[keep], score[keep]
        order = np.lexsort((-score, RANK[overall]))
        rows, codes, overall, score = rows[order], codes[order], overall[order], score[order]
    return SearchResult(index=index, brief=brief, rows=rows, criterion_codes=codes, overall=overall, score=score,
                        where=where)
