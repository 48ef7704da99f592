"""Who may do what: the one place the authorisation rules live.

Every role-gated action is named in :data:`Action` (a closed set) and decided by
:func:`can`; the listing, freshness and enquiry functions call :func:`require`,
search and the catalogue's reads ask :func:`visible_statuses`. Pages and
commands never compare roles themselves: they pass the caller's role.

Owners act on their own listings through their private link (a token checked
in :mod:`geo.listing.submission`), not through a role: here they are public
visitors. An unknown role is treated as public, never as staff.

>>> can("staff", "publish"), can("owner", "publish"), can("admin", "read_unpublished")
(True, False, False)
>>> visible_statuses("public"), visible_statuses("staff")
(('published',), None)
"""

from __future__ import annotations

from typing import Literal, get_args

from geo.errors import UserError
from geo.i18n import N_

Role = Literal["public", "owner", "staff", "analyst"]
ROLES: tuple[Role, ...] = get_args(Role)
#: Every action a role may or may not take (a closed set: :func:`can` refuses any other name).
Action = Literal[
    "read_unpublished",   # read listings of any status (submitted, sent back, withdrawn...), in search too
    "review_queue",       # list the submissions waiting for staff
    "verify",             # mark owner-declared values as verified
    "publish",            # publish a submitted listing
    "send_back",          # send a submission back to its owner with a reason
    "read_enquiries",     # read investors' enquiries (names and e-mails)
    "answer_enquiries",   # work the enquiry queue: assign, reply, close, reopen
    "list_due",           # list published listings due for reconfirmation (with their owners)
    "review_brownfields",  # review satellite brownfield candidates
]
ACTIONS: tuple[Action, ...] = get_args(Action)
#: Who may take each action; a role not named is refused.
ALLOWED: dict[Action, frozenset[Role]] = {
    "read_unpublished": frozenset({"staff"}),
    "review_queue": frozenset({"staff"}),
    "verify": frozenset({"staff"}),
    "publish": frozenset({"staff"}),
    "send_back": frozenset({"staff"}),
    "read_enquiries": frozenset({"staff"}),
    "answer_enquiries": frozenset({"staff"}),
    "list_due": frozenset({"staff"}),
    "review_brownfields": frozenset({"staff", "analyst"}),
}
PUBLIC_STATUSES: tuple[str, ...] = ("published",)


class AccessDenied(UserError):
    """The caller's role or token does not allow this."""


def can(role: Role | str | None, action: Action) -> bool:
    """Whether ``role`` may take ``action``; an unknown role may take none, an unknown action raises.

    >>> can("analyst", "review_brownfields"), can("analyst", "read_enquiries")
    (True, False)
    """
    if action not in ALLOWED:
        raise ValueError(f"unknown action {action!r}: one of {', '.join(ACTIONS)}")
    return role in ALLOWED[action]


def require(role: Role | str | None, action: Action) -> None:
    """Raise :class:`AccessDenied` unless ``role`` may take ``action`` (called before anything is read)."""
    if not can(role, action):
        raise AccessDenied(N_("Access denied: restricted operation."))


def visible_statuses(role: Role | str | None) -> tuple[str, ...] | None:
    """Listing statuses ``role`` may read; None means every status (staff validate submissions)."""
    return None if can(role, "read_unpublished") else PUBLIC_STATUSES


def visible_rows(sites, role: Role | str | None):
    """The rows of a listings frame (with a ``status`` column) that ``role`` may read."""
    allowed = visible_statuses(role)
    return sites if allowed is None else sites[sites["status"].isin(allowed)]


def can_read(role: Role | str | None, status: str | None) -> bool:
    """Whether ``role`` may read a listing whose status is ``status``."""
    allowed = visible_statuses(role)
    return allowed is None or status in allowed
