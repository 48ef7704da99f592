"""Regional runs on Dask: composites -> per-chunk candidates (persisted) -> one seamless layer.

The whole pipeline is one Dask graph: odc-stac reads COG windows, each chunk's
per-year composites are reduced (:mod:`geo.brownfield.cube`), the pixel rules
and the morphological clean-up run on each chunk with an 8-pixel halo
(``map_overlap``), and each chunk is polygonised where it was computed. Only
the chunk's polygons with their pixel counts and indicator sums travel back.

* **Resume**: the client writes each finished chunk to ``<work_dir>/chunk-R-C.parquet``
  (atomically) as soon as it arrives; a run started again with the same inputs
  and parameters (``manifest.json``) polygonises only the missing chunks. Composites are not
  persisted: a missing chunk's 8-pixel halo is sliced from its neighbours' composites, so those
  (up to 8 chunks around each missing one) are composited again.
* **Seamless**: components touching a chunk edge are kept whatever their size,
  then joined across edges (8-connected: sharing an edge or a corner) into one
  polygon whose indicators are the pixel-weighted sums of its pieces; the
  minimum mapping unit applies to the joined site. Tiles are mosaicked by the
  loader, so a site across two Sentinel-2 tiles is one polygon too.
* **Where it runs**: a ``dask.distributed`` LocalCluster by default, an existing
  cluster by address (``tcp://HOST:8786``), or ``"sync"``: one process, no cluster
  (the reference the cluster run must equal).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.brownfield.cube import LAYERS, Cube
from geo.brownfield.detect import HALO, clean, encode, min_pixels, naive_objects, objects, sites
from geo.brownfield.rules import FEATURES, RuleParams, pixel_features
from geo.brownfield.scoring import Scorer

CRS = "EPSG:32632"


def detect_block(stack: np.ndarray, min_clear: int, p: RuleParams) -> np.ndarray:
    """Pixel rules on one (haloed) block of composites (pure).

    ``stack``: (year, layer, rows, cols) composites as :func:`geo.brownfield.cube.composite_block` makes them.
    Returns uint8 (1 + features, rows, cols): the cleaned candidate mask, then each feature as 0-250.
    """
    from geo.brownfield.readers import composites_block

    obs = composites_block(stack, min_clear)
    mask, feats = pixel_features(obs.bands, obs.valid, p, activity=obs.activity)
    out = np.empty((1 + len(FEATURES),) + stack.shape[2:], np.uint8)
    out[0] = clean(mask, p)
    for i, k in enumerate(FEATURES, start=1):
        out[i] = encode(feats[k])
    return out


def raster_graph(cube: Cube, p: RuleParams, min_clear: int):
    """Lazy uint8 (1 + features, rows, cols): mask and features for the whole grid, halo handled by Dask."""
    import dask.array as da
    from functools import partial

    data = cube.data.rechunk({0: -1, 1: -1})
    depth = {0: 0, 1: 0, 2: HALO, 3: HALO}
    # No chunk may be thinner than the halo (a last sliver of a few pixels): fold it into its neighbour.
    data = data.rechunk({a: _no_slivers(data.chunks[a], HALO) for a in (2, 3)})
    haloed = da.overlap.overlap(data, depth=depth, boundary="none")
    fn = partial(detect_block, min_clear=min_clear, p=p)
    out = da.map_blocks(fn, haloed, drop_axis=[0], chunks=((1 + len(FEATURES),),) + haloed.chunks[2:],
                        dtype=np.uint8, meta=np.array((), np.uint8))
    out = da.overlap.trim_internal(out, {0: 0, 1: HALO, 2: HALO}, boundary="none")
    assert out.chunks[1:] == data.chunks[2:], (out.chunks, data.chunks)
    return out


def _no_slivers(chunks: tuple[int, ...], halo: int) -> tuple[int, ...]:
    c = list(chunks)
    while len(c) > 1 and c[-1] < halo:
        c[-2] += c.pop()
    return tuple(c)


def polygonise_chunk(block: np.ndarray, transform: tuple, min_px: int) -> pd.DataFrame:
    """One chunk's candidate and naive objects, with pixel counts and feature sums (WKB geometries).

    ``transform``: the chunk's affine as 6 numbers (a plain tuple: Dask would unpack an Affine).
    """
    from affine import Affine

    transform = Affine(*transform[:6])
    feats = {k: block[i] for i, k in enumerate(FEATURES, start=1)}
    rows = [dict(r, kind="candidate") for r in objects(block[0], feats, transform, min_px, keep_edge=True)]
    rows += [dict(r, kind="naive") for r in objects(feats["bare_all"] >= 250, {"bsi_mean": feats["bsi_mean"]},
                                                   transform, min_px, keep_edge=True)]
    cols = ["kind", "n_px", "edge", *[f"sum_{k}" for k in FEATURES], "wkb"]
    if not rows:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in cols})
    df = pd.DataFrame(rows)
    df["wkb"] = shapely.to_wkb(df.pop("geometry").to_numpy())
    for c in cols:
        if c not in df:
            df[c] = 0
    sums = [c for c in cols if c.startswith("sum_")]
    df[sums] = df[sums].fillna(0).astype(np.int64)  # naive objects carry only sum_bsi_mean
    return df[cols]


def merge_chunks(parts: list[pd.DataFrame], kind: str, min_px: int) -> list[dict]:
    """Join the pieces of sites cut by chunk edges (8-connected) and apply the minimum mapping unit."""
    frames = [f[f["kind"] == kind] for f in parts if len(f)]
    if not frames:
        return []
    df = pd.concat(frames, ignore_index=True)
    geoms = shapely.from_wkb(df["wkb"].to_numpy())
    sums = [c for c in df.columns if c.startswith("sum_")]
    parent = np.arange(len(df))

    def find(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    edge = np.flatnonzero(df["edge"].to_numpy(dtype=bool))
    if len(edge):
        tree = shapely.STRtree(geoms[edge])
        a, b = tree.query(geoms[edge], predicate="intersects")  # touching pixels share an edge or a corner
        for i, j in zip(edge[a], edge[b]):
            if i != j:
                ri, rj = find(i), find(j)
                if ri != rj:
                    parent[max(ri, rj)] = min(ri, rj)
    roots = np.array([find(i) for i in range(len(df))])
    rows = []
    for r in np.unique(roots):
        members = np.flatnonzero(roots == r)
        n_px = int(df["n_px"].to_numpy()[members].sum())
        if n_px < min_px:
            continue
        geom = geoms[members[0]] if len(members) == 1 else shapely.union_all(geoms[members])
        rows.append({"geometry": geom, "n_px": n_px,
                     **{c: int(df[c].to_numpy()[members].sum()) for c in sums}})
    return rows


# ------------------------------------------------------------------ running
@dataclass
class ChunkRun:
    """What the chunk loop did: how many chunks, how many were already on disk, seconds."""

    n_chunks: int
    resumed: int
    seconds: float
    scheduler: str
    workers: int
    dashboard: str | None = None


#: Seconds to reach an existing Dask scheduler (``--scheduler tcp://HOST:PORT``) before saying so. A scheduler on
#: the local network answers in milliseconds; Dask's own default (30 s, and its retries) left the user
#: waiting half a minute before a closed port was reported.
SCHEDULER_TIMEOUT_S = 5


def make_client(scheduler: str | None = None, workers: int = 2, memory_limit: str = "2GiB",
                timeout_s: float = SCHEDULER_TIMEOUT_S):
    """A dask.distributed Client: a new LocalCluster (default), an existing scheduler's address, or None for "sync".

    Raises
    ------
    UserError
        When the scheduler at ``scheduler`` cannot be reached within ``timeout_s`` seconds (or the address
        is not one).
    """
    if scheduler == "sync":
        return None
    from dask.distributed import Client, LocalCluster

    if scheduler:
        from geo.errors import UserError
        from geo.i18n import N_

        try:
            return Client(scheduler, timeout=f"{timeout_s}s")
        except ValueError:
            raise UserError(N_("--scheduler {address} is not a Dask scheduler address: give tcp://HOST:PORT, or "
                               "'sync'."), address=scheduler) from None
        except (OSError, TimeoutError) as exc:
            raise UserError(N_("No Dask scheduler answered at {address} within {seconds} s ({error}). Start it (dask "
                               "scheduler), check the address and port, or leave out --scheduler to use a local "
                               "cluster."), address=scheduler, seconds=lambda _: _.number(timeout_s, 1),
                            error=type(exc).__name__) from None
    cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, memory_limit=memory_limit,
                           dashboard_address=":0")
    return Client(cluster)


def _manifest_key(cube: Cube, p: RuleParams, min_clear: int, chunks) -> str:
    doc = {"items": sorted(cube.items), "years": cube.years, "params": p.to_dict(), "min_clear": min_clear,
           "grid": [list(cube.transform)[:6], cube.width, cube.height], "chunks": [list(c) for c in chunks],
           "layers": list(LAYERS), "features": list(FEATURES)}
    return hashlib.sha256(json.dumps(doc, sort_keys=True, default=str).encode()).hexdigest()


def _write_part(path: Path, df: pd.DataFrame) -> None:
    tmp = path.with_suffix(".tmp")
    df.to_parquet(tmp, index=False)
    with open(tmp, "rb") as fh:
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def run_chunks(cube: Cube, p: RuleParams, work_dir: str | Path, *, min_clear: int, client=None,
               progress: Callable[[int, int], None] | None = None, log=None) -> tuple[list[pd.DataFrame], ChunkRun]:
    """Compute every chunk not yet on disk, persisting each as it finishes; return all chunks' parts."""
    import dask
    from affine import Affine

    t0 = time.perf_counter()
    rasters = raster_graph(cube, p, min_clear)
    chunks = rasters.chunks[1:]
    work = Path(work_dir)
    key = _manifest_key(cube, p, min_clear, chunks)
    manifest = work / "manifest.json"
    if work.exists() and (not manifest.exists() or json.loads(manifest.read_text()).get("key") != key):
        shutil.rmtree(work)  # another run's chunks: never mix them with this one
    work.mkdir(parents=True, exist_ok=True)
    if not manifest.exists():
        manifest.write_text(json.dumps({"key": key, "chunks": [list(c) for c in chunks]}))
    offs = [np.concatenate([[0], np.cumsum(c)[:-1]]).astype(int) for c in chunks]
    min_px = min_pixels(cube.transform, p)
    blocks = rasters.to_delayed()[0]
    todo, parts = {}, {}
    for i in range(len(chunks[0])):
        for j in range(len(chunks[1])):
            path = work / f"chunk-{i:04d}-{j:04d}.parquet"
            if path.exists():
                parts[(i, j)] = pd.read_parquet(path)
                continue
            t = cube.transform @ Affine.translation(int(offs[1][j]), int(offs[0][i]))
            todo[(i, j)] = dask.delayed(polygonise_chunk)(blocks[i, j], tuple(t)[:6], min_px)
    n, resumed = len(chunks[0]) * len(chunks[1]), len(parts)
    if progress:
        progress(resumed, n)
    if client is None:
        # One graph (chunks share their neighbours' composites), each chunk persisted as its task ends.
        from dask.callbacks import Callback

        names = {d.key: k for k, d in todo.items()}

        def posttask(key, result, dsk, state, worker_id):
            if key in names:
                parts[names[key]] = result
                _write_part(work / f"chunk-{names[key][0]:04d}-{names[key][1]:04d}.parquet", result)
                if progress:
                    progress(len(parts), n)

        with Callback(posttask=posttask):
            dask.compute(*todo.values(), scheduler="synchronous")
        sched, nworkers, dash = "sync", 1, None
    else:
        from dask.distributed import as_completed

        futures = client.compute(list(todo.values()))
        where = {f.key: k for f, k in zip(futures, todo)}
        for fut in as_completed(futures):
            i, j = where[fut.key]
            parts[(i, j)] = df = fut.result()
            _write_part(work / f"chunk-{i:04d}-{j:04d}.parquet", df)
            fut.release()
            if progress:
                progress(len(parts), n)
        sched = client.scheduler.address
        nworkers = len(client.scheduler_info().get("workers", {}))
        dash = client.dashboard_link
    return [parts[k] for k in sorted(parts)], ChunkRun(n, resumed, round(time.perf_counter() - t0, 2), sched,
                                                       nworkers, dash)


def layer_from_parts(parts: list[pd.DataFrame], cube: Cube, p: RuleParams, scorer: Scorer | None = None
                     ) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """The seamless candidate layer and the naive objects (EPSG:32632) from the chunks' parts."""
    min_px = min_pixels(cube.transform, p)
    cands = sites(merge_chunks(parts, "candidate", min_px), CRS, p, scorer)
    naive = naive_objects(merge_chunks(parts, "naive", min_px), CRS)
    return cands, naive


def detect_regional(items: list, years: list[int], *, aoi: gpd.GeoDataFrame | None = None,
                    params: RuleParams = RuleParams(), landuse=None, listed=None, register=None,
                    budget: float = 0.05, chunk: int = 1024, min_clear: int = 3, client=None,
                    work_dir: str | Path, progress=None):
    """A whole regional run on composites of ``years`` (oldest first): a :class:`~geo.brownfield.result.RunResult`.

    The chunks stay in ``work_dir`` (the caller removes them once the run is written), so that a
    run killed before its output exists resumes from them.

    Examples
    --------
    >>> from geo.brownfield.cube import read_items
    >>> items = read_items("catalog.json", max_cloud=60)                         # doctest: +SKIP
    >>> res = detect_regional(items, [2019, 2024], work_dir="run.gpkg.parts",   # doctest: +SKIP
    ...                       client=make_client(workers=2))
    """
    from geo.brownfield.cube import load_cube
    from geo.brownfield.result import finish
    from geo.brownfield.scoring import RuleScorer

    t0 = time.perf_counter()
    years = sorted(years)
    bbox = tuple(aoi.to_crs(4326).total_bounds) if aoi is not None else None
    cube = load_cube(items, years, bbox_4326=bbox, chunk=chunk, min_clear=min_clear)
    parts, cr = run_chunks(cube, params, work_dir, min_clear=min_clear, client=client, progress=progress)
    t1 = time.perf_counter()
    cands, naive = layer_from_parts(parts, cube, params, RuleScorer())
    t2 = time.perf_counter()
    from geo.brownfield.sources import Grid

    grid = Grid(cube.transform, cube.width, cube.height)
    all_dates = [d for y in years for d in cube.dates[y]]
    res = finish(cands, naive, grid, method="rules", params=params, aoi=aoi, landuse=landuse, listed=listed,
                 register=register, budget=budget, dates=all_dates, levels=cube.levels, inputs=cube.items,
                 extra={"composites": {"years": years, "season_months": "04-10", "min_clear": min_clear,
                                       "dates": {str(y): [d.isoformat() for d in cube.dates[y]] for y in years}},
                        "execution": {"chunks": cr.n_chunks, "resumed_chunks": cr.resumed, "chunk_px": chunk,
                                      "scheduler": cr.scheduler, "workers": cr.workers}},
                 timings={"chunks": cr.seconds, "pixels": round(t1 - t0, 2), "polygons": round(t2 - t1, 2)},
                 t0=t0)
    return res


def default_work_dir(out: str | Path) -> Path:
    out = Path(out)
    return out.with_name(out.name + ".parts")


def log_line(text: str) -> None:
    print(text, file=sys.stderr)
