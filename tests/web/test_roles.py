"""Roles in both modes (local and OIDC), and the staff/analyst pages showing nothing but the refusal to others.

The role comes from the server only: ``GEO_AUTH_MODE=local`` + ``GEO_LOCAL_ROLE``, or an OIDC login whose
e-mail is mapped by ``GEO_ROLES`` / the secrets' ``[roles]`` table. Anything unknown (an e-mail, a role
name, a missing login) is ``public``, the least privileged role; never staff.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "app.py")
PAGES = ROOT / "geo" / "web" / "pages"
AUTH = {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "not-a-secret",
        "client_id": "id", "client_secret": "secret", "server_metadata_url": "https://idp.invalid/.well-known"}
#: Pages and the roles they admit (app.py's SPEC; the pages check it again themselves).
RESTRICTED = {"staff": ("staff",), "analyst": ("staff", "analyst")}


def _whoami():
    import streamlit as st

    from geo.web.auth import actor, auth_mode, current_role

    st.text(f"{auth_mode()}|{current_role()}|{actor()}")


def whoami(monkeypatch, *, mode=None, local_role=None, roles=None, secrets_roles=None, oidc=False, user=None):
    for var, value in (("GEO_AUTH_MODE", mode), ("GEO_LOCAL_ROLE", local_role), ("GEO_ROLES", roles)):
        if value is None:
            monkeypatch.delenv(var, raising=False)
        else:
            monkeypatch.setenv(var, value)
    at = AppTest.from_function(_whoami, default_timeout=30)
    if oidc:
        at.secrets["auth"] = AUTH
    if secrets_roles is not None:
        at.secrets["roles"] = secrets_roles
    if user is not None:
        at.user = user
    at.run()
    assert not at.exception, at.exception
    return at.text[0].value


# ------------------------------------------------------------------ local mode
@pytest.mark.parametrize("role", ["staff", "analyst", "owner", "public"])
def test_local_mode_gives_every_session_the_configured_role(monkeypatch, role):
    assert whoami(monkeypatch, mode="local", local_role=role) == f"local|{role}|{role}:local"


@pytest.mark.parametrize("role", ["admin", "Staff", "staff ", "", "root"])
def test_an_unknown_local_role_is_public(monkeypatch, role):
    assert whoami(monkeypatch, mode="local", local_role=role) == "local|public|public:local"


def test_local_mode_without_a_role_is_public(monkeypatch):
    assert whoami(monkeypatch, mode="local") == "local|public|public:local"


@pytest.mark.parametrize("mode", ["LOCAL", "oidc", "staff", ""])
def test_only_the_exact_word_local_switches_local_mode_on(monkeypatch, mode):
    assert whoami(monkeypatch, mode=mode, local_role="staff") == "none|public|public:local"


def test_local_mode_wins_over_an_oidc_login(monkeypatch):
    got = whoami(monkeypatch, mode="local", local_role="analyst", roles="boss@example.com=staff", oidc=True,
                 user={"email": "boss@example.com", "is_logged_in": True})
    assert got == "local|analyst|analyst:local"


# ------------------------------------------------------------------ OIDC mode
ROLES = "boss@example.com=staff, Ana@Example.com = analyst,own@example.com=owner,odd@example.com=root,broken"


@pytest.mark.parametrize("email,role", [
    ("boss@example.com", "staff"), ("BOSS@example.COM", "staff"), ("ana@example.com", "analyst"),
    ("own@example.com", "owner"),
    ("stranger@example.com", "public"),  # unknown e-mail
    ("odd@example.com", "public"),       # mapped to a role that does not exist
    ("broken", "public"), ("", "public"),
])
def test_oidc_maps_the_login_email_to_a_role(monkeypatch, email, role):
    got = whoami(monkeypatch, roles=ROLES, oidc=True, user={"email": email, "is_logged_in": True})
    assert got == f"oidc|{role}|{role}:{email}"


def test_oidc_user_without_an_email_is_public(monkeypatch):
    got = whoami(monkeypatch, roles=ROLES, oidc=True, user={"is_logged_in": True})
    assert got == "oidc|public|public:?"


def test_oidc_before_login_is_public(monkeypatch):
    assert whoami(monkeypatch, roles=ROLES, oidc=True, user={"email": "boss@example.com", "is_logged_in": False}
                  ) == "oidc|public|public:local"
    assert whoami(monkeypatch, roles=ROLES, oidc=True, user={"email": "boss@example.com"}) == "oidc|public|public:local"


def test_oidc_roles_from_the_secrets_table_override_the_environment(monkeypatch):
    secrets_roles = {"Boss@Example.com": "analyst", "new@example.com": "staff", "x@example.com": "superuser"}
    kw = dict(roles=ROLES, secrets_roles=secrets_roles, oidc=True)
    assert whoami(monkeypatch, user={"email": "boss@example.com", "is_logged_in": True}, **kw).split("|")[1] == \
        "analyst"
    assert whoami(monkeypatch, user={"email": "NEW@example.com", "is_logged_in": True}, **kw).split("|")[1] == "staff"
    assert whoami(monkeypatch, user={"email": "own@example.com", "is_logged_in": True}, **kw).split("|")[1] == "owner"
    assert whoami(monkeypatch, user={"email": "x@example.com", "is_logged_in": True}, **kw).split("|")[1] == "public"


def test_a_broken_roles_table_in_the_secrets_is_ignored(monkeypatch):
    got = whoami(monkeypatch, roles=ROLES, secrets_roles="not a table", oidc=True,
                 user={"email": "boss@example.com", "is_logged_in": True})
    assert got == "oidc|staff|staff:boss@example.com"


def test_without_local_mode_or_oidc_everyone_is_public(monkeypatch):
    # A user dict claiming a login means nothing without an [auth] section.
    got = whoami(monkeypatch, roles=ROLES, user={"email": "boss@example.com", "is_logged_in": True})
    assert got == "none|public|public:local"


def test_without_a_secrets_file_there_is_no_oidc(monkeypatch, tmp_path):
    """Outside a Streamlit run and with no secrets.toml anywhere, reading the secrets fails: that is 'no OIDC'."""
    from geo.web.auth import actor, auth_mode, current_role

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("GEO_AUTH_MODE", raising=False)
    monkeypatch.setenv("GEO_ROLES", ROLES)
    assert (auth_mode(), current_role(), actor()) == ("none", "public", "public:local")
    monkeypatch.setenv("GEO_AUTH_MODE", "local")
    monkeypatch.setenv("GEO_LOCAL_ROLE", "owner")
    assert (auth_mode(), current_role(), actor()) == ("local", "owner", "owner:local")


def test_settings_parse_the_roles_variable(monkeypatch):
    from geo.settings import settings

    monkeypatch.setenv("GEO_ROLES", ROLES)
    assert settings().roles == {"boss@example.com": "staff", "ana@example.com": "analyst",
                                "own@example.com": "owner", "odd@example.com": "root"}
    monkeypatch.delenv("GEO_ROLES")
    assert settings().roles == {} and settings().local_role == "public" and settings().auth_mode is None


# ------------------------------------------------------------------ pages refused: nothing but the refusal
def rendered(at: AppTest) -> list:
    """Every element the run put on the page (empty sidebar and event blocks are not content)."""
    def leaves(node):
        children = getattr(node, "children", None)
        if children:
            for c in children.values():
                yield from leaves(c)
        elif node.type not in ("sidebar", "event"):
            yield node
    return list(leaves(at._tree))


def assert_only_refusal(at: AppTest, role: str, lang: str = "it") -> None:
    assert not at.exception, at.exception
    shown = rendered(at)
    assert [n.type for n in shown] == ["error"], [(n.type, getattr(n, "value", None)) for n in shown]
    if lang == "en":
        assert shown[0].value == f"Access not allowed for role '{role}'."
    else:  # the refusal in Italian
        assert "consentit" in shown[0].value


def run_page_file(page: str, lang: str = "it") -> AppTest:
    at = AppTest.from_file(str(PAGES / f"{page}.py"), default_timeout=60)
    at.query_params["lang"] = lang
    return at


DENIED_LOCAL = [(p, r) for p, ok in RESTRICTED.items() for r in ("staff", "analyst", "owner", "public", "admin")
                if r not in ok]


@pytest.fixture()
def published(monkeypatch, published_catalogue):
    monkeypatch.setenv("GEO_CATALOGUE", str(published_catalogue))
    return published_catalogue


def publish_demo_run(source, path) -> None:
    """Copy the demo catalogue at ``source`` to ``path`` and publish one brownfield run into it."""
    import shutil
    import tempfile

    from geo.brownfield.run import detect, publish
    from geo.brownfield.sources import scene_from_path
    from tests.brownfield.synthetic import scene_arrays, write_stack

    shutil.copy2(source, path)
    tmp = Path(tempfile.mkdtemp(dir=Path(path).parent))
    s0 = scene_from_path(write_stack(tmp / "a.tif", scene_arrays(120, 0)), "2019-06-01", level="L2A")
    s1 = scene_from_path(write_stack(tmp / "b.tif", scene_arrays(120, 1)), "2021-06-01", level="L2A")
    publish(detect([s0, s1], budget=0.1), path)  # the 4 ha site + its 50 m halo: ~6% of the town


@pytest.fixture(scope="module")
def published_catalogue(built_catalogue, tmp_path_factory):
    """The demo catalogue with one published brownfield run (candidates an owner must never see)."""
    import os
    import shutil

    path = tmp_path_factory.mktemp("roles") / "catalogue.gpkg"
    prebuilt = os.environ.get("GEO_TEST_PUBLISHED_CATALOGUE")  # tests/mutation/run.py makes it once
    if prebuilt:
        shutil.copy2(prebuilt, path)
    else:
        publish_demo_run(built_catalogue, path)
    return path


@pytest.mark.parametrize("page,role", DENIED_LOCAL)
@pytest.mark.parametrize("lang", ["it", "en"])
def test_restricted_pages_show_only_the_refusal_in_local_mode(monkeypatch, published, page, role, lang):
    monkeypatch.setenv("GEO_AUTH_MODE", "local")
    monkeypatch.setenv("GEO_LOCAL_ROLE", role)
    at = run_page_file(page, lang)
    at.run()
    assert_only_refusal(at, role if role in ("staff", "analyst", "owner", "public") else "public", lang)


DENIED_OIDC = [(p, e, r) for p, ok in RESTRICTED.items()
               for e, r in (("boss@example.com", "staff"), ("ana@example.com", "analyst"),
                            ("own@example.com", "owner"), ("stranger@example.com", "public"),
                            ("odd@example.com", "public"))
               if r not in ok]


@pytest.mark.parametrize("page,email,role", DENIED_OIDC)
def test_restricted_pages_show_only_the_refusal_in_oidc_mode(monkeypatch, published, page, email, role):
    monkeypatch.delenv("GEO_AUTH_MODE", raising=False)
    monkeypatch.setenv("GEO_ROLES", ROLES)
    at = run_page_file(page, "en")
    at.secrets["auth"] = AUTH
    at.user = {"email": email, "is_logged_in": True}
    at.run()
    assert_only_refusal(at, role, "en")


@pytest.mark.parametrize("page", sorted(RESTRICTED))
def test_restricted_pages_refuse_a_visitor_who_has_not_logged_in(monkeypatch, published, page):
    monkeypatch.delenv("GEO_AUTH_MODE", raising=False)
    monkeypatch.setenv("GEO_ROLES", ROLES)
    at = run_page_file(page)
    at.secrets["auth"] = AUTH
    at.user = {"email": "boss@example.com", "is_logged_in": False}
    at.run()
    assert_only_refusal(at, "public")


@pytest.mark.parametrize("page,email", [("staff", "boss@example.com"), ("analyst", "boss@example.com"),
                                        ("analyst", "ana@example.com")])
def test_admitted_oidc_users_see_the_page(monkeypatch, published, page, email):
    monkeypatch.delenv("GEO_AUTH_MODE", raising=False)
    monkeypatch.setenv("GEO_ROLES", ROLES)
    at = run_page_file(page, "en")
    at.secrets["auth"] = AUTH
    at.user = {"email": email, "is_logged_in": True}
    at.run()
    assert not at.exception and not at.error
    assert len(rendered(at)) > 3
    if page == "analyst":
        assert any(s.value.startswith("1 candidat") for s in at.subheader)  # what the others must not see


@pytest.mark.parametrize("role,pages", [("public", {"home", "find", "sheet", "shortlist", "owner"}),
                                        ("owner", {"home", "find", "sheet", "shortlist", "owner"}),
                                        ("analyst", {"home", "find", "sheet", "shortlist", "owner", "analyst"}),
                                        ("staff", {"home", "find", "sheet", "shortlist", "owner", "analyst",
                                                   "staff"})])
def test_navigation_lists_restricted_pages_only_for_their_roles(monkeypatch, published, role, pages):
    monkeypatch.setenv("GEO_AUTH_MODE", "local")
    monkeypatch.setenv("GEO_LOCAL_ROLE", role)
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert not at.exception
    for page in {"staff", "analyst"} & pages:
        at.switch_page(f"geo/web/pages/{page}.py")  # registered for this role
    for page in {"staff", "analyst"} - pages:
        with pytest.raises(ValueError, match="navigation page"):  # not registered at all
            at.switch_page(f"geo/web/pages/{page}.py")
