"""Freshness: a published listing is reconfirmed by its owner every few months, or flagged.

``confirmed_at`` is set when staff publish a listing and when its owner
reconfirms it (a listing without one counts from ``updated_at``) (one click on the private page). After :func:`reconfirm_months`
(6 by default, ``GEO_RECONFIRM_MONTHS``) it is *due*: staff get the list, the
owner's page offers the click.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from geo.catalogue import CatalogueBackend
from geo.catalogue.access import AccessDenied, Role, require
from geo.errors import UserError
from geo.i18n import N_
from geo.listing.submission import owner_by_token



def reconfirm_months() -> int:
    """Months after which a published listing needs reconfirming (``GEO_RECONFIRM_MONTHS``, default 6)."""
    from geo.settings import settings

    return settings().reconfirm_months


def _cutoff(months: int, today: dt.date | None = None) -> str:
    today = today or dt.datetime.now(dt.timezone.utc).date()
    return (pd.Timestamp(today) - pd.DateOffset(months=months)).date().isoformat()


def is_due(confirmed_at: str | None, months: int | None = None, today: dt.date | None = None) -> bool:
    """Whether a listing last confirmed at ``confirmed_at`` is due (never confirmed counts as due).

    >>> is_due("2026-01-10", 6, dt.date(2026, 7, 9)), is_due("2026-01-10", 6, dt.date(2026, 7, 11))
    (False, True)
    """
    if not confirmed_at:
        return True
    return str(confirmed_at)[:10] < _cutoff(months or reconfirm_months(), today)


def due_for_reconfirmation(cat: CatalogueBackend, role: Role | str, months: int | None = None,
                           today: dt.date | None = None, sites: pd.DataFrame | None = None) -> pd.DataFrame:
    """Published listings whose confirmation is older than ``months`` (staff only), oldest first.

    ``sites``: the listings frame the caller already holds (a page's cached one), to avoid reading it again.
    """
    require(role, "list_due")
    sites = cat.sites(statuses=["published"], role="staff") if sites is None else \
        sites[sites["status"] == "published"]
    # A listing never confirmed since this feature exists counts from its last update.
    last = [c or u for c, u in zip(sites["confirmed_at"], sites["updated_at"])]
    due = sites[[is_due(c, months, today) for c in last]]
    cols = ["site_id", "title_it", "title_en", "owner_id", "confirmed_at", "is_demo"]
    return pd.DataFrame(due[cols]).sort_values("confirmed_at", na_position="first").reset_index(drop=True)


def reconfirm(cat: CatalogueBackend, token: str, site_id: str) -> None:
    """The owner confirms a published listing is still on offer as it is (one click, one transaction)."""
    with cat.unit_of_work(reason="reconfirmed by owner") as uow:
        owner = owner_by_token(uow, token)
        rec = uow.site(site_id)
        if owner is None or rec is None or rec.get("owner_id") != owner["owner_id"]:
            raise AccessDenied(N_("Access denied: restricted operation or invalid link."))
        if rec["status"] != "published":
            raise UserError(N_("Only a published listing is reconfirmed."))
        uow.actor = f"owner:{owner['owner_id']}"
        uow.update_site(site_id, {"confirmed_at": uow.stamp})
        # The event itself is recorded even when the date does not change (twice in the same second).
        uow.insert("site_changes", [uow.log(site_id, "_reconfirmed", rec.get("confirmed_at"), uow.stamp)])
