"""Benchmark: latency of a combined search query at 1k, 10k and 100k sites.

The query: attribute filters + a 40 km radius around a municipality + a brief
of 6 criteria (hard and soft). Compared, in the same run, with a naive
implementation of the same query (geopandas reprojection and distance per
query, a per-row Python loop for the brief), reported as a ratio.

    .venv/bin/python benchmarks/bench_search.py [--repeat 30] [--sizes 1000 10000 100000]
"""

from __future__ import annotations

import argparse
import statistics
import time

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.catalogue.frames import normalise_sites
from geo.layers.admin import municipalities
from geo.places import MunicipalityIndex
from geo.search import Brief, Criterion, Query, SearchIndex, search
from geo.search.index import USES


def synthetic_sites(n: int, seed: int = 1) -> gpd.GeoDataFrame:
    rng = np.random.default_rng(seed)
    lon = rng.uniform(8.6, 11.3, n)
    lat = rng.uniform(44.8, 46.3, n)
    land = np.exp(rng.normal(np.log(20000), 1.0, n))
    def maybe(a, p=0.25):
        a = np.asarray(a, dtype=object)
        a[rng.random(n) < p] = None
        return a
    df = pd.DataFrame({
        "site_id": [f"B{i:06d}" for i in range(n)], "status": rng.choice(["published", "submitted"], n, p=[.85, .15]),
        "lat": lat, "lon": lon, "land_area_m2": land, "covered_area_m2": maybe(land * rng.uniform(0, .7, n)),
        "asset_kind": rng.choice(["area", "building", "area_with_buildings"], n),
        "origin": rng.choice(["greenfield", "brownfield", "disused"], n),
        "permitted_uses": [";".join(rng.choice(USES, rng.integers(1, 4), replace=False)) for _ in range(n)],
        "transaction": rng.choice(["sale", "lease", "sale_or_lease"], n),
        "price_eur": maybe(land * rng.uniform(40, 250, n)), "power_kw": maybe(np.exp(rng.normal(7.3, 1, n))),
        "available_from": pd.to_datetime("2026-01-01") + pd.to_timedelta(rng.integers(0, 700, n), "D"),
        "dist_motorway_junction_km": maybe(rng.gamma(2, 4, n)), "dist_airport_km": rng.gamma(3, 8, n),
        "in_zls": rng.random(n) < .1, "rail_siding": maybe(rng.random(n) < .2), "fibre": maybe(rng.random(n) < .5),
        "contamination": rng.choice(["none_known", "suspected", "remediated"], n), "province": "MI",
        "title_it": "x",
    })
    df["available_from"] = df["available_from"].dt.strftime("%Y-%m-%d")
    return normalise_sites(gpd.GeoDataFrame(df, geometry=gpd.points_from_xy(lon, lat), crs=4326))


QUERY = Query(min_land_m2=5000, asset_kinds=["area", "area_with_buildings"], uses=["industrial", "logistics"],
              near="Brescia", radius_km=40)
BRIEF = Brief(criteria=[
    Criterion("land_area_min", 10000), Criterion("power_min", 2000), Criterion("motorway_junction_km", 10),
    Criterion("available_by", "2026-12-31", hard=False), Criterion("price_m2_max", 150, hard=False),
    Criterion("fibre", True, hard=False)])


def naive(sites: gpd.GeoDataFrame, places: MunicipalityIndex) -> int:
    """The same query written the obvious way: reproject per query, loop per row."""
    c = places.find(QUERY.near)["geometry"].centroid
    m = sites[(sites["status"] == "published") & (sites["land_area_m2"] >= 5000)
              & sites["asset_kind"].isin(QUERY.asset_kinds)]
    m = m[m["permitted_uses"].fillna("").map(lambda s: bool(set(s.split(";")) & {"industrial", "logistics"}))]
    m = m[m.to_crs(32632).distance(c) <= 40000]
    out = []
    for _, r in m.iterrows():
        verdicts = []
        for crit in BRIEF.criteria:
            col = {"land_area_min": "land_area_m2", "power_min": "power_kw",
                   "motorway_junction_km": "dist_motorway_junction_km"}.get(crit.key)
            if col:
                v = r[col]
                verdicts.append("UNKNOWN" if pd.isna(v) else ("PASS" if (v >= crit.value if crit.op == "min"
                                                                         else v <= crit.value) else "FAIL"))
            elif crit.key == "available_by":
                verdicts.append("PASS" if r["available_from"] <= crit.value else "FAIL")
            elif crit.key == "price_m2_max":
                v = r["price_eur"] / r["land_area_m2"] if pd.notna(r["price_eur"]) else None
                verdicts.append("UNKNOWN" if v is None else ("PASS" if v <= 150 else "FAIL"))
            else:
                verdicts.append("UNKNOWN" if pd.isna(r["fibre"]) else ("PASS" if r["fibre"] else "FAIL"))
        out.append(verdicts)
    return len(out)


def timeit(fn, repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return times


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000])
    ap.add_argument("--repeat", type=int, default=30)
    args = ap.parse_args()
    places = MunicipalityIndex(municipalities())
    places.find("Brescia")  # warm the name table
    print(f"{'sites':>8} {'build idx ms':>12} {'median ms':>10} {'p95 ms':>8} {'naive median ms':>16} {'ratio':>7} "
          f"{'results':>8}")
    for n in args.sizes:
        sites = synthetic_sites(n)
        t = time.perf_counter()
        idx = SearchIndex.from_sites(sites)
        build = (time.perf_counter() - t) * 1000
        res = search(idx, QUERY, BRIEF, places=places)
        fast = timeit(lambda: search(idx, QUERY, BRIEF, places=places), args.repeat)
        slow = timeit(lambda: naive(sites, places), max(3, args.repeat // 10))
        assert naive(sites, places) == len(res), "naive and indexed queries disagree"
        med, p95 = statistics.median(fast), float(np.percentile(fast, 95))
        nmed = statistics.median(slow)
        print(f"{n:>8} {build:>12.0f} {med:>10.2f} {p95:>8.2f} {nmed:>16.1f} {nmed / med:>7.1f} {len(res):>8}")


if __name__ == "__main__":
    main()
