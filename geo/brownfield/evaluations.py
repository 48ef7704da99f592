"""Every evaluation is counted: a row per ``geo brownfield evaluate`` in the run file (issue 19).

A figure reached after many tries on the same points says little, so each evaluation is appended to the
run file's ``brownfield_evaluations`` table: when, the scorer and its version (the run's scorer name,
e.g. ``rules-v2``, and the software version), a hash of the run's parameters, the reference's name and
the SHA-256 of its file, the budgets and tolerance, and the figures. ``evaluate`` then prints how many
evaluations of this reference file (by hash) the run file holds for scorers of the same family
(``rules-v2`` and ``rules-v3`` are both ``rules``).

The count is the run file's: a new run starts its own. Record evaluations of one line of work in one run
file, or add up the counts of the run files you kept; ``docs/brownfield.md`` keeps the history of the
evaluations made on the Milan points.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from pathlib import Path

import pandas as pd

TABLE = "brownfield_evaluations"


def scorer_family(record: dict | None) -> str:
    """``rules-v2`` -> ``rules``, ``gbm-v1`` -> ``gbm``; "unknown" without a record.

    >>> scorer_family({"scorer": "rules-v3"})
    'rules'
    """
    name = str((record or {}).get("scorer") or "unknown")
    return re.sub(r"-v\d+$", "", name)


def parameter_hash(record: dict | None) -> str:
    """The first 12 hex digits of the SHA-256 of the run's parameters (sorted JSON)."""
    params = (record or {}).get("parameters") or {}
    return hashlib.sha256(json.dumps(params, sort_keys=True).encode()).hexdigest()[:12]


def read_evaluations(path: str | Path) -> pd.DataFrame:
    """The evaluations recorded in a run file (empty when none)."""
    import pyogrio

    try:
        if TABLE not in set(pyogrio.list_layers(path)[:, 0]):
            return pd.DataFrame()
        return pyogrio.read_dataframe(path, layer=TABLE, read_geometry=False)
    except Exception:  # noqa: BLE001 - an unreadable table counts as none; the run file was read already
        return pd.DataFrame()


def record_evaluation(path: str | Path, record: dict | None, ref, args, assessment) -> int:
    """Append this evaluation to the run file at ``path`` and return how many evaluations of the same
    reference file the run file now holds for this scorer family (this one included)."""
    import pyogrio

    family = scorer_family(record)
    figures = {k: [{"budget": r["budget"], "matched": r["matched"], "lift": r["lift"]}
                   for r in f.table.to_dict("records")] for k, f in assessment.rankings.items()}
    row = pd.DataFrame([{
        "at": dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat(),
        "run_id": (record or {}).get("run_id"), "scorer": (record or {}).get("scorer"), "scorer_family": family,
        "software": ((record or {}).get("software") or {}).get("geo"), "parameter_hash": parameter_hash(record),
        "reference": ref.label, "reference_sha256": ref.sha256, "where": getattr(args, "where", None) or "",
        "tolerance_m": float(args.tolerance_m), "budgets": args.budgets, "seed": int(args.seed),
        "n_reference": int(assessment.n_reference), "figures_json": json.dumps(figures)}])
    try:
        pyogrio.write_dataframe(row, path, layer=TABLE, driver="GPKG", append=TABLE in set(
            pyogrio.list_layers(path)[:, 0]))
    except Exception as exc:  # noqa: BLE001 - GDAL's errors for a read-only or full volume vary
        from geo.errors import InputFileError
        from geo.i18n import N_

        raise InputFileError(N_("{path}: this evaluation could not be recorded in the run file ({error}); every "
                                "evaluation is counted, so none is shown unrecorded. Copy the run file somewhere "
                                "writable and evaluate the copy."), path=str(path), error=str(exc)) from None
    done = read_evaluations(path)
    same = (done["reference_sha256"] == ref.sha256) & (done["scorer_family"] == family)
    return int(same.sum())


__all__ = ["TABLE", "scorer_family", "parameter_hash", "read_evaluations", "record_evaluation"]
