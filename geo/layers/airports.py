"""Airports of and around Lombardy from the ``airportsdata`` package (MIT).

Selection rule (reproducible, no hand-picked list):

* ``subkind="airport"``: every airport **with an IATA code** within
  :data:`BUFFER_KM` (50 km) of the Lombardy boundary, measured in EPSG:32632.
  Today: Malpensa, Linate, Orio al Serio, Montichiari, Verona, Parma, Genova,
  Bologna, Lugano, Locarno, Samedan. Only these count for the computed
  ``dist_airport_km`` / ``nearest_airport`` of a site.
* ``subkind="airfield"``: the airfields **inside** Lombardy with only an ICAO
  code (Bresso, Venegono, Cremona-Migliaro, Ghedi...), kept as context on the
  map but never offered as "nearest airport".

An IATA code is the package's only proxy for commercial relevance (it has no
size or traffic field); Locarno and Samedan have one while being mostly
general aviation.
"""

from __future__ import annotations

from typing import Any, Mapping

import geopandas as gpd
import pandas as pd
import pyproj
from shapely.geometry import Point

from geo.i18n import N_, translator
from geo.places import METRIC_CRS

BUFFER_KM = 50.0
SOURCE = "airportsdata"
#: The airports' own names by ICAO code, as their operators, ENAC and the Swiss FOCA publish them (the
#: package's "Malpensa International Airport" or "Genova / Sestri Cristoforo Colombo Airport" are neither
#: what a sign says nor translatable). Marked for translation: the Italian sheet says "Aeroporto di Milano
#: Malpensa" (geo/locale/it/LC_MESSAGES/search.po). An airport not listed keeps the package's name.
NAMES: dict[str, str] = {
    "LIMC": N_("Milan Malpensa Airport"),
    "LIML": N_("Milan Linate Airport"),
    "LIME": N_("Bergamo Orio al Serio Airport"),
    "LIPO": N_("Brescia Montichiari Airport"),
    "LIPX": N_("Verona Villafranca Airport"),
    "LIMP": N_("Parma Airport"),
    "LIMJ": N_("Genoa Cristoforo Colombo Airport"),
    "LIPE": N_("Bologna Guglielmo Marconi Airport"),
    "LSZA": N_("Lugano Airport"),
    "LSZL": N_("Locarno Airport"),
    "LSZS": N_("Samedan Engadin Airport"),
}
_KNOWN = set(NAMES.values())
#: The package's names stored by catalogues built before :data:`NAMES` (shown by their own name until rebuilt).
_FORMER = {"Malpensa International Airport": "LIMC", "Linate Airport": "LIML",
           "Bergamo / Orio Al Serio Airport": "LIME", "Brescia / Montichiari Airport": "LIPO",
           "Verona / Villafranca Airport": "LIPX", "Parma Airport": "LIMP",
           "Genova / Sestri Cristoforo Colombo Airport": "LIMJ", "Bologna / Borgo Panigale Airport": "LIPE",
           "Samedan Airport": "LSZS"}


def airport_name(name: str, lang: str) -> str:
    """A stored airport name in the reader's language (an unknown name as stored).

    >>> airport_name("Milan Malpensa Airport", "it"), airport_name("Malpensa International Airport", "en")
    ('Aeroporto di Milano Malpensa', 'Milan Malpensa Airport')
    """
    name = NAMES[_FORMER[name]] if name in _FORMER else name
    return translator(lang)(name) if name in _KNOWN else name


def load_airportsdata() -> Mapping[str, Mapping[str, Any]]:
    """The ``airportsdata`` table keyed by ICAO code (an I/O edge, swappable in tests)."""
    import airportsdata

    return airportsdata.load("ICAO")


def airports(region: gpd.GeoDataFrame, data: Mapping[str, Mapping[str, Any]] | None = None,
             buffer_km: float = BUFFER_KM) -> gpd.GeoDataFrame:
    """The ``infrastructure`` rows of kind ``airport`` (see the module docstring for the rule).

    Parameters
    ----------
    region
        Lombardy's outline (any CRS).
    data
        ``airportsdata.load("ICAO")``-shaped mapping; loaded from the package when None.
    buffer_km
        How far outside the boundary an airport with an IATA code still counts.

    Returns
    -------
    GeoDataFrame
        Columns ``infra_id`` (``airport:<ICAO>``), ``kind``, ``name``, ``iata``,
        ``icao``, ``subkind`` (``airport``/``airfield``), ``source``; points in EPSG:4326.
    """
    data = load_airportsdata() if data is None else data
    outline = region.to_crs(METRIC_CRS).union_all()
    near = outline.buffer(buffer_km * 1000.0)
    to_m = pyproj.Transformer.from_crs(4326, METRIC_CRS, always_xy=True)
    # A cheap pre-filter in degrees (1.5 deg > 50 km at these latitudes) before the metric test.
    x0, y0, x1, y1 = region.to_crs(4326).total_bounds
    rows = []
    for icao, a in sorted(data.items()):
        lon, lat = float(a["lon"]), float(a["lat"])
        if not (x0 - 1.5 <= lon <= x1 + 1.5 and y0 - 1.5 <= lat <= y1 + 1.5):
            continue
        p = Point(*to_m.transform(lon, lat))
        iata = (a.get("iata") or "").strip() or None
        if iata and near.contains(p):
            subkind = "airport"
        elif not iata and outline.contains(p):
            subkind = "airfield"
        else:
            continue
        rows.append({"infra_id": f"airport:{icao}", "kind": "airport", "name": NAMES.get(icao, str(a["name"])),
                     "iata": iata,
                     "icao": icao, "subkind": subkind, "source": SOURCE, "lon": lon, "lat": lat})
    df = pd.DataFrame(rows, columns=["infra_id", "kind", "name", "iata", "icao", "subkind", "source", "lon", "lat"])
    return gpd.GeoDataFrame(df.drop(columns=["lon", "lat"]),
                            geometry=gpd.points_from_xy(df["lon"], df["lat"]), crs=4326)
