"""What owners and staff are told about a listing: its state in words, which versions are open, its title.

Pure functions over the rows of :func:`geo.listing.submission.owner_view` and the records of the
catalogue; the owner and staff pages only call them and show the result.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Mapping

import pandas as pd

from geo.i18n import N_, content, translator
from geo.listing.submission import CLOSED
from geo.schema import FIELDS


def _missing(v: object) -> bool:
    return v is None or v is pd.NA or (isinstance(v, float) and pd.isna(v))


def superseded_by(view: pd.DataFrame) -> dict[tuple[str, str], int]:
    """(submission, site) -> the version that replaced it: the next version holding the same site."""
    out: dict[tuple[str, str], int] = {}
    for sid, rows in view.groupby("site_id", sort=False):
        versions = sorted({int(v) for v in rows["version"]})
        for _i, r in rows.iterrows():
            later = [v for v in versions if v > int(r["version"])]
            if later:
                out[(r["submission_id"], sid)] = later[0]
    return out


def verified_count(record: Mapping[str, Any] | None) -> int:
    """How many fields of a listing staff have verified."""
    return sum(1 for k, v in (record or {}).items() if k.endswith("__prov") and v == "verified")


def verifiable_fields(record: Mapping[str, Any]) -> list[str]:
    """The owner's fields of a listing that staff can mark verified (those with a value)."""
    return [f.key for f in FIELDS if f.source == "owner" and record.get(f.key) is not None]


def owner_status(row: Mapping[str, Any], superseded: Mapping[tuple[str, str], int], lang: str,
                 verified: int = 0) -> str:
    """The state of one listing of one version, as the owner would say it.

    ``row``: a row of :func:`~geo.listing.submission.owner_view`; ``verified``: how many of the listing's
    fields staff have verified (a submitted listing with some is in review).
    """
    _ = translator(lang)
    newer = superseded.get((row["submission_id"], row["site_id"]))
    sub_status = row.get("submission_status") or ""
    status = row.get("status") or ""
    if newer is not None or sub_status == "replaced":
        return _("Superseded by version {version}").format(version=newer) if newer else _("Superseded")
    if sub_status == "withdrawn" or status == "withdrawn":
        return _("Withdrawn")
    if status == "published":
        return _("Published: visible to investors")
    if status == "validated":
        return _("In review by staff")
    if status == "draft" or sub_status == "sent_back":
        reason = row.get("reason")
        reason = "" if _missing(reason) else str(reason)
        return _("Sent back by staff: {reason}").format(reason=reason) if reason else _("Sent back by staff")
    if status == "submitted" and verified:
        return _.ngettext("In review by staff ({n} field verified)", "In review by staff ({n} fields verified)",
                          verified).format(n=_.integer(verified))
    if status == "submitted":
        return _("Submitted: waiting for review")
    if status == "expired":
        return _("Expired")
    return status


@dataclass(frozen=True)
class Version:
    """One submission of an owner as the follow-up offers it."""

    submission_id: str
    version: int
    listings: int
    submitted_at: Any
    closed: bool  # every listing in it replaced, withdrawn or superseded: nothing left to act on


def versions(rows: Iterable[Mapping[str, Any]], superseded: Mapping[tuple[str, str], int]) -> dict[str, Version]:
    """Each submission of ``rows`` (owner_view rows), with whether any of its listings can still be acted on."""
    acc: dict[str, dict[str, Any]] = {}
    for r in rows:
        closed = (r.get("submission_status") in CLOSED or r.get("status") == "withdrawn"
                  or (r["submission_id"], r["site_id"]) in superseded)
        info = acc.setdefault(r["submission_id"], {"version": int(r["version"]), "listings": 0, "closed": True,
                                                   "submitted_at": r.get("submitted_at")})
        info["listings"] += 1
        info["closed"] = info["closed"] and closed
    return {s: Version(s, **v) for s, v in acc.items()}


def open_versions(by_submission: Mapping[str, Version]) -> list[str]:
    """The submissions one can still replace or withdraw, the latest first (by time, then version: two
    listings submitted separately are both at version 1, and the newer one comes first)."""
    def key(s: str) -> tuple[str, int]:
        return (str(by_submission[s].submitted_at or ""), by_submission[s].version)
    return sorted((s for s, v in by_submission.items() if not v.closed), key=key, reverse=True)


def numbered(view: pd.DataFrame) -> pd.DataFrame:
    """``view`` (rows of :func:`~geo.listing.submission.owner_view`) with ``n``, each listing's own version
    number: 1 for the first submission holding it, 2 for the one that replaced it, ... (``n`` per listing, so
    two listings each show their own v1, v2), and ``latest`` (its newest version)."""
    if view.empty:
        return view.assign(n=pd.Series(dtype=int), latest=pd.Series(dtype=bool))
    out = view.copy()
    order = out.assign(_v=out["version"].astype(int), _t=out["submitted_at"].astype(str)).sort_values(
        ["site_id", "_v", "_t"], kind="stable")
    out["n"] = order.groupby("site_id", sort=False).cumcount().add(1).reindex(out.index)
    out["latest"] = out["n"] == out.groupby("site_id")["n"].transform("max")
    return out


def version_name(listings: Iterable[tuple[str, int]], lang: str, shown: int = 3) -> str:
    """How an action names what it acts on: each listing's title and version ("'Ex Filanda, Crema' v2"),
    several joined, the rest counted ("... and 2 more"). Plain text: escape it before Markdown."""
    _ = translator(lang)
    items = [_("'{title}' v{n}").format(title=t, n=n) for t, n in listings]
    text = ", ".join(items[:shown])
    if len(items) > shown:
        more = len(items) - shown
        text = _.ngettext("{listings} and {n} more", "{listings} and {n} more", more).format(
            listings=text, n=_.integer(more))
    return text


#: The time zone every time a person reads is shown in (the catalogue stores UTC).
LOCAL_TZ = "Europe/Rome"


def local_time(iso: object, lang: str, time: bool = True) -> str:
    """A stored UTC ISO timestamp in Europe/Rome local time, as ``lang`` writes it ("5 dic 2026, 10:40:00");
    the date only with ``time=False``; "" when there is none or it does not parse."""
    import datetime as dt
    from zoneinfo import ZoneInfo

    if _missing(iso) or not str(iso).strip():
        return ""
    _ = translator(lang)
    try:
        value = dt.datetime.fromisoformat(str(iso).replace("Z", "+00:00"))
    except ValueError:
        return ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.timezone.utc)
    value = value.astimezone(ZoneInfo(LOCAL_TZ))
    return _.datetime(value) if time else _.date(value)


#: The states staff filter and mark listings by (the schema's ``draft`` is a listing sent back to its owner).
STAFF_STATES: tuple[str, ...] = ("submitted", "published", "draft", "withdrawn")
_STATE_LABELS = {"submitted": N_("submitted"), "published": N_("published"), "draft": N_("sent back"),
                 "withdrawn": N_("withdrawn"), "validated": N_("in review"), "expired": N_("expired")}


def state_label(status: object, lang: str) -> str:
    """A listing's status as staff read it ("sent back" for ``draft``)."""
    if _missing(status):
        return ""
    return translator(lang)(_STATE_LABELS.get(str(status), str(status)))


def listing_title(record: Mapping[str, Any] | None, lang: str, fallback: object = "") -> str:
    """A listing's title in ``lang``, with "(Italian only)" when it is in the other language; ``fallback``
    (a missing one as "") when it has none. Plain text: escape it before Markdown."""
    title = content(dict(record or {}), "title", lang)
    if title is None:
        return "" if _missing(fallback) else str(fallback)
    return title.noted()
