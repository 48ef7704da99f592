"""The one type of a stored (or about to be stored) photo or plan."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Literal

from geo.errors import InputFileError

Kind = Literal["photo", "plan"]


class MediaError(InputFileError):
    """A photo, plan or caption refused (one sentence naming the file and what to do); nothing was stored."""


@dataclass(frozen=True)
class Media:
    """A photo or a plan as the catalogue stores it.

    ``data`` is the stored file (the re-encoded photo, the cleaned PDF): present on what
    :func:`geo.media.prepare.prepare_media` makes, ``None`` on what
    :func:`geo.media.store.photos_for` reads (read it with :func:`geo.media.store.media_file`).
    ``thumb_320``/``thumb_1280`` are images (``thumb_mime``) with the longest side at most that many pixels.
    ``row`` is the workbook row the upload belongs to (before submission).
    """

    kind: Kind
    mime: str
    name: str
    bytes: int
    sha256: str
    source_sha256: str
    thumb_mime: str
    thumb_320: bytes = field(repr=False)
    thumb_1280: bytes = field(repr=False)
    width: int | None = None
    height: int | None = None
    pages: int | None = None
    caption: str = ""
    data: bytes | None = field(default=None, repr=False)
    row: int | None = None
    media_id: str | None = None
    site_id: str | None = None
    submission_id: str | None = None
    position: int = 0
    created_at: str | None = None

    @property
    def alt(self) -> str:
        """The text that stands for the picture (its caption, else its file name)."""
        return self.caption or self.name

    def thumbnail(self, edge: int = 1280) -> bytes:
        """The thumbnail whose longest side is at most ``edge`` (320 or 1280; any other picks the nearer)."""
        return self.thumb_320 if edge <= 320 else self.thumb_1280

    def with_(self, **changes) -> "Media":
        return replace(self, **changes)


Photo = Media  # what the sheet's ``photos`` slot receives
