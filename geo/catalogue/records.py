"""The one way a site record is prepared: its derived fields from the reference layers.

:func:`prepare` is called by every path that produces a stored or shown site
record: the unit of work's writes, the recomputation after a reference layer
changes, the owner preview (a read-only dry run on the catalogue's cached
reference layers) and the demo build. What an owner previews is therefore what
is stored, and what investors will see once it is published.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping, Sequence

import geopandas as gpd
import pandas as pd
import shapely

from geo.catalogue.compute import COMPUTED_COLUMNS, computed_fields
from geo.catalogue.frames import normalise_record
from geo.errors import UserError
from geo.i18n import N_
from geo.schema import prov_column

#: Layers the computed fields of the sites depend on: replacing one recomputes the sites.
REFERENCE_LAYERS = ("municipalities", "zls_municipalities", "infrastructure", "zis_areas", "zls_perimeter",
                    "road_nodes", "road_edges")
#: The record columns the computed fields are derived from (besides the position).
def _drive_columns() -> tuple[str, ...]:
    from geo.routing.drive import DRIVE_COLUMNS

    return DRIVE_COLUMNS


#: Every column prepare derives: the computed fields and the truck drive times (geo/routing/drive.py).
DERIVED_COLUMNS: tuple[str, ...] = (*COMPUTED_COLUMNS, *_drive_columns())
INPUT_COLUMNS = ("municipality_istat", "covered_area_m2", "years_unused", "occupancy", "permitted_uses")


def _empty() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(geometry=gpd.GeoSeries([], crs=4326), crs=4326)


@dataclass(frozen=True)
class Reference:
    """The reference layers a site's derived fields come from (any CRS; absent layers empty).

    ``version`` names the state of these layers (the catalogue's ``reference_version``): two
    references with the same non-empty version hold the same layers.
    """

    municipalities: pd.DataFrame
    zls_municipalities: pd.DataFrame
    infrastructure: pd.DataFrame
    zis_areas: pd.DataFrame
    zls_perimeter: pd.DataFrame
    road_nodes: pd.DataFrame
    road_edges: pd.DataFrame
    version: str = ""

    @classmethod
    def from_layers(cls, layers: Mapping[str, pd.DataFrame | None], version: str = "") -> "Reference":
        """A reference from layers by name; a missing layer, or one read back without columns, is empty."""
        def get(name: str) -> pd.DataFrame:
            df = layers.get(name)
            return df if df is not None and len(df.columns) else _empty()
        return cls(*(get(n) for n in REFERENCE_LAYERS), version=str(version))


def clean_outline(g: Any) -> Any:
    """An owner's outline as stored: 2D, valid, polygons only, exterior counter-clockwise (holes kept)."""
    if g is None or g.is_empty:
        return None
    g = shapely.force_2d(g)
    if not g.is_valid:
        g = shapely.make_valid(g)
    polys = [p for p in getattr(g, "geoms", [g]) if p.geom_type in ("Polygon", "MultiPolygon")]
    parts = [q for p in polys for q in getattr(p, "geoms", [p])]
    if not parts:
        raise UserError(N_("The outline holds no polygon."))
    g = parts[0] if len(parts) == 1 else shapely.MultiPolygon(parts)
    return shapely.orient_polygons(g, exterior_cw=False)


def _points(rows: list[dict[str, Any]]) -> gpd.GeoDataFrame:
    """The few columns the computed fields need, as a point frame (cheap for one listing)."""
    data = {k: pd.Series([r[k] for r in rows], dtype=object) for k in INPUT_COLUMNS}
    return gpd.GeoDataFrame(data, geometry=gpd.points_from_xy([r["lon"] for r in rows], [r["lat"] for r in rows],
                                                             crs=4326), crs=4326)


def _drive(pts: gpd.GeoDataFrame, reference: Reference) -> pd.DataFrame:
    """Truck drive times of the sites: on the imported road network when there is one, else estimated on
    the default motorway graph (geo/routing)."""
    import numpy as np

    from geo.routing.drive import drive_fields, graph_for
    from geo.routing.lines import to_metric

    xy = to_metric(np.column_stack([pts.geometry.x.to_numpy(), pts.geometry.y.to_numpy()]))
    graph = graph_for(reference.road_nodes, reference.road_edges)
    return drive_fields(xy, reference.infrastructure, graph, index=pts.index)


def prepare(records: Sequence[Mapping[str, Any]], reference: Reference) -> list[dict[str, Any]]:
    """Site records with their derived fields filled from ``reference`` (pure: nothing is read or written).

    Each record comes back normalised to the schema's columns and types. An ``outline`` key, when
    given, comes back cleaned (:func:`clean_outline`), and a record without a position takes its
    outline's representative point (provenance ``computed``). The computed fields (municipality name,
    province, ZLS and aid area, ZIS, distances and nearest names, the disused-area test, the truck drive
    times of geo/routing) and their
    ``__prov`` are filled for every record with a position; one without stays without them.

    Parameters
    ----------
    records
        Records as written (declared values, ``key__prov``, optionally ``outline``).
    reference
        The reference layers (:meth:`geo.catalogue.Catalogue.reference` gives the cached ones).

    Returns
    -------
    list of dict
        New records, in the same order; the inputs are not changed.
    """
    rows: list[dict[str, Any]] = []
    outlines: list[tuple[bool, Any]] = []
    for r in records:
        rec = dict(r)
        has_outline = "outline" in rec
        outline = clean_outline(rec.pop("outline", None))
        if (rec.get("lon") is None or rec.get("lat") is None) and outline is not None:
            p = outline.representative_point()
            rec["lon"], rec["lat"] = p.x, p.y
            for k in ("lat", "lon"):
                rec[prov_column(k)] = rec.get(prov_column(k)) or "computed"
        rows.append(normalise_record(rec))
        outlines.append((has_outline, outline))
    placed = [i for i, r in enumerate(rows) if r["lon"] is not None and r["lat"] is not None]
    if placed:
        pts = _points([rows[i] for i in placed])
        comp = computed_fields(pts, reference)
        comp = pd.concat([comp, _drive(pts, reference)], axis=1)
        cols = {c: comp[c].tolist() for c in comp.columns}
        for j, i in enumerate(placed):
            rows[i].update({c: v[j] for c, v in cols.items()})
            rows[i] = normalise_record(rows[i])
    for row, (has_outline, outline) in zip(rows, outlines):
        if has_outline:
            row["outline"] = outline
    return rows
