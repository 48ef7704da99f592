"""A throwaway PostgreSQL + PostGIS cluster for the tests (Debian's packages, no network).

``initdb`` + ``pg_ctl`` in a temporary folder, listening on 127.0.0.1 at a free
port with trust authentication, durability off (``fsync``/``synchronous_commit``)
because nothing in it must survive the run. A template database holds the
``postgis`` extension so that each test gets a fresh database by a cheap
``CREATE DATABASE ... TEMPLATE``. The cluster is stopped and its folder removed
at exit.

PostgreSQL refuses to run as root, and CI runs as root: then every server
command runs as the ``postgres`` system user (created by Debian's package,
created here if missing) through ``runuser``.
"""

from __future__ import annotations

import atexit
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path

PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))
TEMPLATE = "catalogue_template"
USER = "postgres"  # the superuser role initdb creates (-U)
INSTALL_HINT = (
    "PostgreSQL 15 + PostGIS 3 are needed for the PostGIS tests and were not found "
    f"({PG_BIN}/initdb, postgis.control). Install them with `make postgres` "
    "(apt-get install postgresql postgresql-15-postgis-3), or set PG_BIN to another bin folder."
)


class PostgresMissing(RuntimeError):
    """The PostgreSQL/PostGIS binaries are not installed."""


def missing() -> str | None:
    """Why a cluster cannot be started here (None when it can)."""
    if not (PG_BIN / "initdb").is_file() or not (PG_BIN / "pg_ctl").is_file():
        return INSTALL_HINT
    sharedir = subprocess.run([str(PG_BIN / "pg_config"), "--sharedir"], capture_output=True, text=True)
    control = Path(sharedir.stdout.strip() or "/usr/share/postgresql/15") / "extension" / "postgis.control"
    if not control.is_file():
        return INSTALL_HINT
    return None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _as_server_user() -> list[str]:
    """The command prefix that runs a server binary as a non-root user."""
    if os.geteuid() != 0:
        return []
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        subprocess.run(["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", "postgres"],
                       check=True, capture_output=True)
    return ["runuser", "-u", "postgres", "--"]


def _run(cmd: list[str], cwd: Path) -> None:
    r = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({r.returncode}):\n{r.stdout}\n{r.stderr}")


@dataclass
class Cluster:
    """A running throwaway cluster: ``url(db)`` to connect, ``new_database()`` for a fresh one."""

    root: Path
    port: int
    _prefix: list[str]
    _counter: itertools.count = field(default_factory=lambda: itertools.count(1))
    _lock: threading.Lock = field(default_factory=threading.Lock)
    running: bool = True

    @property
    def data(self) -> Path:
        return self.root / "data"

    def url(self, dbname: str = "postgres") -> str:
        return f"postgresql://{USER}@127.0.0.1:{self.port}/{dbname}"

    def admin(self, sql: str, dbname: str = "postgres") -> None:
        import psycopg

        with psycopg.connect(self.url(dbname), autocommit=True) as con:
            con.execute(sql)

    def new_database(self, prefix: str = "t", template: str = TEMPLATE) -> str:
        """A fresh database cloned from ``template`` (by default the empty one with PostGIS); returns its URL.

        Any other session on the template (an idle pooled connection) is ended first: PostgreSQL
        clones a database only when nobody is connected to it.
        """
        import psycopg

        with self._lock:
            name = f"{prefix}_{os.getpid()}_{next(self._counter)}"
            with psycopg.connect(self.url("postgres"), autocommit=True) as con:
                con.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
                            (template,))
                # FILE_COPY: copies the template's files (PostgreSQL 15's default, WAL_LOG, writes every block
                # through the WAL): 21-26 ms of the server's CPU per database against 41-49 (20 each, measured).
                con.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}" STRATEGY FILE_COPY')
        return self.url(name)

    def drop_database(self, url: str) -> None:
        name = url.rsplit("/", 1)[1]
        self.admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def stop(self) -> None:
        if not self.running:
            return
        self.running = False
        subprocess.run(self._prefix + [str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop"],
                       cwd=self.root, capture_output=True)
        shutil.rmtree(self.root, ignore_errors=True)


_WATCHDOG = """
import os, shutil, subprocess, sys, time
parent, root, pg_ctl, prefix = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4:]
while os.path.isdir(root):
    try:
        os.kill(parent, 0)
    except ProcessLookupError:
        subprocess.run(prefix + [pg_ctl, "-D", os.path.join(root, "data"), "-m", "immediate", "-w", "stop"],
                       cwd="/", capture_output=True)
        shutil.rmtree(root, ignore_errors=True)
        break
    time.sleep(1)
"""


def _watch(parent: int, root: Path, prefix: list[str]) -> None:
    """Stop the cluster and remove its folder if the test process dies without running ``atexit``
    (killed by a timeout or ``kill -9``): ``pg_ctl`` detaches the server, which would otherwise run on."""
    subprocess.Popen([sys.executable, "-c", _WATCHDOG, str(parent), str(root), str(PG_BIN / "pg_ctl"), *prefix],
                     stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                     start_new_session=True, cwd="/")


def start_cluster() -> Cluster:
    """Start a cluster in a new temporary folder, with the PostGIS template database.

    Raises :class:`PostgresMissing` when the binaries are not installed.
    """
    why = missing()
    if why:
        raise PostgresMissing(why)
    prefix = _as_server_user()
    # As root the server runs as `postgres`, which must reach the folder: /tmp, whatever TMPDIR says.
    root = Path(tempfile.mkdtemp(prefix="pg-", dir="/tmp" if prefix else None))
    if prefix:
        shutil.chown(root, "postgres", "postgres")
    _run(prefix + [str(PG_BIN / "initdb"), "-D", str(root / "data"), "-U", USER, "--auth=trust",
                   "--encoding=UTF8", "--locale=C", "--no-sync"], cwd=root)
    last: Exception | None = None
    for _ in range(5):  # a free port may be taken between probe and bind: retry on another
        port = _free_port()
        opts = (f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off "
                "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200")
        try:
            _run(prefix + [str(PG_BIN / "pg_ctl"), "-D", str(root / "data"), "-l", str(root / "server.log"),
                           "-o", opts, "-w", "-t", "60", "start"], cwd=root)
            break
        except RuntimeError as exc:
            last = exc
    else:
        log = (root / "server.log").read_text(errors="replace") if (root / "server.log").exists() else ""
        shutil.rmtree(root, ignore_errors=True)
        raise RuntimeError(f"PostgreSQL did not start: {last}\n{log[-2000:]}")
    cluster = Cluster(root=root, port=port, _prefix=prefix)
    atexit.register(cluster.stop)
    _watch(os.getpid(), root, prefix)
    try:
        cluster.admin(f"CREATE DATABASE {TEMPLATE}")
        cluster.admin("CREATE EXTENSION postgis", dbname=TEMPLATE)
    except Exception:
        cluster.stop()
        raise
    return cluster


if __name__ == "__main__":  # python -m tests.pg: start one and print a URL, for trying things by hand
    c = start_cluster()
    print(c.new_database("manual"))
    try:
        input("running; press Enter to stop\n")
    finally:
        c.stop()
