"""Secrets never printed: the one function that takes passwords out of text before anyone sees it.

:func:`redact` is applied to every message and log line that can show a
catalogue target or a database driver's error text (the CLI's error line, the
pages' error boxes, :func:`display` of a target, the log records of ``geo``).
It removes:

- the password of a URL's userinfo (``postgresql://user:pw@host``), also when
  the password holds ``@`` or is percent-encoded;
- the value of ``password``, ``passfile``, ``sslpassword`` and ``sslkey``
  parameters, in a URL query (``?password=...&``) or in a libpq keyword/value
  conninfo (``password=... `` or ``password='a b'``), and ``PGPASSWORD=...``;
- every occurrence of the value of the ``PGPASSWORD`` and ``PGPASSFILE``
  environment variables, and of the passwords found in URLs of the same text
  (decoded as well as encoded), wherever else they appear in it.

A value shorter than :data:`MIN_SECRET` characters is not hunted for in free
text (replacing every "a" would make messages unreadable; a password that short
is no protection anyway); in the forms above it is always removed.

>>> redact("postgresql://u:s3cret@db:5432/lombardy?password=x&sslmode=require")
'postgresql://u:***@db:5432/lombardy?password=***&sslmode=require'
>>> redact("host=db user=u password='a b' dbname=x")
'host=db user=u password=*** dbname=x'
"""

from __future__ import annotations

import logging
import os
import re
from typing import Iterable
from urllib.parse import unquote

__all__ = ["redact", "display", "MASK", "MIN_SECRET", "RedactingFilter", "install_log_filter"]

MASK = "***"
#: Shortest secret looked for everywhere in a text (see the module's docstring).
MIN_SECRET = 4
_KEYS = r"password|passfile|sslpassword|sslkey|pgpassword|pgpassfile"
_SCHEME = r"[A-Za-z][A-Za-z0-9+.\-]*://"
#: scheme://user:password@ -- the password runs to the last "@" of the authority.
_USERINFO = re.compile(rf"(?P<head>{_SCHEME}[^\s:/?#@'\"]*):(?P<pw>[^\s/?#'\"]*)@(?=[^\s@/?#'\"]*(?:[/?#\s'\"]|$))")
#: key=value in a URL query or a conninfo: quoted ('...' with \' escapes) or up to a separator.
_PARAM = re.compile(rf"(?i)(?P<key>(?<![A-Za-z0-9_])(?:{_KEYS}))(?P<eq>\s*=\s*)"
                    r"(?P<value>'(?:[^'\\]|\\.)*'?|\"[^\"]*\"?|[^\s&#;,'\")]+?(?=[:.]?(?:[\s&#;,'\")]|$)))")
_ENV = ("PGPASSWORD", "PGPASSFILE")


def _url_secrets(text: str) -> set[str]:
    found = set()
    for m in _USERINFO.finditer(text):
        found.add(m.group("pw"))
    for m in _PARAM.finditer(text):
        found.add(m.group("value").strip("'\""))
    return {v for s in found for v in (s, unquote(s)) if v}


def redact(text: object, secrets: Iterable[str] = ()) -> str:
    """``text`` without any password or password file it may hold (see the module's docstring).

    Parameters
    ----------
    text
        A connection string, a message, a driver's error text (anything: ``str()`` is taken).
    secrets
        More values to remove wherever they appear (e.g. a password known to the caller).
    """
    s = str(text)
    hunted = _url_secrets(s) | {v for v in secrets if v}
    hunted |= {os.environ[k] for k in _ENV if os.environ.get(k)}
    s = _USERINFO.sub(lambda m: f"{m.group('head')}:{MASK}@", s)
    s = _PARAM.sub(lambda m: f"{m.group('key')}{m.group('eq')}{MASK}", s)
    for value in sorted(hunted, key=len, reverse=True):
        if len(value) >= MIN_SECRET and value != MASK:
            s = s.replace(value, MASK)
    return s


def display(target: object) -> str:
    """A catalogue target (a path or a ``postgresql://`` URL) as messages show it: without secrets."""
    return redact(os.fspath(target) if isinstance(target, os.PathLike) else target)


class RedactingFilter(logging.Filter):
    """A logging filter that passes every record's message (and traceback) through :func:`redact`."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a broken format string is logged as it is
            return True
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        record.msg, record.args = redact(message), None
        return True


def install_log_filter(logger: logging.Logger | None = None) -> None:
    """Redact every record that reaches ``logger``'s handlers (default: the root logger's), once."""
    logger = logger or logging.getLogger()
    targets = list(logger.handlers) or [logger]
    for h in targets:
        if not any(isinstance(f, RedactingFilter) for f in h.filters):
            h.addFilter(RedactingFilter())
