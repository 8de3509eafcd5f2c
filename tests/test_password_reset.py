"""Forgotten password: the link by e-mail, the new password, and every misuse of the link."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from revital import privacy
from revital.accounts.models import AccountToken, User, UserSession
from revital.accounts.passwords import verify_password
from revital.accounts.sessions import token_hash
from revital.db import utcnow
from revital.mail.models import Outbox
from tests.conftest import PERSONAS, get, post, sign_in_as, text_of
from tests.dom import parse

FORGOT = "/connexion/mot-de-passe-oublie"
SENT = "Si un compte existe pour cette adresse, un e-mail vient de lui être envoyé."
NEW = "une phrase de passe toute neuve"
LINK = re.compile(r"https://testserver\.local(/connexion/nouveau-mot-de-passe/[A-Za-z0-9_-]+)")


def outbox(db):
    with db.session() as session:
        return session.scalars(select(Outbox).order_by(Outbox.id)).all()


def ask(client, email):
    response = post(client, FORGOT, {"email": email})
    assert response.status_code == 200
    return text_of(response.text)


def link_for(client, db, email=PERSONAS["admin"]):
    ask(client, email)
    return LINK.search(outbox(db)[-1].text).group(1)


def set_password(client, link, new=NEW, confirm=None):
    return post(client, link, {"new_password": new, "confirm_password": new if confirm is None else confirm})


def password_hash(db, email):
    with db.session() as session:
        return session.scalar(select(User.password_hash).where(User.email == email))


@pytest.mark.parametrize("persona", ["anonymous", "resident", "facilitator", "student", "partner", "admin", "coordinator"])
def test_the_sign_in_page_links_to_the_form(as_persona, persona):
    client = as_persona(persona)
    page = parse(get(client, "/connexion").text)
    assert any(a.get("href") == FORGOT and a.text() == "Mot de passe oublié ?" for a in page.find_all("a"))
    response = get(client, FORGOT)
    assert response.status_code == 200
    form = parse(response.text).find("form", action=FORGOT)
    assert form is not None and form.find("input", name="email") is not None


def test_the_answer_is_the_same_whether_or_not_the_account_exists(client, db):
    assert SENT in ask(client, "inconnu@exemple.fr")
    assert outbox(db) == []
    assert SENT in ask(client, "  Commune@Revital.TEST ")
    [message] = outbox(db)
    assert message.to_address == PERSONAS["admin"] and message.kind == "password-reset"
    assert message.unsubscribe_url is None  # a direct answer to the person's own request
    assert "dans les 24 heures" in message.text and LINK.search(message.text)
    with db.session() as session:
        row = session.scalar(select(AccountToken).where(AccountToken.purpose == "reset"))
    token = LINK.search(message.text).group(1).rsplit("/", 1)[1]
    assert row.token_hash == token_hash(token) and token not in row.token_hash  # stored hashed


def test_a_malformed_address_is_asked_again(client, db):
    response = post(client, FORGOT, {"email": "pas une adresse"})
    assert response.status_code == 422
    assert "Saisissez l’adresse e-mail de votre compte" in text_of(response.text)
    assert outbox(db) == []


def test_the_link_sets_a_new_password_and_ends_every_session(client, db):
    sign_in_as(client, PERSONAS["admin"])
    link = link_for(client, db)
    response = get(client, link)
    assert response.status_code == 200
    assert parse(response.text).find("form", action=link) is not None
    response = set_password(client, link)
    assert response.status_code == 303 and response.headers["location"] == "/connexion?ok=mot-de-passe"
    assert "Votre mot de passe est changé" in text_of(get(client, "/connexion?ok=mot-de-passe").text)
    assert verify_password(password_hash(db, PERSONAS["admin"]), NEW)
    with db.session() as session:
        assert session.scalars(select(UserSession)).all() == []
    assert get(client, "/compte").status_code == 303  # signed out here too
    assert post(client, "/connexion", {"email": PERSONAS["admin"], "password": NEW}).status_code == 303


def test_a_weak_or_mistyped_password_keeps_the_link_usable(client, db):
    link = link_for(client, db)
    response = set_password(client, link, "court")
    assert response.status_code == 422
    assert "au moins 12 caractères" in text_of(response.text)
    response = set_password(client, link, NEW, "une autre phrase de passe")
    assert response.status_code == 422
    assert "Les deux saisies du nouveau mot de passe diffèrent." in text_of(response.text)
    assert verify_password(password_hash(db, PERSONAS["admin"]), "demo-revital")
    assert set_password(client, link).status_code == 303


def test_a_used_link_is_refused(client, db):
    link = link_for(client, db)
    assert set_password(client, link).status_code == 303
    for response in (get(client, link), set_password(client, link, "encore une autre phrase")):
        assert response.status_code == 410
        assert "Ce lien a déjà servi" in text_of(response.text)
    assert verify_password(password_hash(db, PERSONAS["admin"]), NEW)


def test_an_expired_link_is_refused(client, db):
    link = link_for(client, db)
    with db.transaction() as session:
        session.execute(update(AccountToken).values(expires_at=utcnow() - timedelta(seconds=1)))
    for response in (get(client, link), set_password(client, link)):
        assert response.status_code == 410
        assert "Ce lien a expiré" in text_of(response.text)
    assert verify_password(password_hash(db, PERSONAS["admin"]), "demo-revital")


@pytest.mark.parametrize("token", ["forge", "A" * 43, "x" * 500, "ab%20cd%3Cscript%3E"])
def test_a_forged_link_is_refused(client, db, token):
    for response in (get(client, f"/connexion/nouveau-mot-de-passe/{token}"),
                     set_password(client, f"/connexion/nouveau-mot-de-passe/{token}")):
        assert response.status_code == 404
        assert "Ce lien n’est pas valide" in text_of(response.text)


def test_a_tampered_link_is_refused(client, db):
    link = link_for(client, db)
    tampered = link[:-1] + ("a" if link[-1] != "a" else "b")
    response = set_password(client, tampered)
    assert response.status_code == 404
    assert "Ce lien n’est pas valide" in text_of(response.text)
    assert verify_password(password_hash(db, PERSONAS["admin"]), "demo-revital")


def test_a_newer_request_replaces_the_older_link(client, db):
    first = link_for(client, db)
    second = link_for(client, db)
    assert get(client, first).status_code == 404
    assert get(client, second).status_code == 200


def test_another_accounts_link_changes_only_that_account(client, db):
    sign_in_as(client, PERSONAS["facilitator"])
    link = link_for(client, db, PERSONAS["admin"])
    assert set_password(client, link).status_code == 303
    assert verify_password(password_hash(db, PERSONAS["admin"]), NEW)
    assert verify_password(password_hash(db, PERSONAS["facilitator"]), "demo-revital")


def test_an_inactive_account_gets_no_link(client, db):
    with db.transaction() as session:
        session.execute(update(User).where(User.email == PERSONAS["student"]).values(is_active=False))
    assert SENT in ask(client, PERSONAS["student"])
    assert outbox(db) == []


def test_requests_are_limited_per_address_with_the_same_answer(client, db, settings):
    for _ in range(settings.signin_attempts + 3):
        assert SENT in ask(client, PERSONAS["admin"])
    assert len(outbox(db)) == settings.signin_attempts
    ask(client, PERSONAS["facilitator"])  # another address is not held back
    assert len(outbox(db)) == settings.signin_attempts + 1


def test_a_request_without_its_form_token_changes_nothing(client, db):
    response = client.post(FORGOT, data={"email": PERSONAS["admin"]}, follow_redirects=False)
    assert response.status_code == 403
    assert outbox(db) == []


def test_privacy_covers_the_links_and_their_counter(client, db):
    link = link_for(client, db)
    with db.transaction() as session:
        found = privacy.find(session, PERSONAS["admin"])
        assert (found.links, found.emails, found.attempts) == (1, 1, 1)  # reset link, its e-mail, its counter
        erased = privacy.erase(session, PERSONAS["admin"])
        assert (erased.links, erased.emails, erased.attempts) == (1, 1, 1)
    assert get(client, link).status_code == 404
