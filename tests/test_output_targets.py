"""A command that writes a file never replaces a file that is not of the kind it writes.

Every ``geo`` command with an output file (the owner template, a site sheet as PDF or HTML, a dossier, a
brownfield run file) is pointed at files that are not ours: another application's GeoPackage with its own
layers, a spreadsheet-looking text, notes. Each is refused in one sentence in the user's language and left
byte for byte as it was; next to it, the same command writing again over its own earlier output works.
"""

from __future__ import annotations

import geopandas as gpd
import pytest
from shapely.geometry import Point

from geo.cli import main
from tests.brownfield.synthetic import scene_arrays, write_stack
from tests.conftest import sha256

REFUSED = {"en": "already exists and is not", "it": "esiste già e non è"}


def _others(tmp_path):
    """Files that are not ours, each under a name our commands would write."""
    other_gpkg = tmp_path / "their_layers.gpkg"
    gpd.GeoDataFrame({"name": ["well"]}, geometry=[Point(9.2, 45.5)], crs=4326).to_file(other_gpkg, layer="wells")
    notes = tmp_path / "notes.txt"
    notes.write_text("call the mayor on Monday\n")
    fake_pdf = tmp_path / "report.pdf"
    fake_pdf.write_text("not a pdf: a text file someone named .pdf\n")
    page = tmp_path / "page.html"
    page.write_bytes(b"\x89PNG\r\n\x1a\n an image named .html")
    return other_gpkg, notes, fake_pdf, page


def _refused(capsys, lang: str, argv: list[str], victim) -> None:
    before = sha256(victim)
    assert main(["--lang", lang, *argv]) == 1
    err = capsys.readouterr().err
    assert REFUSED[lang] in err and str(victim) in err and len(err.strip().splitlines()) == 1, err
    assert sha256(victim) == before


@pytest.mark.parametrize("lang", ["en", "it"])
def test_the_template_and_documents_refuse_a_file_that_is_not_theirs(lang, tmp_path, built_catalogue, capsys):
    other_gpkg, notes, fake_pdf, page = _others(tmp_path)
    cat = ["--catalogue", str(built_catalogue)]
    for victim in (notes, other_gpkg, fake_pdf):
        _refused(capsys, lang, [*cat, "listing", "template", str(victim)], victim)
    _refused(capsys, lang, [*cat, "sheet", "DEMO-0001", "--pdf", str(fake_pdf)], fake_pdf)
    _refused(capsys, lang, [*cat, "sheet", "DEMO-0001", "--pdf", str(notes)], notes)
    _refused(capsys, lang, [*cat, "sheet", "DEMO-0001", "--html", str(page)], page)
    _refused(capsys, lang, [*cat, "dossier", "DEMO-0001", "DEMO-0002", "--pdf", str(other_gpkg)], other_gpkg)
    # Their own earlier output is written again (a template or a sheet refreshed).
    tpl, pdf, html = tmp_path / "t.xlsx", tmp_path / "s.pdf", tmp_path / "s.html"
    for _ in range(2):
        assert main([*cat, "listing", "template", str(tpl)]) == 0
        assert main([*cat, "sheet", "DEMO-0001", "--pdf", str(pdf)]) == 0
        assert main([*cat, "sheet", "DEMO-0001", "--html", str(html)]) == 0
        assert main([*cat, "dossier", "DEMO-0001", "DEMO-0002", "--pdf", str(pdf)]) == 0
    capsys.readouterr()
    assert tpl.read_bytes()[:4] == b"PK\x03\x04" and pdf.read_bytes()[:5] == b"%PDF-"
    assert html.read_text().startswith("<!doctype html>")


def test_a_brownfield_run_never_replaces_another_applications_geopackage(tmp_path, built_catalogue, capsys):
    other_gpkg, notes, _pdf, _page = _others(tmp_path)
    s0 = write_stack(tmp_path / "a.tif", scene_arrays(60, 0))
    s1 = write_stack(tmp_path / "b.tif", scene_arrays(60, 1))
    run = ["--catalogue", str(built_catalogue), "brownfield", "detect", "--scene", f"2019-06-01={s0}",
           "--scene", f"2021-06-01={s1}", "--out"]
    for lang in ("en", "it"):
        for victim in (other_gpkg, notes):
            _refused(capsys, lang, [*run, str(victim)], victim)
    assert gpd.read_file(other_gpkg, layer="wells")["name"].tolist() == ["well"]
    out = tmp_path / "run.gpkg"
    assert main([*run, str(out)]) == 0 and main([*run, str(out)]) == 0  # its own run file, written again
    assert "brownfield_candidates" in gpd.list_layers(out)["name"].tolist()
