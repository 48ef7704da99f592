"""SMTP delivery to the server named by ``GEO_SMTP_URL``.

``smtp://[user:password@]host[:port]`` (plain, STARTTLS when the server offers it and ``?starttls=required``
makes it mandatory), ``smtps://...`` (TLS from the first byte, port 465). The sender is ``GEO_MAIL_FROM``.
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from urllib.parse import parse_qs, unquote, urlsplit

from geo.errors import UserError
from geo.i18n import N_

#: Seconds to wait for the SMTP server at each step: a page waits this long at most before the mail
#: stays queued (a local relay answers in milliseconds).
TIMEOUT_S = 10.0


@dataclass(frozen=True)
class SmtpTransport:
    host: str
    port: int
    sender: str
    user: str | None = None
    password: str | None = None
    tls: bool = False  # smtps: TLS from the first byte
    starttls: str = "opportunistic"  # or "required"
    timeout: float = TIMEOUT_S

    @classmethod
    def from_url(cls, url: str, sender: str) -> "SmtpTransport":
        """The transport of ``url`` (a UserError naming GEO_SMTP_URL when it is not an SMTP URL)."""
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise UserError(N_("GEO_SMTP_URL must look like smtp://user:password@host:587 or smtps://host:465, "
                               "not {value}."), value=f"{parts.scheme}://{parts.hostname or ''}")
        try:
            port = parts.port or (465 if parts.scheme == "smtps" else 25)
        except ValueError:
            raise UserError(N_("GEO_SMTP_URL has a port that is not a number.")) from None
        mode = parse_qs(parts.query).get("starttls", ["opportunistic"])[0]
        if mode not in ("opportunistic", "required", "off"):
            raise UserError(N_("GEO_SMTP_URL: starttls must be opportunistic, required or off, not {value}."),
                            value=mode)
        return cls(host=parts.hostname, port=port, sender=sender,
                   user=unquote(parts.username) if parts.username else None,
                   password=unquote(parts.password) if parts.password else None,
                   tls=parts.scheme == "smtps", starttls=mode)

    def send(self, message: EmailMessage) -> None:
        """Deliver one message; an ``OSError`` or ``smtplib.SMTPException`` when the server does not take it."""
        message["From"] = self.sender
        context = ssl.create_default_context()
        if self.tls:
            server: smtplib.SMTP = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout, context=context)
        else:
            server = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        with server:
            if not self.tls and self.starttls != "off":
                server.ehlo()
                if server.has_extn("starttls"):
                    server.starttls(context=context)
                    server.ehlo()
                elif self.starttls == "required":
                    raise smtplib.SMTPNotSupportedError("the server does not offer STARTTLS")
            if self.user:
                server.login(self.user, self.password or "")
            server.send_message(message)

