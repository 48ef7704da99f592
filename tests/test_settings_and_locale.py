"""Issue 18 item 10: a bad setting is refused at start and named; times in Rome's clock; place suggestions,
field labels in the CLI checker, translated uploader texts.

Used as an administrator and an owner would: ``geo settings`` and any command with a bad value; the app
started with ``GEO_RECONFIRM_MONTHS=0`` (what used to pass the health check and then break every page);
``geo listing check`` on the template; the brief uploader of the find page in Italian.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from geo.errors import UserError
from geo.i18n import local_today, to_local, translator
from tests.conftest import run_cli

ROOT = Path(__file__).resolve().parents[1]


# ------------------------------------------------------------------ settings checked at start
@pytest.mark.parametrize("variable, value, named", [
    ("GEO_RECONFIRM_MONTHS", "0", "GEO_RECONFIRM_MONTHS"),
    ("GEO_RECONFIRM_MONTHS", "six", "GEO_RECONFIRM_MONTHS"),
    ("GEO_LOCAL_ROLE", "admin", "GEO_LOCAL_ROLE"),
    ("GEO_ROLES", "boss@example.com=root", "GEO_ROLES"),
    ("GEO_ROLES", "boss@example.com", "GEO_ROLES"),
    ("GEO_AUTH_MODE", "locale", "GEO_AUTH_MODE"),
    ("GEO_PG_SCHEMA", "public", "GEO_PG_SCHEMA"),
])
def test_a_bad_setting_stops_every_command_naming_it(monkeypatch, tmp_path, variable, value, named):
    monkeypatch.setenv(variable, value)
    for args in (["settings"], ["--lang", "it", "settings"], ["--catalogue", str(tmp_path / "c.gpkg"), "build"],
                 ["search", "--near", "Cremona"]):
        run = run_cli(*args)
        assert run.returncode == 1, (args, run.stdout, run.stderr)
        assert named in run.stderr and "Traceback" not in run.stderr, run.stderr
    assert not (tmp_path / "c.gpkg").exists()  # the build never started


def test_every_problem_is_listed_at_once_and_a_good_environment_passes(monkeypatch):
    monkeypatch.setenv("GEO_RECONFIRM_MONTHS", "0")
    monkeypatch.setenv("GEO_LOCAL_ROLE", "Staff")
    run = run_cli("--lang", "it", "settings")
    assert run.returncode == 1
    errors = [ln for ln in run.stderr.splitlines() if ln.startswith("errore")]
    assert len(errors) == 2 and any("GEO_LOCAL_ROLE" in e for e in errors) and "almeno 1" in run.stderr
    monkeypatch.setenv("GEO_RECONFIRM_MONTHS", "3")
    monkeypatch.setenv("GEO_LOCAL_ROLE", "staff")
    monkeypatch.setenv("GEO_CATALOGUE", "postgresql://geo:s3cret-pw@db.example/geo")
    run = run_cli("settings")
    assert run.returncode == 0 and "Every setting is valid." in run.stdout
    assert "GEO_RECONFIRM_MONTHS=3" in run.stdout and "s3cret-pw" not in run.stdout  # a password is never shown


def test_an_unknown_role_still_gives_no_access_while_running(monkeypatch):
    """The start check is strict; reading stays fail-closed (an unknown role is public, never staff)."""
    from geo.settings import settings

    monkeypatch.setenv("GEO_LOCAL_ROLE", "admin")
    assert settings().local_role == "admin"  # read as given; geo.web.auth maps it to public


def test_make_run_checks_the_settings_before_the_server_starts():
    recipe = (ROOT / "Makefile").read_text().split("\nrun:", 1)[1].split("\n\n", 1)[0]
    assert recipe.index("geo settings &&") < recipe.index("streamlit run")


@pytest.mark.parametrize("lang, words", [("en", "not configured correctly"), ("it", "non è configurato")])
def test_the_app_with_a_bad_setting_names_it_instead_of_breaking(monkeypatch, built_catalogue, lang, words):
    monkeypatch.setenv("GEO_CATALOGUE", str(built_catalogue))
    monkeypatch.setenv("GEO_RECONFIRM_MONTHS", "0")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.query_params["lang"] = lang
    at.run()
    assert not at.exception, at.exception
    assert words in at.title[0].value
    assert [e.value for e in at.error] and all("GEO_RECONFIRM_MONTHS" in e.value for e in at.error)
    monkeypatch.setenv("GEO_RECONFIRM_MONTHS", "6")  # fixed: the same app serves its pages
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.query_params["lang"] = lang
    at.run()
    assert not at.exception and not at.error, (at.exception, [e.value for e in at.error])


# ------------------------------------------------------------------ Rome's clock
@pytest.mark.parametrize("stored, it, en", [
    ("2026-07-01T10:00:00+00:00", "1 lug 2026, 12:00:00", "1 Jul 2026, 12:00:00"),  # summer: UTC+2
    ("2026-01-15T23:30:00+00:00", "16 gen 2026, 00:30:00", "16 Jan 2026, 00:30:00"),  # winter: next day
    ("2026-03-29T00:59:59+00:00", "29 mar 2026, 01:59:59", "29 Mar 2026, 01:59:59"),  # before the change
    ("2026-03-29T01:00:00+00:00", "29 mar 2026, 03:00:00", "29 Mar 2026, 03:00:00"),  # after it
])
def test_times_are_shown_on_romes_clock(stored, it, en):
    assert translator("it").datetime(stored) == it
    assert translator("en").datetime(stored) == en


def test_a_late_utc_moment_is_the_next_day_in_rome_and_a_plain_date_stays():
    assert translator("it").date("2026-01-15T23:30:00+00:00") == "16 gen 2026"
    assert translator("it").date("2026-01-15") == "15 gen 2026"
    assert translator("en").date(dt.datetime(2026, 1, 15, 23, 30)) == "16 Jan 2026"  # naive = UTC
    assert local_today() == to_local(dt.datetime.now(dt.timezone.utc)).date()


def test_no_page_says_utc():
    pages = "".join(p.read_text() for p in (ROOT / "geo" / "web").rglob("*.py"))
    assert "(UTC)" not in pages


# ------------------------------------------------------------------ place suggestions
def test_an_unknown_town_gets_suggestions_or_a_way_forward(places):
    with pytest.raises(UserError) as near:
        places.find("Cremonna di Sotto")
    with pytest.raises(UserError) as far:
        places.find("Xyzzyqwv")
    assert "Did you mean" in near.value.message("en") or "Cremona" in near.value.message("en")
    assert "-?" not in far.value.message("en") and "ISTAT" in far.value.message("en")
    assert "ISTAT" in far.value.message("it") and "Xyzzyqwv" in far.value.message("it")


# ------------------------------------------------------------------ the CLI checker speaks labels
def test_the_cli_checker_names_missing_fields_by_their_labels(built_catalogue, tmp_path):
    from geo.schema.fields import FIELD
    from tests.listing.conftest import SITE, fill

    site = {k: v for k, v in SITE.items() if k not in ("power_kw", "zoning", "years_unused")}
    book = fill(tmp_path / "w.xlsx", sites=[site])
    for lang in ("en", "it"):
        run = run_cli("--catalogue", str(built_catalogue), "--lang", lang, "listing", "check", str(book))
        line = next(ln for ln in run.stdout.splitlines() if "power_kw" in ln or FIELD["power_kw"].label(lang) in ln)
        for key in ("power_kw", "zoning"):  # the heaviest missing ones come first
            assert FIELD[key].label(lang) in line, line  # what the owner reads in the template
            assert key not in line, line  # never the storage code


# ------------------------------------------------------------------ uploaders in the reader's language
def test_the_brief_uploader_speaks_italian(monkeypatch, built_catalogue):
    monkeypatch.setenv("GEO_CATALOGUE", str(built_catalogue))
    at = AppTest.from_file(str(ROOT / "geo" / "web" / "pages" / "find.py"), default_timeout=60)
    at.query_params["lang"] = "it"
    at.run()
    at.toggle(key="w_brief").set_value(True).run()  # the brief's widgets, the uploader among them
    assert not at.exception
    css = [m.value for m in at.markdown if "<style>" in m.value and "st-key-w_up" in m.value]
    assert css, "no translated uploader rules on the find page"
    from geo.web.ui import css_string

    assert css_string("Sfoglia i file") in css[0] and css_string("Fino a 1 MB per file • JSON") in css[0]
