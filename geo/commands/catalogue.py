"""``geo catalogue copy|upgrade|status``: moving a catalogue between stores and migrating its schema."""

from __future__ import annotations

import argparse

from geo.i18n import N_, translator


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("catalogue", help=N_("copy a catalogue between GeoPackage and PostGIS; upgrade its schema"))
    csub = p.add_subparsers(dest="catalogue_command", required=True, metavar="ACTION")

    c = csub.add_parser("copy", help=N_("copy every table of SRC into DST (a .gpkg path or a postgresql:// URL)"))
    c.add_argument("src", help=N_("source catalogue: a GeoPackage path or postgresql://user@host:port/db"))
    c.add_argument("dst", help=N_("destination catalogue: a GeoPackage path or postgresql://user@host:port/db"))
    c.add_argument("--overwrite", action="store_true", help=N_("replace DST when it already holds a catalogue"))
    c.set_defaults(func=_copy)

    u = csub.add_parser("upgrade", help=N_("migrate the catalogue (--catalogue) to this software's schema"))
    u.add_argument("--revision", default="head", help=N_("target revision (default: the newest)"))
    u.set_defaults(func=_upgrade)

    s = csub.add_parser("status", help=N_("the catalogue's schema revision and any problem found in it"))
    s.set_defaults(func=_status)


def _copy(args: argparse.Namespace) -> int:
    from geo.catalogue.transfer import copy_catalogue, display

    from geo.commands.build import _print_counts

    _ = translator(args.lang)
    counts = copy_catalogue(args.src, args.dst, overwrite=args.overwrite)
    _print_counts(counts, _)
    print(_.ngettext("copied {n} table from {src} to {dst}", "copied {n} tables from {src} to {dst}",
                     len(counts)).format(n=len(counts), src=display(args.src), dst=display(args.dst)))
    from geo.catalogue import migrate

    rev = migrate.current(args.dst)
    if rev != migrate.HEAD:
        print(_("{catalogue} is at schema revision {rev}; bring it to {head} with: geo --catalogue {catalogue} "
                "catalogue upgrade").format(catalogue=display(args.dst), rev=rev, head=migrate.HEAD))
    return 0


def _upgrade(args: argparse.Namespace) -> int:
    from geo.catalogue import migrate
    from geo.catalogue.transfer import display

    _ = translator(args.lang)
    before = migrate.current(args.catalogue_path)
    migrate.upgrade(args.catalogue_path, args.revision)
    after = migrate.current(args.catalogue_path)
    where = display(args.catalogue_path)
    if before == after:
        print(_("{catalogue} is already at revision {rev}").format(catalogue=where, rev=after))
    else:
        print(_("{catalogue} upgraded from {before} to {after}").format(
            catalogue=where, before=before or _("baseline (no revision recorded)"), after=after))
    return 0


def _status(args: argparse.Namespace) -> int:
    from geo.catalogue import migrate
    from geo.catalogue.db import connect
    from geo.catalogue.transfer import display

    _ = translator(args.lang)
    db = connect(args.catalogue_path)
    where = display(args.catalogue_path)
    if not db.exists():
        if getattr(db, "legacy", None) is not None and db.legacy():
            print(_("{catalogue}: a catalogue in the layout before schemas (tables in public) -- run `geo "
                    "catalogue upgrade`").format(catalogue=where))
        else:
            print(_("{catalogue}: no catalogue").format(catalogue=where))
        return 1
    rev = migrate.current(args.catalogue_path)
    line = _("{catalogue}: revision {rev}, software head {head}").format(
        catalogue=where, rev=rev or _("none (baseline)"), head=migrate.HEAD)
    print(line + ("" if rev == migrate.HEAD else " -- " + _("run `geo catalogue upgrade`")))
    problems = db.check()
    for p in problems:
        print(_("problem: {problem}").format(problem=p))
    foreign = db.foreign()  # a catalogue file is data: code or tables that are not ours are reported
    for f in foreign:
        print(_("not ours, writes are refused until it is removed: {kind} {name}").format(kind=f.kind, name=f.name))
    return 1 if problems or foreign else 0
