"""Every mistake on the command line is one line in the user's language, never a traceback.

Each case runs the real ``geo`` command (``geo.cli.main``, in-process: ``run_cli``) and checks the exit
code, that stderr is exactly one line with the expected words, and that no traceback appears. A few
smoke tests start ``python -m geo.cli`` in a subprocess, as a user would (``geo_process``).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import run_cli, sha256

ROOT = Path(__file__).resolve().parents[1]


geo = run_cli


def geo_process(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("GEO_DEBUG", None)
    return subprocess.run([sys.executable, "-m", "geo.cli", *args], capture_output=True, text=True, timeout=300,
                          cwd=cwd or ROOT, env=env)


def assert_one_line(run: subprocess.CompletedProcess, code: int, *fragments: str) -> str:
    assert "Traceback" not in run.stdout + run.stderr, run.stderr
    lines = [ln for ln in run.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, run.stderr
    for f in fragments:
        assert f in lines[0], lines[0]
    assert run.returncode == code, (run.returncode, run.stderr)
    return lines[0]


@pytest.fixture()
def cat(built_catalogue, tmp_path) -> Path:
    dst = tmp_path / "catalogue.gpkg"
    shutil.copy2(built_catalogue, dst)
    return dst


# (id, arguments after --catalogue CAT, exit code, fragments of the one line)
def cases(tmp: Path) -> list[tuple[str, list[str], int, tuple[str, ...]]]:
    header_only = tmp / "stations.csv"
    header_only.write_text("name,lat,lon\n")
    folder = tmp / "a_folder"
    folder.mkdir()
    huge = tmp / "big.csv"
    huge.write_text("name;lat;lon\nA;45,1;9,1\nB;1e308;9\n")
    nan = tmp / "nan.csv"
    nan.write_text("name,lat,lon\nA,nan,9.1\n")
    return [
        ("negative_sites", ["build", "--sites", "-5"], 2, ("error:", "'-5' is not a whole number from 0 to 100,000")),
        ("nan_sites", ["build", "--sites", "nan"], 2, ("'nan' is not a whole number from 0 to 100,000",)),
        ("absurd_sites", ["build", "--sites", "999999999999"], 2,
         ("'999999999999' is not a whole number from 0 to 100,000",)),
        ("inf_seed_italian", ["--lang", "it", "build", "--seed", "inf"], 2,
         ("errore:", "«inf» non è un numero intero >= 0")),
        ("unknown_command", ["bogus"], 2, ("invalid choice: 'bogus'", "geo --help")),
        ("check_a_folder", ["listing", "check", str(folder)], 1, ("is a folder, not an Excel file",)),
        ("check_a_folder_italian", ["--lang", "it", "listing", "check", str(folder)], 1,
         ("errore:", "è una cartella, non un file Excel")),
        ("check_dev_zero", ["listing", "check", "/dev/zero"], 1, ("/dev/zero is not a regular file",)),
        ("submit_dev_zero", ["listing", "submit", "/dev/zero"], 1, ("/dev/zero is not a regular file",)),
        ("check_missing_file", ["listing", "check", str(tmp / "nope.xlsx")], 1, ("File not found",)),
        ("infrastructure_csv_header_only", ["import", "infrastructure", str(header_only), "--kind", "rail_station"],
         1, ("stations.csv: the CSV has only a header, no point to import.",)),
        ("infrastructure_dev_zero", ["import", "infrastructure", "/dev/zero", "--kind", "port"], 1,
         ("/dev/zero is not a regular file",)),
        ("zis_from_a_folder", ["import", "zis", str(folder)], 1, ("is a folder",)),
        ("infrastructure_csv_1e308", ["import", "infrastructure", str(huge), "--kind", "port"], 1,
         ("big.csv: feature name=B (9.000, 1e+308 – 9.000, 1e+308 in lon/lat) falls outside Lombardy",)),
        ("infrastructure_csv_nan", ["import", "infrastructure", str(nan), "--kind", "port"], 1,
         ("nan.csv, row 2: coordinates are not numbers",)),
        ("template_on_a_full_disk", ["listing", "template", "/dev/full"], 1,
         ("/dev/full: no space left on the device. Free some space",)),
        ("template_on_a_full_disk_italian", ["--lang", "it", "listing", "template", "/dev/full"], 1,
         ("errore: /dev/full: disco pieno",)),
        ("template_in_a_missing_place", ["listing", "template", "/proc/self/none/t.xlsx"], 1,
         ("no such file or folder",)),
    ]


CASE_IDS = ["negative_sites", "nan_sites", "absurd_sites", "inf_seed_italian", "unknown_command", "check_a_folder",
            "check_a_folder_italian", "check_dev_zero", "submit_dev_zero", "check_missing_file",
            "infrastructure_csv_header_only", "infrastructure_dev_zero", "zis_from_a_folder",
            "infrastructure_csv_1e308", "infrastructure_csv_nan",
            "template_on_a_full_disk", "template_on_a_full_disk_italian", "template_in_a_missing_place"]


@pytest.mark.parametrize("case_id", CASE_IDS)
def test_cli_mistake_is_one_line(case_id, cat, tmp_path):
    (_, args, code, fragments), = [c for c in cases(tmp_path) if c[0] == case_id]
    before = sha256(cat)
    run = geo("--catalogue", str(cat), *args)
    assert_one_line(run, code, *fragments)
    assert sha256(cat) == before  # nothing was written


def test_template_over_the_catalogue_is_refused(cat):
    before = sha256(cat)
    assert_one_line(geo("--catalogue", str(cat), "listing", "template", str(cat)), 1,
                    "is a catalogue: writing there would replace it")
    assert sha256(cat) == before


def test_missing_catalogue_is_one_line(tmp_path):
    assert_one_line(geo_process("--catalogue", str(tmp_path / "none.gpkg"), "info"), 1, "Catalogue not found")
    assert_one_line(geo_process("--lang", "it", "--catalogue", str(tmp_path / "none.gpkg"), "info"), 1,
                    "Catalogo non trovato")


def test_build_where_files_cannot_be_created_is_one_line(tmp_path):
    # /sys refuses new files even to root: the OS's reason, in one line, before any work.
    run = geo_process("--catalogue", "/sys/catalogue.gpkg", "build", "--sites", "0")
    assert_one_line(run, 1, "/sys/", "permission denied")


def test_a_bug_is_one_line_and_debug_shows_the_traceback(cat, monkeypatch, capsys):
    """A fault injected into a real subcommand (geo info) is still one line, exit 2;
    GEO_DEBUG=1 gives the traceback for a bug report."""
    import geo.commands.build as build_cmd
    from geo.cli import main

    def planted(_args):
        raise RuntimeError("planted\nsecond line")

    monkeypatch.setattr(build_cmd, "_info", planted)
    monkeypatch.delenv("GEO_DEBUG", raising=False)
    assert main(["--catalogue", str(cat), "info"]) == 2
    assert capsys.readouterr().err == ("error: unexpected error (RuntimeError: planted second line); "
                                       "GEO_DEBUG=1 shows the details.\n")
    monkeypatch.setenv("GEO_DEBUG", "1")
    with pytest.raises(RuntimeError, match="planted"):
        main(["--catalogue", str(cat), "info"])


@pytest.mark.parametrize("err,en,it", [
    (30, "/data/c.gpkg: read-only file system. Use a writable location.",  # EROFS
     "/data/c.gpkg: file system in sola lettura. Usare un percorso scrivibile."),
    (13, "/data/c.gpkg: permission denied. Check the permissions of the file and its folder.",  # EACCES
     "/data/c.gpkg: permesso negato. Controllare i permessi del file e della cartella."),
    (122, "/data/c.gpkg: disk quota exceeded. Free some space and try again.",  # EDQUOT
     "/data/c.gpkg: quota del disco superata. Liberare spazio e riprovare."),
])
def test_disk_errors_read_as_one_sentence(err, en, it):
    """The disks of this machine cannot be made read-only for a test (no mount rights): the
    sentences for the errno values the CLI meets on such disks are checked directly."""
    import errno as errno_mod

    from geo.cli import os_error_message

    assert err in (errno_mod.EROFS, errno_mod.EACCES, errno_mod.EDQUOT)
    exc = OSError(err, os.strerror(err), "/data/c.gpkg")
    assert os_error_message(exc, "en") == en and os_error_message(exc, "it") == it


def test_search_limit_must_be_at_least_one(tmp_path):
    """`--limit -1` used to drop the last site silently (pandas head(-1))."""
    import subprocess
    import sys

    r = subprocess.run([sys.executable, "-m", "geo.cli", "search", "--limit", "-1"], capture_output=True, text=True)
    assert r.returncode == 2 and "Traceback" not in r.stderr and len(r.stderr.strip().splitlines()) == 1


def test_help_and_argparse_messages_speak_the_chosen_language(capsys):
    """Help texts, argparse's own words and the type refusals follow --lang (English by default)."""
    from geo.cli import main

    with pytest.raises(SystemExit):
        main(["--lang", "it", "build", "--help"])
    out = capsys.readouterr().out
    assert out.startswith("uso: geo build") and "opzioni:" in out and "mostra questo aiuto" in out
    assert "seme del generatore dimostrativo" in out and "al massimo 100.000" in out
    with pytest.raises(SystemExit):
        main(["build", "--help"])
    out = capsys.readouterr().out
    assert out.startswith("usage: geo build") and "seed of the demo generator" in out and "100,000" in out
    with pytest.raises(SystemExit) as e:
        main(["--lang", "it", "listing"])
    assert e.value.code == 2
    assert capsys.readouterr().err == ("errore: mancano gli argomenti obbligatori: WHAT "
                                       "(vedere «geo listing --help»)\n")
    with pytest.raises(SystemExit):
        main(["--lang=it", "search", "--limit", "0"])
    assert "«0» non è un numero intero tra 1 e 10.000.000" in capsys.readouterr().err
    import argparse

    assert argparse._("usage: ") == "usage: "  # argparse is itself again once the command has run
