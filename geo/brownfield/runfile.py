"""The run file: one detection run in a GeoPackage, written and read here (one module, both ways).

Layers: ``brownfield_candidates`` (the ranked layer), ``analysed_area`` (the grid's footprint within
the area of interest: what the area budget and the evaluation divide by), ``brownfield_runs`` (one row,
the run record as JSON) and, when the run found any, ``naive_candidates`` (the naive object ranking).
All in EPSG:4326.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd

from geo.errors import InputFileError
from geo.i18n import N_

CANDIDATES = "brownfield_candidates"
ANALYSED_AREA = "analysed_area"
RUNS = "brownfield_runs"
NAIVE = "naive_candidates"


@dataclass
class RunFile:
    """What a run file holds (frames in EPSG:4326; ``naive`` None when the file has none)."""

    candidates: gpd.GeoDataFrame
    analysed_area: gpd.GeoDataFrame | None
    record: dict | None
    naive: gpd.GeoDataFrame | None


def runs_table(record: dict) -> pd.DataFrame:
    """The one-row table of a run record (the run file's and the catalogue's ``brownfield_runs``)."""
    return pd.DataFrame([{"run_id": record["run_id"], "created_at": record["created_at"], "method": record["method"],
                          "dates": ",".join(record["dates"]), "n_candidates": record["n_candidates"],
                          "record_json": json.dumps(record)}])


def write_run(result, out: str | Path) -> None:
    """Write a :class:`~geo.brownfield.result.RunResult` (candidates, analysed area, record, naive objects) to
    a GeoPackage, atomically: the file is whole or not there."""
    from geo.atomic_files import atomic_gpkg, write_layer

    with atomic_gpkg(out, fresh=True) as tmp:
        write_layer(tmp, CANDIDATES, result.candidates.to_crs(4326))
        write_layer(tmp, ANALYSED_AREA, result.analysed_area.to_crs(4326))
        write_layer(tmp, RUNS, runs_table(result.record))
        if result.naive is not None and len(result.naive):
            write_layer(tmp, NAIVE, result.naive.to_crs(4326))


def read_run(path: str | Path) -> RunFile:
    """Read a run file written by :func:`write_run` (or any GeoPackage with a ``brownfield_candidates`` layer).

    Raises
    ------
    InputFileError
        The file is unreadable or has no candidate layer.
    """
    import pyogrio

    try:
        layers = set(pyogrio.list_layers(path)[:, 0])
    except Exception as exc:
        raise InputFileError(N_("{path}: unreadable file ({error})"), path=str(path), error=str(exc)) from None
    if CANDIDATES not in layers:
        raise InputFileError(N_("{path} has no {layer} layer: it is not a brownfield run file."), path=str(path),
                             layer=CANDIDATES)
    analysed_area = gpd.read_file(path, layer=ANALYSED_AREA) if ANALYSED_AREA in layers else None
    record = None
    if RUNS in layers:
        runs = pyogrio.read_dataframe(path, layer=RUNS, read_geometry=False)
        record = json.loads(runs["record_json"].iloc[0]) if len(runs) and "record_json" in runs else None
    naive = gpd.read_file(path, layer=NAIVE) if NAIVE in layers else None
    return RunFile(gpd.read_file(path, layer=CANDIDATES), analysed_area, record, naive)


__all__ = ["RunFile", "write_run", "read_run", "runs_table"]
