"""Brownfield layer: Sentinel-2 scenes in, scored candidate site polygons out.

sources   scenes from band files, multi-band GeoTIFFs or STAC (one reading path)
bands     scale, baseline-04.00 offset, SCL masking rules (pure)
indices   NDVI, NDBI, BSI, MNDWI (pure)
detect    windowed per-pixel rules -> candidate mask and feature rasters
polygons  mask -> site polygons with per-site indicators
scoring   indicators -> score (rules now; a learned model later: the Scorer protocol)
evaluate  recall, flagged share, lift, precision@k by size class
run       a whole run: inputs -> candidates + run record, atomic publication
review    analyst decisions that survive re-runs; promotion to a draft listing
"""
