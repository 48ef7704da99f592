"""Time and peak memory of the owner checker on hostile workbooks, against openpyxl reading them whole.

    .venv/bin/python benchmarks/bench_workbooks.py
    .venv/bin/python benchmarks/bench_workbooks.py --baseline-limit 30 --baseline-mb 3000 --only rows_100k

Target (issue 10, item 3): every workbook up to the 10 MB upload limit checked in < 5 s and < 500 MB.
Baseline in the same run: ``openpyxl.load_workbook(path)`` then every row of the sites sheet, the way
the first release read a workbook, each in its own process under a time and memory limit (a baseline
that hits a limit is reported as such: that is the outage the issue saw).

The workbooks are the ones of ``tests/listing/test_hostile_input.py``: one formatted cell at row
1,048,576 (32 KB), 100,000 formatted empty rows, as much XML as the upload limits allow, 140,000 cell
formats, a million merged ranges, one row of 16,285 columns; each holds one real site.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

OURS = textwrap.dedent("""
    import json, re, sys, time
    from geo.listing.check import check_workbook
    t = time.perf_counter()
    res = check_workbook(sys.argv[1], None)
    dt = time.perf_counter() - t
    hwm = int(re.search(r"VmHWM:\\s+(\\d+) kB", open("/proc/self/status").read()).group(1))
    print(json.dumps({"seconds": dt, "mb": hwm / 1024, "result": f"{len(res.sites)} site, ok={res.ok}"}))
""")

BASELINE = textwrap.dedent("""
    import json, re, resource, sys, time
    limit = int(sys.argv[2]) * 2**20
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    import openpyxl
    t = time.perf_counter()
    try:
        wb = openpyxl.load_workbook(sys.argv[1])
        ws = wb["Siti - Sites"]
        n = sum(1 for _ in ws.iter_rows(values_only=True))
        result = f"{n} rows"
    except MemoryError:
        result = "MemoryError"
    dt = time.perf_counter() - t
    hwm = int(re.search(r"VmHWM:\\s+(\\d+) kB", open("/proc/self/status").read()).group(1))
    print(json.dumps({"seconds": dt, "mb": hwm / 1024, "result": result}))
""")


def run(code: str, path: Path, *args: str, timeout: float) -> dict:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    try:
        p = subprocess.run([sys.executable, "-c", code, str(path), *args], capture_output=True, text=True,
                           timeout=timeout, cwd=ROOT, env=env)
    except subprocess.TimeoutExpired:
        return {"seconds": timeout, "mb": float("nan"), "result": f"killed after {timeout:.0f} s"}
    if p.returncode != 0:
        last = (p.stderr.strip().splitlines() or ["?"])[-1]
        return {"seconds": float("nan"), "mb": float("nan"), "result": f"failed: {last[:60]}"}
    return json.loads(p.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--baseline-limit", type=float, default=60.0, help="seconds before the baseline is killed")
    ap.add_argument("--baseline-mb", type=int, default=3000, help="address-space limit of the baseline (MB)")
    ap.add_argument("--only", action="append", help="only this workbook (repeatable; default: all)")
    args = ap.parse_args(argv)
    from tests.listing.test_hostile_input import hostile_workbooks

    with tempfile.TemporaryDirectory() as tmp:
        files = hostile_workbooks(Path(tmp), args.only)
        print(f"{'workbook':<18} {'size':>8} | {'ours s':>7} {'ours MB':>8} {'result':<18} | "
              f"{'openpyxl s':>10} {'MB':>7} {'result':<22} | ratio")
        worst_s = worst_mb = 0.0
        for name, path in files.items():
            ours = run(OURS, path, timeout=120)
            base = run(BASELINE, path, str(args.baseline_mb), timeout=args.baseline_limit)
            worst_s, worst_mb = max(worst_s, ours["seconds"]), max(worst_mb, ours["mb"])
            ratio = base["seconds"] / ours["seconds"] if ours["seconds"] > 0 else float("nan")
            print(f"{name:<18} {path.stat().st_size / 1e6:>6.2f}MB | {ours['seconds']:>7.2f} {ours['mb']:>8.0f} "
                  f"{ours['result']:<18} | {base['seconds']:>10.2f} {base['mb']:>7.0f} {base['result']:<22} | "
                  f"{ratio:>5.1f}x")
        print(f"worst: {worst_s:.2f} s, {worst_mb:.0f} MB (target < 5 s, < 500 MB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
