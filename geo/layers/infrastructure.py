"""Motorway exits, railway stations, motorways and railway lines from committed tables.

The product reads only the small tables in ``geo/data/`` (never ``../shared`` at
run time). They are derived, reproducibly, by ``regenerate()``::

    .venv/bin/python -m geo.layers.infrastructure /work/shared/data/infrastructure

from Regione Lombardia's transport layers as redistributed by Politecnico di
Milano's D-DUST project (``regione_lombardia/*.gpkg``) and the Trainline station
database (ODbL). The rules:

* **Motorway exits**: a road junction (*svincolo*, one ``CODICE`` = one
  ``SZ_EID``) whose code names at least one motorway (``A4``, ``A8D``,
  ``A4racc``, ``RAA7``...) *and* at least one non-motorway road (``SP``, ``SS``,
  ``SR``, ``COM``...). Junctions between motorways only (``A4_A51_1``) are
  interchanges, not exits. Point: centroid of the junction's arcs (EPSG:32632).
  The stem without the trailing ``_n`` is *not* a junction: ``A8_COM`` names
  exits 30 km apart.
* **Railway stations**: the Regione Lombardia stations (``DTIPO_MOD`` =
  *Stazione ferroviaria*) except those marked *Non Attiva*, one per name; plus,
  beyond the border, the Trainline rail stations (with a Trenitalia id, not a
  city meta-station) within 10 km of Lombardy (Piacenza, Novara, Chiasso...), so
  a site near the border gets its true nearest station.
* **Motorways** and **railways** (running lines, not service tracks): dissolved
  and simplified (~50 m) for drawing on the map; not for routing.
"""

from __future__ import annotations

import re
import sys
from importlib import resources
from pathlib import Path

import geopandas as gpd
import pandas as pd

from geo.places import METRIC_CRS

DATA = "geo.data"
EXITS_CSV = "motorway_exits.csv"
STATIONS_CSV = "rail_stations.csv"
MOTORWAYS_GEOJSON = "motorways.geojson"
RAILWAYS_GEOJSON = "railways.geojson"
SOURCE_RL = "regione_lombardia_transport"
SOURCE_TRAINLINE = "trainline_stations"
#: A motorway in a junction code: A1, A4, A8D (branch), A4racc / A21racc (link), A35VAR, RAA7 (A7 link).
MOTORWAY_TOKEN = re.compile(r"^(RA)?A\d+[A-Za-z]*$")
SIMPLIFY_M = 50.0


def _data_path(name: str) -> Path:
    return Path(str(resources.files(DATA).joinpath(name)))


def _points(df: pd.DataFrame) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(df.drop(columns=["lon", "lat"]), geometry=gpd.points_from_xy(df["lon"], df["lat"]),
                            crs=4326)


def motorway_exits() -> gpd.GeoDataFrame:
    """Motorway exits (``kind="motorway_junction"``) as infrastructure rows (INFRA_COLUMNS)."""
    df = pd.read_csv(_data_path(EXITS_CSV), dtype={"infra_id": str, "name": str, "junction_code": str})
    out = _points(df)
    out["kind"] = "motorway_junction"
    out["subkind"] = "exit"
    out["iata"] = None
    out["icao"] = None
    out["source"] = SOURCE_RL
    return out


def rail_stations() -> gpd.GeoDataFrame:
    """Railway stations (``kind="rail_station"``) as infrastructure rows (INFRA_COLUMNS)."""
    df = pd.read_csv(_data_path(STATIONS_CSV), dtype={"infra_id": str, "name": str, "operator": str,
                                                        "source": str})
    out = _points(df)
    out["kind"] = "rail_station"
    out["subkind"] = df["operator"].fillna("").where(lambda s: s != "", None).to_numpy()
    out["iata"] = None
    out["icao"] = None
    return out


def motorways() -> gpd.GeoDataFrame:
    """Lombardy's motorways, simplified, for the map."""
    return gpd.read_file(_data_path(MOTORWAYS_GEOJSON))


def railways() -> gpd.GeoDataFrame:
    """Lombardy's railway lines, simplified, for the map."""
    return gpd.read_file(_data_path(RAILWAYS_GEOJSON))


# --- regeneration from ../shared (development only) ---------------------------------------------------------

def _tokens(code: str) -> list[str]:
    return re.sub(r"_\d+$", "", str(code)).split("_")


def is_exit(code: str) -> bool:
    """A junction code joining a motorway to a non-motorway road.

    >>> is_exit("A4_MISP245_MISP176_1"), is_exit("A4_A51_1"), is_exit("A8_A8D_1")
    (True, False, False)
    """
    toks = [t for t in _tokens(code) if t]
    mot = [t for t in toks if MOTORWAY_TOKEN.match(t)]
    return bool(mot) and len(mot) < len(toks)


def _road_label(tok: str) -> str:
    """``MISP245`` -> ``SP245``, ``MISPEXSS35`` -> ``SP ex SS35``, ``COM`` -> ``strada comunale``."""
    if tok == "COM":
        return "comunale"
    m = re.match(r"^[A-Z]{2}(SP.*)$", tok)
    t = m.group(1) if m else tok
    return t.replace("EX", " ex ").replace("  ", " ").strip()


def derive_exits(junctions: gpd.GeoDataFrame, municipalities: gpd.GeoDataFrame) -> pd.DataFrame:
    """One row per motorway exit: id, name ("A4 Agrate Brianza (SP13)"), motorways, roads, junction code, lon, lat."""
    j = junctions[junctions["CODICE"].map(is_exit)].to_crs(METRIC_CRS)
    rows = []
    for code, grp in j.groupby("CODICE", sort=True):
        c = grp.geometry.union_all().centroid
        toks = _tokens(code)
        mot = list(dict.fromkeys(t for t in toks if MOTORWAY_TOKEN.match(t)))
        other = list(dict.fromkeys(_road_label(t) for t in toks if not MOTORWAY_TOKEN.match(t)))
        rows.append({"junction_code": code, "sz_eid": int(grp["SZ_EID"].iloc[0]), "motorways": "/".join(mot),
                     "roads": ", ".join(other), "x": c.x, "y": c.y})
    df = pd.DataFrame(rows)
    pts = gpd.GeoDataFrame(df, geometry=gpd.points_from_xy(df["x"], df["y"]), crs=METRIC_CRS)
    mun = municipalities.to_crs(METRIC_CRS)[["name", "geometry"]]
    hit = gpd.sjoin_nearest(pts, mun, how="left")
    hit = hit[~hit.index.duplicated(keep="first")]
    ll = pts.to_crs(4326)
    df["name"] = [f"{m} {n} ({r})" for m, n, r in zip(df["motorways"], hit["name"], df["roads"])]
    df["lon"] = ll.geometry.x.round(6)
    df["lat"] = ll.geometry.y.round(6)
    df["infra_id"] = [f"MX{e:05d}" for e in df["sz_eid"]]
    return df[["infra_id", "name", "motorways", "roads", "junction_code", "lon", "lat"]]


def derive_stations(rl: gpd.GeoDataFrame, trainline: gpd.GeoDataFrame) -> pd.DataFrame:
    """Regione Lombardia stations in service, plus Trainline rail stations beyond the border."""
    st = rl[(rl["DTIPO_MOD"] == "Stazione ferroviaria") & (rl["STATO"].fillna("") != "Non Attiva")
            & rl["NOME_SF"].notna()].to_crs(METRIC_CRS)
    st = st.drop_duplicates("NOME_SF", keep="first")
    pts = st.geometry.centroid.to_crs(4326)  # MultiPoints of one point: their centroid is the point
    a = pd.DataFrame({"infra_id": [f"RL{int(n):05d}" for n in st["NID"]], "name": st["NOME_SF"].str.strip(),
                      "operator": st["GESTORE"].fillna(""), "lon": pts.x.round(6), "lat": pts.y.round(6),
                      "source": SOURCE_RL})
    tl = trainline[(trainline["in_lombardy"].astype(str) != "True") & trainline["trenitalia_id"].notna()
                   & (trainline["is_city"].astype(str) != "t")]
    b = pd.DataFrame({"infra_id": [f"TL{int(i):06d}" for i in tl["id"]], "name": tl["name"].str.strip(),
                      "operator": "", "lon": tl.geometry.x.round(6), "lat": tl.geometry.y.round(6),
                      "source": SOURCE_TRAINLINE})
    return pd.concat([a, b], ignore_index=True).sort_values("infra_id").reset_index(drop=True)


def _lines(gdf: gpd.GeoDataFrame, name: str) -> gpd.GeoDataFrame:
    g = gdf.to_crs(METRIC_CRS).geometry.union_all().simplify(SIMPLIFY_M, preserve_topology=False)
    out = gpd.GeoDataFrame({"name": [name]}, geometry=[g], crs=METRIC_CRS).to_crs(4326)
    out["geometry"] = out.geometry.set_precision(1e-5)
    return out


def regenerate(shared: Path, dest: Path | None = None) -> dict[str, int]:
    """Rewrite the committed tables from ``shared`` (the ``infrastructure`` folder); returns row counts."""
    import pyogrio

    from geo.layers import admin

    dest = dest or _data_path("")
    rl = shared / "regione_lombardia"
    exits = derive_exits(pyogrio.read_dataframe(rl / "intersezioni_stradali.gpkg"), admin.municipalities())
    exits.to_csv(dest / EXITS_CSV, index=False)
    stations = derive_stations(pyogrio.read_dataframe(rl / "stazioni_ferroviarie.gpkg"),
                               pyogrio.read_dataframe(shared / "railway_stations_lombardy_trainline2016.geojson"))
    stations.to_csv(dest / STATIONS_CSV, index=False)
    mw = _lines(pyogrio.read_dataframe(rl / "highway.gpkg"), "Autostrade / Motorways")
    mw.to_file(dest / MOTORWAYS_GEOJSON, driver="GeoJSON", COORDINATE_PRECISION=5)
    rail = pyogrio.read_dataframe(rl / "rete_ferroviaria.gpkg")
    rail = rail[rail["DSTRATO"] == "Tratta ferroviaria"]
    rw = _lines(rail, "Ferrovie / Railways")
    rw.to_file(dest / RAILWAYS_GEOJSON, driver="GeoJSON", COORDINATE_PRECISION=5)
    return {"motorway_exits": len(exits), "rail_stations": len(stations)}


if __name__ == "__main__":  # pragma: no cover - a development script
    src = Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/data/infrastructure")
    print(regenerate(src))
