"""``geo catalogue backup|restore``: verified backups, consistent under writers, atomic restores, both backends."""

from __future__ import annotations

import re
import sqlite3
import time
import uuid
from pathlib import Path

import pytest

from geo.catalogue import migrate
from geo.catalogue.backup import backup_catalogue, verify_backup
from geo.catalogue.stores import connect
from geo.cli import main
from geo.errors import CatalogueError
from tests.conftest import catalogue_digest


def test_backup_is_a_verified_geopackage_with_every_row(catalogue_target, tmp_path):
    dest = tmp_path / "backup.gpkg"
    counts = backup_catalogue(catalogue_target, dest)
    assert counts["sites"] > 0 and counts["municipalities"] > 1000
    assert counts == connect(dest).counts() == connect(catalogue_target).counts()
    assert verify_backup(dest, counts) == []
    assert catalogue_digest(dest) == catalogue_digest(catalogue_target)
    assert not Path(f"{dest}-wal").exists()  # one self-contained file
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no leftover partial file


def _one_line_error(capsys) -> str:
    out = capsys.readouterr()
    lines = out.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), out.err
    assert "Traceback" not in out.err
    return lines[0]


def _change(target) -> None:
    """A committed change: one listing's power, with its history line."""
    from geo.catalogue import open_catalogue

    open_catalogue(target).update_site("DEMO-0001", {"power_kw": float(uuid.uuid4().int % 10**6)}, actor="test")


# ------------------------------------------------------------------ backup
def test_backup_never_overwrites_and_refuses_a_url_dest(catalogue_target, built_catalogue, tmp_path, capsys):
    dest = tmp_path / "exists.gpkg"
    dest.write_bytes(b"precious")
    assert main(["--catalogue", catalogue_target, "catalogue", "backup", str(dest)]) == 1
    assert "exists already" in _one_line_error(capsys)
    assert dest.read_bytes() == b"precious"
    assert main(["--catalogue", catalogue_target, "catalogue", "backup", "postgresql://u@h/db"]) == 1
    assert "GeoPackage file" in _one_line_error(capsys)
    assert main(["--catalogue", str(tmp_path / "none.gpkg"), "catalogue", "backup", str(tmp_path / "b.gpkg")]) == 1
    assert "No catalogue" in _one_line_error(capsys)
    assert not (tmp_path / "b.gpkg").exists() and not (tmp_path / "none.gpkg").exists()


def test_backup_that_fails_verification_is_removed_and_said(built_catalogue, tmp_path, monkeypatch):
    """A disk that damages the written file (simulated: bytes overwritten after the copy) -> no backup at all."""
    from geo.catalogue import backup

    real = backup._backup_gpkg

    def damaging(src, tmp):
        counts = real(src, tmp)
        with open(tmp, "r+b") as f:
            f.seek(4096 * 3)
            f.write(b"\xff" * 4096 * 4)
        return counts

    monkeypatch.setattr(backup, "_backup_gpkg", damaging)
    dest = tmp_path / "b.gpkg"
    with pytest.raises(CatalogueError, match="failed verification.*removed"):
        backup_catalogue(built_catalogue, dest)
    assert list(tmp_path.iterdir()) == []
    monkeypatch.setattr(backup, "_backup_gpkg", real)
    assert backup_catalogue(built_catalogue, dest)["sites"] > 0  # the same call on a sound disk works


def test_verification_sees_a_missing_or_short_table(built_catalogue, tmp_path):
    dest = tmp_path / "b.gpkg"
    counts = backup_catalogue(built_catalogue, dest)
    assert verify_backup(dest, counts) == []
    assert verify_backup(dest, {**counts, "sites": counts["sites"] + 1}) == [
        f"table sites: {counts['sites']} rows instead of {counts['sites'] + 1}"]
    assert verify_backup(dest, {**counts, "extra": 1}) == ["table extra: missing rows instead of 1"]


def _wait(cond, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while not cond():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


@pytest.mark.slow
def test_backup_while_two_writer_processes_submit_is_consistent_and_verified(catalogue_target, tmp_path, warm):
    from tests.catalogue.test_transactions import _consistent
    from tests.listing.conftest import SITE, fill

    workbook = fill(tmp_path / "w.xlsx", sites=[{**SITE, "title_it": "Capannone", "title_en": "Shed"}])
    # Two writer processes (tests/catalogue/worker.py, forked from a warm interpreter: tests/forks.py).
    jobs = [warm.start("tests.catalogue.worker", "submit", catalogue_target, str(workbook)) for _ in range(2)]
    try:
        def done(i: int) -> int:
            return sum(1 for line in jobs[i].out().splitlines() if line.startswith("done"))
        _wait(lambda: done(0) >= 1 and done(1) >= 1)
        held = []
        for k in range(3):
            dest = tmp_path / f"b{k}.gpkg"
            counts = backup_catalogue(catalogue_target, dest)  # verified inside, or it raises
            assert connect(dest).check() == [] and connect(dest).counts() == counts
            held.append(_consistent("submit", str(dest)))  # whole submissions only: owners = submissions = sites
            assert counts["owners"] == counts["submissions"] == held[-1]
        # Writing went on after the backups (both writers are still alive: killed below). Not each writer: two
        # processes that submit in a loop without a pause take SQLite's write lock in turns unevenly (its busy
        # handler sleeps up to 100 ms between tries), so one may wait seconds for its next turn (3-15 s seen).
        before = done(0) + done(1)
        _wait(lambda: done(0) + done(1) > before)
    finally:
        codes = [warm.kill(job) for job in jobs]
    assert codes == [-9, -9], [job.err() for job in jobs]  # they were still writing when killed
    assert held == sorted(held) and held[0] >= 2  # later backups hold at least what earlier ones did
    assert _consistent("submit", catalogue_target) >= held[-1]


# ------------------------------------------------------------------ restore
def test_round_trip_backup_change_restore_gives_the_digest_back(catalogue_target, tmp_path, capsys):
    dest = tmp_path / "b.gpkg"
    assert main(["--catalogue", catalogue_target, "catalogue", "backup", str(dest)]) == 0
    assert "verified" in capsys.readouterr().out
    original = catalogue_digest(catalogue_target)
    _change(catalogue_target)
    changed = catalogue_digest(catalogue_target)
    assert changed != original
    assert main(["--catalogue", catalogue_target, "catalogue", "restore", str(dest), "--force"]) == 0
    out = capsys.readouterr().out
    assert catalogue_digest(catalogue_target) == original
    kept = Path(re.search(r"is kept in (\S+)", out).group(1))
    assert kept.is_file() and catalogue_digest(kept) == changed  # what was replaced, backed up first
    assert connect(catalogue_target).check() == []
    assert migrate.current(catalogue_target) == migrate.current(dest)
    from geo.catalogue import open_catalogue

    open_catalogue(catalogue_target).update_site("DEMO-0001", {"power_kw": 7.0}, actor="after")  # writable


def test_restore_into_a_new_target_needs_no_force(built_catalogue, db_target, tmp_path, capsys):
    assert main(["--catalogue", db_target, "catalogue", "restore", str(built_catalogue)]) == 0
    assert "kept" not in capsys.readouterr().out
    assert catalogue_digest(db_target) == catalogue_digest(built_catalogue)


def test_restore_without_force_is_refused_and_nothing_changes(catalogue_target, built_catalogue, tmp_path, capsys):
    dest = tmp_path / "b.gpkg"
    backup_catalogue(catalogue_target, dest)
    _change(catalogue_target)
    before = catalogue_digest(catalogue_target)
    assert main(["--catalogue", catalogue_target, "catalogue", "restore", str(dest)]) == 1
    assert "--force" in _one_line_error(capsys)
    assert catalogue_digest(catalogue_target) == before
    assert sorted(p.name for p in tmp_path.iterdir() if "before-restore" in p.name) == []


def _not_catalogues(folder: Path, backup: Path) -> dict[str, Path]:
    """Files that must never be restored: not SQLite, truncated, damaged, not a catalogue, a future revision."""
    import pyogrio
    import geopandas as gpd
    from shapely.geometry import Point

    out = {}
    out["text"] = folder / "notes.gpkg"
    out["text"].write_text("hello, I am not a database\n")
    data = backup.read_bytes()
    out["truncated"] = folder / "truncated.gpkg"
    out["truncated"].write_bytes(data[: len(data) // 3])
    out["damaged"] = folder / "damaged.gpkg"
    out["damaged"].write_bytes(data[:4096 * 5] + b"\x13" * 4096 * 3 + data[4096 * 8:])
    out["foreign"] = folder / "foreign.gpkg"
    pyogrio.write_dataframe(gpd.GeoDataFrame({"a": [1]}, geometry=[Point(9, 45)], crs=4326), out["foreign"],
                            driver="GPKG", layer="parcels")
    out["future"] = folder / "future.gpkg"
    out["future"].write_bytes(data)
    con = sqlite3.connect(out["future"])
    con.execute(f"UPDATE {migrate.VERSION_TABLE} SET version_num = '9999'")
    con.commit()
    con.close()
    return out


def test_a_source_that_is_not_a_catalogue_backup_is_refused_in_one_sentence(catalogue_target, built_catalogue,
                                                                           tmp_path, capsys):
    dest = tmp_path / "b.gpkg"
    backup_catalogue(built_catalogue, dest)
    before = catalogue_digest(catalogue_target)
    expected = {"text": "not a GeoPackage", "truncated": "", "damaged": "", "foreign": "no catalogue_meta",
                "future": "9999"}
    for kind, src in _not_catalogues(tmp_path, dest).items():
        assert main(["--catalogue", catalogue_target, "catalogue", "restore", str(src), "--force"]) == 1, kind
        line = _one_line_error(capsys)
        assert str(src) in line and expected[kind] in line, line
        assert catalogue_digest(catalogue_target) == before, kind
    assert main(["--catalogue", catalogue_target, "catalogue", "restore", str(tmp_path / "none.gpkg")]) == 1
    assert "No backup file" in _one_line_error(capsys)
    assert not [p for p in tmp_path.iterdir() if "before-restore" in p.name]  # refused before anything was written
    assert main(["--catalogue", catalogue_target, "catalogue", "restore", str(dest), "--force"]) == 0  # valid: works


def test_restore_refuses_a_target_that_holds_something_else(built_catalogue, tmp_path, capsys):
    import pyogrio
    import geopandas as gpd
    from shapely.geometry import Point

    other = tmp_path / "other.gpkg"
    pyogrio.write_dataframe(gpd.GeoDataFrame({"a": [1]}, geometry=[Point(9, 45)], crs=4326), other,
                            driver="GPKG", layer="parcels")
    text = tmp_path / "notes.txt"
    text.write_text("mine")
    for target in (other, text):
        before = target.read_bytes()
        assert main(["--catalogue", str(target), "catalogue", "restore", str(built_catalogue), "--force"]) == 1
        assert "left alone" in _one_line_error(capsys)
        assert target.read_bytes() == before


def test_restore_keeps_another_applications_tables_and_refuses_a_foreign_table_in_our_schema(
        built_catalogue, postgis_url, capsys):
    """Another application's table in ``public`` is not in our namespace: the restore lands beside it and
    leaves it alone. A table of theirs inside our schema is refused by name, and nothing changes."""
    import psycopg

    from geo.catalogue.postgis_db import dsn_of

    with psycopg.connect(dsn_of(postgis_url), autocommit=True) as con:
        con.execute("CREATE TABLE public.invoices (n integer)")
        con.execute("INSERT INTO public.invoices VALUES (1), (2)")
    assert main(["--catalogue", postgis_url, "catalogue", "restore", str(built_catalogue), "--force"]) == 0
    capsys.readouterr()
    assert catalogue_digest(postgis_url) == catalogue_digest(built_catalogue)
    with psycopg.connect(dsn_of(postgis_url), autocommit=True) as con:
        assert con.execute("SELECT n FROM public.invoices ORDER BY n").fetchall() == [(1,), (2,)]
        con.execute("CREATE TABLE lombardy.invoices (n integer)")
    before = catalogue_digest(postgis_url)
    assert main(["--catalogue", postgis_url, "catalogue", "restore", str(built_catalogue), "--force"]) == 1
    assert "invoices" in _one_line_error(capsys)
    assert catalogue_digest(postgis_url) == before


@pytest.mark.slow
def test_kill_9_during_restore_leaves_the_old_or_the_new_catalogue(catalogue_target, tmp_path, warm):
    """A restore process killed at several moments: the catalogue is whole, and equal to the old or the new one.

    Five moments, as fractions of one whole restore measured just before: 0.4 and 0.7 (the new catalogue being
    written beside the old: the old must stay), 0.9 and 1.0 (around the commit, where it is put in place), 1.5
    (after it under load: the new one). Later moments (2, 3, 5) only when no kill has yet left the new one."""
    from geo.catalogue import open_catalogue

    src = tmp_path / "b.gpkg"
    backup_catalogue(catalogue_target, src)
    new = catalogue_digest(src)
    cmd = ["geo.cli", "--catalogue", catalogue_target, "catalogue", "restore", str(src), "--force"]
    _change(catalogue_target)
    # Restore processes forked from a warm interpreter (tests/forks.py): the kills fall in the restore itself,
    # not in Python's start-up, which a process started from scratch spends most of its short life in.
    t0 = time.monotonic()  # one whole restore, to place the kills on this machine's time scale
    assert warm.wait(warm.start(*cmd)) == 0
    whole = time.monotonic() - t0
    assert catalogue_digest(catalogue_target) == new
    outcomes = ["new"]
    # A restore's length varies with the machine's load: when no kill landed after the commit, later ones
    # are tried (up to 5x the measured length), so that both outcomes are seen and the test is not vacuous.
    # Denser towards the end, where the commit falls (the new catalogue is written first, then put in place).
    fractions = [0.4, 0.7, 0.9, 1.0, 1.5]  # was 8 moments (0.4, 0.6, 0.75, 0.85, 0.9, 0.95, 1.0, 1.5)
    late = [2.0, 3.0, 5.0]
    now = None
    while fractions or ("new" not in outcomes[1:] and late):
        fraction = fractions.pop(0) if fractions else late.pop(0)
        if outcomes[-1] == "new":
            _change(catalogue_target)
            old = catalogue_digest(catalogue_target)
        else:  # the last kill left the old catalogue: it is still the one to fall back to
            old = now
        job = warm.start(*cmd)
        time.sleep(fraction * whole)
        warm.kill(job)  # SIGKILL: nothing of ours runs after it
        assert connect(catalogue_target).check() == []
        now = catalogue_digest(catalogue_target)
        assert now in (old, new), fraction
        outcomes.append("new" if now == new else "old")
        open_catalogue(catalogue_target)  # opens: a catalogue at a known revision
    assert "old" in outcomes[1:] and "new" in outcomes[1:], outcomes  # the kills fell on both sides of the commit
    _change(catalogue_target)  # no stale lock: the next write goes through
