"""Benchmark: truck drive times on a synthetic regional road graph, against networkx on the same graph.

A square grid of roads over a Lombardy-sized box (``--grid`` N gives N rows and N columns of roads, each a
line of N vertices: about 3.2 N² directed edges with the one-way streets, 1.0 million at the default N = 560), with motorways every 25th
road, primaries every 5th, secondaries, tertiaries and one-way residential streets between; destinations
like the region's (170 motorway exits, 550 stations, 20 terminals, 2 ports) and ``--sites`` sites, at
random (seeded). Measured in one run:

* import: noding the lines into the graph (``geo.routing.graph.node_lines``), and its round trip through the
  two stored tables (``graph_tables`` -> ``graph_from_tables``);
* per kind: the multi-source Dijkstra (``destination_field``) and the query of every site;
* an isochrone (10/20/30 minutes) from the box's centre, reach and zones;
* memory: peak RSS of the process and the graph's arrays;
* networkx on the same edges: building the DiGraph and one multi-source Dijkstra of the motorway exits
  (``nx.multi_source_dijkstra_path_length`` on the reversed graph), and the ratio of the times.

    .venv/bin/python benchmarks/bench_drive.py [--grid 500] [--sites 100000] [--no-networkx]
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

BOX = (460_000.0, 4_950_000.0, 700_000.0, 5_180_000.0)  # Lombardy's extent in EPSG:32632, roughly
KINDS = {"motorway": 170, "rail_station": 550, "rail_terminal": 20, "port": 2}


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def grid_lines(n: int):
    """Flat vertex arrays of a grid of ``n`` horizontal and ``n`` vertical roads."""
    xs = np.linspace(BOX[0], BOX[2], n)
    ys = np.linspace(BOX[1], BOX[3], n)
    rows = [np.column_stack([xs, np.full(n, y)]) for y in ys]
    cols = [np.column_stack([np.full(n, x), ys]) for x in xs]
    coords = np.concatenate(rows + cols)
    line = np.repeat(np.arange(2 * n), n)

    def cls(i: int) -> str:
        if i % 25 == 0:
            return "motorway"
        if i % 5 == 0:
            return "primary"
        return ("secondary", "tertiary", "residential", "residential")[i % 4]

    classes = [cls(i) for i in range(n)] * 2
    oneway = np.array([(1 if i % 2 else -1) if c == "residential" else 0 for i, c in enumerate(classes)])
    return coords, line, classes, np.full(2 * n, np.nan), oneway


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--grid", type=int, default=560)
    ap.add_argument("--sites", type=int, default=100_000)
    ap.add_argument("--no-networkx", action="store_true")
    ap.add_argument("--seed", type=int, default=20)
    a = ap.parse_args(argv)

    from geo.routing.drive import graph_from_tables, graph_tables
    from geo.routing.graph import node_lines
    from geo.routing.isochrones import zones, cached_reach
    from geo.routing.paths import destination_field
    from geo.routing.speeds import Profile

    rng = np.random.default_rng(a.seed)
    p = Profile()
    coords, line, classes, maxspeed, oneway = grid_lines(a.grid)
    t0 = time.perf_counter()
    g = node_lines(coords, line, classes, maxspeed, oneway, p)
    t_build = time.perf_counter() - t0
    t0 = time.perf_counter()
    nodes, edges = graph_tables(g)
    g = graph_from_tables(nodes, edges)
    g.matrix(reverse=True)
    t_tables = time.perf_counter() - t0
    graph_mb = sum(arr.nbytes for arr in (g.x, g.y, g.access, g.u, g.v, g.minutes, g.length_m, g.road_class)) / 1e6
    print(f"graph: {g.n_nodes:,} nodes, {g.n_edges:,} directed edges ({graph_mb:.0f} MB of arrays)")
    print(f"import: noding {t_build:.2f} s; tables round trip + CSR {t_tables:.2f} s")

    def rand(k: int) -> np.ndarray:
        return np.column_stack([rng.uniform(BOX[0], BOX[2], k), rng.uniform(BOX[1], BOX[3], k)])

    sites = rand(a.sites)
    from geo.routing.paths import attach

    t0 = time.perf_counter()
    tied = attach(g, sites)
    print(f"sites tied to their nearest node (once for every kind): {time.perf_counter() - t0:.3f} s")
    print(f"{'kind':<14}{'dests':>6}{'dijkstra s':>12}{'(CPU s)':>9}{'query s':>10}{'median min':>12}")
    exit_xy = None
    t_ours_motorway = None
    for kind, m in KINDS.items():
        d = rand(m)
        t0, c0 = time.perf_counter(), time.process_time()
        f = destination_field(g, p, d)
        t1, c1 = time.perf_counter(), time.process_time()
        res = f.query(sites, tied)
        t2 = time.perf_counter()
        print(f"{kind:<14}{m:>6}{t1 - t0:>12.3f}{c1 - c0:>9.3f}{t2 - t1:>10.3f}{np.nanmedian(res.minutes):>12.1f}")
        if kind == "motorway":
            exit_xy, t_ours_motorway, c_ours, ours = d, t1 - t0, c1 - c0, f
    centre = ((BOX[0] + BOX[2]) / 2, (BOX[1] + BOX[3]) / 2)
    t0 = time.perf_counter()
    z = zones(cached_reach(g, p, centre, 30.0))
    t_iso = time.perf_counter() - t0
    print(f"isochrone 10/20/30 min from the centre: {t_iso:.3f} s ({z[30].area / 1e6:,.0f} km² within 30 min)")
    print(f"peak RSS: {peak_mb():,.0f} MB")
    if a.no_networkx:
        return 0
    import networkx as nx

    t0 = time.perf_counter()
    G = nx.DiGraph()
    # reversed edges, the fastest of parallel ones (as the CSR keeps), plus the exits' virtual legs
    mat = g.matrix(reverse=True).tocoo()
    G.add_weighted_edges_from(zip(mat.row.tolist(), mat.col.tolist(), mat.data.tolist()))
    from geo.routing.paths import MAX_SNAP_M, _attach

    dd, dn = _attach(g, exit_xy)
    n = g.n_nodes
    G.add_weighted_edges_from((n + i, int(j), float(p.leg_min(w)))
                              for i, (w, j) in enumerate(zip(dd[:, 0], dn[:, 0])) if w <= MAX_SNAP_M)
    t_nx_build = time.perf_counter() - t0
    t0, c0 = time.perf_counter(), time.process_time()
    dist = nx.multi_source_dijkstra_path_length(G, {s for s in range(n, n + len(exit_xy)) if s in G})
    t_nx, c_nx = time.perf_counter() - t0, time.process_time() - c0
    check = np.array([dist.get(i, np.inf) for i in range(n)])
    agree = np.allclose(np.where(np.isfinite(check), check, -1), np.where(np.isfinite(ours.node_min), ours.node_min,
                                                                         -1), atol=1e-6)
    print(f"networkx: DiGraph build {t_nx_build:.2f} s; multi-source Dijkstra (motorway exits) {t_nx:.2f} s; "
          f"same minutes: {agree}")
    print(f"ratio networkx / scipy csgraph (one kind's Dijkstra): {t_nx / t_ours_motorway:.1f}x wall, "
          f"{c_nx / max(c_ours, 1e-9):.1f}x CPU")
    print(f"peak RSS with networkx: {peak_mb():,.0f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
