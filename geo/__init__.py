"""Location scouting for investment attraction in Lombardy.

The library behind the app: the listing schema, the GeoPackage catalogue,
the zone and infrastructure layers, search, owner listings and the
Sentinel-2 brownfield layer. Only :mod:`geo.web` knows Streamlit.
"""

__version__ = "0.1.0"
