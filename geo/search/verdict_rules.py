"""Verdicts of sites against a brief: PASS, CONDITIONAL, FAIL or UNKNOWN, with reasons.

Verdict codes are computed for all sites at once as small-int arrays; the
one-line reasons (in the reader's language) are written only for the sites that
are shown, by :func:`reasons`.

Rules
-----
* A missing value is UNKNOWN, never guessed.
* Numeric minimum / maximum, distances and truck drive times: within 10 % of the requirement on
  the wrong side is CONDITIONAL (a negotiable gap), further is FAIL.
* Availability up to 90 days after the required date is CONDITIONAL.
* Uses: PASS when permitted; CONDITIONAL when permitted but the
  implementation plan is still to be approved.
* Contamination: asking for a clean site, ``investigating`` or
  ``remediation_ongoing`` is CONDITIONAL.
* ``sale_or_lease`` satisfies both sale and lease.
* Overall: FAIL if a hard criterion fails; else UNKNOWN if a hard criterion is
  unknown; else CONDITIONAL if any criterion is conditional; else PASS.
  Soft criteria only move the score.
* Score in 0-1: weighted mean of PASS 1, CONDITIONAL 0.6, UNKNOWN 0.3, FAIL 0
  (unknown costs less than a fail: it may turn out fine).
"""

from __future__ import annotations

import datetime as dt
from typing import Sequence

import numpy as np
import pandas as pd

from geo.figures import format_figure, format_km
from geo.i18n import N_, Translator, translator
from geo.schema import FIELD
from geo.search.brief import Brief, Criterion
from geo.search.index import USE_BIT, SearchIndex
from geo.search.verdict import Verdict

PASS, CONDITIONAL, FAIL, UNKNOWN = (int(v) for v in Verdict)
NAMES = np.array([v.name for v in Verdict])
POINTS = np.array([v.points for v in Verdict])
TOLERANCE = 0.10
DATE_GRACE_DAYS = 90
CLEAN = {"none_known", "remediated"}
CONDITIONAL_CONTAMINATION = {"investigating", "remediation_ongoing"}


def _values(index: SearchIndex, c: Criterion, rows: np.ndarray) -> np.ndarray:
    col = c.column
    if col == "point":
        from geo.search.query import to_metric

        v = c.value or {}
        x, y = to_metric(v["lon"], v["lat"])
        return np.hypot(index.x[rows] - x, index.y[rows] - y) / 1000.0
    if col == "drive_point":
        return _from_point(index, c.value, rows)
    if col in index.num:
        return index.num[col][rows]
    if col in index.bools:
        return index.bools[col][rows]
    if col == "zis_id":
        return index.in_zis[rows]
    if col in index.cats:
        return index.cats[col][rows]
    if col == "permitted_uses":
        return index.uses[rows]
    if col == "available_from":
        return index.available[rows]
    raise KeyError(col)


def _from_point(index: SearchIndex, v: dict, rows: np.ndarray) -> np.ndarray:
    """Truck minutes from a point to the sites at ``rows``, on the index's road graph (the catalogue's: an
    imported network, else the default motorway graph), one cached Dijkstra per point bounded at the
    requirement plus 10 % (or the zones' 30 minutes).

    A site not reached within that bound gets its exact minutes from a second, unbounded Dijkstra (cached
    too, run only then: on the default graph the direct leg always reaches a site, so only on an imported
    network): a connected site further away fails. NaN (unknown) only for a site on a piece of an imported
    network not joined to the point, or without coordinates.
    """
    from geo.routing.drive import graph_for
    from geo.routing.isochrones import BANDS, cached_reach
    from geo.routing.lines import to_metric
    from geo.routing.speeds import profile

    p = profile()
    graph = index.graph if index.graph is not None else graph_for(None, None, p)
    x, y = to_metric(np.array([[v["lon"], v["lat"]]]))[0]
    xy = (float(x), float(y))
    sites = np.column_stack([index.x[rows], index.y[rows]])
    minutes = cached_reach(graph, p, xy, max(float(v["min"]) * (1 + TOLERANCE), float(max(BANDS)))).sites_min(sites)
    beyond = np.isinf(minutes)
    if beyond.any():
        minutes[beyond] = cached_reach(graph, p, xy, np.inf).sites_min(sites[beyond])
    return np.where(np.isfinite(minutes), minutes, np.nan)


def _required(c: Criterion) -> float:
    if c.column == "drive_point":
        return float(c.value["min"])
    return float(c.value["km"]) if c.column == "point" else float(c.value)


def criterion_codes(index: SearchIndex, c: Criterion, rows: np.ndarray) -> np.ndarray:
    """Verdict codes (0-3) of criterion ``c`` for the sites at ``rows``."""
    v = _values(index, c, rows)
    out = np.full(len(rows), UNKNOWN, dtype=np.int8)
    op = c.op
    if op in ("min", "max", "within_km", "within_min"):
        req = _required(c)
        known = ~np.isnan(v)
        if op == "min":
            ok, near = v >= req, v >= req * (1 - TOLERANCE)
        else:
            ok, near = v <= req, v <= req * (1 + TOLERANCE)
        out[known] = np.where(ok[known], PASS, np.where(near[known], CONDITIONAL, FAIL))
    elif op == "true":
        out[v == 1] = PASS
        out[v == 0] = FAIL
    elif op == "by":
        req = np.datetime64(dt.date.fromisoformat(str(c.value)), "D")
        known = ~np.isnat(v)
        out[known] = np.where(v[known] <= req, PASS,
                              np.where(v[known] <= req + np.timedelta64(DATE_GRACE_DAYS, "D"), CONDITIONAL, FAIL))
    elif op in ("any", "all") and c.column == "permitted_uses":
        bits = 0
        for u in c.value:
            bits |= USE_BIT[u]
        known = v != 0
        ok = ((v & bits) == bits) if op == "all" else ((v & bits) != 0)
        plan = index.cat_mask("implementation_plan", ["to_be_approved"], rows)
        out[known] = np.where(ok[known], np.where(plan[known], CONDITIONAL, PASS), FAIL)
    elif op == "any":
        allowed = set(c.value)
        if c.column == "transaction" and allowed & {"sale", "lease"}:
            allowed.add("sale_or_lease")
        known = index.codes[c.column][rows] >= 0
        hit = index.cat_mask(c.column, allowed, rows)
        out[known] = np.where(hit[known], PASS, FAIL)
        if c.column == "contamination" and allowed <= CLEAN | {"remediated"}:
            cond = known & index.cat_mask(c.column, CONDITIONAL_CONTAMINATION, rows)
            out[cond] = CONDITIONAL
    return out


def judge(index: SearchIndex, brief: Brief, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(codes, overall, score)`` for the sites at ``rows``: per-criterion codes ``[n, k]``, overall
    verdict codes ``[n]`` and scores ``[n]``, as NumPy arrays (no frame: this runs on every query)."""
    crit = brief.criteria
    n = len(rows)
    if not crit:
        return np.zeros((n, 0), dtype=np.int8), np.full(n, -1, dtype=np.int8), np.full(n, np.nan)
    codes = np.empty((n, len(crit)), dtype=np.int8)
    for j, c in enumerate(crit):
        codes[:, j] = criterion_codes(index, c, rows)
    hard = np.array([c.hard for c in crit])
    w = np.array([c.weight for c in crit], dtype=float)
    w = w if w.sum() > 0 else np.ones_like(w)
    score = np.round(POINTS[codes] @ w / w.sum(), 4)
    overall = np.full(n, PASS, dtype=np.int8)
    overall[(codes == CONDITIONAL).any(axis=1)] = CONDITIONAL
    overall[((codes == UNKNOWN) & hard).any(axis=1)] = UNKNOWN
    overall[((codes == FAIL) & hard).any(axis=1)] = FAIL
    return codes, overall, score


def evaluate(index: SearchIndex, brief: Brief, rows: np.ndarray) -> pd.DataFrame:
    """Per-criterion codes, overall verdict and score for the sites at ``rows`` (as a frame)."""
    codes, overall, score = judge(index, brief, rows)
    if not brief.criteria:
        return pd.DataFrame({"verdict": pd.Series([None] * len(rows), dtype=object), "score": score})
    df = pd.DataFrame({"verdict": NAMES[overall], "score": score})
    for j in range(codes.shape[1]):
        df[f"c{j}"] = codes[:, j]
    return df


def _fmt_date(iso: str, _: Translator) -> str:
    # Reasons write dates compactly, in the pattern the catalogue gives for the language (Babel formats it).
    return _.date(dt.date.fromisoformat(iso[:10]), _.pgettext("date pattern of verdict reasons", "yyyy-MM-dd"))


def _unit(c: Criterion, lang: str) -> str:
    if c.op == "within_km":
        return "km"
    if c.op == "within_min":
        return "min"
    return "€/m²" if c.column == "price_eur_m2" else FIELD[c.column].unit_text(lang)


def _fmt_value(c: Criterion, v, lang: str) -> str:
    _ = translator(lang)
    col = c.column
    if col in ("permitted_uses",):
        return ", ".join(FIELD[col].choice_label(u, lang) for u in USE_BIT if v & USE_BIT[u]) or "—"
    if col in ("available_from",):
        return "—" if np.isnat(v) else _fmt_date(str(v), _)
    if c.op in ("min", "max", "within_km", "within_min"):
        if v is None or (isinstance(v, float) and np.isnan(v)):
            return "—"
        if c.op == "within_km":  # the sheet's figure; a field's label already says "straight-line"
            return format_km(v, lang, straight=col == "point")
        if col in FIELD:
            return format_figure(col, v, lang)  # as the sheet writes it
        return f"{_.number(float(v), 2)} {_unit(c, lang)}".strip()
    if c.op == "true":
        return "—" if np.isnan(v) else (_("yes") if v == 1 else _("no"))
    if v is None:
        return "—"
    f = FIELD.get(col)
    return f.choice_label(str(v), lang) if f and f.choices else str(v)


def _fmt_required(c: Criterion, lang: str) -> str:
    _ = translator(lang)
    if c.op in ("min", "max") and c.column in FIELD and FIELD[c.column].unit == "€":
        return _.money(_required(c))  # an amount as the sheet writes amounts
    if c.op in ("min", "max", "within_km", "within_min"):  # the brief's own figure, as typed (up to 2 decimals)
        return f"{_.number(_required(c), 2)} {_unit(c, lang)}".strip()
    if c.op == "by":
        return _fmt_date(str(c.value), _)
    if c.op in ("any", "all"):
        f = FIELD[c.column]
        sep = " / " if c.op == "any" else " + "
        return sep.join(f.choice_label(x, lang) for x in c.value)
    return _("yes")


#: The reason of each (operator, verdict code); the value and the requirement are filled in.
REASON = {
    ("min", 0): N_("{label} {value} ≥ required {req}"),
    ("min", 1): N_("{label} {value}: just below required {req}"),
    ("min", 2): N_("{label} {value} < required {req}"),
    ("max", 0): N_("{label} {value} ≤ maximum {req}"),
    ("max", 1): N_("{label} {value}: just above maximum {req}"),
    ("max", 2): N_("{label} {value} > maximum {req}"),
    ("within_km", 0): N_("{label}: {value} ≤ {req}"),
    ("within_km", 1): N_("{label}: {value}, just beyond {req}"),
    ("within_km", 2): N_("{label}: {value} > {req}"),
    ("within_min", 0): N_("{value} to {dest}, {prov} (within {req})"),
    ("within_min", 1): N_("{value} to {dest}, {prov}: just beyond {req}"),
    ("within_min", 2): N_("{value} to {dest}, {prov}: more than {req}"),
    ("by", 0): N_("Available from {value}, by {req}"),
    ("by", 1): N_("Available from {value}: within 90 days of {req}"),
    ("by", 2): N_("Available from {value}, after {req}"),
    ("any", 0): N_("{label}: {value} (wanted {req})"),
    ("any", 1): N_("{label}: {value}, conditional (wanted {req})"),
    ("any", 2): N_("{label}: {value}, not {req}"),
    ("all", 0): N_("{label}: {value} (wanted {req})"),
    ("all", 1): N_("{label}: permitted but implementation plan to be approved"),
    ("all", 2): N_("{label}: {value}, lacks {req}"),
    ("true", 0): N_("{label}: yes"),
    ("true", 2): N_("{label}: no"),
}
UNKNOWN_REASON = N_("{label}: value missing")
#: How a drive time was made, as a reason says it (the provenance of ``drive_<kind>_min``).
DRIVE_PROVENANCE = {"estimated": N_("estimated"), "computed": N_("computed")}
#: Drive kind -> the infrastructure kind whose layer it needs (geo.routing.drive.DRIVE_KINDS).
DRIVE_LAYER = {"drive_motorway_min": "motorway_junction", "drive_rail_station_min": "rail_station",
               "drive_rail_terminal_min": "rail_freight_terminal", "drive_port_min": "port"}
LAYER_REASON = N_("{label}: layer '{kind}' not loaded (geo import infrastructure FILE --kind {kind})")


def reason(index: SearchIndex, c: Criterion, row: int, code: int, lang: str = "en") -> str:
    """The one-line reason for one site and one criterion."""
    _ = translator(lang)
    label = c.label(lang)
    if code == UNKNOWN:
        if c.column in index.missing_layers:
            kind = DRIVE_LAYER.get(c.column) or c.column.removeprefix("dist_").removesuffix("_km")
            return _(LAYER_REASON).format(label=label, kind=kind)
        return _(UNKNOWN_REASON).format(label=label)
    op = c.op
    key = (op, code)
    if op == "any" and c.column == "permitted_uses" and code == CONDITIONAL:
        key = ("all", 1)
    template = REASON.get(key) or REASON.get((op, 2 if code == FAIL else 0))
    v = _values(index, c, np.array([row]))[0]
    if op == "within_min" and c.column == "drive_point":
        template = REASON[("within_km", code if code in (PASS, CONDITIONAL) else FAIL)]
    elif op == "within_min":
        site = index.sites.iloc[row]
        dest = site.get(c.column.removesuffix("_min") + "_to") or "—"
        prov = DRIVE_PROVENANCE.get(site.get(c.column + "__prov"))
        return _(template).format(value=_fmt_value(c, v, lang), dest=dest, prov=_(prov) if prov else "—",
                                  req=_fmt_required(c, lang))
    return _(template).format(label=label, value=_fmt_value(c, v, lang), req=_fmt_required(c, lang))


def reasons(index: SearchIndex, brief: Brief, rows: Sequence[int], codes: np.ndarray, lang: str = "en"
            ) -> list[list[str]]:
    """Reasons for each of ``rows`` (one list per site, one string per criterion)."""
    return [[reason(index, c, int(r), int(codes[i, j]), lang) for j, c in enumerate(brief.criteria)]
            for i, r in enumerate(rows)]
