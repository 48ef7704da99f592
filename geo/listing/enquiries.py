"""Enquiries: an investor asks about a published site; staff see them beside the site.

The owner's contact details are never shown to the public: an enquiry goes to
the catalogue (one row, one transaction) and staff follow it up. The visitor's
text is stored as typed and always shown as text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

from geo.catalogue import CatalogueBackend, new_id
from geo.catalogue.migrate import empty_enquiries
from geo.errors import UserError
from geo.i18n import N_
from geo.schema.coerce import invisible_character
from geo.schema.messages import joined_param

ENQUIRY_COLUMNS = list(empty_enquiries().columns)  # the table as migration 0002 defines it
MAX_MESSAGE = 4000
MAX_NAME = 200
_EMAIL = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[A-Za-z]{2,}$")


@dataclass
class Enquiry:
    enquiry_id: str
    site_id: str


def send_enquiry(cat: CatalogueBackend, site_id: str, name: str, email: str, message: str,
                 consent: bool) -> Enquiry:
    """Store an enquiry about a *published* site (one transaction); every problem in one message."""
    name, email, message = (name or "").strip(), (email or "").strip(), (message or "").strip()
    problems = []
    if not name or len(name) > MAX_NAME:
        problems.append(N_("give your name (at most {max_name} characters)"))
    if not _EMAIL.match(email) or invisible_character(email):
        problems.append(N_("give a valid e-mail address"))
    if not message or len(message) > MAX_MESSAGE:
        problems.append(N_("write a message (at most {max_message} characters)"))
    if not consent:
        problems.append(N_("consent to the use of your data to answer the enquiry"))
    if problems:
        raise UserError(N_("Enquiry not sent: {problems}."),
                        problems=joined_param(problems, max_name=MAX_NAME, max_message=MAX_MESSAGE))
    enquiry_id = new_id("ENQ")
    with cat.unit_of_work(actor="public", reason=f"enquiry {enquiry_id}") as uow:
        rec = uow.site(site_id)
        if rec is None or rec.get("status") != "published":
            raise UserError(N_("Listing {site_id} is not published: enquiry not sent."), site_id=site_id)
        uow.insert("enquiries", pd.DataFrame([{
            "enquiry_id": enquiry_id, "site_id": site_id, "name": name, "email": email, "message": message,
            "consent": True, "created_at": uow.stamp, "status": "new"}]))
    return Enquiry(enquiry_id, site_id)


def enquiries_for_staff(cat: CatalogueBackend, role: str, site_id: str | None = None) -> pd.DataFrame:
    """Enquiries, newest first, with the site's title (staff only)."""
    if role != "staff":
        raise UserError(N_("Access denied: restricted operation."))
    df = cat.table("enquiries", where={"site_id": [site_id]} if site_id else None)
    if len(df) == 0:
        return pd.DataFrame(columns=[*ENQUIRY_COLUMNS, "title"])
    titles = {r["site_id"]: r.get("title_it") for r in cat.records(df["site_id"].unique().tolist(), role="staff")
              if r is not None}
    df = df.assign(title=df["site_id"].map(titles))
    return df.sort_values("created_at", ascending=False, kind="stable").reset_index(drop=True)
