"""Airports of and around Lombardy from the ``airportsdata`` package (MIT).

Rule: every airport with an IATA code inside Lombardy's bounding box widened
by about 60 km (so that Verona, Parma, Piacenza and Lugano count as
neighbours), plus the Lombardy airfields listed there by ICAO code only.
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd

from geo.schema.validate import LOMBARDY_BBOX

MARGIN_DEG = 0.8


def airports() -> gpd.GeoDataFrame:
    import airportsdata

    data = airportsdata.load("ICAO")
    x0, y0, x1, y1 = LOMBARDY_BBOX
    rows = []
    for icao, a in data.items():
        lon, lat = float(a["lon"]), float(a["lat"])
        if not (x0 - MARGIN_DEG <= lon <= x1 + MARGIN_DEG and y0 - MARGIN_DEG <= lat <= y1 + MARGIN_DEG):
            continue
        if a["country"] not in ("IT", "CH"):
            continue
        in_lombardy = a.get("subd") == "Lombardy"
        if not a.get("iata") and not in_lombardy:
            continue
        rows.append({
            "infra_id": f"airport:{icao}", "kind": "airport", "name": a["name"],
            "iata": a.get("iata") or None, "icao": icao,
            "subkind": "airport" if a.get("iata") else "airfield",
            "source": "airportsdata", "lon": lon, "lat": lat,
        })
    df = pd.DataFrame(rows)
    return gpd.GeoDataFrame(df.drop(columns=["lon", "lat"]),
                            geometry=gpd.points_from_xy(df["lon"], df["lat"]), crs=4326)
