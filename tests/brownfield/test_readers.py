"""The reader seam: detection reads through a Reader; arrays in memory give the candidates files give."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
import rasterio
from rasterio.windows import Window

from geo.brownfield.bands import to_reflectance
from geo.brownfield.readers import MemoryReader, Reader, ScenesReader
from geo.brownfield.run import detect, detect_from
from geo.brownfield.sources import Grid, grid_for, scene_from_path
from tests.brownfield.synthetic import ORIGIN, scene_arrays, write_stack

DATES = [dt.date(2019, 6, 1), dt.date(2021, 6, 1)]
N = 120
COLS = ["candidate_id", "rank", "area_m2", "score", "size_class", "label", "in_budget"]


def _as_read(arrays: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Reflectance as the files hold it: quantised to 16-bit DN (what write_stack writes), scaled back."""
    return {b: to_reflectance(np.clip(a * 10000, 1, 65534).astype("uint16")) for b, a in arrays.items()}


def _grid() -> Grid:
    return Grid(rasterio.Affine(10.0, 0, ORIGIN[0], 0, -10.0, ORIGIN[1]), N, N)


def _memory(shift: int = 0) -> MemoryReader:
    """The two synthetic dates in memory, the whole scene shifted ``shift`` pixels east."""
    return MemoryReader(_grid(), DATES, [{b: np.roll(a, shift, axis=1) for b, a in _as_read(scene_arrays(N, i)).items()}
                                         for i in (0, 1)])


def test_memory_reader_finds_the_candidates_the_files_give(tmp_path):
    scenes = [scene_from_path(write_stack(tmp_path / f"{i}.tif", scene_arrays(N, i)), d.isoformat())
              for i, d in enumerate(DATES)]
    assert grid_for(scenes) == _grid()
    files = detect(scenes)
    memory = detect_from(_memory(), block=40)  # windows with halos, not one read
    assert len(files.candidates) == 1  # the planted disused yard
    assert files.candidates[COLS].equals(memory.candidates[COLS])
    assert all(a.equals(b) for a, b in zip(files.candidates.geometry, memory.candidates.geometry))
    assert files.record["dates"] == memory.record["dates"] == ["2019-06-01", "2021-06-01"]
    assert float(files.analysed_area.area.sum()) == float(memory.analysed_area.area.sum()) == N * N * 100.0


def test_the_candidates_come_from_the_arrays_read():
    # The comparison above is not vacuous: the scene shifted 30 px east in memory, the site moves 300 m east.
    (a,), (b,) = detect_from(_memory()).candidates.geometry, detect_from(_memory(shift=30)).candidates.geometry
    assert round(b.centroid.x - a.centroid.x, 6) == 300.0 and round(b.centroid.y - a.centroid.y, 6) == 0.0


def test_every_reader_is_a_reader_and_reads_windows(tmp_path):
    scene = scene_from_path(write_stack(tmp_path / "a.tif", scene_arrays(N, 0)), "2019-06-01")
    files = ScenesReader([scene], grid_for([scene]))
    try:
        for reader in (files, _memory()):
            assert isinstance(reader, Reader)
            block = reader.read(Window(5, 10, 7, 3))
            assert block.bands[0]["B04"].shape == block.valid[0].shape == (3, 7)
        a, b = files.read(Window(5, 10, 7, 3)), _memory().read(Window(5, 10, 7, 3))
        assert np.array_equal(a.bands[0]["B11"], b.bands[0]["B11"])
    finally:
        files.close()


def test_memory_reader_refuses_arrays_off_the_grid():
    with pytest.raises(ValueError, match="shape"):
        MemoryReader(_grid(), DATES[:1], [{"B04": np.zeros((N, N + 1), np.float32)}])
    with pytest.raises(ValueError, match="one dict of bands per date"):
        MemoryReader(_grid(), DATES, [_as_read(scene_arrays(N, 0))])
