"""Brownfield layer: radiometry, indices, reading, detection on planted sites, STAC, evaluation, runs."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import rasterio
from rasterio.transform import from_origin
from rasterio.windows import Window
from shapely.geometry import Point, box

from geo.brownfield import indices
from geo.brownfield.bands import baseline_offset, scl_valid, to_reflectance
from geo.brownfield.evaluate import evaluate
from geo.brownfield.run import detect, publish
from geo.brownfield.sources import SceneReader, grid_for, scene_from_path
from geo.brownfield.stac import read_items, scenes_from_items
from geo.catalogue import open_catalogue
from geo.cli import main
from geo.errors import InputFileError
from tests.brownfield.synthetic import ORIGIN, scene_arrays, write_band_folder, write_stack
from tests.conftest import sha256


# ------------------------------------------------------------- radiometry
def test_indices_against_hand_computed_values():
    b02, b03, b04, b08, b11 = (np.array([v], dtype=np.float32) for v in (0.05, 0.08, 0.10, 0.30, 0.20))
    assert indices.ndvi(b08, b04)[0] == pytest.approx((0.30 - 0.10) / (0.30 + 0.10))  # 0.5
    assert indices.ndbi(b11, b08)[0] == pytest.approx((0.20 - 0.30) / 0.50)  # -0.2
    assert indices.bsi(b11, b04, b08, b02)[0] == pytest.approx((0.30 - 0.35) / 0.65)
    assert indices.mndwi(b03, b11)[0] == pytest.approx((0.08 - 0.20) / 0.28)
    assert np.isnan(indices.ndvi(np.zeros(1, np.float32), np.zeros(1, np.float32))[0])


def test_processing_baseline_offset_and_nodata():
    assert baseline_offset(dt.date(2022, 1, 24)) == 0.0
    assert baseline_offset(dt.date(2022, 1, 25)) == -1000.0
    assert baseline_offset(dt.date(2023, 5, 1), processing_baseline="05.09") == -1000.0
    assert baseline_offset(dt.date(2023, 5, 1), processing_baseline="03.01") == 0.0
    r = to_reflectance(np.array([0, 1000, 3000], np.uint16), offset_dn=-1000)
    assert np.isnan(r[0]) and r[1] == 0.0 and r[2] == pytest.approx(0.2)
    # Same surface before and after the baseline change reads the same reflectance.
    assert to_reflectance(np.array([2000], np.uint16))[0] == pytest.approx(
        to_reflectance(np.array([3000], np.uint16), offset_dn=baseline_offset(dt.date(2024, 1, 1)))[0])


def test_scl_masking_rules():
    scl = np.arange(12)
    assert scl_valid(scl).tolist() == [False, False, True, False, True, True, True, True, False, False, False,
                                       False]


# --------------------------------------------------------------- reading
def test_utm_stack_and_band_folder_read_the_same_with_20m_bands_resampled(tmp_path):
    a = scene_arrays(60)
    stack = scene_from_path(write_stack(tmp_path / "S2_L2A_20200101.tif", a), "2020-01-01")
    folder = scene_from_path(write_band_folder(tmp_path / "f", a), "2020-01-01")
    assert stack.level == "L2A" and sorted(folder.bands) == sorted(a)
    grid = grid_for([stack, folder])
    assert (grid.width, grid.height) == (60, 60)
    r1, v1 = SceneReader(stack, grid).read(Window(0, 0, 60, 60))
    r2, v2 = SceneReader(folder, grid).read(Window(0, 0, 60, 60))
    assert np.allclose(r1["B04"], r2["B04"], atol=1e-4)  # 10 m: identical
    # 20 m bands are interpolated onto the 10 m grid: complete, and equal up to the pixel noise.
    assert v2.all() and r2["B11"].shape == (60, 60)
    assert np.allclose(r1["B11"], r2["B11"], atol=0.015)
    assert abs(float(r1["B11"].mean() - r2["B11"].mean())) < 0.002


def test_wgs84_input_is_reprojected_to_utm_10m(tmp_path):
    from rasterio.warp import transform_bounds

    a = scene_arrays(60)
    # The same place in EPSG:4326 at ~10 m.
    w, s, e, n = transform_bounds("EPSG:32632", "EPSG:4326", ORIGIN[0], ORIGIN[1] - 600, ORIGIN[0] + 600, ORIGIN[1])
    with rasterio.open(tmp_path / "ll.tif", "w", driver="GTiff", width=60, height=60, count=6, dtype="uint16",
                       crs="EPSG:4326", transform=from_origin(w, n, (e - w) / 60, (n - s) / 60), nodata=0) as dst:
        for i, b in enumerate(a, start=1):
            dst.write(np.clip(a[b] * 10000, 1, 65534).astype("uint16"), i)
            dst.set_band_description(i, b)
    sc = scene_from_path(tmp_path / "ll.tif", "2020-01-01")
    grid = grid_for([sc])
    assert grid.crs == "EPSG:32632" and grid.transform.a == 10.0
    refl, valid = SceneReader(sc, grid).read(Window(0, 0, grid.width, grid.height))
    assert valid.mean() > 0.9
    assert np.nanmedian(refl["B04"]) == pytest.approx(0.13, abs=0.01)


def test_scl_masks_cloud_pixels_after_resampling(tmp_path):
    a = scene_arrays(40)
    scl = np.full((20, 20), 4, np.uint8)
    scl[:5, :5] = 9  # cloud (20 m) -> 10x10 px at 10 m
    sc = scene_from_path(write_band_folder(tmp_path / "f", a, scl=scl), "2020-01-01")
    grid = grid_for([sc])
    _, valid = SceneReader(sc, grid).read(Window(0, 0, 40, 40))
    assert not valid[:10, :10].any() and valid[10:, 10:].all()


def test_unreadable_and_incomplete_inputs_are_clear_errors(tmp_path):
    (tmp_path / "x.tif").write_text("not a raster")
    with pytest.raises(InputFileError, match="not a readable raster"):
        scene_from_path(tmp_path / "x.tif", "2020-01-01")
    p = write_stack(tmp_path / "nodesc.tif", scene_arrays(20), describe=False)
    with pytest.raises(InputFileError) as e:
        scene_from_path(p, "2020-01-01")
    assert "--band-order" in e.value.message("en") and "bande senza nome" in e.value.message("it")
    only3 = {k: v for k, v in list(scene_arrays(20).items())[:3]}
    sc = scene_from_path(write_stack(tmp_path / "three.tif", only3), "2020-01-01")
    with pytest.raises(InputFileError, match="B08, B11, B12 are missing"):
        detect([sc, sc])


# -------------------------------------------------------------- detection
def _two_dates(tmp_path, n=120):
    s0 = scene_from_path(write_stack(tmp_path / "a_20190601.tif", scene_arrays(n, 0)), "2019-06-01")
    s1 = scene_from_path(write_stack(tmp_path / "b_20210601.tif", scene_arrays(n, 1)), "2021-06-01")
    return s0, s1


def test_detection_finds_exactly_the_planted_disused_yard(tmp_path):
    res = detect(list(_two_dates(tmp_path)))
    c = res.candidates
    assert len(c) == 1, c[["area_m2", "score"]]
    site = c.iloc[0]
    planted = box(ORIGIN[0] + 100, ORIGIN[1] - 300, ORIGIN[0] + 300, ORIGIN[1] - 100)  # rows/cols 10-29
    assert site.geometry.intersection(planted).area / planted.area > 0.95
    assert site.area_m2 == pytest.approx(40000, rel=0.05)
    assert site.encroachment > 0.9 and site.score > 0.5 and not site.too_small
    assert "vegetation encroaching" in site.explanation_en and site.label == "new"
    # The new building on the field and the untouched field are not candidates.
    new_building = box(ORIGIN[0] + 100, ORIGIN[1] - 800, ORIGIN[0] + 300, ORIGIN[1] - 600)
    assert not c.intersects(new_building).any()


def test_small_sites_are_flagged_too_small_and_below_mmu_dropped(tmp_path):
    from geo.brownfield.rules import RuleParams

    p = RuleParams(mmu_m2=2000, too_small_m2=50000)
    res = detect(list(_two_dates(tmp_path)), params=p)
    assert res.candidates["too_small"].all()
    assert "too small to assess from Sentinel-2" in res.candidates["explanation_en"].iloc[0]
    res = detect(list(_two_dates(tmp_path)), params=RuleParams(mmu_m2=50000))
    assert len(res.candidates) == 0


def test_candidates_are_labelled_against_catalogue_and_register(tmp_path):
    s0, s1 = _two_dates(tmp_path)
    listed = gpd.GeoDataFrame(geometry=[Point(ORIGIN[0] + 200, ORIGIN[1] - 200)], crs=32632)
    assert detect([s0, s1], listed=listed).candidates["label"].tolist() == ["already listed"]
    assert detect([s0, s1], register=listed).candidates["label"].tolist() == ["in register"]


def test_blocks_give_the_same_answer_as_one_window(tmp_path):
    from geo.brownfield.detect import detect_rasters
    from geo.brownfield.readers import ScenesReader

    s0, s1 = _two_dates(tmp_path)
    reader = ScenesReader([s0, s1], grid_for([s0, s1]))
    m1, f1 = detect_rasters(reader, block=1024)
    m2, f2 = detect_rasters(reader, block=32)
    assert (m1 == m2).all() and all((f1[k] == f2[k]).all() for k in f1)


def test_baseline_method_is_the_bare_soil_gate(tmp_path):
    a0, a1 = scene_arrays(60, 0), scene_arrays(60, 1)
    from tests.brownfield.synthetic import BARE_FIELD

    for a in (a0, a1):
        for i, b in enumerate(a):
            a[b][30:50, 30:50] = BARE_FIELD[i]
    s0 = scene_from_path(write_stack(tmp_path / "a.tif", a0), "2019-06-01")
    s1 = scene_from_path(write_stack(tmp_path / "b.tif", a1), "2021-06-01")
    c = detect([s0, s1], method="baseline").candidates
    assert len(c) == 1 and c.iloc[0].area_m2 == pytest.approx(40000, rel=0.05)


# ------------------------------------------------------------------ STAC
def test_static_stac_catalogue_is_the_same_path(tmp_path):
    import pystac

    cat = pystac.Catalog(id="test", description="local scenes")
    for day, date in (("20190601", 0), ("20210601", 1)):
        folder = write_band_folder(tmp_path / day, scene_arrays(120, date))
        item = pystac.Item(id=f"S2_{day}", geometry=None, bbox=None,
                           datetime=dt.datetime.strptime(day, "%Y%m%d"), properties={"eo:cloud_cover": 5.0},
                           collection=None)
        item.properties["s2:processing_baseline"] = "02.14"
        item.properties["processing:level"] = "L2A"
        for code, key in (("B02", "blue"), ("B03", "green"), ("B04", "red"), ("B08", "nir"), ("B11", "swir16"),
                          ("B12", "swir22")):
            item.add_asset(key, pystac.Asset(href=str(folder / f"T32TNR_20200101T100000_{code}.tif")))
        cat.add_item(item)
    cat.normalize_and_save(str(tmp_path / "stac"), catalog_type=pystac.CatalogType.SELF_CONTAINED)
    scenes = scenes_from_items(read_items(tmp_path / "stac" / "catalog.json"))
    assert [s.date.isoformat() for s in scenes] == ["2019-06-01", "2021-06-01"]
    assert all(s.bands["B04"].offset_dn == 0.0 for s in scenes)
    assert len(detect(scenes).candidates) == 1
    assert scenes_from_items(read_items(tmp_path / "stac" / "catalog.json", max_cloud=1.0)) == []


# ------------------------------------------------------------ evaluation
def test_evaluation_metrics_on_a_hand_made_case():
    area = box(0, 0, 1000, 1000)  # 1 km2
    cands = gpd.GeoDataFrame({"score": [0.9, 0.5]}, geometry=[box(0, 0, 100, 100), box(500, 500, 600, 600)],
                             crs=32632)
    refs = gpd.GeoDataFrame({"pos": [True, True, True, False]},
                            geometry=[Point(50, 50), Point(140, 50), Point(900, 900), Point(550, 550)], crs=32632)
    ev = evaluate(cands, refs[refs["pos"]], area, tolerance_m=50)
    # Point 1 inside candidate 1; point 2 is 40 m from candidate 1 but candidate 1 is taken (one-to-one).
    assert ev.recall == pytest.approx(1 / 3, abs=1e-3)
    buffered = box(0, 0, 100, 100).buffer(50).intersection(area).area + box(500, 500, 600, 600).buffer(50).area
    assert ev.flagged_share == pytest.approx(buffered / 1e6, abs=1e-4)
    assert ev.lift == pytest.approx(round((1 / 3) / (buffered / 1e6), 2), abs=0.02)
    ev = evaluate(cands, refs, area, tolerance_m=50, label_column="pos", ks=(1, 2))
    assert ev.precision_at_k == {1: 1.0, 2: 0.5}


def test_polygon_references_use_iou_and_overlap():
    area = box(0, 0, 1000, 1000)
    cands = gpd.GeoDataFrame({"score": [1.0]}, geometry=[box(0, 0, 100, 100)], crs=32632)
    refs = gpd.GeoDataFrame(geometry=[box(0, 0, 100, 60), box(0, 0, 400, 400)], crs=32632)
    ev = evaluate(cands, refs, area)
    assert ev.recall == 0.5 and ev.recall_overlap == 0.5  # IoU 0.6 matches; the big one only overlaps 100%
    assert ev.flagged_share == pytest.approx(0.01)


# ------------------------------------------------------------ runs, CLI
def test_cli_detect_evaluate_and_atomic_publication(tmp_path, writable_catalogue, capsys, monkeypatch):
    s0 = write_stack(tmp_path / "a.tif", scene_arrays(120, 0))
    s1 = write_stack(tmp_path / "b.tif", scene_arrays(120, 1))
    out = tmp_path / "run.gpkg"
    args = ["--catalogue", str(writable_catalogue), "brownfield", "detect", "--scene", f"2019-06-01={s0}",
            "--scene", f"2021-06-01={s1}", "--level", "L2A", "--out", str(out), "--publish"]
    assert main(args) == 0
    cat = open_catalogue(writable_catalogue)
    assert len(cat.layer("brownfield_candidates")) == 1
    rec = json.loads(cat.table("brownfield_runs")["record_json"].iloc[0])
    assert rec["dates"] == ["2019-06-01", "2021-06-01"] and rec["parameters"]["mmu_m2"] == 2000
    t = rec["timings_s"]
    assert rec["software"]["geo"] and set(t) == {"pixels", "polygons", "total"}
    assert t["total"] > 0 and t["total"] >= t["pixels"] + t["polygons"] - 0.02  # the parts are within the whole
    assert rec["warnings"] == []  # summer dates, one small candidate: nothing to warn about
    ref = tmp_path / "ref.geojson"
    gpd.GeoDataFrame(geometry=[Point(ORIGIN[0] + 200, ORIGIN[1] - 200)], crs=32632).to_file(ref, driver="GeoJSON")
    capsys.readouterr()
    assert main(["brownfield", "evaluate", "--candidates", str(out), "--reference", str(ref), "--json"]) == 0
    ev = json.loads(capsys.readouterr().out)
    assert ev["recall"] == 1.0 and 0 < ev["flagged_share"] < 0.1 and ev["lift"] > 10
    # A run that fails while publishing leaves the catalogue exactly as it was.
    before = sha256(writable_catalogue)
    monkeypatch.setattr("geo.catalogue.gpkg_db._Conn.insert",
                        lambda *a, **k: (_ for _ in ()).throw(RuntimeError("disk full")))
    assert main(args[:-1] + ["--publish"]) == 2  # one line on stderr, no traceback
    assert "disk full" in capsys.readouterr().err
    assert sha256(writable_catalogue) == before
    assert main(["--catalogue", str(writable_catalogue), "brownfield", "runs"]) == 0


def test_reviews_survive_reruns_and_promotion_makes_an_estimated_draft(tmp_path, catalogue_target):
    from geo.brownfield.review import before_after_rgb, list_runs, load_candidates, promote_to_listing, record_review
    from geo.brownfield.run import publish

    s0, s1 = _two_dates(tmp_path)
    # Place the synthetic town in Lombardy coordinates: ORIGIN is in EPSG:32632 near Cremona.
    # The 4 ha site with its 50 m matching halo flags ~6% of the 144 ha town: a 10% budget lists it.
    publish(detect([s0, s1], budget=0.1), catalogue_target)
    cat = open_catalogue(catalogue_target)
    (cand,) = [r for _, r in load_candidates(cat).iterrows()]
    from geo.errors import UserError

    with pytest.raises(UserError) as e:
        record_review(cat, cand, "reject", "analyst:a", "  ")  # a rejection needs a reason
    assert "reason" in e.value.message("en") and "motivo" in e.value.message("it")
    assert len(load_candidates(cat, decisions=["pending"])) == 1  # nothing was stored
    record_review(cat, cand, "reject", "analyst:a", "active car park")
    later = detect([s0, s1], budget=0.1)
    publish(later, catalogue_target)  # a later run finds the same site again
    cat = open_catalogue(catalogue_target)
    runs = list_runs(cat)
    assert len(runs) == 2 and runs["run_id"].iloc[0] == later.run_id  # newest first, even within one second
    again = load_candidates(cat)
    assert again["decision"].tolist() == ["reject"] and again["reason"].tolist() == ["active car park"]
    assert len(load_candidates(cat, decisions=["pending"])) == 0
    before, after = before_after_rgb(cat, again.iloc[0])
    assert before.dtype == np.uint8 and before.shape[2] == 3 and before.shape == after.shape
    # Context around the 200 m site (>= 80 native pixels across), its outline drawn, native pixels kept:
    # every k x k block of the enlarged view is one Sentinel-2 pixel.
    from geo.brownfield.review import OUTLINE_RGB

    assert min(before.shape[:2]) >= 300
    assert (before == OUTLINE_RGB).all(axis=2).sum() > 0 and (after == OUTLINE_RGB).all(axis=2).sum() > 0
    k = 4  # 80 native pixels (a 200 m site with 300 m of context on each side) enlarged to 320
    assert before.shape[:2] == (320, 320)
    assert (before[::k, ::k].repeat(k, 0).repeat(k, 1) == before).all()
    sid = promote_to_listing(cat, again.iloc[0], "analyst:a")
    site = open_catalogue(catalogue_target).site(sid, role="staff")
    assert site["status"] == "draft" and site["origin"] == "disused" and site["origin__prov"] == "estimated"
    assert site["land_area_m2"] == pytest.approx(40000, rel=0.05) and site["land_area_m2__prov"] == "estimated"
    assert site["outline"] is not None


def test_walkthrough_notebook_runs(tmp_path):
    import shutil
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[2]
    # The notebook reads ../../shared/data: give it a reference register there (the planted yard of the
    # generated scene), so that the evaluation cell runs instead of printing "no reference register here".
    nb_dir = tmp_path / "project" / "notebooks"
    nb_dir.mkdir(parents=True)
    shutil.copy2(root / "notebooks" / "build_walkthrough.py", nb_dir)
    (tmp_path / "project" / "tests").symlink_to(root / "tests")
    truth = tmp_path / "shared" / "data" / "ground_truth"
    truth.mkdir(parents=True)
    gpd.GeoDataFrame({"typology": ["Produttivo"]}, geometry=[Point(ORIGIN[0] + 200, ORIGIN[1] - 200)],
                     crs=32632).to_file(truth / "milano_edifici_aree_degrado_2016.geojson", driver="GeoJSON")
    out = subprocess.run([sys.executable, str(nb_dir / "build_walkthrough.py"), "--execute"], cwd=nb_dir,
                         capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr[-2000:]
    import nbformat

    nb = nbformat.read(nb_dir / "brownfield_walkthrough.ipynb", 4)
    text = "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []))
    assert "candidates;" in text
    assert "no reference register here" not in text
    # The evaluation cell measured the run against the register: the planted yard is found.
    assert any(line.split()[:3] == ["rules", "all", "recall"] and line.split()[3] == "1.00"
               for line in text.splitlines()), text


# -------------------------------------------------------------- run warnings
def test_run_warnings_follow_from_dates_levels_and_flagged_share():
    from geo.brownfield.quality import run_warnings

    summer = [dt.date(2019, 6, 1), dt.date(2021, 7, 1)]
    winter = [dt.date(2016, 12, 28), dt.date(2018, 1, 22)]
    assert run_warnings(summer, ["L2A", "L2A"], 1e4, 1e7) == []
    assert [w.code for w in run_warnings(winter, ["L2A", "L2A"], 1e4, 1e7)] == ["winter_only"]
    assert [w.code for w in run_warnings(winter[:1] + summer[:1], ["L2A", "L2A"], 1e4, 1e7)] == []
    assert [w.code for w in run_warnings(summer, ["L1C", "L1C"], 1e4, 1e7)] == ["top_of_atmosphere"]
    assert [w.code for w in run_warnings(summer, ["L1C", "L2A"], 1e4, 1e7)] == ["mixed_levels"]
    (w,) = run_warnings(summer, ["L2A", "L2A"], 4.3e6, 1e7)
    assert w.code == "over_flagging"
    assert "43%" in w.message("en") and "--landuse" in w.message("en") and "43%" in w.message("it")
    assert run_warnings(summer, ["L2A", "L2A"], 1.5e6, 1e7) == []  # 15% exactly is still a short list


def test_cli_prints_the_warnings_of_a_winter_run(tmp_path, capsys):
    s0 = write_stack(tmp_path / "a.tif", scene_arrays(120, 0))
    s1 = write_stack(tmp_path / "b.tif", scene_arrays(120, 1))
    out = tmp_path / "run.gpkg"
    assert main(["--lang", "it", "brownfield", "detect", "--scene", f"2019-12-01={s0}", "--scene",
                 f"2021-01-15={s1}", "--level", "L2A", "--out", str(out)]) == 0
    err = capsys.readouterr().err
    assert "ATTENZIONE: Tutte le date sono fuori dalla stagione vegetativa" in err
    rec = json.loads(gpd.read_file(out, layer="brownfield_runs")["record_json"].iloc[0])
    assert [w["code"] for w in rec["warnings"]] == ["winter_only"]


# -------------------------------------------------------------- first seen (recent closures)
def test_first_seen_is_inherited_by_overlap_and_new_otherwise():
    from geo.brownfield.review import first_seen

    prev = gpd.GeoDataFrame({"first_seen": ["2020-07-01", None]},
                            geometry=[box(0, 0, 100, 100), box(1000, 0, 1100, 100)], crs=32632)
    cands = gpd.GeoDataFrame(geometry=[box(10, 0, 110, 100),      # IoU 0.82 with the first: same site
                                       box(60, 0, 160, 100),      # IoU 0.25: a different site
                                       box(1000, 0, 1100, 90)],   # same as the second, which had no date
                             crs=32632)
    got = first_seen(cands, prev, "2023-06-01", previous_date="2021-06-01").tolist()
    assert got == ["2020-07-01", "2023-06-01", "2021-06-01"]
    assert first_seen(cands, None, "2023-06-01").tolist() == ["2023-06-01"] * 3


def test_a_site_seen_again_keeps_its_first_date_in_the_catalogue(tmp_path, catalogue_target):
    arrays0, arrays1 = scene_arrays(120, 0), scene_arrays(120, 1)
    s0 = scene_from_path(write_stack(tmp_path / "a.tif", arrays0), "2019-06-01")
    s1 = scene_from_path(write_stack(tmp_path / "b.tif", arrays1), "2020-06-01")
    s2 = scene_from_path(write_stack(tmp_path / "c.tif", arrays1), "2021-06-01")  # before the 2022 offset
    publish(detect([s0, s1]), catalogue_target)
    assert open_catalogue(catalogue_target).layer("brownfield_candidates")["first_seen"].tolist() == ["2020-06-01"]
    later = detect([s0, s2])
    assert later.candidates["first_seen"].tolist() == ["2021-06-01"]  # the run alone knows no history
    publish(later, catalogue_target)
    cat = open_catalogue(catalogue_target)
    assert cat.layer("brownfield_candidates")["first_seen"].tolist() == ["2020-06-01"]
    assert len(cat.table("brownfield_runs")) == 2
