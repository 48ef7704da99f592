"""Benchmark: latency of a combined search query at 1k, 10k and 100k sites.

The query: attribute filters + a 40 km radius around a municipality + a brief
of 6 criteria (hard and soft). Compared, in the same run, with a naive
implementation of the same query (geopandas reprojection and distance per
query, a per-row Python loop for the brief), reported as a ratio.

Then, on the same rows at the largest size and the same query without the brief,
``search()`` against the floor (a plain NumPy mask over ready arrays) and a
PostGIS server (GiST index on the points, ``ST_DWithin``; B-tree on land area):
the server is started like the test fixture (``tests/pg.py``, Debian's
PostgreSQL 15 + PostGIS 3) or given by ``--postgis URL``; ``--no-postgis`` skips it.

    .venv/bin/python benchmarks/bench_search.py [--repeat 30] [--sizes 1000 10000 100000] [--postgis URL]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests.pg, when run as a script

from geo.catalogue.frames import normalise_sites  # noqa: E402
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


def numpy_mask(sites: gpd.GeoDataFrame, places: MunicipalityIndex):
    """The floor: the same query (no brief) as one NumPy expression over arrays prepared in advance."""
    from geo.search.index import USE_BIT, uses_mask

    pts = sites.geometry.to_crs(32632)
    x, y = pts.x.to_numpy(), pts.y.to_numpy()
    land = sites["land_area_m2"].to_numpy(float)
    published = (sites["status"] == "published").to_numpy()
    kind = sites["asset_kind"].isin(QUERY.asset_kinds).to_numpy()  # the categorical test, precomputed
    uses = uses_mask(sites["permitted_uses"])
    bits = USE_BIT["industrial"] | USE_BIT["logistics"]
    c = places.find(QUERY.near)["geometry"].centroid
    r2 = (QUERY.radius_km * 1000.0) ** 2

    def run() -> np.ndarray:
        return np.flatnonzero(published & (land >= QUERY.min_land_m2) & kind & ((uses & bits) != 0)
                              & ((x - c.x) ** 2 + (y - c.y) ** 2 <= r2))
    return run


def postgis_query(sites: gpd.GeoDataFrame, places: MunicipalityIndex, url: str):
    """Load the rows into PostGIS (GiST on the points) and return a function running the same query."""
    import io

    import psycopg

    from geo.search.index import USE_BIT, uses_mask

    pts = sites.geometry.to_crs(32632)
    con = psycopg.connect(url, autocommit=True)
    con.execute("CREATE EXTENSION IF NOT EXISTS postgis")
    con.execute("DROP TABLE IF EXISTS bench_sites")
    con.execute("CREATE TABLE bench_sites (site_id text, status text, land_area_m2 double precision, "
                "asset_kind text, uses integer, x double precision, y double precision, geom geometry(Point, 32632))")
    buf = io.StringIO()
    frame = pd.DataFrame({"site_id": sites["site_id"], "status": sites["status"],
                          "land": sites["land_area_m2"].astype(float), "kind": sites["asset_kind"].astype(str),
                          "uses": uses_mask(sites["permitted_uses"]), "x": pts.x, "y": pts.y})
    frame.to_csv(buf, index=False, header=False, na_rep="")
    buf.seek(0)
    with con.cursor().copy("COPY bench_sites (site_id, status, land_area_m2, asset_kind, uses, x, y) "
                           "FROM STDIN WITH (FORMAT csv)") as cp:
        cp.write(buf.read())
    con.execute("UPDATE bench_sites SET geom = ST_SetSRID(ST_MakePoint(x, y), 32632)")
    con.execute("CREATE INDEX ON bench_sites USING gist (geom)")
    con.execute("CREATE INDEX ON bench_sites (land_area_m2)")
    con.execute("ANALYZE bench_sites")
    c = places.find(QUERY.near)["geometry"].centroid
    bits = USE_BIT["industrial"] | USE_BIT["logistics"]
    sql = ("SELECT site_id FROM bench_sites WHERE status = 'published' AND land_area_m2 >= %s "
           "AND asset_kind = ANY(%s) AND (uses & %s) <> 0 "
           "AND ST_DWithin(geom, ST_SetSRID(ST_MakePoint(%s, %s), 32632), %s)")
    params = (QUERY.min_land_m2, list(QUERY.asset_kinds), bits, c.x, c.y, QUERY.radius_km * 1000.0)
    cur = con.cursor()

    def run() -> list:  # psycopg prepares the statement on the server after a few runs
        cur.execute(sql, params, prepare=True)
        return cur.fetchall()
    return run, con


def compare(sites: gpd.GeoDataFrame, places: MunicipalityIndex, repeat: int, postgis: str | None,
            start_postgis: bool) -> None:
    """search() vs the NumPy floor vs PostGIS, same rows, same query (no brief), one run."""
    idx = SearchIndex.from_sites(sites)
    no_brief = search(idx, QUERY, places=places)
    floor = numpy_mask(sites, places)
    assert len(floor()) == len(no_brief), "NumPy mask and search() disagree"
    rows = [("search(), no brief", timeit(lambda: search(idx, QUERY, places=places), repeat)),
            ("search(), 6-criterion brief", timeit(lambda: search(idx, QUERY, BRIEF, places=places), repeat)),
            ("NumPy mask (floor), no brief", timeit(floor, repeat))]
    cluster = None
    if postgis is None and start_postgis:
        try:
            from tests.pg import start_cluster

            cluster = start_cluster()
            postgis = cluster.new_database("bench")
        except Exception as exc:  # not installed: say so, do not fail the other figures
            print(f"PostGIS skipped: {str(exc).splitlines()[0]}")
    if postgis:
        run, con = postgis_query(sites, places, postgis)
        assert len(run()) == len(no_brief), "PostGIS and search() disagree"
        rows.append(("PostGIS GiST, no brief", timeit(run, repeat)))
        con.close()
    if cluster is not None:
        cluster.stop()
    print(f"\nsame {len(sites)} rows, same query ({len(no_brief)} results without the brief):")
    print(f"{'':32} {'median ms':>10} {'p95 ms':>8}")
    for name, ts in rows:
        print(f"{name:32} {statistics.median(ts):>10.2f} {float(np.percentile(ts, 95)):>8.2f}")
    print("targets: search() median <= 2 ms without a brief, <= 5 ms with the 6-criterion brief, "
          ">= 3x faster than PostGIS")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000])
    ap.add_argument("--repeat", type=int, default=30)
    ap.add_argument("--postgis", metavar="URL", help="a PostGIS database to use (else one is started, if installed)")
    ap.add_argument("--no-postgis", action="store_true", help="skip the PostGIS comparison")
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
    compare(sites, places, args.repeat, args.postgis, not args.no_postgis)


if __name__ == "__main__":
    main()
