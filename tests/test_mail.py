"""The outbox: queued in the caller's transaction, sent once by the background sender, retried with
backoff while SMTP refuses, never lost and never sent twice (a real SMTP server, both databases)."""

import logging
import threading
import time
from datetime import timedelta
from email import message_from_bytes, policy

import pytest
from sqlalchemy import func, select, update

from revital import privacy
from revital.db import Database, utcnow
from revital.mail import outbox
from revital.mail.message import MAX_ATTEMPTS, backoff, full_subject, valid_address
from revital.mail.models import FAILED, SENDING, SENT, WAITING, Outbox
from revital.mail.sender import Sender, transport_for
from revital.mail.smtp import FileTransport, SmtpTransport
from revital.settings import Settings
from tests.conftest import make_client
from tests.test_cli import env  # noqa: F401 - the fixture
from tests.mailserver import MailServer

SENDER = "Revital <ne-pas-repondre@revital.example.fr>"
TEXT = "Bonjour,\n\nVotre contribution « La halle » a été publiée.\n\nL’équipe de la commune"


@pytest.fixture
def smtp():
    server = MailServer()
    server.start()
    yield server
    server.stop()


def sender(database, server, interval=5.0):
    return Sender(database, SmtpTransport(server.url, timeout=5), SENDER, interval)


def queue_one(database, to="lea@exemple.fr", **options):
    with database.transaction() as db:
        message = outbox.queue(db, to, "Votre contribution est publiée", TEXT, **options)
    return message


def rows(database):
    with database.session() as db:
        return db.scalars(select(Outbox).order_by(Outbox.id)).all()


# Pure parts.

def test_backoff_doubles_from_a_minute_and_is_capped_at_an_hour():
    assert [backoff(n) for n in (1, 2, 3, 4)] == [timedelta(minutes=m) for m in (1, 2, 4, 8)]
    assert backoff(7) == timedelta(hours=1) and backoff(MAX_ATTEMPTS) == timedelta(hours=1)


def test_subject_gets_the_commune_and_stays_on_one_line():
    assert full_subject("Nouvel atelier", "Saint-Étienne-du-Valdonnez") == "[Saint-Étienne-du-Valdonnez] Nouvel atelier"
    assert full_subject("Bonjour\r\nBcc: x@y.fr", None) == "Bonjour Bcc: x@y.fr"


def test_addresses_are_checked():
    assert valid_address("lea@exemple.fr")
    for bad in ("", "lea", "lea@exemple", "lea@exemple.fr\r\nBcc: x@y.fr", "Léa <lea@exemple.fr>"):
        assert not valid_address(bad), bad


def test_smtp_urls():
    plain = SmtpTransport("smtp://moi%40pays.fr:p%40ss@smtp.pays.fr")
    assert (plain.host, plain.port, plain.starttls, plain.tls) == ("smtp.pays.fr", 587, True, False)
    assert (plain.user, plain.password) == ("moi@pays.fr", "p@ss")
    assert "p@ss" not in repr(plain)
    tls = SmtpTransport("smtps://u:p@smtp.pays.fr")
    assert (tls.port, tls.tls, tls.starttls) == (465, True, False)
    assert SmtpTransport("smtp://relais:25?starttls=0").starttls is False
    with pytest.raises(ValueError, match="REVITAL_SMTP_URL"):
        SmtpTransport("http://smtp.pays.fr")


# Queueing.

def test_a_rolled_back_transaction_sends_nothing(db, smtp):
    with pytest.raises(RuntimeError), db.transaction() as session:
        outbox.queue(session, "lea@exemple.fr", "Sujet", TEXT)
        raise RuntimeError("the event that caused the e-mail failed")
    assert sender(db, smtp).send_due().sent == 0
    assert smtp.messages == [] and rows(db) == []


def test_a_bad_address_is_refused_when_queued(db):
    with pytest.raises(ValueError, match="Adresse e-mail invalide"), db.transaction() as session:
        outbox.queue(session, "lea@exemple.fr\nBcc: tous@exemple.fr", "Sujet", TEXT)
    assert rows(db) == []


def test_sent_once_with_its_headers_and_both_parts(db, smtp):
    queue_one(db, commune_name="Saint-Étienne-du-Valdonnez", kind="publication",
              unsubscribe_url="https://revital.example.fr/desabonnement/abc")
    assert sender(db, smtp).send_due().sent == 1
    assert sender(db, smtp).send_due().sent == 0
    [message] = smtp.messages
    [row] = rows(db)
    assert row.status == SENT and row.attempts == 1 and row.sent_at is not None
    assert message["Subject"] == "[Saint-Étienne-du-Valdonnez] Votre contribution est publiée"
    assert message["To"] == "lea@exemple.fr" and message["From"] == SENDER
    assert message["Message-ID"] == f"<{row.message_id}@revital.example.fr>"
    assert message["List-Unsubscribe"] == "<https://revital.example.fr/desabonnement/abc>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message.get_content_type() == "multipart/alternative"
    plain, html = message.iter_parts()
    assert plain.get_content_type() == "text/plain" and "L’équipe de la commune" in plain.get_content()
    assert html.get_content_type() == "text/html" and "« La halle » a été publiée" in html.get_content()


def test_a_direct_answer_has_no_unsubscribe_header_and_its_html_is_escaped(db, smtp):
    with db.transaction() as session:
        outbox.queue(session, "lea@exemple.fr", "Mot de passe", "<script>alert(1)</script> & vous")
    sender(db, smtp).send_due()
    [message] = smtp.messages
    assert message["List-Unsubscribe"] is None
    html = message.get_body(("html",)).get_content()
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt; &amp; vous" in html


# Failures.

def test_smtp_refusing_delays_with_backoff_then_delivers_once(db, smtp):
    queue_one(db)
    smtp.collector.refuse = True
    now = utcnow()
    mail = sender(db, smtp)
    assert mail.send_due(now).failed == 1
    [row] = rows(db)
    assert row.status == WAITING and row.attempts == 1 and "451" in row.last_error
    assert row.next_attempt_at == now + timedelta(minutes=1)
    assert mail.send_due(now + timedelta(seconds=59)).failed == 0  # not due yet
    assert mail.send_due(now + timedelta(minutes=1)).failed == 1
    [row] = rows(db)
    assert row.attempts == 2 and row.next_attempt_at == now + timedelta(minutes=3)
    smtp.collector.refuse = False
    assert mail.send_due(now + timedelta(minutes=3)).sent == 1
    assert mail.send_due(now + timedelta(hours=2)).sent == 0
    assert len(smtp.messages) == 1 and rows(db)[0].status == SENT


def test_smtp_down_keeps_the_message_and_the_same_message_id(db, smtp):
    smtp.stop()
    queue_one(db)
    now = utcnow()
    mail = sender(db, smtp)
    assert mail.send_due(now).failed == 1
    [row] = rows(db)
    assert row.status == WAITING and "Connection" in row.last_error
    smtp.start()
    assert mail.send_due(now + timedelta(minutes=1)).sent == 1
    [message] = smtp.messages
    assert message["Message-ID"].startswith(f"<{row.message_id}@")


def test_given_up_after_the_last_attempt_and_visible(db, smtp):
    smtp.stop()
    queue_one(db)
    now = utcnow()
    mail = sender(db, smtp)
    for _ in range(MAX_ATTEMPTS):
        assert mail.send_due(now).failed == 1
        now += timedelta(hours=1)
    [row] = rows(db)
    assert row.status == FAILED and row.attempts == MAX_ATTEMPTS
    assert mail.send_due(now + timedelta(days=1)).failed == 0
    with db.session() as session:
        found = outbox.status(session)
    assert found.counts[FAILED] == 1 and found.errors[0].id == row.id


def test_a_send_in_flight_is_not_claimed_again_until_its_lease_is_long_over(db):
    queue_one(db)
    now = utcnow()
    with db.transaction() as session:
        row, token = outbox.claim_next(session, now)  # a sender that then dies mid-send
    with db.transaction() as session:
        assert outbox.claim_next(session, now + timedelta(minutes=5)) is None
    with db.transaction() as session:
        again, other = outbox.claim_next(session, now + outbox.LEASE + timedelta(seconds=1))
    assert again.id == row.id and again.status == SENDING and again.attempts == 2
    with db.transaction() as session:
        assert outbox.mark_sent(session, row.id, token) is False  # the old lease is gone
        assert outbox.mark_sent(session, row.id, other) is True


def test_a_message_that_cannot_be_built_does_not_block_the_others(db, smtp):
    queue_one(db, to="premier@exemple.fr")
    queue_one(db, to="second@exemple.fr")
    with db.transaction() as session:  # something no e-mail can carry, slipped in past queue()
        session.execute(update(Outbox).where(Outbox.to_address == "premier@exemple.fr")
                        .values(to_address="premier@exemple.fr\r\nBcc: tous@exemple.fr"))
    report = sender(db, smtp).send_due()
    assert (report.sent, report.failed) == (1, 1)
    assert [m["To"] for m in smtp.messages] == ["second@exemple.fr"]
    first = rows(db)[0]
    assert first.status == WAITING and first.attempts == 1 and first.last_error


# Several senders.

def race(senders, total):
    errors = []

    def run(mail):
        try:
            mail.send_due()
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=run, args=(mail,)) for mail in senders]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert errors == []


def queue_many(database, total):
    with database.transaction() as session:
        for n in range(total):
            outbox.queue(session, f"habitant{n}@exemple.fr", f"Message {n}", TEXT)


def assert_each_delivered_once(database, server, total):
    ids = [m["Message-ID"] for m in server.messages]
    assert len(ids) == total and len(set(ids)) == total
    with database.session() as session:
        assert session.scalar(select(func.count()).select_from(Outbox).where(Outbox.status == SENT)) == total


def test_two_senders_in_one_process_deliver_each_message_once(db, smtp):
    queue_many(db, 50)
    race([sender(db, smtp), sender(db, smtp)], 50)
    assert_each_delivered_once(db, smtp, 50)


def test_two_workers_with_their_own_connections_deliver_each_message_once(db, smtp, database_url):
    queue_many(db, 50)
    first, second = Database(database_url), Database(database_url)
    try:
        race([sender(first, smtp), sender(second, smtp), sender(first, smtp), sender(second, smtp)], 50)
    finally:
        first.dispose()
        second.dispose()
    assert_each_delivered_once(db, smtp, 50)


# Where messages go without SMTP.

def test_development_writes_eml_files(db, tmp_path):
    settings = Settings(environment="development", instance_dir=tmp_path)
    transport = transport_for(settings)
    assert isinstance(transport, FileTransport) and transport.folder == tmp_path / "mail"
    queue_one(db, commune_name="Grandrieu")
    assert Sender(db, transport, SENDER).send_due().sent == 1
    [path] = (tmp_path / "mail").glob("*.eml")
    message = message_from_bytes(path.read_bytes(), policy=policy.default)
    assert message["Subject"] == "[Grandrieu] Votre contribution est publiée"
    assert "L’équipe de la commune" in message.get_body(("plain",)).get_content()


def test_production_without_smtp_keeps_messages_and_says_so(db, caplog):
    assert transport_for(Settings(environment="production", smtp_url="")) is None
    mail = Sender(db, None, SENDER)
    with caplog.at_level(logging.ERROR, logger="revital.mail"):
        mail.start()
    assert mail.thread is None and "REVITAL_SMTP_URL is not set" in caplog.text
    assert isinstance(transport_for(Settings(environment="production", smtp_url="smtp://relais")), SmtpTransport)


def test_the_application_runs_a_sender_and_stops_it(db, settings, smtp):
    client = make_client(settings, smtp_url=smtp.url, mail_interval=0.05)
    with client:
        mail = client.app.state.mail
        assert mail.thread is not None and mail.thread.is_alive()
        queue_one(db)
        deadline = time.monotonic() + 30
        while not smtp.messages and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(smtp.messages) == 1
    assert mail.thread is None and mail.stopping.is_set()
    assert rows(db)[0].status == SENT


# Personal data.

def test_privacy_shows_and_erases_the_messages_to_an_address(db, smtp):
    queue_one(db, to="lea@exemple.fr")
    sender(db, smtp).send_due()
    queue_one(db, to="Lea@Exemple.fr")
    queue_one(db, to="autre@exemple.fr")
    with db.transaction() as session:
        assert privacy.find(session, "LEA@exemple.fr").emails == 2
        assert privacy.erase(session, "lea@exemple.fr").emails == 2
    assert [row.to_address for row in rows(db)] == ["autre@exemple.fr"]


# The command line.

def test_mail_status_and_send(env, db, smtp, capsys, monkeypatch):
    from revital import cli

    queue_one(db)
    queue_one(db, to="autre@exemple.fr")
    assert cli.main(["mail", "status"]) == 0
    out = capsys.readouterr().out
    assert "File d’envoi : 2 en attente, 0 en cours d’envoi, 0 envoyés, 0 abandonnés" in out
    assert "Plus ancien message en attente" in out
    assert cli.main(["mail", "send"]) == 1
    assert "REVITAL_SMTP_URL n’est pas défini" in capsys.readouterr().err
    monkeypatch.setenv("REVITAL_SMTP_URL", smtp.url)
    smtp.collector.refuse = True
    assert cli.main(["mail", "send"]) == 0
    assert "0 message(s) envoyé(s), 2 échec(s) (réessayés plus tard)." in capsys.readouterr().out
    assert cli.main(["mail", "status"]) == 0
    out = capsys.readouterr().out
    assert "Dernières erreurs :" in out and "451" in out and "1 tentative(s)" in out
    smtp.collector.refuse = False
    with db.transaction() as session:  # their next attempt is due
        for row in session.scalars(select(Outbox)):
            row.next_attempt_at = utcnow()
    assert cli.main(["mail", "send"]) == 0
    assert "2 message(s) envoyé(s), 0 échec(s)" in capsys.readouterr().out
    assert len(smtp.messages) == 2
    assert cli.main(["mail", "status"]) == 0
    assert "0 en attente, 0 en cours d’envoi, 2 envoyés, 0 abandonnés" in capsys.readouterr().out
