"""Processes started by fork from a warm interpreter, for the tests that need many real processes.

A test that starts twenty writers, or kills a writer twenty times, pays Python's start-up and the imports of
geopandas, the catalogue and the CLI (~1-3 s of CPU) per process, which is not what it tests. Here one helper
process (:func:`warm_processes`) imports them once; each job is then a child forked from it: a separate
process with its own connections, its own file descriptors and its own exit, that ``kill -9`` ends as it ends
a process started from scratch. A job runs a module as ``python -m MODULE ARGS`` would (``runpy``, ``sys.argv``,
``SystemExit`` as the exit code), its output written to files.

The helper imports modules only: it opens no catalogue, connection or thread before forking.
"""

from __future__ import annotations

import json
import os
import runpy
import signal
import subprocess
import sys
import time
import traceback
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

ROOT = Path(__file__).resolve().parents[1]
#: What the jobs of the tests import anyway: imported once in the helper, before any fork.
PRELOAD = ("geopandas", "pyogrio", "openpyxl", "psycopg", "geo.cli", "geo.catalogue", "geo.catalogue.stores",
           "geo.catalogue.build", "geo.listing.check", "geo.listing.submission", "geo.brownfield.run",
           "geo.catalogue.transfer", "tests.catalogue.worker")


@dataclass
class Job:
    """One forked process: its id, and the files its stdout and stderr go to."""

    pid: int
    stdout: Path
    stderr: Path

    def out(self) -> str:
        return self.stdout.read_text(errors="replace")

    def err(self) -> str:
        return self.stderr.read_text(errors="replace")


class Warm:
    """The test's side of the helper process: :meth:`start` a job, :meth:`kill` it, :meth:`wait` for its exit."""

    def __init__(self, proc: subprocess.Popen, folder: Path):
        self._proc, self._folder, self._n = proc, folder, 0

    def _ask(self, request: dict) -> str:
        self._proc.stdin.write(json.dumps(request) + "\n")
        self._proc.stdin.flush()
        line = self._proc.stdout.readline()
        if not line:
            raise RuntimeError(f"the warm process exited: {self._proc.stderr.read()[-3000:]}")
        return line.strip()

    def start(self, module: str, *args: str) -> Job:
        """Fork a child that runs ``python -m module args`` (in the repository's folder)."""
        self._n += 1
        out, err = self._folder / f"job{self._n}.out", self._folder / f"job{self._n}.err"
        pid = int(self._ask({"run": [module, *map(str, args)], "stdout": str(out), "stderr": str(err)}))
        return Job(pid, out, err)

    def wait(self, job: Job, timeout: float = 300) -> int:
        """The job's exit code (``-9`` when killed by SIGKILL), once it has exited."""
        deadline = time.monotonic() + timeout
        while True:
            code = self._ask({"poll": job.pid})
            if code != "running":
                return int(code)
            if time.monotonic() > deadline:
                self.kill(job)
                raise TimeoutError(f"job {job.pid} still running after {timeout} s")
            time.sleep(0.02)

    def kill(self, job: Job) -> int:
        """``kill -9`` the job and wait for its end: nothing of it runs after this returns."""
        try:
            os.kill(job.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        return self.wait(job)

    def wait_for_line(self, job: Job, prefix: str, timeout: float = 120) -> str:
        """The first line of the job's stdout starting with ``prefix``, waiting for it (failing if it exits)."""
        deadline = time.monotonic() + timeout
        while True:
            for line in job.out().splitlines():
                if line.startswith(prefix):
                    return line
            code = self._ask({"poll": job.pid})
            if code != "running":
                raise AssertionError(f"job exited ({code}) before printing {prefix!r}: {job.err()[-3000:]}")
            if time.monotonic() > deadline:
                raise TimeoutError(f"no {prefix!r} from job {job.pid} in {timeout} s: {job.err()[-3000:]}")
            time.sleep(0.01)


@contextmanager
def warm_processes(folder: Path, preload: tuple[str, ...] = PRELOAD) -> Iterator[Warm]:
    """A helper process with ``preload`` imported, forking jobs on request; ended (and its jobs killed) on exit."""
    folder.mkdir(parents=True, exist_ok=True)
    proc = subprocess.Popen([sys.executable, "-m", "tests.forks", *preload], cwd=ROOT, stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    warm = Warm(proc, folder)
    try:
        if proc.stdout.readline().strip() != "warm":
            raise RuntimeError(f"the warm process did not start: {proc.stderr.read()[-3000:]}")
        yield warm
    finally:
        proc.stdin.close()  # the helper kills its jobs left running and exits
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)


# ------------------------------------------------------------------ the helper process
def _child(argv: list[str], stdout: str, stderr: str) -> None:
    """In the forked child: become ``python -m argv[0] argv[1:]`` with its output in files, and exit."""
    code = 0
    try:
        os.setpgrp()  # its own group: a signal to the test's group does not reach it twice
        for fd, path in ((1, stdout), (2, stderr)):
            f = os.open(path, os.O_WRONLY | os.O_APPEND)
            os.dup2(f, fd)
            os.close(f)
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.close(null)
        sys.stdin = open(0, closefd=False)
        sys.stdout = open(1, "w", buffering=1, closefd=False)
        sys.stderr = open(2, "w", buffering=1, closefd=False)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        sys.argv = list(argv)
        runpy.run_module(argv[0], run_name="__main__", alter_sys=True)
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        if not isinstance(exc.code, (int, type(None))):
            print(exc.code, file=sys.stderr)
    except BaseException:  # noqa: BLE001 - printed as Python prints an uncaught exception
        traceback.print_exc()
        code = 1
    finally:
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except Exception:  # noqa: BLE001 - exiting anyway
                pass
        os._exit(code)


def _serve(preload: list[str]) -> None:
    import importlib

    for name in preload:
        importlib.import_module(name)
    jobs: dict[int, int | None] = {}
    print("warm", flush=True)
    for line in sys.stdin:
        request = json.loads(line)
        if "run" in request:
            for path in (request["stdout"], request["stderr"]):  # there when the test reads them
                open(path, "w").close()
            sys.stdout.flush()
            pid = os.fork()
            if pid == 0:
                _child(request["run"], request["stdout"], request["stderr"])
            jobs[pid] = None
            print(pid, flush=True)
        else:
            pid = request["poll"]
            if jobs.get(pid) is None:
                done, status = os.waitpid(pid, os.WNOHANG)
                if done:
                    jobs[pid] = os.waitstatus_to_exitcode(status)
            print("running" if jobs[pid] is None else jobs[pid], flush=True)
    for pid, code in jobs.items():  # the test is over: nothing of its jobs runs on
        if code is None:
            try:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
            except (ProcessLookupError, ChildProcessError):
                pass


if __name__ == "__main__":
    os.chdir(ROOT)
    sys.path.insert(0, str(ROOT))
    _serve(sys.argv[1:])
