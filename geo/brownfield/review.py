"""Analyst review of candidates: decisions that survive re-runs, and promotion to a draft listing.

A decision is stored with the candidate's geometry; a candidate of a later
run inherits the decision of a reviewed polygon it overlaps with IoU >= 0.5.
"""

from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.catalogue import CatalogueBackend
from geo.brownfield.texts import both
from geo.errors import UserError
from geo.i18n import N_

DECISIONS = ("confirm", "reject", "promote")
REVIEW_COLS = ["candidate_id", "run_id", "decision", "reason", "actor", "at", "site_id"]
IOU_SAME = 0.5


def list_runs(cat) -> pd.DataFrame:
    runs = cat.table("brownfield_runs")
    if len(runs) == 0:
        return runs
    # Newest first; runs are appended in order, so within the same second the later row wins.
    return runs.iloc[::-1].sort_values("created_at", ascending=False, kind="stable").reset_index(drop=True)


def reviews(cat) -> gpd.GeoDataFrame:
    r = cat.layer("brownfield_reviews")
    if len(r) == 0:
        return gpd.GeoDataFrame({c: pd.Series(dtype=object) for c in REVIEW_COLS},
                                geometry=gpd.GeoSeries([], crs=4326), crs=4326)
    return r


def _match(cands: gpd.GeoDataFrame, revs: gpd.GeoDataFrame) -> pd.DataFrame:
    """For each candidate, the latest review of an overlapping (IoU >= 0.5) reviewed polygon."""
    import shapely

    out = pd.DataFrame(index=cands.index, columns=["decision", "reason", "reviewed_at", "site_id"], dtype=object)
    if len(revs) == 0 or len(cands) == 0:
        return out
    c = cands.to_crs(32632)
    r = revs.to_crs(32632).sort_values("at", kind="stable").reset_index(drop=True)
    ci, ri = r.sindex.query(c.geometry, predicate="intersects")  # pairs: candidate position, review position
    if len(ci) == 0:
        return out
    a, b = c.geometry.to_numpy()[ci], r.geometry.to_numpy()[ri]
    iou = shapely.area(shapely.intersection(a, b)) / shapely.area(shapely.union(a, b))
    keep = iou >= IOU_SAME
    latest = pd.Series(ri[keep]).groupby(ci[keep]).max()  # reviews are in time order: the last one wins
    cols = ["decision", "reason", "at", "site_id"]
    out.iloc[latest.index.to_numpy()] = r.loc[latest.to_numpy(), cols].to_numpy(dtype=object)
    return out


def first_seen(cands: gpd.GeoDataFrame, previous: gpd.GeoDataFrame | None, date: str,
               previous_date: str | None = None) -> pd.Series:
    """The imagery date at which each candidate was first seen.

    A candidate overlapping (IoU >= 0.5) one of the previously published layer
    keeps that one's ``first_seen`` (or ``previous_date`` when the previous
    layer predates the column); any other is new in this run and gets ``date``.
    Analysts use it to find recent closures.
    """
    out = pd.Series(date, index=cands.index, dtype=object)
    if previous is None or len(previous) == 0 or len(cands) == 0:
        return out
    c = cands.to_crs(32632)
    p = previous.to_crs(32632).reset_index(drop=True)
    seen = p["first_seen"] if "first_seen" in p else pd.Series(None, index=p.index, dtype=object)
    tree = p.sindex
    for ci, g in c.geometry.items():
        for j in tree.query(g, predicate="intersects"):
            h = p.geometry.iloc[j]
            if g.intersection(h).area / g.union(h).area >= IOU_SAME:
                v = seen.iloc[j]
                out[ci] = v if isinstance(v, str) and v else (previous_date or date)
                break
    return out


def decided_candidates(cat: CatalogueBackend) -> gpd.GeoDataFrame:
    """Every published candidate with its (inherited) review decision, in rank order (one read of each layer).

    What the analyst page caches per catalogue revision; :func:`filter_candidates` then narrows it.
    """
    c = cat.layer("brownfield_candidates")
    if len(c) == 0:
        return c
    if "rank" in c:
        c = c.sort_values("rank", kind="stable")
    return c.join(_match(c, reviews(cat)))


def filter_candidates(c: gpd.GeoDataFrame, min_score: float = 0.0, size_classes: list[str] | None = None,
                      labels: list[str] | None = None, decisions: list[str] | None = None,
                      include_beyond_budget: bool = False) -> gpd.GeoDataFrame:
    """The candidates of :func:`decided_candidates` an analyst asked for (pure; ``c`` is not changed).

    Candidates outside the run's area budget (``in_budget`` false) are left out unless ``include_beyond_budget``.
    """
    if len(c) == 0:
        return c
    if not include_beyond_budget and "in_budget" in c:
        c = c[c["in_budget"].fillna(True).astype(bool)]
    c = c[c["score"] >= min_score]
    if size_classes:
        c = c[c["size_class"].isin(size_classes)]
    if labels:
        c = c[c["label"].isin(labels)]
    if decisions:
        c = c[c["decision"].fillna("pending").isin(decisions)]
    return c.reset_index(drop=True)


def load_candidates(cat: CatalogueBackend, min_score: float = 0.0, size_classes: list[str] | None = None,
                    labels: list[str] | None = None, decisions: list[str] | None = None,
                    include_beyond_budget: bool = False) -> gpd.GeoDataFrame:
    """The published candidates with their (inherited) review decision, filtered, in rank order."""
    return filter_candidates(decided_candidates(cat), min_score, size_classes, labels, decisions,
                             include_beyond_budget)


def record_review(cat: CatalogueBackend, candidate: pd.Series, decision: str, actor: str, reason: str | None = None,
                  site_id: str | None = None) -> None:
    """Store a decision, in one transaction of its own. Rejections need a reason."""
    with cat.unit_of_work(actor=actor, reason=f"review {decision}") as uow:
        add_review(uow, candidate, decision, reason, site_id)


def add_review(uow, candidate: pd.Series, decision: str, reason: str | None = None,
               site_id: str | None = None) -> None:
    """Append one decision inside the caller's unit of work (a row insert: concurrent reviews all land)."""
    if decision not in DECISIONS:
        raise UserError(N_("Decision not allowed: {decision}"), decision=decision)
    if decision == "reject" and not (reason or "").strip():
        raise UserError(N_("Give the reason for the rejection."))
    row = gpd.GeoDataFrame([{"candidate_id": candidate["candidate_id"], "run_id": candidate.get("run_id"),
                             "decision": decision, "reason": reason, "actor": uow.actor, "at": uow.stamp,
                             "site_id": site_id}], geometry=[candidate.geometry], crs=4326)
    uow.insert("brownfield_reviews", row)


def promote_to_listing(cat: CatalogueBackend, candidate: pd.Series, actor: str) -> str:
    """Create a draft listing (origin ``disused``) from a candidate and record the decision, in one transaction.

    Satellite values are ``estimated``.
    """
    g = gpd.GeoSeries([candidate.geometry], crs=4326)
    area = float(g.to_crs(32632).area.iloc[0])
    pt = g.iloc[0].representative_point()
    found = cat.places().municipality_at(pt.x, pt.y)
    title = both(N_("Candidate disused area (from satellite)"))
    description = both(N_("Candidate {id}: {explanation}"), id=candidate["candidate_id"],
                       explanation=lambda _: candidate.get(f"explanation_{_.lang}", ""))
    rec = {
        "status": "draft", "is_demo": False, "origin": "disused", "origin__prov": "estimated",
        **{f"title_{lang}": text for lang, text in title.items()},
        **{f"title_{lang}__prov": "estimated" for lang in title},
        **{f"description_{lang}": text for lang, text in description.items()},
        "land_area_m2": round(area, 0), "land_area_m2__prov": "estimated",
        "lat": pt.y, "lat__prov": "estimated", "lon": pt.x, "lon__prov": "estimated",
        "outline": g.iloc[0],
    }
    if found:
        rec["municipality_istat"], rec["municipality_istat__prov"] = found[0], "computed"
    with cat.unit_of_work(actor=actor, reason=f"promoted from {candidate['candidate_id']}") as uow:
        (sid,) = uow.write_sites([rec])
        add_review(uow, candidate, "promote", site_id=sid)
    return sid


def scenes_state(record: dict | None) -> tuple:
    """What the before/after views of a run read, as a key that changes when its scenes change or move.

    For each file of the run's first and last scene: (href, size, modification time), (href, None) when it
    is gone; a remote href as (href,). Empty for a run without per-date scenes (composites). A few
    ``stat`` calls: cheap enough for every page run.
    """
    import os

    from geo.brownfield.bounded import is_remote, local_path

    bands = (record or {}).get("scene_bands") or []
    if not bands:
        return ()
    hrefs = dict.fromkeys(v[0] for b in (bands[0], bands[-1]) for v in b.values())
    out = []
    for href in hrefs:
        if is_remote(href):
            out.append((href,))
            continue
        try:
            st = os.stat(local_path(href))
            out.append((href, st.st_size, st.st_mtime_ns))
        except OSError:
            out.append((href, None))
    return tuple(out)


OUTLINE_RGB = (255, 215, 0)  # the candidate's outline burnt into the views


def before_after_rgb(cat: CatalogueBackend, candidate: pd.Series, pad_m: float = 200.0, min_px: int = 80,
                     display_px: int = 360) -> tuple[np.ndarray, np.ndarray] | None:
    """True-colour views (uint8 HxWx3, 2-98% stretch) of a candidate in its run's first and last scene.

    The window gives context: at least ``pad_m`` and half the candidate's size on each side, and at least
    ``min_px`` Sentinel-2 pixels across. The candidate's outline is drawn in :data:`OUTLINE_RGB`. Pixels stay
    native: the views are enlarged by a whole factor (nearest neighbour, no smoothing) to about ``display_px``.
    """
    runs = cat.table("brownfield_runs")
    hit = runs[runs["run_id"] == candidate.get("run_id")] if len(runs) else runs
    if len(hit) == 0:
        return None
    return views_of(json.loads(hit["record_json"].iloc[0]), candidate.geometry, pad_m, min_px, display_px)


def views_of(rec: dict, geometry, pad_m: float = 200.0, min_px: int = 80,
             display_px: int = 360) -> tuple[np.ndarray, np.ndarray] | None:
    """:func:`before_after_rgb` from a run's record and a candidate's geometry (EPSG:4326), without the catalogue.

    Reads only the run's scene files, so it may run in a worker thread (the review grid prefetches with it).
    None when the run has no per-date scenes or they cannot be read.
    """
    from rasterio.features import rasterize
    from rasterio.windows import from_bounds

    from geo.brownfield.sources import BandRef, Grid, Scene, SceneReader, RES

    if not rec.get("scene_bands"):
        return None
    shape_m = gpd.GeoSeries([geometry], crs=4326).to_crs(32632).iloc[0]
    x0, y0, x1, y1 = shape_m.bounds
    pad = max(pad_m, 0.5 * max(x1 - x0, y1 - y0), 0.5 * (min_px * 10.0 - max(x1 - x0, y1 - y0)))
    x0, y0, x1, y1 = x0 - pad, y0 - pad, x1 + pad, y1 + pad
    import rasterio

    grid = Grid(rasterio.Affine(RES, 0, x0, 0, -RES, y1), max(1, int((x1 - x0) / RES)), max(1, int((y1 - y0) / RES)))
    crops = []
    for bands, date in ((rec["scene_bands"][0], rec["dates"][0]), (rec["scene_bands"][-1], rec["dates"][-1])):
        import datetime as dt

        sc = Scene(dt.date.fromisoformat(date), "?", {k: BandRef(v[0], v[1], v[2], v[3]) for k, v in bands.items()})
        try:
            reader = SceneReader(sc, grid)
            refl, _ = reader.read(from_bounds(*grid.bounds, grid.transform), bands=("B02", "B03", "B04", "B08",
                                                                                    "B11", "B12"))
            reader.close()
        except Exception:  # scenes moved or not reachable: no picture, not an error
            return None
        rgb = np.dstack([refl["B04"], refl["B03"], refl["B02"]])
        lo, hi = np.nanpercentile(rgb, 2), np.nanpercentile(rgb, 98)
        scaled = np.nan_to_num(np.clip((rgb - lo) / max(hi - lo, 1e-6), 0, 1), nan=0.0)  # nodata shows black
        img = (scaled * 255).astype(np.uint8)
        edge = rasterize([(shape_m.boundary, 1)], out_shape=img.shape[:2], transform=grid.transform,
                         all_touched=True, dtype="uint8")
        img[edge == 1] = OUTLINE_RGB
        k = max(1, display_px // max(img.shape[:2]))
        crops.append(np.repeat(np.repeat(img, k, axis=0), k, axis=1))
    return crops[0], crops[1]
