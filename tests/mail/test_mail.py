"""Issue 18 item 7: e-mail through a real SMTP server (aiosmtpd on localhost), read back as people get it.

The outbox is written in the action's transaction on both backends (the first two tests); the rest of the
rules do not depend on the backend and run on a GeoPackage.

Owners get their private link and status changes, staff get new submissions and enquiries, the enquirer
gets the reply (wired by the enquiry queue); nobody ever gets another owner's data; a failed send never
loses the action: the action commits, the mail waits in the outbox, is retried, and staff see it.
"""

from __future__ import annotations

import datetime as dt
import threading

import pytest

from geo.catalogue import open_catalogue
from geo.errors import UserError
from geo.listing.check import check_workbook
from geo.listing.enquiries import send_enquiry
from geo.listing.submission import owner_by_token, owner_view, publish, send_back, submit, withdraw
from geo.mail.messages import LINK_MARK
from geo.mail.outbox import MAX_ATTEMPTS, deliver_due, outbox_for_staff, retry
from tests.conftest import revision, run_cli
from tests.listing.conftest import OWNER, SITE, fill
from tests.mail.conftest import free_port

LATER = dt.timedelta(days=2)


def _result(cat, tmp_path, name="w.xlsx", owner=None, site=None):
    return check_workbook(fill(tmp_path / name, sites=[site or SITE], owner=owner or OWNER), cat.places())


def _outbox(cat):
    return outbox_for_staff(cat, "staff")


def test_a_new_owner_gets_the_private_link_and_staff_are_told(catalogue_target, tmp_path, smtp):
    cat = open_catalogue(catalogue_target)
    rec = submit(cat, _result(cat, tmp_path), lang="en")
    box = _outbox(cat)
    assert sorted(box["kind"]) == ["owner_link", "staff_submission", "staff_submission"]
    assert (box["status"] == "queued").all()  # queued with the submission, in its transaction
    report = deliver_due(cat)
    assert len(report.sent) == 3 and report.ok
    [mail] = smtp.to(OWNER["contact_email"])
    body = mail.get_content()
    link = f"https://siti.regione.example/owner?token={rec.token}&lang=en"
    assert link in body and mail["Subject"].startswith("Your listing") and mail["From"] == "catalogo@regione.example"
    assert owner_by_token(cat, link.split("token=")[1].split("&")[0])["owner_id"] == rec.owner_id  # the link opens
    staff = smtp.to("staff1@regione.example")
    assert len(staff) == 1 and rec.submission_id in staff[0].get_content() and rec.token not in staff[0].get_content()
    assert "Nuovo invio" in staff[0]["Subject"] or rec.submission_id in staff[0]["Subject"]
    # Once sent, the link is no longer kept in the catalogue, and staff never saw it.
    raw = cat.table("mail_outbox")
    assert raw["secret"].isna().all() and not raw["body"].str.contains(rec.token, regex=False).any()
    assert not _outbox(cat)["body"].str.contains(rec.token, regex=False).any()


def test_no_owner_ever_gets_another_owners_data(writable_catalogue, tmp_path, smtp):
    cat = open_catalogue(writable_catalogue)
    a_owner = {**OWNER, "contact_email": "anna@prova.it", "owner_name": "Officine Anna"}
    b_owner = {**OWNER, "contact_email": "bruno@altro.it", "owner_name": "Bruno Immobili"}
    a = submit(cat, _result(cat, tmp_path, "a.xlsx", a_owner, {**SITE, "title_it": "Ex Filanda Anna"}), lang="it")
    b = submit(cat, _result(cat, tmp_path, "b.xlsx", b_owner, {**SITE, "title_it": "Capannone Bruno",
                                                                 "lat": "45,1400", "lon": "10,0300"}), lang="it")
    publish(cat, "staff", a.site_ids[0], "staff:test")
    send_back(cat, "staff", b.site_ids[0], "manca la planimetria", "staff:test")
    deliver_due(cat)
    mine = {who: " ".join(m["Subject"] + m.get_content() for m in smtp.to(addr))
            for who, addr in (("a", "anna@prova.it"), ("b", "bruno@altro.it"))}
    assert "Ex Filanda Anna" in mine["a"] and a.token in mine["a"] and "pubblicat" in mine["a"]
    assert "Capannone Bruno" in mine["b"] and b.token in mine["b"] and "manca la planimetria" in mine["b"]
    for other in ("Capannone Bruno", b.token, "bruno@altro.it", "Bruno Immobili", b.site_ids[0]):
        assert other not in mine["a"]
    for other in ("Ex Filanda Anna", a.token, "anna@prova.it", "Officine Anna", a.site_ids[0]):
        assert other not in mine["b"]
    for m in smtp.messages:
        assert len(m.envelope_to) == 1  # one recipient per message: no shared To/Cc


def test_a_server_that_is_down_loses_nothing_and_the_mail_is_retried(catalogue_target, tmp_path, smtp,
                                                                      monkeypatch):
    cat = open_catalogue(catalogue_target)
    monkeypatch.setenv("GEO_SMTP_URL", f"smtp://127.0.0.1:{free_port()}?starttls=off")  # nobody listens there
    rec = submit(cat, _result(cat, tmp_path), lang="it")
    report = deliver_due(cat)
    assert len(report.retrying) == 3 and not report.sent
    assert owner_view(cat, rec.token)["site_id"].tolist() == rec.site_ids  # the action stands
    box = _outbox(cat)
    assert (box["status"] == "queued").all() and box["last_error"].str.contains("Connection").all()
    assert deliver_due(cat).sent == []  # not due yet: the next attempt waits (back-off)
    monkeypatch.setenv("GEO_SMTP_URL", f"smtp://127.0.0.1:{smtp.port}?starttls=off")  # the server is back
    now = dt.datetime.now(dt.timezone.utc) + LATER
    assert len(deliver_due(cat, now=now).sent) == 3
    assert rec.token in smtp.to(OWNER["contact_email"])[0].get_content()


def test_a_message_the_server_keeps_refusing_is_failed_visible_and_can_be_sent_again(writable_catalogue, tmp_path,
                                                                                     smtp):
    cat = open_catalogue(writable_catalogue)
    smtp.refuse = True
    submit(cat, _result(cat, tmp_path), lang="it")
    now = dt.datetime.now(dt.timezone.utc)
    for i in range(MAX_ATTEMPTS):
        deliver_due(cat, now=now + i * LATER)
    box = _outbox(cat)
    assert (box["status"] == "failed").all() and (box["attempts"].astype(int) == MAX_ATTEMPTS).all()
    assert box["last_error"].str.contains("451").all()
    status = run_cli("--catalogue", writable_catalogue, "mail", "status")
    assert "failed 3" in status.stdout and "451" in status.stdout
    smtp.refuse = False
    for mail_id in box["mail_id"]:
        retry(cat, "staff", mail_id)
    assert len(deliver_due(cat).sent) == 3 and len(smtp.messages) == 3
    with pytest.raises(UserError):
        retry(cat, "owner", box["mail_id"].iloc[0])  # staff only


def test_a_refused_action_sends_nothing(writable_catalogue, tmp_path, smtp):
    cat = open_catalogue(writable_catalogue)
    result = _result(cat, tmp_path)
    submit(cat, result, lang="it")
    deliver_due(cat)
    before, sent = revision(writable_catalogue), len(smtp.messages)
    with pytest.raises(UserError):
        submit(cat, result, lang="it")  # the same file again: refused
    assert revision(writable_catalogue) == before and len(_outbox(cat)) == sent
    deliver_due(cat)
    assert len(smtp.messages) == sent


def test_a_title_cannot_add_headers_or_recipients(writable_catalogue, tmp_path, smtp):
    cat = open_catalogue(writable_catalogue)
    evil = "Capannone\r\nBcc: spy@evil.example\r\n\r\nTesto nascosto"
    assert not _result(cat, tmp_path, site={**SITE, "title_it": evil, "title_en": evil}).ok  # the checker refuses it
    # A title that reached the catalogue another way (an import, an old version) is still one header line.
    from geo.mail.messages import owner_status
    from geo.mail.outbox import _message
    from geo.mail.transport import SmtpTransport

    mail = owner_status("owner@prova.it", "it", "LS-1", evil, "published")
    row = {"mail_id": "MAIL-x", "recipient": mail.to, "subject": mail.subject, "body": mail.body, "secret": None}
    SmtpTransport.from_url(f"smtp://127.0.0.1:{smtp.port}?starttls=off", "catalogo@regione.example").send(
        _message(__import__("pandas").Series(row), None))
    assert smtp.to("spy@evil.example") == [] and len(smtp.messages) == 1
    [m] = smtp.messages
    assert m["Bcc"] is None and "\n" not in m["Subject"] and "Testo nascosto" in m["Subject"]


def test_an_enquiry_tells_staff_without_the_investors_address_or_text(writable_catalogue, smtp):
    cat = open_catalogue(writable_catalogue)
    site = cat.sites()["site_id"].iloc[0]
    enq = send_enquiry(cat, site, "Maria Investitrice", "maria@fondo.example", "Budget riservato 12 M€", True)
    deliver_due(cat)
    got = smtp.to("staff1@regione.example")
    assert len(got) == 1 and enq.enquiry_id in got[0].get_content() and "Maria Investitrice" in got[0].get_content()
    assert "maria@fondo.example" not in got[0].get_content() and "12 M" not in got[0].get_content()
    assert f"https://siti.regione.example/staff?site={site}" in got[0].get_content()


def test_the_owner_is_told_of_withdrawal_in_their_language(writable_catalogue, tmp_path, smtp):
    cat = open_catalogue(writable_catalogue)
    rec = submit(cat, _result(cat, tmp_path), lang="en")
    withdraw(cat, rec.token, rec.submission_id)
    deliver_due(cat)
    subjects = [m.get_content() for m in smtp.to(OWNER["contact_email"])]
    assert any("has been withdrawn" in s for s in subjects)


def test_with_mail_off_nothing_is_queued(writable_catalogue, tmp_path, monkeypatch):
    monkeypatch.delenv("GEO_SMTP_URL", raising=False)
    cat = open_catalogue(writable_catalogue)
    rec = submit(cat, _result(cat, tmp_path), lang="it")
    assert rec.token and len(_outbox(cat)) == 0 and deliver_due(cat).sent == []
    assert run_cli("--catalogue", writable_catalogue, "mail", "deliver").returncode == 1  # says it is not configured


def test_two_deliverers_at_once_send_each_message_once(writable_catalogue, tmp_path, smtp):
    cat = open_catalogue(writable_catalogue)
    for i in range(2):
        submit(cat, _result(cat, tmp_path, f"w{i}.xlsx", {**OWNER, "contact_email": f"o{i}@prova.it"},
                            {**SITE, "lat": f"45,13{i}5", "lon": "10,0226", "title_it": f"Sito {i}"}), lang="it")
    assert len(_outbox(cat)) == 6
    errors = []

    def deliver():
        try:
            deliver_due(open_catalogue(writable_catalogue))
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=deliver) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    ids = [m["Message-ID"] for m in smtp.messages]
    assert len(ids) == 6 and len(set(ids)) == 6
    assert (_outbox(cat)["status"] == "sent").all()


def test_geo_mail_test_and_bad_urls(smtp, monkeypatch):
    run = run_cli("mail", "test", "someone@regione.example")
    assert run.returncode == 0 and smtp.to("someone@regione.example")
    monkeypatch.setenv("GEO_SMTP_URL", "http://mail.example")
    run = run_cli("settings")
    assert run.returncode == 1 and "GEO_SMTP_URL" in run.stderr
    monkeypatch.setenv("GEO_SMTP_URL", "smtp://u:pw-secret@127.0.0.1:1?starttls=off")
    run = run_cli("mail", "test", "someone@regione.example")
    assert run.returncode == 1 and "pw-secret" not in run.stderr + run.stdout


def test_the_link_mark_is_never_delivered_raw(writable_catalogue, tmp_path, smtp):
    cat = open_catalogue(writable_catalogue)
    submit(cat, _result(cat, tmp_path), lang="it")
    deliver_due(cat)
    assert all(LINK_MARK not in m.get_content() for m in smtp.messages)


def test_the_enquirer_gets_the_staff_reply_and_nobody_else_does(writable_catalogue, smtp):
    from geo.listing.enquiries import answer

    cat = open_catalogue(writable_catalogue)
    site = cat.sites()["site_id"].iloc[0]
    mine = send_enquiry(cat, site, "Maria", "maria@fondo.example", "Quanto costa?", True)
    send_enquiry(cat, site, "Piero", "piero@altro.example", "Altra domanda riservata", True)
    answer(cat, "staff", mine.enquiry_id, "Il prezzo è trattabile.\nCordiali saluti", "staff:anna")
    deliver_due(cat)
    [reply] = smtp.to("maria@fondo.example")
    body = reply.get_content()
    assert "Il prezzo è trattabile." in body and mine.enquiry_id in body
    assert "Risposta alla richiesta" in body and "Answer to your enquiry" in body  # her language is not known
    assert smtp.to("piero@altro.example") == [] and "Altra domanda" not in body
