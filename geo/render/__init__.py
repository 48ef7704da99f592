"""HTML and PDF of listing cards, site sheets and dossiers (no Streamlit).

One rendering for every audience: the search pages, the owner preview and
the exports all call these functions on a record dict (typed values,
``key__prov`` columns, optional ``outline``). Every owner-provided string is
escaped before it reaches HTML.
"""

from geo.render.values import display_value, provenance_of, sheet_rows
from geo.render.html import render_card_html, render_sheet_html
from geo.render.pdf import render_sheet_pdf, render_dossier_pdf

__all__ = ["display_value", "provenance_of", "sheet_rows", "render_card_html", "render_sheet_html",
           "render_sheet_pdf", "render_dossier_pdf"]
