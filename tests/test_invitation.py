"""Accepting an invitation at /invitation/{token}: a new account, or the role added to an existing
one; and every misuse of the link (expired, used, cancelled, forged, a reset link)."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from revital.accounts.models import AccountToken, RoleGrant, User
from revital.accounts.passwords import verify_password
from revital.db import utcnow
from revital.mail.models import Outbox
from tests.conftest import MAIN, PERSONAS, get, post, sign_in_as, text_of
from tests.dom import parse

TEAM = f"/communes/{MAIN}/gestion/equipe"
LINK = re.compile(r"https://testserver\.local(/invitation/[A-Za-z0-9_-]+)")
PASSWORD = "une phrase de passe pour le groupe"


def invite(client, db, email, role="facilitator", by="admin"):
    sign_in_as(client, PERSONAS[by])
    assert post(client, f"{TEAM}/invitations", {"email": email, "role": role}).status_code == 303
    client.cookies.delete("revital_session", domain="testserver.local")
    with db.session() as session:
        text = session.scalars(select(Outbox.text).order_by(Outbox.id.desc())).first()
    return LINK.search(text).group(1)


def accept(client, link, name="Nadia Fabre", password=PASSWORD, confirm=None):
    return post(client, link, {"display_name": name, "new_password": password,
                               "confirm_password": password if confirm is None else confirm})


def roles_of(db, email):
    with db.session() as session:
        return set(session.scalars(select(RoleGrant.role).join(User).where(User.email == email)))


def test_a_new_person_chooses_a_name_and_a_password(client, db):
    link = invite(client, db, "nadia@exemple.fr")
    response = get(client, link)
    assert response.status_code == 200
    page = parse(response.text)
    assert page.find("h1").text() == "Rejoindre la démarche de Saint-Étienne-du-Valdonnez"
    assert page.find("form", action=link).find("input", name="display_name") is not None
    response = accept(client, link)
    assert response.status_code == 303 and response.headers["location"] == "/connexion?ok=invitation"
    with db.session() as session:
        user = session.scalar(select(User).where(User.email == "nadia@exemple.fr"))
        assert user.display_name == "Nadia Fabre" and verify_password(user.password_hash, PASSWORD)
    assert roles_of(db, "nadia@exemple.fr") == {"facilitator"}
    assert post(client, "/connexion", {"email": "nadia@exemple.fr", "password": PASSWORD}).status_code == 303
    assert get(client, f"/communes/{MAIN}/gestion/moderation").status_code == 200


def test_an_existing_account_just_takes_the_role(client, db):
    link = invite(client, db, PERSONAS["resident"], "student", by="coordinator")
    page = parse(get(client, link).text)
    assert page.find("input", name="new_password") is None
    assert accept(client, link, name="", password="").status_code == 303
    assert roles_of(db, PERSONAS["resident"]) == {"resident", "student"}
    with db.session() as session:
        user = session.scalar(select(User).where(User.email == PERSONAS["resident"]))
        assert verify_password(user.password_hash, "demo-revital")


@pytest.mark.parametrize("name, password, confirm, message", [
    ("", PASSWORD, None, "Indiquez votre nom"),
    ("Nadia", "court", None, "au moins 12 caractères"),
    ("Nadia", PASSWORD, "autre chose encore", "Les deux saisies du mot de passe diffèrent."),
])
def test_bad_input_keeps_the_link_usable(client, db, name, password, confirm, message):
    link = invite(client, db, "nadia@exemple.fr")
    response = accept(client, link, name, password, confirm)
    assert response.status_code == 422
    assert message in text_of(response.text)
    assert roles_of(db, "nadia@exemple.fr") == set()
    assert accept(client, link).status_code == 303


def test_a_used_invitation_is_refused(client, db):
    link = invite(client, db, "nadia@exemple.fr")
    assert accept(client, link).status_code == 303
    response = accept(client, link, name="Quelqu’un d’autre")
    assert response.status_code == 410
    assert "Cette invitation a déjà été acceptée" in text_of(response.text)


def test_an_expired_invitation_is_refused(client, db):
    link = invite(client, db, "nadia@exemple.fr")
    with db.transaction() as session:
        session.execute(update(AccountToken).values(expires_at=utcnow() - timedelta(seconds=1)))
    response = accept(client, link)
    assert response.status_code == 410
    assert "Cette invitation a expiré" in text_of(response.text)
    assert roles_of(db, "nadia@exemple.fr") == set()


@pytest.mark.parametrize("token", ["forge", "B" * 43, "y" * 300])
def test_a_forged_invitation_is_refused(client, db, token):
    for response in (get(client, f"/invitation/{token}"), accept(client, f"/invitation/{token}")):
        assert response.status_code == 404
        assert "Ce lien d’invitation n’est pas valide" in text_of(response.text)


def test_a_password_reset_link_is_not_an_invitation(client, db):
    post(client, "/connexion/mot-de-passe-oublie", {"email": PERSONAS["resident"]})
    with db.session() as session:
        text = session.scalar(select(Outbox.text))
    token = re.search(r"nouveau-mot-de-passe/([A-Za-z0-9_-]+)", text).group(1)
    assert accept(client, f"/invitation/{token}").status_code == 404
    assert get(client, f"/connexion/nouveau-mot-de-passe/{token}").status_code == 200


def test_an_invitation_link_does_not_reset_a_password(client, db):
    link = invite(client, db, PERSONAS["resident"], "student", by="coordinator")
    token = link.rsplit("/", 1)[1]
    assert get(client, f"/connexion/nouveau-mot-de-passe/{token}").status_code == 404
