"""Sanity of an area of interest: in Lombardy, and not larger than it.

The detection is built and calibrated for Lombardy; an area elsewhere or as large as the world is a
wrong file (or CRS), and used to end in a message that blamed the scenes ("do not overlap").
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely

from geo.errors import InputFileError
from geo.i18n import N_
from geo.schema.validate import LOMBARDY_BBOX

#: Degrees around Lombardy's bounding box an area of interest may reach: half a degree (about 40 km
#: east-west, 55 km north-south) takes in a whole Sentinel-2 tile across the border, no more.
AOI_MARGIN_DEG = 0.5


def _deg(v: float):
    return lambda _: _.number(v, 3, trim=False) if abs(v) < 1e6 else f"{v:.3g}"


def check_aoi(aoi: gpd.GeoDataFrame, name: str, margin_deg: float = AOI_MARGIN_DEG) -> None:
    """Refuse an area of interest that is empty, has no CRS, lies outside Lombardy or reaches beyond it.

    Raises
    ------
    InputFileError
        Saying which of these it is, with the area's extent in lon/lat.
    """
    geoms = aoi.geometry[~(aoi.geometry.isna() | aoi.geometry.is_empty)] if len(aoi) else aoi.geometry
    if len(geoms) == 0:
        raise InputFileError(N_("{name}: the area of interest has no geometry."), name=name)
    if aoi.crs is None:
        raise InputFileError(N_("{name}: the area of interest has no coordinate reference system (CRS). Save it with "
                                "a CRS, e.g. EPSG:4326."), name=name)
    with np.errstate(all="ignore"):
        ll = geoms.to_crs(4326)
    x0, y0, x1, y1 = LOMBARDY_BBOX
    m = margin_deg
    region = shapely.box(x0 - m, y0 - m, x1 + m, y1 + m)
    b = ll.total_bounds
    extent = dict(minx=_deg(b[0]), miny=_deg(b[1]), maxx=_deg(b[2]), maxy=_deg(b[3]))
    if not np.all(np.isfinite(b)) or not ll.intersects(region).any():
        raise InputFileError(N_("{name}: the area of interest ({minx}, {miny} – {maxx}, {maxy} in lon/lat) lies "
                                "outside Lombardy. Check the file and its CRS ({crs})."), name=name,
                             crs=aoi.crs.to_string(), **extent)
    if b[0] < x0 - m or b[1] < y0 - m or b[2] > x1 + m or b[3] > y1 + m:
        raise InputFileError(N_("{name}: the area of interest ({minx}, {miny} – {maxx}, {maxy} in lon/lat) is larger "
                                "than the region: it reaches more than {margin}° beyond Lombardy. Draw it within "
                                "Lombardy."), name=name, margin=lambda _: _.number(m, 1), **extent)
