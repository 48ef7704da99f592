"""Secrets never printed: geo.redact.redact on every form, and every command and page with a secret in its target."""

from __future__ import annotations

import logging
import socket

import pytest

from geo.cli import main
from geo.redact import MASK, RedactingFilter, display, redact

SECRET = "s3cret"


@pytest.mark.parametrize("text, kept", [
    ("postgresql://u:s3cret@db:5432/lombardy", "postgresql://u:***@db:5432/lombardy"),
    ("postgres://u:s3cret@db/x", "postgres://u:***@db/x"),
    ("postgresql+psycopg://u:s3cret@db/x", "postgresql+psycopg://u:***@db/x"),
    ("postgresql://u@127.0.0.1:9/db?password=s3cret", "postgresql://u@127.0.0.1:9/db?password=***"),
    ("postgresql://u@h/db?sslmode=require&password=s3cret&application_name=geo",
     "postgresql://u@h/db?sslmode=require&password=***&application_name=geo"),
    ("postgresql://u@h/db?PASSWORD=s3cret", "postgresql://u@h/db?PASSWORD=***"),
    ("postgresql://u@h/db?passfile=/tmp/s3cret", "postgresql://u@h/db?passfile=***"),
    ("postgresql://u:s3cret@h/db?password=s3cret", "postgresql://u:***@h/db?password=***"),
    ("host=db user=u password=s3cret dbname=x", "host=db user=u password=*** dbname=x"),
    ("host=db password = s3cret dbname=x", "host=db password = *** dbname=x"),
    ("host=db password='s3 cret' dbname=x", "host=db password=*** dbname=x"),
    ("host=db password='s3\\'cret' dbname=x", "host=db password=*** dbname=x"),
    ("passfile=/home/u/.pgpass host=db", "passfile=*** host=db"),
    ("PGPASSWORD=s3cret psql -h db", "PGPASSWORD=*** psql -h db"),
    ("sslpassword=s3cret", "sslpassword=***"),
    ("error: cannot connect to postgresql://u:s3cret@h/db: refused", "error: cannot connect to postgresql://u:***@h/db: refused"),
    ("Catalogue not found: postgresql://u@h/db?password=s3cret. Build it", "Catalogue not found: postgresql://u@h/db?password=***. Build it"),
    ("'postgresql://u:s3cret@h/db'", "'postgresql://u:***@h/db'"),
])
def test_secrets_in_every_form_are_masked_and_the_rest_kept(text, kept):
    assert redact(text) == kept
    assert "s3cret" not in redact(text) and "s3 cret" not in redact(text)


def test_a_password_with_an_at_sign_and_an_encoded_one_are_masked_everywhere_in_the_text():
    assert redact("postgresql://u:p@ss@db/x") == "postgresql://u:***@db/x"
    assert redact("postgresql://u:s3%40cret@db/x failed for s3@cret") == "postgresql://u:***@db/x failed for ***"
    assert redact("postgresql://u@db/x?password=s3%26cret and s3&cret") == "postgresql://u@db/x?password=*** and ***"


def test_the_value_of_pgpassword_is_masked_wherever_it_appears(monkeypatch):
    monkeypatch.setenv("PGPASSWORD", "hunter22")
    assert redact('FATAL: password "hunter22" rejected') == 'FATAL: password "***" rejected'
    monkeypatch.setenv("PGPASSWORD", "ab")  # too short to hunt in free text (see MIN_SECRET)
    assert redact("a cab stand") == "a cab stand"


def test_text_without_secrets_is_unchanged():
    for text in ["postgresql://u@h:5432/db", "/data/catalogue.gpkg", "password: required", "a=b&c=d",
                 "user:name@example.org wrote", "passwords=3", "my_password=x"]:
        assert redact(text) == text
    assert display("postgresql://u:pw12@h/db") == f"postgresql://u:{MASK}@h/db"


def test_the_log_filter_masks_messages_arguments_and_tracebacks(caplog):
    log = logging.getLogger("geo.test_redact")
    log.addFilter(RedactingFilter())
    try:
        with caplog.at_level(logging.INFO, logger="geo.test_redact"):
            log.info("opening %s", "postgresql://u:s3cret@h/db")
            try:
                raise RuntimeError("connection to postgresql://u@h/db?password=s3cret failed")
            except RuntimeError:
                log.exception("failed")
    finally:
        log.filters.clear()
    assert "opening postgresql://u:***@h/db" in caplog.text
    assert SECRET not in caplog.text and "failed" in caplog.text


# ------------------------------------------------------- every command, every page
def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # closed once the socket is: nothing listens there


@pytest.fixture(params=["password", "passfile", "userinfo"])
def secret_url(request, monkeypatch) -> str:
    monkeypatch.setenv("PGPASSWORD", SECRET)
    port = _closed_port()
    return {"password": f"postgresql://u@127.0.0.1:{port}/db?password={SECRET}",
            "passfile": f"postgresql://u@127.0.0.1:{port}/db?passfile=/tmp/{SECRET}",
            "userinfo": f"postgresql://u:{SECRET}@127.0.0.1:{port}/db"}[request.param]


COMMANDS = [["build", "--no-demo"], ["info"], ["search", "--near", "Cremona"], ["catalogue", "status"],
            ["catalogue", "upgrade"], ["catalogue", "backup", "{tmp}/b.gpkg"],
            ["catalogue", "restore", "{backup}", "--force"]]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c[:2]))
def test_no_command_prints_the_secret(command, secret_url, built_catalogue, tmp_path, capsys):
    argv = [a.format(tmp=tmp_path, backup=built_catalogue) for a in command]
    code = main(["--catalogue", secret_url, *argv])
    out = capsys.readouterr()
    assert code != 0
    assert SECRET not in out.out + out.err
    assert "127.0.0.1" in out.out + out.err  # the message still says where


def test_copy_prints_no_secret_either_way(secret_url, built_catalogue, tmp_path, capsys):
    assert main(["catalogue", "copy", str(built_catalogue), secret_url]) == 1
    assert main(["catalogue", "copy", secret_url, str(tmp_path / "c.gpkg")]) == 1
    out = capsys.readouterr()
    assert SECRET not in out.out + out.err and "127.0.0.1" in out.err


def test_the_app_shows_the_error_without_the_secret(secret_url, monkeypatch):
    from streamlit.testing.v1 import AppTest

    from tests.web.test_pages import APP

    monkeypatch.setenv("GEO_CATALOGUE", secret_url)
    monkeypatch.setenv("GEO_AUTH_MODE", "local")
    monkeypatch.setenv("GEO_LOCAL_ROLE", "staff")
    for page in ("home", "find"):
        at = AppTest.from_file(APP, default_timeout=60)
        at.query_params["lang"] = "en"
        if page != "home":
            at.switch_page(f"geo/web/pages/{page}.py")
        at.run()
        assert not at.exception
        shown = " ".join(str(e.value) for kind in (at.error, at.warning, at.info, at.markdown) for e in kind)
        assert "127" in shown  # the message is there, naming the server
        assert SECRET not in shown


@pytest.mark.parametrize("url", [
    "postgresql://u:s3cret@127.0.0.1:notaport/db",
    "postgresql://u@127.0.0.1:{port}/db?password=s3cret&bogus=1",
    "postgresql://u@127.0.0.1:{port}/db?password=s3cret&sslmode=bogus",
    "postgresql://u:s3%40cret@[::1/db",
    "postgresql://u@127.0.0.1:{port}/db?password=%73%33cret",
])
@pytest.mark.parametrize("command", [["info"], ["catalogue", "upgrade"], ["build", "--no-demo"]], ids=" ".join)
def test_malformed_urls_whose_errors_quote_them_print_no_secret(url, command, capsys):
    assert main(["--catalogue", url.format(port=_closed_port()), *command]) != 0
    out = capsys.readouterr()
    assert SECRET not in out.out + out.err and "s3@cret" not in out.out + out.err
    assert out.err.startswith("error: ")
