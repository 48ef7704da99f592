"""The per-pixel rules, fixed from physics before any evaluation (pure functions).

Parameters are chosen from what the indices mean, not fitted to a reference:

* hard (impervious or bare) surface: NDVI < 0.25 and not water (MNDWI < 0);
* derelict-like cover on one date: sparse vegetation over a hard substrate
  (0.2 <= NDVI < 0.5 with NDBI > -0.15: plants growing through gravel and
  concrete, where healthy lawns have NDBI around -0.3) or bare ground
  (BSI > 0 and NDVI < 0.2);
* encroachment: NDVI rising by 0.2 or more (full credit) on a surface that was
  hard on the first date;
* stability: mean absolute change of visible brightness between consecutive
  dates below 0.05 reflectance (active yards change: trucks, containers,
  stockpiles);
* a pixel is a candidate when valid on >= 2 dates, never water, and either
  encroached (>= 0.5) or derelict-like on every date and stable (>= 0.5).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from geo.brownfield.indices import all_indices


@dataclass(frozen=True)
class RuleParams:
    hard_ndvi_max: float = 0.25
    sparse_ndvi_min: float = 0.20
    sparse_ndvi_max: float = 0.50
    sparse_ndbi_min: float = -0.15
    bare_bsi_min: float = 0.0
    bare_ndvi_max: float = 0.20
    encroach_full: float = 0.20
    stable_change_max: float = 0.05
    min_valid_dates: int = 2
    # site level
    mmu_m2: float = 2000.0
    too_small_m2: float = 5000.0
    opening_px: int = 1
    closing_px: int = 2

    def to_dict(self) -> dict:
        return asdict(self)


FEATURES = ("encroachment", "persistence", "stability", "built_context", "bare_share", "veg_gain", "bare_all",
            "bsi_mean")
#: Features whose values are not in 0-1 are shifted into it for the uint8 rasters (site value = raster - offset).
FEATURE_SHIFT = {"bsi_mean": 0.5}


def pixel_features(dates: list[dict[str, np.ndarray]], valids: list[np.ndarray],
                   p: RuleParams = RuleParams(), activity: np.ndarray | None = None
                   ) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Candidate mask and per-pixel features (float32 in 0-1) from reflectance per date (oldest first).

    ``dates`` may be single acquisitions or growing-season composites. With
    composites, ``activity`` is the within-season variability of visible
    brightness (median absolute deviation of the clear observations, averaged
    over the composites): a yard whose trucks and stockpiles come and go is
    unstable even when its yearly medians look alike.
    """
    idx = [all_indices(r) for r in dates]
    n_valid = np.sum(valids, axis=0)
    water = np.zeros_like(valids[0])
    derelict_count = np.zeros(valids[0].shape, dtype=np.float32)
    built_count = np.zeros_like(derelict_count)
    bare_count = np.zeros_like(derelict_count)
    soil_count = np.zeros_like(derelict_count)  # BSI > 0 (the naive object ranking's "bare on every date")
    bsi_sum = np.zeros_like(derelict_count)
    for ix, v in zip(idx, valids):
        w = v & (ix["mndwi"] > 0)
        water |= w
        sparse = (ix["ndvi"] >= p.sparse_ndvi_min) & (ix["ndvi"] < p.sparse_ndvi_max) & (ix["ndbi"] > p.sparse_ndbi_min)
        bare = (ix["bsi"] > p.bare_bsi_min) & (ix["ndvi"] < p.bare_ndvi_max)
        derelict_count += (v & ~w & (sparse | bare)).astype(np.float32)
        built_count += (v & (ix["ndbi"] > -0.1)).astype(np.float32)
        bare_count += (v & bare).astype(np.float32)
        soil_count += (v & (ix["bsi"] > 0)).astype(np.float32)
        bsi_sum += np.where(v, np.nan_to_num(ix["bsi"]), 0).astype(np.float32)
    with np.errstate(invalid="ignore", divide="ignore"):
        nv = np.maximum(n_valid, 1).astype(np.float32)
        persistence = derelict_count / nv
        built = built_count / nv
        bare_share = bare_count / nv
        bsi_mean = bsi_sum / nv
    enough = n_valid >= p.min_valid_dates
    bare_all = (enough & (soil_count == n_valid)).astype(np.float32)
    # First and last valid dates per pixel (in order).
    first_ndvi = np.full(valids[0].shape, np.nan, dtype=np.float32)
    last_ndvi = np.full_like(first_ndvi, np.nan)
    for ix, v in zip(idx, valids):
        take = v & np.isnan(first_ndvi)
        first_ndvi[take] = ix["ndvi"][take]
    for ix, v in zip(reversed(idx), reversed(valids)):
        take = v & np.isnan(last_ndvi)
        last_ndvi[take] = ix["ndvi"][take]
    gain = last_ndvi - first_ndvi
    hard_first = first_ndvi < p.hard_ndvi_max
    encroach = np.where(hard_first, np.clip(gain / p.encroach_full, 0, 1), 0).astype(np.float32)
    # Stability of visible brightness between consecutive valid dates.
    change = np.zeros_like(first_ndvi)
    pairs = np.zeros_like(first_ndvi)
    for a, b, va, vb in zip(dates[:-1], dates[1:], valids[:-1], valids[1:]):
        both = va & vb
        ba = (a["B02"] + a["B03"] + a["B04"]) / 3
        bb = (b["B02"] + b["B03"] + b["B04"]) / 3
        change[both] += np.abs(bb - ba)[both]
        pairs[both] += 1
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_change = np.where(pairs > 0, change / np.maximum(pairs, 1), np.nan)
    stability = np.where(np.isnan(mean_change), 0, 1 - np.clip(mean_change / p.stable_change_max, 0, 1))
    if activity is not None:
        quiet = np.where(np.isnan(activity), 0, 1 - np.clip(activity / p.stable_change_max, 0, 1))
        stability = np.minimum(stability, quiet)
    ok = (n_valid >= p.min_valid_dates) & ~water
    mask = ok & ((encroach >= 0.5) | ((persistence >= 1.0) & (stability >= 0.5)))
    feats = {"encroachment": encroach, "persistence": np.where(ok, persistence, 0),
             "stability": stability.astype(np.float32), "built_context": np.where(ok, built, 0),
             "bare_share": np.where(ok, bare_share, 0), "veg_gain": np.where(ok, np.clip(gain, -1, 1), 0),
             "bare_all": bare_all, "bsi_mean": np.where(enough, bsi_mean, 0) + FEATURE_SHIFT["bsi_mean"]}
    return mask, {k: np.nan_to_num(v.astype(np.float32)) for k, v in feats.items()}


def baseline_mask(dates: list[dict[str, np.ndarray]], valids: list[np.ndarray]) -> tuple[np.ndarray, dict]:
    """The single-date bare-soil gate (BSI > 0.1 and NDVI < 0.2) on the latest date: the published baseline."""
    ix = all_indices(dates[-1])
    mask = valids[-1] & (ix["bsi"] > 0.1) & (ix["ndvi"] < 0.2)
    zeros = np.zeros(mask.shape, dtype=np.float32)
    feats = {k: zeros for k in FEATURES}
    feats = {**feats, "bare_share": mask.astype(np.float32),
             "bsi_mean": np.nan_to_num(ix["bsi"]).astype(np.float32) + FEATURE_SHIFT["bsi_mean"]}
    return mask, feats
