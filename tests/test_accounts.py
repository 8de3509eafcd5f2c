"""Signing in, the account page and changing one's password."""

from sqlalchemy import select

from revital.accounts.models import User, UserSession
from revital.accounts.passwords import verify_password
from tests.conftest import MAIN, PERSONAS, get, post, sign_in_as, text_of


def test_sign_in_page_lists_demo_accounts_when_the_demo_is_loaded(client):
    text = text_of(get(client, "/connexion").text)
    assert "Comptes de démonstration" in text
    assert "coordination@revital.test" in text and "demo-revital" in text


def test_sign_in_page_without_demo_shows_no_demo_account(settings, empty_db):
    from tests.conftest import make_client

    with make_client(settings) as client:
        text = text_of(get(client, "/connexion").text)
    assert "Se connecter" in text
    assert "demo-revital" not in text and "Comptes de démonstration" not in text


def test_every_demo_account_signs_in(client):
    for email in ("coordination@revital.test", "commune@revital.test", "animation@revital.test",
                  "partenaire@revital.test", "etudiant@revital.test", "habitant@revital.test"):
        response = post(client, "/connexion", {"email": email.upper(), "password": "demo-revital"})
        assert response.status_code == 303, email
        assert email in get(client, "/compte").text
        post(client, "/deconnexion")


def test_account_page_shows_roles_and_communes(client):
    sign_in_as(client, PERSONAS["admin"])
    text = text_of(get(client, "/compte").text)
    assert "Mon compte" in text
    assert "Commune (élu·e, agent·e) — Saint-Étienne-du-Valdonnez" in text
    assert f"/communes/{MAIN}/gestion" in get(client, "/compte").text


def test_partner_sees_organisation(client):
    sign_in_as(client, PERSONAS["partner"])
    assert "Partenaire technique — CAUE de la Lozère" in text_of(get(client, "/compte").text)


def test_change_password(client, db):
    sign_in_as(client, PERSONAS["admin"])
    other_browser_token = client.app.state.sessions.create(
        db.session().scalar(select(User.id).where(User.email == PERSONAS["admin"]))
    )
    new = "une phrase de passe assez longue"
    response = post(client, "/compte/mot-de-passe",
                    {"current_password": "demo-revital", "new_password": new, "confirm_password": new})
    assert response.status_code == 303
    assert response.headers["location"] == "/compte?ok=mot-de-passe"
    assert "Votre mot de passe est changé" in text_of(get(client, "/compte?ok=mot-de-passe").text)
    with db.session() as session:
        user = session.scalar(select(User).where(User.email == PERSONAS["admin"]))
        assert verify_password(user.password_hash, new)
        assert user.password_changed_at is not None
        # This browser stays signed in; the other one is signed out.
        assert session.scalar(select(UserSession).where(UserSession.user_id == user.id)) is not None
    assert client.app.state.sessions.get(other_browser_token) is None


def test_change_password_errors_are_french_and_change_nothing(client, db):
    sign_in_as(client, PERSONAS["admin"])
    cases = [
        ({"current_password": "pas le bon", "new_password": "une phrase de passe assez longue",
          "confirm_password": "une phrase de passe assez longue"}, "Le mot de passe actuel est incorrect."),
        ({"current_password": "demo-revital", "new_password": "court", "confirm_password": "court"},
         "Le mot de passe doit compter au moins 12 caractères."),
        ({"current_password": "demo-revital", "new_password": "motdepasse123", "confirm_password": "motdepasse123"},
         "Ce mot de passe est trop courant"),
        ({"current_password": "demo-revital", "new_password": "une phrase de passe assez longue",
          "confirm_password": "une autre phrase"}, "Les deux saisies du nouveau mot de passe diffèrent."),
    ]
    for form, message in cases:
        response = post(client, "/compte/mot-de-passe", form)
        assert response.status_code == 422
        assert message in text_of(response.text)
        assert 'aria-invalid="true"' in response.text
    with db.session() as session:
        user = session.scalar(select(User).where(User.email == PERSONAS["admin"]))
        assert verify_password(user.password_hash, "demo-revital")


def test_inactive_account_cannot_sign_in(client, db):
    with db.transaction() as session:
        session.scalar(select(User).where(User.email == PERSONAS["admin"])).is_active = False
    response = post(client, "/connexion", {"email": PERSONAS["admin"], "password": "demo-revital"})
    assert response.status_code == 422


def test_deactivating_an_account_ends_its_sessions(client, db):
    sign_in_as(client, PERSONAS["admin"])
    assert get(client, "/compte").status_code == 200
    with db.transaction() as session:
        session.scalar(select(User).where(User.email == PERSONAS["admin"])).is_active = False
    assert get(client, "/compte").status_code == 303


def test_signed_in_page_shows_who_and_sign_out(client):
    sign_in_as(client, PERSONAS["facilitator"])
    html = get(client, "/").text
    assert "Se déconnecter" in html and "Lucie (animatrice)" in html
    assert "Se connecter" not in text_of(html)
