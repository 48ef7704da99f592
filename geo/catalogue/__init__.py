"""The catalogue: one repository interface, a GeoPackage backend.

>>> from geo.catalogue import open_catalogue          # doctest: +SKIP
>>> cat = open_catalogue("data/catalogue.gpkg")       # doctest: +SKIP
>>> cat.sites().shape                                  # doctest: +SKIP

A PostGIS backend implements :class:`CatalogueBackend` with the same methods.
"""

from __future__ import annotations

import os
from typing import Any, Callable, Iterable, Protocol, Sequence

import geopandas as gpd
import pandas as pd

from geo.catalogue.compute import compute_site_fields, legal_disused
from geo.catalogue.gpkg import SCHEMA_VERSION, GeoPackageCatalogue
from geo.places import MunicipalityIndex


class CatalogueBackend(Protocol):
    """What every catalogue store provides (see docs/contracts.md).

    Writes are all-or-nothing; ``update_layers`` is the read-modify-write
    primitive (the change function sees the store as it is under the writer
    lock). A PostGIS backend maps it onto one transaction.
    """

    def layer(self, name: str, bbox: tuple[float, float, float, float] | None = None) -> pd.DataFrame: ...
    def sites(self, statuses: Sequence[str] | None = ("published",)) -> gpd.GeoDataFrame: ...
    def site(self, site_id: str) -> dict[str, Any] | None: ...
    def records(self, site_ids: Sequence[str]) -> list[dict[str, Any] | None]: ...
    def outlines(self, site_ids: Iterable[str] | None = None) -> gpd.GeoDataFrame: ...
    def places(self) -> MunicipalityIndex: ...
    def write_sites(self, records: Sequence[dict[str, Any]], actor: str, reason: str = "") -> list[str]: ...
    def update_site(self, site_id: str, changes: dict[str, Any], actor: str, reason: str = "") -> None: ...
    def history(self, site_id: str) -> pd.DataFrame: ...
    def replace_layers(self, layers: dict[str, pd.DataFrame], delete: Iterable[str] = ()) -> None: ...
    def update_layers(self, change: Callable[[Any], dict[str, pd.DataFrame]], delete: Iterable[str] = (), *,
                      actor: str = "system", reason: str = "") -> dict[str, pd.DataFrame]: ...
    def metadata(self) -> dict[str, str]: ...
    def sources(self) -> pd.DataFrame: ...
    def counts(self) -> dict[str, int]: ...


Catalogue = GeoPackageCatalogue


def open_catalogue(path: str | os.PathLike) -> GeoPackageCatalogue:
    """Open the catalogue at ``path`` (raises a bilingual CatalogueError if unusable)."""
    return GeoPackageCatalogue(path)


__all__ = ["Catalogue", "CatalogueBackend", "GeoPackageCatalogue", "open_catalogue", "compute_site_fields",
           "legal_disused", "SCHEMA_VERSION"]
