"""Who is using the app, decided on the server.

Two modes:

* **OIDC** (production): when ``.streamlit/secrets.toml`` has an ``[auth]``
  section, users log in with Streamlit's built-in ``st.login`` and their role
  comes from ``GEO_ROLES`` (``email=role,email=role``) or the secrets'
  ``[roles]`` table. Unknown users are ``public``.
* **local** (development and tests): ``GEO_AUTH_MODE=local`` and
  ``GEO_LOCAL_ROLE=staff|analyst|owner|public`` fix the role of every session.

Without either, everyone is ``public``. Nothing typed in the URL changes the
role: pages call :func:`require_can`, which stops the script before any data
is read.
"""

from __future__ import annotations

import streamlit as st

from geo.catalogue.access import ROLES, Action, Role, can
from geo.i18n import N_
from geo.settings import settings

#: How each role is named on the page (translated where shown).
ROLE_LABELS: dict[str, str] = {"staff": N_("staff"), "analyst": N_("analyst"), "owner": N_("owner"),
                               "public": N_("public")}


def _oidc_configured() -> bool:
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets file
        return False


def _role_map() -> dict[str, str]:
    out: dict[str, str] = {}
    out.update(settings().roles)
    try:
        out.update({k.lower(): v for k, v in dict(st.secrets.get("roles", {})).items()})
    except Exception:
        pass
    return out


def auth_mode() -> str:
    if settings().auth_mode == "local":
        return "local"
    return "oidc" if _oidc_configured() else "none"


def current_role() -> Role:
    mode = auth_mode()
    if mode == "local":
        role = settings().local_role
        return role if role in ROLES else "public"  # type: ignore[return-value]
    if mode == "oidc" and getattr(st.user, "is_logged_in", False):
        role = _role_map().get(str(st.user.get("email", "")).lower(), "public")
        return role if role in ROLES else "public"  # type: ignore[return-value]
    return "public"


def actor() -> str:
    """Who to record in the change history."""
    if auth_mode() == "oidc" and getattr(st.user, "is_logged_in", False):
        return f"{current_role()}:{st.user.get('email', '?')}"
    return f"{current_role()}:local"


def require_can(action: Action) -> Role:
    """Stop the page unless the session's role may take ``action`` (:func:`geo.catalogue.access.can`)."""
    from geo.web.state import tr
    from geo.web.ui import show

    role = current_role()
    if not can(role, action):
        _ = tr()
        show("error", _("Access not allowed for role '{role}'."), role=_(ROLE_LABELS[role]))
        st.stop()
    return role
