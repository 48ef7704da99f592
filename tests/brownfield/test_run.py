"""The run orchestration (run.execute) and the run file (runfile.write_run / read_run)."""

from __future__ import annotations

import json

import pytest

import geo.catalogue
from geo.brownfield.run import RunRequest, execute, validate
from geo.brownfield.runfile import read_run, write_run
from geo.catalogue import open_catalogue
from geo.errors import InputFileError, UserError
from tests.brownfield.synthetic import scene_arrays, write_stack
from tests.conftest import revision


def _scenes(tmp_path) -> list[tuple[str, str]]:
    return [(d, str(write_stack(tmp_path / f"{i}.tif", scene_arrays(120, i))))
            for i, d in enumerate(("2019-06-01", "2021-06-01"))]


def test_a_run_opens_the_catalogue_once_writes_and_publishes(tmp_path, catalogue_target, monkeypatch):
    opened = []
    real = geo.catalogue.open_catalogue

    def counting(target):  # the real catalogue, counted
        opened.append(str(target))
        return real(target)

    monkeypatch.setattr(geo.catalogue, "open_catalogue", counting)
    out = tmp_path / "run.gpkg"
    res = execute(RunRequest(out=out, catalogue_path=catalogue_target, scenes=_scenes(tmp_path), publish=True,
                             learned=True))
    assert opened == [str(catalogue_target)]  # listed sites, decisions and publication on one handle
    assert res.record["scorer_info"]["fallback"]  # no decisions yet: the rules ranked it
    published = real(catalogue_target).layer("brownfield_candidates")
    assert published["run_id"].unique().tolist() == [res.run_id]
    assert read_run(out).record["run_id"] == res.run_id


def test_a_run_without_publication_never_opens_the_catalogue(tmp_path, monkeypatch):
    monkeypatch.setattr(geo.catalogue, "open_catalogue", lambda target: pytest.fail("catalogue opened"))
    res = execute(RunRequest(out=tmp_path / "run.gpkg", catalogue_path=tmp_path / "none.gpkg",
                             scenes=_scenes(tmp_path)))
    assert len(res.candidates) == 1


@pytest.mark.parametrize("change, message", [
    (dict(budget=0.0), "--budget is a share"),
    (dict(budget=1.5), "--budget is a share"),
    (dict(stac="catalog.json"), "do not combine"),
    (dict(stac="https://example.org/stac", per_date=True, scenes=[]), "needs --aoi, --from and --to"),
    (dict(stac="catalog.json", scenes=[], chunk=8), "--chunk must be at least 16 px"),
])
def test_a_request_that_cannot_run_is_refused_before_anything_is_read(tmp_path, writable_catalogue, change,
                                                                       message):
    catalogue_target = str(writable_catalogue)  # refused before the catalogue is opened: one backend is enough
    before = revision(catalogue_target)
    ok = RunRequest(out=tmp_path / "run.gpkg", catalogue_path=catalogue_target, scenes=_scenes(tmp_path),
                    publish=True)
    validate(ok)  # the valid request passes
    bad = RunRequest(**{**ok.__dict__, **change})
    with pytest.raises(UserError) as err:
        execute(bad)
    assert message in err.value.message("en")
    assert not (tmp_path / "run.gpkg").exists()
    assert revision(catalogue_target) == before


def test_the_run_file_reads_back_what_was_written(tmp_path):
    res = execute(RunRequest(out=tmp_path / "a.gpkg", scenes=_scenes(tmp_path)))
    again = read_run(tmp_path / "a.gpkg")
    assert again.record == json.loads(json.dumps(res.record))
    assert again.candidates.drop(columns="geometry").equals(
        res.candidates.to_crs(4326).drop(columns="geometry").astype(again.candidates.drop(columns="geometry").dtypes))
    assert again.analysed_area.to_crs(32632).area.sum() == pytest.approx(res.analysed_area.area.sum())
    assert again.naive is not None and len(again.naive) == len(res.naive)
    write_run(res, tmp_path / "b.gpkg")  # written again by the same module: the same layers
    assert read_run(tmp_path / "b.gpkg").record == again.record


def test_a_file_that_is_not_a_run_is_refused_by_name(tmp_path, built_catalogue):
    with pytest.raises(InputFileError) as err:
        read_run(built_catalogue)
    assert "brownfield_candidates" in err.value.message("en") and "not a brownfield run file" in err.value.message("en")
    with pytest.raises(InputFileError, match="unreadable"):
        read_run(tmp_path / "missing.gpkg")
    assert open_catalogue(built_catalogue).revision()  # the catalogue was only read


def test_the_views_key_changes_when_a_scene_moves(tmp_path):
    from geo.brownfield.review import scenes_state

    scenes = _scenes(tmp_path)
    res = execute(RunRequest(out=tmp_path / "run.gpkg", scenes=scenes))
    before = scenes_state(res.record)
    assert [s[0] for s in before] == [p for _d, p in scenes] and all(s[1] for s in before)
    assert scenes_state(res.record) == before  # unchanged files: the cached views stay valid
    (tmp_path / "0.tif").unlink()
    assert scenes_state(res.record)[0] == (str(tmp_path / "0.tif"), None)
    assert scenes_state({"dates": ["2019-06-01"]}) == scenes_state(None) == ()  # composites: nothing to watch
