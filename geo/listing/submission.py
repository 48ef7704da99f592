"""Submission by owners, and validation by staff, with roles enforced here (server side).

Owners are identified by a private token (``secrets.token_urlsafe(32)``) that
they receive once; only its SHA-256 is stored. Owner functions only ever see
the token's own submissions. Staff functions refuse every role but ``staff``.
Every write is one atomic catalogue write (sites + owners + submissions).
"""

from __future__ import annotations

import hashlib
import json
import secrets
import uuid
from dataclasses import dataclass
from typing import Any

import pandas as pd

from geo.catalogue.gpkg import now_iso
from geo.errors import UserError
from geo.listing.check import CheckResult
from geo.schema import FIELD, prov_column

OWNER_COLS = ["owner_id", "token_hash", "owner_json", "created_at", "updated_at"]
SUB_COLS = ["submission_id", "owner_id", "version", "status", "created_at", "file_sha256", "site_ids", "replaces",
            "reason"]


class AccessDenied(UserError):
    """The caller's role or token does not allow this."""


def _deny() -> AccessDenied:
    return AccessDenied("Accesso negato: operazione riservata o link non valido.",
                        "Access denied: restricted operation or invalid link.")


def _require_staff(role: str) -> None:
    if role != "staff":
        raise _deny()


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _table(cat, name: str, cols: list[str]) -> pd.DataFrame:
    t = cat.table(name)
    if len(t) == 0:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in cols})
    for c in cols:
        if c not in t:
            t[c] = None
    return t[cols].astype(object)


def owner_by_token(cat, token: str | None) -> dict[str, Any] | None:
    if not token:
        return None
    owners = _table(cat, "owners", OWNER_COLS)
    hit = owners[owners["token_hash"] == token_hash(token)]
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


def _records(result: CheckResult, owner_id: str, submission_id: str, site_ids: list[str] | None) -> list[dict]:
    recs = []
    for i, s in enumerate(result.sites):
        rec: dict[str, Any] = {}
        for k, v in {**result.owner, **s.record}.items():
            if k not in FIELD:
                continue
            rec[k] = v
            rec[prov_column(k)] = "declared"
        rec.update({"status": "submitted", "owner_id": owner_id, "submission_id": submission_id, "is_demo": False})
        if site_ids:
            rec["site_id"] = site_ids[i]
        recs.append(rec)
    return recs


def submit(cat, result: CheckResult, token: str | None = None, actor: str = "owner") -> SubmissionReceipt:
    """Store a valid upload as ``submitted`` listings, all rows or none.

    With no ``token`` a new owner is created and its token returned (once).
    """
    if not result.ok:
        raise UserError(f"Il file ha {len(result.errors)} errori: correggerli prima dell'invio.",
                        f"The file has {len(result.errors)} errors: fix them before submitting.")
    owners = _table(cat, "owners", OWNER_COLS)
    subs = _table(cat, "submissions", SUB_COLS)
    stamp = now_iso()
    new_token = None
    if token:
        owner = owner_by_token(cat, token)
        if owner is None:
            raise _deny()
        owner_id = owner["owner_id"]
        owners.loc[owners["owner_id"] == owner_id, ["owner_json", "updated_at"]] = [
            json.dumps(result.owner, ensure_ascii=False, default=str), stamp]
    else:
        new_token = secrets.token_urlsafe(32)
        owner_id = f"OW-{uuid.uuid4().hex[:10].upper()}"
        owners = pd.concat([owners, pd.DataFrame([{
            "owner_id": owner_id, "token_hash": token_hash(new_token),
            "owner_json": json.dumps(result.owner, ensure_ascii=False, default=str), "created_at": stamp,
            "updated_at": stamp}])], ignore_index=True)
    submission_id = f"SUB-{uuid.uuid4().hex[:10].upper()}"
    recs = _records(result, owner_id, submission_id, None)
    for r in recs:
        r["site_id"] = f"LS-{uuid.uuid4().hex[:10].upper()}"
    subs = pd.concat([subs, pd.DataFrame([{
        "submission_id": submission_id, "owner_id": owner_id, "version": 1, "status": "submitted",
        "created_at": stamp, "file_sha256": result.file_sha256, "site_ids": ";".join(r["site_id"] for r in recs),
        "replaces": None, "reason": None}])], ignore_index=True)
    ids = cat.write_sites(recs, actor=f"{actor}:{owner_id}", reason=f"submission {submission_id}",
                          extra_layers={"owners": owners, "submissions": subs})
    return SubmissionReceipt(owner_id, submission_id, ids, new_token)


def owner_view(cat, token: str) -> pd.DataFrame:
    """The token owner's submissions and the status of each of their sites (nobody else's)."""
    owner = owner_by_token(cat, token)
    if owner is None:
        raise _deny()
    subs = _table(cat, "submissions", SUB_COLS)
    mine = subs[subs["owner_id"] == owner["owner_id"]]
    sites = cat.sites(statuses=None)
    sites = sites[sites["owner_id"] == owner["owner_id"]]
    rows = []
    for _, s in mine.iterrows():
        for sid in str(s["site_ids"]).split(";"):
            hit = sites[sites["site_id"] == sid]
            rows.append({"submission_id": s["submission_id"], "version": s["version"], "site_id": sid,
                         "title": hit["title_it"].iloc[0] if len(hit) else None,
                         "status": hit["status"].iloc[0] if len(hit) else s["status"],
                         "submitted_at": s["created_at"], "reason": s["reason"]})
    return pd.DataFrame(rows, columns=["submission_id", "version", "site_id", "title", "status", "submitted_at",
                                       "reason"])


def _own_submission(cat, token: str, submission_id: str) -> tuple[dict, pd.DataFrame, pd.Series]:
    owner = owner_by_token(cat, token)
    subs = _table(cat, "submissions", SUB_COLS)
    hit = subs[(subs["submission_id"] == submission_id)]
    if owner is None or hit.empty or hit.iloc[0]["owner_id"] != owner["owner_id"]:
        raise _deny()  # same answer for "not yours" and "does not exist"
    return owner, subs, hit.iloc[0]


def replace_submission(cat, token: str, submission_id: str, result: CheckResult) -> SubmissionReceipt:
    """A new version of a submission (same site ids while the row count matches; history kept)."""
    owner, subs, old = _own_submission(cat, token, submission_id)
    if not result.ok:
        raise UserError(f"Il file ha {len(result.errors)} errori.", f"The file has {len(result.errors)} errors.")
    old_ids = str(old["site_ids"]).split(";")
    ids = old_ids[:len(result.sites)] + [f"LS-{uuid.uuid4().hex[:10].upper()}"
                                         for _ in range(len(result.sites) - len(old_ids))]
    new_id = f"SUB-{uuid.uuid4().hex[:10].upper()}"
    recs = _records(result, owner["owner_id"], new_id, ids)
    stamp = now_iso()
    subs.loc[subs["submission_id"] == submission_id, "status"] = "replaced"
    subs = pd.concat([subs, pd.DataFrame([{
        "submission_id": new_id, "owner_id": owner["owner_id"], "version": int(old["version"]) + 1,
        "status": "submitted", "created_at": stamp, "file_sha256": result.file_sha256, "site_ids": ";".join(ids),
        "replaces": submission_id, "reason": None}])], ignore_index=True)
    dropped = [s for s in old_ids if s not in ids]
    for sid, rec in zip(dropped, cat.records(dropped)):
        recs.append({**(rec or {}), "site_id": sid, "status": "withdrawn"})
    cat.write_sites([{k: v for k, v in r.items() if k != "outline" or v is not None} for r in recs],
                    actor=f"owner:{owner['owner_id']}", reason=f"replaces {submission_id}",
                    extra_layers={"submissions": subs})
    return SubmissionReceipt(owner["owner_id"], new_id, ids, None)


def withdraw(cat, token: str, submission_id: str) -> None:
    owner, subs, sub = _own_submission(cat, token, submission_id)
    subs.loc[subs["submission_id"] == submission_id, "status"] = "withdrawn"
    recs = []
    sids = str(sub["site_ids"]).split(";")
    for sid, rec in zip(sids, cat.records(sids)):
        if rec:
            recs.append({"site_id": sid, **{k: v for k, v in rec.items() if k != "outline"}, "status": "withdrawn"})
    cat.write_sites(recs, actor=f"owner:{owner['owner_id']}", reason="withdrawn by owner",
                    extra_layers={"submissions": subs})


# ------------------------------------------------------------------- staff
def staff_queue(cat, role: str) -> list[dict[str, Any]]:
    """Submitted listings, oldest first, each with the fields changed by its latest submission (old -> new).

    The change log is read once for the whole queue, not once per listing.
    """
    _require_staff(role)
    sites = cat.sites(statuses=["submitted"])
    if len(sites) == 0:
        return []
    log = cat.table("site_changes")
    log = log[log["site_id"].isin(set(sites["site_id"]))] if len(log) else log
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


def mark_verified(cat, role: str, site_id: str, keys: list[str], actor: str) -> None:
    _require_staff(role)
    rec = cat.site(site_id)
    if rec is None:
        raise UserError(f"Scheda {site_id} inesistente.", f"No listing {site_id}.")
    changes = {prov_column(k): "verified" for k in keys if k in FIELD and rec.get(k) is not None
               and FIELD[k].source == "owner"}
    if changes:
        cat.update_site(site_id, changes, actor=actor, reason="verified by staff")


def publish(cat, role: str, site_id: str, actor: str) -> None:
    _require_staff(role)
    cat.update_site(site_id, {"status": "published", "confirmed_at": now_iso()}, actor=actor, reason="published")


def send_back(cat, role: str, site_id: str, reason: str, actor: str) -> None:
    _require_staff(role)
    if not reason.strip():
        raise UserError("Indicare il motivo.", "Give a reason.")
    rec = cat.site(site_id)
    subs = _table(cat, "submissions", SUB_COLS)
    if rec and rec.get("submission_id"):
        subs.loc[subs["submission_id"] == rec["submission_id"], ["status", "reason"]] = ["sent_back", reason]
    cat.update_site(site_id, {"status": "draft"}, actor=actor, reason=f"sent back: {reason}",
                    extra_layers={"submissions": subs})
