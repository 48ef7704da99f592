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
        area = r.extent.geometry.iloc[0]
        for name, sub in (("all", ref),
                          ("productive/vacant/rail", ref[ref.typology.isin(["Produttivo", "Area libera",
                                                                             "Scalo Ferroviario"])])):
            ev = evaluate(r.candidates, sub, area, tolerance_m=50)
            print(f"{m:9s} {name:24s} recall {ev.recall:.2f}  flagged {ev.flagged_share:.3f}  lift {ev.lift:.2f}")
else:
    print("no reference register here")"""),
]

nb = nbf.v4.new_notebook(cells=cells, metadata={"kernelspec": {"name": "python3", "display_name": "Python 3"}})
out = HERE / "brownfield_walkthrough.ipynb"
if "--execute" in sys.argv:
    from nbclient import NotebookClient

    NotebookClient(nb, timeout=600, resources={"metadata": {"path": str(HERE)}}).execute()
nbf.write(nb, out)
print(out)
