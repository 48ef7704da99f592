"""Limits on owners' photos and plans, each with the reason for its value.

A file over a limit is refused with one sentence naming the file and the limit; nothing is stored.
"""

from __future__ import annotations

#: Photos per submission: a listing's gallery, not an album (the sheet shows them all; 10 x 15 MB bounds an
#: upload at 150 MB).
MAX_IMAGES = 10
#: Bytes of one photo: a 48 Mpx phone JPEG is 8-14 MB; more is a camera RAW export, not a listing photo.
MAX_IMAGE_BYTES = 15 * 1024 * 1024
#: Pixels of one photo: 50 Mpx covers 48 Mpx phone sensors (8064 x 6048); decoding it needs ~200 MB at most.
MAX_PIXELS = 50_000_000
#: Shortest side of a photo: under it even the small thumbnail (320 px) would be blown up.
MIN_SIDE = 160
#: Plans (PDF) per submission: site plan, zoning and cadastral extracts, masterplan, one more.
MAX_PLANS = 5
#: Bytes of one plan: a scanned A1 sheet at 300 dpi is ~10 MB.
MAX_PLAN_BYTES = 20 * 1024 * 1024
#: Pages of one plan: a plan set, not a tender dossier (each page may be rendered for a preview).
MAX_PLAN_PAGES = 50
#: Characters of a caption (also the photo's alt text): one line under a picture.
MAX_CAPTION = 200
#: Longest side of a stored photo: a full-width picture on a 2560 px screen or an A4 page at 300 dpi. Larger
#: originals are scaled down once at submission, which bounds the catalogue's growth (~1-3 MB a photo).
STORED_EDGE = 2560
#: The two thumbnails made once at submission: a gallery tile and a large view (also used in PDFs).
THUMB_EDGES = (320, 1280)
#: JPEG quality of stored photos and thumbnails (visually lossless for photographs).
JPEG_QUALITY = 85
