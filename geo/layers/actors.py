"""Innovation actors near a site: starting with the nine Lombardy technology clusters (CTL).

The committed table ``geo/data/innovation_actors.csv`` is derived, reproducibly, from the
Regione Lombardia / Confindustria Lombardia publication *Cluster Tecnologici Lombardi*
(``../shared/reference/cluster-tecnologici-lombardi.txt``) by::

    .venv/bin/python -m geo.layers.actors /work/shared/reference/cluster-tecnologici-lombardi.txt

Each cluster keeps its name, innovation ecosystem, technology areas, headquarters
address and website as printed. Its point is the **centroid of the headquarters'
municipality** (no street geocoding offline): ``location_precision = "municipality"``
says so wherever distances are shown. Where the document lists two seats, the first
is the headquarters.
"""

from __future__ import annotations

import re
import sys
from importlib import resources
from pathlib import Path

import geopandas as gpd
import pandas as pd

ACTOR_KINDS = ("cluster", "university", "irccs", "its", "incubator")
ACTORS_CSV = "innovation_actors.csv"
SOURCE = "cluster_tecnologici_lombardi"
COLUMNS = ["actor_id", "kind", "name", "ecosystem", "technology_areas", "address", "municipality", "website",
           "location_precision", "source"]


def _data_path(name: str) -> Path:
    return Path(str(resources.files("geo.data").joinpath(name)))


def _section(lines: list[str], start: int, heading: str) -> str:
    """The text after ``heading`` (from line ``start``) up to the next blank-separated upper-case heading."""
    for i in range(start, len(lines)):
        if lines[i].strip() == heading:
            out = []
            for line in lines[i + 1:]:
                s = line.strip()
                if s and s.isupper() and len(s) > 3 and not re.search(r"\d", s):
                    break
                if s:
                    out.append(s)
            return "\n".join(out)
    return ""


def parse_clusters(text: str) -> pd.DataFrame:
    """The nine clusters of the publication: name, ecosystem, technology areas, seat, website."""
    lines = text.splitlines()
    # Names as printed in the table of contents ("Cluster Lombardo della Mobilità\t10"), by upper-case heading.
    toc = {m.group(1).strip().casefold(): m.group(1).strip() for line in lines
           if (m := re.match(r"^(.+?)\t\d+\s*$", line))}
    starts = [i for i, line in enumerate(lines)
              if line.strip().isupper() and not line.strip().startswith("*") and ("CLUSTER" in line or "ASSOCIATION" in line or "ASSOCIAZIONE" in line)
              and any("INFORMAZIONI GENERALI" in x for x in lines[i + 1:i + 16])]
    rows = []
    for n, i in enumerate(starts, 1):
        seat = _section(lines, i, "SEDE").splitlines()
        address = seat[0] if seat else ""
        m = re.search(r"\b\d{5}\s+(.+)$", address)
        rows.append({"actor_id": f"CTL{n:02d}", "kind": "cluster", "name": toc.get(lines[i].strip().casefold(), lines[i].strip().title()),
                     "ecosystem": _section(lines, i, "ECOSISTEMA DI RIFERIMENTO").replace("\n", " "),
                     "technology_areas": _section(lines, i, "AREE TECNOLOGICHE").replace("\n", " "),
                     "address": address, "municipality": m.group(1).strip() if m else "",
                     "website": _section(lines, i, "SITO WEB").splitlines()[0] if _section(lines, i, "SITO WEB") else "",
                     "location_precision": "municipality", "source": SOURCE})
    return pd.DataFrame(rows, columns=COLUMNS)


def innovation_actors(municipalities: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The committed actors located at their municipality's centroid (EPSG:4326)."""
    df = pd.read_csv(_data_path(ACTORS_CSV), dtype=str).fillna("")
    from geo.places import METRIC_CRS

    mun = municipalities.to_crs(METRIC_CRS)
    by_name = {str(n).casefold(): g for n, g in zip(mun["name"], mun.geometry)}
    pts = []
    for name in df["municipality"]:
        g = by_name.get(name.casefold())
        if g is None:
            raise ValueError(f"innovation_actors.csv: municipality {name!r} not found in the ISTAT boundaries")
        pts.append(g.centroid)
    return gpd.GeoDataFrame(df, geometry=gpd.GeoSeries(pts, crs=METRIC_CRS).to_crs(4326).to_numpy(), crs=4326)


def nearest_actors(lon: float, lat: float, actors: gpd.GeoDataFrame, per_kind: int = 3) -> pd.DataFrame:
    """The ``per_kind`` nearest actors of each kind to a point: kind, name, ecosystem, km (straight line),
    location precision; nearest first."""
    from pyproj import Transformer

    from geo.places import METRIC_CRS

    cols = ["kind", "name", "ecosystem", "km", "location_precision"]
    if actors is None or len(actors) == 0:
        return pd.DataFrame(columns=cols)
    x, y = Transformer.from_crs(4326, METRIC_CRS, always_xy=True).transform(lon, lat)
    m = actors.to_crs(METRIC_CRS)
    out = pd.DataFrame({"kind": actors["kind"].to_numpy(), "name": actors["name"].to_numpy(),
                        "ecosystem": actors.get("ecosystem", pd.Series([""] * len(actors))).to_numpy(),
                        "km": ((m.geometry.x - x) ** 2 + (m.geometry.y - y) ** 2).pow(0.5).to_numpy() / 1000.0,
                        "location_precision": actors.get("location_precision",
                                                         pd.Series([""] * len(actors))).to_numpy()})
    out["km"] = out["km"].round(1)
    out = out.sort_values(["kind", "km"]).groupby("kind", sort=False).head(per_kind)
    return out.sort_values("km").reset_index(drop=True)[cols]


def read_actors(path: str | Path, kind: str, source: str | None = None) -> gpd.GeoDataFrame:
    """Innovation actors of one ``kind`` from a file (GeoJSON/GeoPackage points, or CSV with lat/lon),
    validated like infrastructure imports (CRS, points, near Lombardy); for ``geo import actors``.

    Optional columns: ``name``/``nome``/``denominazione``, ``ecosystem``, ``technology_areas``, ``address``,
    ``municipality``, ``website``; points are exact (``location_precision = "point"``).
    """
    from geo.errors import InputFileError
    from geo.i18n import N_
    from geo.layers.imports import read_infrastructure

    if kind not in ACTOR_KINDS:
        raise InputFileError(N_("Kind '{kind}' not allowed: {allowed}."), kind=kind, allowed=", ".join(ACTOR_KINDS))
    # Same reader and checks as infrastructure points (any kind there, then relabelled).
    pts = read_infrastructure(path, "port", source)
    raw = gpd.read_file(path) if Path(path).suffix.lower() not in (".csv", ".txt") else pd.read_csv(path, dtype=str)
    src = pts["source"].iloc[0] if len(pts) else (source or Path(path).name)
    out = pd.DataFrame({"actor_id": [f"{kind}:{src}:{i}" for i in range(len(pts))], "kind": kind,
                        "name": pts["name"].to_numpy()})
    for col in ("ecosystem", "technology_areas", "address", "municipality", "website"):
        out[col] = raw[col].fillna("").astype(str).to_numpy() if col in raw else ""
    out["location_precision"] = "point"
    out["source"] = src
    return gpd.GeoDataFrame(out[COLUMNS], geometry=pts.geometry.to_numpy(), crs=4326)


def merge_actors(current: gpd.GeoDataFrame, new: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """``new`` replaces the rows of ``current`` with the same kind and source; the others stay."""
    if current is None or len(current) == 0:
        return new
    keep = ~(current["kind"].isin(set(new["kind"])) & current["source"].isin(set(new["source"])))
    return gpd.GeoDataFrame(pd.concat([current[keep], new], ignore_index=True), geometry="geometry", crs=4326)


def regenerate(source: Path, dest: Path | None = None) -> int:
    df = parse_clusters(source.read_text(encoding="utf-8"))
    df.to_csv(dest or _data_path(ACTORS_CSV), index=False)
    return len(df)


if __name__ == "__main__":  # pragma: no cover - a development script
    print(regenerate(Path(sys.argv[1] if len(sys.argv) > 1 else
                          "../shared/reference/cluster-tecnologici-lombardi.txt")))
