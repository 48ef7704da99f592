"""A detection run, orchestrated in one place: a :class:`RunRequest` in, a :class:`RunResult` out.

:func:`execute` validates the request, chooses the path (scenes per date, or growing-season composites
from STAC on Dask), opens the catalogue once (listed sites, analysts' decisions, publication), starts and
stops the Dask client, applies the learned scorer, writes the run file (:mod:`geo.brownfield.runfile`),
removes the composites' finished chunks and publishes. ``geo brownfield detect`` only parses its arguments
into a request and prints the result.

:func:`detect` and :func:`detect_from` are the per-date path on scenes or on any
:class:`~geo.brownfield.readers.Reader`; :func:`finish` is the end shared with the regional path.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd

from geo.brownfield.detect import detect_rasters, naive_polygons, polygons, scorer_for
from geo.brownfield.rules import RuleParams
from geo.brownfield.readers import Reader, ScenesReader
from geo.brownfield.result import RunResult, finish
from geo.brownfield.runfile import runs_table, write_run
from geo.brownfield.sources import Scene, grid_for
from geo.errors import InputFileError, UserError
from geo.i18n import N_


#: The share of the analysed area the ranked short list covers by default.
DEFAULT_BUDGET = 0.05


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
        reader = ScenesReader(scenes, grid)
        try:
            return detect_from(reader, method=method, params=params, aoi=aoi, landuse=landuse, listed=listed,
                               register=register, progress=progress, block=block, budget=budget,
                               levels=[s.level for s in scenes], inputs=[s.source for s in scenes],
                               extra={"scene_bands": [{k: [v.href, v.index, v.scale, v.offset_dn]
                                                       for k, v in s.bands.items()} for s in scenes]}, t0=t0)
        finally:
            reader.close()


def detect_from(reader: Reader, *, method: str = "rules", params: RuleParams = RuleParams(),
                aoi: gpd.GeoDataFrame | None = None, landuse: gpd.GeoDataFrame | None = None,
                listed: gpd.GeoDataFrame | None = None, register: gpd.GeoDataFrame | None = None,
                progress=None, block: int = 1024, budget: float = DEFAULT_BUDGET, levels: list[str] | None = None,
                inputs: list[str] | None = None, extra: dict | None = None, t0: float | None = None) -> RunResult:
    """The per-date detection on whatever ``reader`` holds (files, a cube, arrays in memory).

    ``levels`` and ``inputs`` describe the reader's observations in the run record (default: "L2A" and
    the reader's class name).
    """
    t0 = time.perf_counter() if t0 is None else t0
    dates = list(reader.dates)
    mask, feats = detect_rasters(reader, method, params, progress=progress, block=block)
    t1 = time.perf_counter()
    cands = polygons(mask, feats, reader.grid, params, scorer_for(method))
    naive = naive_polygons(feats, reader.grid, params)
    del mask, feats
    t2 = time.perf_counter()
    return finish(cands, naive, reader.grid, method=method, params=params, aoi=aoi, landuse=landuse, listed=listed,
                  register=register, budget=budget, dates=dates, levels=levels or ["L2A"] * len(dates),
                  inputs=inputs or [type(reader).__name__] * len(dates), extra=extra or {},
                  timings={"pixels": round(t1 - t0, 2), "polygons": round(t2 - t1, 2)}, t0=t0)


def publish(result: RunResult, catalogue) -> None:
    """Replace the catalogue's brownfield layers with this run, keeping earlier runs' records and reviews.

    One transaction: the previous layer (for ``first_seen``) is read inside it, the run record is appended
    as a row, so two publications never drop each other's record. ``catalogue``: an open catalogue or its
    location (a GeoPackage path or a ``postgresql://`` URL).
    """
    from geo.brownfield.review import first_seen

    cat = _catalogue(catalogue)
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
        uow.replace("brownfield_extent", result.analysed_area.to_crs(4326))  # the table keeps its name
        uow.insert("brownfield_runs", runs_table(result.record))


def _catalogue(catalogue):
    if hasattr(catalogue, "unit_of_work"):
        return catalogue
    from geo.catalogue import open_catalogue

    return open_catalogue(catalogue)


# ------------------------------------------------------------------ orchestration
@dataclass
class RunRequest:
    """Everything a run needs, as ``geo brownfield detect`` takes it (paths, not frames).

    ``scenes``: (date, path) per date, for the per-date path on files; ``stac``: a static catalogue or an
    API URL (composites, or per date with ``per_date``). ``aoi``, ``landuse`` and ``register`` are file paths.
    """

    out: str | Path
    catalogue_path: str | Path | None = None
    scenes: list[tuple[str, str]] = field(default_factory=list)
    band_order: list[str] | None = None
    level: str | None = None
    stac: str | None = None
    aoi: str | Path | None = None
    start: dt.date | None = None
    end: dt.date | None = None
    max_cloud: float = 20.0
    years: list[int] | None = None
    per_date: bool = False
    min_clear: int = 3
    scheduler: str | None = None
    workers: int = 2
    memory_limit: str = "2GiB"
    chunk: int = 1024
    work_dir: str | Path | None = None
    landuse: str | Path | None = None
    register: str | Path | None = None
    method: str = "rules"
    budget: float = DEFAULT_BUDGET
    publish: bool = False
    learned: bool = False
    min_decisions: int = 20

    @property
    def composites(self) -> bool:
        """Growing-season composites from STAC (the default with ``stac``), not single acquisitions."""
        return bool(self.stac) and not self.per_date

    @property
    def remote(self) -> bool:
        return bool(self.stac) and str(self.stac).startswith("http")


#: Items an API search returns at most on the per-date path (composites take every item found).
PER_DATE_API_ITEMS = 50


def validate(req: RunRequest) -> None:
    """Refuse a request that cannot run, before anything is read (pure).

    Raises
    ------
    UserError
        Saying which option to change.
    """
    if not 0 < req.budget <= 1:
        budget = req.budget
        raise UserError(N_("--budget is a share of the analysed area between 0 and 1, got {budget}"),
                        budget=lambda _: _.number(budget, 6))
    if req.composites and req.scenes:
        raise UserError(N_("--scene and --stac (composites) do not combine: use --per-date to compare the dates."))
    if req.remote and (req.aoi is None or req.start is None or req.end is None):
        raise UserError(N_("--stac URL needs --aoi, --from and --to"))
    if req.composites and (req.chunk < 16 or req.workers < 1 or req.min_clear < 1):
        raise UserError(N_("--chunk must be at least 16 px, --workers and --min-clear at least 1 (got {chunk}, "
                           "{workers}, {min_clear})."), chunk=req.chunk, workers=req.workers,
                        min_clear=req.min_clear)


def read_frame(path) -> gpd.GeoDataFrame:
    """A vector file as a GeoDataFrame; an InputFileError naming it when it cannot be read."""
    try:
        return gpd.read_file(path)
    except Exception as exc:
        raise InputFileError(N_("{path}: unreadable file ({error})"), path=str(path), error=str(exc)) from None


def read_aoi(path) -> gpd.GeoDataFrame:
    """The area of interest at ``path``, checked (in Lombardy, not larger than it)."""
    from geo.brownfield.aoi import check_aoi

    aoi = read_frame(path)
    check_aoi(aoi, Path(path).name)
    return aoi


def composite_years(items: list, years: list[int] | None) -> list[int]:
    """The years compared: those asked, or the first and last with growing-season acquisitions."""
    from geo.brownfield.cube import growing_season

    if years:
        years = sorted(int(y) for y in years)
    else:
        found = sorted(y for y, its in growing_season(items, range(1984, 2100)).items() if its)
        years = [found[0], found[-1]] if found else []
    if len(years) < 2 or years[0] == years[-1]:
        raise UserError(N_("Growing-season acquisitions of at least two different years are needed (found: "
                           "{years})."), years=", ".join(map(str, years)) or "—")
    return years


def execute(req: RunRequest, *, progress=None, notify=None) -> RunResult:
    """Run a detection from start to publication.

    Parameters
    ----------
    req
        The request (see :class:`RunRequest`); checked by :func:`validate` first.
    progress
        ``progress(done, total)`` per block (per date) or chunk (composites).
    notify
        ``notify(event, **values)``: ``"dask"`` with ``address`` and ``dashboard`` once the client is up.

    Returns
    -------
    RunResult
        Written to ``req.out`` and, with ``req.publish``, published; with ``req.learned`` its record's
        ``scorer_info`` says which scorer ranked it.
    """
    from geo.brownfield.sources import scene_from_path
    from geo.brownfield.stac import read_items, scenes_from_items
    from geo.catalogue.ownership import refuse_catalogue_as_output

    validate(req)
    scenes = [scene_from_path(path, date, level=req.level, band_order=req.band_order) for date, path in req.scenes]
    aoi = read_aoi(req.aoi) if req.aoi else None
    bbox = tuple(aoi.to_crs(4326).total_bounds) if aoi is not None else None
    if req.stac and req.per_date:
        scenes += scenes_from_items(read_items(req.stac, req.start, req.end, req.max_cloud, bbox,
                                               limit=PER_DATE_API_ITEMS if req.remote else None))
    refuse_catalogue_as_output(req.out, req.catalogue_path, kind="run")  # any catalogue, with or without --publish
    # The catalogue, opened once: listed sites (labels), analysts' decisions (learned), publication.
    cat = _catalogue(req.catalogue_path) if (req.publish or req.learned) else None
    listed = cat.sites(statuses=None) if req.publish else None
    landuse = read_frame(req.landuse) if req.landuse else None
    register = read_frame(req.register) if req.register else None
    work_dir = Path(req.work_dir) if req.work_dir else None
    if req.composites:
        from geo.brownfield.regional import default_work_dir

        work_dir = work_dir or default_work_dir(req.out)
        items = read_items(req.stac, req.start, req.end, req.max_cloud, bbox)
        res = _run_composites(req, items, composite_years(items, req.years), aoi, landuse, listed, register,
                              work_dir, progress, notify)
    else:
        res = detect(scenes, method=req.method, aoi=aoi, landuse=landuse, listed=listed, register=register,
                     progress=progress, budget=req.budget)
    if req.learned:
        from geo.brownfield.learned import apply_to_run
        from geo.brownfield.review import reviews

        apply_to_run(res, reviews(cat), req.min_decisions)
    write_run(res, req.out)
    if req.composites:
        import shutil

        shutil.rmtree(work_dir, ignore_errors=True)  # written: the finished chunks are no longer needed
    if req.publish:
        publish(res, cat)
    return res


def _run_composites(req: RunRequest, items, years, aoi, landuse, listed, register, work_dir, progress, notify):
    from geo.brownfield.regional import detect_regional, make_client

    client = make_client(req.scheduler, req.workers, req.memory_limit)
    try:
        if client is not None and notify:
            notify("dask", address=client.scheduler.address, dashboard=client.dashboard_link)
        return detect_regional(items, years, aoi=aoi, landuse=landuse, listed=listed, register=register,
                               budget=req.budget, chunk=req.chunk, min_clear=req.min_clear, client=client,
                               work_dir=work_dir, progress=progress)
    finally:
        if client is not None:
            cluster = getattr(client, "cluster", None)
            client.close()
            if cluster is not None and not req.scheduler:
                cluster.close()
