"""``geo listing template|check|submit``."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("listing", help="owner listings: Excel template, check, submit")
    s = p.add_subparsers(dest="what", required=True, metavar="WHAT")
    t = s.add_parser("template", help="write the Excel template")
    t.add_argument("out")
    t.set_defaults(func=_template)
    c = s.add_parser("check", help="check a filled workbook; exit 0 when valid, 1 with the problems")
    c.add_argument("file")
    c.set_defaults(func=_check)
    m = s.add_parser("submit", help="check and submit a workbook as 'submitted' listings")
    m.add_argument("file")
    m.add_argument("--token", help="owner's private token (omit for a new owner)")
    m.set_defaults(func=_submit)


def _template(args) -> int:
    from pathlib import Path

    from geo.errors import UserError
    from geo.listing.template import write_template

    if "://" not in str(args.catalogue_path) and Path(args.out).resolve() == Path(args.catalogue_path).resolve():
        raise UserError(f"{args.out} è il catalogo: scegliere un altro nome per il modello.",
                        f"{args.out} is the catalogue: choose another name for the template.")

    write_template(args.out, args.lang)
    print(args.out)
    return 0


def _check_file(args):
    from geo.catalogue import open_catalogue
    from geo.listing.check import check_workbook
    from geo.listing.workbook import read_bytes

    read_bytes(args.file)  # a folder, a device or a missing file is said before the catalogue is opened
    cat = open_catalogue(args.catalogue_path)
    return cat, check_workbook(args.file, cat.places(), args.lang)


def _check(args) -> int:
    _, res = _check_file(args)
    if res.issues:
        print(res.report(args.lang))
    it = args.lang == "it"
    for s in res.sites:
        print(f"{'riga' if it else 'row'} {s.row}: {'completezza' if it else 'completeness'} {s.completeness:.0%}; "
              f"{'mancano' if it else 'missing'}: {', '.join(s.missing[:8]) or '-'}")
    ok = res.ok
    print(("VALIDO" if args.lang == "it" else "VALID") if ok else ("NON VALIDO" if args.lang == "it" else "INVALID"))
    return 0 if ok else 1


def _submit(args) -> int:
    from geo.listing.submission import submit

    cat, res = _check_file(args)
    if not res.ok:
        print(res.report(args.lang))
        return 1
    rec = submit(cat, res, token=args.token, actor="cli")
    print(f"submission {rec.submission_id}: {len(rec.site_ids)} sites ({', '.join(rec.site_ids)})")
    if rec.token:
        print(f"owner token (keep it private, shown once): {rec.token}")
    return 0
