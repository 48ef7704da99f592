"""``geo catalogue copy|upgrade|status``: moving a catalogue between stores and migrating its schema."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("catalogue", help="copy a catalogue between GeoPackage and PostGIS; upgrade its schema")
    csub = p.add_subparsers(dest="catalogue_command", required=True, metavar="ACTION")

    c = csub.add_parser("copy", help="copy every table of SRC into DST (a .gpkg path or a postgresql:// URL)")
    c.add_argument("src", help="source catalogue: a GeoPackage path or postgresql://user@host:port/db")
    c.add_argument("dst", help="destination catalogue: a GeoPackage path or postgresql://user@host:port/db")
    c.add_argument("--overwrite", action="store_true", help="replace DST when it already holds a catalogue")
    c.set_defaults(func=_copy)

    u = csub.add_parser("upgrade", help="migrate the catalogue (--catalogue) to this software's schema")
    u.add_argument("--revision", default="head", help="target revision (default: the newest)")
    u.set_defaults(func=_upgrade)

    s = csub.add_parser("status", help="the catalogue's schema revision and any problem found in it")
    s.set_defaults(func=_status)


def _copy(args: argparse.Namespace) -> int:
    from geo.catalogue.transfer import copy_catalogue, display

    counts = copy_catalogue(args.src, args.dst, overwrite=args.overwrite)
    for name, n in sorted(counts.items()):
        print(f"{name:24s} {n:6d}")
    print(f"copied {len(counts)} tables from {display(args.src)} to {display(args.dst)}")
    from geo.catalogue import migrate

    rev = migrate.current(args.dst)
    if rev != migrate.HEAD:
        print(f"{display(args.dst)} is at schema revision {rev}; bring it to {migrate.HEAD} with: "
              f"geo --catalogue {display(args.dst)} catalogue upgrade")
    return 0


def _upgrade(args: argparse.Namespace) -> int:
    from geo.catalogue import migrate
    from geo.catalogue.transfer import display

    before = migrate.current(args.catalogue_path)
    migrate.upgrade(args.catalogue_path, args.revision)
    after = migrate.current(args.catalogue_path)
    where = display(args.catalogue_path)
    if before == after:
        print(f"{where} is already at revision {after}")
    else:
        print(f"{where} upgraded from {before or 'baseline (no revision recorded)'} to {after}")
    return 0


def _status(args: argparse.Namespace) -> int:
    from geo.catalogue import migrate
    from geo.catalogue.db import connect
    from geo.catalogue.transfer import display

    db = connect(args.catalogue_path)
    where = display(args.catalogue_path)
    if not db.exists():
        print(f"{where}: no catalogue")
        return 1
    rev = migrate.current(args.catalogue_path)
    print(f"{where}: revision {rev or 'none (baseline)'}, software head {migrate.HEAD}"
          + ("" if rev == migrate.HEAD else " -- run `geo catalogue upgrade`"))
    problems = db.check()
    for p in problems:
        print(f"problem: {p}")
    return 1 if problems else 0
