"""Turn what st_folium returns into search filters (pure functions, tested without a browser)."""

from __future__ import annotations

from typing import Any

from geo.search import Query


def drawn_area(state: dict[str, Any] | None) -> dict | None:
    """The GeoJSON geometry of the last drawn polygon/rectangle, or None."""
    if not state:
        return None
    drawing = state.get("last_active_drawing") or {}
    geom = drawing.get("geometry") if isinstance(drawing, dict) else None
    if geom and geom.get("type") in ("Polygon", "MultiPolygon"):
        return geom
    return None


def drawn_point(state: dict[str, Any] | None) -> list[float] | None:
    """[lat, lon] of the last drawn marker, or None."""
    if not state:
        return None
    drawing = state.get("last_active_drawing") or {}
    geom = drawing.get("geometry") if isinstance(drawing, dict) else None
    if geom and geom.get("type") == "Point":
        lon, lat = geom["coordinates"][:2]
        return [float(lat), float(lon)]
    return None


def view_bbox(state: dict[str, Any] | None) -> list[float] | None:
    """[west, south, east, north] of the map view, or None."""
    b = (state or {}).get("bounds") or {}
    try:
        sw, ne = b["_southWest"], b["_northEast"]
        return [float(sw["lng"]), float(sw["lat"]), float(ne["lng"]), float(ne["lat"])]
    except (KeyError, TypeError):
        return None


def apply_map_state(query: Query, state: dict[str, Any] | None, *, use_drawing: bool, use_view: bool,
                    radius_km: float | None) -> Query:
    """A copy of ``query`` with the spatial filters the map provides."""
    from dataclasses import replace

    q = replace(query)
    if use_drawing:
        area = drawn_area(state)
        if area is not None:
            q.polygon = area
        pt = drawn_point(state)
        if pt is not None and radius_km:
            q.point, q.radius_km, q.near = pt, radius_km, None
    if use_view:
        q.bbox = view_bbox(state)
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
