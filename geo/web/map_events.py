"""Turn what st_folium returns into search filters (pure functions, tested without a browser).

A drawing arrives as ``last_active_drawing``, a GeoJSON Feature (and is among ``all_drawings``):

* polygon and rectangle: a Polygon geometry -> ``Query.polygon``;
* circle: a Point geometry with ``properties.radius`` in metres -> ``Query.point`` + ``radius_km``;
* marker: a Point geometry without radius -> ``Query.point`` (radius: the one set, else the default).
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

from geo.search import Query


def _drawing(state: dict[str, Any] | None) -> dict | None:
    """The last drawing, if it really is one.

    streamlit-folium also sets ``last_active_drawing`` when any layer is *clicked* (a site marker,
    a province): only a feature that is among ``all_drawings`` (what the drawing tools made) counts,
    else a click on a marker would become a point search and a click on a province a polygon. After
    such a click the newest drawing still stands (the mouse released over a province at the end of a
    rectangle is such a click): it is the last of ``all_drawings``.
    """
    state = state or {}
    d = state.get("last_active_drawing")
    if "all_drawings" in state:
        drawn = [f for f in (state.get("all_drawings") or [])
                 if isinstance(f, dict) and isinstance(f.get("geometry"), dict)]
        if not (isinstance(d, dict) and d.get("geometry") in [f["geometry"] for f in drawn]):
            return drawn[-1] if drawn else None
    if not (isinstance(d, dict) and isinstance(d.get("geometry"), dict)):
        return None
    return d


def drawing_key(state: dict[str, Any] | None) -> str | None:
    """A stable signature of the last drawing (to apply each drawing once)."""
    d = _drawing(state)
    return json.dumps(d["geometry"], sort_keys=True) + json.dumps((d.get("properties") or {}).get("radius")) \
        if d else None


def drawn_area(state: dict[str, Any] | None) -> dict | None:
    """The GeoJSON geometry of the last drawn polygon/rectangle, or None."""
    d = _drawing(state)
    geom = d["geometry"] if d else None
    if geom and geom.get("type") in ("Polygon", "MultiPolygon"):
        return geom
    return None


def drawn_circle(state: dict[str, Any] | None) -> tuple[list[float], float | None] | None:
    """([lat, lon], radius_km or None) of the last drawn circle (with radius) or marker (without), or None."""
    d = _drawing(state)
    geom = d["geometry"] if d else None
    if geom and geom.get("type") == "Point":
        lon, lat = geom["coordinates"][:2]
        r = (d.get("properties") or {}).get("radius")
        return [float(lat), float(lon)], (float(r) / 1000.0 if r else None)
    return None


def view_bbox(state: dict[str, Any] | None) -> list[float] | None:
    """[west, south, east, north] of the map view, or None."""
    b = (state or {}).get("bounds") or {}
    try:
        sw, ne = b["_southWest"], b["_northEast"]
        return [float(sw["lng"]), float(sw["lat"]), float(ne["lng"]), float(ne["lat"])]
    except (KeyError, TypeError):
        return None


def apply_drawing(query: Query, state: dict[str, Any] | None, *, radius_km: float | None = None) -> Query:
    """A copy of ``query`` whose drawn area is the last drawing (a new drawing replaces the previous one).

    A polygon replaces a drawn point/circle; a circle or marker replaces the drawn polygon and the
    named place (the point is the centre now). A marker keeps ``radius_km`` (None: the default radius).
    """
    q = replace(query)
    area = drawn_area(state)
    if area is not None:
        q.polygon, q.point = area, None
        return q
    circle = drawn_circle(state)
    if circle is not None:
        point, r = circle
        q.point, q.near, q.polygon = point, None, None
        q.radius_km = round(r, 3) if r else radius_km
    return q


def clicked_site(state: dict[str, Any] | None, sites, tolerance_deg: float = 0.002) -> str | None:
    """The id of the site nearest the last clicked object, if close enough."""
    obj = (state or {}).get("last_object_clicked")
    if not obj or len(sites) == 0:
        return None
    import numpy as np

    d = np.hypot(sites.geometry.x.to_numpy() - obj["lng"], sites.geometry.y.to_numpy() - obj["lat"])
    i = int(np.argmin(d))
    return str(sites["site_id"].iloc[i]) if d[i] <= tolerance_deg else None
