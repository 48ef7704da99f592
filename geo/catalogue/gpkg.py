"""The catalogue on a GeoPackage file.

Reads go straight to the file (pyogrio). Every write copies the file, changes
the copy and swaps it in (:func:`geo.store.atomic_gpkg`), so readers never see
a half-written catalogue and a failure leaves the previous file as it was.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import time
import uuid
from functools import cached_property
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely

from geo import __version__
from geo.catalogue.compute import COMPUTED_COLUMNS, compute_site_fields
from geo.catalogue.frames import (SITE_COLUMNS, empty_sites, normalise_sites, records_to_frame,
                                  row_to_record, to_storage)
from geo.errors import CatalogueError, UserError
from geo.places import MunicipalityIndex
from geo.schema import FIELD, prov_column
from geo.store import atomic_gpkg

SCHEMA_VERSION = "1"
#: Layers the computed fields of the sites depend on: replacing one recomputes the sites.
REFERENCE_LAYERS = ("municipalities", "zls_municipalities", "infrastructure", "zis_areas", "zls_perimeter")
CHANGE_COLUMNS = ["change_id", "site_id", "at", "actor", "field", "old", "new", "reason"]


def now_iso() -> str:
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat()


def write_layer(path: Path, name: str, frame: pd.DataFrame) -> None:
    """Write (or replace) one layer or attribute table in a GeoPackage."""
    if isinstance(frame, gpd.GeoDataFrame):
        pyogrio.write_dataframe(frame, path, layer=name, driver="GPKG", promote_to_multi=None)
    else:
        df = frame.copy()
        for c in df.columns:
            if df[c].dtype == object:
                df[c] = df[c].map(lambda v: None if v is None else (json.dumps(v) if isinstance(v, (dict, list)) else str(v)))
        if len(df.columns) == 0:
            df["_empty"] = pd.Series(dtype=object)
        pyogrio.write_dataframe(df, path, layer=name, driver="GPKG")


def delete_layer(path: Path, name: str) -> None:
    import sqlite3
    from contextlib import closing

    # GDAL has no delete in pyogrio; the GeoPackage spec tables are SQL.
    with closing(sqlite3.connect(path)) as con:
        tables = {r[0] for r in con.execute("SELECT table_name FROM gpkg_contents")}
        if name not in tables:
            return
        con.execute(f'DROP TABLE IF EXISTS "rtree_{name}_geom"')
        con.execute(f'DROP TABLE IF EXISTS "{name}"')
        for t in ("gpkg_contents", "gpkg_geometry_columns", "gpkg_extensions", "gpkg_ogr_contents"):
            try:
                con.execute(f"DELETE FROM {t} WHERE table_name = ?", (name,))
            except sqlite3.OperationalError:
                pass
        con.commit()


class GeoPackageCatalogue:
    """A catalogue stored in one GeoPackage file. See docs/contracts.md."""

    def __init__(self, path: str | os.PathLike) -> None:
        self.path = Path(path)
        if not self.path.exists():
            raise CatalogueError(
                f"Catalogo non trovato: {self.path}. Costruirlo con «geo build».",
                f"Catalogue not found: {self.path}. Build it with 'geo build'.")
        meta = self.metadata()
        if meta.get("schema_version") != SCHEMA_VERSION:
            raise CatalogueError(
                f"Il catalogo {self.path} ha lo schema {meta.get('schema_version')!r}, atteso {SCHEMA_VERSION!r}: "
                "ricostruirlo con «geo build».",
                f"Catalogue {self.path} has schema {meta.get('schema_version')!r}, expected {SCHEMA_VERSION!r}: "
                "rebuild it with 'geo build'.")

    # ---------------------------------------------------------------- reading
    def layer_names(self) -> list[str]:
        return [str(n) for n in pyogrio.list_layers(self.path)[:, 0]]

    def layer(self, name: str, bbox: tuple[float, float, float, float] | None = None) -> pd.DataFrame:
        """A layer (GeoDataFrame) or table (DataFrame); empty when absent."""
        if name not in self.layer_names():
            return gpd.GeoDataFrame(geometry=[], crs=4326) if name not in _TABLES else pd.DataFrame()
        info = pyogrio.read_info(self.path, layer=name)
        if info.get("geometry_type") is None:
            return pyogrio.read_dataframe(self.path, layer=name, read_geometry=False)
        return pyogrio.read_dataframe(self.path, layer=name, bbox=bbox)

    def table(self, name: str) -> pd.DataFrame:
        return self.layer(name)

    def sites(self, statuses: Sequence[str] | None = ("published",)) -> gpd.GeoDataFrame:
        raw = self.layer("sites")
        if len(raw) == 0:
            return empty_sites()
        df = normalise_sites(raw)
        if statuses is not None:
            df = df[df["status"].isin(list(statuses))]
        return df.reset_index(drop=True)

    def outlines(self, site_ids: Iterable[str] | None = None) -> gpd.GeoDataFrame:
        out = self.layer("site_outlines")
        if site_ids is not None and len(out):
            out = out[out["site_id"].isin(list(site_ids))]
        return out

    def site(self, site_id: str) -> dict[str, Any] | None:
        """One listing as a record (typed values, ``key__prov``, ``outline``), None if absent."""
        return self.records([site_id])[0]

    def records(self, site_ids: Sequence[str]) -> list[dict[str, Any] | None]:
        """Several listings as records, in the order asked (None for an absent one), in two reads."""
        ids = [str(s) for s in site_ids]
        if not ids:
            return []
        raw = self._where_in("sites", "site_id", ids)
        ol = self._where_in("site_outlines", "site_id", ids)
        outline = dict(zip(ol["site_id"], ol.geometry)) if len(ol) else {}
        found: dict[str, dict[str, Any]] = {}
        if len(raw):
            for _, row in normalise_sites(raw).iterrows():
                rec = row_to_record(row)
                rec["outline"] = outline.get(rec["site_id"])
                found[rec["site_id"]] = rec
        return [found.get(s) for s in ids]

    def _where(self, name: str, column: str, value: str) -> pd.DataFrame:
        """Rows of a layer whose ``column`` equals ``value`` (filtered by SQLite, not in pandas)."""
        return self._where_in(name, column, [value])

    def _where_in(self, name: str, column: str, values: Sequence[str]) -> pd.DataFrame:
        """Rows of a layer whose ``column`` is one of ``values`` (filtered by SQLite, not in pandas)."""
        if name not in self.layer_names():
            return self.layer(name)
        quoted = ", ".join("'" + str(v).replace("'", "''") + "'" for v in values)
        read_geometry = pyogrio.read_info(self.path, layer=name).get("geometry_type") is not None
        return pyogrio.read_dataframe(self.path, layer=name, where=f'"{column}" IN ({quoted})',
                                      read_geometry=read_geometry)

    def places(self) -> MunicipalityIndex:
        return self._places

    @cached_property
    def _places(self) -> MunicipalityIndex:
        reg = self.layer("region")
        return MunicipalityIndex(self.layer("municipalities"),
                                 region=reg.geometry.iloc[0] if len(reg) else None)

    def metadata(self) -> dict[str, str]:
        try:
            df = pyogrio.read_dataframe(self.path, layer="catalogue_meta", read_geometry=False)
        except Exception:
            raise CatalogueError(
                f"{self.path} non è un catalogo valido (manca catalogue_meta). Ricostruirlo con «geo build».",
                f"{self.path} is not a valid catalogue (no catalogue_meta). Rebuild it with 'geo build'.") from None
        return dict(zip(df["key"], df["value"]))

    def sources(self) -> pd.DataFrame:
        return self.layer("sources")

    def counts(self) -> dict[str, int]:
        return {name: int(pyogrio.read_info(self.path, layer=name)["features"]) for name in self.layer_names()}

    def history(self, site_id: str) -> pd.DataFrame:
        """Every recorded change of one listing, oldest first (columns ``CHANGE_COLUMNS``)."""
        ch = self._where("site_changes", "site_id", site_id)
        if len(ch) == 0:
            return pd.DataFrame(columns=CHANGE_COLUMNS)
        ch = ch.sort_values(["at", "change_id"]).reset_index(drop=True)
        return ch.astype(object).where(ch.notna(), None)  # unknown is None, never NaN

    # ---------------------------------------------------------------- writing
    def replace_layers(self, layers: dict[str, pd.DataFrame], delete: Iterable[str] = (), *,
                       actor: str = "system", reason: str = "") -> None:
        """Atomically write whole layers/tables (and delete others).

        When a layer the computed site fields depend on (:data:`REFERENCE_LAYERS`)
        changes, the sites are recomputed in the same write and every changed
        value is recorded in ``site_changes`` under ``actor``.
        """
        self.update_layers(lambda _current: layers, delete=delete, actor=actor, reason=reason)

    def update_layers(self, change: Callable[["GeoPackageCatalogue"], dict[str, pd.DataFrame]],
                      delete: Iterable[str] = (), *, actor: str = "system",
                      reason: str = "") -> dict[str, pd.DataFrame]:
        """Atomic read-modify-write of whole layers.

        ``change`` receives the catalogue *as it is under the writer lock* and
        returns ``{layer: frame}`` to write; nothing another writer commits in
        between can be lost, and any exception leaves the file byte-for-byte
        unchanged. Returns what was written.

        Examples
        --------
        >>> cat.update_layers(lambda cur: {"zis_areas": cur.layer("zis_areas").iloc[:0]})  # doctest: +SKIP
        """
        delete = tuple(delete)
        with atomic_gpkg(self.path) as tmp:
            current = GeoPackageCatalogue(tmp)
            layers = dict(change(current))
            if (set(layers) | set(delete)) & set(REFERENCE_LAYERS) and "sites" not in layers:
                layers.update(current._recomputed(layers, delete, actor,
                                                  reason or f"layers changed: {', '.join(sorted(layers))}"))
            for name in delete:
                delete_layer(tmp, name)
            for name, frame in layers.items():
                write_layer(tmp, name, frame)
                _fail_hook(f"layer:{name}")
        self.__dict__.pop("_places", None)
        return layers

    def _recomputed(self, layers: dict[str, pd.DataFrame], delete: tuple[str, ...], actor: str,
                    reason: str) -> dict[str, pd.DataFrame]:
        """``sites`` (and ``site_changes``) with computed fields refreshed against new reference layers."""
        sites = self.sites(statuses=None)
        if len(sites) == 0:
            return {}

        def get(name: str) -> pd.DataFrame:
            if name in layers:
                return layers[name]
            return gpd.GeoDataFrame(geometry=[], crs=4326) if name in delete else self.layer(name)

        comp = compute_site_fields(sites, get("municipalities"), get("zls_municipalities"), get("infrastructure"),
                                   get("zis_areas"), get("zls_perimeter"))
        new = sites.copy()
        for c in comp.columns:
            new[c] = comp[c].values
        new = normalise_sites(new)
        stamp = now_iso()
        changes: list[dict[str, Any]] = []
        cols = [c for c in comp.columns if c in SITE_COLUMNS]
        for (_, a), (_, b) in zip(sites[["site_id", *cols]].iterrows(), new[["site_id", *cols]].iterrows()):
            old_rec, new_rec = _plain(a), _plain(b)
            for c in cols:
                if old_rec[c] != new_rec[c]:
                    changes.append({"change_id": _change_id(len(changes)), "site_id": a["site_id"], "at": stamp,
                                    "actor": actor, "field": c, "old": _s(old_rec[c]), "new": _s(new_rec[c]),
                                    "reason": reason})
        out: dict[str, pd.DataFrame] = {"sites": to_storage(new)}
        if changes:
            out["site_changes"] = pd.concat([self.layer("site_changes"), pd.DataFrame(changes, columns=CHANGE_COLUMNS)],
                                            ignore_index=True)
        return out

    def _computed(self, frame: gpd.GeoDataFrame) -> pd.DataFrame:
        return compute_site_fields(
            frame, self.layer("municipalities"), self.layer("zls_municipalities"),
            self.layer("infrastructure"), self.layer("zis_areas"), self.layer("zls_perimeter"))

    def write_sites(self, records: Sequence[dict[str, Any]], actor: str, reason: str = "",
                    extra_layers: dict[str, pd.DataFrame] | None = None) -> list[str]:
        """Insert or replace whole records, atomically; returns their site ids.

        ``extra_layers`` (e.g. the owners and submissions tables) are written in
        the same atomic swap, so sites and their bookkeeping never disagree.
        """
        return self._write(list(records), actor, reason, partial=False, extra_layers=extra_layers)

    def update_site(self, site_id: str, changes: dict[str, Any], actor: str, reason: str = "",
                    extra_layers: dict[str, pd.DataFrame] | None = None) -> None:
        """Change some fields of one site (provenance columns included)."""
        if self.site(site_id) is None:
            raise UserError(f"Scheda {site_id} inesistente.", f"No listing {site_id}.")
        self._write([{**changes, "site_id": site_id}], actor, reason, partial=True, extra_layers=extra_layers)

    def _write(self, records: list[dict[str, Any]], actor: str, reason: str, partial: bool,
               extra_layers: dict[str, pd.DataFrame] | None = None) -> list[str]:
        for r in records:
            bad = [k for k in r if k not in SITE_COLUMNS and k != "outline"]
            if bad:
                raise UserError(f"Campi sconosciuti: {bad}", f"Unknown fields: {bad}")
        given = [r["site_id"] for r in records if r.get("site_id")]
        dup = sorted({s for s in given if given.count(s) > 1})
        if dup:
            raise UserError(f"Scheda ripetuta nella stessa scrittura: {', '.join(dup)}.",
                            f"Listing given twice in one write: {', '.join(dup)}.")
        ids: list[str] = []

        def change(cat: GeoPackageCatalogue) -> dict[str, pd.DataFrame]:
            layers = cat._changed_layers(records, actor, reason, partial, ids)
            layers.update(extra_layers or {})
            _fail_hook("write_sites")
            return layers

        self.update_layers(change)
        return ids

    def _changed_layers(self, records: list[dict[str, Any]], actor: str, reason: str, partial: bool,
                        ids: list[str]) -> dict[str, pd.DataFrame]:
        """The new ``sites``, ``site_outlines`` and ``site_changes`` after writing ``records``."""
        current = self.sites(statuses=None)
        outlines = self.outlines()
        by_id = {sid: i for i, sid in enumerate(current["site_id"])}
        stamp = now_iso()
        new_rows: list[dict[str, Any]] = []
        new_outlines: dict[str, Any] = {}
        changes: list[dict[str, Any]] = []
        for r in records:
            sid = r.get("site_id") or f"LS-{uuid.uuid4().hex[:10].upper()}"
            old = row_to_record(current.iloc[by_id[sid]]) if sid in by_id else None
            base = dict(old) if (partial and old) else {c: None for c in SITE_COLUMNS}
            if partial and old is None:
                raise UserError(f"Scheda {sid} inesistente.", f"No listing {sid}.")
            base.update({k: v for k, v in r.items() if k != "outline"})
            base["site_id"] = sid
            base["version"] = (old["version"] or 0) + 1 if old else 1
            base["created_at"] = (old or {}).get("created_at") or r.get("created_at") or stamp
            base["updated_at"] = stamp
            base["status"] = base.get("status") or "draft"
            if base.get("lon") is None and "outline" in r and r["outline"] is not None:
                p = r["outline"].representative_point()
                base["lon"], base["lat"] = p.x, p.y
                for k in ("lat", "lon"):
                    base[prov_column(k)] = base.get(prov_column(k)) or "computed"
            if base.get("lon") is None or base.get("lat") is None:
                raise UserError(f"Scheda {sid}: mancano le coordinate.", f"Listing {sid}: coordinates missing.")
            new_rows.append(base)
            if "outline" in r:
                new_outlines[sid] = r["outline"]
            ids.append(sid)
        frame = records_to_frame(new_rows)
        comp = self._computed(frame)
        for c in comp.columns:
            frame[c] = comp[c].values
        frame = normalise_sites(frame)
        for rec in (row_to_record(row) for _, row in frame.iterrows()):
            sid = rec["site_id"]
            old = row_to_record(current.iloc[by_id[sid]]) if sid in by_id else {}
            for k, v in rec.items():
                if k in ("updated_at", "version") or (old.get(k) == v) or (not old and v is None):
                    continue
                changes.append({"change_id": _change_id(len(changes)), "site_id": sid, "at": stamp, "actor": actor,
                                "field": k, "old": _s(old.get(k)), "new": _s(v), "reason": reason})
            if sid in new_outlines:
                old_ol = outlines[outlines["site_id"] == sid].geometry if len(outlines) else []
                old_wkt = old_ol.iloc[0].wkt if len(old_ol) else None
                new_wkt = new_outlines[sid].wkt if new_outlines[sid] is not None else None
                if old_wkt != new_wkt:
                    changes.append({"change_id": _change_id(len(changes)), "site_id": sid, "at": stamp, "actor": actor,
                                    "field": "outline", "old": old_wkt, "new": new_wkt, "reason": reason})
        keep = current[~current["site_id"].isin(ids)]
        all_sites = pd.concat([keep, frame], ignore_index=True) if len(keep) else frame
        all_sites = gpd.GeoDataFrame(all_sites, geometry="geometry", crs=4326)
        if len(outlines):
            outlines = outlines[~outlines["site_id"].isin([s for s in new_outlines])]
        add = [(s, g) for s, g in new_outlines.items() if g is not None]
        if add:
            add_gdf = gpd.GeoDataFrame({"site_id": [a for a, _ in add]},
                                       geometry=[shapely.geometry.MultiPolygon([g]) if g.geom_type == "Polygon"
                                                 else g for _, g in add], crs=4326)
            outlines = pd.concat([outlines, add_gdf], ignore_index=True) if len(outlines) else add_gdf
        old_changes = self.layer("site_changes")
        all_changes = pd.concat([old_changes, pd.DataFrame(changes, columns=CHANGE_COLUMNS)], ignore_index=True)
        layers = {"sites": to_storage(all_sites), "site_changes": all_changes}
        if new_outlines:  # also when the last outline was removed
            layers["site_outlines"] = gpd.GeoDataFrame(
                outlines if len(outlines) else {"site_id": pd.Series(dtype=object)},
                geometry="geometry" if len(outlines) else gpd.GeoSeries([], crs=4326), crs=4326)
        return layers


def _plain(row: pd.Series) -> dict[str, Any]:
    return {k: (None if v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v)) else
                (v.item() if hasattr(v, "item") else v)) for k, v in row.items()}


def _change_id(n: int) -> str:
    """Change ids that sort in the order the changes were made (time, then position in the write)."""
    return f"{time.time_ns():x}-{n:05d}-{uuid.uuid4().hex[:6]}"


def _s(v: Any) -> str | None:
    if v is None:
        return None
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def _fail_hook(stage: str) -> None:
    """Let tests make a write fail at a known point (GEO_FAIL_AT=stage)."""
    if os.environ.get("GEO_FAIL_AT") == stage:
        raise RuntimeError(f"failure injected at {stage}")


_TABLES = {"site_changes", "catalogue_meta", "sources", "owners", "submissions", "brownfield_runs",
           "brownfield_reviews"}
