"""Municipalities as a place index: point-in-municipality, distances, names.

:class:`MunicipalityIndex` implements :class:`geo.schema.PlaceChecker` for
validation and the offline place look-up used by search ("S. Giovanni in
Croce", "cremona", "Rivarolo del Re").
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from functools import cached_property

import geopandas as gpd
import numpy as np
import shapely
from shapely.geometry import Point

from geo.errors import UserError
from geo.i18n import N_

METRIC_CRS = 32632  # UTM 32N: Lombardy's metric CRS for distances and areas
#: The 12 Lombardy provinces: ISTAT sigla -> ISTAT name (the same in both languages, like municipality names);
#: a sheet shows the name, never the code. Checked against the ISTAT layer by tests/test_truth.py.
PROVINCE_NAMES = {"BG": "Bergamo", "BS": "Brescia", "CO": "Como", "CR": "Cremona", "LC": "Lecco", "LO": "Lodi",
                  "MB": "Monza e della Brianza", "MI": "Milano", "MN": "Mantova", "PV": "Pavia", "SO": "Sondrio",
                  "VA": "Varese"}


def province_name(code: object) -> str:
    """The province's name for its sigla ("CR" -> "Cremona"); anything else as given."""
    return PROVINCE_NAMES.get(str(code), str(code))

_ABBREVIATIONS = {
    "s": "san", "s.": "san", "ss": "santi", "ss.": "santi", "sta": "santa", "s.ta": "santa",
    "sto": "santo", "s.to": "santo", "d": "di", "c.na": "cascina", "v.": "villa", "mte": "monte",
    "m.te": "monte", "b.go": "borgo",
}
_SAINTS = ("san", "santo", "santa", "santi")
#: Names that changed with municipal mergers, as people (and the DGR) still write them.
ALIASES = {"rivarolo del re": "rivarolo del re ed uniti"}


def normalise_name(name: str) -> str:
    """Lower-case, strip accents and punctuation, expand abbreviations.

    >>> normalise_name("S. Giovanni in Croce")
    'san giovanni in croce'
    >>> normalise_name("Cantù")
    'cantu'
    """
    s = unicodedata.normalize("NFKD", str(name)).encode("ascii", "ignore").decode().lower()
    s = s.replace("'", " ").replace("’", " ").replace("-", " ")
    words = []
    for w in re.split(r"\s+", s.strip()):
        if not w:
            continue
        w = _ABBREVIATIONS.get(w, w)
        words.append(w.strip(".,;:()"))
    return " ".join(w for w in words if w)


class MunicipalityIndex:
    """Lombardy municipalities, indexed for point and name queries.

    Parameters
    ----------
    municipalities
        GeoDataFrame with columns ``istat`` (6-digit str), ``name``,
        ``province`` and polygon geometry, in any CRS.
    region
        Optional Lombardy outline; defaults to the union of the municipalities.
    """

    def __init__(self, municipalities: gpd.GeoDataFrame, region=None) -> None:
        if municipalities.crs is None:
            raise UserError(N_("Municipality layer has no CRS."))
        self.gdf = municipalities.to_crs(METRIC_CRS).reset_index(drop=True)
        self._by_code = {c: i for i, c in enumerate(self.gdf["istat"])}
        self._region = region
        self._to_m = None

    # --- geometry helpers -------------------------------------------------
    def _xy(self, lon: float, lat: float) -> Point:
        import pyproj

        if self._to_m is None:
            self._to_m = pyproj.Transformer.from_crs(4326, METRIC_CRS, always_xy=True)
        x, y = self._to_m.transform(lon, lat)
        return Point(x, y)

    @cached_property
    def region_m(self):
        if self._region is not None:
            return gpd.GeoSeries([self._region], crs=4326).to_crs(METRIC_CRS).iloc[0]
        return shapely.union_all(self.gdf.geometry.values)

    @cached_property
    def _region_prepared(self):
        g = self.region_m
        shapely.prepare(g)
        return g

    # --- PlaceChecker -----------------------------------------------------
    def in_lombardy(self, lon: float, lat: float) -> bool:
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            return False
        return bool(self._region_prepared.contains(self._xy(lon, lat)))

    def municipality_name(self, istat: str) -> str | None:
        i = self._by_code.get(str(istat))
        return None if i is None else str(self.gdf.at[i, "name"])

    def distance_to_municipality_m(self, istat: str, lon: float, lat: float) -> float:
        i = self._by_code[str(istat)]
        return float(self.gdf.geometry.iloc[i].distance(self._xy(lon, lat)))

    def municipality_at(self, lon: float, lat: float) -> tuple[str, str] | None:
        idx = self.gdf.sindex.query(self._xy(lon, lat), predicate="within")
        if len(idx) == 0:
            return None
        row = self.gdf.iloc[int(idx[0])]
        return str(row["istat"]), str(row["name"])

    # --- names --------------------------------------------------------------
    @cached_property
    def _names(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for i, n in enumerate(self.gdf["name"]):
            out.setdefault(normalise_name(n), i)
        for alias, target in ALIASES.items():
            if target in out:
                out.setdefault(alias, out[target])
        return out

    def find(self, name: str) -> dict:
        """Look a municipality up by name, tolerant of case, accents and abbreviations.

        Returns a dict with ``istat``, ``name``, ``province``, ``lon``, ``lat``
        (a point inside the municipality) and ``geometry`` (EPSG:32632).

        Raises
        ------
        UserError
            When nothing matches, with the closest names as suggestions.
        """
        key = normalise_name(name)
        i = self._names.get(key)
        if i is None and key.split(" ")[0] in _SAINTS:
            rest = key.split(" ", 1)[1] if " " in key else ""
            for s in _SAINTS:
                i = self._names.get(f"{s} {rest}")
                if i is not None:
                    break
        if i is None and re.fullmatch(r"\d{5,6}", name.strip()):
            i = self._by_code.get(name.strip().zfill(6))
        if i is None:
            close = difflib.get_close_matches(key, list(self._names), n=3, cutoff=0.8)
            if len(close) == 1 or (close and difflib.SequenceMatcher(None, key, close[0]).ratio() > 0.92):
                i = self._names[close[0]]
            else:
                # Suggestions may be looser than a match: the first word alone ("Cremonna di Sotto" ->
                # Cremona), then anything at 0.6 similarity.
                close = close or difflib.get_close_matches(key.split(" ")[0], list(self._names), n=3, cutoff=0.75) \
                    or difflib.get_close_matches(key, list(self._names), n=3, cutoff=0.6)
                if not close:
                    raise UserError(N_("No Lombardy municipality is called '{name}', nor anything close to it. "
                                       "Check the spelling, or give the municipality's ISTAT code."), name=name)
                sugg = ", ".join(str(self.gdf.at[self._names[c], "name"]) for c in close)
                raise UserError(N_("No Lombardy municipality is called '{name}'. Did you mean: {suggestions}?"),
                                name=name, suggestions=sugg)
        row = self.gdf.iloc[i]
        p = gpd.GeoSeries([row.geometry.representative_point()], crs=METRIC_CRS).to_crs(4326).iloc[0]
        return {"istat": str(row["istat"]), "name": str(row["name"]), "province": str(row.get("province", "")),
                "lon": p.x, "lat": p.y, "geometry": row.geometry}

    def codes(self) -> np.ndarray:
        return self.gdf["istat"].to_numpy()
