"""Who may read which listings: the one place the visibility rule lives.

Pages and commands never filter listings by status themselves; they pass the
caller's role to the catalogue (``cat.sites(role=...)``, ``cat.site(id, role=...)``)
and to search, which ask :func:`visible_statuses`.

>>> visible_statuses("public"), visible_statuses("staff")
(('published',), None)
"""

from __future__ import annotations

from typing import Literal

Role = Literal["public", "owner", "staff", "analyst"]
ROLES: tuple[Role, ...] = ("public", "owner", "staff", "analyst")
PUBLIC_STATUSES: tuple[str, ...] = ("published",)


def visible_statuses(role: Role | str | None) -> tuple[str, ...] | None:
    """Listing statuses ``role`` may read; None means every status (staff validate submissions).

    Owners see their own listings of any status only through their private link
    (:mod:`geo.listing.submission`); here they are public visitors. An unknown
    role is treated as public, never as staff.
    """
    return None if role == "staff" else PUBLIC_STATUSES


def visible_rows(sites, role: Role | str | None):
    """The rows of a listings frame (with a ``status`` column) that ``role`` may read."""
    allowed = visible_statuses(role)
    return sites if allowed is None else sites[sites["status"].isin(allowed)]


def can_read(role: Role | str | None, status: str | None) -> bool:
    """Whether ``role`` may read a listing whose status is ``status``."""
    allowed = visible_statuses(role)
    return allowed is None or status in allowed
