"""The web app's building blocks: the only package that imports Streamlit
(except :mod:`geo.web.mapview`, :mod:`geo.web.map_events` and
:mod:`geo.web.assets`, which are plain Python and tested without it)."""
