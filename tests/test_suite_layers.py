"""The test suite's own tools: "nothing changed" by revision sees a write, the built catalogue's cache key."""

from __future__ import annotations

import json
import pytest

from geo.catalogue import open_catalogue
from geo.errors import UserError

from tests.conftest import cached_build, revision, run_cli, sources_key


def _refused_but_wrote(target):
    """A refusal planted after a committed write: what "nothing changed" exists to catch."""
    cat = open_catalogue(target)
    cat.update_site("DEMO-0002", {"power_kw": 1.0}, actor="t")
    raise UserError("planted refusal")


def test_revision_sees_a_write_committed_before_a_refusal(catalogue_target):
    before = revision(catalogue_target)
    with pytest.raises(UserError):
        _refused_but_wrote(catalogue_target)
    with pytest.raises(AssertionError):
        assert revision(catalogue_target) == before
    assert revision(catalogue_target)[0] != before[0]  # a new revision


def test_revision_sees_rows_written_behind_the_unit_of_works_back(catalogue_target):
    """A write that skips the unit of work (no new revision) still changes a table's row count."""
    import pandas as pd

    from geo.catalogue.stores import connect

    before = revision(catalogue_target)
    db = connect(catalogue_target)
    with db.transaction() as tx:
        tx.insert("catalogue_meta", pd.DataFrame({"key": ["planted"], "value": ["x"]}))
    after = revision(catalogue_target)
    assert after[0] == before[0] and after != before


def test_revision_is_equal_when_nothing_was_written(catalogue_target):
    before = revision(catalogue_target)
    open_catalogue(catalogue_target).sites(statuses=None)
    with pytest.raises(UserError):
        open_catalogue(catalogue_target).write_sites([{"no_such_field": 1}], actor="t")
    assert revision(catalogue_target) == before and before[0]


def test_sources_key_changes_with_any_source_file(tmp_path):
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "build.py").write_text("A = 1\n")
    (tmp_path / "pkg" / "data.csv").write_text("a\n1\n")
    first = sources_key(tmp_path)
    (tmp_path / "pkg" / "__pycache__").mkdir()
    (tmp_path / "pkg" / "__pycache__" / "build.cpython-311.pyc").write_bytes(b"\0")
    assert sources_key(tmp_path) == first  # bytecode is not a source
    (tmp_path / "pkg" / "data.csv").write_text("a\n2\n")
    assert sources_key(tmp_path) != first
    assert len(first) == 16 and sources_key() == sources_key()  # the real key is stable between calls


def test_cached_build_is_built_once_per_key_and_replaced_on_a_new_key(tmp_path, monkeypatch):
    import geo.catalogue.build as build

    calls, real = [], build.build_catalogue

    def tiny_build(path, **kw):  # the real build, of three sites
        calls.append(kw)
        real(path, demo=True, n_sites=3)

    monkeypatch.setattr(build, "build_catalogue", tiny_build)
    a = cached_build(tmp_path, "aaaa")
    assert cached_build(tmp_path, "aaaa") == a and len(calls) == 1  # reused
    assert len(open_catalogue(a).sites(statuses=None)) == 3
    b = cached_build(tmp_path, "bbbb")
    assert len(calls) == 2 and b.is_file() and not a.exists()  # a new key rebuilds, the old build goes
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bbbb.gpkg", "lock"]


def test_the_cli_in_process_reads_as_a_finished_process(tmp_path):
    run = run_cli("--lang", "it", "--catalogue", str(tmp_path / "none.gpkg"), "info")
    assert run.returncode == 1 and run.stdout == "" and run.stderr.startswith("errore: ")
    run = run_cli("build", "--sites", "-5")  # argparse's exit
    assert run.returncode == 2 and "is not a whole number" in run.stderr


class _Item:
    """The little of a collected test that :func:`tests.conftest.schedule` reads."""

    def __init__(self, nodeid: str, markers: tuple[str, ...] = (), module_fixture: bool = False):
        from types import SimpleNamespace

        self.nodeid, self.marks = nodeid, {m: pytest.mark.__getattr__(m).mark for m in markers}
        self.fixturenames = ["server"] if module_fixture else ["tmp_path"]
        scope = "module" if module_fixture else "function"
        self._fixtureinfo = SimpleNamespace(name2fixturedefs={self.fixturenames[0]: [SimpleNamespace(scope=scope)]})

    def get_closest_marker(self, name):
        return self.marks.get(name)

    def add_marker(self, mark):
        self.marks[mark.name] = mark.mark


def test_the_longest_work_goes_first_and_a_file_sharing_a_module_fixture_stays_together(monkeypatch):
    import tests.conftest as suite

    suite._recorded_durations()
    for nodeid, wall in {"a.py::t1": 5.0, "a.py::t2": 1.0, "b.py::t3": 4.0, "b.py::t5": 0.1}.items():
        monkeypatch.setitem(suite._WALL, nodeid, wall)
    items = [_Item("b.py::t5"), _Item("a.py::t1", module_fixture=True), _Item("a.py::t2", module_fixture=True),
             _Item("b.py::t3"), _Item("c.py::t4", ("browser",)), _Item("c.py::t6")]
    order = [i.nodeid for i in suite.schedule(items)]
    # c.py::t4 is not recorded: a browser test's default (8 s); c.py::t6 neither: the fast default (0.3 s).
    assert order == ["c.py::t4", "a.py::t1", "a.py::t2", "b.py::t3", "c.py::t6", "b.py::t5"]
    assert [i.get_closest_marker("xdist_group").args for i in items if i.nodeid.startswith("a.py")] == [("a.py",)] * 2
    assert items[0].get_closest_marker("xdist_group") is None  # spread test by test


def test_the_cpu_probe_report_ranks_files_and_tests_by_cpu(tmp_path):
    from tests.cpu_probe import report

    out = tmp_path / "cpu.json"
    out.write_text(json.dumps({"tests/a.py::t1": [1.0, 2.0], "tests/a.py::t2": [0.5, 0.5],
                               "tests/b.py::t": [3.0, 1.0]}))
    lines = report(out).splitlines()
    assert lines[0] == "3 tests, 4.5 CPU-s, 3.5 s of wall summed over workers"
    assert [line.split()[-1] for line in lines[2:4]] == ["tests/b.py", "tests/a.py"]
    assert lines[3].split()[:3] == ["1.5", "2.5", "2"]
    assert [line.split()[-1] for line in lines[5:]] == ["tests/b.py::t", "tests/a.py::t1", "tests/a.py::t2"]
