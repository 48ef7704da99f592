"""A detection run: scenes in, candidates + run record out, optionally published atomically."""

from __future__ import annotations

import datetime as dt
import json
import platform
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd
from shapely.geometry import box

from geo import __version__
from geo.brownfield.detect import detect_rasters, in_budget, naive_polygons, polygons, rank, scorer_for
from geo.brownfield.quality import run_warnings
from geo.brownfield.rules import RuleParams
from geo.brownfield.sources import Grid, Scene, SceneReader, grid_for
from geo.errors import InputFileError
from geo.i18n import N_
from geo.atomic_files import atomic_gpkg


#: The share of the analysed area the ranked short list covers by default.
DEFAULT_BUDGET = 0.05


@dataclass
class RunResult:
    run_id: str
    candidates: gpd.GeoDataFrame
    record: dict
    extent: gpd.GeoDataFrame
    #: The naive object ranking of the same run (components of BSI > 0 on every date), for evaluation.
    naive: gpd.GeoDataFrame | None = None


def label_candidates(cands: gpd.GeoDataFrame, listed: gpd.GeoDataFrame | None = None,
                     register: gpd.GeoDataFrame | None = None, tolerance_m: float = 50.0) -> pd.Series:
    """``already listed`` (a catalogue site within tolerance), ``in register``, or ``new``."""
    label = pd.Series("new", index=cands.index, dtype=object)
    for frame, name in ((register, "in register"), (listed, "already listed")):
        if frame is None or len(frame) == 0 or len(cands) == 0:
            continue
        f = frame.to_crs(cands.crs)
        hit = gpd.sjoin(gpd.GeoDataFrame(geometry=cands.geometry.buffer(tolerance_m), crs=cands.crs),
                        f[["geometry"]], how="inner", predicate="intersects")
        label[label.index.isin(hit.index.unique())] = name
    return label


def restrict_to_landuse(cands: gpd.GeoDataFrame, landuse: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Keep candidates that overlap productive land-use polygons by at least 30% of their area."""
    lu = landuse.to_crs(cands.crs)
    union = lu.geometry.union_all()
    share = cands.geometry.intersection(union).area / cands.geometry.area
    return cands[share >= 0.3].reset_index(drop=True)


def detect(scenes: list[Scene], *, method: str = "rules", params: RuleParams = RuleParams(),
           aoi: gpd.GeoDataFrame | None = None, landuse: gpd.GeoDataFrame | None = None,
           listed: gpd.GeoDataFrame | None = None, register: gpd.GeoDataFrame | None = None,
           progress=None, block: int = 1024, budget: float = DEFAULT_BUDGET) -> RunResult:
    """Run detection on two or more scenes (any order; sorted by date).

    ``budget``: the share of the analysed area the ranked short list may cover;
    candidates beyond it are kept with ``in_budget = False`` (hidden by default).
    """
    if len(scenes) < 2 and method != "baseline":
        raise InputFileError(N_("At least two dates (a time series) are needed."))
    scenes = sorted(scenes, key=lambda s: s.date)
    t0 = time.perf_counter()
    aoi_bounds = tuple(aoi.to_crs(32632).total_bounds) if aoi is not None else None
    grid = grid_for(scenes, aoi_bounds)
    import rasterio

    # GDAL's default block cache is 5% of RAM; windows are read once, so a small cache loses nothing.
    with rasterio.Env(GDAL_CACHEMAX=256):
        readers = [SceneReader(s, grid) for s in scenes]
        try:
            mask, feats = detect_rasters(readers, grid, method, params, progress=progress, block=block)
        finally:
            for r in readers:
                r.close()
    t1 = time.perf_counter()
    cands = polygons(mask, feats, grid, params, scorer_for(method))
    naive = naive_polygons(feats, grid, params)
    del mask, feats
    t2 = time.perf_counter()
    return finish(cands, naive, grid, method=method, params=params, aoi=aoi, landuse=landuse, listed=listed,
                  register=register, budget=budget, dates=[s.date for s in scenes], levels=[s.level for s in scenes],
                  inputs=[s.source for s in scenes],
                  extra={"scene_bands": [{k: [v.href, v.index, v.scale, v.offset_dn] for k, v in s.bands.items()}
                                         for s in scenes]},
                  timings={"pixels": round(t1 - t0, 2), "polygons": round(t2 - t1, 2)}, t0=t0)


def finish(cands: gpd.GeoDataFrame, naive: gpd.GeoDataFrame | None, grid: Grid, *, method: str,
           params: RuleParams, aoi, landuse, listed, register, budget: float, dates: list[dt.date],
           levels: list[str], inputs: list[str], extra: dict, timings: dict, t0: float) -> RunResult:
    """Shared end of every run (per-date or composites): land use, labels, budget, extent and record."""
    if landuse is not None and len(cands):
        cands = rank(restrict_to_landuse(cands, landuse))
    cands["label"] = label_candidates(cands, listed, register)
    cands["first_seen"] = dates[-1].isoformat()  # publication carries earlier sightings over
    run_id = f"RUN-{dt.datetime.now(dt.timezone.utc):%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:6]}"
    cands.insert(0, "run_id", run_id)
    extent = gpd.GeoDataFrame({"run_id": [run_id]}, geometry=[box(*grid.bounds)], crs=grid.crs)
    if aoi is not None:
        extent["geometry"] = [extent.geometry.iloc[0].intersection(aoi.to_crs(grid.crs).geometry.union_all())]
    analysed = float(extent.geometry.area.sum())
    cands["in_budget"] = in_budget(cands["area_m2"].to_numpy(dtype=float), analysed, budget) if len(cands) else []
    t2 = time.perf_counter()
    record = {
        "run_id": run_id, "created_at": dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat(),
        "method": method, "scorer": scorer_for(method).name,
        "dates": [d.isoformat() for d in dates], "levels": list(levels), "inputs": list(inputs), **extra,
        "parameters": params.to_dict(), "grid": {"crs": grid.crs, "width": grid.width, "height": grid.height,
                                                   "transform": list(grid.transform)[:6]},
        "budget": budget, "n_in_budget": int(cands["in_budget"].sum()) if len(cands) else 0,
        "software": {"geo": __version__, "python": sys.version.split()[0], "platform": platform.platform()},
        "timings_s": {**timings, "total": round(t2 - t0, 2)},
        "n_candidates": int(len(cands)),
        "warnings": [w.to_dict() for w in run_warnings(
            dates, list(levels),
            float(cands.geometry.area.sum()) if len(cands) else 0.0, analysed)],
    }
    return RunResult(run_id, cands, record, extent, naive)


def runs_table(record: dict) -> pd.DataFrame:
    return pd.DataFrame([{"run_id": record["run_id"], "created_at": record["created_at"], "method": record["method"],
                          "dates": ",".join(record["dates"]), "n_candidates": record["n_candidates"],
                          "record_json": json.dumps(record)}])


def write_run(result: RunResult, out: str | Path) -> None:
    """Write candidates, extent and run record to a GeoPackage, atomically."""
    from geo.atomic_files import write_layer

    with atomic_gpkg(out, fresh=True) as tmp:
        write_layer(tmp, "brownfield_candidates", result.candidates.to_crs(4326))
        write_layer(tmp, "analysed_area", result.extent.to_crs(4326))
        write_layer(tmp, "brownfield_runs", runs_table(result.record))
        if result.naive is not None and len(result.naive):
            write_layer(tmp, "naive_candidates", result.naive.to_crs(4326))


def publish(result: RunResult, catalogue_path: str | Path) -> None:
    """Replace the catalogue's brownfield layers with this run, keeping earlier runs' records and reviews.

    One transaction: the previous layer (for ``first_seen``) is read inside it, the run record is appended
    as a row, so two publications never drop each other's record.
    """
    from geo.catalogue import open_catalogue

    from geo.brownfield.review import first_seen

    cat = open_catalogue(catalogue_path)
    with cat.unit_of_work(actor="geo brownfield", reason=f"brownfield run {result.run_id}") as uow:
        prev = uow.layer("brownfield_candidates")
        prev_date = None
        if len(prev) and "run_id" in prev:
            runs = uow.table("brownfield_runs", where={"run_id": [prev["run_id"].iloc[0]]})
            rec = runs["record_json"] if len(runs) else []
            prev_date = json.loads(rec.iloc[0])["dates"][-1] if len(rec) else None
        cands = result.candidates.to_crs(4326)
        cands["first_seen"] = first_seen(cands, prev if len(prev) else None, result.record["dates"][-1],
                                         prev_date).to_numpy()
        uow.replace("brownfield_candidates", cands)
        uow.replace("brownfield_extent", result.extent.to_crs(4326))
        uow.insert("brownfield_runs", runs_table(result.record))
