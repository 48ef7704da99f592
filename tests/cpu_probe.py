"""Per-test CPU of everything a test started, PostgreSQL and Chromium included (opt-in pytest plugin).

``time`` and the in-process CPU that ``--record-durations`` keeps miss what a test costs the machine when it
starts servers: ``pg_ctl`` detaches PostgreSQL from the test's process tree, Chromium's tabs exit before their
CPU can be read. A control group keeps them: each xdist worker moves itself into its own cgroup, and every
process it starts after that, detached or not, is accounted there. A test's figure is the group's CPU after
it minus before it (setup to teardown): a session fixture's start (the worker's Chromium, its PostgreSQL
cluster, its app server) counts in the first test that asks for it, its later work where it works.

    pytest -n 2 -p tests.cpu_probe --cpu-probe-out /tmp/cpu.json [tests...]
    python -m tests.cpu_probe /tmp/cpu.json          # the costliest files and tests

Needs write access to a cgroup v1 ``cpuacct`` hierarchy (root on a machine like this one); elsewhere it says
so once and records nothing. Not part of ``make test``: a measuring tool, like the benchmarks.
"""

from __future__ import annotations

import json
import os
import sys
import time
import uuid
from collections import defaultdict
from pathlib import Path

import pytest

ROOT = Path("/sys/fs/cgroup/cpuacct")
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "main")
#: The environment variable holding this run's id.
RUN = "GEO_CPU_PROBE_RUN"
_group: Path | None = None
_costs: dict[str, list[float]] = {}


def pytest_addoption(parser) -> None:
    parser.addoption("--cpu-probe-out", default="cpu-probe.json",
                     help="where the per-test CPU goes (JSON: {test id: [CPU s, wall s]})")


def pytest_configure(config) -> None:
    global _group
    # One id per run, set by the controller before its workers start (they inherit it): only this run's parts
    # are merged and removed, never another file beside the output.
    os.environ.setdefault(RUN, uuid.uuid4().hex)
    group = ROOT / "geo-tests" / f"{os.getpid()}-{WORKER}"
    try:
        group.mkdir(parents=True, exist_ok=True)
        (group / "cgroup.procs").write_text(str(os.getpid()))
    except OSError as exc:
        print(f"cpu_probe: no cgroup at {group} ({exc}); nothing recorded", file=sys.stderr)
        return
    _group = group


def _usage() -> float:
    return int((_group / "cpuacct.usage").read_text()) / 1e9


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    if _group is None:
        yield
        return
    cpu, wall = _usage(), time.monotonic()
    yield
    _costs[item.nodeid] = [round(_usage() - cpu, 2), round(time.monotonic() - wall, 2)]


def pytest_unconfigure(config) -> None:
    """Each process writes its share next to the output; the controller merges them."""
    out = Path(config.getoption("--cpu-probe-out"))
    run = os.environ[RUN]
    if _group is not None and _costs:
        Path(f"{out}.{run}.{WORKER}.part").write_text(json.dumps(_costs))
    if not hasattr(config, "workerinput"):  # the controller, after the workers have written
        merged: dict[str, list[float]] = {}
        for part in sorted(out.parent.glob(f"{out.name}.{run}.*.part")):
            merged.update(json.loads(part.read_text()))
            part.unlink()
        if merged:
            out.write_text(json.dumps(merged, indent=0, sort_keys=True))


def report(path: Path, top: int = 30) -> str:
    """The costliest files and tests of a probe's output, with the total."""
    costs = json.loads(path.read_text())
    files: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0, 0])
    for test, (cpu, wall) in costs.items():
        f = files[test.split("::")[0]]
        f[0] += cpu
        f[1] += wall
        f[2] += 1
    lines = [f"{len(costs)} tests, {sum(c for c, _ in costs.values()):.1f} CPU-s, "
             f"{sum(w for _, w in costs.values()):.1f} s of wall summed over workers",
             f"{'CPU-s':>7} {'wall s':>7} {'tests':>5}  file"]
    for name, (cpu, wall, n) in sorted(files.items(), key=lambda x: -x[1][0])[:top]:
        lines.append(f"{cpu:7.1f} {wall:7.1f} {n:5d}  {name}")
    lines.append(f"{'CPU-s':>7} {'wall s':>7}  test")
    for test, (cpu, wall) in sorted(costs.items(), key=lambda x: -x[1][0])[:top]:
        lines.append(f"{cpu:7.1f} {wall:7.1f}  {test}")
    return "\n".join(lines)


if __name__ == "__main__":
    print(report(Path(sys.argv[1] if len(sys.argv) > 1 else "cpu-probe.json")))
