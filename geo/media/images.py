"""A photo upload -> a clean picture: checked by Pillow, oriented, re-encoded without metadata, thumbnailed.

Only the pixels are kept: the stored file is a new JPEG (PNG when the picture has transparency) written
from the decoded pixels, so nothing of the upload's EXIF (GPS position, camera owner's name, serial
numbers), XMP, IPTC, comments, ICC profile (converted to sRGB first) or trailing bytes survives.
The EXIF orientation is applied to the pixels before it is dropped.

Checks, in order, each a :class:`~geo.media.model.MediaError` naming the file: byte cap; the content is a
JPEG, PNG or WebP whatever the name says; no other format hidden in it (a polyglot); the header's size within
the pixel cap (read before any decoding: a decompression bomb is refused unread, and Pillow's own
``DecompressionBombWarning``/``Error`` are turned into the same refusal); ``verify()``; a full decode
(a truncated or corrupt file fails here).
"""

from __future__ import annotations

import hashlib
import io
import re
import warnings
from dataclasses import dataclass

from PIL import Image, ImageCms, ImageOps

from geo.i18n import N_
from geo.media import limits
from geo.media.model import Media, MediaError
from geo.schema.messages import number_param

#: What the content starts with -> Pillow's format name (the file's name and extension are never trusted).
FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
#: Markers of active or other content that have no business inside a photo (HTML/JS, PHP, PDF). Long enough
#: that compressed pixel data holds one by chance less than once in 10,000 files of 15 MB.
_ACTIVE = re.compile(rb"<script|<html|<\?php|%PDF-|<!doctype", re.IGNORECASE)
#: Signatures of other files appended after the picture's end (archives, documents, executables).
_APPENDED = (b"PK\x03\x04", b"PK\x05\x06", b"Rar!", b"7z\xbc\xaf", b"%PDF", b"\x7fELF", b"MZ", b"<")


def sniff(data: bytes) -> str | None:
    """Pillow's format name of ``data`` from its first bytes ("JPEG", "PNG", "WEBP"), None for anything else.

    >>> sniff(b"\\xff\\xd8\\xff\\xe0"), sniff(b"hello"), sniff(b"RIFF\\0\\0\\0\\0WEBPVP8 ")
    ('JPEG', None, 'WEBP')
    """
    if data[:3] == b"\xff\xd8\xff":
        return "JPEG"
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return "PNG"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    return None


def _png_end(data: bytes) -> int | None:
    """Offset just after the IEND chunk (None when the chunk list is broken)."""
    pos = 8
    while pos + 12 <= len(data):
        n = int.from_bytes(data[pos:pos + 4], "big")
        kind = data[pos + 4:pos + 8]
        pos += 12 + n
        if kind == b"IEND":
            return pos
    return None


def _jpeg_end(data: bytes) -> int | None:
    """Offset just after the EOI marker that ends the picture (None when the segments are broken)."""
    pos, n = 2, len(data)
    while pos + 4 <= n:
        if data[pos] != 0xFF:
            return None
        marker = data[pos + 1]
        if marker == 0xFF:  # fill byte
            pos += 1
            continue
        if marker == 0xD9:
            return pos + 2
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:
            pos += 2
            continue
        length = int.from_bytes(data[pos + 2:pos + 4], "big")
        pos += 2 + length
        if marker == 0xDA:  # start of scan: entropy-coded data up to the next marker that is not RST or stuffing
            while True:
                pos = data.find(b"\xff", pos)
                if pos < 0 or pos + 1 >= n:
                    return None
                nxt = data[pos + 1]
                if nxt == 0x00 or 0xD0 <= nxt <= 0xD7 or nxt == 0xFF:
                    pos += 1 if nxt == 0xFF else 2
                    continue
                break
    return None


def _end_of_picture(data: bytes, fmt: str) -> int | None:
    if fmt == "PNG":
        return _png_end(data)
    if fmt == "JPEG":
        return _jpeg_end(data)
    return 8 + int.from_bytes(data[4:8], "little")  # RIFF: the size field counts what follows it


def _refuse_polyglot(data: bytes, fmt: str, name: str) -> None:
    """A picture that is also another kind of file (markup or a PDF inside it, an archive after its end)."""
    hidden = _ACTIVE.search(data)
    end = _end_of_picture(data, fmt)
    tail = data[end:end + 64].lstrip(b"\x00\r\n\t ") if end is not None else b""
    if hidden or any(tail.startswith(sig) for sig in _APPENDED):
        raise MediaError(N_("{name} is a picture that also holds another kind of content (a web page, script, PDF "
                            "or archive): it was refused and nothing was stored. Open it in an image editor and "
                            "save it again as JPEG or PNG."), name=name)


def _refuse_size(w: int, h: int, name: str) -> None:
    if w * h > limits.MAX_PIXELS:
        raise MediaError(N_("{name} is {width} x {height} pixels ({mpx} megapixels): the limit is {limit} "
                            "megapixels. Nothing was stored; export it smaller (e.g. 4000 pixels wide)."),
                         name=name, width=w, height=h, mpx=number_param(w * h / 1e6, 0),
                         limit=number_param(limits.MAX_PIXELS / 1e6, 0))
    if min(w, h) < limits.MIN_SIDE:
        raise MediaError(N_("{name} is only {width} x {height} pixels: a photo needs at least {min} pixels on each "
                            "side. Nothing was stored."), name=name, width=w, height=h, min=limits.MIN_SIDE)


def _bomb(name: str) -> MediaError:
    return MediaError(N_("{name} declares more pixels than the limit of {limit} megapixels (a \"decompression "
                         "bomb\"): it was refused unread and nothing was stored."),
                      name=name, limit=number_param(limits.MAX_PIXELS / 1e6, 0))


def _unreadable(name: str, fmt: str) -> MediaError:
    return MediaError(N_("{name} is not a readable {format} image (truncated or damaged): nothing was stored. "
                         "Export it again from the camera or an image editor."), name=name, format=fmt)


@dataclass(frozen=True)
class Encoded:
    data: bytes
    mime: str


def _to_srgb(im: Image.Image) -> Image.Image:
    """Pixels converted from an embedded ICC profile to sRGB (the profile itself is not kept)."""
    icc = im.info.get("icc_profile")
    if not icc or im.mode not in ("RGB", "RGBA"):
        return im
    try:
        src = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        return ImageCms.profileToProfile(im, src, ImageCms.createProfile("sRGB"), outputMode=im.mode) or im
    except (ImageCms.PyCMSError, OSError, ValueError):
        return im  # an unreadable profile: the pixels as they are


def _encode(im: Image.Image, alpha: bool) -> Encoded:
    """``im`` written anew from its pixels only: nothing of the source's metadata is passed to the encoder."""
    out = io.BytesIO()
    clean = Image.new(im.mode, im.size)
    clean.paste(im)
    if alpha:
        clean.save(out, format="PNG", optimize=True)
        return Encoded(out.getvalue(), "image/png")
    clean.save(out, format="JPEG", quality=limits.JPEG_QUALITY, optimize=True, progressive=True)
    return Encoded(out.getvalue(), "image/jpeg")


def _scaled(im: Image.Image, edge: int) -> Image.Image:
    if max(im.size) <= edge:
        return im
    copy = im.copy()
    copy.thumbnail((edge, edge), Image.Resampling.LANCZOS)
    return copy


def decode(data: bytes, name: str) -> tuple[Image.Image, str]:
    """The checked, decoded and upright picture of ``data`` (RGB or RGBA) and its source format.

    Raises
    ------
    MediaError
        Over the byte or pixel cap, not a JPEG/PNG/WebP, a polyglot, unreadable, truncated.
    """
    if len(data) > limits.MAX_IMAGE_BYTES:
        raise MediaError(N_("{name} is {size} MB: a photo may be at most {limit} MB. Nothing was stored; export it "
                            "smaller."), name=name, size=number_param(len(data) / 2**20, 1),
                         limit=number_param(limits.MAX_IMAGE_BYTES / 2**20, 0))
    fmt = sniff(data)
    if fmt is None:
        raise MediaError(N_("{name} is not a JPEG, PNG or WebP image, whatever its name says: nothing was stored. "
                            "Upload photos as JPEG, PNG or WebP."), name=name)
    _refuse_polyglot(data, fmt, name)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=[fmt]) as probe:
                _refuse_size(*probe.size, name)
                probe.verify()
            im = Image.open(io.BytesIO(data), formats=[fmt])
            if fmt == "JPEG":  # decode at 1/2, 1/4 or 1/8 straight away when that still covers the stored size
                im.draft("RGB", (limits.STORED_EDGE, limits.STORED_EDGE))
            im.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise _bomb(name) from exc
    except MediaError:
        raise
    except (OSError, SyntaxError, ValueError, EOFError, Image.UnidentifiedImageError, MemoryError) as exc:
        raise _unreadable(name, fmt) from exc
    try:
        upright = ImageOps.exif_transpose(im)  # orientation applied to the pixels before the EXIF is dropped
    except (OSError, ValueError, SyntaxError, KeyError, TypeError):
        upright = im  # an EXIF block Pillow cannot parse: no orientation to apply
    alpha = upright.mode in ("RGBA", "LA", "PA") or (upright.mode == "P" and "transparency" in upright.info)
    mode = "RGBA" if alpha else "RGB"
    info = dict(upright.info)
    pixels = upright.convert(mode) if upright.mode != mode else upright
    pixels.info = {"icc_profile": info["icc_profile"]} if info.get("icc_profile") else {}
    pixels = _to_srgb(pixels)
    pixels.info = {}
    return pixels, fmt


def process_image(data: bytes, name: str, caption: str = "") -> Media:
    """A photo upload checked and made into what the catalogue stores (see the module's text)."""
    pixels, _fmt = decode(data, name)
    alpha = pixels.mode == "RGBA"
    full = _scaled(pixels, limits.STORED_EDGE)
    stored = _encode(full, alpha)
    small, large = (_encode(_scaled(full, e), alpha) for e in limits.THUMB_EDGES)
    w, h = full.size
    return Media(kind="photo", mime=stored.mime, name=name, bytes=len(stored.data),
                 sha256=hashlib.sha256(stored.data).hexdigest(), source_sha256=hashlib.sha256(data).hexdigest(),
                 thumb_mime=small.mime, thumb_320=small.data, thumb_1280=large.data, width=w, height=h,
                 caption=caption, data=stored.data)
