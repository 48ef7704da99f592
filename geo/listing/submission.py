"""Submission by owners, and validation by staff, with roles enforced here (server side).

Owners are identified by a private token (``secrets.token_urlsafe(32)``) that
they receive once; only its SHA-256 is stored. Owner functions only ever see
the token's own submissions. Staff functions ask :func:`geo.catalogue.access.require`
(the one authorisation rule) before reading anything.

Every action is one unit of work (:meth:`geo.catalogue.Catalogue.unit_of_work`):
the owner, submission and listing rows it changes are read *inside* the
transaction and written back as rows, so two owners submitting at the same
moment both land, and an action on a version that changed meanwhile is refused
with a message to reload instead of overwriting it.
"""

from __future__ import annotations

import functools
import hashlib
import json
import secrets
from dataclasses import dataclass
from typing import Any, Sequence

import pandas as pd

from geo.catalogue import OWNER_COLUMNS, SUBMISSION_COLUMNS, CatalogueBackend, ConflictError, new_id
from geo.catalogue.access import AccessDenied, Role, require
from geo.errors import UserError
from geo.i18n import N_, content
from geo.listing.check import CheckResult
from geo.listing.preview import declared_records
from geo.mail import notices
from geo.media.model import Media
from geo.media.store import write_media
from geo.schema import FIELD, prov_column
from geo.schema.messages import date_param, ngettext

OWNER_COLS, SUB_COLS = OWNER_COLUMNS, SUBMISSION_COLUMNS  # the store's table shapes
#: Submission statuses after which the version can no longer be replaced, withdrawn or sent back.
CLOSED = ("replaced", "withdrawn")


def _deny() -> AccessDenied:
    """The one answer to a token that does not open this (wrong, unknown, or not this owner's listing)."""
    return AccessDenied(N_("Access denied: restricted operation or invalid link."))


def submitted_at() -> str:
    """When a submission is made, to the microsecond (UTC, ISO 8601): an owner's versions are ordered by it,
    and two made within one second (a script, a test) must still come in the order they were made."""
    import datetime as dt

    return dt.datetime.now(dt.timezone.utc).isoformat()


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _rows(src, name: str, cols: list[str], where: dict[str, list[Any]] | None = None) -> pd.DataFrame:
    """Rows of an attribute table (``src`` is a catalogue or a unit of work), with exactly ``cols``."""
    t = src.table(name, where=where)
    if len(t) == 0:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in cols})
    for c in cols:
        if c not in t:
            t[c] = None
    return t[cols].astype(object)


def owner_by_token(src, token: str | None) -> dict[str, Any] | None:
    if not token:
        return None
    hit = _rows(src, "owners", OWNER_COLS, where={"token_hash": [token_hash(token)]})
    if hit.empty:
        return None
    row = hit.iloc[0]
    return {"owner_id": row["owner_id"], **json.loads(row["owner_json"] or "{}")}


@dataclass
class SubmissionReceipt:
    owner_id: str
    submission_id: str
    site_ids: list[str]
    token: str | None  # only when a new owner was created: show it once


def _records(result: CheckResult, owner_id: str, submission_id: str, site_ids: list[str]) -> list[dict]:
    return [{**rec, "status": "submitted", "owner_id": owner_id, "submission_id": submission_id, "is_demo": False,
             "site_id": sid} for sid, rec in zip(site_ids, declared_records(result))]


def _title(record: dict[str, Any], _) -> str:
    """A site's title in the reader's language (the other one when it has only that)."""
    title = content(record, "title", _.lang)
    return title.text if title else ""


def duplicates(src, result: CheckResult, owner_id: str | None = None) -> list[UserError]:
    """What in ``result`` is already in the catalogue: the same file, or a site at the same coordinates with the
    same land area, in an open submission or listing. One message each (empty: nothing duplicated).

    ``src`` is a catalogue (the owner page asks it at check time, before the owner scrolls to submit) or a unit
    of work (:func:`submit` asks it again inside the transaction and refuses the first).
    """
    found: list[UserError] = []
    if result.file_sha256:
        same = _rows(src, "submissions", SUB_COLS, where={"file_sha256": [result.file_sha256]})
        same = same[~same["status"].isin(CLOSED)]
        if len(same):
            sub = same.iloc[0]
            mine = owner_id is not None and sub["owner_id"] == owner_id
            found.append(UserError(
                N_("This file was already submitted ({submission}, {date}). To change it use 'Replace' from your "
                   "private link.") if mine else
                N_("This file was already submitted ({submission}, {date}). If it is yours, use the private link you "
                   "received then to replace or withdraw it."),
                submission=sub["submission_id"], date=date_param(sub["created_at"])))
    for s in result.sites:
        r = s.record
        if r.get("lat") is None or r.get("lon") is None:
            continue
        lon, lat, eps = float(r["lon"]), float(r["lat"]), 1e-6
        hits = src.layer("sites", bbox=(lon - eps, lat - eps, lon + eps, lat + eps))
        if len(hits):
            hits = hits[hits["status"].isin(["submitted", "published", "draft"])]
        if len(hits) and r.get("land_area_m2") is not None:
            hits = hits[hits["land_area_m2"] == float(r["land_area_m2"])]
        if len(hits):
            found.append(UserError(
                N_("The site '{title}' (same coordinates and area) is already in the catalogue as {site_id}: it is "
                   "not duplicated. Use 'Replace' to update it."),
                title=functools.partial(_title, r), site_id=hits["site_id"].iloc[0]))
    return found


def _refuse_duplicate(uow, result: CheckResult, owner_id: str | None) -> None:
    """Refuse the first duplicate :func:`duplicates` finds (inside the submission's transaction)."""
    found = duplicates(uow, result, owner_id)
    if found:
        raise found[0]


def submit(cat: CatalogueBackend, result: CheckResult, token: str | None = None, actor: str = "owner",
           lang: str | None = None, *, media: Sequence[Media] = ()) -> SubmissionReceipt:
    """Store a valid upload as ``submitted`` listings, all rows or none, in one transaction.

    With no ``token`` a new owner is created and its token returned (once), and e-mailed to the owner's
    contact address in ``lang`` when mail is on (:mod:`geo.mail`; queued in the same transaction). The
    same file or the same site submitted again is refused, not duplicated.
    ``media`` (photos and plans from :func:`geo.media.prepare.prepare_media`) are written in the same
    transaction: a refused submission stores none of them.
    """
    if not result.ok:
        raise UserError(N_("The file has {errors}: fix them before submitting."),
                        errors=ngettext("{n} error", "{n} errors", len(result.errors)))
    new_token = None
    submission_id = new_id("SUB")
    with cat.unit_of_work(actor=actor, reason=f"submission {submission_id}") as uow:
        owner = owner_by_token(uow, token) if token else None
        if token and owner is None:
            raise _deny()
        _refuse_duplicate(uow, result, owner["owner_id"] if owner else None)
        owner_json = json.dumps({**result.owner, **({"lang": lang} if lang else {})}, ensure_ascii=False, default=str)
        if owner:
            owner_id = owner["owner_id"]
            row = _rows(uow, "owners", OWNER_COLS, where={"owner_id": [owner_id]})
            row["owner_json"], row["updated_at"] = owner_json, uow.stamp
            uow.upsert("owners", "owner_id", row)
        else:
            new_token = secrets.token_urlsafe(32)
            owner_id = new_id("OW")
            uow.insert("owners", [{"owner_id": owner_id, "token_hash": token_hash(new_token),
                                   "owner_json": owner_json, "created_at": uow.stamp, "updated_at": uow.stamp}])
        uow.actor = f"{actor}:{owner_id}"
        ids = [new_id("LS") for _ in result.sites]
        records = _records(result, owner_id, submission_id, ids)
        uow.write_sites(records)
        write_media(uow, media, submission_id, {s.row: sid for s, sid in zip(result.sites, ids)})
        uow.insert("submissions", [{
            "submission_id": submission_id, "owner_id": owner_id, "version": 1, "status": "submitted",
            "created_at": submitted_at(), "file_sha256": result.file_sha256, "site_ids": ";".join(ids),
            "replaces": None, "reason": None}])
        notices.on_submission(uow, result.owner, submission_id, records, new_token, lang)
    return SubmissionReceipt(owner_id, submission_id, ids, new_token)


def owner_view(cat: CatalogueBackend, token: str) -> pd.DataFrame:
    """The token owner's submissions and the status of each of their sites (nobody else's)."""
    owner = owner_by_token(cat, token)
    if owner is None:
        raise _deny()
    mine = _rows(cat, "submissions", SUB_COLS, where={"owner_id": [owner["owner_id"]]})
    ids = [sid for v in mine["site_ids"] for sid in str(v).split(";") if sid]
    recs = {r["site_id"]: r for r in cat.records(ids, role="staff") if r is not None and
            r.get("owner_id") == owner["owner_id"]}
    rows = []
    for _, s in mine.iterrows():
        for sid in str(s["site_ids"]).split(";"):
            hit = recs.get(sid)
            status = s["status"] if s["status"] in CLOSED else (hit["status"] if hit else s["status"])
            rows.append({"submission_id": s["submission_id"], "version": s["version"], "site_id": sid,
                         "title": hit["title_it"] if hit else None, "status": status,
                         "submission_status": s["status"], "submitted_at": s["created_at"], "reason": s["reason"],
                         "replaces": s["replaces"]})
    return pd.DataFrame(rows, columns=["submission_id", "version", "site_id", "title", "status", "submission_status",
                                       "submitted_at", "reason", "replaces"])


def _own_submission(uow, token: str, submission_id: str) -> tuple[dict, pd.Series]:
    """The caller's submission, read inside the transaction; refused when not theirs or closed."""
    owner = owner_by_token(uow, token)
    hit = _rows(uow, "submissions", SUB_COLS, where={"submission_id": [submission_id]})
    if owner is None or hit.empty or hit.iloc[0]["owner_id"] != owner["owner_id"]:
        raise _deny()  # same answer for "not yours" and "does not exist"
    sub = hit.iloc[0]
    if sub["status"] in CLOSED:
        raise ConflictError(
            N_("Version {version} ({submission}) is already replaced: reload the page and act on the latest "
               "version.") if sub["status"] == "replaced" else
            N_("Version {version} ({submission}) is already withdrawn: reload the page and act on the latest "
               "version."),
            version=sub["version"], submission=submission_id)
    return owner, sub


def replace_submission(cat: CatalogueBackend, token: str, submission_id: str, result: CheckResult, *,
                       media: Sequence[Media] = ()) -> SubmissionReceipt:
    """A new version of a submission (same site ids while the row count matches; history kept).

    ``media`` replace the photos and plans of the sites they belong to (same transaction); without any,
    the sites keep theirs.
    """
    if not result.ok:
        raise UserError(N_("The file has {errors}."), errors=ngettext("{n} error", "{n} errors", len(result.errors)))
    new_sub = new_id("SUB")
    with cat.unit_of_work(reason=f"replaces {submission_id}") as uow:
        owner, old = _own_submission(uow, token, submission_id)
        uow.actor = f"owner:{owner['owner_id']}"
        old_ids = str(old["site_ids"]).split(";")
        ids = old_ids[:len(result.sites)] + [new_id("LS") for _ in range(len(result.sites) - len(old_ids))]
        recs = _records(result, owner["owner_id"], new_sub, ids)
        dropped = [s for s in old_ids if s not in ids]
        for sid, rec in zip(dropped, uow.records(dropped)):
            if rec is not None:
                recs.append({**{k: v for k, v in rec.items() if k != "outline"}, "site_id": sid,
                             "status": "withdrawn"})
        uow.write_sites([{k: v for k, v in r.items() if k != "outline" or v is not None} for r in recs])
        write_media(uow, media, new_sub, {s.row: sid for s, sid in zip(result.sites, ids)})
        closed = pd.DataFrame([old]).astype(object)
        closed["status"] = "replaced"
        uow.upsert("submissions", "submission_id", closed)
        uow.insert("submissions", [{
            "submission_id": new_sub, "owner_id": owner["owner_id"], "version": int(old["version"]) + 1,
            "status": "submitted", "created_at": submitted_at(), "file_sha256": result.file_sha256,
            "site_ids": ";".join(ids), "replaces": submission_id, "reason": None}])
    return SubmissionReceipt(owner["owner_id"], new_sub, ids, None)


def withdraw(cat: CatalogueBackend, token: str, submission_id: str) -> None:
    """Withdraw a submission and its listings (one transaction)."""
    with cat.unit_of_work(reason="withdrawn by owner") as uow:
        owner, sub = _own_submission(uow, token, submission_id)
        uow.actor = f"owner:{owner['owner_id']}"
        sids = str(sub["site_ids"]).split(";")
        present = [r["site_id"] for r in uow.records(sids) if r is not None]
        if present:
            uow.write_sites([{"site_id": sid, "status": "withdrawn"} for sid in present], partial=True)
        row = pd.DataFrame([sub]).astype(object)
        row["status"] = "withdrawn"
        uow.upsert("submissions", "submission_id", row)
        for rec in uow.records(present):
            notices.on_status(uow, rec, "withdrawn")


# ------------------------------------------------------------------- staff
def staff_queue(cat: CatalogueBackend, role: str) -> list[dict[str, Any]]:
    """Submitted listings, oldest first, each with the fields changed by its latest submission (old -> new).

    The change log is read once for the whole queue, not once per listing.
    """
    require(role, "review_queue")
    sites = cat.sites(statuses=["submitted"])
    if len(sites) == 0:
        return []
    log = cat.table("site_changes", where={"site_id": sites["site_id"].tolist()})
    latest: dict[str, pd.DataFrame] = {}
    if len(log):
        for sid, h in log.groupby("site_id", sort=False):
            latest[str(sid)] = h[h["at"] == h["at"].max()].sort_values("change_id")
    skip = ("created_at", "updated_at", "version", "submission_id")
    out = []
    for _, s in sites.sort_values(["updated_at", "site_id"]).iterrows():
        last = latest.get(str(s["site_id"]))
        diff = [] if last is None else [
            (r["field"], _none(r["old"]), _none(r["new"])) for _, r in last.iterrows()
            if not str(r["field"]).endswith("__prov") and r["field"] not in skip]
        out.append({"site_id": s["site_id"], "title": s["title_it"], "owner_id": s["owner_id"],
                    "version": s["version"], "is_demo": bool(s["is_demo"]) if pd.notna(s["is_demo"]) else False,
                    "updated_at": s["updated_at"], "diff": diff})
    return out


def _none(v: Any) -> Any:
    return None if v is None or (isinstance(v, float) and pd.isna(v)) else v


def mark_verified(cat: CatalogueBackend, role: Role | str, site_id: str, keys: list[str], actor: str, *,
                  expected_version: int | None = None) -> None:
    """Mark owner-declared fields as verified by staff (one transaction)."""
    require(role, "verify")
    with cat.unit_of_work(actor=actor, reason="verified by staff") as uow:
        rec = uow.site(site_id)
        if rec is None:
            raise UserError(N_("No listing {site_id}."), site_id=site_id)
        changes = {prov_column(k): "verified" for k in keys if k in FIELD and rec.get(k) is not None
                   and FIELD[k].source == "owner"}
        if changes:
            uow.update_site(site_id, changes, expected_version=expected_version)


def publish(cat: CatalogueBackend, role: Role | str, site_id: str, actor: str, *, expected_version: int | None = None) -> None:
    """Publish a listing. With ``expected_version`` (the version staff reviewed), refuse one changed meanwhile."""
    require(role, "publish")
    with cat.unit_of_work(actor=actor, reason="published") as uow:
        rec = uow.site(site_id)
        if rec is not None and rec["status"] == "withdrawn":
            raise ConflictError(N_("Listing {site_id} was withdrawn by its owner: it cannot be published."),
                                site_id=site_id)
        uow.update_site(site_id, {"status": "published", "confirmed_at": uow.stamp},
                        expected_version=expected_version)
        notices.on_status(uow, rec, "published")


def send_back(cat: CatalogueBackend, role: Role | str, site_id: str, reason: str, actor: str, *,
              expected_version: int | None = None) -> None:
    """Return a listing to its owner with a reason (listing and submission in one transaction)."""
    require(role, "send_back")
    if not reason.strip():
        raise UserError(N_("Give a reason."))
    with cat.unit_of_work(actor=actor, reason=f"sent back: {reason}") as uow:
        rec = uow.site(site_id)
        uow.update_site(site_id, {"status": "draft"}, expected_version=expected_version)
        if rec and rec.get("submission_id"):
            sub = _rows(uow, "submissions", SUB_COLS, where={"submission_id": [rec["submission_id"]]})
            if len(sub):
                sub["status"], sub["reason"] = "sent_back", reason
                uow.upsert("submissions", "submission_id", sub)
        notices.on_status(uow, rec, "sent_back", reason)
