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
  interchanges, not exits. Point: centroid of the junction's arcs (EPSG:32632). Name: what a sign says,
  the municipality the exit lies in, then the motorway's number and route from the committed
  ``motorway_routes.csv`` ("Agrate Brianza (A4 Torino–Trieste)"); when one motorway has several exits in
  one municipality, the numbered road served tells them apart ("Milano, SP103 (A51 Tangenziale Est di
  Milano)"). The graph's codes are kept in ``junction_code``/``roads``, never in the name.
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
#: Motorway number and route by road-graph code (the official designations; see its ``note`` column).
ROUTES_CSV = "motorway_routes.csv"
STATIONS_CSV = "rail_stations.csv"
MOTORWAYS_GEOJSON = "motorways.geojson"
RAILWAYS_GEOJSON = "railways.geojson"
SOURCE_RL = "regione_lombardia_transport"
SOURCE_TRAINLINE = "trainline_stations"
#: A motorway in a junction code: A1, A4, A8D (branch), A4racc / A21racc (link), A35VAR, RAA7 (A7 link).
MOTORWAY_TOKEN = re.compile(r"^(RA)?A\d+[A-Za-z]*$")
SIMPLIFY_M = 50.0


#: What a road-graph code looks like inside an exit name (not what a road sign says): link-road suffixes
#: (``A4racc``, ``A35VAR``, ``RAA7``, ``A8D``), province-prefixed codes (``BSSP``), chains of former
#: designations (``SS ex BSSP ex SS11``), graph suffixes (``SP ex SS11V1``, ``SP14DIR``, ``SS35SUD``), the
#: graph's ``comunale`` and ``VF`` placeholders.
GRAPH_CODE = re.compile(r"racc\b|VAR\b|\bRAA\d|\bA\d+[A-Z]\w*|\bex\b\S* ex\b|comunale|\bVF\b|[A-Z]{2}SP"
                        r"|\b(?:SP|SS|SR)\s?\d+[A-Z]+\w*|\bex (?:SP|SS|SR)\d+[A-Z]+\w*")


def unreadable_exit_names(names) -> list[str]:
    """The exit names that hold a road-graph code (:data:`GRAPH_CODE`) instead of what a sign says.

    >>> unreadable_exit_names(["A4racc Castenedolo (comunale)", "Agrate Brianza (A4 Torino-Trieste)"])
    ['A4racc Castenedolo (comunale)']
    """
    return [n for n in names if GRAPH_CODE.search(str(n))]


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


def road_label(tok: str) -> str | None:
    """The designation a road sign gives a road-graph token, or None for an unnumbered road.

    The graph writes a road's whole history with its province prefix and variant suffixes; a sign
    shows its current number, or the former one when the road has no number of its own.

    >>> [road_label(t) for t in ("MISP245", "BSSPEXSS11V1", "SSEXBSSPEXSS11", "MISP013D", "COM", "VF", "SS36")]
    ['SP245', 'ex SS11', 'SS11', 'SP13', None, None, 'SS36']
    """
    parts = [re.sub(r"^(?:[A-Z]{2})?(?=S[PSR])", "", p) for p in str(tok).split("EX")]
    now = re.match(r"^(S[PSR])(\d+)", parts[0])
    if now:
        return f"{now.group(1)}{int(now.group(2))}"
    cat = re.match(r"^(S[PSR])$", parts[0])
    old = re.match(r"^(S[PSR])(\d+)", parts[-1]) if len(parts) > 1 else None
    if not (cat and old):
        return None
    number = f"{old.group(1)}{int(old.group(2))}"
    return number if cat.group(1) == old.group(1) else f"ex {number}"


def motorway_routes() -> dict[str, str]:
    """Motorway code of the road graph -> the motorway's signposted number and route ("A4 Torino–Trieste")."""
    df = pd.read_csv(_data_path(ROUTES_CSV), dtype=str)
    return dict(zip(df["code"], df["label"]))


def exit_name(place: str, motorway_codes: list[str], roads: list[str], routes: dict[str, str],
              with_road: bool = False) -> str:
    """An exit as a sign and a map name it: the place, then the motorway with its route.

    >>> exit_name("Agrate Brianza", ["A4"], ["SP13"], {"A4": "A4 Torino–Trieste"})
    'Agrate Brianza (A4 Torino–Trieste)'
    >>> exit_name("Milano", ["A51"], ["SP103"], {"A51": "A51 Tangenziale Est di Milano"}, with_road=True)
    'Milano, SP103 (A51 Tangenziale Est di Milano)'
    """
    motorway = " / ".join(dict.fromkeys(routes.get(m, m) for m in motorway_codes))
    road = f", {roads[0]}" if with_road and roads else ""
    return f"{place}{road} ({motorway})"


def derive_exits(junctions: gpd.GeoDataFrame, municipalities: gpd.GeoDataFrame,
                 routes: dict[str, str] | None = None) -> pd.DataFrame:
    """One row per motorway exit: id, name ("Agrate Brianza (A4 Torino–Trieste)"), motorways, roads, junction
    code, lon, lat.

    The name is the municipality the junction lies in (what Italian exits are signposted with), then the
    motorway's number and route (:data:`ROUTES_CSV`); when one motorway has several exits in one municipality,
    the numbered road each serves tells them apart. The graph's codes stay in ``junction_code``.
    """
    routes = motorway_routes() if routes is None else routes
    j = junctions[junctions["CODICE"].map(is_exit)].to_crs(METRIC_CRS)
    rows = []
    for code, grp in j.groupby("CODICE", sort=True):
        c = grp.geometry.union_all().centroid
        toks = _tokens(code)
        mot = list(dict.fromkeys(t for t in toks if MOTORWAY_TOKEN.match(t)))
        other = list(dict.fromkeys(r for t in toks if not MOTORWAY_TOKEN.match(t) and (r := road_label(t))))
        rows.append({"junction_code": code, "sz_eid": int(grp["SZ_EID"].iloc[0]), "motorways": "/".join(mot),
                     "roads": ", ".join(other), "x": c.x, "y": c.y})
    df = pd.DataFrame(rows)
    pts = gpd.GeoDataFrame(df, geometry=gpd.points_from_xy(df["x"], df["y"]), crs=METRIC_CRS)
    mun = municipalities.to_crs(METRIC_CRS)[["name", "geometry"]]
    hit = gpd.sjoin_nearest(pts, mun, how="left")
    hit = hit[~hit.index.duplicated(keep="first")]
    ll = pts.to_crs(4326)
    df["place"] = hit["name"].to_numpy()
    plain = [exit_name(p, m.split("/"), [], routes) for p, m in zip(df["place"], df["motorways"])]
    roads_of: dict[str, set[str]] = {}
    for name, roads in zip(plain, df["roads"]):
        roads_of.setdefault(name, set()).add(roads)
    df["name"] = [exit_name(p, m.split("/"), [r for r in roads.split(", ") if r], routes,
                            with_road=len(roads_of[n]) > 1)
                  for n, p, m, roads in zip(plain, df["place"], df["motorways"], df["roads"])]
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
