"""HTML and PDF of listing cards, site sheets and dossiers (no Streamlit).

One rendering for every audience: the search pages, the owner preview and
the exports all call these functions on a record dict (typed values,
``key__prov`` columns, optional ``outline``). HTML comes from the Jinja2
templates in ``geo/render/templates`` with autoescape on, so every
owner-provided string is escaped; texts come from the ``render`` catalogue and
numbers, money and dates from Babel (:mod:`geo.i18n`).
"""

from geo.render.values import display_value, provenance_of, sheet_rows
from geo.render.html import render_card_html, render_dossier_html, render_sheet_html, render_site_list_html
from geo.render.pdf import render_sheet_pdf, render_dossier_pdf

__all__ = ["display_value", "provenance_of", "sheet_rows", "render_card_html", "render_sheet_html",
           "render_site_list_html", "render_dossier_html", "render_sheet_pdf", "render_dossier_pdf"]
