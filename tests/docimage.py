"""Documents looked at as a person sees them: PDF pages rendered to images (PDFium), text boxes, drawings.

Used by the document tests (contrast of every text line against what is behind it, text inside the page
and never drawn over other text, a location map on each site's sheet, bounded page counts) and by
``make screenshots`` (tools/screenshots.py), which writes the same images for people to review.
"""

from __future__ import annotations

import ctypes
from collections import Counter
from dataclasses import dataclass
from typing import Iterator

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from PIL import Image

#: What the location map draws (geo/render/location.py draw_location_pdf): its frame and the site's dot.
MAP_FRAME_RGB = (200, 200, 200)
SITE_DOT_RGB = (198, 40, 40)
#: Lines and areas only a location map draws: municipality fill, motorways, railways.
MAP_INK = {(238, 243, 238), (216, 67, 21), (78, 52, 46)}
#: WCAG 2.x AA for normal text.
AA = 4.5


def pages_png(pdf: bytes, scale: float = 2.0) -> list[Image.Image]:
    """Every page of ``pdf`` rendered (``scale`` 2 = 144 dpi) as an RGB image."""
    doc = pdfium.PdfDocument(pdf)
    try:
        return [page.render(scale=scale).to_pil().convert("RGB") for page in doc]
    finally:
        doc.close()


def page_count(pdf: bytes) -> int:
    doc = pdfium.PdfDocument(pdf)
    try:
        return len(doc)
    finally:
        doc.close()


@dataclass(frozen=True)
class TextBox:
    """A run of text on a page: its text and its box in PDF points (origin bottom-left)."""

    page: int
    text: str
    left: float
    bottom: float
    right: float
    top: float


def text_boxes(pdf: bytes) -> tuple[list[tuple[float, float]], list[TextBox]]:
    """Page sizes (points) and every text run with its box, as PDFium lays them out."""
    doc = pdfium.PdfDocument(pdf)
    sizes, boxes = [], []
    try:
        for i, page in enumerate(doc):
            sizes.append(page.get_size())
            tp = page.get_textpage()
            for j in range(tp.count_rects()):
                rect = tp.get_rect(j)
                text = tp.get_text_bounded(*rect).strip()
                if text:
                    boxes.append(TextBox(i, text, *rect))
    finally:
        doc.close()
    return sizes, boxes


def luminance(rgb: tuple[int, ...]) -> float:
    """WCAG relative luminance of an sRGB colour."""
    def ch(v: int) -> float:
        v = v / 255
        return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4
    r, g, b = rgb[:3]
    return 0.2126 * ch(r) + 0.7152 * ch(g) + 0.0722 * ch(b)


def contrast(a: tuple[int, ...], b: tuple[int, ...]) -> float:
    """WCAG contrast ratio of two colours (1 to 21)."""
    la, lb = sorted((luminance(a), luminance(b)))
    return (lb + 0.05) / (la + 0.05)


@dataclass(frozen=True)
class Contrast:
    box: TextBox
    text_rgb: tuple[int, int, int]
    background_rgb: tuple[int, int, int]
    ratio: float


def text_contrasts(pdf: bytes, scale: float = 3.0) -> list[Contrast]:
    """Each text run's contrast on the rendered page: the background is the commonest colour in its box,
    the text colour the pixel of the box that differs most from it (anti-aliasing only lowers contrast,
    so the glyphs' cores give the ink's colour)."""
    images = pages_png(pdf, scale)
    sizes, boxes = text_boxes(pdf)
    out = []
    for b in boxes:
        img = images[b.page]
        h = sizes[b.page][1]
        crop = img.crop((int(b.left * scale), int((h - b.top) * scale), int(b.right * scale) + 1,
                         int((h - b.bottom) * scale) + 1))
        colours = crop.getcolors(maxcolors=crop.width * crop.height + 1)
        if not colours:
            continue
        background = Counter({c: n for n, c in colours}).most_common(1)[0][0]
        ink = max((c for _n, c in colours), key=lambda c: contrast(c, background))
        out.append(Contrast(b, ink, background, contrast(ink, background)))
    return out


def low_contrast(pdf: bytes, minimum: float = AA) -> list[Contrast]:
    """Text runs whose contrast with their background is below ``minimum`` (WCAG AA: 4.5)."""
    return [c for c in text_contrasts(pdf) if c.ratio < minimum]


def _overlap(a: TextBox, b: TextBox) -> float:
    """The share of the smaller box covered by the other."""
    w = min(a.right, b.right) - max(a.left, b.left)
    h = min(a.top, b.top) - max(a.bottom, b.bottom)
    if w <= 0 or h <= 0:
        return 0.0
    small = min((a.right - a.left) * (a.top - a.bottom), (b.right - b.left) * (b.top - b.bottom))
    return w * h / small if small > 0 else 0.0


def cut_text(pdf: bytes, margin: float = 0.5) -> list[str]:
    """Text a reader cannot read whole: runs beyond the page's edges, or drawn over another run
    (a value that ran out of its cell into the next one)."""
    sizes, boxes = text_boxes(pdf)
    problems = []
    for b in boxes:
        w, h = sizes[b.page]
        if b.left < -margin or b.bottom < -margin or b.right > w + margin or b.top > h + margin:
            problems.append(f"page {b.page + 1}: {b.text!r} beyond the page")
    by_page: dict[int, list[TextBox]] = {}
    for b in boxes:
        by_page.setdefault(b.page, []).append(b)
    for page, runs in by_page.items():
        for i, a in enumerate(runs):
            for b in runs[i + 1:]:
                if _overlap(a, b) > 0.25:
                    problems.append(f"page {page + 1}: {a.text!r} drawn over {b.text!r}")
    return problems


def _paths(page) -> Iterator[tuple[tuple[int, int, int] | None, tuple[int, int, int] | None, tuple[float, ...]]]:
    """(fill colour or None, stroke colour or None, bounds) of every path object on a page."""
    r, g, b, a = (ctypes.c_uint() for _ in range(4))
    fill_mode, stroke = ctypes.c_int(), ctypes.c_int()
    for obj in page.get_objects():
        if obj.type != pdfium_c.FPDF_PAGEOBJ_PATH:
            continue
        pdfium_c.FPDFPath_GetDrawMode(obj.raw, ctypes.byref(fill_mode), ctypes.byref(stroke))
        pdfium_c.FPDFPageObj_GetFillColor(obj.raw, r, g, b, a)
        fill = (r.value, g.value, b.value) if fill_mode.value else None
        pdfium_c.FPDFPageObj_GetStrokeColor(obj.raw, r, g, b, a)
        line = (r.value, g.value, b.value) if stroke.value else None
        yield fill, line, obj.get_bounds()


def _inside(inner: tuple[float, ...], outer: tuple[float, ...]) -> bool:
    return inner[0] >= outer[0] - 1 and inner[1] >= outer[1] - 1 and inner[2] <= outer[2] + 1 and \
        inner[3] <= outer[3] + 1


def location_map_pages(pdf: bytes) -> list[int]:
    """0-based pages that carry a location map: a square frame (>= 100 pt) holding the site's dot and
    at least one municipality, motorway or railway drawn inside it."""
    doc = pdfium.PdfDocument(pdf)
    found = []
    try:
        for i, page in enumerate(doc):
            paths = list(_paths(page))
            frames = [bd for fill, line, bd in paths if line == MAP_FRAME_RGB and fill is None
                      and bd[2] - bd[0] >= 100 and abs((bd[2] - bd[0]) - (bd[3] - bd[1])) < 2]
            for frame in frames:
                dot = any(fill == SITE_DOT_RGB and bd[2] - bd[0] < 15 and _inside(bd, frame)
                          for fill, _l, bd in paths)
                ink = any((fill in MAP_INK or line in MAP_INK) and _inside(bd, frame) for fill, line, bd in paths)
                if dot and ink:
                    found.append(i)
                    break
    finally:
        doc.close()
    return found


def image_count(pdf: bytes) -> int:
    """Raster images drawn on all pages (the sheet's photo gallery)."""
    doc = pdfium.PdfDocument(pdf)
    try:
        return sum(1 for page in doc for obj in page.get_objects() if obj.type == pdfium_c.FPDF_PAGEOBJ_IMAGE)
    finally:
        doc.close()


def pages_with(pdf: bytes, text: str) -> list[int]:
    """0-based pages whose text holds ``text``."""
    _sizes, boxes = text_boxes(pdf)
    return sorted({b.page for b in boxes if text in b.text})


def contact_sheet(images: list[tuple[str, Image.Image]], columns: int = 6, thumb: int = 300) -> Image.Image:
    """Thumbnails of ``(name, image)`` in a grid with their names under them (one image to look at first)."""
    from PIL import ImageDraw

    rows = max(1, -(-len(images) // columns))
    cell_h = thumb + 28
    sheet = Image.new("RGB", (columns * thumb, rows * cell_h), "white")
    draw = ImageDraw.Draw(sheet)
    for k, (name, img) in enumerate(images):
        t = img.copy()
        t.thumbnail((thumb - 8, thumb - 8))
        x, y = (k % columns) * thumb, (k // columns) * cell_h
        sheet.paste(t, (x + 4, y + 4))
        draw.rectangle((x + 3, y + 3, x + 4 + t.width, y + 4 + t.height), outline=(180, 180, 180))
        draw.text((x + 4, y + thumb + 4), name[:48], fill=(0, 0, 0))
    return sheet
