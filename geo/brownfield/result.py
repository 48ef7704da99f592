"""The shared end of every detection run (per-date or composites) and what it returns.

:func:`finish` takes the ranked candidates of either path and adds land use, labels, the budget,
the analysed area and the run record; :class:`RunResult` is what it returns. Both paths import it
from here (``geo.brownfield.run`` and ``geo.brownfield.regional``), so neither imports the other back.
"""

from __future__ import annotations

import datetime as dt
import platform
import sys
import time
import uuid
from dataclasses import dataclass

import geopandas as gpd
import pandas as pd
from shapely.geometry import box

from geo import __version__
from geo.brownfield.detect import MATCH_TOLERANCE_M, in_budget_tolerance, rank, scorer_for
from geo.brownfield.quality import run_warnings
from geo.brownfield.rules import RuleParams
from geo.brownfield.sources import Grid


@dataclass
class RunResult:
    run_id: str
    candidates: gpd.GeoDataFrame
    record: dict
    #: The grid's footprint within the area of interest (EPSG:32632): what the budget is a share of.
    analysed_area: gpd.GeoDataFrame
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


def finish(cands: gpd.GeoDataFrame, naive: gpd.GeoDataFrame | None, grid: Grid, *, method: str,
           params: RuleParams, aoi, landuse, listed, register, budget: float, dates: list[dt.date],
           levels: list[str], inputs: list[str], extra: dict, timings: dict, t0: float) -> RunResult:
    """Shared end of every run (per-date or composites): land use, labels, budget, analysed area, record."""
    if landuse is not None and len(cands):
        cands = rank(restrict_to_landuse(cands, landuse))
    cands["label"] = label_candidates(cands, listed, register)
    cands["first_seen"] = dates[-1].isoformat()  # publication carries earlier sightings over
    run_id = f"RUN-{dt.datetime.now(dt.timezone.utc):%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:6]}"
    cands.insert(0, "run_id", run_id)
    analysed_area = gpd.GeoDataFrame({"run_id": [run_id]}, geometry=[box(*grid.bounds)], crs=grid.crs)
    if aoi is not None:
        analysed_area["geometry"] = [analysed_area.geometry.iloc[0].intersection(
            aoi.to_crs(grid.crs).geometry.union_all())]
    analysed_area_m2 = float(analysed_area.geometry.area.sum())
    # The short list: the top candidates whose area grown by the matching tolerance fits the budget (issue 19).
    cands["in_budget"] = in_budget_tolerance(cands.geometry.to_numpy(), analysed_area.geometry.iloc[0], budget,
                                             MATCH_TOLERANCE_M) if len(cands) else []
    t2 = time.perf_counter()
    record = {
        "run_id": run_id, "created_at": dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat(),
        "method": method, "scorer": scorer_for(method).name,
        "dates": [d.isoformat() for d in dates], "levels": list(levels), "inputs": list(inputs), **extra,
        "parameters": params.to_dict(), "grid": {"crs": grid.crs, "width": grid.width, "height": grid.height,
                                                   "transform": list(grid.transform)[:6]},
        "budget": budget, "budget_rule": {"tolerance_m": MATCH_TOLERANCE_M}, "n_in_budget": int(cands["in_budget"].sum()) if len(cands) else 0,
        # platform.platform() would start a process (uname -p) the first time: system, release and machine do not.
        "software": {"geo": __version__, "python": sys.version.split()[0],
                     "platform": f"{platform.system()}-{platform.release()}-{platform.machine()}"},
        "timings_s": {**timings, "total": round(t2 - t0, 2)},
        "n_candidates": int(len(cands)),
        "warnings": [w.to_dict() for w in run_warnings(
            dates, list(levels),
            float(cands.geometry.area.sum()) if len(cands) else 0.0, analysed_area_m2)],
    }
    return RunResult(run_id, cands, record, analysed_area, naive)
