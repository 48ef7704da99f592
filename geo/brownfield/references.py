"""Reference registers an analyst brings: imported once into the catalogue, then named in any evaluation.

``geo brownfield reference import FILE --name NAME`` reads points or polygons (a regional census of
disused areas, a land-use class of degraded unused land, an OpenStreetMap ``landuse=brownfield``
extract), checks them (a CRS, readable and valid geometries of one kind, inside Lombardy, within the
import limits of :mod:`geo.layers.imports`) and stores them in one unit of work:

* ``brownfield_references``: one row per reference (name, kind, number of sites, source, licence, the
  file's SHA-256, its coverage and how it was drawn, who imported it and when);
* ``brownfield_reference_sites``: the sites, each with its reference's name, as WKT in EPSG:4326 (one
  column holds points or polygons; revision 0007).

**Coverage.** A register rarely covers the whole analysed area (a municipality's list, a province's
census). The evaluation is restricted to the reference's coverage: the area declared with ``--extent``
(a polygon file), or else the convex hull of its sites grown by the 50 m matching tolerance. The hull is
an assumption (a register of a municipality covers the municipality, not the hull of its sites), so the
evaluation says which one it used.

``geo brownfield evaluate --reference NAME`` reads a reference from the catalogue by name; a path is read
as a file (without restriction unless ``--extent`` is given), as before.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.errors import InputFileError, UserError
from geo.i18n import N_, translator

TABLE = "brownfield_references"
SITES = "brownfield_reference_sites"
METRIC = 32632
#: The hull of a reference's sites is grown by the matching tolerance: a point on the hull's edge can be
#: matched by a candidate up to this far outside it.
HULL_MARGIN_M = 50.0
#: Reference names: what a person types after ``--reference`` (letters, digits, ``-_.``; 64 at most).
NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


class ReferenceError(InputFileError):
    """A reference file or name that cannot be used: nothing was stored."""


@dataclass
class Reference:
    """A reference ready to evaluate with: its sites (EPSG:4326), the coverage the evaluation is restricted to
    (EPSG:32632, None = the whole analysed area), what to call it and its file's hash."""

    frame: gpd.GeoDataFrame
    coverage: object | None
    label: str
    sha256: str
    how: str | None = None  # "hull" | "declared" | None
    name: str | None = None

    def coverage_text(self, lang: str = "en") -> str:
        _ = translator(lang)
        return _("the convex hull of its sites, grown by 50 m") if self.how == "hull" else _("its declared extent")

    def coverage_share(self, run, restricted) -> float:
        whole = run.analysed_area.to_crs(METRIC).geometry.union_all() if run.analysed_area is not None else None
        return float(restricted.area / whole.area) if whole is not None and whole.area else 1.0


def file_sha256(path: str | Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def read_reference_file(path: str | Path) -> tuple[gpd.GeoDataFrame, str]:
    """The sites of a reference file, checked, in EPSG:4326, and their kind ("point" or "polygon").

    Raises
    ------
    InputFileError
        No CRS, unreadable or empty geometry, points and polygons mixed, lines, an invalid polygon, a site
        outside Lombardy, too many rows or vertices (naming the file and the feature).
    """
    from geo.layers.imports import MAX_AREA_ROWS, _check_polygons, _label, _read_vector, _to_wgs84_in_lombardy

    path = Path(path)
    gdf = _read_vector(path, max_rows=MAX_AREA_ROWS)
    name = path.name
    id_col = next((c for c in gdf.columns if c.strip().lower() in ("name", "nome", "id", "cod_prog")), None)
    ll = _to_wgs84_in_lombardy(gdf, name, id_col)
    types = set(ll.geometry.geom_type)
    if types <= {"Point"}:
        kind = "point"
    elif types <= {"Polygon", "MultiPolygon"}:
        _check_polygons(ll, name, id_col)
        kind = "polygon"
    else:
        kinds = ll.geometry.geom_type.map(lambda t: "point" if t == "Point" else
                                          "polygon" if t in ("Polygon", "MultiPolygon") else t)
        odd = (kinds != kinds.iloc[0]) if kinds.iloc[0] in ("point", "polygon") else (kinds == kinds.iloc[0])
        i = int(odd.to_numpy().nonzero()[0][0])
        raise ReferenceError(N_("{name}: a reference holds points or polygons, one kind per file; feature {feature} "
                                "is a {type} (found: {types}). Nothing was imported."), name=name,
                             feature=_label(ll, i, id_col), type=ll.geometry.iloc[i].geom_type,
                             types=", ".join(sorted(types)))
    return ll, kind


def hull_coverage(sites: gpd.GeoDataFrame):
    """The convex hull of the sites (EPSG:32632), grown by :data:`HULL_MARGIN_M`."""
    return sites.to_crs(METRIC).geometry.union_all().convex_hull.buffer(HULL_MARGIN_M)


def read_extent(path: str | Path):
    """A declared coverage: the union of a polygon file's features (checked as references are), EPSG:32632."""
    frame, kind = read_reference_file(path)
    if kind != "polygon":
        raise ReferenceError(N_("{name}: an extent is an area: give polygons, not points."), name=Path(path).name)
    return frame.to_crs(METRIC).geometry.union_all()


def check_name(name: str) -> str:
    name = (name or "").strip()
    if not NAME_RE.match(name):
        raise UserError(N_("Reference name '{name}' is not allowed: use 1-64 letters, digits, '-', '_' or '.', "
                           "starting with a letter or digit."), name=name)
    return name


def import_reference(cat, path: str | Path, name: str, source: str | None = None, licence: str | None = None,
                     extent: str | Path | None = None, actor: str = "geo brownfield reference import",
                     replace: bool = False) -> dict:
    """Validate ``path`` (and ``extent``) completely, then store the reference in one unit of work.

    Returns the reference's row (as stored). A name already in the catalogue is refused unless ``replace``.
    """
    name = check_name(name)
    sites, kind = read_reference_file(path)
    coverage, how = (read_extent(extent), "declared") if extent else (hull_coverage(sites), "hull")
    cov_ll = gpd.GeoSeries([coverage], crs=METRIC).to_crs(4326).iloc[0]
    row = {"name": name, "kind": kind, "n_sites": int(len(sites)), "source": source or Path(path).name,
           "licence": licence or "not declared", "file_name": Path(path).name, "sha256": file_sha256(path),
           "coverage": how, "coverage_wkt": shapely.to_wkt(cov_ll, rounding_precision=7),
           "imported_at": dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat()}
    keep = [c for c in ("name", "nome", "id", "cod_prog") if c in sites.columns][:1]
    stored = pd.DataFrame({"reference": name, "site_no": np.arange(1, len(sites) + 1, dtype="int64"),
                           "site_label": sites[keep[0]].astype(str).to_numpy() if keep else None,
                           "geometry_wkt": shapely.to_wkt(sites.geometry.to_numpy(), rounding_precision=7)})
    with cat.unit_of_work(actor=actor, reason=f"brownfield reference {name}") as uow:
        existing = uow.table(TABLE, where={"name": [name]})
        if len(existing) and not replace:
            raise UserError(N_("A reference named '{name}' is already in the catalogue: choose another name, or "
                               "add --replace to replace it."), name=name)
        if len(existing):
            uow.delete(TABLE, where={"name": [name]})
            uow.delete(SITES, where={"reference": [name]})
        uow.insert(TABLE, pd.DataFrame([{**row, "actor": uow.actor}]))
        uow.insert(SITES, stored)
    return row


def references(cat) -> pd.DataFrame:
    """The catalogue's references (one row each), without their coverage geometry."""
    t = cat.table(TABLE)
    return t.drop(columns=[c for c in ("coverage_wkt", "fid") if c in t.columns]) if len(t) else t


def from_catalogue(cat, name: str) -> Reference:
    """A stored reference by name, with its coverage."""
    rows = cat.table(TABLE, where={"name": [name]})
    if len(rows) == 0:
        raise UserError(N_("No reference file or catalogue reference named '{name}': give a file, or import it "
                           "with 'geo brownfield reference import FILE --name {name}'."), name=name)
    row = rows.iloc[0]
    sites = cat.table(SITES, where={"reference": [name]})
    sites = sites.sort_values("site_no") if "site_no" in sites else sites
    frame = gpd.GeoDataFrame(sites.drop(columns=[c for c in ("fid", "geometry_wkt") if c in sites.columns]),
                             geometry=shapely.from_wkt(sites["geometry_wkt"].to_numpy()), crs=4326)
    coverage = gpd.GeoSeries([shapely.from_wkt(row["coverage_wkt"])], crs=4326).to_crs(METRIC).iloc[0]
    return Reference(frame, coverage, name, str(row["sha256"]), str(row["coverage"]), name)


def load_reference(value: str, catalogue_path=None, extent: str | None = None) -> Reference:
    """``--reference``: a file (read as before; restricted to ``extent`` = "hull" or a polygon file when
    given) or the name of a catalogue reference (restricted to its stored coverage)."""
    from geo.brownfield.run import read_frame

    path = Path(value)
    if path.is_file():
        frame = read_frame(path)
        coverage, how = None, None
        if extent == "hull":
            coverage, how = hull_coverage(frame), "hull"
        elif extent:
            coverage, how = read_extent(extent), "declared"
        return Reference(frame, coverage, path.name, file_sha256(path), how)
    if not NAME_RE.match(value or ""):
        raise InputFileError(N_("File not found: {path}"), path=str(value))
    from geo.catalogue import open_catalogue

    cat = open_catalogue(catalogue_path)
    ref = from_catalogue(cat, value)
    if extent:  # an explicit extent overrides the stored coverage
        ref.coverage, ref.how = (hull_coverage(ref.frame), "hull") if extent == "hull" else (read_extent(extent),
                                                                                            "declared")
    return ref


__all__ = ["Reference", "ReferenceError", "import_reference", "references", "from_catalogue", "load_reference",
           "read_reference_file", "hull_coverage", "TABLE", "SITES"]
