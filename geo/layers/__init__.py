"""Reference layers built from real sources: ISTAT boundaries, ZLS, airports,
imported infrastructure and ZIS files."""
