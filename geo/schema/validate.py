"""Validation of one listing record: per field, across fields, and in space.

:func:`validate_record` reads raw values (as typed by an owner), returns the
typed record and **every** problem found, never stopping at the first. Spatial
rules need a :class:`PlaceChecker` (see :class:`geo.places.MunicipalityIndex`);
without one they are skipped, which the caller must only do in tests of
non-spatial rules.
"""

from __future__ import annotations

from typing import Any, Mapping, Protocol

from geo.schema.coerce import FieldError, coerce_with_notes, has_html
from geo.schema.fields import FIELDS, Field
from geo.schema.messages import Issue

#: Lombardy's bounding box in WGS84 (lon_min, lat_min, lon_max, lat_max), a
#: cheap pre-check before the polygon test; from the ISTAT 2023 boundary.
LOMBARDY_BBOX = (8.49, 44.67, 11.43, 46.64)

#: How far outside the declared municipality a point may fall (domain.md §2).
MUNICIPALITY_TOLERANCE_M = 250.0


class PlaceChecker(Protocol):
    """What validation needs to know about places. Implemented by
    :class:`geo.places.MunicipalityIndex` over the ISTAT boundaries."""

    def in_lombardy(self, lon: float, lat: float) -> bool: ...

    def municipality_name(self, istat: str) -> str | None:
        """Name of the Lombardy municipality with this code, None if there is none."""

    def distance_to_municipality_m(self, istat: str, lon: float, lat: float) -> float:
        """Metres from the point to the municipality (0 inside)."""

    def municipality_at(self, lon: float, lat: float) -> tuple[str, str] | None:
        """(ISTAT code, name) of the municipality containing the point."""


def _in_bbox(lon: float, lat: float) -> bool:
    x0, y0, x1, y1 = LOMBARDY_BBOX
    return x0 <= lon <= x1 and y0 <= lat <= y1


def validate_record(
    raw: Mapping[str, Any],
    places: PlaceChecker | None = None,
    *,
    fields: list[Field] | None = None,
    tolerance_m: float = MUNICIPALITY_TOLERANCE_M,
) -> tuple[dict[str, Any], list[Issue]]:
    """Validate one listing.

    Parameters
    ----------
    raw
        Field key -> raw value. Keys that are not fields are ignored.
    places
        Municipality boundaries for the spatial rules.
    fields
        The fields to check (default: every field an owner fills in).

    Returns
    -------
    (record, issues)
        ``record`` holds the typed values that could be read (blank values are
        absent); ``issues`` every problem, errors and warnings.

    Examples
    --------
    >>> from geo.schema.fields import FIELD
    >>> rec, issues = validate_record({"land_area_m2": "1.000", "covered_area_m2": "2.000"},
    ...                               fields=[FIELD["land_area_m2"], FIELD["covered_area_m2"]])
    >>> [i.code for i in issues]
    ['covered_gt_land']
    """
    fields = fields if fields is not None else [f for f in FIELDS if f.source == "owner"]
    keys = {f.key for f in fields}
    rec: dict[str, Any] = {}
    issues: list[Issue] = []
    bad: set[str] = set()

    for f in fields:
        value = raw.get(f.key)
        try:
            v, notes = coerce_with_notes(f, value)
        except FieldError as err:
            issues.append(err.issue)
            bad.add(f.key)
            continue
        issues.extend(notes)
        if v is None:
            continue
        rec[f.key] = v
        if f.kind == "istat":
            raw_s = str(int(value)) if isinstance(value, (int, float)) else str(value).strip()
            if len(raw_s) < 6:
                issues.append(Issue(f.key, "istat_padded", {"value": raw_s, "fixed": v}, "warning"))
        if f.kind in ("text", "longtext") and has_html(v):
            issues.append(Issue(f.key, "html_in_text", {}, "warning"))

    def has(key: str) -> bool:
        return key in rec

    # Required fields (only those not already reported as unreadable).
    type_b = rec.get("offer_type") == "B"
    for f in fields:
        if f.key in bad or has(f.key):
            continue
        if f.required:
            issues.append(Issue(f.key, "required"))
        elif f.required_for_type_b and type_b:
            issues.append(Issue(f.key, "required_type_b"))
    if "delegation" in keys and rec.get("applicant_role") == "delegate" and not has("delegation"):
        issues.append(Issue("delegation", "required_delegate"))

    # Cross-field rules.
    land, covered = rec.get("land_area_m2"), rec.get("covered_area_m2")
    if land is not None and covered is not None and covered > land:
        issues.append(Issue("covered_area_m2", "covered_gt_land", {"covered": covered, "land": land}))
    if rec.get("asset_kind") == "building" and rec.get("condition") == "bare_land":
        issues.append(Issue("condition", "building_on_bare_land"))
    if rec.get("asset_kind") == "area" and covered:
        issues.append(Issue("covered_area_m2", "covered_without_buildings", {}, "warning"))
    if rec.get("occupancy") == "in_use" and rec.get("years_unused"):
        issues.append(Issue("years_unused", "years_unused_in_use", {"value": rec["years_unused"]}, "warning"))

    # Location.
    if "lat" in keys:
        issues.extend(_check_location(rec, bad, places, tolerance_m))
    return rec, issues


def _check_location(
    rec: dict[str, Any], bad: set[str], places: PlaceChecker | None, tolerance_m: float
) -> list[Issue]:
    out: list[Issue] = []
    lat, lon = rec.get("lat"), rec.get("lon")
    outline = rec.get("outline")
    if lat is None or lon is None:
        if {"lat", "lon"} & bad:
            return out
        if outline is None and "outline" not in bad:
            out.append(Issue("lat", "required_location"))
        if outline is None:
            return out
        c = outline.representative_point()
        lon, lat = c.x, c.y
    istat = rec.get("municipality_istat")

    inside = places.in_lombardy(lon, lat) if places else _in_bbox(lon, lat)
    if not inside:
        swapped_inside = places.in_lombardy(lat, lon) if places else _in_bbox(lat, lon)
        code = "latlon_swapped" if swapped_inside else "outside_lombardy"
        out.append(Issue("lat", code, {"lat": lat, "lon": lon}))
        return out
    if places is not None and istat:
        name = places.municipality_name(istat)
        if name is None:
            out.append(Issue("municipality_istat", "unknown_municipality", {"value": istat}))
        else:
            d = places.distance_to_municipality_m(istat, lon, lat)
            if d > tolerance_m:
                found = places.municipality_at(lon, lat)
                found_txt = f" [{found[1]} {found[0]}]" if found else ""
                out.append(Issue("lat", "outside_municipality", {
                    "lat": lat, "lon": lon, "distance_m": round(d), "tolerance_m": round(tolerance_m),
                    "municipality": f"{name} ({istat})", "found": found_txt}))
    if outline is not None and rec.get("lat") is not None:
        import geopandas as gpd
        from shapely.geometry import Point

        geoms = gpd.GeoSeries([outline, Point(lon, lat)], crs=4326).to_crs(32632)
        d = geoms.iloc[0].distance(geoms.iloc[1])
        if d > tolerance_m:
            out.append(Issue("lat", "outline_far", {"distance_m": round(d)}, "warning"))
    return out
