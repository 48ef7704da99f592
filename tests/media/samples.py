"""Tiny photos and plans made in code: valid ones, and the hostile ones owners' phones or attackers send."""

from __future__ import annotations

import io
import struct
import zlib

from PIL import Image, ImageDraw

OWNER_NAME = "Mario Rossi Fotografo"
XMP = (b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
       b'<rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:creator>Mario Rossi Fotografo</dc:creator>'
       b"</rdf:Description></rdf:RDF></x:xmpmeta>")


def picture(w: int = 600, h: int = 400, seed: int = 0, mode: str = "RGB") -> Image.Image:
    """A picture whose top-left corner is red and the rest a gradient (so orientation can be checked)."""
    im = Image.new(mode, (w, h), (30 + seed % 200, 120, 200) if mode == "RGB" else (30, 120, 200, 128))
    d = ImageDraw.Draw(im)
    for x in range(0, w, 20):
        d.line([(x, 0), (x, h)], fill=((x * 7 + seed) % 255, 80, 160) + ((255,) if mode == "RGBA" else ()))
    d.rectangle([0, 0, w // 6, h // 6], fill=(255, 0, 0) + ((255,) if mode == "RGBA" else ()))
    return im


def jpeg(w: int = 600, h: int = 400, seed: int = 0, **save) -> bytes:
    out = io.BytesIO()
    picture(w, h, seed).save(out, format="JPEG", quality=90, **save)
    return out.getvalue()


def png(w: int = 600, h: int = 400, mode: str = "RGB") -> bytes:
    out = io.BytesIO()
    picture(w, h, mode=mode).save(out, format="PNG")
    return out.getvalue()


def webp(w: int = 600, h: int = 400) -> bytes:
    out = io.BytesIO()
    picture(w, h).save(out, format="WEBP", quality=80)
    return out.getvalue()


def phone_jpeg(orientation: int = 6) -> bytes:
    """A 600 x 400 JPEG as a phone writes it: GPS position, camera owner, serial, XMP, comment, rotation tag."""
    exif = Image.Exif()
    exif[0x0112] = orientation              # Orientation: 6 = rotate 90 degrees clockwise to view
    exif[0x013B] = OWNER_NAME               # Artist
    exif[0x8298] = "(c) " + OWNER_NAME      # Copyright
    exif[0x010F] = "PhoneMaker"             # Make
    exif[0x8825] = {1: "N", 2: (45.0, 8.0, 1.5), 3: "E", 4: (9.0, 11.0, 2.5)}  # GPSInfo: Milan
    return jpeg(exif=exif, xmp=XMP, comment=b"taken by " + OWNER_NAME.encode())


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)


def png_bomb(side: int = 20_000) -> bytes:
    """A valid 1-bit PNG of side x side pixels (400 Mpx by default) that compresses to some tens of KB."""
    row = b"\x00" + b"\x00" * ((side + 7) // 8)
    comp = zlib.compressobj(9)
    body = b"".join(comp.compress(row) for _ in range(side)) + comp.flush()
    ihdr = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr) + _chunk(b"IDAT", body) + _chunk(b"IEND", b"")


def zip_bytes() -> bytes:
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("payload.html", "<script>alert(1)</script>")
    return out.getvalue()


def pdf(pages: int = 2, author: str = OWNER_NAME) -> bytes:
    """A plan: ``pages`` pages with a drawn outline and a title; the author in its document information."""
    from fpdf import FPDF

    doc = FPDF(orientation="L", format="A4")
    doc.set_author(author)
    doc.set_creator("CAD Pro 2026 licensed to " + author)
    for i in range(pages):
        doc.add_page()
        doc.set_font("helvetica", size=24)
        doc.cell(0, 20, f"Planimetria {i + 1}")
        doc.set_line_width(1.5)
        doc.rect(40, 50, 200, 120)
    return bytes(doc.output())


def encrypted_pdf() -> bytes:
    from pypdf import PdfReader, PdfWriter

    w = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf(1))))
    w.encrypt("segreto")
    out = io.BytesIO()
    w.write(out)
    return out.getvalue()


def pdf_with_javascript() -> bytes:
    from pypdf import PdfReader, PdfWriter

    from pypdf.generic import DictionaryObject, NameObject, TextStringObject

    w = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf(1))))
    w._root_object[NameObject("/OpenAction")] = DictionaryObject({
        NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): TextStringObject("app.alert('hello');")})
    out = io.BytesIO()
    w.write(out)
    return out.getvalue()
