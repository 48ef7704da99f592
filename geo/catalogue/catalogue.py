"""The catalogue over any :class:`~geo.catalogue.db.Database`: reads, and one unit of work per action.

Every action that changes the catalogue (a submission, a publication, an
import, a review decision, a build) runs as::

    with cat.unit_of_work(actor="owner:OW-1", reason="submission SUB-1") as uow:
        current = uow.table("owners", where={"owner_id": [oid]})   # read inside the transaction
        uow.write_sites([...])                                     # computed fields, change log
        uow.upsert("owners", "owner_id", frame)

which is one database transaction: writers are serialised, what the action
reads is read inside it, and it lands whole or not at all. Nothing computed
from an earlier read outside the transaction is ever written back.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import threading
import time
import uuid
from typing import Any, Callable, Iterable, Iterator, Sequence

import geopandas as gpd
import pandas as pd

from geo.catalogue.access import Role, visible_statuses
from geo.catalogue.codecs import empty_frame
from geo.catalogue.db import Database, Tx
from geo.catalogue.stores import connect, is_url
from geo.catalogue.ownership import refuse_foreign
from geo.catalogue.frames import SITE_COLUMNS, empty_sites, frame_records, normalise_sites, storage_frame
from geo.catalogue.records import DERIVED_COLUMNS
from geo.catalogue.records import REFERENCE_LAYERS, Reference, prepare
from geo.catalogue.records import clean_outline  # noqa: F401 - where the store's rules are read and tested
from geo.i18n import N_
from geo.errors import CatalogueError, UserError
from geo.places import MunicipalityIndex
from geo.schema import prov_column

from geo.catalogue.migrate import HEAD as SCHEMA_VERSION  # noqa: E402 - the Alembic head revision
CHANGE_COLUMNS = ["change_id", "site_id", "at", "actor", "field", "old", "new", "reason"]
#: Columns of the owner-listing tables (written by geo.listing, created empty by the build).
OWNER_COLUMNS = ["owner_id", "token_hash", "owner_json", "created_at", "updated_at"]
SUBMISSION_COLUMNS = ["submission_id", "owner_id", "version", "status", "created_at", "file_sha256", "site_ids",
                      "replaces", "reason"]
#: Attribute tables (no geometry): an absent one reads as an empty DataFrame.
TABLES = {"site_changes", "catalogue_meta", "sources", "owners", "submissions", "brownfield_runs",
          "brownfield_reviews", "enquiries", "enquiry_events", "mail_outbox", "brownfield_references",
          "brownfield_reference_sites", "site_media", "site_media_files"}


def now_iso() -> str:
    """The current UTC time, ISO 8601 to the second (every timestamp the catalogue stores)."""
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat()


def new_id(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10].upper()}"


class ConflictError(UserError):
    """The listing changed since the caller read it: reload and try again."""


# Reference layers and the municipality index, shared by the catalogues of one process and keyed by the
# catalogue's reference version (bumped in the same transaction that changes a reference layer).
_REF_CACHE: dict[tuple[str, str], dict[str, Any]] = {}
_REF_LOCK = threading.Lock()


class Catalogue:
    """The catalogue on a GeoPackage file or a PostGIS database (see docs/contracts.md)."""

    def __init__(self, target: str | os.PathLike | Database) -> None:
        self.db: Database = target if hasattr(target, "transaction") else connect(target)
        self.url = self.db.url
        self.path = self.url  # kept for callers that print where the catalogue is
        shown = _display(self.url)
        if not self.db.exists():
            if getattr(self.db, "legacy", None) is not None and self.db.legacy():
                raise CatalogueError(N_("The catalogue {path} is in the layout before schemas (its tables in "
                                        "public): move it into its own schema with 'geo catalogue upgrade' "
                                        "(data is kept)."), path=shown)
            raise CatalogueError(N_("Catalogue not found or not valid: {path}. Build it with 'geo build'."),
                                 path=shown)
        version = schema_revision(self.db)
        if version != SCHEMA_VERSION:
            raise CatalogueError(N_("Catalogue {path} has schema {found}, expected {expected}: upgrade it with "
                                    "'geo catalogue upgrade' (data is kept) or rebuild it with 'geo build'."),
                                 path=shown, found=repr(version), expected=repr(SCHEMA_VERSION))

    # ------------------------------------------------------------------ reads (committed state)
    def layer_names(self) -> list[str]:
        return self.db.tables()

    def layer(self, name: str, bbox: tuple[float, float, float, float] | None = None) -> pd.DataFrame:
        """A layer (GeoDataFrame, EPSG:4326) or table (DataFrame); empty when absent."""
        df = self.db.read(name, bbox=bbox)
        if len(df.columns) == 0 and len(df) == 0:
            return empty_frame(name not in TABLES)
        return df

    def table(self, name: str, where: dict[str, Sequence[Any]] | None = None) -> pd.DataFrame:
        if where is None:
            return self.layer(name)
        return self.db.read(name, where=where)

    def sites(self, statuses: Sequence[str] | None = ("published",), *, role: Role | None = None
              ) -> gpd.GeoDataFrame:
        """Listings with the given statuses (None: all), limited to what ``role`` may see when given."""
        allowed = _allowed(statuses, role)
        raw = self.db.read("sites", where=None if allowed is None else {"status": list(allowed)})
        return _sites_frame(raw)

    def site(self, site_id: str, *, role: Role = "public") -> dict[str, Any] | None:
        """One listing as a record (typed values, ``key__prov``, ``outline``); None if absent or not visible."""
        return self.records([site_id], role=role)[0]

    def records(self, site_ids: Sequence[str], *, role: Role = "public") -> list[dict[str, Any] | None]:
        """Several listings as records, in the order asked (None for an absent or invisible one)."""
        ids = [str(s) for s in site_ids]
        if not ids:
            return []
        return _records(self.db.read("sites", where={"site_id": ids}),
                        self.db.read("site_outlines", where={"site_id": ids}), ids, role)

    def outlines(self, site_ids: Iterable[str] | None = None) -> gpd.GeoDataFrame:
        if site_ids is None:
            return self.layer("site_outlines")
        out = self.db.read("site_outlines", where={"site_id": [str(s) for s in site_ids]})
        return out if len(out.columns) else empty_frame(True)

    def places(self) -> MunicipalityIndex:
        return self._reference()["places"]

    def reference(self) -> Reference:
        """The reference layers the sites' computed fields come from, cached until one of them changes
        (for :func:`geo.catalogue.records.prepare`, e.g. the owner preview's dry run)."""
        return self._reference()["reference"]

    def _reference(self, tx: Tx | None = None, cache: bool = True) -> dict[str, Any]:
        """Reference layers and the municipality index, cached until a reference layer changes.

        ``cache=False``: read afresh and not kept, for a transaction that changed a reference layer (its
        reference version moves only on commit, and a rollback must leave no trace in the cache).
        """
        read = tx.read if tx is not None else self.db.read
        meta = read("catalogue_meta")
        version = dict(zip(meta["key"], meta["value"])).get("reference_version", "") if len(meta) else ""
        key = (self.url, str(version))
        with _REF_LOCK:
            hit = _REF_CACHE.get(key) if cache else None
        if hit is not None:
            return hit
        layers: dict[str, Any] = {}
        for name in REFERENCE_LAYERS:
            df = read(name)
            layers[name] = df if len(df.columns) else empty_frame(True)
        # As stored (EPSG:4326): compute.py and routing/drive.py reproject what they measure, once per frame.
        layers["reference"] = Reference.from_layers(layers, version=str(version))
        reg = read("region")
        layers["places"] = MunicipalityIndex(layers["municipalities"],
                                             region=reg.geometry.iloc[0] if len(reg) else None)
        if not cache:
            return layers
        with _REF_LOCK:
            for k in [k for k in _REF_CACHE if k[0] == self.url]:
                del _REF_CACHE[k]
            _REF_CACHE[key] = layers
        return layers

    def metadata(self) -> dict[str, str]:
        """Build facts (``catalogue_meta``) and ``schema_version``, the Alembic revision the catalogue is at."""
        df = self.db.read("catalogue_meta")
        meta = dict(zip(df["key"], df["value"])) if len(df) and "key" in df else {}
        return {"schema_version": schema_revision(self.db) or "", **meta}

    def revision(self) -> str:
        """Changes whenever any action commits: the key of every cache of catalogue data."""
        df = self.db.read("catalogue_meta", where={"key": ["revision"]})
        return str(df["value"].iloc[0]) if len(df) else ""

    def sources(self) -> pd.DataFrame:
        return self.layer("sources")

    def counts(self) -> dict[str, int]:
        return {name: self.db.count(name) for name in self.db.tables()}

    def history(self, site_id: str) -> pd.DataFrame:
        """Every recorded change of one listing, oldest first (columns ``CHANGE_COLUMNS``)."""
        ch = self.db.read("site_changes", where={"site_id": [site_id]})
        if len(ch) == 0:
            return pd.DataFrame(columns=CHANGE_COLUMNS)
        ch = ch.sort_values(["at", "change_id"]).reset_index(drop=True)
        return ch.astype(object).where(ch.notna(), None)  # unknown is None, never NaN

    # ------------------------------------------------------------------ writes
    @contextlib.contextmanager
    def unit_of_work(self, actor: str = "system", reason: str = "") -> Iterator["UnitOfWork"]:
        """One action = one transaction (see the module docstring). Commits on exit, rolls back on error.

        Refused, nothing changed, when the catalogue holds tables, views or code that are not ours
        (:mod:`geo.catalogue.ownership`; the store itself refuses foreign code for every write)."""
        with self.db.transaction() as tx:
            refuse_foreign(tx.foreign(quick=True), getattr(self.db, "where", None) or _display(self.url), writing=True)
            uow = UnitOfWork(self, tx, actor, reason)
            yield uow
            uow._finish()
        for callback in uow.committed:  # after the commit only (e.g. wake the mail deliverer)
            try:
                callback()
            except Exception:  # noqa: BLE001 - the action is committed: a follow-up never undoes or hides it
                logging.getLogger("geo.catalogue").exception("after-commit callback failed")

    def write_sites(self, records: Sequence[dict[str, Any]], actor: str, reason: str = "") -> list[str]:
        """Insert or replace whole records in one transaction; returns their site ids."""
        with self.unit_of_work(actor, reason) as uow:
            return uow.write_sites(records)

    def update_site(self, site_id: str, changes: dict[str, Any], actor: str, reason: str = "", *,
                    expected_version: int | None = None) -> None:
        """Change some fields of one site (provenance columns included), in one transaction."""
        with self.unit_of_work(actor, reason) as uow:
            uow.update_site(site_id, changes, expected_version=expected_version)

    def replace_layers(self, layers: dict[str, pd.DataFrame], delete: Iterable[str] = (), *,
                       actor: str = "system", reason: str = "") -> None:
        """Replace whole layers (and delete others) in one transaction, recomputing sites if needed."""
        with self.unit_of_work(actor, reason) as uow:
            uow.replace_layers(layers, delete)

    def update_layers(self, change, delete: Iterable[str] = (), *, actor: str = "system",
                      reason: str = "") -> dict[str, pd.DataFrame]:
        """``change(uow)`` reads inside the transaction and returns ``{layer: frame}`` to replace."""
        with self.unit_of_work(actor, reason) as uow:
            layers = dict(change(uow))
            uow.replace_layers(layers, delete)
            return layers


def _display(url: str) -> str:
    """A catalogue's location for messages, without its secrets (:func:`geo.redact.display`)."""
    from geo.redact import display

    return display(url)


def schema_revision(db: Database) -> str | None:
    """The Alembic revision a catalogue is at (None: built before migrations, i.e. the baseline)."""
    df = db.read("alembic_version")
    return str(df["version_num"].iloc[0]) if len(df) and "version_num" in df else None


def _allowed(statuses: Sequence[str] | None, role: Role | None) -> tuple[str, ...] | None:
    visible = visible_statuses(role) if role is not None else None
    if statuses is None:
        return visible
    if visible is None:
        return tuple(statuses)
    return tuple(s for s in statuses if s in visible)


def _sites_frame(raw: pd.DataFrame) -> gpd.GeoDataFrame:
    if len(raw) == 0:
        return empty_sites()
    return normalise_sites(raw).reset_index(drop=True)


def _records(raw: pd.DataFrame, ol: pd.DataFrame, ids: list[str], role: Role | None) -> list[dict[str, Any] | None]:
    outline = dict(zip(ol["site_id"], ol.geometry)) if len(ol) else {}
    visible = visible_statuses(role) if role is not None else None
    found: dict[str, dict[str, Any]] = {}
    for rec in frame_records(raw):
        if visible is not None and rec.get("status") not in visible:
            continue
        rec["outline"] = outline.get(rec["site_id"])
        found[rec["site_id"]] = rec
    return [found.get(s) for s in ids]


class UnitOfWork:
    """What one action reads and writes inside its transaction (made by :meth:`Catalogue.unit_of_work`)."""

    def __init__(self, cat: Catalogue, tx: Tx, actor: str, reason: str) -> None:
        self.cat, self.tx, self.actor, self.reason = cat, tx, actor, reason
        self.stamp = now_iso()
        self._n_changes = 0
        self._reference_changed = False
        #: Called, in order, once the action has committed (never when it rolls back).
        self.committed: list[Callable[[], None]] = []

    # -------------------------------------------------------------- reads inside the transaction
    def table(self, name: str, where: dict[str, Sequence[Any]] | None = None,
              bbox: tuple[float, float, float, float] | None = None) -> pd.DataFrame:
        df = self.tx.read(name, where, bbox)
        if len(df.columns) == 0 and len(df) == 0:
            return empty_frame(name not in TABLES)
        return df

    layer = table

    def sources(self) -> pd.DataFrame:
        return self.table("sources")

    def sites(self, site_ids: Sequence[str] | None = None, statuses: Sequence[str] | None = None
              ) -> gpd.GeoDataFrame:
        where: dict[str, Sequence[Any]] = {}
        if site_ids is not None:
            where["site_id"] = [str(s) for s in site_ids]
        if statuses is not None:
            where["status"] = list(statuses)
        return _sites_frame(self.tx.read("sites", where or None))

    def records(self, site_ids: Sequence[str]) -> list[dict[str, Any] | None]:
        ids = [str(s) for s in site_ids]
        if not ids:
            return []
        return _records(self.tx.read("sites", {"site_id": ids}), self.tx.read("site_outlines", {"site_id": ids}),
                        ids, None)

    def site(self, site_id: str) -> dict[str, Any] | None:
        return self.records([site_id])[0]

    # -------------------------------------------------------------- row writes
    def insert(self, name: str, frame: pd.DataFrame | list[dict[str, Any]]) -> None:
        self.tx.insert(name, pd.DataFrame(frame) if isinstance(frame, list) else frame)

    def delete(self, name: str, where: dict[str, Sequence[Any]]) -> int:
        return self.tx.delete(name, where)

    def upsert(self, name: str, key: str, frame: pd.DataFrame | list[dict[str, Any]]) -> None:
        """Replace the rows whose ``key`` appears in ``frame`` (and add new ones)."""
        frame = pd.DataFrame(frame) if isinstance(frame, list) else frame
        if len(frame) == 0:
            return
        self.tx.delete(name, {key: frame[key].tolist()})
        self.tx.insert(name, frame)

    def log(self, site_id: str, field: str, old: Any, new: Any, reason: str | None = None) -> dict[str, Any]:
        self._n_changes += 1
        return {"change_id": _change_id(self._n_changes), "site_id": site_id, "at": self.stamp,
                "actor": self.actor, "field": field, "old": _s(old), "new": _s(new),
                "reason": self.reason if reason is None else reason}

    # -------------------------------------------------------------- listings
    def write_sites(self, records: Sequence[dict[str, Any]], partial: bool = False) -> list[str]:
        """Insert or replace listings; fills computed fields, bumps versions, logs every changed field."""
        records = [dict(r) for r in records]
        for r in records:
            r.pop("outline__prov", None)  # an outline's provenance is its site's: there is no column for it
            bad = [k for k in r if k not in SITE_COLUMNS and k != "outline"]
            if bad:
                raise UserError(N_("Unknown fields: {fields}"), fields=bad)
        given = [r["site_id"] for r in records if r.get("site_id")]
        dup = sorted({s for s in given if given.count(s) > 1})
        if dup:
            raise UserError(N_("Listing given twice in one write: {ids}."), ids=", ".join(dup))
        ids = [r.get("site_id") or new_id("LS") for r in records]
        current = {rec["site_id"]: rec for rec in self.records(ids) if rec is not None}
        new_rows: list[dict[str, Any]] = []
        for sid, r in zip(ids, records):
            old = current.get(sid)
            if partial and old is None:
                raise UserError(N_("No listing {id}."), id=sid)
            base = {k: v for k, v in old.items() if k != "outline"} if (partial and old) else \
                {c: None for c in SITE_COLUMNS}
            base.update(r)
            base["site_id"] = sid
            base["version"] = (old["version"] or 0) + 1 if old else 1
            base["created_at"] = (old or {}).get("created_at") or r.get("created_at") or self.stamp
            base["updated_at"] = self.stamp
            base["status"] = base.get("status") or "draft"
            new_rows.append(base)
        ref = self.cat._reference(self.tx, cache=not self._reference_changed)["reference"]
        new_rows = prepare(new_rows, ref)  # the outline cleaned, the position from it, the computed fields
        new_outlines = {rec["site_id"]: rec.pop("outline") for rec in new_rows if "outline" in rec}
        for rec in new_rows:
            if rec["lon"] is None or rec["lat"] is None:
                raise UserError(N_("Listing {id}: coordinates missing."), id=rec["site_id"])
        changes: list[dict[str, Any]] = []
        for rec in new_rows:
            sid = rec["site_id"]
            old = {k: v for k, v in current.get(sid, {}).items() if k != "outline"}
            for k, v in rec.items():
                if k in ("updated_at", "version") or (old.get(k) == v) or (not old and v is None):
                    continue
                changes.append(self.log(sid, k, old.get(k), v))
            if sid in new_outlines:
                old_ol = current.get(sid, {}).get("outline")
                old_wkt = old_ol.wkt if old_ol is not None else None
                new_wkt = new_outlines[sid].wkt if new_outlines[sid] is not None else None
                if old_wkt != new_wkt:
                    changes.append(self.log(sid, "outline", old_wkt, new_wkt))
        self.tx.delete("sites", {"site_id": ids})
        self.tx.insert("sites", storage_frame(new_rows))
        if new_outlines:
            self.tx.delete("site_outlines", {"site_id": list(new_outlines)})
            add = [(s, g) for s, g in new_outlines.items() if g is not None]
            if add:
                self.tx.insert("site_outlines", gpd.GeoDataFrame(
                    {"site_id": [s for s, _ in add]}, geometry=gpd.GeoSeries([g for _, g in add], crs=4326),
                    crs=4326))
        if changes:
            self.tx.insert("site_changes", pd.DataFrame(changes, columns=CHANGE_COLUMNS).astype(object))
        return ids

    def update_site(self, site_id: str, changes: dict[str, Any], *, expected_version: int | None = None) -> None:
        """Change some fields of one listing; with ``expected_version``, refuse if it changed meanwhile."""
        rec = self.site(site_id)
        if rec is None:
            raise UserError(N_("No listing {id}."), id=site_id)
        if expected_version is not None and rec["version"] != expected_version:
            raise ConflictError(N_("Listing {id} changed meanwhile (version {version}, you opened {opened}): "
                                   "reload the page, check it again and retry."),
                                id=site_id, version=rec["version"], opened=expected_version)
        self.write_sites([{**changes, "site_id": site_id}], partial=True)

    # -------------------------------------------------------------- whole layers
    def replace(self, name: str, frame: pd.DataFrame) -> None:
        self.tx.replace(name, frame)
        if name in REFERENCE_LAYERS or name == "region":  # the region outline is cached with them (places())
            self._reference_changed = True

    def replace_layers(self, layers: dict[str, pd.DataFrame], delete: Iterable[str] = ()) -> None:
        """Replace whole layers (and drop others); sites are recomputed when a reference layer changes.

        The municipalities and the region outline can be replaced, not deleted: every site's municipality,
        the place search and the Lombardy check stand on them."""
        delete = tuple(delete)
        for name in delete:
            if name in ("municipalities", "region"):
                raise UserError(N_("The layer '{layer}' cannot be deleted: sites, place search and the Lombardy "
                                   "check need it. Import a corrected one instead; nothing was changed."),
                                layer=name)
        for name in delete:
            self.tx.drop(name)
            if name in REFERENCE_LAYERS:
                self._reference_changed = True
        for name, frame in layers.items():
            self.replace(name, frame)
        if (set(layers) | set(delete)) & set(REFERENCE_LAYERS) and "sites" not in layers:
            self._recompute_sites(f"layers changed: {', '.join(sorted(set(layers) | set(delete)))}")

    def _recompute_sites(self, reason: str) -> None:
        """Every site's computed fields against the reference layers as they are now in this transaction."""
        sites = self.sites()
        if len(sites) == 0:
            return
        ref = self.cat._reference(self.tx, cache=False)["reference"]  # as they are now in this transaction
        old_rows = frame_records(sites)
        new_rows = prepare(old_rows, ref)
        cols = [c for c in DERIVED_COLUMNS if c in SITE_COLUMNS]
        cols += [prov_column(c) for c in cols if prov_column(c) in SITE_COLUMNS]
        changes = []
        for a, b in zip(old_rows, new_rows):
            for c in cols:
                if a[c] != b[c]:
                    changes.append(self.log(a["site_id"], c, a[c], b[c], reason=self.reason or reason))
        self.tx.replace("sites", storage_frame(new_rows))
        if changes:
            self.tx.insert("site_changes", pd.DataFrame(changes, columns=CHANGE_COLUMNS).astype(object))

    # -------------------------------------------------------------- commit bookkeeping
    def set_meta(self, values: dict[str, str]) -> None:
        self.tx.delete("catalogue_meta", {"key": list(values)})
        self.tx.insert("catalogue_meta", pd.DataFrame({"key": list(values), "value": [str(v) for v in
                                                                                    values.values()]}))

    def _finish(self) -> None:
        meta = {"revision": f"{time.time_ns():x}-{uuid.uuid4().hex[:6]}"}
        if self._reference_changed:
            meta["reference_version"] = meta["revision"]
        self.set_meta(meta)


def open_catalogue(target: str | os.PathLike) -> Catalogue:
    """Open the catalogue at a GeoPackage path or a ``postgresql://`` URL (bilingual CatalogueError if unusable)."""
    if not is_url(target):
        from pathlib import Path

        p = Path(target)
        if p.is_dir():
            raise CatalogueError(N_("{path} is a folder, not a catalogue."), path=str(p))
    return Catalogue(target)


def _change_id(n: int) -> str:
    """Change ids that sort in the order the changes were made (time, then position in the action)."""
    return f"{time.time_ns():x}-{n:05d}-{uuid.uuid4().hex[:6]}"


def _s(v: Any) -> str | None:
    if v is None:
        return None
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)
