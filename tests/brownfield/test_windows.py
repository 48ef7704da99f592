"""Property tests of the window arithmetic that windowed detection relies on."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from rasterio.transform import from_origin

from geo.brownfield.detect import blocks
from geo.brownfield.sources import Grid


@settings(max_examples=200, deadline=None)
@given(h=st.integers(1, 300), w=st.integers(1, 300), size=st.integers(1, 128), halo=st.integers(0, 16))
def test_blocks_tile_the_grid_exactly_once_and_halos_stay_inside(h, w, size, halo):
    grid = Grid(from_origin(500000, 5000000, 10, 10), w, h)
    cover = np.zeros((h, w), dtype=np.int32)
    for read, inner, (rs, cs) in blocks(grid, size, halo):
        r0, c0 = int(inner.row_off), int(inner.col_off)
        cover[r0:r0 + int(inner.height), c0:c0 + int(inner.width)] += 1
        # The read window stays inside the grid and holds the inner window plus up to `halo` around it.
        assert 0 <= read.row_off <= r0 and 0 <= read.col_off <= c0
        assert read.row_off + read.height <= h and read.col_off + read.width <= w
        assert r0 - read.row_off == min(halo, r0) and c0 - read.col_off == min(halo, c0)
        # The slice picks exactly the inner window out of the array read.
        assert rs.start == r0 - read.row_off and rs.stop - rs.start == inner.height
        assert cs.start == c0 - read.col_off and cs.stop - cs.start == inner.width
        assert rs.stop <= read.height and cs.stop <= read.width
    assert (cover == 1).all()
