"""Formatting the find page's results table: 10,240 rows (the demo's 320 sites x 32), both languages.

Usage: PYTHONPATH=. .venv/bin/python benchmarks/bench_results_table.py CATALOGUE.gpkg
"""
import sys
import time

import pandas as pd

from geo.catalogue import open_catalogue
from geo.search import SearchIndex, search, make_query
from geo.search.params import parse_link
from geo.web.results_view import results_table, format_numbers
from geo.i18n import translator
cat = open_catalogue(sys.argv[1])  # a demo catalogue (320 sites)
idx = SearchIndex.from_sites(cat.sites(statuses=None))
b = parse_link({"b": '{"criteria":[{"key":"motorway_junction_km","value":10.5},{"key":"power_min","value":3000,"hard":false}]}'}).brief
sites = search(idx, make_query({}), b, role="staff").sites
big = pd.concat([sites] * 32, ignore_index=True)  # 10,240 rows
for lang in ("it", "en"):
    ts = []
    for _ in range(5):
        t = time.perf_counter()
        results_table(big, lang, has_brief=True, show_status=True)
        ts.append(time.perf_counter() - t)
    print(lang, len(big), "rows: results_table median %.0f ms" % (1000 * sorted(ts)[2]))
vals = big["dist_motorway_junction_km"].tolist()
t = time.perf_counter()
format_numbers(vals, "it", 1, "km")
a = time.perf_counter() - t
_ = translator("it")
t = time.perf_counter()
[_.unit(v, "length-kilometer", 1) for v in vals if v == v]
c = time.perf_counter() - t
print("one column, 10,240 values: format_numbers %.1f ms, Babel per cell %.0f ms" % (1000 * a, 1000 * c))
