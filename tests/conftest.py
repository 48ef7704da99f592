"""Shared fixtures and the layering of the suite by cost.

Layers (markers applied here, never by hand): ``postgis`` (a test that reaches the throwaway PostgreSQL
cluster), ``browser`` (real Chromium), ``process`` (starts a process: a CLI subprocess, a Streamlit
server, a Dask cluster), ``slow`` (over :data:`SLOW_SECONDS` of CPU in ``tests/durations.json``, recorded by
``pytest --record-durations``). ``make check`` runs what is left: the fast layer.

Order under xdist (``make test``: ``--dist loadgroup``): the longest work first, so that no long test is left
for the end while the other worker idles. A test is scheduled on its own, or with the rest of its file when
the file holds a module- or class-scoped fixture (a server started once per file): see :func:`schedule`.
Its cost is the wall time recorded beside its CPU time; a test not recorded yet gets :data:`DEFAULT_WALL` by layer.

One real demo catalogue is built per version of its sources and reused across runs (:func:`built_catalogue`).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import inspect
import io
import json
import os
import re
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from types import FunctionType

import pytest

from tests.apptest_once import compile_scripts_once, scan_components_once

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent
#: Recorded ``[CPU seconds, wall seconds]`` (setup to teardown) per test id (``pytest --record-durations``
#: rewrites it): the CPU time puts a test in the "slow" layer, the wall time orders the work under xdist.
DURATIONS = TESTS / "durations.json"
#: A test over this many CPU seconds (recorded) is ``slow``: out of ``make check``.
SLOW_SECONDS = 2.0
#: Words whose presence in a test, its fixtures or the test helpers they call means "starts a process".
PROCESS_HINTS = ("subprocess.run", "subprocess.Popen", "subprocess.call", "subprocess.check_", "Popen(",
                 "sys.executable", "streamlit_server", "make_client", "LocalCluster", "multiprocessing", "os.fork",
                 "warm_processes")
#: Fixtures that reach the PostgreSQL cluster.
POSTGIS_FIXTURES = {"postgis_server", "postgis_url", "postgis_demo"}
LAYERS = ("postgis", "browser", "process", "slow")
#: Wall seconds assumed for a test with no recorded wall time, by its costliest layer (estimates of an idle
#: 2-core run: a page in Chromium, a subprocess, a fresh PostGIS database): a new test is scheduled sensibly
#: before anyone records it.
DEFAULT_WALL = {"browser": 8.0, "process": 4.0, "postgis": 0.8, "slow": 3.0, "": 0.3}


# ------------------------------------------------------------------ markers, applied automatically
def pytest_addoption(parser):
    parser.addoption("--record-durations", action="store_true",
                     help=f"write each test's duration to {DURATIONS.relative_to(ROOT)} (its 'slow' layer)")


def pytest_configure(config):
    config._geo_durations = {}
    scan_components_once()
    compile_scripts_once()


_SOURCES: dict[object, str] = {}


def _source(obj) -> str:
    """``obj``'s source, read once per object (each test asks again for the fixtures it shares: ~6,000 reads of a
    few hundred functions, 2 s of every worker's collection)."""
    try:
        if obj not in _SOURCES:
            _SOURCES[obj] = inspect.getsource(obj)
        return _SOURCES[obj]
    except (OSError, TypeError):
        return ""


_SEEN: dict[object, bool] = {}


def _starts_process(func, depth: int = 0) -> bool:
    """Whether ``func`` (a test or fixture) or a test helper it names starts a process (by its source)."""
    func = inspect.unwrap(func)
    if func in _SEEN:
        return _SEEN[func]
    _SEEN[func] = False  # recursion guard
    src = _source(func)
    hit = any(h in src for h in PROCESS_HINTS)
    if not hit and depth < 4 and isinstance(func, FunctionType):
        names = set(func.__code__.co_names)
        for const in func.__code__.co_consts:  # names used by nested functions and lambdas
            if inspect.iscode(const):
                names |= set(const.co_names)
        for name in names:
            ref = func.__globals__.get(name)
            if (isinstance(ref, FunctionType) and (ref.__module__ or "").startswith("tests")
                    and _starts_process(ref, depth + 1)):
                hit = True
                break
    _SEEN[func] = hit
    return hit


def _fixture_funcs(item):
    info = getattr(item, "_fixtureinfo", None)
    for name in getattr(item, "fixturenames", ()):
        for fd in (info.name2fixturedefs.get(name, ()) if info else ()):
            yield name, fd.func


def _reaches_postgis(item, names: set[str], params: dict) -> bool:
    if names & POSTGIS_FIXTURES or "postgis" in params.values():
        return True
    for name, func in _fixture_funcs(item):  # a fixture asking for the cluster at run time
        if name not in params and re.search(r"getfixturevalue\([\"']postgis", _source(func)):
            return True
    return bool(re.search(r"getfixturevalue\([\"']postgis", _source(getattr(item, "function", None))))


def layers_of(item) -> set[str]:
    """The cost layers of one collected test (see the module docstring)."""
    found = set()
    names = set(getattr(item, "fixturenames", ()))
    params = getattr(getattr(item, "callspec", None), "params", {})
    if _reaches_postgis(item, names, params):
        found.add("postgis")
    if "browser" in names or item.get_closest_marker("browser"):
        found.add("browser")
    funcs = [f for _, f in _fixture_funcs(item)] + ([item.function] if hasattr(item, "function") else [])
    if any(_starts_process(f) for f in funcs):
        found.add("process")
    if _recorded_durations().get(item.nodeid, 0.0) > SLOW_SECONDS or item.get_closest_marker("slow"):
        found.add("slow")
    return found


_DURATIONS: dict[str, float] | None = None


_WALL: dict[str, float] = {}


def _recorded_durations() -> dict[str, float]:
    """CPU seconds per test id. The file holds ``[cpu, wall]`` per test (a bare number: CPU only)."""
    global _DURATIONS
    if _DURATIONS is None:
        raw = json.loads(DURATIONS.read_text()) if DURATIONS.is_file() else {}
        _DURATIONS = {}
        for key, value in raw.items():
            if isinstance(value, (int, float)):
                _DURATIONS[key] = float(value)
            else:
                _DURATIONS[key], _WALL[key] = float(value[0]), float(value[1])
    return _DURATIONS


def expected_wall(item) -> float:
    """The wall seconds ``item`` is expected to take (setup to teardown): recorded, else its recorded CPU time
    or the default of its costliest layer, whichever is more (a subprocess's time is not in our CPU time)."""
    _recorded_durations()
    if item.nodeid in _WALL:
        return _WALL[item.nodeid]
    layers = [m for m in ("browser", "process", "slow", "postgis") if item.get_closest_marker(m)]
    return max(_DURATIONS.get(item.nodeid, 0.0), DEFAULT_WALL[layers[0] if layers else ""])


def _shares_a_fixture(item) -> bool:
    """Whether ``item`` uses a fixture kept for its module, class or package (its file's tests share it)."""
    info = getattr(item, "_fixtureinfo", None)
    for name in getattr(item, "fixturenames", ()):
        for fd in (info.name2fixturedefs.get(name, ()) if info else ()):
            if fd.scope in ("module", "class", "package"):
                return True
    return False


def schedule(items) -> list:
    """``items`` in the order the workers should take them: units (one test, or one file whose tests share a
    module fixture) by expected wall time, longest first (longest processing time first: the run ends with
    short units, so the two workers finish together). Tests of one file keep their order within their unit."""
    files = {item.nodeid.split("::")[0] for item in items if _shares_a_fixture(item)}
    units: dict[str, list] = {}
    for item in items:
        path = item.nodeid.split("::")[0]
        group = item.get_closest_marker("xdist_group")
        if path in files and group is None:
            item.add_marker(pytest.mark.xdist_group(path))
        key = group.kwargs.get("name", group.args[0] if group.args else "default") if group else \
            (path if path in files else item.nodeid)
        units.setdefault(key, []).append(item)
    cost = {key: sum(expected_wall(i) for i in unit) for key, unit in units.items()}
    order = sorted(units, key=lambda key: -cost[key])  # stable: equal costs keep the collection's order
    return [item for key in order for item in units[key]]


def pytest_collection_modifyitems(config, items):
    for item in items:
        for layer in sorted(layers_of(item)):
            if not item.get_closest_marker(layer):
                item.add_marker(getattr(pytest.mark, layer))
    if hasattr(config, "workerinput"):  # an xdist worker: every worker computes the same order
        items[:] = schedule(items)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    item._geo_cpu0 = time.process_time()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """The teardown report carries the test's CPU seconds (setup to teardown, every thread of this process):
    unlike wall time, it does not grow with the machine's load, so the "slow" layer does not either."""
    report = yield
    if call.when == "teardown" and hasattr(item, "_geo_cpu0"):
        report.user_properties.append(("cpu_seconds", time.process_time() - item._geo_cpu0))
    return report


def pytest_runtest_logreport(report):
    """Collect each test's CPU and wall seconds (the controller under xdist receives every worker's reports).
    The wall time (setup + call + teardown) only orders the work; the CPU time decides the "slow" layer."""
    durations = getattr(_CONFIG, "_geo_durations", None)
    if durations is None:
        return
    cpu, wall = durations.get(report.nodeid, (0.0, 0.0))
    wall += report.duration
    if report.when == "teardown":
        for key, value in report.user_properties:
            if key == "cpu_seconds":
                cpu = value
    durations[report.nodeid] = (cpu, wall)


_CONFIG = None


def pytest_sessionstart(session):
    global _CONFIG
    _CONFIG = session.config


def pytest_sessionfinish(session):
    config = session.config
    if not config.getoption("--record-durations") or hasattr(config, "workerinput"):
        return
    _recorded_durations()
    recorded = {k: (cpu, _WALL.get(k, cpu)) for k, cpu in _DURATIONS.items()}  # tests not run keep their figures
    recorded.update(config._geo_durations)
    lines = [f"{json.dumps(k)}: [{cpu:.2f}, {wall:.2f}]" for k, (cpu, wall) in sorted(recorded.items())]
    DURATIONS.write_text("{\n" + ",\n".join(lines) + "\n}\n")


# A test outside the "process" layer that starts one anyway fails, naming what the detection missed.
_SPAWN_POINTS = [(subprocess.Popen, "_execute_child"), (os, "fork")]


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    if any(item.get_closest_marker(m) for m in ("process", "browser", "postgis")):
        return (yield)
    started: list[str] = []
    saved = []
    for owner, attr in _SPAWN_POINTS:
        original = getattr(owner, attr)

        def spy(*a, _original=original, _attr=attr, **kw):
            started.append(_attr)
            return _original(*a, **kw)

        saved.append((owner, attr, original))
        setattr(owner, attr, spy)
    try:
        result = yield
    finally:
        for owner, attr, original in saved:
            setattr(owner, attr, original)
    if started:
        pytest.fail(f"{item.nodeid} started a process ({started[0]}) but is not in the 'process' layer: name "
                    "the helper or word that starts it in PROCESS_HINTS (tests/conftest.py)", pytrace=False)
    return result


# ------------------------------------------------------------------ the demo catalogue, built once per source version
#: What the demo build reads: the library (its code and data files), not the pages, tests or caches.
BUILD_SOURCES = ROOT / "geo"
BUILD_ARGS = {"demo": True, "n_sites": 320}


def sources_key(root: Path = BUILD_SOURCES) -> str:
    """A hash of every file the demo build may read (library code and data; pages and bytecode left out)."""
    h = hashlib.sha256(repr(sorted(BUILD_ARGS.items())).encode())
    for p in sorted(root.rglob("*")):
        rel = p.relative_to(root)
        if (not p.is_file() or "__pycache__" in rel.parts or p.suffix in (".pyc", ".mo")
                or rel.parts[:2] == ("web", "pages")):
            continue
        h.update(str(rel).encode() + b"\0" + p.read_bytes() + b"\0")
    return h.hexdigest()[:16]


def fold_wal(path: Path) -> Path:
    """The GeoPackage at ``path`` as one file: its write-ahead log checkpointed into it (a plain copy is whole)."""
    import sqlite3

    with contextlib.closing(sqlite3.connect(path)) as con:
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path


def cached_build(cache_dir: Path, key: str) -> Path:
    """The demo catalogue built from the sources of ``key``, built at most once across runs and xdist workers.

    Built under an exclusive lock into a temporary name, then renamed: a reader never sees half a file.
    Builds of other keys are removed (a change of any source rebuilds).
    """
    from geo.catalogue.build import build_catalogue

    cache_dir.mkdir(parents=True, exist_ok=True)
    path = cache_dir / f"{key}.gpkg"
    with open(cache_dir / "lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not path.is_file():
            tmp = cache_dir / f"{key}.{os.getpid()}.tmp.gpkg"
            build_catalogue(tmp, **BUILD_ARGS)
            fold_wal(tmp)
            os.replace(tmp, path)
            for old in cache_dir.glob("*.gpkg"):
                if old != path:
                    old.unlink(missing_ok=True)
    return path


@pytest.fixture(scope="session")
def built_catalogue(tmp_path_factory, request) -> Path:
    """Path of the demo catalogue (read-only: copy it before writing); a session copy of the cached build."""
    path = tmp_path_factory.mktemp("catalogue") / "catalogue.gpkg"
    prebuilt = os.environ.get("GEO_TEST_BUILT_CATALOGUE")  # tests/mutation/run.py builds it once, not per mutant
    if not prebuilt:
        cache = getattr(request.config, "cache", None)  # none under -p no:cacheprovider: then a folder of the system's temp dir
        where = (Path(cache.mkdir("built-catalogue")) if cache is not None
                 else Path(tempfile.gettempdir()) / f"geo-built-catalogue-{os.getuid()}")
        prebuilt = cached_build(where, sources_key())
    shutil.copy2(prebuilt, path)
    return path


@pytest.fixture(scope="session")
def catalogue(built_catalogue):
    from geo.catalogue import open_catalogue

    return open_catalogue(built_catalogue)


@pytest.fixture()
def writable_catalogue(built_catalogue, tmp_path) -> Path:
    """A private copy of the demo catalogue that a test may change."""
    dst = tmp_path / "catalogue.gpkg"
    shutil.copy2(built_catalogue, dst)
    return dst


@pytest.fixture(scope="session")
def places(catalogue):
    return catalogue.places()


# ------------------------------------------------------------------ "nothing changed"
def sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def revision(target) -> tuple[str, tuple[tuple[str, int], ...]]:
    """The catalogue's revision and its tables' row counts: equal before and after = nothing committed.

    Every action that commits through the unit of work sets a new revision (``Catalogue.revision``, the key
    of the pages' caches), so a refused write that committed anything changes it; the row counts also see
    rows added or removed behind the unit of work's back. Two small reads instead of :func:`catalogue_digest`'s
    every row: the full digests stay for the crash and concurrency tests and for comparing two catalogues.
    """
    from geo.catalogue.stores import connect

    db = connect(str(target))
    counts = db.counts()  # every table's rows in one snapshot (one connection, not one per table)
    rev = ""
    if "catalogue_meta" in counts:
        meta = db.read("catalogue_meta", where={"key": ["revision"]})
        rev = str(meta["value"].iloc[0]) if len(meta) else ""
    return rev, tuple(sorted(counts.items()))


def catalogue_digest(target) -> str:
    """A digest of a catalogue's contents on either store (every table: columns, dtypes, rows, geometries).

    The backend-neutral "same contents" (a copy, a restore, a crash): ``sha256(path)`` is byte-for-byte and
    only for a GeoPackage. For "a refused write changed nothing", :func:`revision` is enough and cheaper.
    """
    import pandas as pd
    import shapely

    from geo.catalogue.stores import connect

    db = connect(target)
    h = hashlib.sha256()
    for name in db.tables():
        df = db.read(name)
        if "geometry" in df.columns:
            df = pd.DataFrame(df).assign(geometry=[None if g is None else shapely.to_wkb(g, hex=True)
                                                   for g in df.geometry])
        h.update(repr((name, list(df.columns), [str(t) for t in df.dtypes])).encode())
        blobs = {c: [None if v is None or v is pd.NA else hashlib.sha256(bytes(v)).hexdigest() for v in df[c]]
                 for c in df.columns if isinstance(df[c].dtype, pd.ArrowDtype)}  # BLOB columns (photos)
        if blobs:
            df = pd.DataFrame(df).assign(**blobs)
        h.update(df.to_json(orient="values", double_precision=15).encode())
    return h.hexdigest()


def state(target) -> dict[str, str]:
    """A digest of every table of a catalogue (see tests.catalogue.worker.state): equal means unchanged."""
    from tests.catalogue.worker import state as _state

    return _state(str(target))


# ------------------------------------------------------------------ the CLI, in-process
def run_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """``geo ARGS`` run in this process (``geo.cli.main``), read back as a finished process would be.

    What a user sees is the same (exit code, stdout, stderr) without a Python start-up per call (~1 s);
    ``tests/test_cli_errors.py`` keeps a few real subprocesses as smoke tests of ``python -m geo.cli``.
    """
    from geo.cli import main

    out, err = io.StringIO(), io.StringIO()
    old_cwd, old_debug = os.getcwd(), os.environ.pop("GEO_DEBUG", None)
    try:
        os.chdir(cwd or ROOT)
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = main([str(a) for a in args])
            except SystemExit as exc:  # argparse: usage errors and --help
                code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    finally:
        os.chdir(old_cwd)
        if old_debug is not None:
            os.environ["GEO_DEBUG"] = old_debug
    return subprocess.CompletedProcess(["geo", *map(str, args)], code, out.getvalue(), err.getvalue())


# ------------------------------------------------------------------ processes without Python's start-up
@pytest.fixture(scope="session")
def warm(tmp_path_factory):
    """Real processes forked from one interpreter with the catalogue's modules imported (tests/forks.py), one per
    xdist worker: for the tests that start many writers or kill them, without ~1-3 s of start-up each."""
    from tests.forks import warm_processes

    with warm_processes(tmp_path_factory.mktemp("jobs")) as helper:
        yield helper


# ------------------------------------------------------------------ PostgreSQL
def _in_postgis_layer(request) -> None:
    """Fail a test that reaches the cluster but was not put in the 'postgis' layer (the detection missed it)."""
    node = getattr(request, "node", None)
    if isinstance(node, pytest.Item) and not node.get_closest_marker("postgis"):
        pytest.fail(f"{node.nodeid} reaches PostgreSQL but is not in the 'postgis' layer: see layers_of in "
                    "tests/conftest.py", pytrace=False)


@pytest.fixture(scope="session")
def postgis_server():
    """A throwaway PostgreSQL + PostGIS cluster for the whole run, one per xdist worker (tests/pg.py).

    Fails, never skips, when the server is not installed: `make test` installs it.
    """
    from tests.pg import PostgresMissing, start_cluster

    try:
        cluster = start_cluster()
    except PostgresMissing as exc:
        pytest.fail(str(exc), pytrace=False)
    yield cluster
    cluster.stop()


@pytest.fixture()
def postgis_url(postgis_server, request) -> str:
    """``postgresql://postgres@127.0.0.1:PORT/<db>``: a fresh database with PostGIS, dropped afterwards."""
    _in_postgis_layer(request)
    url = postgis_server.new_database()
    yield url
    postgis_server.drop_database(url)


@pytest.fixture(params=["gpkg", "postgis"])
def db_target(request, tmp_path) -> str:
    """An empty catalogue target on each backend in turn: a GeoPackage path (not created yet) or a PostGIS URL."""
    if request.param == "gpkg":
        return str(tmp_path / "catalogue.gpkg")
    return request.getfixturevalue("postgis_url")


@pytest.fixture(scope="session")
def postgis_demo(postgis_server, built_catalogue) -> str:
    """Name of a PostGIS database holding the demo catalogue: a template to clone, never to write."""
    from geo.catalogue.transfer import copy_catalogue

    url = postgis_server.new_database("demo")
    copy_catalogue(built_catalogue, url)
    return url.rsplit("/", 1)[1]


def every_case_on_gpkg(values, ids, on_postgis) -> list:
    """Parameters for ``@pytest.mark.parametrize("<args>, catalogue_target", ..., indirect=["catalogue_target"])``:
    every case on GeoPackage, the cases named in ``on_postgis`` on PostGIS too (ids ``gpkg-<id>``, ``postgis-<id>``,
    as the fixture's own params give).

    For a refusal that happens before the backend is written to (a check of the input, a reader, a role): each
    input runs on GeoPackage; on PostGIS one representative per refusal kind proves again that nothing changed
    there. ``values`` holds one tuple of the other arguments per case; a name in ``on_postgis`` not in ``ids``
    is an error (a typo would drop the kind from PostGIS silently).
    """
    ids = list(ids)
    unknown = set(on_postgis) - set(ids)
    if unknown:
        raise ValueError(f"not among the cases: {sorted(unknown)}")
    gpkg = [pytest.param(*v, "gpkg", id=f"gpkg-{i}") for v, i in zip(values, ids)]
    pg = [pytest.param(*v, "postgis", id=f"postgis-{i}") for v, i in zip(values, ids) if i in on_postgis]
    return gpkg + pg


def writable_copy(request, gpkg: Path, template: str, tmp_path: Path):
    """For a fixture parametrized ``gpkg``/``postgis``: a private, writable copy of the catalogue ``gpkg`` (a path),
    or of the PostGIS database the fixture named ``template`` holds (a URL, dropped afterwards)."""
    if request.param == "gpkg":
        dst = tmp_path / "catalogue.gpkg"
        for suffix in ("", "-wal"):  # a WAL file not yet checkpointed holds committed rows too
            if Path(f"{gpkg}{suffix}").exists():
                shutil.copy2(f"{gpkg}{suffix}", f"{dst}{suffix}")
        yield str(dst)
        return
    _in_postgis_layer(request)
    server = request.getfixturevalue("postgis_server")
    url = server.new_database("cat", template=request.getfixturevalue(template))  # ~0.15 s
    yield url
    server.drop_database(url)


@pytest.fixture(params=["gpkg", "postgis"])
def catalogue_target(request, built_catalogue, tmp_path):
    """A private, writable copy of the demo catalogue on each backend in turn (a path or a URL)."""
    yield from writable_copy(request, built_catalogue, "postgis_demo", tmp_path)
