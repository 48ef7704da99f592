"""Uploads -> checked :class:`~geo.media.model.Media`, each assigned to a workbook row, before any transaction.

Which row a file belongs to: the row whose attachment columns (Photos, Site plan, Zoning extract, Cadastral
extract, Masterplan) name it; a file no row names goes to the only site of a one-site workbook, and is
refused in a workbook of several sites (the message says to name it in its row). Every check runs here,
so a refused upload stores nothing: the submission's transaction is never opened.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import Iterable, Sequence

from geo.i18n import N_
from geo.media import limits
from geo.media.images import process_image, sniff
from geo.media.model import Media, MediaError
from geo.schema.coerce import blank_to_the_eye, invisible_character

#: The workbook's columns that name attached files.
ATTACHMENT_FIELDS = ("photos", "site_plan", "zoning_extract", "cadastral_extract", "masterplan")
#: Markup in a caption: a tag, a comment, a character reference (a caption is plain text, shown as such).
_MARKUP = re.compile(r"<\s*[/!?a-zA-Z]|&(#\d+|#[xX][0-9a-fA-F]+|[a-zA-Z]{2,8});")


@dataclass(frozen=True)
class MediaUpload:
    """One uploaded file: its name (as uploaded), its bytes, an optional caption and row (workbook row)."""

    name: str
    data: bytes
    caption: str = ""
    row: int | None = None


def clean_name(name: str) -> str:
    """The file's own name (no folders), at most 120 characters, control characters removed.

    >>> clean_name("C:\\\\Users\\\\anna\\\\DCIM/IMG_0001.JPG")
    'IMG_0001.JPG'
    """
    base = re.split(r"[\\/]", str(name))[-1]
    base = "".join(ch for ch in base if ch.isprintable())
    return base[-120:] or "file"


def check_caption(caption: str, name: str) -> str:
    """The caption, stripped; refused when it holds markup, control or invisible characters, or is too long."""
    text = " ".join(str(caption or "").split())
    if not text:
        return ""
    if len(text) > limits.MAX_CAPTION:
        raise MediaError(N_("The caption of {name} has {n} characters: at most {limit}. Nothing was stored."),
                         name=name, n=len(text), limit=limits.MAX_CAPTION)
    if _MARKUP.search(text):
        raise MediaError(N_("The caption of {name} contains HTML or markup ({found}): captions are plain text. "
                            "Nothing was stored; remove it."), name=name, found=_MARKUP.search(text).group(0))
    bad = invisible_character(text)
    if bad or blank_to_the_eye(text):
        raise MediaError(N_("The caption of {name} contains an invisible or control character ({char}): nothing "
                            "was stored. Type it again."), name=name, char=bad[0] if bad else "?")
    return text


def is_plan(upload: MediaUpload) -> bool:
    """Plans are PDFs (by content, or by name when the content is no picture: then the PDF check says why)."""
    if upload.data.startswith(b"%PDF-"):
        return True
    return sniff(upload.data) is None and clean_name(upload.name).lower().endswith(".pdf")


def named_rows(sites: Iterable) -> dict[str, int]:
    """{file name as written, lower case: workbook row} from the rows' attachment columns."""
    found: dict[str, int] = {}
    for s in sites:
        for key in ATTACHMENT_FIELDS:
            value = s.record.get(key)
            names = value if isinstance(value, (list, tuple)) else str(value or "").split(";")
            for n in names:
                n = clean_name(str(n).strip()).lower()
                if n and n != "file":
                    found.setdefault(n, s.row)
    return found


def _row_of(upload: MediaUpload, name: str, rows: list[int], named: dict[str, int]) -> int:
    if upload.row is not None:
        if upload.row not in rows:
            raise MediaError(N_("{name} is for row {row}, which is not a site of the workbook (rows: {rows}). "
                                "Nothing was stored."), name=name, row=upload.row,
                             rows=", ".join(map(str, rows)))
        return upload.row
    if name.lower() in named:
        return named[name.lower()]
    if len(rows) == 1:
        return rows[0]
    raise MediaError(N_("{name} is not named in any row of the workbook, which has {n} sites: write its name in "
                        "the Photos (or plan) column of its site's row. Nothing was stored."), name=name, n=len(rows))


def prepare_media(uploads: Sequence[MediaUpload], sites: Sequence) -> list[Media]:
    """Every upload checked, cleaned and assigned to a row of ``sites`` (the check result's ``sites``).

    Raises
    ------
    MediaError
        The first refusal (count, size, content, caption, row); nothing is returned then, nothing stored.
    """
    uploads = list(uploads)
    plans = [u for u in uploads if is_plan(u)]
    photos = [u for u in uploads if not is_plan(u)]
    if len(photos) > limits.MAX_IMAGES:
        raise MediaError(N_("{n} photos: a submission may carry at most {limit}. Nothing was stored; choose the "
                            "best {limit}."), n=len(photos), limit=limits.MAX_IMAGES)
    if len(plans) > limits.MAX_PLANS:
        raise MediaError(N_("{n} plans: a submission may carry at most {limit}. Nothing was stored."),
                         n=len(plans), limit=limits.MAX_PLANS)
    rows = [s.row for s in sites]
    named = named_rows(sites)
    out: list[Media] = []
    seen: dict[str, str] = {}
    for u in uploads:
        name = clean_name(u.name)
        caption = check_caption(u.caption, name)
        row = _row_of(u, name, rows, named)
        if is_plan(u):
            from geo.media.plans import process_plan

            item = process_plan(u.data, name, caption)
        else:
            item = process_image(u.data, name, caption)
        if item.source_sha256 in seen:
            raise MediaError(N_("{name} is the same file as {other}: nothing was stored. Upload each file once."),
                             name=name, other=seen[item.source_sha256])
        seen[item.source_sha256] = name
        out.append(item.with_(row=row))
    per_row: dict[int, int] = {}
    for i, m in enumerate(out):
        per_row[m.row] = per_row.get(m.row, 0) + 1
        out[i] = m.with_(position=per_row[m.row])
    return out


def read_upload(path: str | os.PathLike, caption: str = "", row: int | None = None) -> MediaUpload:
    """A file on disk as an upload, read with a bound (a folder, device or oversized file is refused)."""
    import stat

    p = os.fspath(path)
    try:
        st = os.stat(p)
    except OSError as exc:
        raise MediaError(N_("{name}: the file cannot be read ({error})."), name=p, error=exc.strerror or str(exc))
    if not stat.S_ISREG(st.st_mode):
        raise MediaError(N_("{name} is not a regular file: nothing was stored."), name=p)
    cap = max(limits.MAX_IMAGE_BYTES, limits.MAX_PLAN_BYTES)
    with open(p, "rb") as fh:
        data = fh.read(cap + 1)
    if len(data) > cap:
        raise MediaError(N_("{name} is over {limit} MB: nothing was stored."), name=p,
                         limit=cap // 2**20)
    return MediaUpload(os.path.basename(p), data, caption, row)
