"""``geo sheet`` and ``geo dossier``: the site sheets and dossiers of the pages, from the command line.

Staff batch them, tests and reviews read them. Every id is checked before anything is rendered, every
document is rendered before anything is written, and the files are written atomically
(:func:`geo.atomic_files.write_files_atomic`): an unknown id, a bad brief or a full disk writes nothing.
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from geo.i18n import LOCALES, N_, translator


def register(sub: argparse._SubParsersAction) -> None:
    s = sub.add_parser("sheet", help=N_("write site sheets (PDF or HTML) as investors get them"))
    s.add_argument("ids", nargs="+", metavar="ID", help=N_("site ids"))
    out = s.add_mutually_exclusive_group(required=True)
    out.add_argument("--pdf", metavar="OUT", help=N_("PDF file (one id) or folder (several ids)"))
    out.add_argument("--html", metavar="OUT", help=N_("HTML file (one id) or folder (several ids)"))
    _common(s)
    s.set_defaults(func=_sheet)
    d = sub.add_parser("dossier", help=N_("write a dossier (PDF) of several sites: summary, comparison, sheets"))
    d.add_argument("ids", nargs="+", metavar="ID", help=N_("site ids, in the dossier's order"))
    d.add_argument("--pdf", metavar="OUT", required=True, help=N_("PDF file"))
    d.add_argument("--title", help=N_("title of the dossier (default: the brief's name)"))
    _common(d)
    d.set_defaults(func=_dossier)


def _common(p: argparse.ArgumentParser) -> None:
    # SUPPRESS: without it here, the global ``geo --lang`` stands (one language for messages and document).
    p.add_argument("--lang", choices=list(LOCALES), default=argparse.SUPPRESS, help=N_("language of the document"))
    p.add_argument("--brief", help=N_("investor brief (JSON file): its verdicts on each site"))
    p.add_argument("--staff", action="store_true", help=N_("unpublished listings and staff-only fields too"))


def _safe(site_id: str) -> str:
    """A site id as a file name (ids are letters, digits and dashes; anything else becomes '_')."""
    return re.sub(r"[^A-Za-z0-9_.-]", "_", site_id)[:100] or "site"


def _open(args):
    from geo.catalogue import open_catalogue
    from geo.search import Brief

    brief = Brief.load(args.brief) if args.brief else None  # a bad brief is said before the catalogue is opened
    return open_catalogue(args.catalogue_path), brief


def _targets(out: str, ids: list[str], lang: str, ext: str, catalogue) -> dict[str, Path]:
    """Where each id's document goes: ``out`` itself for one id, ``out/<id>_<lang>.<ext>`` for several."""
    from geo.catalogue.ownership import refuse_catalogue_as_output

    option = "--" + ext
    refuse_catalogue_as_output(out, catalogue, option=option, kind=ext)
    if len(ids) == 1 and not Path(out).is_dir():
        return {ids[0]: Path(out)}
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    targets = {sid: folder / f"{_safe(sid)}_{lang}.{ext}" for sid in ids}
    for t in targets.values():
        refuse_catalogue_as_output(t, catalogue, option=option, kind=ext)
    return targets


def _sheet(args) -> int:
    from geo.atomic_files import write_files_atomic
    from geo.render.documents import Sources, sheet_document, site_records

    fmt = "pdf" if args.pdf else "html"
    ids = list(dict.fromkeys(args.ids))
    cat, brief = _open(args)
    role = "staff" if args.staff else "public"
    site_records(cat, ids, role)  # every unknown id is said at once, before anything is rendered
    sources = Sources.of(cat)
    docs = {sid: sheet_document(cat, sid, args.lang, fmt, role=role, brief=brief, sources=sources) for sid in ids}
    targets = _targets(args.pdf or args.html, ids, args.lang, fmt, args.catalogue_path)
    write_files_atomic({targets[sid]: data for sid, data in docs.items()})
    for sid in ids:
        print(targets[sid])
    return 0


def _dossier(args) -> int:
    from geo.atomic_files import write_files_atomic
    from geo.catalogue.ownership import refuse_catalogue_as_output
    from geo.render.documents import dossier_document

    refuse_catalogue_as_output(args.pdf, args.catalogue_path, option="--pdf", kind="pdf")
    cat, brief = _open(args)
    data = dossier_document(cat, args.ids, args.lang, role="staff" if args.staff else "public", brief=brief,
                            title=args.title)
    write_files_atomic({args.pdf: data})
    _ = translator(args.lang)
    n = len(dict.fromkeys(args.ids))
    print(args.pdf)
    print(_.ngettext("{n} site", "{n} sites", n).format(n=_.integer(n)))
    return 0
