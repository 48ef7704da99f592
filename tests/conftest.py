"""Shared fixtures: one real demo catalogue, built once per test session."""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def built_catalogue(tmp_path_factory) -> Path:
    """Path of a freshly built demo catalogue (read-only: copy it before writing)."""
    from geo.catalogue.build import build_catalogue

    path = tmp_path_factory.mktemp("catalogue") / "catalogue.gpkg"
    prebuilt = os.environ.get("GEO_TEST_BUILT_CATALOGUE")  # tests/mutation/run.py builds it once, not per mutant
    if prebuilt:
        shutil.copy2(prebuilt, path)
        return path
    build_catalogue(path, demo=True, n_sites=320)
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


def sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def catalogue_digest(target) -> str:
    """A digest of a catalogue's contents on either store (every table: columns, dtypes, rows, geometries).

    The backend-neutral "nothing changed": ``sha256(path)`` is byte-for-byte and only for a GeoPackage.
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
        h.update(df.to_json(orient="values", double_precision=15).encode())
    return h.hexdigest()


@pytest.fixture(scope="session")
def postgis_server():
    """A throwaway PostgreSQL + PostGIS cluster for the whole run (tests/pg.py).

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
def postgis_url(postgis_server) -> str:
    """``postgresql://postgres@127.0.0.1:PORT/<db>``: a fresh database with PostGIS, dropped afterwards."""
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


@pytest.fixture(params=["gpkg", "postgis"])
def catalogue_target(request, built_catalogue, tmp_path):
    """A private, writable copy of the demo catalogue on each backend in turn (a path or a URL)."""
    if request.param == "gpkg":
        dst = tmp_path / "catalogue.gpkg"
        for suffix in ("", "-wal"):  # a WAL file not yet checkpointed holds committed rows too
            if Path(f"{built_catalogue}{suffix}").exists():
                shutil.copy2(f"{built_catalogue}{suffix}", f"{dst}{suffix}")
        yield str(dst)
        return
    server = request.getfixturevalue("postgis_server")
    url = server.new_database("cat", template=request.getfixturevalue("postgis_demo"))  # ~0.15 s
    yield url
    server.drop_database(url)


def state(target) -> dict[str, str]:
    """A digest of every table of a catalogue (see tests.catalogue.worker.state): equal means unchanged."""
    from tests.catalogue.worker import state as _state

    return _state(str(target))
