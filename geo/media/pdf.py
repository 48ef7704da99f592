"""Photos drawn into an fpdf2 document (site sheet, dossier): a grid of thumbnails with their captions.

The pictures are the thumbnails made once at submission (no decoding of the stored photos when printing):
1280 px on the long side, sharp at ~200 dpi across a 60 mm cell. Each keeps its aspect ratio inside its
cell, centred; the caption (else nothing) is one line under it, shortened with an ellipsis.
"""

from __future__ import annotations

import io
from typing import Sequence

from fpdf import FPDF

from geo.media.model import Media

#: Height of a photo cell as a share of its width (4:3 box; portrait photos are centred in it).
CELL_RATIO = 0.75
GAP_MM = 4.0
CAPTION_MM = 4.5


def _text(doc: FPDF, s: str) -> str:
    txt = getattr(doc, "txt", None)  # geo.render.pdf's documents reduce text to Latin-1 without DejaVu
    return txt(s) if callable(txt) else s


def _fit(doc: FPDF, s: str, width: float) -> str:
    if doc.get_string_width(s) <= width:
        return s
    while s and doc.get_string_width(s + "…") > width:
        s = s[:-1]
    return s + "…"


def draw_photos(doc: FPDF, photos: Sequence[Media], *, columns: int = 3, max_photos: int = 6,
                font: tuple[str, float] | None = None) -> int:
    """Draw up to ``max_photos`` photos (in order) from the current position; return how many were drawn.

    Rows that would not fit on the page start a new one; the position afterwards is under the grid, at the
    left margin. ``font`` is (family, size) for captions (default: the document's family, 7 pt).
    """
    shown = [p for p in photos if p.kind == "photo"][:max_photos]
    if not shown:
        return 0
    family = font[0] if font else (doc.font_family or "helvetica")
    size = font[1] if font else 7
    width = (doc.epw - GAP_MM * (columns - 1)) / columns
    box = width * CELL_RATIO
    for start in range(0, len(shown), columns):
        row = shown[start:start + columns]
        has_caption = any(p.caption for p in row)
        height = box + (CAPTION_MM if has_caption else 0)
        if doc.get_y() + height > doc.page_break_trigger:
            doc.add_page()
        y = doc.get_y()
        for i, p in enumerate(row):
            x = doc.l_margin + i * (width + GAP_MM)
            doc.image(io.BytesIO(p.thumbnail(1280)), x=x, y=y, w=width, h=box, keep_aspect_ratio=True)
            if p.caption:
                doc.set_font(family, "", size)
                doc.set_xy(x, y + box + 0.5)
                doc.cell(width, CAPTION_MM - 0.5, _fit(doc, _text(doc, p.caption), width), align="C")
        doc.set_xy(doc.l_margin, y + height + 2)
    return len(shown)
