"""A process that performs one kind of catalogue action in a loop, to be killed at a random moment.

``python -m tests.catalogue.worker ACTION TARGET ARG`` prints ``ready`` once set up, then one line per
committed action (``done N``) until killed. ``ACTION`` is ``submit`` (ARG: a valid workbook),
``import`` (ARG: a folder with ``a.geojson`` and ``b.geojson`` ZIS files, imported alternately) or
``publish`` (a synthetic brownfield run published again and again); ``increment`` (ARG: N) instead adds one to a
``counter`` table N times by read-modify-write, prints ``done N`` and exits (writers that lose updates unless
serialised).

Also holds :func:`state`, a canonical dump of a catalogue's tables used to compare states across backends.
"""

from __future__ import annotations

import hashlib
import sys
import uuid
from pathlib import Path

import geopandas as gpd
import pandas as pd
from shapely.geometry import box


def state(target: str, skip: tuple[str, ...] = ("catalogue_meta",)) -> dict[str, str]:
    """``{table: digest}`` of every table's rows (order-independent; geometries as WKB hex)."""
    from geo.catalogue.stores import connect

    db = connect(target)
    out = {}
    for name in db.tables():
        if name in skip:
            continue
        df = db.read(name)
        if isinstance(df, gpd.GeoDataFrame):
            df = pd.DataFrame(df.drop(columns=df.geometry.name)).assign(_g=df.geometry.to_wkb(hex=True))
        rows = sorted(repr([None if (v is None or (isinstance(v, float) and v != v)) else v for v in r])
                      for r in df.astype(object).itertuples(index=False))
        out[name] = hashlib.sha256(("|".join(df.columns) + "\n" + "\n".join(rows)).encode()).hexdigest()
    return out


def synthetic_run(i: int):
    """A small brownfield run result (two candidates near Milan), different at every call."""
    from geo.brownfield.run import RunResult

    run_id = f"run-{i:04d}-{uuid.uuid4().hex[:6]}"
    cands = gpd.GeoDataFrame({"candidate_id": [f"{run_id}-1", f"{run_id}-2"], "run_id": run_id,
                              "score": [0.9, 0.5], "label": "new", "size_class": "assessable"},
                             geometry=[box(9.18, 45.46, 9.181, 45.461), box(9.2, 45.47, 9.2015, 45.4712)],
                             crs=4326).to_crs(32632)
    extent = gpd.GeoDataFrame({"run_id": [run_id]}, geometry=[box(9.1, 45.4, 9.3, 45.5)], crs=4326).to_crs(32632)
    record = {"run_id": run_id, "created_at": f"2026-01-01T00:00:{i % 60:02d}+00:00", "method": "test",
              "dates": ["2019-06-01", "2024-06-01"], "n_candidates": 2}
    return RunResult(run_id, cands, record, extent)


def increment(target: str, times: int) -> None:
    """Read-modify-write of a counter: loses updates unless writers are serialised."""
    import time

    from geo.catalogue.stores import connect

    db = connect(target)
    for _ in range(times):
        with db.transaction() as tx:
            n = int(tx.read("counter")["n"].iloc[0])
            time.sleep(0.001)  # widen the window a lost update needs
            tx.delete("counter")
            tx.insert("counter", pd.DataFrame({"n": [n + 1]}))


def main(action: str, target: str, arg: str) -> None:
    if action == "increment":
        increment(target, int(arg))
        print(f"done {arg}", flush=True)
        return
    from geo.catalogue import open_catalogue

    cat = open_catalogue(target)
    i = 0
    if action == "submit":
        from geo.listing.check import check_workbook
        from geo.listing.submission import submit

        res = check_workbook(Path(arg), cat.places())
        assert res.ok, res.report("en")
        print("ready", flush=True)
        while True:
            i += 1
            res.sites[0].record["land_area_m2"] = 20000.0 + uuid.uuid4().int % 10**9 / 1000  # never the same site twice
            res.file_sha256 = f"worker-{uuid.uuid4().hex}"
            submit(cat, res, actor="worker")
            print(f"done {i}", flush=True)
    elif action == "import":
        from geo.cli import main as geo

        print("ready", flush=True)
        while True:
            i += 1
            f = Path(arg) / ("a.geojson" if i % 2 else "b.geojson")
            assert geo(["--catalogue", target, "import", "zis", str(f)]) == 0
            print(f"done {i}", flush=True)
    elif action == "publish":
        from geo.brownfield.run import publish

        print("ready", flush=True)
        while True:
            i += 1
            publish(synthetic_run(i), target)
            print(f"done {i}", flush=True)
    raise SystemExit(f"unknown action {action}")


if __name__ == "__main__":
    main(*sys.argv[1:4])
