"""Every page and form of the foundation, tried by every persona, with the exact status expected."""

import pytest
from sqlalchemy import select

from revital.communes.models import Commune
from revital.localgroups.models import LocalGroup, Member
from revital.process.models import Process
from tests.conftest import MAIN, get, post, text_of

PERSONAS = ["anonymous", "resident", "student", "supervisor", "facilitator", "partner", "admin", "other_admin", "coordinator"]

PUBLIC_PAGES = ["/", f"/communes/{MAIN}", f"/communes/{MAIN}/etudiants", "/connexion", "/accessibilite", "/confidentialite"]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_public_pages_answer_everyone(as_persona, persona, path):
    response = get(as_persona(persona), path)
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert "<title>" in response.text


@pytest.mark.parametrize("persona", PERSONAS)
def test_unknown_commune_is_404_for_everyone(as_persona, persona):
    client = as_persona(persona)
    for path in ("/communes/atlantis", "/communes/atlantis/gestion", "/communes/atlantis/gestion/groupe-local"):
        response = get(client, path)
        assert response.status_code == 404
        assert "Aucune commune ne correspond à cette adresse." in text_of(response.text)


@pytest.mark.parametrize("persona", PERSONAS)
def test_insee_code_redirects_to_slug(as_persona, persona):
    response = get(as_persona(persona), "/communes/48147")
    assert response.status_code == 303
    assert response.headers["location"] == f"/communes/{MAIN}"


SIGNED_IN = {p: 200 for p in PERSONAS if p != "anonymous"}

# status per persona: 303 for anonymous means "to the sign-in page".
GET_PAGES = {
    "/compte": {"anonymous": 303, **SIGNED_IN},
    f"/communes/{MAIN}/gestion": {
        "anonymous": 303, "resident": 403, "student": 403, "supervisor": 403, "facilitator": 200, "partner": 403,
        "admin": 200, "other_admin": 403, "coordinator": 200,
    },
    f"/communes/{MAIN}/gestion/groupe-local": {
        "anonymous": 303, "resident": 403, "student": 403, "supervisor": 403, "facilitator": 200, "partner": 403,
        "admin": 200, "other_admin": 403, "coordinator": 200,
    },
}


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("path", list(GET_PAGES))
def test_restricted_pages(as_persona, persona, path):
    response = get(as_persona(persona), path)
    expected = GET_PAGES[path][persona]
    assert response.status_code == expected
    if expected in (200, 403):
        assert response.headers["content-type"] == "text/html; charset=utf-8"
    if expected == 303:
        assert response.headers["location"].startswith("/connexion?suivant=" + path)
    if expected == 403:
        assert text_of(response.text).count(
            "Votre compte n’a pas accès à cette page : elle est réservée à la commune, à l’animation du groupe local "
            "et à la coordination du territoire. Demandez l’accès à la commune ou à la coordination du territoire.") == 1


MANAGERS = {"admin", "coordinator"}
GROUP_MANAGERS = {"admin", "coordinator", "facilitator"}


def expected_for(persona, allowed, success):
    if persona == "anonymous":
        return 303
    return success if persona in allowed else 403


@pytest.mark.parametrize("persona", PERSONAS)
def test_description_form(as_persona, db, persona):
    client = as_persona(persona)
    response = post(client, f"/communes/{MAIN}/gestion/description", {"description": "Nouveau texte"})
    expected = expected_for(persona, MANAGERS, 303)
    assert response.status_code == expected
    page = get(client, f"/communes/{MAIN}").text
    assert ("Nouveau texte" in page) == (persona in MANAGERS)


@pytest.mark.parametrize("persona", PERSONAS)
def test_phase_form(as_persona, db, persona):
    client = as_persona(persona)
    with db.session() as session:
        process = session.scalar(select(Process).join(Commune).where(Commune.slug == MAIN))
        version = process.version
    response = post(client, f"/communes/{MAIN}/gestion/phase",
                    {"direction": "back", "reason": "Le diagnostic doit être repris.", "version": version})
    expected = expected_for(persona, MANAGERS, 303)
    assert response.status_code == expected
    with db.session() as session:
        phase = session.get(Process, process.id).phase
    assert phase == ("diagnostic" if persona in MANAGERS else "emergence")


@pytest.mark.parametrize("persona", PERSONAS)
def test_add_member_form(as_persona, db, persona):
    client = as_persona(persona)
    response = post(client, f"/communes/{MAIN}/gestion/groupe-local/membres", {"name": "Nouvelle Personne", "kind": "resident"})
    expected = expected_for(persona, GROUP_MANAGERS, 303)
    assert response.status_code == expected
    with db.session() as session:
        added = session.scalar(select(Member).where(Member.name == "Nouvelle Personne"))
    assert (added is not None) == (persona in GROUP_MANAGERS)


@pytest.mark.parametrize("persona", PERSONAS)
def test_remove_member_form(as_persona, db, persona):
    client = as_persona(persona)
    with db.session() as session:
        member = session.scalar(select(Member).join(LocalGroup).where(Member.name == "Marc Vidal"))
        member_id = member.id
    response = post(client, f"/communes/{MAIN}/gestion/groupe-local/membres/{member_id}/retirer")
    expected = expected_for(persona, GROUP_MANAGERS, 303)
    assert response.status_code == expected
    with db.session() as session:
        still_there = session.get(Member, member_id) is not None
    assert still_there == (persona not in GROUP_MANAGERS)


@pytest.mark.parametrize("persona", PERSONAS)
def test_password_form(as_persona, persona):
    client = as_persona(persona)
    response = post(client, "/compte/mot-de-passe", {"current_password": "faux", "new_password": "x", "confirm_password": "x"})
    assert response.status_code == (303 if persona == "anonymous" else 422)


@pytest.mark.parametrize("persona", PERSONAS)
def test_sign_out_form(as_persona, persona):
    client = as_persona(persona)
    response = post(client, "/deconnexion")
    assert response.status_code == 303
    assert response.headers["location"] == "/?ok=deconnexion"
    assert get(client, "/compte").status_code == 303


CONTRIBUTION_PAGES = [f"/communes/{MAIN}/contribuer", f"/communes/{MAIN}/contributions",
                      f"/communes/{MAIN}/contributions?kind=idea&category=commerce&phase=diagnostic"]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("path", CONTRIBUTION_PAGES)
def test_contribution_pages_answer_everyone(as_persona, persona, path):
    response = get(as_persona(persona), path)
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"


@pytest.mark.parametrize("persona", PERSONAS)
def test_a_published_contribution_answers_everyone_and_a_pending_one_only_moderators(as_persona, db, persona):
    from revital.contributions.models import Contribution

    with db.session() as session:
        published = session.scalar(select(Contribution.id).where(Contribution.title == "La boulangerie a fermé"))
        pending = session.scalar(select(Contribution.id).where(Contribution.title == "La fête du village en août"))
    client = as_persona(persona)
    assert get(client, f"/communes/{MAIN}/contributions/{published}").status_code == 200
    moderators = {"facilitator", "admin", "coordinator"}
    assert get(client, f"/communes/{MAIN}/contributions/{pending}").status_code == (200 if persona in moderators else 404)
