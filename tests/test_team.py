"""The commune's "Équipe et invitations" page: roles and pending invitations, inviting, cancelling
an invitation, revoking a role (which ends the person's sessions)."""

import re

import pytest
from sqlalchemy import func, select

from revital.accounts.models import AccountToken, RoleGrant, User, UserSession
from revital.mail.models import Outbox
from tests.conftest import MAIN, OTHER, PERSONAS, get, post, sign_in_as, text_of, user_id
from tests.dom import parse

TEAM = f"/communes/{MAIN}/gestion/equipe"
LINK = re.compile(r"https://testserver\.local(/invitation/[A-Za-z0-9_-]+)")


def pending(db):
    with db.session() as session:
        return session.scalars(select(AccountToken).where(AccountToken.purpose == "invitation")
                               .order_by(AccountToken.id)).all()


def sent(db):
    with db.session() as session:
        return session.scalars(select(Outbox).order_by(Outbox.id)).all()


def grant_of(db, email, role):
    with db.session() as session:
        return session.scalar(select(RoleGrant).join(User).where(User.email == email, RoleGrant.role == role))


@pytest.mark.parametrize("persona, status", [
    ("resident", 403), ("student", 403), ("facilitator", 403), ("partner", 403), ("other_admin", 403),
    ("admin", 200), ("coordinator", 200),
])
def test_who_opens_the_page(as_persona, persona, status):
    assert get(as_persona(persona), TEAM).status_code == status


def test_anonymous_is_sent_to_sign_in(client):
    response = get(client, TEAM)
    assert response.status_code == 303 and response.headers["location"].startswith("/connexion?suivant=")


def test_the_page_lists_roles_and_the_demo_invitations(client):
    sign_in_as(client, PERSONAS["coordinator"])
    response = get(client, TEAM)
    assert response.status_code == 200
    text = text_of(response.text)
    assert "Mairie de Saint-Étienne-du-Valdonnez" in text and "Lucie (animatrice)" in text
    assert "nouvel-animateur@revital.test" in text and "encadrante@revital.test" in text
    page = parse(response.text)
    assert page.find("form", action=f"{TEAM}/invitations") is not None
    roles = {o.get("value") for o in page.find("select", name="role").find_all("option")}
    assert roles == {"commune_admin", "facilitator", "student", "supervisor"}


def test_a_commune_admin_invites_only_facilitators(client, db):
    sign_in_as(client, PERSONAS["admin"])
    page = parse(get(client, TEAM).text)
    assert {o.get("value") for o in page.find("select", name="role").find_all("option")} == {"facilitator"}
    # Only the facilitators' rows and invitations carry a revoke button.
    actions = {f.get("action") for f in page.find_all("form") if f.get("action", "").endswith(("/retirer", "/annuler"))}
    admin_grant = grant_of(db, PERSONAS["admin"], "commune_admin")
    assert f"{TEAM}/roles/{admin_grant.id}/retirer" not in actions
    assert f"{TEAM}/roles/{grant_of(db, PERSONAS['facilitator'], 'facilitator').id}/retirer" in actions
    response = post(client, f"{TEAM}/invitations", {"email": "maire@exemple.fr", "role": "commune_admin"})
    assert response.status_code == 422
    assert "Choisissez un des rôles proposés." in text_of(response.text)
    response = post(client, f"{TEAM}/roles/{admin_grant.id}/retirer")
    assert response.status_code == 403
    assert grant_of(db, PERSONAS["admin"], "commune_admin") is not None


def test_inviting_sends_a_link_in_the_same_transaction(client, db):
    sign_in_as(client, PERSONAS["admin"])
    response = post(client, f"{TEAM}/invitations", {"email": " Nadia@Exemple.fr ", "role": "facilitator"})
    assert response.status_code == 303 and response.headers["location"] == f"{TEAM}?ok=invitation"
    [message] = sent(db)
    assert message.to_address == "nadia@exemple.fr" and message.kind == "invitation"
    assert message.subject == "[Saint-Étienne-du-Valdonnez] Invitation à rejoindre la démarche"
    assert "Mairie de Saint-Étienne-du-Valdonnez vous invite" in message.text and LINK.search(message.text)
    row = pending(db)[-1]
    assert (row.email, row.role) == ("nadia@exemple.fr", "facilitator")
    assert "nadia@exemple.fr" in text_of(get(client, f"{TEAM}?ok=invitation").text)


@pytest.mark.parametrize("email, message", [
    ("pas-une-adresse", "Saisissez l’adresse e-mail de la personne à inviter"),
    (PERSONAS["facilitator"], "Cette personne a déjà le rôle « Animateur·rice du groupe local » dans cette commune."),
])
def test_bad_invitations_are_explained(client, db, email, message):
    sign_in_as(client, PERSONAS["admin"])
    before = len(pending(db))
    response = post(client, f"{TEAM}/invitations", {"email": email, "role": "facilitator"})
    assert response.status_code == 422
    assert message in text_of(response.text)
    assert sent(db) == [] and len(pending(db)) == before


def test_another_communes_admin_cannot_invite_here(client, db):
    sign_in_as(client, PERSONAS["other_admin"])
    assert post(client, f"{TEAM}/invitations", {"email": "x@exemple.fr", "role": "facilitator"}).status_code == 403
    assert sent(db) == []


def test_cancelling_an_invitation_kills_its_link(client, db):
    sign_in_as(client, PERSONAS["admin"])
    post(client, f"{TEAM}/invitations", {"email": "nadia@exemple.fr", "role": "facilitator"})
    link = LINK.search(sent(db)[0].text).group(1)
    row = pending(db)[-1]
    response = post(client, f"{TEAM}/invitations/{row.id}/annuler")
    assert response.status_code == 303 and response.headers["location"] == f"{TEAM}?ok=invitation-annulee"
    assert get(client, link).status_code == 404
    assert post(client, f"{TEAM}/invitations/{row.id}/annuler").status_code == 404


def test_an_invitation_of_another_commune_cannot_be_cancelled_from_here(client, db):
    sign_in_as(client, PERSONAS["other_admin"])
    rows = pending(db)
    assert post(client, f"/communes/{OTHER}/gestion/equipe/invitations/{rows[0].id}/annuler").status_code == 404
    assert len(pending(db)) == len(rows)


def test_revoking_a_role_ends_the_persons_sessions(client, db):
    facilitator = user_id(db, PERSONAS["facilitator"])
    client.app.state.sessions.create(facilitator)
    sign_in_as(client, PERSONAS["admin"])
    grant = grant_of(db, PERSONAS["facilitator"], "facilitator")
    response = post(client, f"{TEAM}/roles/{grant.id}/retirer")
    assert response.status_code == 303 and response.headers["location"] == f"{TEAM}?ok=role-retire"
    assert grant_of(db, PERSONAS["facilitator"], "facilitator") is None
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(UserSession).where(UserSession.user_id == facilitator)) == 0
    assert post(client, f"{TEAM}/roles/{grant.id}/retirer").status_code == 404


def test_a_role_of_another_commune_cannot_be_revoked_from_here(client, db):
    sign_in_as(client, PERSONAS["other_admin"])
    grant = grant_of(db, PERSONAS["facilitator"], "facilitator")
    assert post(client, f"/communes/{OTHER}/gestion/equipe/roles/{grant.id}/retirer").status_code == 404
    assert grant_of(db, PERSONAS["facilitator"], "facilitator") is not None
