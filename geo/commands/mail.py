"""``geo mail status|deliver|test``: the outbox of the catalogue and the SMTP server of GEO_SMTP_URL."""

from __future__ import annotations

import argparse

from geo.errors import UserError
from geo.i18n import N_, translator


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("mail", help=N_("the e-mail outbox: status, delivery of due messages, a test message"))
    msub = p.add_subparsers(dest="mail_command", required=True, metavar="ACTION")
    s = msub.add_parser("status", help=N_("messages per status, and the error of each failed one"))
    s.set_defaults(func=_status)
    d = msub.add_parser("deliver", help=N_("send the messages that are due (run it from a timer, e.g. every minute)"))
    d.set_defaults(func=_deliver)
    t = msub.add_parser("test", help=N_("send a test message to ADDRESS through GEO_SMTP_URL"))
    t.add_argument("address", help=N_("the e-mail address to send the test message to"))
    t.set_defaults(func=_test)


def _status(args) -> int:
    from geo.catalogue import open_catalogue
    from geo.mail.outbox import outbox_for_staff

    _ = translator(args.lang)
    box = outbox_for_staff(open_catalogue(args.catalogue_path), "staff")
    counts = box["status"].value_counts().to_dict() if len(box) else {}
    print(_("queued {queued}, sending {sending}, sent {sent}, failed {failed}").format(
        **{k: counts.get(k, 0) for k in ("queued", "sending", "sent", "failed")}))
    for _i, row in box[box["status"] == "failed"].iterrows():
        print(_("failed {id} to {to} ({kind}, {attempts} attempts): {error}").format(
            id=row["mail_id"], to=row["recipient"], kind=row["kind"], attempts=row["attempts"], error=row["last_error"]))
    return 0


def _deliver(args) -> int:
    from geo.catalogue import open_catalogue
    from geo.mail.outbox import deliver_due
    from geo.settings import settings

    _ = translator(args.lang)
    if not settings().smtp_url:
        raise UserError(N_("No e-mail server is configured: set GEO_SMTP_URL (e.g. smtp://user:password@host:587)."))
    report = deliver_due(open_catalogue(args.catalogue_path))
    print(_("sent {sent}, to retry {retrying}, failed {failed}").format(
        sent=len(report.sent), retrying=len(report.retrying), failed=len(report.failed)))
    return 0 if report.ok else 1


def _test(args) -> int:
    from email.message import EmailMessage

    from geo.mail.messages import one_line
    from geo.mail.transport import SmtpTransport
    from geo.settings import settings

    _ = translator(args.lang)
    s = settings()
    if not s.smtp_url:
        raise UserError(N_("No e-mail server is configured: set GEO_SMTP_URL (e.g. smtp://user:password@host:587)."))
    msg = EmailMessage()
    msg["To"] = one_line(args.address, 320)
    msg["Subject"] = _("Test message from the Lombardy sites catalogue")
    msg.set_content(_("If you read this, the catalogue can send e-mail through its server."))
    try:
        SmtpTransport.from_url(s.smtp_url, s.mail_from).send(msg)
    except (OSError, Exception) as exc:  # noqa: BLE001 - the server's answer, said in one line
        from geo.redact import redact

        raise UserError(N_("The e-mail server did not take the message: {error}"),
                        error=redact(f"{type(exc).__name__}: {exc}")) from None
    print(_("Test message sent to {address}.").format(address=args.address))
    return 0
