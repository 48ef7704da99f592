"""``geo catalogue copy|upgrade|status|backup|restore``: moving a catalogue between stores, migrating its schema,
backing it up and restoring it."""

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

    b = csub.add_parser("backup", help=N_("write a verified backup of the catalogue (--catalogue) into the new "
                                          "GeoPackage file DEST"))
    b.add_argument("dest", help=N_("the backup file to create (never overwritten)"))
    b.set_defaults(func=_backup)

    r = csub.add_parser("restore", help=N_("replace the catalogue (--catalogue) with the backup file SRC, in one "
                                           "transaction"))
    r.add_argument("src", help=N_("a backup file written by `geo catalogue backup`"))
    r.add_argument("--force", action="store_true",
                   help=N_("replace an existing catalogue (it is backed up first, and the file named)"))
    r.set_defaults(func=_restore)


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
    from geo.catalogue.stores import connect
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


def _backup(args: argparse.Namespace) -> int:
    import os
    import time

    from geo.catalogue.backup import backup_catalogue
    from geo.commands.build import _print_counts
    from geo.redact import display

    _ = translator(args.lang)
    t0 = time.perf_counter()
    counts = backup_catalogue(args.catalogue_path, args.dest)
    seconds = time.perf_counter() - t0
    _print_counts(counts, _)
    print(_("backed up {catalogue} to {dest}: {n} tables, {rows} rows, {size} MB in {seconds} s; verified "
            "(integrity check, row count of every table)").format(
        catalogue=display(args.catalogue_path), dest=args.dest, n=_.integer(len(counts)),
        rows=_.integer(sum(counts.values())), size=_.number(os.path.getsize(args.dest) / 1e6, 1, trim=False),
        seconds=_.number(seconds, 1, trim=False)))
    return 0


def _restore(args: argparse.Namespace) -> int:
    from geo.catalogue.backup import restore_catalogue
    from geo.commands.build import _print_counts
    from geo.redact import display

    _ = translator(args.lang)
    result = restore_catalogue(args.src, args.catalogue_path, force=args.force)
    _print_counts(dict(result), _)
    if result.kept is not None:
        print(_("the catalogue that was replaced is kept in {path}").format(path=result.kept))
    print(_("restored {src} into {catalogue}: {n} tables, {rows} rows").format(
        src=args.src, catalogue=display(args.catalogue_path), n=_.integer(len(result)),
        rows=_.integer(sum(result.values()))))
    return 0
