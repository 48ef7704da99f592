"""Does what a sheet shows agree with itself and with the computed facts? (an audit of a catalogue).

Every figure a reader sees for one fact (the distance to the nearest motorway exit, railway
station, airport) must be written the same way in the sheet's table, the location map's legend,
the brief's reasons and the HTML sheet; the demo data must not contradict the computed facts
printed beside it. Run it on a catalogue::

    .venv/bin/python -m geo.demo.audit data/catalogue.gpkg

It prints the counts the tests hold at zero (``tests/test_truth.py``).
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from typing import Any, Iterable

import numpy as np

#: The distances a sheet shows, by criterion key: (computed column, kind in the location legend or None).
FACTS = {"motorway_junction_km": ("dist_motorway_junction_km", "motorway_junction"),
         "rail_station_km": ("dist_rail_station_km", "rail_station"),
         "airport_km": ("dist_airport_km", None)}
#: Declared (owner) road distances and the computed straight line they sit beside.
DECLARED = {"motorway_junction_km": "dist_motorway_junction_km", "rail_station_km": "dist_rail_station_km",
            "airport_km": "dist_airport_km"}
_KM = re.compile(r"(\d[\d.,\u202f\xa0]*)\s*km(?!/h)")  # a speed (km/h) is no distance


def km_figures(text: str) -> list[str]:
    """The kilometre figures written in ``text`` ("3,2 km" -> "3,2").

    >>> km_figures("Uscita autostradale: Agrate — 3,2 km in linea d'aria; 12 km; a 40 km/h")
    ['3,2', '12']
    """
    return [m.group(1).strip() for m in _KM.finditer(text)]


@dataclass
class SheetAudit:
    """The figures of one sheet in one language, by fact and by place on the sheet."""

    site_id: str
    lang: str
    figures: dict[str, dict[str, set[str]]] = field(default_factory=dict)  # fact -> place -> figures
    #: km figures in the HTML text that are no distance of the record as the sheet writes it (another rounding)
    unexplained: set[str] = field(default_factory=set)

    def conflicts(self) -> dict[str, dict[str, set[str]]]:
        """The facts written with more than one figure."""
        return {k: v for k, v in self.figures.items() if len(set().union(*v.values())) > 1}


def _add(a: SheetAudit, fact: str, where: str, figures: Iterable[str]) -> None:
    figs = set(figures)
    if figs:
        a.figures.setdefault(fact, {}).setdefault(where, set()).update(figs)


def audit_sheet(record: dict[str, Any], location, reasons: dict[str, str], lang: str) -> SheetAudit:
    """The figures of one site's sheet: table rows, location legend, brief reasons and the HTML.

    ``reasons`` maps a criterion key of :data:`FACTS` to its reason for this site.
    """
    from geo.render import render_sheet_html
    from geo.render.location import legend_lines
    from geo.render.values import sheet_rows
    from geo.schema import FIELD

    a = SheetAudit(str(record.get("site_id")), lang)
    labels = {FIELD[col].label(lang): key for key, (col, _kind) in FACTS.items()}
    for _g, _label, rows in sheet_rows(record, lang):
        for label, value, _prov in rows:
            if label in labels:
                _add(a, labels[label], "table", km_figures(value))
    legend = legend_lines(location, lang) if location is not None else []
    kinds = {kind: key for key, (_c, kind) in FACTS.items() if kind}
    if location is not None:
        for n, line in zip(location.nearest, legend):
            if n.kind in kinds:
                _add(a, kinds[n.kind], "legend", km_figures(line))
    for key, text in reasons.items():
        _add(a, key, "reasons", km_figures(text)[:1])  # the site's value; the brief's requirement follows
    page = re.sub(r"<svg.*?</svg>|<style.*?</style>", " ", render_sheet_html(record, lang, location=location),
                  flags=re.S)  # the map's scale bar is not a distance of the site
    html = re.sub(r"<[^>]+>", " ", page)
    html_figs = set(km_figures(html))
    from geo.render.values import display_value

    expected = {f for k in FIELD if FIELD[k].unit == "km" for f in km_figures(display_value(k, record.get(k), lang))}
    expected |= {f for line in legend for f in km_figures(line)}
    a.unexplained = html_figs - expected
    for key, places in a.figures.items():
        shown = set().union(*places.values())
        _add(a, key, "html", shown & html_figs)
        missing = shown - html_figs
        if missing:
            _add(a, key, "html-missing", {f"missing {m}" for m in missing})
    return a


def audit_catalogue(target, langs: tuple[str, ...] = ("en", "it")) -> list[SheetAudit]:
    """Audit the sheet of every site of the catalogue at ``target`` in each language."""
    from geo.catalogue import open_catalogue
    from geo.render.location import location_context, metric_layers
    from geo.search.brief import Brief, Criterion
    from geo.search.engine import search
    from geo.search.index import SearchIndex

    cat = open_catalogue(target)
    sites = cat.sites(statuses=None)
    layers = metric_layers(provinces=cat.layer("provinces"), motorways=cat.layer("motorways"),
                           railways=cat.layer("railways"), infrastructure=cat.layer("infrastructure"))
    mun = cat.layer("municipalities")
    brief = Brief(criteria=[Criterion(k, 10.0) for k in FACTS])
    res = search(SearchIndex.from_sites(sites), None, brief, role="staff")
    out = []
    for rec in cat.records(list(sites["site_id"]), role="staff"):
        if rec is None:
            continue
        loc = location_context(dict(rec), municipalities=mun[mun["istat"] == rec.get("municipality_istat")],
                               **layers)
        for lang in langs:
            texts = {c.key: r for c, (_l, _v, r) in zip(brief.criteria, res.explain(rec["site_id"], lang))}
            out.append(audit_sheet(dict(rec), loc, texts, lang))
    return out


@dataclass
class DemoAudit:
    """How far demo declarations stray from the computed facts beside them."""

    declared: int = 0             # declared road distances with a computed straight line beside them
    below_straight: int = 0       # declared road distance shorter than the straight line
    motorway_declared: int = 0
    motorway_off_5km: int = 0     # declared motorway distance more than 5 km from the computed one
    verified: int = 0
    verified_off_5km: int = 0     # a "verified" distance more than 5 km from the computed one
    verified_out_of_tolerance: int = 0
    sites: int = 0
    by_kind: dict[str, list[int]] = field(default_factory=dict)  # key -> [declared, below straight, verified off]


def audit_demo(records: Iterable[dict[str, Any]]) -> DemoAudit:
    """Count demo declarations that contradict the computed distances (see :class:`DemoAudit`)."""
    from geo.demo.sites import within_tolerance

    a = DemoAudit()
    for r in records:
        a.sites += 1
        for key, col in DECLARED.items():
            d, c = r.get(key), r.get(col)
            if d is None or c is None or np.isnan(float(d)) or np.isnan(float(c)):
                continue
            d, c = float(d), float(c)
            a.declared += 1
            a.below_straight += d < c - 1e-9
            k = a.by_kind.setdefault(key, [0, 0, 0])
            k[0] += 1
            k[1] += d < c - 1e-9
            k[2] += r.get(f"{key}__prov") == "verified" and abs(d - c) > 5
            if key == "motorway_junction_km":
                a.motorway_declared += 1
                a.motorway_off_5km += abs(d - c) > 5
            if r.get(f"{key}__prov") == "verified":
                a.verified += 1
                a.verified_off_5km += abs(d - c) > 5
                a.verified_out_of_tolerance += not within_tolerance(d, c)
    return a


def main(argv: list[str] | None = None) -> int:  # pragma: no cover - a reporting script
    from geo.catalogue import open_catalogue
    from geo.layers.infrastructure import motorway_exits, unreadable_exit_names

    target = (argv or sys.argv[1:] or ["data/catalogue.gpkg"])[0]
    sheets = audit_catalogue(target)
    bad = [s for s in sheets if s.conflicts() or s.unexplained]
    print(f"sheets (site x language): {len(sheets)}; with two figures for one distance: {len(bad)} "
          f"({len({s.site_id for s in bad})} sites)")
    for s in bad[:10]:
        print("  ", s.site_id, s.lang, {k: {w: sorted(f) for w, f in v.items()} for k, v in s.conflicts().items()},
              sorted(s.unexplained))
    cat = open_catalogue(target)
    sites = cat.sites(statuses=None)
    print("demo:", audit_demo(r for r in sites.drop(columns="geometry").to_dict("records")))
    names = motorway_exits()["name"].tolist()
    print(f"motorway exit names holding road-graph codes: {len(unreadable_exit_names(names))} of {len(names)}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
