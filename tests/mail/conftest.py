"""A real SMTP server on localhost (aiosmtpd) that keeps every message it receives."""

from __future__ import annotations

import email
import email.policy
import socket
from dataclasses import dataclass, field

import pytest
from aiosmtpd.controller import Controller


@dataclass
class Mailbox:
    """What the local SMTP server received: parsed messages, in arrival order."""

    messages: list = field(default_factory=list)
    refuse: bool = False

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        if self.refuse:
            return "451 4.3.0 try again later"
        msg = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        msg.envelope_to = list(envelope.rcpt_tos)  # type: ignore[attr-defined]
        self.messages.append(msg)
        return "250 OK"

    def to(self, address: str) -> list:
        return [m for m in self.messages if address in m.envelope_to]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture()
def smtp(monkeypatch):
    """A running SMTP server and the settings that point the catalogue at it (staff: two addresses)."""
    box = Mailbox()
    port = free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    monkeypatch.setenv("GEO_SMTP_URL", f"smtp://127.0.0.1:{port}?starttls=off")
    monkeypatch.setenv("GEO_MAIL_FROM", "catalogo@regione.example")
    monkeypatch.setenv("GEO_STAFF_EMAILS", "staff1@regione.example, staff2@regione.example")
    monkeypatch.setenv("GEO_PUBLIC_URL", "https://siti.regione.example")
    box.port = port  # type: ignore[attr-defined]
    yield box
    controller.stop()
