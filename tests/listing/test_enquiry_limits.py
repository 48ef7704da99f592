"""Enquiries are bounded (issue 16, item 6): a rate limit per visitor and per address, text that shows
nothing or holds a control character refused, a NUL byte refused alike on both stores; nothing stored
past a refusal, and the valid enquiry next to each hostile one is stored."""

from __future__ import annotations

import threading

import pytest

from geo.catalogue import open_catalogue
from geo.errors import UserError
from geo.listing.enquiries import (ADDRESS_RULE, SESSION_RULE, TooManyEnquiries, enquiries_for_staff,
                                   send_enquiry)
from geo.listing.rate_limit import RateLimiter, Rule
from tests.conftest import every_case_on_gpkg, revision

VALID = {"name": "Li Wei", "email": "li.wei@example.com", "message": "Is the site still free?\nThanks.",
         "consent": True}


class Clock:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _site(cat) -> str:
    return cat.sites()["site_id"].iloc[0]


def _stored(target) -> int:
    return len(enquiries_for_staff(open_catalogue(target), "staff"))


# -- rate limit --------------------------------------------------------------------------------------------

def test_a_script_sending_100_enquiries_in_30_s_stores_only_the_session_limit(catalogue_target):
    """One session firing 100 enquiries (a script): the first 10 are stored, the 90 others are refused
    with one message in the reader's language, and each refusal leaves the catalogue unchanged."""
    cat = open_catalogue(catalogue_target)
    sid, clock = _site(cat), Clock()
    limiter = RateLimiter((SESSION_RULE, ADDRESS_RULE), clock=clock)
    refused = []
    for i in range(100):
        clock.now += 0.3  # 100 in 30 s
        before = revision(catalogue_target) if i in (10, 99) else None
        try:
            send_enquiry(cat, sid, **VALID, session="s1", address="203.0.113.7", limiter=limiter)
        except TooManyEnquiries as exc:
            refused.append(exc)
            if before is not None:
                assert revision(catalogue_target) == before
    assert _stored(catalogue_target) == SESSION_RULE.limit == 10 and len(refused) == 90
    en, it = refused[0].message("en"), refused[0].message("it")
    assert "at most 10 enquiries every 10 minutes" in en and "try again in 10 min" in en and it != en


def test_a_person_sending_a_few_enquiries_never_meets_the_limit_and_the_window_slides(catalogue_target):
    """A person: an enquiry a minute about each site of a shortlist of 10 all pass; the 11th within
    10 minutes waits, and passes once the first one is 10 minutes old."""
    cat = open_catalogue(catalogue_target)
    sid, clock = _site(cat), Clock()
    limiter = RateLimiter((SESSION_RULE, ADDRESS_RULE), clock=clock)
    for _ in range(10):
        send_enquiry(cat, sid, **VALID, session="person", address="198.51.100.2", limiter=limiter)
        clock.now += 55
    before = revision(catalogue_target)
    with pytest.raises(TooManyEnquiries, match="try again in 1 min"):
        send_enquiry(cat, sid, **VALID, session="person", address="198.51.100.2", limiter=limiter)
    assert revision(catalogue_target) == before
    clock.now += 60
    send_enquiry(cat, sid, **VALID, session="person", address="198.51.100.2", limiter=limiter)
    assert _stored(catalogue_target) == 11


def test_new_sessions_from_one_address_stop_at_the_address_limit(catalogue_target):
    """A script opening a new session for each enquiry is stopped by its address (30); another address
    and a visitor without a known address are not affected."""
    cat = open_catalogue(catalogue_target)
    sid, clock = _site(cat), Clock()
    limiter = RateLimiter((SESSION_RULE, ADDRESS_RULE), clock=clock)
    for i in range(ADDRESS_RULE.limit):
        send_enquiry(cat, sid, **VALID, session=f"s{i}", address="203.0.113.7", limiter=limiter)
    before = revision(catalogue_target)
    with pytest.raises(TooManyEnquiries):
        send_enquiry(cat, sid, **VALID, session="fresh", address="203.0.113.7", limiter=limiter)
    assert revision(catalogue_target) == before
    send_enquiry(cat, sid, **VALID, session="fresh", address="203.0.113.8", limiter=limiter)
    send_enquiry(cat, sid, **VALID, session="fresh2", address=None, limiter=limiter)
    assert _stored(catalogue_target) == ADDRESS_RULE.limit + 2


def test_refused_or_failed_attempts_do_not_use_up_the_limit(catalogue_target):
    """An invalid enquiry, or one about a listing that is not published, costs no slot."""
    cat = open_catalogue(catalogue_target)
    sid = _site(cat)
    hidden = cat.sites(statuses=["submitted"])["site_id"].iloc[0]
    limiter = RateLimiter((Rule("session", 2, 600.0),), clock=Clock())
    for bad in ({"consent": False}, {"name": "\u200b"}):
        with pytest.raises(UserError):
            send_enquiry(cat, sid, **{**VALID, **bad}, session="s", limiter=limiter)
    with pytest.raises(UserError, match="not published"):
        send_enquiry(cat, hidden, **VALID, session="s", limiter=limiter)
    send_enquiry(cat, sid, **VALID, session="s", limiter=limiter)
    send_enquiry(cat, sid, **VALID, session="s", limiter=limiter)
    with pytest.raises(TooManyEnquiries):
        send_enquiry(cat, sid, **VALID, session="s", limiter=limiter)
    assert _stored(catalogue_target) == 2


def test_racing_submissions_from_one_session_cannot_pass_the_last_slot_together():
    """The slot is reserved under a lock before the write: 20 threads, limit 5, exactly 5 pass."""
    limiter = RateLimiter((Rule("session", 5, 600.0),))
    passed, gate = [], threading.Barrier(20)

    def go() -> None:
        gate.wait()
        if isinstance(limiter.reserve({"session": "s"}), list):
            passed.append(1)

    threads = [threading.Thread(target=go) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(passed) == 5


# -- text that shows nothing or holds a control character ---------------------------------------------------

HOSTILE = [
    ("name", "\u200b\u200b\u200b", "U+200B"),            # zero-width spaces only
    ("name", "\u202e\u2066\u2069", "U+202E"),            # bidirectional controls only
    ("name", "\u3164\u3164", "U+3164"),                  # Hangul fillers: letters that show nothing
    ("name", "\u00a0\u2003 \u3000", "U+00A0"),           # spaces of every width only
    ("name", "Li\x00Wei", "U+0000"),                     # NUL
    ("name", "Li Wei\x1b[2J", "U+001B"),                 # a terminal escape
    ("name", "Li \u202eieW", "U+202E"),                  # a visible name reversed by an override
    ("email", "li.wei@example.com\x00", "U+0000"),
    ("message", "\u200b\n\u200c\n\u2060", "U+200B"),
    ("message", "\u2800\u2800", "U+2800"),               # Braille blanks
    ("message", "Hello\x00 staff", "U+0000"),
    ("message", "Hello\x07", "U+0007"),
]


#: On PostGIS too: the NUL of each field (one refusal per field, the one PostgreSQL itself would fail on if it
#: got through). Every case is refused before the transaction, so the other texts run on GeoPackage only.
HOSTILE_IDS = [f"{f}-{c}" for f, _v, c in HOSTILE]
HOSTILE_ON_POSTGIS = {"name-U+0000", "email-U+0000", "message-U+0000"}


@pytest.mark.parametrize("field, value, char, catalogue_target",
                         every_case_on_gpkg(HOSTILE, HOSTILE_IDS, HOSTILE_ON_POSTGIS), indirect=["catalogue_target"])
def test_unreadable_text_is_refused_with_one_message_naming_the_field(catalogue_target, field, value, char):
    """Refused before the transaction on both stores, naming the field and the character; nothing stored;
    then the same enquiry with readable text is stored."""
    cat = open_catalogue(catalogue_target)
    sid = _site(cat)
    before = revision(catalogue_target)
    with pytest.raises(UserError) as exc:
        send_enquiry(cat, sid, **{**VALID, field: value})
    en = exc.value.message("en")
    word = {"name": "your name", "email": "your e-mail address", "message": "your message"}[field]
    assert f"type {word} again as plain text" in en and f"({char})" in en, en
    assert exc.value.message("it") != en
    assert revision(catalogue_target) == before
    send_enquiry(cat, sid, **VALID)
    got = enquiries_for_staff(open_catalogue(catalogue_target), "staff")
    assert got["name"].tolist() == [VALID["name"]] and got["message"].tolist() == [VALID["message"]]


def test_readable_text_in_any_script_with_line_breaks_is_stored(catalogue_target):
    """Not over-refused: accents, CJK, Arabic, an emoji with a joiner-free sequence and line breaks."""
    cat = open_catalogue(catalogue_target)
    sid = _site(cat)
    for name, message in (("Zoë Müller-Łukasiewicz", "Über die Fläche…\r\n– bitte"), ("李伟", "场地还可用吗？"),
                          ("محمد", "هل الموقع متاح؟"), ("Ana 😀", "Ciao!\tGrazie.")):
        send_enquiry(cat, sid, name, "a@example.com", message, consent=True)
    got = enquiries_for_staff(open_catalogue(catalogue_target), "staff")
    assert sorted(got["name"]) == sorted(["Zoë Müller-Łukasiewicz", "李伟", "محمد", "Ana 😀"])


@pytest.mark.parametrize("value", ["\u3164\u3164", "\u2800", "Ex\x00fornace", "\u200b"])
def test_an_owner_text_that_shows_nothing_is_refused_like_an_invisible_character(value):
    """The listing schema's text fields refuse the same texts as the enquiry form, with their one message."""
    from geo.schema import FIELD
    from geo.schema.coerce import FieldError, coerce_value

    with pytest.raises(FieldError, match="invisible or control character"):
        coerce_value(FIELD["title_it"], value)
    assert coerce_value(FIELD["title_it"], "Ex fornace \u00e8 libera") == "Ex fornace è libera"


# -- a NUL byte anywhere a text is written to the catalogue --------------------------------------------------

@pytest.mark.parametrize("column", ["title_it", "address"])
def test_a_nul_byte_in_any_written_text_is_refused_alike_on_both_stores(catalogue_target, column):
    """Below every form: a NUL in a listing's text is a UserError naming the column before the write
    (SQLite used to store it; PostgreSQL failed with a driver error); the clean change is then stored."""
    cat = open_catalogue(catalogue_target)
    sid = _site(cat)
    before = revision(catalogue_target)
    with pytest.raises(UserError) as exc:
        cat.update_site(sid, {column: "Ex fornace\x00 di Cremona"}, actor="test")
    assert exc.value.message("en").startswith(f"{column}: the text contains a NUL character (U+0000)")
    assert exc.value.message("it") != exc.value.message("en")
    assert revision(catalogue_target) == before
    cat.update_site(sid, {column: "Ex fornace di Cremona"}, actor="test")
    assert open_catalogue(catalogue_target).site(sid, role="staff")[column] == "Ex fornace di Cremona"


# -- the page ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("catalogue_target", ["gpkg"], indirect=True)
def test_the_sheet_page_passes_its_session_and_says_so_in_the_readers_language(catalogue_target, monkeypatch):
    """The form keys the limit by its session: past it, one Italian message and nothing stored."""
    from streamlit.testing.v1 import AppTest

    import geo.listing.enquiries as enquiries
    from tests.web.test_pages import APP

    monkeypatch.setattr(enquiries, "LIMITER", RateLimiter((Rule("session", 2, 600.0), ADDRESS_RULE)))
    monkeypatch.setenv("GEO_CATALOGUE", str(catalogue_target))
    monkeypatch.setenv("GEO_AUTH_MODE", "local")
    monkeypatch.setenv("GEO_LOCAL_ROLE", "public")
    sid = open_catalogue(catalogue_target).sites()["site_id"].iloc[0]
    at = AppTest.from_file(APP, default_timeout=90)
    at.query_params.update(lang="it", site=sid)
    at.switch_page("geo/web/pages/sheet.py")
    at.run()
    for n in range(3):
        at.text_input(key="enq_name").input("Li Wei")
        at.text_input(key="enq_email").input("li.wei@example.com")
        at.text_area(key="enq_message").input(f"Domanda {n}")
        at.checkbox(key="enq_consent").check()
        next(b for b in at.button if b.label == "Invia").click().run()
        assert not at.exception
        if n < 2:
            assert at.success and not at.error
    assert [e.value for e in at.error if "al massimo 2 richieste ogni 10 minuti" in e.value], [e.value for e in at.error]
    assert _stored(catalogue_target) == 2
