"""Enquiries: an investor asks about a published site; staff see them beside the site.

The owner's contact details are never shown to the public: an enquiry goes to
the catalogue (one row, one transaction) and staff follow it up. The visitor's
text is stored as typed and always shown as text; text that shows nothing or
holds a control character (NUL included) is refused, and one visitor (session)
or one network address can send only a few enquiries in a short time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

from geo.catalogue import CatalogueBackend, ConflictError, new_id
from geo.catalogue.access import Role, require
from geo.catalogue.migrate import empty_enquiries
from geo.errors import UserError
from geo.i18n import N_
from geo.listing.rate_limit import RateLimiter, Rule
from geo.mail import notices
from geo.schema.coerce import blank_to_the_eye, invisible_character
from geo.schema.messages import joined_param

ENQUIRY_COLUMNS = list(empty_enquiries().columns)  # the table as migrations 0002 and 0005 define it
MAX_MESSAGE = 4000
MAX_NAME = 200
_EMAIL = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[A-Za-z]{2,}$")

#: Enquiries accepted per visitor (Streamlit session) and per client address in a sliding window.
#: A person writes an enquiry in a minute or more, so 10 in 10 minutes is more than anyone sends by
#: hand (a whole shortlist, one site at a time, fits); an office behind one address (NAT, proxy) gets
#: 30. A script that stores 100 in 30 s is stopped after 10 (one session) or 30 (new sessions).
SESSION_RULE = Rule("session", limit=10, window_s=600.0)
ADDRESS_RULE = Rule("address", limit=30, window_s=600.0)
#: The server's limiter (one process serves every session); tests pass their own with a fake clock.
LIMITER = RateLimiter((SESSION_RULE, ADDRESS_RULE))

_UNREADABLE = {
    "name": N_("type your name again as plain text: it shows nothing or holds an invisible or control "
               "character ({name_char})"),
    "email": N_("type your e-mail address again as plain text: it holds an invisible or control character "
                "({email_char})"),
    "message": N_("type your message again as plain text: it shows nothing or holds an invisible or control "
                  "character ({message_char})"),
}


def unreadable(text: str, allow: str = "") -> str | None:
    """The code point ("U+200B") that makes ``text`` unreadable: a control or invisible character, or the
    first character of a text that shows nothing at all; None for readable (or empty) text."""
    bad = invisible_character(text, allow=allow)
    if bad:
        return bad[0]
    if text and blank_to_the_eye(text):  # only spaces, zero-width or filler characters
        return f"U+{ord(text[0]):04X}"
    return None


@dataclass
class Enquiry:
    enquiry_id: str
    site_id: str


def send_enquiry(cat: CatalogueBackend, site_id: str, name: str, email: str, message: str,
                 consent: bool, *, session: str | None = None, address: str | None = None,
                 limiter: RateLimiter | None = None) -> Enquiry:
    """Store an enquiry about a *published* site (one transaction); every problem in one message.

    Parameters
    ----------
    session, address
        The sender's Streamlit session id and client address (the page passes them); each is
        limited by its rule in ``limiter`` (default :data:`LIMITER`). None: not limited (CLI, tests).

    Raises
    ------
    UserError
        Invalid text (nothing stored), too many enquiries (:class:`TooManyEnquiries`, nothing stored),
        or a listing that is not published.
    """
    raw = {"name": name or "", "email": email or "", "message": message or ""}
    name, email, message = (v.strip() for v in raw.values())
    chars = {"name_char": unreadable(raw["name"]), "email_char": unreadable(raw["email"]),
             "message_char": unreadable(raw["message"], allow="\n\r\t")}
    problems = []
    if chars["name_char"]:
        problems.append(_UNREADABLE["name"])
    elif not name or len(name) > MAX_NAME:
        problems.append(N_("give your name (at most {max_name} characters)"))
    if chars["email_char"]:
        problems.append(_UNREADABLE["email"])
    elif not _EMAIL.match(email):
        problems.append(N_("give a valid e-mail address"))
    if chars["message_char"]:
        problems.append(_UNREADABLE["message"])
    elif not message or len(message) > MAX_MESSAGE:
        problems.append(N_("write a message (at most {max_message} characters)"))
    if not consent:
        problems.append(N_("consent to the use of your data to answer the enquiry"))
    if problems:
        raise UserError(N_("Enquiry not sent: {problems}."),
                        problems=joined_param(problems, max_name=MAX_NAME, max_message=MAX_MESSAGE, **chars))
    limiter = LIMITER if limiter is None else limiter
    slot = limiter.reserve({"session": session, "address": address})
    if not isinstance(slot, list):
        raise TooManyEnquiries(N_("Enquiry not sent: at most {limit} enquiries every {minutes} minutes can be "
                                  "sent from one visitor or one network. Please try again in {wait} min."),
                               limit=slot.rule.limit, minutes=round(slot.rule.window_s / 60),
                               wait=slot.retry_after_min)
    enquiry_id = new_id("ENQ")
    try:
        with cat.unit_of_work(actor="public", reason=f"enquiry {enquiry_id}") as uow:
            rec = uow.site(site_id)
            if rec is None or rec.get("status") != "published":
                raise UserError(N_("Listing {site_id} is not published: enquiry not sent."), site_id=site_id)
            uow.insert("enquiries", pd.DataFrame([{
                "enquiry_id": enquiry_id, "site_id": site_id, "name": name, "email": email, "message": message,
                "consent": True, "created_at": uow.stamp, "status": "new", "assigned_to": None, "reply": None,
                "updated_at": uow.stamp}]))
            notices.on_enquiry(uow, enquiry_id, rec, name)
    except BaseException:
        limiter.release(slot)  # nothing stored: the attempt does not count
        raise
    return Enquiry(enquiry_id, site_id)


class TooManyEnquiries(UserError):
    """The sender has reached the enquiry rate limit; nothing was stored."""


def enquiries_for_staff(cat: CatalogueBackend, role: Role | str, site_id: str | None = None) -> pd.DataFrame:
    """Enquiries, newest first, with the site's title (staff only)."""
    require(role, "read_enquiries")
    df = cat.table("enquiries", where={"site_id": [site_id]} if site_id else None)
    if len(df) == 0:
        return pd.DataFrame(columns=[*ENQUIRY_COLUMNS, "title"])
    titles = {r["site_id"]: r.get("title_it") for r in cat.records(df["site_id"].unique().tolist(), role="staff")
              if r is not None}
    df = df.assign(title=df["site_id"].map(titles))
    return df.sort_values("created_at", ascending=False, kind="stable").reset_index(drop=True)


# ------------------------------------------------------------------ the queue
#: An enquiry's states: received, answered by staff (a reply recorded), closed (nothing left to do).
STATUSES: tuple[str, ...] = ("new", "answered", "closed")
STATUS_LABELS = {"new": N_("new"), "answered": N_("answered"), "closed": N_("closed")}
#: What a history row records (each one change).
ACTIONS = {"received": N_("received"), "assigned": N_("assigned to {who}"), "unassigned": N_("unassigned"),
           "answered": N_("answered"), "closed": N_("closed"), "reopened": N_("reopened")}
EVENT_COLUMNS = ["event_id", "enquiry_id", "at", "actor", "action", "status", "assigned_to", "text"]
MAX_REPLY = 8000
MAX_ASSIGNEE = 200


@dataclass(frozen=True)
class EnquiryChange:
    """What one queue action changed: returned by every action so that what follows it (an e-mail to the
    enquirer or to the assignee) hooks on one value, after the transaction has committed.

    ``before``/``after``: the enquiry's ``status``, ``assigned_to`` and ``reply`` around the change;
    ``enquirer``: the name and e-mail the investor gave (for the reply's e-mail); ``seen``: the number of
    history rows after the change (the ``seen`` the next action on this page passes).
    """

    enquiry_id: str
    site_id: str
    action: str
    actor: str
    at: str
    before: dict
    after: dict
    enquirer: dict
    seen: int

    @property
    def reply(self) -> str | None:
        """The reply text this change recorded (``answered`` only)."""
        return self.after.get("reply") if self.action == "answered" else None


def _text(v: object) -> str | None:
    return None if v is None or (isinstance(v, float) and pd.isna(v)) or v is pd.NA or str(v) == "" else str(v)


def _state(row: dict) -> dict:
    return {"status": _text(row.get("status")) or "new", "assigned_to": _text(row.get("assigned_to")),
            "reply": _text(row.get("reply"))}


def _events(src, enquiry_id: str) -> pd.DataFrame:
    t = src.table("enquiry_events", where={"enquiry_id": [enquiry_id]})
    if len(t) == 0:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in EVENT_COLUMNS})
    return t


def _change(cat: CatalogueBackend, role: Role | str, enquiry_id: str, actor: str, action: str,
            seen: int | None, apply) -> EnquiryChange:
    """One queue action in one unit of work: read the enquiry inside it, refuse a stale ``seen``, let ``apply``
    compute the new state (or raise), write the row and one history row."""
    require(role, "answer_enquiries")
    with cat.unit_of_work(actor=actor, reason=f"enquiry {enquiry_id}: {action}") as uow:
        hit = uow.table("enquiries", where={"enquiry_id": [enquiry_id]})
        if len(hit) == 0:
            raise UserError(N_("No enquiry {enquiry}."), enquiry=enquiry_id)
        row = hit.iloc[0].to_dict()
        history = _events(uow, enquiry_id)
        n = len(history) + 1  # the receipt counts as the first row, recorded or not
        if seen is not None and seen != n:
            raise ConflictError(N_("Enquiry {enquiry} changed since you opened it (someone else answered, assigned "
                                   "or closed it): reload the page and retry."), enquiry=enquiry_id)
        before = _state(row)
        after = apply(dict(before))
        if after == before:
            raise UserError(N_("Enquiry {enquiry}: nothing to change."), enquiry=enquiry_id)
        new = {**{c: row.get(c) for c in ENQUIRY_COLUMNS}, **after, "updated_at": uow.stamp}
        frame = pd.DataFrame([new])
        frame["consent"] = frame["consent"].astype(bool)
        uow.upsert("enquiries", "enquiry_id", frame)
        text = after["reply"] if action == "answered" else None
        uow.insert("enquiry_events", [{
            "event_id": f"{enquiry_id}.{n + 1:04d}", "enquiry_id": enquiry_id, "at": uow.stamp, "actor": actor, "action": action,
            "status": after["status"], "assigned_to": after["assigned_to"], "text": text}])
        if action == "answered":  # the enquirer gets the reply by e-mail (queued with the action, when mail is on)
            notices.on_reply(uow, row, uow.site(str(row["site_id"])), text)
        stamp = uow.stamp
    return EnquiryChange(enquiry_id, str(row["site_id"]), action, actor, stamp, before, after,
                         {"name": _text(row.get("name")), "email": _text(row.get("email"))}, n + 1)


#: The refusals of a staff text, per kind: (unreadable, empty or too long).
_STAFF_TEXT = {
    "reply": (N_("Type the reply again as plain text: it holds an invisible or control character ({char})."),
              N_("Write the reply (at most {limit} characters).")),
    "assignee": (N_("Type the staff member's name again as plain text: it holds an invisible or control character "
                    "({char})."),
                 N_("Give the staff member's name (at most {limit} characters).")),
}


def _clean(text: str, limit: int, what: str) -> str:
    text = (text or "").strip()
    bad = unreadable(text, allow="\n\r\t")
    if bad:
        raise UserError(_STAFF_TEXT[what][0], char=bad)
    if not text or len(text) > limit:
        raise UserError(_STAFF_TEXT[what][1], limit=limit)
    return text


def assign(cat: CatalogueBackend, role: Role | str, enquiry_id: str, staff: str | None, actor: str, *,
           seen: int | None = None) -> EnquiryChange:
    """Assign an enquiry to a staff member (``None``: nobody); a closed enquiry keeps its assignee."""
    who = None if staff is None or not str(staff).strip() else _clean(str(staff), MAX_ASSIGNEE, "assignee")

    def apply(state: dict) -> dict:
        if state["status"] == "closed":
            raise ConflictError(N_("Enquiry {enquiry} is closed: reopen it first."), enquiry=enquiry_id)
        return {**state, "assigned_to": who}
    return _change(cat, role, enquiry_id, actor, "assigned" if who else "unassigned", seen, apply)


def answer(cat: CatalogueBackend, role: Role | str, enquiry_id: str, reply: str, actor: str, *,
           seen: int | None = None) -> EnquiryChange:
    """Record the reply sent to the enquirer: the enquiry becomes ``answered`` (and is assigned to the replier
    when it had nobody). A closed enquiry is refused: reopen it first."""
    text = _clean(reply, MAX_REPLY, "reply")

    def apply(state: dict) -> dict:
        if state["status"] == "closed":
            raise ConflictError(N_("Enquiry {enquiry} is closed: reopen it first."), enquiry=enquiry_id)
        return {**state, "status": "answered", "reply": text, "assigned_to": state["assigned_to"] or actor}
    return _change(cat, role, enquiry_id, actor, "answered", seen, apply)


def close(cat: CatalogueBackend, role: Role | str, enquiry_id: str, actor: str, *,
          seen: int | None = None) -> EnquiryChange:
    """Close an enquiry (nothing left to do); closing a closed one is refused."""
    def apply(state: dict) -> dict:
        if state["status"] == "closed":
            raise ConflictError(N_("Enquiry {enquiry} is already closed."), enquiry=enquiry_id)
        return {**state, "status": "closed"}
    return _change(cat, role, enquiry_id, actor, "closed", seen, apply)


def reopen(cat: CatalogueBackend, role: Role | str, enquiry_id: str, actor: str, *,
           seen: int | None = None) -> EnquiryChange:
    """Reopen a closed enquiry: ``answered`` when it has a reply, ``new`` otherwise."""
    def apply(state: dict) -> dict:
        if state["status"] != "closed":
            raise ConflictError(N_("Enquiry {enquiry} is not closed."), enquiry=enquiry_id)
        return {**state, "status": "answered" if state["reply"] else "new"}
    return _change(cat, role, enquiry_id, actor, "reopened", seen, apply)


def enquiry_queue(cat: CatalogueBackend, role: Role | str, *, statuses: list[str] | None = None,
                  assignee: str | None = None, unassigned: bool = False) -> pd.DataFrame:
    """The enquiries staff work on, newest first, with title, status, assignee and ``seen`` (the history length
    an action taken from this view passes); filtered by ``statuses``, ``assignee`` or ``unassigned``."""
    df = enquiries_for_staff(cat, role)
    for c in ("assigned_to", "reply", "updated_at"):
        if c not in df:
            df[c] = None
    df["status"] = [_text(s) or "new" for s in df["status"]]
    if statuses:
        df = df[df["status"].isin(statuses)]
    if assignee:
        df = df[df["assigned_to"] == assignee]
    elif unassigned:
        df = df[[_text(a) is None for a in df["assigned_to"]]]
    ev = cat.table("enquiry_events")
    counts = ev.groupby("enquiry_id").size().to_dict() if len(ev) else {}
    return df.assign(seen=[1 + int(counts.get(e, 0)) for e in df["enquiry_id"]]).reset_index(drop=True)


def enquiry_history(cat: CatalogueBackend, role: Role | str, enquiry_id: str) -> pd.DataFrame:
    """Who did what when to one enquiry, oldest first, the receipt first (columns of ``enquiry_events``)."""
    require(role, "read_enquiries")
    hit = cat.table("enquiries", where={"enquiry_id": [enquiry_id]})
    if len(hit) == 0:
        raise UserError(N_("No enquiry {enquiry}."), enquiry=enquiry_id)
    first = {"event_id": "", "enquiry_id": enquiry_id, "at": hit["created_at"].iloc[0], "actor": "public",
             "action": "received", "status": "new", "assigned_to": None, "text": hit["message"].iloc[0]}
    rest = _events(cat, enquiry_id).sort_values("event_id", kind="stable")  # "<enquiry>.<n>", n in order
    return pd.concat([pd.DataFrame([first]), rest[EVENT_COLUMNS]], ignore_index=True)


def event_words(row: dict, _) -> str:
    """A history row in words ("assigned to anna", "answered") in the translator's language."""
    template = ACTIONS.get(str(row.get("action")), str(row.get("action")))
    return _(template).format(who=_text(row.get("assigned_to")) or "")
