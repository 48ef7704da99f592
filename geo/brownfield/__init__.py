"""Brownfield layer: Sentinel-2 scenes in, scored candidate site polygons out.

sources   scenes from band files, multi-band GeoTIFFs or STAC items onto one 10 m grid (SceneReader)
stac      the one STAC item loader (static catalogue or API) and items -> scenes
readers   the Reader protocol detection reads through: ScenesReader, CubeReader, MemoryReader
bands     scale, baseline-04.00 offset, SCL masking rules (pure)
indices   NDVI, NDBI, BSI, MNDWI (pure)
detect    windowed per-pixel rules -> mask and features -> ranked site polygons (and the naive objects)
scoring   indicators -> evidence score (the Scorer protocol; RuleScorer)
learned   a gradient-boosting Scorer trained on analysts' decisions, judged by spatial block cross-validation
evaluate  recall, flagged share, lift, precision@k by size class, budget tables with intervals and chance
stats     bootstrap intervals (sites, blocks), chance baselines, McNemar, paired bootstrap, verdicts (pure, seeded)
references reference registers imported into the catalogue, with their coverage
evaluations every evaluation recorded and counted in the run file
run       execute(RunRequest): a whole run (validation, path, Dask client, scorer, publication); per-date detect
runfile   the run file (GeoPackage): write_run and read_run
cube      STAC items -> lazy odc-stac cube -> SCL-masked growing-season composites per year
regional  composites -> chunked rules on Dask -> persisted chunks (resume) -> one seamless layer
review    analyst decisions that survive re-runs; promotion to a draft listing
"""
