"""Photos and plans in the catalogue: written inside a submission's unit of work, read by every page.

Two tables (revision 0004): ``site_media`` (one row per photo or plan, with its two thumbnails) and
``site_media_files`` (the stored file, read only when it is needed in full). A replacement that carries
media marks its sites' earlier media ``replaced`` (kept, not shown); one without media keeps them.

Reads follow the listing's visibility: :func:`photos_for` of a site the caller may not see is ``[]``.
"""

from __future__ import annotations

from typing import Sequence

import pandas as pd

from geo.catalogue import new_id
from geo.catalogue.codecs import binary_series
from geo.media.model import Media

MEDIA, FILES = "site_media", "site_media_files"
#: Columns of ``site_media`` (revision 0004), in order.
COLUMNS = ["media_id", "site_id", "submission_id", "kind", "position", "status", "mime", "name", "caption", "bytes",
           "sha256", "source_sha256", "width", "height", "pages", "thumb_mime", "thumb_320", "thumb_1280",
           "created_at"]
_BLOBS = ("thumb_320", "thumb_1280")


def _int(v) -> int | None:
    return None if v is None or (isinstance(v, float) and pd.isna(v)) or v is pd.NA else int(v)


def _frame(rows: list[dict]) -> pd.DataFrame:
    data = {}
    for c in COLUMNS:
        values = [r.get(c) for r in rows]
        if c in _BLOBS:
            data[c] = binary_series(values)
        elif c in ("position", "bytes", "width", "height", "pages"):
            data[c] = pd.array([_int(v) for v in values], dtype="Int64")
        else:
            data[c] = pd.Series(values, dtype=object)
    return pd.DataFrame(data)


def write_media(uow, items: Sequence[Media], submission_id: str, site_of_row: dict[int, str]) -> list[str]:
    """Store ``items`` (from :func:`geo.media.prepare.prepare_media`) in the open unit of work ``uow``.

    ``site_of_row`` maps each workbook row to the site id the submission gave it. Earlier media of those
    sites are marked ``replaced``. Returns the new media ids (none written when ``items`` is empty).
    """
    if not items:
        return []
    sites = sorted({site_of_row[m.row] for m in items})
    old = uow.table(MEDIA, where={"site_id": sites})
    if len(old):
        old = old[old["status"] == "current"]
    if len(old):
        old = old.copy()
        old["status"] = "replaced"
        uow.upsert(MEDIA, "media_id", _frame(old.to_dict("records")))
    before = {sid: int((old["site_id"] == sid).sum()) if len(old) else 0 for sid in sites}
    after = {sid: sum(1 for m in items if site_of_row[m.row] == sid) for sid in sites}
    uow.insert("site_changes", [uow.log(sid, "_media", f"{before[sid]} files", f"{after[sid]} files")
                                for sid in sites])
    rows, files = [], []
    for m in items:
        mid = new_id("MD")
        rows.append({"media_id": mid, "site_id": site_of_row[m.row], "submission_id": submission_id,
                     "kind": m.kind, "position": m.position, "status": "current", "mime": m.mime, "name": m.name,
                     "caption": m.caption, "bytes": m.bytes, "sha256": m.sha256, "source_sha256": m.source_sha256,
                     "width": m.width, "height": m.height, "pages": m.pages, "thumb_mime": m.thumb_mime,
                     "thumb_320": m.thumb_320, "thumb_1280": m.thumb_1280, "created_at": uow.stamp})
        files.append(mid)
    uow.insert(MEDIA, _frame(rows))
    uow.insert(FILES, pd.DataFrame({"media_id": pd.Series(files, dtype=object),
                                    "data": binary_series([m.data for m in items])}))
    return files


def _media(row: dict) -> Media:
    return Media(kind=row["kind"], mime=row["mime"], name=row["name"] or "", bytes=_int(row["bytes"]) or 0,
                 sha256=row["sha256"] or "", source_sha256=row["source_sha256"] or "",
                 thumb_mime=row["thumb_mime"] or "image/jpeg", thumb_320=bytes(row["thumb_320"] or b""),
                 thumb_1280=bytes(row["thumb_1280"] or b""), width=_int(row["width"]), height=_int(row["height"]),
                 pages=_int(row["pages"]), caption=row["caption"] or "", media_id=row["media_id"],
                 site_id=row["site_id"], submission_id=row["submission_id"], position=_int(row["position"]) or 0,
                 created_at=row["created_at"])


def media_for(cat, site_ids: Sequence[str], *, role: str = "public", kind: str | None = None
              ) -> dict[str, list[Media]]:
    """{site id: its current media in order} for the sites ``role`` may see (one read for all of them)."""
    ids = [r["site_id"] for r in cat.records(list(site_ids), role=role) if r is not None]
    out: dict[str, list[Media]] = {sid: [] for sid in site_ids}
    if not ids:
        return out
    t = cat.table(MEDIA, where={"site_id": ids})
    if len(t) == 0:
        return out
    t = t[t["status"] == "current"]
    if kind is not None:
        t = t[t["kind"] == kind]
    t = t.sort_values(["site_id", "kind", "position"], kind="stable", key=lambda s: s.astype(str)
                      if s.name != "position" else s.astype("float64"))
    for row in t.to_dict("records"):
        out.setdefault(row["site_id"], []).append(_media(row))
    return out


def photos_for(cat, site_id: str, *, role: str = "public") -> list[Media]:
    """The site's current photos in the owner's order ([] when there are none or the caller may not see it)."""
    return media_for(cat, [site_id], role=role, kind="photo")[site_id]


def plans_for(cat, site_id: str, *, role: str = "public") -> list[Media]:
    """The site's current plans (PDF) in the owner's order, each with a thumbnail of its first page."""
    return media_for(cat, [site_id], role=role, kind="plan")[site_id]


def as_photos(media: Sequence[Media]) -> list:
    """The photos among ``media`` in the shape the documents draw (:class:`geo.render.values.Photo`: the
    1280 px thumbnail and the caption), in the owner's order."""
    from geo.render.values import Photo

    return [Photo(m.thumbnail(1280), m.thumb_mime, m.caption) for m in media if m.kind == "photo"]


def thumbnail(media: Media, edge: int = 320) -> bytes:
    """The image bytes (``media.thumb_mime``) of ``media``'s thumbnail whose longest side is at most ``edge``."""
    return media.thumbnail(edge)


def media_file(cat, media: Media, *, role: str = "public") -> bytes | None:
    """The stored file of ``media`` (the cleaned photo or PDF); None when its listing is not visible to ``role``."""
    if media.data is not None:
        return media.data
    if media.site_id is None or cat.site(media.site_id, role=role) is None:
        return None
    t = cat.table(FILES, where={"media_id": [media.media_id]})
    return None if len(t) == 0 else bytes(t["data"].iloc[0])
