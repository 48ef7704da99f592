"""What in a catalogue target is ours, and what is not (issue 16: nothing else is ever touched).

The catalogue's tables are a known, closed set (:data:`OUR_TABLES`). Everything
else found in a target (another application's tables, layers, views, sequences,
functions, triggers) is *foreign*: ``geo build``, ``geo catalogue copy`` and
``geo catalogue upgrade`` refuse a target that holds any, and a write
transaction refuses a catalogue that carries code (triggers, views, functions)
that is not ours. Destructive steps name tables from :data:`OUR_TABLES` only.

Each store lists what it finds as :class:`Foreign` items (see
``GeoPackageDB.foreign()`` and ``PostGISDB.foreign()``); this module holds the
set of our tables and the one-sentence refusals.
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from geo.errors import CatalogueError
from geo.i18n import N_

__all__ = ["OUR_TABLES", "LIVE_TABLES", "Foreign", "ForeignObjectsError", "ForeignCodeError", "names",
           "refuse_foreign", "refuse_foreign_code", "holds_catalogue", "refuse_catalogue_as_output"]

#: Every table the catalogue may hold (the build's, the imports', the brownfield layer's, the migration stamp).
OUR_TABLES: frozenset[str] = frozenset({
    "municipalities", "provinces", "region", "zls_municipalities", "infrastructure", "motorways", "railways",
    "innovation_actors", "zis_areas", "zis_actors", "zls_perimeter",
    "sites", "site_outlines", "site_changes", "owners", "submissions", "enquiries", "enquiry_events", "sources",
    "catalogue_meta",
    "brownfield_candidates", "brownfield_extent", "brownfield_runs", "brownfield_reviews",
    "mail_outbox", "brownfield_references", "brownfield_reference_sites", "site_media", "site_media_files",
    "alembic_version", "road_nodes", "road_edges",
})
#: Tables whose rows people wrote (not rebuilt from packages): a rebuild would lose them.
LIVE_TABLES = ("owners", "submissions", "enquiries", "enquiry_events", "brownfield_reviews", "brownfield_candidates",
               "zls_perimeter", "mail_outbox", "brownfield_references", "site_media")
#: How many names a refusal quotes before "and N more".
SHOWN = 5


@dataclass(frozen=True)
class Foreign:
    """Something in a target that is not ours: ``kind`` (table, view, trigger, ...) and ``name``."""

    kind: str
    name: str

    @property
    def code(self) -> bool:
        """Whether it can run (a trigger, view, rule or function) rather than only hold data."""
        return self.kind in ("trigger", "view", "materialized view", "rule", "function", "default",
                             "check constraint")

    def __str__(self) -> str:
        return f"{self.kind} {self.name}"


def names(found: Sequence[Foreign], shown: int = SHOWN) -> str:
    """``table a, view b, trigger c and 4 more``: a few of the items, then how many were left out."""
    items = [str(f) for f in found]
    head = ", ".join(items[:shown])
    return head if len(items) <= shown else f"{head} and {len(items) - shown} more"


class ForeignObjectsError(CatalogueError):
    """A target holds tables, layers, views or code that are not the catalogue's: nothing was touched."""


class ForeignCodeError(ForeignObjectsError):
    """A catalogue carries triggers, views or functions that are not ours: the write was refused."""


def refuse_foreign(found: Sequence[Foreign], where: str, *, writing: bool = False) -> None:
    """Raise a one-sentence :class:`ForeignObjectsError` when ``found`` is not empty (``writing``: the
    refusal of a change to a catalogue, rather than of a target for a build, copy or upgrade)."""
    refuse_foreign_code(found, where)
    if found and writing:
        raise ForeignObjectsError(N_("The catalogue {path} holds things that are not part of it ({found}): the "
                                     "change was refused and nothing was changed. Run `geo catalogue status` and "
                                     "move them elsewhere."), path=where, found=names(found))
    if found:
        raise ForeignObjectsError(N_("{path} holds things that are not part of a catalogue ({found}): nothing "
                                     "was changed. Choose an empty target or one that holds only a catalogue, "
                                     "or move them away first."), path=where, found=names(found))


def refuse_foreign_code(found: Sequence[Foreign], where: str) -> None:
    """Raise a one-sentence :class:`ForeignCodeError` when ``found`` holds code that is not ours."""
    code = [f for f in found if f.code]
    if code:
        raise ForeignCodeError(N_("The catalogue {path} carries code that is not ours ({found}): the change was "
                                  "refused and nothing was changed. Run `geo catalogue status` and remove it, or "
                                  "restore a backup into a new catalogue."), path=where, found=names(code))


#: Tables only a catalogue holds (a brownfield run file holds brownfield_* layers, which are ours too).
_CATALOGUE_MARKERS = ("catalogue_meta", "sites", "owners", "submissions", "enquiries")


def holds_catalogue(path: str | os.PathLike) -> bool:
    """Whether the file at ``path`` is a catalogue (an SQLite file holding a catalogue's own tables).

    Read without writing anything (read-only, no WAL index created); a file that is not SQLite is not.
    """
    p = Path(path)
    try:
        if not p.is_file():
            return False
        with p.open("rb") as f:
            if f.read(16) != b"SQLite format 3\x00":
                return False
        con = sqlite3.connect(f"{p.resolve().as_uri()}?mode=ro", uri=True)
        try:
            marks = ", ".join("?" * len(_CATALOGUE_MARKERS))
            return con.execute(f"SELECT 1 FROM sqlite_master WHERE type = 'table' AND name IN ({marks})",
                               _CATALOGUE_MARKERS).fetchone() is not None
        finally:
            con.close()
    except (OSError, sqlite3.Error):
        return False


#: What each kind of output file starts with, and its name in a refusal: an existing file is replaced only when
#: it is a file of the kind the command writes (a sheet written again), never another file that stood there.
OUTPUT_KINDS = {
    "xlsx": (N_("an Excel workbook"), lambda head, p: head.startswith(b"PK\x03\x04") and _zip_has(p, "xl/workbook.xml")),
    "pdf": (N_("a PDF file"), lambda head, p: head.startswith(b"%PDF-")),
    "html": (N_("an HTML page"), lambda head, p: head.lstrip(b"\xef\xbb\xbf \t\r\n").lower().startswith(
        (b"<!doctype html", b"<html"))),
    "run": (N_("a brownfield run file"), lambda head, p: _only_run_layers(p)),
}
def _zip_has(path: Path, name: str) -> bool:
    import zipfile

    try:
        with zipfile.ZipFile(path) as z:
            return name in z.namelist()
    except (OSError, zipfile.BadZipFile):
        return False


def _only_run_layers(path: Path) -> bool:
    """Whether ``path`` is a GeoPackage holding nothing but a brownfield run file's layers."""
    from geo.brownfield.evaluations import TABLE as EVALUATIONS
    from geo.brownfield.runfile import ANALYSED_AREA, CANDIDATES, NAIVE, RUNS

    try:
        with path.open("rb") as f:
            if f.read(16) != b"SQLite format 3\x00":
                return False
        con = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'view') "
                                                "AND name NOT LIKE 'gpkg%' AND name NOT LIKE 'rtree%' "
                                                "AND name NOT LIKE 'sqlite%'")}
        finally:
            con.close()
    except (OSError, sqlite3.Error):
        return False
    return CANDIDATES in tables and tables <= {CANDIDATES, ANALYSED_AREA, RUNS, NAIVE, EVALUATIONS}


def refuse_catalogue_as_output(out: str | os.PathLike, catalogue: str | os.PathLike | None = None,
                               option: str = "--out", kind: str | None = None) -> None:
    """Refuse an output path that is a catalogue (any, not only ``catalogue``) or is the catalogue's path, and,
    with ``kind`` (:data:`OUTPUT_KINDS`), an existing file that is not of that kind (another application's
    GeoPackage, a spreadsheet, notes...): writing would replace it.

    Every command that writes a file (``geo brownfield detect --out``, ``geo listing template OUT``,
    ``geo sheet``, ``geo dossier``) calls this before it writes anything.
    """
    from geo.errors import UserError

    same = False
    if catalogue is not None and "://" not in str(catalogue):
        a, b = Path(out), Path(catalogue)
        same = (os.path.samefile(a, b) if a.exists() and b.exists() else a.resolve() == b.resolve())
    if same or holds_catalogue(out):
        raise UserError(N_("{option} {out} is a catalogue: writing there would replace it. Nothing was written; "
                           "choose another file."), option=option, out=str(out))
    p = Path(out)
    if kind is None or not p.is_file():
        return
    name, looks_right = OUTPUT_KINDS[kind]
    try:
        with p.open("rb") as f:
            head = f.read(64)
    except OSError:
        head = b""
    if not looks_right(head, p):
        raise UserError(N_("{option} {out} already exists and is not {kind}: writing there would replace it. "
                           "Nothing was written; choose another file or remove it first."),
                        option=option, out=str(out), kind=lambda _: _(name))


def target_foreign(db) -> list:
    """What a build or copy target (a :class:`~geo.catalogue.db.Database`) holds that is not ours ([] for an
    absent file or database)."""
    try:
        return db.foreign()
    except CatalogueError:
        if db.exists():
            raise
        return []  # a database not created yet: nothing in it to protect
