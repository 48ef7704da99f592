"""Mutation testing of the modules that decide (``make mutation``; not part of ``make test``).

Runs mutmut 3 over exactly the modules of :data:`GROUPS`, one pass per group with only the tests
written for that group (mutmut then runs, for each mutant, those of them that reach the mutated
function), prints killed / survived / timeout / total per module, lists the survivors that
``equivalent.md`` does not explain, and exits 1 when the killed share of any module is below
:data:`THRESHOLD` or an unexplained survivor exists.

How it counts: a mutant is *killed* when a test fails; a timeout counts as killed (the mutant made the
code loop), as mutmut counts it. Mutants listed in ``equivalent.md`` cannot be killed by any test and
are left out of the denominator: share = (killed + timeout) / (total - listed equivalents). A mutant
no test reaches counts as survived.

The configuration is passed here rather than in ``pyproject.toml``: mutmut reads ``[tool.mutmut]``
through one function, which this script replaces with :data:`CONFIG` before mutmut starts.

Usage::

    python -m tests.mutation.run                 # every group, each from a fresh mutants/ directory
    python -m tests.mutation.run --only store    # one group (repeatable), e.g. while writing tests
    python -m tests.mutation.run --report        # print the figures of the last run again
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
THRESHOLD = 0.90

#: The modules that decide (verdicts, roles and visibility, the store, exports, radiometry, evaluation), in
#: groups that run as separate mutmut passes, each with only the tests written for it: mutmut runs, for a
#: mutant, every selected test that reaches the mutated function, so a store mutant would otherwise also run
#: every page test (they all read the catalogue) and the run would take an hour on two cores.
GROUPS: dict[str, tuple[list[str], list[str]]] = {
    "verdicts": (["geo/search/verdict_rules.py", "geo/search/verdict.py"], ["tests/search/test_verdict_rules.py"]),
    "roles": (["geo/web/auth.py", "geo/catalogue/access.py"],
              ["tests/catalogue/test_access.py", "tests/web/test_roles.py", "tests/catalogue/test_store_rules.py"]),
    "exports": (["geo/export.py"], ["tests/test_export_guard.py"]),
    "brownfield": (["geo/brownfield/bands.py", "geo/brownfield/evaluate.py"],
                   ["tests/brownfield/test_bands_offsets.py", "tests/brownfield/test_evaluate_metrics.py",
                    "tests/brownfield/test_ranking.py", "tests/brownfield/test_budget_definition.py",
                    # the assessment (intervals, chance, paired comparison), its text and its JSON: assess,
                    # format_assessment and Assessment.to_dict, each in one to three seconds
                    "tests/brownfield/test_stats.py", "tests/brownfield/test_assess_parts.py",
                    "tests/brownfield/test_assessment_text.py",
                    # the edges: a non-rectangular area, polygon / MultiPoint / line references, the matcher's
                    # pairs and their order, the raster of random orders at and beyond the area's edge
                    "tests/brownfield/test_evaluate_edges.py"]),
    # records.py: the preparation of a site record every write goes through (moved out of catalogue.py).
    "store": (["geo/catalogue/catalogue.py", "geo/catalogue/records.py"], ["tests/catalogue/test_store_rules.py"]),
}
MODULES = [m for modules, _ in GROUPS.values() for m in modules]
RESULTS = ROOT / "mutants" / "results"

CONFIG = {
    "source_paths": ["geo"],
    # Pages run app.py and its static assets; the store's fixtures read data/.
    "also_copy": ["app.py", "static", "data", ".streamlit"],
    # No browser, no PostGIS server (the GeoPackage backend runs the same store code), no doctests of
    # other modules, no cache files written into the copy.
    "pytest_add_cli_args": ["-p", "no:cacheprovider", "-m", "not browser", "-k", "not postgis",
                            "-o", "addopts=", "-W", "ignore::DeprecationWarning"],
    "timeout_multiplier": 10.0,
}


def configure(group: str | None = None) -> None:
    """Make mutmut read :data:`CONFIG` (for one group) instead of a ``[tool.mutmut]`` section."""
    import mutmut.configuration as mc

    if group is not None:
        modules, tests = GROUPS[group]
        CONFIG["only_mutate"] = modules
        CONFIG["pytest_add_cli_args_test_selection"] = [t for t in tests if (ROOT / t).exists()]
    mc._config_reader = lambda: (lambda key, default: CONFIG.get(key, default))
    mc.reset_config()


# ------------------------------------------------------------------ equivalent mutants
@dataclass(frozen=True)
class Equivalent:
    module: str
    function: str
    before: str
    after: str
    why: str


#: The start of the "Why:" of a mutant equivalent only on the backend the run uses (see equivalent.md).
GPKG_ONLY = "GeoPackage only:"
ENTRY = re.compile(r"^### (?P<module>\S+) :: (?P<function>\S+)\n(?P<body>.*?)(?=^### |\Z)", re.M | re.S)


def load_equivalents(path: Path = HERE / "equivalent.md") -> list[Equivalent]:
    """Entries of ``equivalent.md``: ``### module :: function``, then ``-`` original and ``+`` mutated
    line (indented code), then ``Why: ...``. Keyed by the lines, not by mutmut's numbers, which shift
    whenever a function above changes."""
    out = []
    for m in ENTRY.finditer(path.read_text(encoding="utf-8")):
        body = m["body"]
        before = [ln.strip()[2:].strip() for ln in body.splitlines() if ln.strip().startswith("- ")]
        after = [ln.strip()[2:].strip() for ln in body.splitlines() if ln.strip().startswith("+ ")]
        why = " ".join(ln.strip()[4:].strip() for ln in body.splitlines() if ln.strip().startswith("Why:"))
        if len(before) != 1 or len(after) != 1 or not why:
            raise SystemExit(f"equivalent.md: entry {m['module']} :: {m['function']} needs one '- ', one '+ ' "
                             "line and a 'Why:'")
        out.append(Equivalent(m["module"], m["function"], before[0], after[0], why))
    return out


def mutant_change(name: str, path: Path) -> tuple[str, str, str]:
    """(function, original line, mutated line) of one mutant, from mutmut's diff."""
    from mutmut.mutation.diff_apply import get_diff_for_mutant

    diff = get_diff_for_mutant(name, path=path)
    minus = [ln[1:].strip() for ln in diff.splitlines() if ln.startswith("-") and not ln.startswith("---")]
    plus = [ln[1:].strip() for ln in diff.splitlines() if ln.startswith("+") and not ln.startswith("+++")]
    function = name.rsplit(".", 1)[-1].split("__mutmut_")[0]
    function = re.sub(r"^(x_|xǁ)", "", function).replace("ǁ", ".")
    return function, " / ".join(minus), " / ".join(plus)


def is_listed(module: str, change: tuple[str, str, str], listed: list[Equivalent]) -> Equivalent | None:
    function, before, after = change
    for e in listed:
        if e.module == module and e.function == function and e.before == before and e.after == after:
            return e
    return None


# ------------------------------------------------------------------ one group (in a child process)
def run_group(group: str, max_children: int) -> None:
    """Run mutmut over one group in a fresh ``mutants/`` and save every mutant's status and change."""
    import json

    os.chdir(ROOT)
    mutants = ROOT / "mutants"
    if mutants.exists():
        for p in mutants.iterdir():
            if p != RESULTS:
                shutil.rmtree(p) if p.is_dir() else p.unlink()
    configure(group)
    from mutmut.__main__ import cli
    from mutmut.mutation.data import SourceFileMutationData  # mutmut's record of one file's results
    from mutmut.stats import status_by_exit_code

    t0 = time.monotonic()
    try:
        cli(["run", "--max-children", str(max_children)], standalone_mode=False)
    except SystemExit as exc:
        if exc.code not in (0, None):
            raise
    out = {"group": group, "seconds": round(time.monotonic() - t0), "mutants": []}
    for module in GROUPS[group][0]:
        data = SourceFileMutationData(path=Path(module))
        data.load()
        for name, code in sorted(data.exit_code_by_key.items()):
            status = status_by_exit_code[code]
            change = mutant_change(name, Path(module)) if status not in ("killed", "timeout") else ("", "", "")
            out["mutants"].append({"module": module, "name": name, "status": status, "function": change[0],
                                   "before": change[1], "after": change[2]})
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{group}.json").write_text(json.dumps(out, indent=1, ensure_ascii=False), encoding="utf-8")


# ------------------------------------------------------------------ report
def report(groups: list[str]) -> int:
    import json

    listed = load_equivalents()
    used: set[Equivalent] = set()
    unexplained: list[str] = []
    failed = False
    seconds = 0
    notes: list[str] = []
    print(f"\n{'module':32s} {'killed':>6s} {'survived':>8s} {'timeout':>7s} {'equiv':>5s} {'total':>5s} {'share':>6s}")
    grand: Counter = Counter()
    for group in groups:
        path = RESULTS / f"{group}.json"
        if not path.exists():
            print(f"{group}: no results (run it first)")
            failed = True
            continue
        res = json.loads(path.read_text(encoding="utf-8"))
        seconds += res["seconds"]
        for module in GROUPS[group][0]:
            c: Counter = Counter()
            backend_only = 0
            for m in (m for m in res["mutants"] if m["module"] == module):
                c["total"] += 1
                if m["status"] in ("killed", "caught by type check"):
                    c["killed"] += 1
                elif m["status"] == "timeout":
                    c["timeout"] += 1
                else:
                    e = is_listed(module, (m["function"], m["before"], m["after"]), listed)
                    if e is not None:
                        c["equivalent"] += 1
                        backend_only += e.why.startswith(GPKG_ONLY)
                        used.add(e)
                    else:
                        c["survived"] += 1
                        unexplained.append(f"{m['name']} [{m['status']}]  {m['before']!r} -> {m['after']!r}")
            killable = c["total"] - c["equivalent"]
            share = (c["killed"] + c["timeout"]) / killable if killable else 1.0
            failed |= share < THRESHOLD
            grand.update(c)
            print(f"{module:32s} {c['killed']:6d} {c['survived']:8d} {c['timeout']:7d} {c['equivalent']:5d} "
                  f"{c['total']:5d} {share:6.1%}")
            if backend_only:
                strict = (c["killed"] + c["timeout"]) / (killable + backend_only)
                notes.append(f"{module}: {backend_only} of the equivalents are so on GeoPackage only (names in "
                             f"another case, PostGIS-only paths: see equivalent.md); counted as survived, the "
                             f"share is {strict:.1%}")
    killable = grand["total"] - grand["equivalent"]
    share = (grand["killed"] + grand["timeout"]) / killable if killable else 1.0
    print(f"{'all':32s} {grand['killed']:6d} {grand['survived']:8d} {grand['timeout']:7d} {grand['equivalent']:5d} "
          f"{grand['total']:5d} {share:6.1%}")
    print(f"share = (killed + timeout) / (total - listed equivalents); threshold {THRESHOLD:.0%} per module; "
          f"mutmut time {seconds / 60:.1f} min")
    for note in notes:
        print(note)
    stale = [e for e in listed if e not in used and e.module in {m for g in groups for m in GROUPS[g][0]}]
    if stale:
        print(f"\n{len(stale)} entries of equivalent.md matched no surviving mutant (fixed or moved code):")
        for e in stale:
            print(f"  {e.module} :: {e.function}: {e.before!r} -> {e.after!r}")
    if unexplained:
        print(f"\n{len(unexplained)} surviving mutants not in equivalent.md:")
        for line in unexplained:
            print("  " + line)
    return 1 if failed or unexplained else 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--report", action="store_true", help="only report the last run")
    ap.add_argument("--max-children", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--only", action="append", choices=list(GROUPS), help="only this group (repeatable)")
    ap.add_argument("--group", choices=list(GROUPS), help=argparse.SUPPRESS)  # the child process of one group
    args = ap.parse_args(argv)
    os.chdir(ROOT)
    if args.group:
        run_group(args.group, args.max_children)
        return 0
    groups = args.only or list(GROUPS)
    if not args.report:
        t0 = time.monotonic()
        with tempfile.TemporaryDirectory() as tmp:
            # Catalogues the tests copy, built once by the unmutated code (in child processes: mutmut's
            # workers fork from the group's process, which must import only the mutated copy of geo).
            env = {**os.environ, "GEO_TEST_BUILT_CATALOGUE": str(Path(tmp) / "catalogue.gpkg"),
                   "GEO_TEST_PUBLISHED_CATALOGUE": str(Path(tmp) / "published.gpkg")}
            subprocess.run([sys.executable, "-c", "import sys; from geo.catalogue.build import build_catalogue; "
                            "build_catalogue(sys.argv[1], demo=True, n_sites=320)",
                            env["GEO_TEST_BUILT_CATALOGUE"]], check=True, cwd=ROOT)
            subprocess.run([sys.executable, "-c", "import sys; from tests.web.test_roles import publish_demo_run; "
                            "publish_demo_run(sys.argv[1], sys.argv[2])", env["GEO_TEST_BUILT_CATALOGUE"],
                            env["GEO_TEST_PUBLISHED_CATALOGUE"]], check=True, cwd=ROOT)
            for group in groups:
                print(f"\n=== {group}: {', '.join(GROUPS[group][0])}", flush=True)
                subprocess.run([sys.executable, "-m", "tests.mutation.run", "--group", group,
                                "--max-children", str(args.max_children)], check=True, cwd=ROOT, env=env)
        print(f"\nwall time {(time.monotonic() - t0) / 60:.1f} min")
    return report(groups)


if __name__ == "__main__":
    sys.exit(main())
