"""Telling authors what became of their contributions: a moderation decision writes a notice only
when the author left an address; the daily digest sends one e-mail per address with all its
notices, through a real SMTP server, never twice and not again within 24 hours (unless forced),
even with two workers at once; the one-click stop link clears the address; erasure deletes the
notices."""

import re
import secrets
import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from revital import cli, privacy
from revital.communes.models import Commune
from revital.contributions import notices
from revital.contributions.models import AuthorNotice, Contribution
from revital.contributions.notices import AuthorDigestJob, send_author_digests
from revital.db import utcnow
from revital.mail.models import Outbox
from revital.mail.sender import Sender
from revital.mail.smtp import SmtpTransport
from tests.conftest import BASE_URL, MAIN, PERSONAS, get, post, sign_in_as, text_of
from tests.dom import parse
from tests.mailserver import MailServer
from tests.test_cli import env  # noqa: F401 - the fixture

MODERATION = f"/communes/{MAIN}/gestion/moderation"
STOP = re.compile(r"https://testserver\.local(/contributions/arreter/[0-9]+-[A-Za-z0-9_-]+)")


@pytest.fixture
def smtp():
    server = MailServer()
    server.start()
    yield server
    server.stop()


def send(database, server) -> int:
    return Sender(database, SmtpTransport(server.url, timeout=5), "Revital <ne-pas-repondre@revital.example.fr>",
                  5.0).send_due().sent


def contribution(db, email="", title="Des bancs sur la place", status="pending") -> int:
    with db.transaction() as session:
        cid = session.scalar(select(Commune.id).where(Commune.slug == MAIN))
        row = Contribution(commune_id=cid, kind="idea", category="espaces-publics", title=title, body="",
                           phase="diagnostic", status=status, author_email=email,
                           submission_token=secrets.token_urlsafe(18))
        session.add(row)
        session.flush()
        return row.id


def tell(db, contribution_id, text="Votre contribution est liée à l’enjeu « Le logement »."):
    with db.transaction() as session:
        notices.notify(session, session.get(Contribution, contribution_id), notices.STAKE, text)


def unsent(db, email=None) -> list[AuthorNotice]:
    with db.session() as session:
        query = select(AuthorNotice).where(AuthorNotice.sent_at.is_(None))
        if email:
            query = query.where(AuthorNotice.email == email)
        return list(session.scalars(query.order_by(AuthorNotice.id)))


def digests(db) -> list[Outbox]:
    with db.session() as session:
        return list(session.scalars(select(Outbox).where(Outbox.kind == notices.DIGEST).order_by(Outbox.id)))


# --- moderation writes the notices ------------------------------------------------------------------

def test_a_moderation_decision_tells_only_an_author_who_left_an_address(client, db):
    told, silent, refused = (contribution(db, "Lea@Exemple.fr"), contribution(db, ""),
                             contribution(db, "jean@exemple.fr", title="Pub"))
    sign_in_as(client, PERSONAS["facilitator"])
    for cid in (told, silent):
        assert post(client, f"{MODERATION}/{cid}/publish", {"statut": "pending"}).status_code == 303
    assert post(client, f"{MODERATION}/{refused}/reject", {"statut": "pending", "reason": ""}).status_code == 422
    assert [n.email for n in unsent(db)] == ["lea@exemple.fr"]  # a decision refused (no reason) tells nothing
    assert post(client, f"{MODERATION}/{refused}/reject",
                {"statut": "pending", "reason": "Publicité sans rapport avec la démarche."}).status_code == 303
    rows = unsent(db)
    assert [(n.email, n.contribution_id, n.kind) for n in rows] == [
        ("lea@exemple.fr", told, notices.PUBLISHED), ("jean@exemple.fr", refused, notices.REFUSED)]
    assert rows[0].text == (f"Votre contribution « Des bancs sur la place » est publiée : "
                            f"{BASE_URL}/communes/{MAIN}/contributions/{told}")
    assert rows[1].text == "Votre contribution « Pub » n’a pas été publiée. Motif : Publicité sans rapport avec la démarche."
    assert digests(db) == []  # nothing leaves before the digest


def test_notify_writes_nothing_without_an_address(db):
    tell(db, contribution(db, ""))
    assert unsent(db) == []


# --- the digest -------------------------------------------------------------------------------------

def test_one_e_mail_per_address_with_all_its_notices_never_twice(db, settings, smtp):
    lea_one, lea_two, jean = contribution(db, "lea@exemple.fr"), contribution(db, "lea@exemple.fr"), contribution(db, "jean@exemple.fr")
    tell(db, lea_one, "Votre contribution a inspiré la piste « Une halle ».")
    tell(db, lea_two, "Votre contribution est liée à l’enjeu « Le logement ».")
    tell(db, jean, "La piste « Des arbres » est retenue.")
    now = utcnow()
    assert send_author_digests(db, settings, now) == 2
    assert send(db, smtp) == 2
    by_address = {m["To"]: m for m in smtp.messages}
    assert set(by_address) == {"lea@exemple.fr", "jean@exemple.fr"}
    lea = by_address["lea@exemple.fr"]
    body = lea.get_body(("plain",)).get_content()
    assert "Votre contribution a inspiré la piste « Une halle »." in body
    assert "Votre contribution est liée à l’enjeu « Le logement »." in body
    assert "La piste « Des arbres »" not in body
    assert lea["Subject"] == "[Saint-Étienne-du-Valdonnez] Ce que deviennent vos contributions"
    stop = STOP.search(body).group(0)
    assert lea["List-Unsubscribe"] == f"<{stop}>"
    assert unsent(db) == []
    # never twice
    assert send_author_digests(db, settings, now) == 0
    assert send_author_digests(db, settings, now, force=True) == 0
    assert send(db, smtp) == 0 and len(smtp.messages) == 2


def test_not_again_within_a_day(db, settings, smtp):
    cid = contribution(db, "lea@exemple.fr")
    tell(db, cid, "Premier.")
    now = utcnow()
    assert send_author_digests(db, settings, now) == 1
    tell(db, cid, "Second.")
    assert send_author_digests(db, settings, now + timedelta(hours=23)) == 0
    assert [n.text for n in unsent(db)] == ["Second."]
    job = AuthorDigestJob(db, settings)
    assert job(now + timedelta(hours=23, minutes=59)) == 0
    assert job(now + timedelta(hours=24, minutes=1)) == 1  # the sender's periodic job sends it the next day
    assert send(db, smtp) == 2
    assert [m.get_body(("plain",)).get_content().count("- Saint-Étienne-du-Valdonnez : ") for m in smtp.messages] == [1, 1]


def test_forced_within_the_day(db, settings):
    cid = contribution(db, "lea@exemple.fr")
    tell(db, cid, "Premier.")
    now = utcnow()
    send_author_digests(db, settings, now)
    tell(db, cid, "Second.")
    assert send_author_digests(db, settings, now + timedelta(hours=1), force=True) == 1
    assert len(digests(db)) == 2


def test_two_workers_at_once_send_each_notice_once(db, settings):
    for n in range(12):
        tell(db, contribution(db, f"auteur{n}@exemple.fr"), f"Nouvelle {n}.")
    now = utcnow()
    counts = []

    def worker():
        counts.append(send_author_digests(db, settings, now))

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(counts) == 12
    assert sorted(m.to_address for m in digests(db)) == sorted(f"auteur{n}@exemple.fr" for n in range(12))


def test_the_job_is_registered_with_the_mail_sender(client):
    assert any(isinstance(job, AuthorDigestJob) for job in client.app.state.mail.jobs)


def test_the_cli_queues_the_digests(env, db, capsys):
    tell(db, contribution(db, "lea@exemple.fr"), "Premier.")
    assert cli.main(["contributions", "notices"]) == 0
    assert capsys.readouterr().out.startswith("1 e-mail(s)")
    tell(db, contribution(db, "lea@exemple.fr"), "Second.")
    assert cli.main(["contributions", "notices"]) == 0  # within the day
    assert capsys.readouterr().out.startswith("0 e-mail(s)")
    assert cli.main(["contributions", "notices", "--force"]) == 0
    assert capsys.readouterr().out.startswith("1 e-mail(s)")


# --- stopping ---------------------------------------------------------------------------------------

def test_the_stop_link_clears_the_address_everywhere(client, db, settings, smtp):
    first, second = contribution(db, "lea@exemple.fr", status="published"), contribution(db, "LEA@exemple.fr")
    other = contribution(db, "jean@exemple.fr")
    tell(db, first, "Premier.")
    send_author_digests(db, settings)
    send(db, smtp)
    link = STOP.search(smtp.messages[0].get_body(("plain",)).get_content()).group(1)
    tell(db, second, "En attente.")
    forged = link[:-2] + ("AA" if not link.endswith("AA") else "BB")
    assert get(client, forged).status_code == 404
    assert client.post(forged, follow_redirects=False).status_code == 404
    page = get(client, link)
    assert page.status_code == 200
    form = parse(page.text).find("main").find("form")
    assert form.get("action") == link and form.find("button").text() == "Ne plus rien recevoir"
    # the mail client's one-click POST carries no CSRF token: the signed link is the proof
    response = client.post(link, content="List-Unsubscribe=One-Click", follow_redirects=False,
                           headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert response.status_code == 303 and response.headers["location"] == "/contributions/arreter/fait"
    assert "vous ne recevrez plus rien" in text_of(get(client, "/contributions/arreter/fait").text)
    with db.session() as session:
        addresses = dict(session.execute(select(Contribution.id, Contribution.author_email)
                                         .where(Contribution.id.in_([first, second, other]))).all())
    assert addresses == {first: "", second: "", other: "jean@exemple.fr"}
    assert unsent(db, "lea@exemple.fr") == []
    sign_in_as(client, PERSONAS["facilitator"])
    post(client, f"{MODERATION}/{second}/publish", {"statut": "pending"})
    assert unsent(db, "lea@exemple.fr") == []  # told nothing any more


def test_erasure_deletes_the_notices(db, settings):
    cid = contribution(db, "lea@exemple.fr")
    tell(db, cid, "Premier.")
    send_author_digests(db, settings)
    tell(db, contribution(db, "jean@exemple.fr"), "Pour Jean.")
    with db.session() as session:
        assert privacy.find(session, "Lea@exemple.fr").author_notices == 1
    with db.transaction() as session:
        assert privacy.erase(session, "lea@exemple.fr").author_notices == 1
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(AuthorNotice)
                              .where(AuthorNotice.email == "lea@exemple.fr")) == 0
        assert session.scalar(select(func.count()).select_from(AuthorNotice)
                              .where(AuthorNotice.email == "jean@exemple.fr")) == 1
