"""Who is told what, for each action: one call per action, inside its unit of work.

Each function reads only the record the action is about (the listing's own owner, the enquiry's own
sender) and queues its messages with :func:`geo.mail.outbox.queue`, so they commit with the action.
With mail off (no ``GEO_SMTP_URL``) they queue nothing.
"""

from __future__ import annotations

import json
from typing import Any, Sequence

from geo.i18n import LOCALES, content
from geo.mail import messages
from geo.mail.outbox import queue


def _settings():
    from geo.settings import settings

    return settings()


def _lang(lang: str | None) -> str:
    return lang if lang in LOCALES else "it"


def _title(record: dict[str, Any] | None, lang: str) -> str:
    found = content(record or {}, "title", lang)
    return found.text if found else ""


def owner_contact(uow, owner_id: str | None) -> tuple[str | None, str]:
    """The e-mail address and language of ONE owner (read inside the action's transaction)."""
    if not owner_id:
        return None, "it"
    rows = uow.table("owners", where={"owner_id": [owner_id]})
    if len(rows) == 0:
        return None, "it"
    data = json.loads(rows.iloc[0].get("owner_json") or "{}")
    return (data.get("contact_email") or None), _lang(data.get("lang"))


def on_submission(uow, owner: dict[str, Any], submission_id: str, records: Sequence[dict[str, Any]],
                  token: str | None, lang: str | None) -> list[str]:
    """A new submission: the owner gets the private link (only when one was just made), staff are told."""
    s, lang = _settings(), _lang(lang)
    mails = []
    if token and owner.get("contact_email"):
        mails.append(messages.owner_link(owner["contact_email"], lang, submission_id,
                                         [_title(r, lang) for r in records], f"?token={token}&lang={lang}"))
    ids = [str(r.get("site_id")) for r in records]
    mails += [messages.staff_submission(a, submission_id, ids, [_title(r, "it") for r in records], s.public_url)
              for a in s.staff_emails]
    return queue(uow, mails)


def on_status(uow, record: dict[str, Any] | None, status: str, reason: str | None = None) -> list[str]:
    """A listing published, sent back or withdrawn: its own owner is told."""
    if record is None or status not in messages.STATUS_TEXT:
        return []
    to, lang = owner_contact(uow, record.get("owner_id"))
    if not to:
        return []
    return queue(uow, [messages.owner_status(to, lang, str(record["site_id"]), _title(record, lang), status,
                                             reason)])


def on_enquiry(uow, enquiry_id: str, record: dict[str, Any], sender_name: str) -> list[str]:
    """A new enquiry: staff are told (its text stays in the catalogue)."""
    s = _settings()
    return queue(uow, [messages.staff_enquiry(a, enquiry_id, str(record["site_id"]), _title(record, "it"),
                                              sender_name, s.public_url) for a in s.staff_emails])


def on_reply(uow, enquiry: dict[str, Any], record: dict[str, Any] | None, reply: str,
             lang: str | None = None) -> list[str]:
    """Staff answered an enquiry: its sender gets the answer (in both languages when theirs is not known)."""
    lang = lang or enquiry.get("lang")
    lang = lang if lang in LOCALES else None
    return queue(uow, [messages.enquiry_reply(str(enquiry["email"]), lang, str(enquiry["enquiry_id"]),
                                              str(enquiry["site_id"]), _title(record, lang or "it"), reply)])
