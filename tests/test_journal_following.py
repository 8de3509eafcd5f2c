"""Following a commune's journal by e-mail: the form on the public pages, the double opt-in, the
one-click stop, the weekly digests (never the same entry twice), and no address in any public output."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from revital import cli, privacy
from revital.communes.models import Commune
from revital.db import utcnow
from revital.journal import followers
from revital.journal.followers import DigestJob, send_digests
from revital.journal.models import Delivery, Follower
from revital.mail.models import Outbox
from revital.mail.sender import Sender
from revital.mail.smtp import SmtpTransport
from tests.conftest import BASE_URL, MAIN, OTHER, PERSONAS, get, post, sign_in_as, text_of
from tests.dom import parse
from tests.mailserver import MailServer
from tests.test_cli import env  # noqa: F401 - the fixture
from tests.test_journal_manage import add_post

JOURNAL = f"/communes/{MAIN}/journal"
FOLLOW = f"{JOURNAL}/suivre"
LINK = re.compile(r"https://testserver\.local(/communes/[^/\s]+/journal/(?:suivre|arreter)/\d+-[A-Za-z0-9_-]+)")
LEA = "lea.martin@exemple.fr"
CHECK_INBOX = "vérifiez votre boîte de réception"
NO_LINK = "Ce lien n’est pas valide"


def mails_to(db, email, kind=None) -> list[Outbox]:
    with db.session() as session:
        query = select(Outbox).where(Outbox.to_address == email).order_by(Outbox.id)
        if kind:
            query = query.where(Outbox.kind == kind)
        return list(session.scalars(query))


def follower(db, email=LEA, slug=MAIN) -> Follower | None:
    with db.session() as session:
        return session.scalar(select(Follower).join(Commune, Commune.id == Follower.commune_id)
                              .where(Follower.email == email, Commune.slug == slug))


def follow(client, email=LEA, slug=MAIN):
    return post(client, f"/communes/{slug}/journal/suivre", {"email": email})


def links(text: str) -> list[str]:
    return LINK.findall(text)


def confirm_link(client, db, email=LEA, slug=MAIN) -> str:
    assert follow(client, email, slug).status_code == 303
    [path] = links(mails_to(db, email)[-1].text)
    assert "/suivre/" in path
    return path


def confirmed(client, db, email=LEA, slug=MAIN) -> Follower:
    assert post(client, confirm_link(client, db, email, slug)).status_code == 303
    return follower(db, email, slug)


def digests(db, settings, now=None, force=True) -> int:
    return send_digests(db, settings, now=now, force=force)


def digest_to(db, email=LEA) -> list[Outbox]:
    return mails_to(db, email, followers.DIGEST)


def the_form(html: str):
    return parse(html).find("form", action=FOLLOW)


# Following.

def test_following_queues_one_confirmation_and_says_to_check_the_inbox(client, db):
    response = follow(client, "  Lea.Martin@Exemple.FR ")
    assert response.status_code == 303 and response.headers["location"] == f"{FOLLOW}?ok=verifiez"
    assert CHECK_INBOX in text_of(get(client, response.headers["location"]).text)
    [mail] = mails_to(db, LEA)
    assert mail.kind == followers.CONFIRMATION and mail.unsubscribe_url is None  # a direct answer
    assert mail.subject == "[Saint-Étienne-du-Valdonnez] Confirmez que vous suivez le journal de bord"
    assert len(links(mail.text)) == 1
    row = follower(db)
    assert row.confirmed_at is None and row.last_digest_at is None


def test_a_bad_address_is_a_422_in_french_with_the_value_kept(client, db):
    response = follow(client, "lea.martin@exemple")
    assert response.status_code == 422
    assert "Saisissez une adresse e-mail valide" in text_of(response.text)
    field = parse(response.text).find("input", id="suivre-email")
    assert field.get("value") == "lea.martin@exemple" and field.get("aria-invalid") == "true"
    assert mails_to(db, "lea.martin@exemple") == [] and follower(db, "lea.martin@exemple") is None


def test_following_again_when_confirmed_reveals_nothing_and_sends_the_stop_link(client, db):
    first = confirmed(client, db)
    response = follow(client)
    assert response.headers["location"] == f"{FOLLOW}?ok=verifiez"  # the same answer as a first time
    last = mails_to(db, LEA)[-1]
    assert last.subject.endswith("Vous suivez déjà le journal de bord") and last.unsubscribe_url is None
    [stop] = links(last.text)
    assert "/arreter/" in stop
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(Follower).where(Follower.email == LEA)) == 1
    assert follower(db).confirmed_at == first.confirmed_at


def test_following_again_before_confirming_reuses_the_row_with_a_new_link(client, db):
    first = confirm_link(client, db)
    ident = follower(db).id
    second = confirm_link(client, db)
    assert follower(db).id == ident and len(mails_to(db, LEA)) == 2
    assert first != second and post(client, first).status_code == 404  # the newer link replaces it
    assert post(client, second).status_code == 303 and follower(db).confirmed_at is not None


def test_an_address_cannot_be_flooded(client, db, settings):
    for _ in range(settings.signin_attempts + 3):
        assert follow(client).status_code == 303
    assert len(mails_to(db, LEA)) == settings.signin_attempts


def test_the_same_address_follows_each_commune_on_its_own(client, db):
    confirmed(client, db)
    assert follow(client, slug=OTHER).status_code == 303
    assert follower(db, slug=OTHER).confirmed_at is None and follower(db).confirmed_at is not None


# Confirming.

def test_opening_the_confirmation_link_changes_nothing_the_button_confirms(client, db):
    path = confirm_link(client, db)
    page = get(client, path)
    assert page.status_code == 200
    form = parse(page.text).find("form", method="post")
    assert form.find("button").text() == "Confirmer"
    assert follower(db).confirmed_at is None  # an e-mail scanner opening the link confirms nothing
    response = post(client, path)
    assert response.status_code == 303 and response.headers["location"] == f"{FOLLOW}?ok=confirme"
    assert "C’est confirmé" in text_of(get(client, response.headers["location"]).text)
    row = follower(db)
    assert row.confirmed_at is not None and row.last_digest_at == row.confirmed_at


def link_of(db, purpose, email=LEA):
    row = follower(db, email)
    return f"{JOURNAL}/{'suivre' if purpose == 'confirmer' else 'arreter'}/" + \
        followers.following.link("test-secret-key-that-is-long-enough-for-csrf", purpose, row.id, row.email,
                                 row.created_at)


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_forged_links_are_a_french_404(client, db, method):
    path = confirm_link(client, db)
    confirm_link(client, db, "autre@exemple.fr")
    other = follower(db, "autre@exemple.fr")
    stop = link_of(db, "arreter")
    number = path.rsplit("/", 1)[1].split("-", 1)[0]
    forged = [
        path[:-3] + ("abc" if not path.endswith("abc") else "abd"),   # a token altered
        path.replace(f"/{number}-", f"/{other.id}-"),                  # the token of another follower
        path.replace("/suivre/", "/arreter/"),                          # a confirmation link used to stop
        stop.replace("/arreter/", "/suivre/"),                          # a stop link used to confirm
        path.replace(MAIN, OTHER),                                      # another commune
        f"{JOURNAL}/suivre/{number}", f"{JOURNAL}/arreter/pas-un-lien",
    ]
    for url in forged:
        response = get(client, url) if method == "GET" else post(client, url)
        assert response.status_code == 404, url
        assert NO_LINK in text_of(response.text)
    assert follower(db).confirmed_at is None and follower(db, "autre@exemple.fr").confirmed_at is None


def test_an_erased_follower_s_links_are_dead(client, db):
    path = confirm_link(client, db)
    with db.transaction() as session:
        privacy.erase(session, LEA)
    assert get(client, path).status_code == 404
    confirm_link(client, db)  # following again makes a new row: the old link stays dead
    assert post(client, path).status_code == 404
    assert follower(db).confirmed_at is None


def test_a_confirmation_link_expires_after_seven_days(client, db):
    confirm_link(client, db)
    with db.transaction() as session:  # as if asked 8 days ago: the link it was sent then
        session.get(Follower, follower(db).id).created_at = utcnow() - timedelta(days=8)
    path = link_of(db, "confirmer")
    response = post(client, path)
    assert response.status_code == 410 and "expiré" in text_of(response.text)
    assert follower(db).confirmed_at is None
    new = confirm_link(client, db)  # the stale row is purged and a new one sent
    assert new != path and post(client, new).status_code == 303


# Stopping.

def test_stopping_by_the_page(client, db):
    row = confirmed(client, db)
    stop = link_of(db, "arreter")
    page = get(client, stop)
    assert page.status_code == 200 and parse(page.text).find("button").text() == "Ne plus suivre"
    assert follower(db) is not None
    response = post(client, stop)
    assert response.status_code == 303 and response.headers["location"] == f"{FOLLOW}?ok=arrete"
    assert "vous ne recevrez plus" in text_of(get(client, response.headers["location"]).text)
    assert follower(db) is None
    with db.session() as session:
        assert session.get(Follower, row.id) is None


def test_one_click_stop_from_a_mail_client_needs_no_csrf_token(client, db, settings):
    row = confirmed(client, db)
    add_post(db, title="Une nouvelle")
    digests(db, settings)
    [mail] = digest_to(db)
    client.cookies.clear()  # no cookie, no token: a mail client
    response = client.post(mail.unsubscribe_url.removeprefix(BASE_URL), data={"List-Unsubscribe": "One-Click"},
                           follow_redirects=False)
    assert response.status_code == 303
    assert follower(db) is None
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(Delivery).where(Delivery.follower_id == row.id)) == 0


def test_other_forms_still_need_their_csrf_token(client, db):
    response = client.post(FOLLOW, data={"email": LEA}, follow_redirects=False)
    assert response.status_code == 403
    assert mails_to(db, LEA) == []


# The digests.

def test_a_digest_carries_new_published_entries_once_with_its_stop_link(client, db, settings):
    before = add_post(db, title="Publié avant la confirmation")
    row = confirmed(client, db)
    confirm_link(client, db, "pas.confirme@exemple.fr")  # asked, never confirmed
    add_post(db, title="Un brouillon", status="draft")
    first = add_post(db, title="La balade urbaine", body="Une **vingtaine** de personnes.")
    second = add_post(db, title="Les étudiants arrivent")
    add_post(db, title="Ailleurs", slug=OTHER)
    assert digests(db, settings) >= 1
    [mail] = digest_to(db)
    assert mail.subject == "[Saint-Étienne-du-Valdonnez] Les nouvelles de la démarche"
    assert "La balade urbaine" in mail.text and "Les étudiants arrivent" in mail.text
    assert "Une vingtaine de personnes." in mail.text
    assert f"{BASE_URL}{JOURNAL}/{first}" in mail.text and f"{BASE_URL}{JOURNAL}/{second}" in mail.text
    assert "Publié avant" not in mail.text and "Un brouillon" not in mail.text and "Ailleurs" not in mail.text
    assert mail.unsubscribe_url == BASE_URL + link_of(db, "arreter") and mail.unsubscribe_url in mail.text
    assert "La balade urbaine" in mail.html
    with db.session() as session:
        sent = set(session.scalars(select(Delivery.post_id).where(Delivery.follower_id == row.id)))
    assert sent == {first, second} and before not in sent
    assert digest_to(db, "pas.confirme@exemple.fr") == []
    digests(db, settings, now=utcnow() + timedelta(seconds=1))
    assert len(digest_to(db)) == 1  # nothing new: no second e-mail


def test_a_new_entry_goes_in_the_next_weekly_digest(client, db, settings):
    row = confirmed(client, db)
    tuesday = datetime(2025, 1, 7, 10, tzinfo=UTC)  # confirmed then (winter: Monday 08:00 in Paris is 07:00 UTC)
    with db.transaction() as session:
        session.get(Follower, row.id).confirmed_at = session.get(Follower, row.id).last_digest_at = tuesday
    add_post(db, title="Première nouvelle")
    digests(db, settings, now=datetime(2025, 1, 8, 10, tzinfo=UTC), force=False)  # Wednesday
    digests(db, settings, now=datetime(2025, 1, 13, 6, 59, tzinfo=UTC), force=False)  # Monday, 07:59 in Paris
    assert digest_to(db) == []
    digests(db, settings, now=datetime(2025, 1, 13, 7, tzinfo=UTC), force=False)  # Monday, 08:00 in Paris
    [mail] = digest_to(db)
    assert "Première nouvelle" in mail.text
    add_post(db, title="Deuxième nouvelle")
    digests(db, settings, now=datetime(2025, 1, 13, 9, tzinfo=UTC), force=False)  # the same week: nothing
    assert len(digest_to(db)) == 1
    digests(db, settings, now=datetime(2025, 1, 20, 7, tzinfo=UTC), force=False)
    first, second = digest_to(db)
    assert "Deuxième nouvelle" in second.text and "Première nouvelle" not in second.text


def test_a_draft_is_sent_only_once_published(client, db, settings):
    confirmed(client, db)
    draft = add_post(db, title="Encore un brouillon", status="draft")
    digests(db, settings)
    assert digest_to(db) == []
    with db.transaction() as session:
        from revital.journal.models import JournalPost

        item = session.get(JournalPost, draft)
        item.status, item.published_at = "published", utcnow()
    digests(db, settings, now=utcnow() + timedelta(seconds=1))
    [mail] = digest_to(db)
    assert "Encore un brouillon" in mail.text


def test_a_claimed_digest_is_not_claimed_again(client, db, settings):
    row = confirmed(client, db)
    add_post(db, title="Une nouvelle")
    now = utcnow() + timedelta(days=8)
    mark = followers.following.digest_mark(now)
    with db.transaction() as session:
        assert followers.send_digest(session, row.id, mark, now, BASE_URL, settings.secret_key)
    with db.transaction() as session:  # another worker, the same week
        assert not followers.send_digest(session, row.id, mark, now, BASE_URL, settings.secret_key)
    assert len(digest_to(db)) == 1


def test_digests_go_by_batches(client, db, settings, monkeypatch):
    monkeypatch.setattr(followers, "BATCH", 2)
    ident = confirmed(client, db).commune_id
    with db.transaction() as session:
        now = utcnow()
        session.add_all([Follower(commune_id=ident, email=f"lecteur{n}@exemple.fr", created_at=now, confirmed_at=now)
                         for n in range(5)])
    add_post(db, title="Pour tout le monde")
    digests(db, settings)
    assert all(len(digest_to(db, f"lecteur{n}@exemple.fr")) == 1 for n in range(5)) and len(digest_to(db)) == 1


def test_the_digest_arrives_by_smtp_with_a_one_click_unsubscribe(client, db, settings):
    confirmed(client, db)
    add_post(db, title="La <halle> & le marché")
    digests(db, settings)
    server = MailServer()
    server.start()
    try:
        Sender(db, SmtpTransport(server.url, timeout=5), "Revital <ne-pas-repondre@revital.example.fr>").send_due()
    finally:
        server.stop()
    [message] = [m for m in server.messages if m["To"] == LEA and m["Subject"].endswith("nouvelles de la démarche")]
    stop = BASE_URL + link_of(db, "arreter")
    assert message["List-Unsubscribe"] == f"<{stop}>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message["Subject"] == "[Saint-Étienne-du-Valdonnez] Les nouvelles de la démarche"
    html = message.get_body(("html",)).get_content()
    assert "La &lt;halle&gt; &amp; le marché" in html and "<halle>" not in html


def test_the_sender_runs_the_digest_job_at_most_once_a_minute(client, app, db, settings):
    assert any(isinstance(job, DigestJob) for job in app.state.mail.jobs)
    job = DigestJob(db, settings)
    with db.transaction() as session:  # due: confirmed long ago, never sent a digest
        ident = session.scalar(select(Commune.id).where(Commune.slug == MAIN))
        session.add(Follower(commune_id=ident, email=LEA, created_at=utcnow() - timedelta(days=30),
                             confirmed_at=utcnow() - timedelta(days=30)))
    add_post(db, title="Une nouvelle")
    now = utcnow()
    Sender(db, None, "x@exemple.fr", jobs=[job]).run_jobs(now)
    assert len(digest_to(db)) == 1
    with db.transaction() as session:
        session.add(Follower(commune_id=ident, email="bis@exemple.fr", created_at=now - timedelta(days=30),
                             confirmed_at=now - timedelta(days=30)))
    assert job(now + timedelta(seconds=30)) == 0 and digest_to(db, "bis@exemple.fr") == []
    assert job(now + timedelta(seconds=61)) == 1 and len(digest_to(db, "bis@exemple.fr")) == 1


def test_a_failing_job_does_not_stop_the_others(db):
    calls = []

    def broken(now):
        raise RuntimeError("en panne")

    Sender(db, None, "x@exemple.fr", jobs=[broken, calls.append]).run_jobs()
    assert len(calls) == 1


def test_the_cli_queues_the_digests(env, client, db, capsys):
    confirmed(client, db)
    add_post(db, title="Une nouvelle")
    assert cli.main(["journal", "digest"]) == 0  # not due this week: confirmed just now
    assert capsys.readouterr().out.startswith("0 e-mail(s)")
    assert cli.main(["journal", "digest", "--force"]) == 0
    with db.session() as session:
        queued = session.scalar(select(func.count()).select_from(Outbox).where(Outbox.kind == followers.DIGEST))
    assert queued >= 1 and capsys.readouterr().out.startswith(f"{queued} e-mail(s)")
    assert cli.main(["journal", "digest", "--force"]) == 0
    assert capsys.readouterr().out.startswith("0 e-mail(s)")


# Pages, personas and personal data.

@pytest.mark.parametrize("persona", ["anonymous", *PERSONAS])
def test_every_persona_sees_the_form_and_can_follow(as_persona, db, persona):
    client = as_persona(persona)
    for url in (JOURNAL, f"/communes/{MAIN}"):
        form = the_form(get(client, url).text)
        field = form.find("input", id="suivre-email")
        assert (field.get("type"), field.get("autocomplete"), field.get("name")) == ("email", "email", "email")
        assert form.find("label", for_="suivre-email").text() == "Votre adresse e-mail"
        assert "un clic pour arrêter" in form.text()
    email = f"{persona}.lectrice@exemple.fr"
    assert follow(client, email).status_code == 303
    assert len(mails_to(db, email)) == 1


def test_the_cached_form_carries_each_visitor_s_own_token(client, db):
    tokens = []
    for email in ("une@exemple.fr", "deux@exemple.fr"):  # two anonymous visitors, one cached page
        client.cookies.clear()
        client.get(JOURNAL)
        form = the_form(client.get(JOURNAL).text)
        token = form.find("input", name="_csrf_token").get("value")
        assert token == client.cookies["revital_csrf"]
        tokens.append(token)
        response = client.post(FOLLOW, data={"_csrf_token": token, "email": email}, follow_redirects=False)
        assert response.status_code == 303
        assert len(mails_to(db, email)) == 1
    assert tokens[0] != tokens[1]


def test_no_follower_address_in_any_public_page_or_feed(client, db, settings):
    confirmed(client, db)
    post_id = add_post(db, title="Une nouvelle")
    digests(db, settings)
    with db.session() as session:
        commune = session.scalar(select(Commune).where(Commune.slug == MAIN))
        territory = commune.territory.slug
        addresses = [LEA, *session.scalars(select(Follower.email).where(Follower.commune_id == commune.id))]
    assert len(addresses) >= 3  # the demo's followers too
    client.cookies.clear()
    for url in (f"/communes/{MAIN}", JOURNAL, f"{JOURNAL}/{post_id}", FOLLOW, f"{JOURNAL}.atom",
                f"/territoires/{territory}/journal.atom", f"/territoires/{territory}"):
        response = get(client, url)
        assert response.status_code == 200, url
        for address in addresses:
            assert address not in response.text, (url, address)


def test_the_back_office_counts_confirmed_followers_and_shows_no_address(client, db):
    with db.session() as session:
        ident = session.scalar(select(Commune.id).where(Commune.slug == MAIN))
        demo = list(session.scalars(select(Follower.email).where(Follower.commune_id == ident)))
    confirmed(client, db)
    confirm_link(client, db, "pas.encore@exemple.fr")
    sign_in_as(client, PERSONAS["admin"])
    html = get(client, f"/communes/{MAIN}/gestion/journal").text
    assert parse(html).find("p", id="abonnes").find("strong").text() == str(len(demo) + 1)
    for address in [LEA, "pas.encore@exemple.fr", *demo]:
        assert address not in html


def test_privacy_shows_and_erases_the_journals_followed(client, db, settings):
    row = confirmed(client, db)
    confirm_link(client, db, slug=OTHER)
    add_post(db, title="Une nouvelle")
    digests(db, settings)
    with db.session() as session:
        found = privacy.find(session, LEA.upper())
    assert found.followed == [("Grandrieu", False), ("Saint-Étienne-du-Valdonnez", True)]
    with db.transaction() as session:
        erased = privacy.erase(session, LEA)
    assert erased.followed == 2
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(Follower).where(Follower.email == LEA)) == 0
        assert session.scalar(select(func.count()).select_from(Delivery).where(Delivery.follower_id == row.id)) == 0
        assert privacy.find(session, LEA).followed == []


def test_the_demo_followers_are_confirmed_and_not_due(db):
    with db.session() as session:
        rows = list(session.scalars(select(Follower)))
    assert len(rows) >= 6 and all(r.email.endswith("@exemple.fr") and r.confirmed_at for r in rows)
    assert not any(followers.following.is_due(r.confirmed_at, r.last_digest_at,
                                              followers.following.digest_mark(utcnow())) for r in rows)


def test_the_personal_data_command_lists_and_erases_the_journals_followed(env, client, db, capsys):
    confirmed(client, db)
    assert cli.main(["personal-data", "show", "--email", LEA]) == 0
    out = capsys.readouterr().out
    assert "journaux de bord suivis par e-mail : 1" in out and "    Saint-Étienne-du-Valdonnez\n" in out
    assert cli.main(["personal-data", "erase", "--email", LEA, "--yes"]) == 0
    assert "le suivi de 1 journal(aux) de bord" in capsys.readouterr().out
    assert follower(db) is None
