"""The catalogue as a team uses it: many writers at once, and processes killed mid-write, on both backends."""

from __future__ import annotations

import random
import subprocess
import threading
import time
from pathlib import Path

import geopandas as gpd
import pytest
from shapely.geometry import box

from geo.catalogue import ConflictError, open_catalogue
from geo.catalogue.build import build_catalogue
from geo.catalogue.stores import connect
from geo.errors import UserError
from geo.listing.check import check_workbook
from geo.listing.submission import owner_view, publish, replace_submission, submit, withdraw
from tests.catalogue.worker import state
from tests.conftest import fold_wal, run_cli, writable_copy
from tests.listing.conftest import SITE, fill

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def small_demo(tmp_path_factory) -> Path:
    """The demo catalogue with 30 sites, built once per worker (a build costs ~0.8 s; each test takes a copy).
    Read-only: copy it before writing."""
    path = tmp_path_factory.mktemp("small_demo") / "catalogue.gpkg"
    build_catalogue(path, demo=True, n_sites=30)
    return fold_wal(path)


@pytest.fixture(scope="session")
def small_demo_on_postgis(postgis_server, small_demo) -> str:
    """Name of a PostGIS database holding the 30-site demo catalogue: a template to clone, never to write."""
    from geo.catalogue.transfer import copy_catalogue

    url = postgis_server.new_database("small_demo")
    copy_catalogue(small_demo, url)
    return url.rsplit("/", 1)[1]


@pytest.fixture(params=["gpkg", "postgis"])
def target(request, small_demo, tmp_path):
    """A private, writable copy of the 30-site demo catalogue on each backend in turn (a path or a URL)."""
    yield from writable_copy(request, small_demo, "small_demo_on_postgis", tmp_path)


def _workbook(tmp_path: Path, i: int) -> Path:
    site = {**SITE, "title_it": f"Capannone {i}", "title_en": f"Shed {i}", "land_area_m2": str(20000 + 7 * i)}
    return fill(tmp_path / f"w{i:02d}.xlsx", sites=[site])


def _run_all(warm, cmds: list[list[str]], timeout: float = 300) -> list[subprocess.CompletedProcess]:
    """Start every ``python -m`` command at once (processes forked from a warm interpreter, tests/forks.py:
    each is its own process, without Python's start-up), then wait for all of them."""
    jobs = [warm.start(*c) for c in cmds]
    return [subprocess.CompletedProcess(c, warm.wait(j, timeout), j.out(), j.err()) for c, j in zip(cmds, jobs)]


@pytest.mark.slow
def test_twenty_processes_submitting_at_once_all_land(target, tmp_path, warm):
    before = state(target)
    n_submitted = len(open_catalogue(target).sites(statuses=["submitted"]))
    files = [_workbook(tmp_path, i) for i in range(20)]
    done = _run_all(warm, [["geo.cli", "--catalogue", target, "listing", "submit", str(f)] for f in files])
    for d in done:
        assert d.returncode == 0, d.stderr
        assert "Traceback" not in d.stderr
    tokens = [line.rsplit(" ", 1)[1] for d in done for line in d.stdout.splitlines() if "owner token" in line]
    assert len(tokens) == 20
    cat = open_catalogue(target)
    assert len(cat.table("owners")) == 20 and len(cat.table("submissions")) == 20
    for tok, i in zip(tokens, range(20)):
        mine = owner_view(cat, tok)  # every private link works, and shows only its owner's listing
        assert len(mine) == 1 and mine["title"].iloc[0] == f"Capannone {i}"
    after = state(target)
    changed = {k for k in after if after[k] != before.get(k)}
    assert changed == {"sites", "site_changes", "owners", "submissions"}
    sites = cat.sites(statuses=None)
    assert len(sites) == 50 and (sites["status"] == "submitted").sum() == n_submitted + 20
    assert not connect(target).check()


@pytest.mark.slow
def test_staff_publishing_while_owners_replace_and_withdraw_is_a_serial_order(target, tmp_path):
    cat = open_catalogue(target)
    places = cat.places()
    subs = []
    for i in range(6):
        res = check_workbook(_workbook(tmp_path, i), places)
        subs.append(submit(cat, res))
    versions = {s.site_ids[0]: cat.site(s.site_ids[0], role="staff")["version"] for s in subs}
    outcomes: dict[str, str] = {}
    errors: list[BaseException] = []

    def staff() -> None:
        for s in subs:
            sid = s.site_ids[0]
            try:
                publish(open_catalogue(target), "staff", sid, actor="staff:anna", expected_version=versions[sid])
                outcomes[sid] = "published"
            except ConflictError as exc:  # the owner acted first: staff are told to reload, nothing overwritten
                outcomes[sid] = "conflict: " + exc.message("en")

    def owners() -> None:
        try:
            for i, s in enumerate(subs):
                c = open_catalogue(target)
                if i < 3:
                    res = check_workbook(_workbook(tmp_path, 100 + i), places)
                    replace_submission(c, s.token, s.submission_id, res)
                else:
                    withdraw(c, s.token, s.submission_id)
        except BaseException as exc:  # noqa: BLE001 - surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=staff), threading.Thread(target=owners)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not errors, errors
    cat = open_catalogue(target)
    for i, s in enumerate(subs):
        sid = s.site_ids[0]
        rec = cat.site(sid, role="staff")
        hist = cat.history(sid)
        status_log = hist[hist["field"] == "status"]
        # The change log is a chain: every status change starts where the previous one ended, with its actor.
        assert (status_log["old"].iloc[1:].tolist() == status_log["new"].iloc[:-1].tolist())
        assert status_log["actor"].notna().all()
        published_first = outcomes[sid] == "published"
        if i < 3:
            # Replaced: a new version awaiting review, whatever the order; staff's publication either came first
            # (and is in the log, followed by the owner's change) or was refused.
            assert rec["status"] == "submitted" and rec["version"] > versions[sid]
            assert ("published" in status_log["new"].tolist()) == published_first
        else:
            assert rec["status"] == "withdrawn"
            assert ("published" in status_log["new"].tolist()) == published_first
        if not published_first:
            assert "reload" in outcomes[sid] or "withdrawn" in outcomes[sid]


def test_an_action_on_a_closed_version_is_refused_not_applied(target, tmp_path):
    cat = open_catalogue(target)
    res = check_workbook(_workbook(tmp_path, 1), cat.places())
    r1 = submit(cat, res)
    r2 = replace_submission(cat, r1.token, r1.submission_id, check_workbook(_workbook(tmp_path, 2), cat.places()))
    before = state(target)
    with pytest.raises(ConflictError, match="already replaced"):
        withdraw(cat, r1.token, r1.submission_id)  # a stale page still showing version 1
    assert state(target) == before
    withdraw(cat, r1.token, r2.submission_id)
    assert cat.site(r1.site_ids[0], role="staff")["status"] == "withdrawn"


def test_the_same_file_or_site_submitted_twice_is_flagged_not_duplicated(target, tmp_path):
    cat = open_catalogue(target)
    f = _workbook(tmp_path, 3)
    r = submit(cat, check_workbook(f, cat.places()))
    before = state(target)
    with pytest.raises(UserError, match="already submitted"):
        submit(cat, check_workbook(f, cat.places()))
    with pytest.raises(UserError, match="same coordinates and area"):  # re-saved file, same site
        again = check_workbook(f, cat.places())
        again.file_sha256 = "another-file"
        submit(cat, again, token=r.token)
    assert state(target) == before


def test_a_write_failing_midway_changes_nothing(target, monkeypatch):
    """A failure after the old rows were deleted and before the new ones are in: nothing of it lands."""
    before = state(target)
    if target.startswith("postgresql"):
        from geo.catalogue.postgis_db import PostGISTx as tx_cls
    else:
        from geo.catalogue.gpkg_db import _Conn as tx_cls
    real_insert = tx_cls.insert

    def failing_insert(self, table, frame):
        if table == "site_changes":
            raise OSError(28, "No space left on device")
        return real_insert(self, table, frame)

    monkeypatch.setattr(tx_cls, "insert", failing_insert)
    with pytest.raises(OSError):
        open_catalogue(target).update_site("DEMO-0002", {"power_kw": 1.0}, actor="t")
    monkeypatch.undo()
    assert state(target) == before
    cat = open_catalogue(target)
    assert cat.site("DEMO-0002", role="staff")["power_kw"] != 1.0
    cat.update_site("DEMO-0002", {"power_kw": 1.0}, actor="t")  # and the next write succeeds
    assert cat.site("DEMO-0002", role="staff")["power_kw"] == 1.0


# ------------------------------------------------------------------ kill -9 at random points
def _zis_files(folder: Path) -> Path:
    folder.mkdir(exist_ok=True)
    for name, geom in (("a", box(8.6, 45.3, 9.6, 45.9)), ("b", box(9.6, 44.9, 10.6, 45.4))):
        gpd.GeoDataFrame([{"zis_id": f"Z-{name}", "name": f"ZIS {name}", "phase": "candidate"}], geometry=[geom],
                         crs=4326).to_file(folder / f"{name}.geojson", driver="GeoJSON")
    return folder


def _consistent(action: str, target: str) -> int:
    """Check the catalogue holds whole actions only; returns how many actions it holds."""
    cat = open_catalogue(target)
    if action == "submit":
        owners, subs = cat.table("owners"), cat.table("submissions")
        sites = cat.sites(statuses=["submitted"])
        sites = sites[sites["submission_id"].notna()]  # the owners' listings, not the demo queue
        assert len(owners) == len(subs) == len(sites)
        assert set(subs["owner_id"]) == set(owners["owner_id"]) == set(sites["owner_id"])
        assert set(subs["site_ids"]) == set(sites["site_id"])
        return len(subs)
    if action == "import":
        zis = cat.layer("zis_areas")
        assert len(zis) == 1 and zis["zis_id"].iloc[0] in ("Z-a", "Z-b")
        sites = cat.sites(statuses=None)
        inside = sites.within(zis.geometry.iloc[0])
        assert (sites.loc[inside, "zis_id"] == zis["zis_id"].iloc[0]).all()
        assert sites.loc[~inside, "zis_id"].isna().all()
        return len(cat.table("site_changes"))
    runs = cat.table("brownfield_runs")
    cands = cat.layer("brownfield_candidates")
    if len(runs):
        assert len(cands) == 2 and set(cands["run_id"]) == {runs["run_id"].iloc[-1]}
    else:
        assert len(cands) == 0
    return len(runs)


def _kill_trials(warm, action: str, target: str, arg: str, trials: int, folder: Path | None) -> list[int]:
    """``trials`` writer processes (tests/catalogue/worker.py, forked from a warm interpreter: tests/forks.py),
    each killed by SIGKILL at a random moment of its loop of writes; the catalogue checked after each.

    The moments are stratified over the 0.3 s after "ready": trial ``k`` falls at random in the ``k``-th of
    ``trials`` equal slices, so the kills cover the whole span evenly rather than wherever ten random draws
    cluster. Ten slices (GeoPackage) are 30 ms each, no longer than one write cycle (30-100 ms): consecutive
    kills fall at phases all along a write (before, inside and after its commit). Five (PostGIS) are 60 ms."""
    rng = random.Random(20261123)
    held = [_consistent(action, target)]
    for k in range(trials):
        job = warm.start("tests.catalogue.worker", action, target, arg)
        try:
            warm.wait_for_line(job, "ready")
            if k >= trials // 2 and held[-1] == held[0]:
                # Under a heavy load no action may have landed within the delays yet: from half-way on, a kill
                # then falls after the second commit (the first import re-imports the ZIS already there, which
                # changes no site), in a later write, so that both sides of a commit are seen.
                warm.wait_for_line(job, "done 2")
            # A write cycle takes 30-100 ms here (submit ~60, import ~50, publish ~30 ms, unloaded): 0.3 s spans
            # 3-10 of them, so where in a write the kill falls is as spread as over a longer wait (the phase in
            # the cycle is what matters), at an eighth of the writer's CPU (it was 2.5 s, then 0.6 s).
            time.sleep(0.3 * (k + rng.random()) / trials)
        finally:
            assert warm.kill(job) == -9, job.err()  # SIGKILL: no cleanup code runs
        _check_after_kill(action, target, folder, held)
    return held


def _check_after_kill(action: str, target: str, folder: Path | None, held: list[int]) -> None:
    assert not connect(target).check()  # PRAGMA integrity_check / the server's own
    held.append(_consistent(action, target))
    if folder is not None:
        stray = [p.name for p in folder.iterdir() if not p.name.startswith("catalogue.gpkg")
                 and not p.name.endswith((".xlsx", ".geojson")) and p.is_file()]
        assert not stray, stray


@pytest.mark.slow
@pytest.mark.parametrize("action", ["submit", "import", "publish"])
def test_kill_9_at_random_points_leaves_a_whole_catalogue(target, tmp_path, action, warm):
    gpkg = not target.startswith("postgresql")
    arg = {"submit": lambda: str(_workbook(tmp_path, 0)), "import": lambda: str(_zis_files(tmp_path / "zis")),
           "publish": lambda: "-"}[action]()
    if action == "import":  # start from a state the consistency check knows
        assert run_cli("--catalogue", target, "import", "zis", str(Path(arg) / "a.geojson")).returncode == 0
    # 10 kills per action on GeoPackage (was 20: the stratified moments of _kill_trials spread 10 as evenly over
    # a write as 20 random ones), 5 on PostGIS (a kill there costs a server backend's recovery).
    held = _kill_trials(warm, action, target, arg, 10 if gpkg else 5, tmp_path if gpkg else None)
    assert held == sorted(held)  # nothing that had committed was lost
    assert held[-1] > held[0]  # and the kills did not stop every action from landing
    # The next write succeeds: no stale lock.
    cat = open_catalogue(target)
    cat.update_site("DEMO-0001", {"power_kw": 42.0}, actor="after-kill")
    assert cat.site("DEMO-0001", role="staff")["power_kw"] == 42.0
