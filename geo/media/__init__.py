"""Owners' photos and plans: checked, cleaned and stored in the catalogue (issue 18, item 4).

- :mod:`geo.media.limits`: every limit, with its reason.
- :mod:`geo.media.images`: a JPEG/PNG/WebP upload -> a re-encoded image without metadata, and its thumbnails.
- :mod:`geo.media.plans`: a PDF plan -> the same PDF without metadata, its page count and a thumbnail.
- :mod:`geo.media.prepare`: uploads -> :class:`~geo.media.model.Media` items assigned to workbook rows (all
  checks before any transaction).
- :mod:`geo.media.store`: written in the submission's unit of work; read by sheets, previews and pages
  (``photos_for``, ``plans_for``, ``thumbnail``, ``media_file``).
- :mod:`geo.media.pdf`: photos drawn into an fpdf2 document (sheets, dossiers).
"""
