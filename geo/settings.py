"""Every setting the software reads from its environment, in one typed place.

Read once per call of :func:`settings` (cheap: a few ``os.environ`` look-ups), so tests and
deployments change them by setting environment variables, never by editing code.

=======================  =============================================  ==========================
variable                 meaning                                        default
=======================  =============================================  ==========================
``GEO_CATALOGUE``        GeoPackage path or ``postgresql://`` URL        ``data/catalogue.gpkg``
``GEO_AUTH_MODE``        ``local`` (development) or unset (OIDC)          unset
``GEO_LOCAL_ROLE``       role in local mode                             ``public``
``GEO_ROLES``            ``email=role,...`` for OIDC users               empty
``GEO_RECONFIRM_MONTHS`` months after which a listing is due             ``6``
``GEO_DEBUG``            show tracebacks on the command line            off
``GEO_PG_SCHEMA``        PostGIS: the schema holding the catalogue      ``lombardy``
                         (never ``public``; lower-case letters, digits
                         and ``_``, at most 63)
``GEO_SMTP_URL``         ``smtp://user:pw@host:587`` or ``smtps://...``   unset (no e-mail sent)
``GEO_MAIL_FROM``        the sender of every e-mail                     ``noreply@localhost``
``GEO_STAFF_EMAILS``     staff addresses told of new submissions and    empty
                         enquiries (comma-separated)
``GEO_PUBLIC_URL``       the app's address, for links in e-mails        unset (relative links)
=======================  =============================================  ==========================

>>> import os; os.environ["GEO_RECONFIRM_MONTHS"] = "3"; settings().reconfirm_months
3
>>> del os.environ["GEO_RECONFIRM_MONTHS"]
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field

from geo.errors import UserError
from geo.i18n import N_

DEFAULT_CATALOGUE = "data/catalogue.gpkg"
DEFAULT_PG_SCHEMA = "lombardy"


@dataclass(frozen=True)
class Settings:
    catalogue: str = DEFAULT_CATALOGUE
    auth_mode: str | None = None
    local_role: str = "public"
    roles: dict[str, str] = field(default_factory=dict)
    reconfirm_months: int = 6
    debug: bool = False
    pg_schema: str = DEFAULT_PG_SCHEMA
    smtp_url: str | None = None
    mail_from: str = "noreply@localhost"
    staff_emails: tuple[str, ...] = ()
    public_url: str | None = None


def _months(raw: str) -> int:
    try:
        months = int(raw)
    except ValueError:
        raise UserError(N_("GEO_RECONFIRM_MONTHS must be a number of months, not {value}."), value=repr(raw)) from None
    if months < 1:
        raise UserError(N_("GEO_RECONFIRM_MONTHS must be at least 1."))
    return months


def _schema(raw: str) -> str:
    """A PostgreSQL schema of our own: a plain lower-case name, not ``public`` nor a system schema."""

    if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", raw) or raw == "public" or raw.startswith("pg_") \
            or raw == "information_schema":
        raise UserError(N_("GEO_PG_SCHEMA must be a schema of the catalogue's own (lower-case letters, digits and "
                           "_, at most 63, not public, information_schema or pg_*), not {value}."), value=repr(raw))
    return raw


def _auth_mode(raw: str) -> str | None:
    if raw in ("", "oidc"):
        return None
    if raw != "local":
        raise UserError(N_("GEO_AUTH_MODE must be 'local' (development) or unset (log-in through OIDC), "
                           "not {value}."), value=repr(raw))
    return "local"


def _role(raw: str, variable: str) -> str:
    from geo.catalogue.access import ROLES

    if raw not in ROLES:
        raise UserError(N_("{variable} names an unknown role {value}: the roles are {roles}."),
                        variable=variable, value=repr(raw), roles=", ".join(ROLES))
    return raw


def _roles(raw: str) -> dict[str, str]:
    roles = {}
    for pair in raw.split(","):
        if not pair.strip():
            continue
        if "=" not in pair:
            raise UserError(N_("GEO_ROLES must be a list of email=role separated by commas; {value} has no '='."),
                            value=repr(pair.strip()))
        email, role = pair.split("=", 1)
        roles[email.strip().lower()] = _role(role.strip(), "GEO_ROLES")
    return roles


_ADDRESS = re.compile(r"^[^@\s<>,]+@[^@\s<>,]+$")


def _smtp(raw: str) -> str:
    from geo.mail.transport import SmtpTransport

    SmtpTransport.from_url(raw, "check@localhost")
    return raw


def _address(raw: str, variable: str) -> str:
    if not _ADDRESS.match(raw.strip()):
        raise UserError(N_("{variable} must be an e-mail address, not {value}."), variable=variable, value=repr(raw))
    return raw.strip()


def _addresses(raw: str) -> tuple[str, ...]:
    return tuple(_address(a, "GEO_STAFF_EMAILS") for a in raw.split(",") if a.strip())


def _public_url(raw: str) -> str:
    if not re.match(r"^https?://[^\s/]+", raw):
        raise UserError(N_("GEO_PUBLIC_URL must be the app's address starting with https:// (or http://), "
                           "not {value}."), value=repr(raw))
    return raw.rstrip("/")


#: Every variable the software reads, in the order ``geo settings`` shows them.
VARIABLES = ("GEO_CATALOGUE", "GEO_AUTH_MODE", "GEO_LOCAL_ROLE", "GEO_ROLES", "GEO_RECONFIRM_MONTHS", "GEO_DEBUG",
             "GEO_PG_SCHEMA", "GEO_SMTP_URL", "GEO_MAIL_FROM", "GEO_STAFF_EMAILS", "GEO_PUBLIC_URL")

#: Each variable and its strict check (a bad value raises a UserError naming the variable).
_CHECKS = {
    "GEO_AUTH_MODE": _auth_mode,
    "GEO_LOCAL_ROLE": lambda raw: _role(raw, "GEO_LOCAL_ROLE"),
    "GEO_ROLES": _roles,
    "GEO_RECONFIRM_MONTHS": _months,
    "GEO_PG_SCHEMA": _schema,
    "GEO_SMTP_URL": _smtp,
    "GEO_MAIL_FROM": lambda raw: _address(raw, "GEO_MAIL_FROM"),
    "GEO_STAFF_EMAILS": _addresses,
    "GEO_PUBLIC_URL": _public_url,
}


def problems() -> list[UserError]:
    """Every setting with a bad value, each as the error that names it (empty when all are good).

    What ``geo settings`` prints and the app checks before any page: a deployment learns of every bad
    value at start, not from a page that breaks later. Stricter than :func:`settings`, which reads an
    unknown role as no role (the session is public: fail closed) so that a typo never grants access.
    """
    found = []
    for variable, check in _CHECKS.items():
        raw = os.environ.get(variable)
        if raw:
            try:
                check(raw)
            except UserError as exc:
                found.append(exc)
    return found


def settings() -> Settings:
    """The settings as the environment gives them now (a UserError for a bad value)."""
    env = os.environ
    roles = {}
    for pair in env.get("GEO_ROLES", "").split(","):
        if "=" in pair:
            email, role = pair.split("=", 1)
            roles[email.strip().lower()] = role.strip()
    return Settings(
        catalogue=env.get("GEO_CATALOGUE") or DEFAULT_CATALOGUE,
        auth_mode="local" if env.get("GEO_AUTH_MODE") == "local" else None,
        local_role=env.get("GEO_LOCAL_ROLE", "public"),
        roles=roles,
        reconfirm_months=_months(env["GEO_RECONFIRM_MONTHS"]) if env.get("GEO_RECONFIRM_MONTHS") else 6,
        debug=bool(env.get("GEO_DEBUG")),
        pg_schema=_schema(env["GEO_PG_SCHEMA"]) if env.get("GEO_PG_SCHEMA") else DEFAULT_PG_SCHEMA,
        smtp_url=env.get("GEO_SMTP_URL") or None,
        mail_from=(env.get("GEO_MAIL_FROM") or "noreply@localhost").strip(),
        staff_emails=tuple(a.strip() for a in env.get("GEO_STAFF_EMAILS", "").split(",") if a.strip()),
        public_url=(env.get("GEO_PUBLIC_URL") or "").rstrip("/") or None,
    )
