"""Build notebooks/brownfield_walkthrough.ipynb (run: .venv/bin/python notebooks/build_walkthrough.py [--execute])."""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat as nbf

HERE = Path(__file__).resolve().parent

cells = [
    nbf.v4.new_markdown_cell("""# Brownfield candidates from Sentinel-2: an analyst walkthrough

Load two dates of Sentinel-2, run the detection, look at the candidates and measure them against a
reference register. Everything calls the `geo` library: the notebook re-implements nothing.

It uses the Milan scenes in `../../shared/data` when present (real Level-1C, EPSG:4326), otherwise a
small generated scene with a planted disused yard."""),
    nbf.v4.new_code_cell("""from pathlib import Path
import geopandas as gpd
from geo.brownfield.sources import scene_from_path
from geo.brownfield.run import detect
from geo.brownfield.evaluate import evaluate

DATA = Path("../../shared/data")
milan = DATA / "sentinel2_milano_oscd"
if milan.exists():
    scenes = [scene_from_path(milan / "original" / "imgs_1", "2016-12-28"),
              scene_from_path(milan / "original" / "imgs_2", "2018-01-22")]
else:
    import sys, tempfile
    sys.path.insert(0, "..")
    from tests.brownfield.synthetic import scene_arrays, write_stack
    tmp = Path(tempfile.mkdtemp())
    scenes = [scene_from_path(write_stack(tmp / "a.tif", scene_arrays(120, 0)), "2019-06-01"),
              scene_from_path(write_stack(tmp / "b.tif", scene_arrays(120, 1)), "2021-06-01")]
[(s.date, s.level, sorted(s.bands)) for s in scenes]"""),
    nbf.v4.new_markdown_cell("## Detection: our multi-date rules, and the single-date bare-soil baseline"),
    nbf.v4.new_code_cell("""runs = {m: detect(scenes, method=m) for m in ("rules", "baseline")}
for m, r in runs.items():
    print(m, len(r.candidates), "candidates;", r.record["timings_s"])
runs["rules"].candidates[["candidate_id", "area_m2", "size_class", "score", "persistence", "encroachment",
                          "stability", "built_context", "explanation_en"]].head(10)"""),
    nbf.v4.new_markdown_cell("## Inspect the candidates on a map (basemap tiles need the network)"),
    nbf.v4.new_code_cell("""import folium
c = runs["rules"].candidates.to_crs(4326)
centre = c.geometry.union_all().centroid
m = folium.Map([centre.y, centre.x], zoom_start=14,
               tiles="https://server.arcgisonline.com/ArcGIS/rest/services/World_Imagery/MapServer/tile/{z}/{y}/{x}",
               attr="Esri")
folium.GeoJson(c[["candidate_id", "score", "geometry"]],
               tooltip=folium.GeoJsonTooltip(["candidate_id", "score"])).add_to(m)
m"""),
    nbf.v4.new_markdown_cell("""## Evaluate

Recall with the share of the area it costs and the lift (1.0 = chance). The reference points are
CC BY-NC: used here to evaluate, never copied into the project, never used to tune."""),
    nbf.v4.new_code_cell("""ref_path = DATA / "ground_truth" / "milano_edifici_aree_degrado_2016.geojson"
if ref_path.exists():
    ref = gpd.read_file(ref_path)
    for m, r in runs.items():
        area = r.analysed_area.geometry.iloc[0]
        for name, sub in (("all", ref),
                          ("productive/vacant/rail", ref[ref.typology.isin(["Produttivo", "Area libera",
                                                                             "Scalo Ferroviario"])])):
            ev = evaluate(r.candidates, sub, area, tolerance_m=50)
            print(f"{m:9s} {name:24s} recall {ev.recall:.2f}  flagged {ev.flagged_share:.3f}  lift {ev.lift:.2f}")
else:
    print("no reference register here")"""),
    nbf.v4.new_markdown_cell("""## The ranked short list under an area budget

Analysts review the top of the ranking: the candidates covering at most `budget` of the analysed area
(`in_budget`; `geo brownfield detect --budget 0.05`). Sites too small to assess from Sentinel-2 always come
after the others. The table measures the top of our ranking and, as the baseline of the same run, the naive
object ranking (components of BSI > 0 on every date, by size x mean BSI); the flagged share counts the 50 m
matching tolerance too."""),
    nbf.v4.new_code_cell("""from geo.brownfield.evaluate import budget_table
r = runs["rules"]
print(r.candidates[["rank", "candidate_id", "area_m2", "too_small", "score", "in_budget"]].head(8).to_string())
if ref_path.exists():
    area = r.analysed_area.geometry.iloc[0]
    for name, layer in (("ranked", r.candidates), ("naive", r.naive)):
        print(name)
        print(budget_table(layer, ref, area, 50).to_string(index=False))"""),
    nbf.v4.new_markdown_cell("""## A regional run: growing-season composites on Dask

For the region, detection compares per-year growing-season composites (median of the clear observations,
SCL-masked) of two years, computed chunk by chunk on a Dask cluster from a STAC search. Here: a generated
static STAC catalogue of two tiles x 14 dates with clouds, run in this process (`client=None`); on the
command line the same run is

    geo brownfield detect --stac catalog.json --years 2019,2024 --max-cloud 60 --out run.gpkg          # LocalCluster, 2 workers
    geo brownfield detect --stac URL --aoi aoi.geojson --from 2019-04-01 --to 2024-10-31 \\
                          --scheduler tcp://scheduler:8786 --out run.gpkg                                # an existing cluster
"""),
    nbf.v4.new_code_cell("""import sys, tempfile
sys.path.insert(0, "..")
from tests.brownfield.timeseries import write_catalogue
from geo.brownfield.stac import read_items
from geo.brownfield.regional import detect_regional

tmp = Path(tempfile.mkdtemp())
items = read_items(write_catalogue(tmp))
regional = detect_regional(items, [2019, 2024], chunk=24, client=None, work_dir=tmp / "parts")
print(regional.record["execution"], regional.record["composites"]["dates"])
regional.candidates[["rank", "candidate_id", "area_m2", "score", "encroachment", "stability", "bare_all",
                     "explanation_en"]]"""),
]

nb = nbf.v4.new_notebook(cells=cells, metadata={"kernelspec": {"name": "python3", "display_name": "Python 3"}})
out = HERE / "brownfield_walkthrough.ipynb"
if "--execute" in sys.argv:
    from nbclient import NotebookClient

    NotebookClient(nb, timeout=600, resources={"metadata": {"path": str(HERE)}}).execute()
nbf.write(nb, out)
print(out)
