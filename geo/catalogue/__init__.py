"""The catalogue: one interface, on a GeoPackage file (default) or a PostGIS database.

>>> from geo.catalogue import open_catalogue          # doctest: +SKIP
>>> cat = open_catalogue("data/catalogue.gpkg")  # or "postgresql://user@host:5432/db"   # doctest: +SKIP
>>> with cat.unit_of_work(actor="staff:anna", reason="published") as uow:   # doctest: +SKIP
...     uow.update_site("LS-1", {"status": "published"})

Every feature package depends only on :class:`CatalogueBackend` (reads) and
:class:`UnitOfWork` (one transaction per action); the storage engines sit
behind :class:`geo.catalogue.db.Database`.
"""

from __future__ import annotations

import os
from typing import Any, ContextManager, Iterable, Protocol, Sequence

import geopandas as gpd
import pandas as pd

from geo.catalogue.access import ROLES, Role, can, can_read, visible_statuses
from geo.catalogue.catalogue import (CHANGE_COLUMNS, OWNER_COLUMNS, REFERENCE_LAYERS, SUBMISSION_COLUMNS, SCHEMA_VERSION, Catalogue, ConflictError,
                                     UnitOfWork, new_id, now_iso, open_catalogue)
from geo.catalogue.compute import legal_disused
from geo.catalogue.records import Reference, prepare
from geo.places import MunicipalityIndex


class CatalogueBackend(Protocol):
    """What pages, commands and feature packages may use of a catalogue (see docs/contracts.md).

    Reads see the last committed state; every change goes through
    :meth:`unit_of_work`, one transaction per action.
    """

    url: str

    def layer_names(self) -> list[str]: ...
    def layer(self, name: str, bbox: tuple[float, float, float, float] | None = None) -> pd.DataFrame: ...
    def table(self, name: str, where: dict[str, Sequence[Any]] | None = None) -> pd.DataFrame: ...
    def sites(self, statuses: Sequence[str] | None = ("published",), *, role: Role | None = None
              ) -> gpd.GeoDataFrame: ...
    def site(self, site_id: str, *, role: Role = "public") -> dict[str, Any] | None: ...
    def records(self, site_ids: Sequence[str], *, role: Role = "public") -> list[dict[str, Any] | None]: ...
    def outlines(self, site_ids: Iterable[str] | None = None) -> gpd.GeoDataFrame: ...
    def places(self) -> MunicipalityIndex: ...
    def history(self, site_id: str) -> pd.DataFrame: ...
    def metadata(self) -> dict[str, str]: ...
    def revision(self) -> str: ...
    def sources(self) -> pd.DataFrame: ...
    def counts(self) -> dict[str, int]: ...
    def unit_of_work(self, actor: str = "system", reason: str = "") -> ContextManager[UnitOfWork]: ...
    def write_sites(self, records: Sequence[dict[str, Any]], actor: str, reason: str = "") -> list[str]: ...
    def update_site(self, site_id: str, changes: dict[str, Any], actor: str, reason: str = "", *,
                    expected_version: int | None = None) -> None: ...
    def replace_layers(self, layers: dict[str, pd.DataFrame], delete: Iterable[str] = (), *,
                       actor: str = "system", reason: str = "") -> None: ...


def catalogue_target(value: str | os.PathLike | None = None) -> str:
    """Where the catalogue is: the value given, else ``$GEO_CATALOGUE``, else ``data/catalogue.gpkg``."""
    from geo.settings import settings

    return str(value or settings().catalogue)


__all__ = ["Catalogue", "CatalogueBackend", "UnitOfWork", "ConflictError", "open_catalogue", "catalogue_target",
           "prepare", "Reference", "legal_disused", "now_iso", "new_id", "SCHEMA_VERSION", "CHANGE_COLUMNS", "OWNER_COLUMNS", "SUBMISSION_COLUMNS",
           "REFERENCE_LAYERS", "Role", "ROLES", "can", "visible_statuses", "can_read"]
