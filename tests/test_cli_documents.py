"""``geo sheet`` and ``geo dossier``: the documents of the pages from the command line, in-process.

Valid cases read the files back (text of the PDF, the HTML); refused cases check the one-line error, that
no file was written (an existing one keeps its bytes) and that the catalogue did not change.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from pypdf import PdfReader

from geo.search import Brief, Criterion
from tests.conftest import revision, run_cli, sha256
from tests.docimage import location_map_pages, pages_with


def pdf_text(path: Path) -> str:
    return " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(path.read_bytes())).pages).split())


def one_line_error(run, *fragments: str) -> str:
    assert run.returncode == 1 and "Traceback" not in run.stderr, run.stderr
    lines = [ln for ln in run.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, run.stderr
    for f in fragments:
        assert f in lines[0], lines[0]
    return lines[0]


@pytest.fixture(scope="module")
def brief_file(tmp_path_factory) -> Path:
    p = tmp_path_factory.mktemp("brief") / "brief.json"
    Brief(name="Logistics hub", criteria=[Criterion("land_area_min", 20000),
                                          Criterion("motorway_junction_km", 5)]).save(p)
    return p


def test_sheet_pdf_in_italian_carries_the_site_its_map_and_the_brief(built_catalogue, tmp_path, brief_file):
    out = tmp_path / "sheet.pdf"
    run = run_cli("--catalogue", built_catalogue, "sheet", "DEMO-0003", "--pdf", out, "--lang", "it",
                  "--brief", brief_file)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == str(out)
    text = pdf_text(out)
    assert "DEMO-0003" in text and "Superficie territoriale" in text and "40.000 m²" in text
    assert "Rispetto alla richiesta Logistics hub" in text and "Conforme" in text  # the brief's verdicts
    data = out.read_bytes()
    assert location_map_pages(data) == pages_with(data, "DEMO-0003 · ")[:1]


def test_sheet_html_and_several_ids_into_a_folder(built_catalogue, tmp_path):
    one = tmp_path / "s.html"
    assert run_cli("--catalogue", built_catalogue, "sheet", "DEMO-0001", "--html", one).returncode == 0
    html = one.read_text(encoding="utf-8")
    assert html.startswith("<!doctype html>") and "DEMO-0001" in html and 'class="geo-location"' in html
    folder = tmp_path / "many"
    run = run_cli("--catalogue", built_catalogue, "sheet", "DEMO-0001", "DEMO-0002", "DEMO-0001", "--pdf", folder)
    assert run.returncode == 0, run.stderr
    assert sorted(p.name for p in folder.iterdir()) == ["DEMO-0001_en.pdf", "DEMO-0002_en.pdf"]
    assert "DEMO-0002" in pdf_text(folder / "DEMO-0002_en.pdf")


def test_dossier_with_a_brief_compares_the_sites_and_gives_each_its_sheet(built_catalogue, tmp_path, brief_file):
    out = tmp_path / "d.pdf"
    run = run_cli("--catalogue", built_catalogue, "dossier", "DEMO-0001", "DEMO-0002", "DEMO-0003", "--pdf", out,
                  "--brief", brief_file)
    assert run.returncode == 0, run.stderr
    text = pdf_text(out)
    assert "Logistics hub" in text and "Criterion" in text and "Fail" in text  # DEMO-0002: 10,220 m² < 20,000
    assert "Overall verdict" in text
    data = out.read_bytes()
    for sid in ("DEMO-0001", "DEMO-0002", "DEMO-0003"):
        assert pages_with(data, f"{sid} · ")[0] in location_map_pages(data)


@pytest.mark.parametrize("command", [["sheet", "DEMO-0001", "NOT-A-SITE", "--pdf"],
                                     ["sheet", "NOT-A-SITE", "--html"],
                                     ["dossier", "DEMO-0001", "NOT-A-SITE", "--pdf"]])
def test_an_unknown_id_writes_nothing_and_changes_nothing(built_catalogue, tmp_path, command):
    out = tmp_path / "existing.out"
    previous = b"%PDF-1.7 the previous document" if "--pdf" in command else b"<!doctype html>the previous document"
    out.write_bytes(previous)  # an earlier document of the same kind: the one thing OUT may replace
    before = revision(built_catalogue)
    run = run_cli("--catalogue", built_catalogue, *command, out)
    one_line_error(run, "NOT-A-SITE", "geo search")
    assert out.read_bytes() == previous
    assert sorted(p.name for p in tmp_path.iterdir()) == ["existing.out"]  # no temporary file left either
    assert revision(built_catalogue) == before


def test_an_unpublished_listing_needs_staff(built_catalogue, tmp_path):
    from geo.catalogue import open_catalogue

    sid = open_catalogue(built_catalogue).sites(statuses=("submitted",))["site_id"].iloc[0]
    out = tmp_path / "u.pdf"
    one_line_error(run_cli("--catalogue", built_catalogue, "sheet", sid, "--pdf", out), sid, "--staff")
    assert not out.exists()
    assert run_cli("--catalogue", built_catalogue, "sheet", sid, "--pdf", out, "--staff").returncode == 0
    assert sid in pdf_text(out)


def test_the_catalogue_as_output_and_a_bad_brief_are_refused(built_catalogue, tmp_path):
    before = sha256(built_catalogue)
    one_line_error(run_cli("--catalogue", built_catalogue, "dossier", "DEMO-0001", "--pdf", built_catalogue),
                   "is a catalogue")
    one_line_error(run_cli("--catalogue", built_catalogue, "sheet", "DEMO-0001", "--pdf", built_catalogue),
                   "is a catalogue")
    bad = tmp_path / "brief.json"
    bad.write_text("{not json", encoding="utf-8")
    out = tmp_path / "x.pdf"
    one_line_error(run_cli("--catalogue", built_catalogue, "sheet", "DEMO-0001", "--pdf", out, "--brief", bad),
                   "JSON")
    assert not out.exists() and sha256(built_catalogue) == before


def test_an_output_folder_that_does_not_exist_is_one_line_and_nothing_is_written(built_catalogue, tmp_path):
    out = tmp_path / "missing" / "s.pdf"
    one_line_error(run_cli("--catalogue", built_catalogue, "sheet", "DEMO-0001", "--pdf", out), "no such file")
    assert not (tmp_path / "missing").exists()
