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

from geo.catalogue import CatalogueBackend, new_id
from geo.catalogue.access import Role, require
from geo.catalogue.migrate import empty_enquiries
from geo.errors import UserError
from geo.i18n import N_
from geo.listing.rate_limit import RateLimiter, Rule
from geo.mail import notices
from geo.schema.coerce import blank_to_the_eye, invisible_character
from geo.schema.messages import joined_param

ENQUIRY_COLUMNS = list(empty_enquiries().columns)  # the table as migration 0002 defines it
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
                "consent": True, "created_at": uow.stamp, "status": "new"}]))
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
