"""Safety of owner-provided material: spreadsheet cells, attachment names, images."""

from __future__ import annotations

import os
from pathlib import Path

from geo.errors import InputFileError
from geo.i18n import N_
from geo.export import neutralise_cell  # one definition for every export
from geo.schema.messages import number_param

MAX_IMAGE_BYTES = 5 * 1024 * 1024
IMAGE_MAGIC = {b"\x89PNG\r\n\x1a\n": "png", b"\xff\xd8\xff": "jpeg", b"GIF87a": "gif", b"GIF89a": "gif"}

__all__ = ["neutralise_cell", "safe_attachment_path", "check_image", "MAX_IMAGE_BYTES"]


def safe_attachment_path(base: str | Path, name: str) -> Path:
    """The path of attachment ``name`` inside ``base``; refuses names that would escape it."""
    bad = (not name or "\x00" in name or "/" in name or "\\" in name or name in (".", "..")
           or name.startswith(".") or os.path.isabs(name))
    base = Path(base).resolve()
    target = (base / name).resolve() if not bad else None
    if bad or target.parent != base:
        raise InputFileError(N_("Attachment name not allowed: {name}. Use a plain name, e.g. photo1.jpg."),
                             name=repr(name))
    return target


def check_image(data: bytes, max_bytes: int = MAX_IMAGE_BYTES) -> str:
    """Return the image type ('png', 'jpeg', 'gif', 'webp') or raise if not an image / too large."""
    if len(data) > max_bytes:
        raise InputFileError(N_("Image too large ({size} MB, at most {limit} MB)."),
                             size=number_param(len(data) / 1e6, 1), limit=number_param(max_bytes / 1e6))
    for magic, kind in IMAGE_MAGIC.items():
        if data.startswith(magic):
            return kind
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    raise InputFileError(N_("The file is not a PNG, JPEG, GIF or WebP image."))
