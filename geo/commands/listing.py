"""``geo listing template|check|submit``."""

from __future__ import annotations

import argparse

from geo.i18n import N_, translator


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("listing", help=N_("owner listings: Excel template, check, submit"))
    s = p.add_subparsers(dest="what", required=True, metavar="WHAT")
    t = s.add_parser("template", help=N_("write the Excel template"))
    t.add_argument("out")
    t.set_defaults(func=_template)
    c = s.add_parser("check", help=N_("check a filled workbook; exit 0 when valid, 1 with the problems"))
    c.add_argument("file")
    c.set_defaults(func=_check)
    m = s.add_parser("submit", help=N_("check and submit a workbook as 'submitted' listings"))
    m.add_argument("file")
    m.add_argument("--token", help=N_("owner's private token (omit for a new owner)"))
    m.add_argument("--media", action="append", default=[], metavar="FILE",
                   help=N_("a photo (JPEG, PNG, WebP) or plan (PDF) to submit with the workbook; repeat for "
                           "more. It goes to the row whose attachment columns name it (or to the only site)"))
    m.add_argument("--caption", action="append", default=[], metavar="TEXT",
                   help=N_("caption of the --media file in the same position (plain text)"))
    m.set_defaults(func=_submit)


def _template(args) -> int:
    from geo.catalogue.ownership import refuse_catalogue_as_output
    from geo.listing.template import write_template

    refuse_catalogue_as_output(args.out, args.catalogue_path, option="OUT", kind="xlsx")

    write_template(args.out, args.lang)
    print(args.out)
    return 0


def _check_file(args):
    from geo.catalogue import open_catalogue
    from geo.listing.check import check_workbook
    from geo.listing.workbook import read_bytes

    read_bytes(args.file)  # a folder, a device or a missing file is said before the catalogue is opened
    cat = open_catalogue(args.catalogue_path)
    return cat, check_workbook(args.file, cat.places())


def _check(args) -> int:
    _, res = _check_file(args)
    if res.issues:
        print(res.report(args.lang))
    from geo.schema.fields import FIELD

    _ = translator(args.lang)
    for s in res.sites:
        # The labels the owner sees in the template and on the page, not the storage codes.
        missing = [FIELD[k].label(args.lang) if k in FIELD else k for k in s.missing[:8]]
        more = len(s.missing) - len(missing)
        print(_("row {row}: completeness {share}; missing: {missing}").format(
            row=s.row, share=_.percent(s.completeness),
            missing="; ".join(missing) + (" " + _("(and {n} more)").format(n=more) if more > 0 else "")
            if missing else _("nothing")))
    ok = res.ok
    print(_("VALID") if ok else _("INVALID"))
    return 0 if ok else 1


def _submit(args) -> int:
    from geo.listing.submission import submit

    from geo.media.prepare import prepare_media, read_upload

    uploads = [read_upload(path, caption) for path, caption in
               zip(args.media, args.caption + [""] * (len(args.media) - len(args.caption)))]
    cat, res = _check_file(args)
    if not res.ok:
        print(res.report(args.lang))
        return 1
    media = prepare_media(uploads, res.sites)  # every check before the transaction: a refusal stores nothing
    rec = submit(cat, res, token=args.token, actor="cli", lang=args.lang, media=media)
    _ = translator(args.lang)
    print(_.ngettext("submission {id}: {n} site ({sites})", "submission {id}: {n} sites ({sites})",
                     len(rec.site_ids)).format(id=rec.submission_id, n=len(rec.site_ids), sites=", ".join(rec.site_ids)))
    if rec.token:
        # "owner token" starts the line in every language: scripts take the token from its last word.
        print(_("owner token (keep it private, shown once): {token}").format(token=rec.token))
    _deliver_now(cat, _)
    return 0


def _deliver_now(cat, _) -> None:
    """Send the messages the action queued before the command ends (a failure stays queued: said, not fatal)."""
    from geo.mail.outbox import deliver_due
    from geo.settings import settings

    if not settings().smtp_url:
        return
    report = deliver_due(cat)
    if not report.ok:
        print(_("{n} e-mail messages could not be sent yet: they stay queued ('geo mail status').").format(
            n=len(report.retrying) + len(report.failed)))
