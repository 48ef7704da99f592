"""Search: attribute and spatial filters, investor briefs with verdicts and reasons.

>>> from geo.search import SearchIndex, Query, Brief, Criterion, search   # doctest: +SKIP
"""

from geo.search.brief import CRITERIA, Brief, Criterion
from geo.search.engine import SearchResult, search
from geo.search.index import SearchIndex
from geo.search.params import URL_VERSION, LinkState, from_query_params, parse_link, to_query_params
from geo.search.query import DEFAULT_RADIUS_KM, DISTANCE_COLUMNS, Query, make_query
from geo.search.verdict import Verdict

__all__ = ["CRITERIA", "Brief", "Criterion", "SearchResult", "search", "SearchIndex", "from_query_params",
           "to_query_params", "parse_link", "LinkState", "URL_VERSION", "DISTANCE_COLUMNS", "DEFAULT_RADIUS_KM", "Query", "make_query", "Verdict"]
