"""Radiometry: the processing-baseline 04.00 offset (by baseline, by date, for files and STAC), scaling, SCL masks.

A wrong offset shifts every reflectance by 0.1, which moves the bare-soil and built-up indices
past their thresholds; so each way a scene can get its offset is checked against a known value.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from rasterio.windows import Window

from geo.brownfield.bands import (BANDS, BASELINE_0400_DATE, BASELINE_OFFSET_DN, QUANTIFICATION, SCL_DROP,
                                  SCL_DROP_STRICT, baseline_offset, scl_valid, to_reflectance)
from geo.brownfield.sources import SceneReader, grid_for, scene_from_path
from tests.brownfield.synthetic import scene_arrays, write_band_folder, write_stack

BEFORE, ON, AFTER = dt.date(2022, 1, 24), dt.date(2022, 1, 25), dt.date(2023, 6, 1)


def test_constants():
    assert BASELINE_0400_DATE == dt.date(2022, 1, 25) and BASELINE_OFFSET_DN == -1000.0
    assert QUANTIFICATION == 10000.0 and BANDS == ("B02", "B03", "B04", "B08", "B11", "B12")


@pytest.mark.parametrize("baseline,expected", [
    ("04.00", -1000.0), ("4.0", -1000.0), ("04.01", -1000.0), ("05.09", -1000.0),
    ("03.99", 0.0), ("02.14", 0.0),
])
def test_offset_by_processing_baseline_whatever_the_date(baseline, expected):
    # The declared baseline decides, not the date: reprocessed archives carry 05.xx on 2018 scenes.
    assert baseline_offset(dt.date(2018, 6, 1), baseline) == expected
    assert baseline_offset(AFTER, baseline) == expected


def test_offset_by_date_when_the_baseline_is_absent_or_unreadable():
    assert baseline_offset(BEFORE) == 0.0
    assert baseline_offset(ON) == -1000.0
    assert baseline_offset(AFTER) == -1000.0
    assert baseline_offset(AFTER, "") == -1000.0 and baseline_offset(BEFORE, None) == 0.0
    assert baseline_offset(AFTER, "N/A") == -1000.0 and baseline_offset(BEFORE, "N/A") == 0.0


def test_harmonised_products_need_no_offset():
    assert baseline_offset(AFTER, harmonised=True) == 0.0
    assert baseline_offset(AFTER, "05.09", harmonised=True) == 0.0
    assert baseline_offset(BEFORE, harmonised=True) == 0.0


def test_to_reflectance_scales_offsets_and_masks_no_data():
    dn = np.array([0, 1, 1000, 2500, 65535], dtype=np.uint16)
    out = to_reflectance(dn, offset_dn=-1000)
    assert out.dtype == np.float32
    assert np.isnan(out[0]) and not np.isnan(out[1:]).any()
    np.testing.assert_allclose(out[1:], [-0.0999, 0.0, 0.15, 6.4535], rtol=1e-6)
    np.testing.assert_allclose(to_reflectance(dn[1:])[:3], [0.0001, 0.1, 0.25], rtol=1e-6)
    # A declared no-data value is masked too, and DN 0 always is, even when nodata is None.
    out = to_reflectance(np.array([0, 7, 8], dtype=np.uint16), nodata=7)
    assert np.isnan(out[:2]).all() and out[2] == pytest.approx(0.0008)
    out = to_reflectance(np.array([0, 7], dtype=np.uint16), nodata=None)
    assert np.isnan(out[0]) and out[1] == pytest.approx(0.0007)
    assert to_reflectance(np.array([300], dtype=np.uint16), scale=0.5)[0] == 150.0


def test_scl_masks():
    classes = np.arange(12)
    assert scl_valid(classes).tolist() == [c not in (0, 1, 3, 8, 9, 10, 11) for c in range(12)]
    assert scl_valid(classes, SCL_DROP_STRICT).tolist() == [c not in (0, 1, 2, 3, 8, 9, 10, 11) for c in range(12)]
    assert SCL_DROP == (0, 1, 3, 8, 9, 10, 11)


# ------------------------------------------------------------------ scenes read from files
def _stack(tmp_path, name, offset_dn=0):
    return write_stack(tmp_path / name, scene_arrays(40, 0, noise=0.0), offset_dn=offset_dn)


@pytest.mark.parametrize("date,expected", [("2021-06-01", 0.0), ("2022-01-24", 0.0), ("2022-01-25", -1000.0),
                                           ("2023-06-01", -1000.0)])
def test_a_multiband_file_gets_the_offset_of_its_date(tmp_path, date, expected):
    scene = scene_from_path(_stack(tmp_path, "s.tif"), date, level="L2A")
    assert {c: r.offset_dn for c, r in scene.bands.items()} == {c: expected for c in BANDS}
    assert scene_from_path(_stack(tmp_path, "h.tif"), date, harmonised=True).bands["B04"].offset_dn == 0.0


def test_a_band_folder_gets_the_offset_but_not_its_scl(tmp_path):
    folder = tmp_path / "S2_MSIL2A_20230601"
    write_band_folder(folder, scene_arrays(40, 0, noise=0.0), scl=np.full((20, 20), 4))
    scene = scene_from_path(folder)
    assert scene.date == dt.date(2023, 6, 1) and scene.level == "L2A"
    assert scene.bands["SCL"].offset_dn == 0.0
    assert all(scene.bands[c].offset_dn == -1000.0 for c in BANDS)


def test_a_post_2022_file_reads_back_the_reflectance_it_was_made_from(tmp_path):
    arrays = scene_arrays(40, 0, noise=0.0)
    # Stored as a baseline-04.00 product would be: DN = reflectance * 10000 + 1000.
    path = write_stack(tmp_path / "new.tif", arrays, offset_dn=-1000)
    scene = scene_from_path(path, "2023-06-01", level="L2A")
    reader = SceneReader(scene, grid_for([scene]))
    try:
        got, valid = reader.read(Window(5, 5, 20, 20))
    finally:
        reader.close()
    assert valid.all()
    for code in BANDS:
        np.testing.assert_allclose(got[code], arrays[code][5:25, 5:25], atol=1.5e-4)
