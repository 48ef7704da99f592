"""The ZLS Lombardia (Zona Logistica Semplificata of the ports of Cremona and Mantova).

The 18 municipalities and the 6 in the 2022-2027 regional aid map are a legal
fact (DPCM 27 Dec 2024; DGR XII/4959 of 2025, §1.3), kept in the committed
table ``geo/data/zls_municipalities.csv``. The real ZLS covers only the port,
logistic and productive areas *within* these municipalities (3,303 ha), so
whole municipalities over-state it; :data:`PERIMETER_NOTE` says so wherever it
is shown, and an imported perimeter replaces it for ``in_zls``.
"""

from __future__ import annotations

from importlib import resources

import geopandas as gpd
import pandas as pd

from geo.i18n import N_, translator

LEGAL_BASIS = ("DPCM 27/12/2024 (registrato 31/01/2025) istitutivo della ZLS Lombardia; "
               "DGR XII/4959 dell'8/9/2025 §1.3; Carta degli aiuti a finalità regionale 2022-2027")
#: Shown wherever the municipality approximation is (translated where shown).
PERIMETER_NOTE = N_("Approximation, smaller in reality: the ZLS covers only the port, back-port, productive and "
                    "logistic areas within these municipalities (3,303 ha out of a 9,576 ha maximum).")

#: What the ZLS brings to an investor (translated where shown).
BENEFITS = [
    N_("Single authorisation through the regional one-stop shop or SUAP"),
    N_("Deadlines cut by one third for EIA, SEA, IPPC and AUA permits"),
    N_("Port concessions in half the time"),
    N_("Halved deadlines, with tacit approval (silenzio-assenso), for acts involving several authorities"),
    N_("Possible customs free zones"),
    N_("Guarantees for logistics and river-transport investments"),
]
AID_AREA_BENEFIT = N_("ZLS tax credit on capital goods (2022-2027 regional aid map area, art. 107.3.c TFEU)")


def zls_table() -> pd.DataFrame:
    with resources.files("geo.data").joinpath("zls_municipalities.csv").open() as fh:
        df = pd.read_csv(fh, dtype=str)
    df["aid_area"] = df["aid_area"].str.lower().eq("true")
    return df


def zls_municipalities(municipalities: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The ZLS municipalities with their ISTAT 2023 boundaries.

    Raises
    ------
    ValueError
        If a code of the table is missing from the boundaries (a data upgrade
        renamed or merged a municipality): better to fail the build than to
        silently drop a ZLS municipality.
    """
    table = zls_table()
    joined = municipalities[["istat", "name", "province", "geometry"]].merge(
        table[["istat", "name_in_dgr", "aid_area"]], on="istat", how="inner")
    missing = set(table["istat"]) - set(joined["istat"])
    if missing:
        raise ValueError(f"ZLS municipalities missing from ISTAT boundaries: {sorted(missing)}")
    joined["legal_basis"] = LEGAL_BASIS
    joined["note"] = PERIMETER_NOTE
    joined["note_it"] = translator("it")(PERIMETER_NOTE)  # the layer's stored columns (English, Italian)
    joined["source"] = "DPCM 27/12/2024; DGR XII/4959/2025"
    return gpd.GeoDataFrame(joined, geometry="geometry", crs=municipalities.crs)


def check_perimeter(perimeter: gpd.GeoDataFrame, municipalities: gpd.GeoDataFrame, name: str) -> None:
    """Refuse a ZLS perimeter that is not within the ZLS municipalities.

    Every feature of ``perimeter`` must intersect one of the 18 municipalities (layer
    ``zls_municipalities``), and the whole must not be larger than they are: the real ZLS is a part of them
    (3,303 ha), so a perimeter elsewhere or larger is a wrong file, which would silently set every listing's
    ``in_zls`` to false.

    Raises
    ------
    InputFileError
        Naming the file and the feature (``#n``, in file order).
    """
    import shapely

    from geo.errors import InputFileError
    from geo.places import METRIC_CRS

    if municipalities is None or len(municipalities) == 0:
        raise InputFileError(N_("The catalogue has no ZLS municipalities to check the perimeter {name} against: "
                                "rebuild the catalogue (geo build) first."), name=name)
    zone = shapely.union_all(municipalities.to_crs(METRIC_CRS).geometry.to_numpy())
    per = perimeter.to_crs(METRIC_CRS).geometry.to_numpy()
    hits = shapely.intersects(per, zone)
    if not hits.all():
        i = int((~hits).nonzero()[0][0])
        raise InputFileError(N_("{name}: feature #{feature} does not touch any of the 18 ZLS municipalities: a ZLS "
                                "perimeter lies within them. Check the file (and its CRS). Nothing was imported."),
                             name=name, feature=i + 1)
    area, within = float(shapely.area(shapely.union_all(per))), float(zone.area)
    if area > within * 1.01:
        raise InputFileError(N_("{name}: the perimeter covers {area} ha, more than the {within} ha of the 18 ZLS "
                                "municipalities it must lie within. Check the file. Nothing was imported."),
                             name=name, area=lambda _: _.integer(round(area / 1e4)),
                             within=lambda _: _.integer(round(within / 1e4)))
