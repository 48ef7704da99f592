"""A catalogue with a published run of many candidates (a town of disused yards), for the review grid tests."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from tests.brownfield.synthetic import BANDS, ROOF, RUDERAL, write_stack


def yard_town(n: int = 300, date: int = 0, pitch: int = 30, size: int = 12, seed: int = 0) -> dict[str, np.ndarray]:
    """Roofs everywhere; a ``size`` px yard every ``pitch`` px that turns ruderal on ``date`` 1 (100 candidates
    at the defaults, far enough apart that no two overlap), the rest of the town busy between dates."""
    rng = np.random.default_rng(seed + date)
    img = np.empty((len(BANDS), n, n), dtype=np.float32)
    img[:] = np.array(ROOF, dtype=np.float32)[:, None, None]
    quiet = np.zeros((n, n), bool)
    for r in range(8, n - size, pitch):
        for c in range(8, n - size, pitch):
            img[:, r:r + size, c:c + size] = np.array(ROOF if date == 0 else RUDERAL, dtype=np.float32)[:, None, None]
            quiet[r:r + size, c:c + size] = True
    img += rng.normal(0, 0.003, img.shape).astype(np.float32)
    if date == 1:
        img[:3, ~quiet] += 0.08
    return {b: img[i] for i, b in enumerate(BANDS)}


def publish_yard_town(catalogue: Path, work: Path) -> list[str]:
    """Detect and publish the yard town into ``catalogue``; the candidates' ids in rank order."""
    from geo.brownfield.run import detect, publish
    from geo.brownfield.sources import scene_from_path

    s0 = scene_from_path(write_stack(work / "town0.tif", yard_town(date=0)), "2019-06-01", level="L2A")
    s1 = scene_from_path(write_stack(work / "town1.tif", yard_town(date=1)), "2021-06-01", level="L2A")
    run = detect([s0, s1], budget=1.0)  # every yard: the grid is tested on a long list (the budget rule counts halos)
    publish(run, catalogue)
    return run.candidates.sort_values("rank", kind="stable")["candidate_id"].tolist()
