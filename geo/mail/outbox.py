"""The outbox: messages queued with the action that causes them, delivered after it, retried until sent.

Queueing happens inside the action's unit of work (:func:`queue`), so the action and its messages commit
together or not at all. Delivery (:func:`deliver_due`) runs after the commit, from the page that acted or
from ``geo mail deliver`` (a timer): each due message is first *claimed* in a short transaction (status
``sending``; two processes never send the same message), then sent, then marked ``sent`` or given back
with the error and the time of the next attempt. A message that failed :data:`MAX_ATTEMPTS` times is
``failed``: staff see it (and the error) on the validation page and can send it again. A claim older than
:data:`STALE_CLAIM_MIN` (a process killed while sending) is given back: a message is sent at least once.

These bookkeeping writes do not change the catalogue's revision: no listing changed, the pages' caches
stay valid.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import uuid
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any, Sequence

import pandas as pd

from geo.catalogue.access import Role, require
from geo.catalogue.migrate import empty_outbox
from geo.mail.messages import LINK_MARK, Mail
from geo.mail.transport import SmtpTransport
from geo.redact import redact

TABLE = "mail_outbox"
OUTBOX_COLUMNS = list(empty_outbox().columns)  # the table as revision 0006 defines it
#: Minutes to wait before attempt 2, 3, ... (a relay down for a few hours is waited out; then staff look).
BACKOFF_MIN = (1, 5, 30, 120, 720)
MAX_ATTEMPTS = len(BACKOFF_MIN) + 1
#: A claim older than this (minutes) belongs to a process that died while sending: given back.
STALE_CLAIM_MIN = 10
#: Messages one delivery round sends at most (a page never waits for a backlog).
ROUND = 20


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0)


def _iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.timezone.utc).replace(microsecond=0).isoformat()


def queue(uow, mails: Sequence[Mail], *, enabled: bool | None = None) -> list[str]:
    """Queue ``mails`` inside the action's unit of work ``uow``; returns their ids ([] when mail is off).

    ``enabled`` None: on when ``GEO_SMTP_URL`` is set. With mail off nothing is stored (the page shows
    the link and says no e-mail is sent): turning mail on later does not send old news.
    """
    if enabled is None:
        from geo.settings import settings

        enabled = bool(settings().smtp_url)
    mails = [m for m in mails if m.to]
    if not enabled or not mails:
        return []
    ids = [f"MAIL-{uuid.uuid4().hex[:12]}" for _ in mails]
    uow.committed.append(lambda: wake(uow.cat.url))
    uow.insert(TABLE, pd.DataFrame([{
        "mail_id": i, "created_at": uow.stamp, "kind": m.kind, "ref": m.ref, "recipient": m.to, "lang": m.lang,
        "subject": m.subject, "body": m.body, "secret": m.secret, "status": "queued", "attempts": 0,
        "next_attempt_at": uow.stamp, "last_error": None, "sent_at": None} for i, m in zip(ids, mails)],
        columns=OUTBOX_COLUMNS).astype(object))
    return ids


@dataclass
class DeliveryReport:
    sent: list[str] = field(default_factory=list)
    retrying: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.retrying and not self.failed


def _rows(tx, where: dict[str, list[Any]]) -> pd.DataFrame:
    df = tx.read(TABLE, where, None)
    if len(df.columns) == 0:
        return empty_outbox()
    return df[[c for c in OUTBOX_COLUMNS if c in df.columns]].astype(object)


def _write(tx, rows: pd.DataFrame) -> None:
    tx.delete(TABLE, {"mail_id": rows["mail_id"].tolist()})
    tx.insert(TABLE, rows[OUTBOX_COLUMNS].astype(object))


def _claim(cat, now: dt.datetime, only: Sequence[str] | None, limit: int) -> pd.DataFrame:
    """Due messages, marked ``sending`` in one short transaction (what this process will send)."""
    with cat.db.transaction() as tx:
        rows = _rows(tx, {"status": ["queued", "sending"]})
        if only is not None:
            rows = rows[rows["mail_id"].isin(list(only))]
        when = pd.to_datetime(rows["next_attempt_at"], utc=True, errors="coerce")
        stale = now - dt.timedelta(minutes=STALE_CLAIM_MIN)
        due = rows[((rows["status"] == "queued") & (when <= now)) | ((rows["status"] == "sending") & (when <= stale))]
        due = due.sort_values("created_at", kind="stable").head(limit).copy()
        if len(due):
            due["status"], due["next_attempt_at"] = "sending", _iso(now)
            _write(tx, due)
        return due


def _message(row: pd.Series, base_url: str | None) -> EmailMessage:
    msg = EmailMessage()
    msg["To"] = row["recipient"]
    msg["Subject"] = row["subject"]
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = make_msgid(idstring=str(row["mail_id"]))
    msg["Auto-Submitted"] = "auto-generated"
    body = str(row["body"])
    if LINK_MARK in body:
        secret = row.get("secret")
        link = str(secret) if isinstance(secret, str) and secret else "-"
        if base_url and link.startswith("?"):
            link = f"{base_url}/owner{link}"
        body = body.replace(LINK_MARK, link)
    msg.set_content(body)
    return msg


def deliver_due(cat, transport: SmtpTransport | None = None, *, now: dt.datetime | None = None,
                only: Sequence[str] | None = None, limit: int = ROUND) -> DeliveryReport:
    """Send the messages that are due (``only``: just these ids); never raises for a delivery failure.

    ``transport`` None: the configured one (``GEO_SMTP_URL``); with none configured nothing is sent.
    """
    from geo.settings import settings

    s = settings()
    if transport is None:
        if not s.smtp_url:
            return DeliveryReport()
        transport = SmtpTransport.from_url(s.smtp_url, s.mail_from)
    now = now or _now()
    report = DeliveryReport()
    for _, row in _claim(cat, now, only, limit).iterrows():
        row = row.copy()
        try:
            transport.send(_message(row, s.public_url))
        except Exception as exc:  # noqa: BLE001 - any failure of the server or the network: retried later
            attempts = int(row["attempts"] or 0) + 1
            row["attempts"], row["last_error"] = attempts, redact(f"{type(exc).__name__}: {exc}")[:500]
            if attempts >= MAX_ATTEMPTS:
                row["status"] = "failed"
                report.failed.append(row["mail_id"])
            else:
                row["status"] = "queued"
                row["next_attempt_at"] = _iso(now + dt.timedelta(minutes=BACKOFF_MIN[attempts - 1]))
                report.retrying.append(row["mail_id"])
        else:
            row["status"], row["sent_at"], row["secret"] = "sent", _iso(now), None  # the link leaves the catalogue
            row["attempts"] = int(row["attempts"] or 0) + 1
            report.sent.append(row["mail_id"])
        with cat.db.transaction() as tx:
            _write(tx, pd.DataFrame([row]))
    return report


def retry(cat, role: Role | str, mail_id: str) -> None:
    """Send a ``failed`` message again at the next delivery (staff)."""
    require(role, "read_enquiries")
    with cat.db.transaction() as tx:
        rows = _rows(tx, {"mail_id": [mail_id]})
        if len(rows):
            rows = rows.copy()
            rows["status"], rows["attempts"], rows["next_attempt_at"] = "queued", 0, _iso(_now())
            _write(tx, rows)


def outbox_for_staff(cat, role: Role | str, statuses: Sequence[str] | None = None) -> pd.DataFrame:
    """Messages, newest first, without the private links (staff only)."""
    require(role, "read_enquiries")
    df = cat.table(TABLE, where={"status": list(statuses)} if statuses else None)
    if len(df) == 0 or "mail_id" not in df.columns:
        return empty_outbox().drop(columns=["secret"])
    df = df.drop(columns=[c for c in ("secret", "fid") if c in df.columns])
    df["body"] = df["body"].astype(str).str.replace(LINK_MARK, "•••", regex=False)
    return df.sort_values("created_at", ascending=False, kind="stable").reset_index(drop=True)


# ------------------------------------------------------------------ the app's deliverer
#: Seconds between two rounds of the app's deliverer when nothing wakes it (retries come due).
TICK_S = 60.0
_wake = threading.Event()
_targets: set[str] = set()
_worker: threading.Thread | None = None
_lock = threading.Lock()
log = logging.getLogger("geo.mail")


def wake(target: str) -> None:
    """A message to ``target`` was committed: the deliverer of this process (if one runs) sends it now."""
    _targets.add(str(target))
    _wake.set()


def start_deliverer(target: str) -> bool:
    """Start this process's deliverer thread for ``target`` once (the web app does; the CLI delivers itself).

    It sends what :func:`wake` announces at once and looks for due retries every :data:`TICK_S` seconds.
    Returns whether mail is on.
    """
    from geo.settings import settings

    global _worker
    if not settings().smtp_url:
        return False
    _targets.add(str(target))
    with _lock:
        if _worker is None or not _worker.is_alive():
            _worker = threading.Thread(target=_deliver_forever, name="geo-mail", daemon=True)
            _worker.start()
    return True


def _deliver_forever() -> None:
    from geo.catalogue import open_catalogue

    while True:
        _wake.wait(TICK_S)
        _wake.clear()
        for target in list(_targets):
            try:
                deliver_due(open_catalogue(target))
            except Exception:  # noqa: BLE001 - a broken round is logged; the messages stay queued
                log.exception("mail delivery round failed for %s", redact(target))
