"""``geo brownfield detect|evaluate|reference import|reference list|runs``."""

from __future__ import annotations

import argparse
import json
import sys

from geo.i18n import N_, translator


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("brownfield", help=N_("Sentinel-2 brownfield candidates: detect, evaluate, list runs"))
    s = p.add_subparsers(dest="what", required=True, metavar="WHAT")
    d = s.add_parser("detect", help=N_("detect candidate disused sites from two or more dates"))
    d.add_argument("--scene", action="append", default=[], metavar="DATE=PATH",
                   help=N_("a scene: folder of band files or multi-band GeoTIFF (repeat for each date)"))
    d.add_argument("--band-order", help=N_("band codes of a multi-band file without descriptions, e.g. B02,B03,..."))
    d.add_argument("--level", choices=["L1C", "L2A"], help=N_("processing level when the files do not say"))
    d.add_argument("--stac", help=N_("STAC API URL or a static catalog.json path"))
    d.add_argument("--aoi", help=N_("area of interest (GeoJSON/GeoPackage)"))
    d.add_argument("--from", dest="start", help=N_("YYYY-MM-DD"))
    d.add_argument("--to", dest="end", help=N_("YYYY-MM-DD"))
    d.add_argument("--max-cloud", type=float, default=20.0,
                   help=N_("skip STAC items above this cloud cover (default 20; composites mask clouds with SCL, so "
                           "a higher value such as 60 keeps more observations)"))
    d.add_argument("--years", help=N_("STAC: the two (or more) years whose growing-season composites are compared, "
                                      "e.g. 2019,2024 (default: the first and last year found)"))
    d.add_argument("--per-date", action="store_true",
                   help=N_("STAC: compare single acquisitions instead of growing-season composites (the old path)"))
    d.add_argument("--min-clear", type=int, default=3,
                   help=N_("composites: fewer clear observations in a year than this = no data (default 3)"))
    d.add_argument("--scheduler", help=N_("composites: Dask scheduler address (tcp://HOST:8786) of an existing "
                                          "cluster; 'sync' = one process; default: a new LocalCluster"))
    d.add_argument("--workers", type=int, default=2, help=N_("LocalCluster workers (default 2)"))
    d.add_argument("--memory-limit", default="2GiB", help=N_("LocalCluster memory per worker (default 2GiB)"))
    d.add_argument("--chunk", type=int, default=1024, help=N_("composites: chunk side in pixels (default 1024)"))
    d.add_argument("--work-dir", help=N_("composites: where finished chunks are kept until the run is written "
                                         "(default OUT.parts); a run started again resumes from them"))
    d.add_argument("--landuse", help=N_("productive land-use polygons restricting the candidates"))
    d.add_argument("--register", help=N_("a reference register (labels candidates 'in register')"))
    d.add_argument("--method", choices=["rules", "baseline"], default="rules")
    d.add_argument("--budget", type=float, default=0.05,
                   help=N_("share of the analysed area the ranked short list may cover (default 0.05 = 5%%); "
                           "the other candidates are kept with in_budget = false"))
    d.add_argument("--out", required=True, help=N_("output GeoPackage"))
    d.add_argument("--publish", action="store_true", help=N_("also publish to the catalogue (atomic)"))
    d.add_argument("--learned", action="store_true",
                   help=N_("rank with a gradient-boosting scorer trained on the catalogue's confirm/reject decisions "
                           "(falls back to the rules below --min-decisions)"))
    d.add_argument("--min-decisions", type=int, default=20, help=N_("decisions needed for --learned (default 20)"))
    d.set_defaults(func=_detect)
    e = s.add_parser("evaluate", help=N_("recall, flagged share, lift, precision@k against a reference"))
    e.add_argument("--candidates", required=True)
    e.add_argument("--reference", required=True,
                   help=N_("a reference file (points or polygons), or the name of a reference imported into the "
                           "catalogue with 'geo brownfield reference import'"))
    e.add_argument("--tolerance-m", type=float, default=50.0)
    e.add_argument("--aoi", help=N_("analysed area (default: the run's analysed_area layer)"))
    e.add_argument("--where", help=N_("pandas query on the reference, e.g. \"typology in ['Produttivo']\""))
    e.add_argument("--label-column", help=N_("boolean column: True = brownfield, False = negative"))
    e.add_argument("--min-score", type=float, default=0.0)
    e.add_argument("--budgets", default="0.01,0.02,0.05,0.10",
                   help=N_("area budgets for the ranked short list table (comma-separated shares)"))
    e.add_argument("--extent", help=N_("a reference file's coverage: 'hull' (the convex hull of its sites) or a "
                                       "GeoJSON/GeoPackage of the area it covers; the evaluation is restricted to it "
                                       "(default: the whole analysed area; a catalogue reference keeps its own)"))
    e.add_argument("--seed", type=int, default=0, help=N_("seed of the bootstrap and chance draws (default 0)"))
    e.add_argument("--resamples", type=int, default=2000, help=N_("bootstrap resamples (default 2000)"))
    e.add_argument("--draws", type=int, default=999, help=N_("chance draws of each baseline (default 999)"))
    e.add_argument("--json", action="store_true")
    e.set_defaults(func=_evaluate)
    ref = s.add_parser("reference", help=N_("reference registers to evaluate against: import, list"))
    rs = ref.add_subparsers(dest="action", required=True, metavar="ACTION")
    ri = rs.add_parser("import", help=N_("import points or polygons (GeoJSON or GeoPackage) as a named reference"))
    ri.add_argument("file")
    ri.add_argument("--name", required=True, help=N_("the name evaluate --reference will use"))
    ri.add_argument("--source", help=N_("where the file comes from (default: the file name)"))
    ri.add_argument("--licence", help=N_("licence of the file (default: not declared)"))
    ri.add_argument("--extent", help=N_("polygons of the area the reference covers (default: the convex hull of its "
                                        "sites grown by 50 m)"))
    ri.add_argument("--replace", action="store_true", help=N_("replace a reference of the same name"))
    ri.set_defaults(func=_reference_import)
    rl = rs.add_parser("list", help=N_("the references in the catalogue"))
    rl.set_defaults(func=_reference_list)
    r = s.add_parser("runs", help=N_("runs published in the catalogue"))
    r.set_defaults(func=_runs)


def _read(path):
    from geo.brownfield.run import read_frame

    return read_frame(path)


def _request(args):
    """The command line as a :class:`~geo.brownfield.run.RunRequest` (parsing only)."""
    import datetime as dt

    from geo.brownfield.run import RunRequest
    from geo.errors import UserError

    scenes = []
    for item in args.scene:
        date, sep, path = item.partition("=")
        if not sep:
            raise UserError(N_("--scene needs DATE=PATH, got '{item}'"), item=item)
        scenes.append((date, path))
    return RunRequest(
        out=args.out, catalogue_path=args.catalogue_path, scenes=scenes,
        band_order=args.band_order.split(",") if args.band_order else None, level=args.level, stac=args.stac,
        aoi=args.aoi, start=dt.date.fromisoformat(args.start) if args.start else None,
        end=dt.date.fromisoformat(args.end) if args.end else None, max_cloud=args.max_cloud,
        years=[int(y) for y in args.years.split(",")] if args.years else None, per_date=args.per_date,
        min_clear=args.min_clear, scheduler=args.scheduler, workers=args.workers, memory_limit=args.memory_limit,
        chunk=args.chunk, work_dir=args.work_dir, landuse=args.landuse, register=args.register, method=args.method,
        budget=args.budget, publish=args.publish, learned=args.learned, min_decisions=args.min_decisions)


def _detect(args) -> int:
    from tqdm import tqdm

    from geo.brownfield.run import execute

    _ = translator(getattr(args, "lang", "en"))
    req = _request(args)
    bar = tqdm(total=0, unit="chunk" if req.composites else "block", file=sys.stderr, disable=None)

    def progress(i, n):
        bar.total = n
        bar.update(i - bar.n)

    def notify(event, **values):
        if event == "dask":
            print(_("Dask: {address}  dashboard: {link}").format(address=values["address"],
                                                                 link=values["dashboard"]), file=sys.stderr)

    try:
        res = execute(req, progress=progress, notify=notify)
    finally:
        bar.close()
    info = res.record.get("scorer_info") if req.learned else None
    if info and "fallback" in info:
        why = info.get("fallback_text", {}).get(_.lang) or info["fallback"]
        print(_("learned scorer not used: {why}; ranked by {scorer}").format(why=why, scorer=info["name"]),
              file=sys.stderr)
    elif info:
        print(_.ngettext("ranked by {scorer}: {n} decision, cross-validated AUC {auc}",
                         "ranked by {scorer}: {n} decisions, cross-validated AUC {auc}", info["n_decisions"])
              .format(scorer=info["name"], n=_.integer(info["n_decisions"]), auc=_.number(info["cv_auc"], 3)),
              file=sys.stderr)
    n = len(res.candidates)
    print(_.ngettext("{run}: {n} candidate in {seconds} s -> {out}", "{run}: {n} candidates in {seconds} s -> {out}", n)
          .format(run=res.run_id, n=_.integer(n), seconds=_.number(res.record["timings_s"]["total"], 2), out=args.out))
    for w in res.record["warnings"]:  # recorded in every language of the interface
        print(_("WARNING: {message}").format(message=w.get(_.lang) or w["en"]), file=sys.stderr)
    return 0


def _evaluate(args) -> int:
    from geo.brownfield.evaluate import assess, evaluate, format_assessment
    from geo.brownfield.evaluations import record_evaluation
    from geo.brownfield.references import load_reference
    from geo.brownfield.runfile import read_run

    run = read_run(args.candidates)
    cands = run.candidates[run.candidates["score"] >= args.min_score]
    ref = load_reference(args.reference, args.catalogue_path, extent=args.extent)
    frame = ref.frame
    if args.where:
        frame = frame.query(args.where)
    if args.aoi:
        analysed_area = _read(args.aoi).to_crs(32632).geometry.union_all()
    elif run.analysed_area is not None:
        analysed_area = run.analysed_area.to_crs(32632).geometry.union_all()
    else:
        analysed_area = cands.to_crs(32632).geometry.union_all().envelope
    if ref.coverage is not None:  # a reference covering part of the area: judge only where it looked
        analysed_area = analysed_area.intersection(ref.coverage)
    ev = evaluate(cands, frame, analysed_area, args.tolerance_m, args.label_column)
    budgets = tuple(float(b) for b in args.budgets.split(","))
    pos = frame[frame[args.label_column].astype(bool)] if args.label_column and args.label_column in frame else frame
    a = assess(cands, pos, analysed_area, args.tolerance_m, budgets, naive=run.naive, seed=args.seed,
               n_boot=args.resamples, n_chance=args.draws)
    count = record_evaluation(args.candidates, run.record, ref, args, a)
    _ = translator(getattr(args, "lang", "en"))
    if args.json:
        tables = {"ranked" if k == "ours" else k: f.table.to_dict("records") for k, f in a.rankings.items()}
        print(json.dumps({**ev.to_dict(), "budgets": tables, "assessment": a.to_dict(),
                          "evaluations_of_this_reference": count}, indent=2))
        return 0
    print(ev.table(_.lang))
    if ref.coverage is not None:
        print(_("evaluated only inside the reference's coverage ({how}): {share} of the run's area").format(
            how=ref.coverage_text(_.lang), share=_.percent(ref.coverage_share(run, analysed_area))))
    names = {"ours": _("ours: the run's ranked short list (this run's rank)"),
             "naive": _("naive object ranking (components of BSI > 0 on every date, by size x mean BSI)"),
             "ours_short": _("ours"), "naive_short": _("naive")}
    print()
    print(format_assessment(a, names, _.lang))
    print()
    print(_.ngettext("This reference ({reference}) has been used {n} time for scorers of the {family} family "
                     "(this evaluation included): a figure reached after many tries says little.",
                     "This reference ({reference}) has been used {n} times for scorers of the {family} family "
                     "(this evaluation included): a figure reached after many tries says little.", count)
          .format(reference=ref.label, n=_.integer(count), family=count_family(run.record)))
    return 0


def count_family(record: dict | None) -> str:
    from geo.brownfield.evaluations import scorer_family

    return scorer_family(record)


def _reference_import(args) -> int:
    from geo.brownfield.references import import_reference
    from geo.catalogue import open_catalogue

    _ = translator(getattr(args, "lang", "en"))
    row = import_reference(open_catalogue(args.catalogue_path), args.file, args.name, args.source, args.licence,
                           args.extent, replace=args.replace)
    how = _("declared extent") if row["coverage"] == "declared" else _("convex hull of the sites + 50 m")
    print(_.ngettext("reference {name}: {n} site ({kind}), coverage: {how}, licence: {licence}",
                     "reference {name}: {n} sites ({kind}), coverage: {how}, licence: {licence}", row["n_sites"])
          .format(name=row["name"], n=_.integer(row["n_sites"]),
                  kind=_("points") if row["kind"] == "point" else _("polygons"), how=how, licence=row["licence"]))
    return 0


def _reference_list(args) -> int:
    from geo.brownfield.references import references
    from geo.catalogue import open_catalogue

    _ = translator(getattr(args, "lang", "en"))
    refs = references(open_catalogue(args.catalogue_path))
    print(refs.to_string(index=False) if len(refs) else _("no references"))
    return 0


def _runs(args) -> int:
    from geo.catalogue import open_catalogue

    _ = translator(getattr(args, "lang", "en"))
    runs = open_catalogue(args.catalogue_path).table("brownfield_runs")
    if len(runs) == 0:
        print(_("no runs"))
    else:
        print(runs.drop(columns=["record_json"]).to_string(index=False))
    return 0
