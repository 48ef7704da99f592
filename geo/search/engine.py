"""Run a search: filters, visibility, brief verdicts, ranking."""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.places import MunicipalityIndex
from geo.search.brief import Brief
from geo.search.index import SearchIndex
from geo.search.query import Query, filter_mask
from geo.search.verdicts import NAMES, evaluate, reasons

VERDICT_ORDER = {"PASS": 0, "CONDITIONAL": 1, "UNKNOWN": 2, "FAIL": 3, None: 4}


@dataclass
class SearchResult:
    index: SearchIndex
    brief: Brief
    rows: np.ndarray          # positions in index.sites, ranked
    table: pd.DataFrame       # verdict, score, c0..cN, aligned with rows

    @property
    def sites(self) -> gpd.GeoDataFrame:
        """The matching sites, ranked, with ``verdict`` and ``score`` columns."""
        out = self.index.sites.iloc[self.rows].copy()
        out["verdict"] = self.table["verdict"].to_numpy()
        out["score"] = self.table["score"].to_numpy()
        return out

    def __len__(self) -> int:
        return len(self.rows)

    def codes(self) -> np.ndarray:
        cols = [c for c in self.table.columns if c.startswith("c") and c[1:].isdigit()]
        return self.table[cols].to_numpy() if cols else np.zeros((len(self.rows), 0), dtype=int)

    def explain(self, site_id: str, lang: str = "en") -> list[tuple[str, str, str]]:
        """``[(criterion label, verdict, reason), ...]`` for one site of the result."""
        pos = np.flatnonzero(self.index.sites["site_id"].to_numpy()[self.rows] == site_id)
        if len(pos) == 0:
            return []
        i = int(pos[0])
        codes = self.codes()
        texts = reasons(self.index, self.brief, [int(self.rows[i])], codes[i:i + 1], lang)[0]
        return [(c.label(lang), str(NAMES[codes[i, j]]), texts[j]) for j, c in enumerate(self.brief.criteria)]


def search(index: SearchIndex, query: Query | None = None, brief: Brief | None = None, *, staff: bool = False,
           places: MunicipalityIndex | None = None, hide_failed: bool = False) -> SearchResult:
    """Filter, judge against the brief and rank.

    Only ``published`` listings are visible unless ``staff`` is true: the rule
    lives here, so no page or command can forget it.

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
    rows = np.flatnonzero(filter_mask(index, query, staff=staff, places=places))
    table = evaluate(index, brief, rows)
    if brief.criteria:
        if hide_failed:
            keep = table["verdict"].to_numpy() != "FAIL"
            rows, table = rows[keep], table[keep].reset_index(drop=True)
        order = np.lexsort((-table["score"].to_numpy(), table["verdict"].map(VERDICT_ORDER).to_numpy()))
        rows, table = rows[order], table.iloc[order].reset_index(drop=True)
    return SearchResult(index=index, brief=brief, rows=rows, table=table)
