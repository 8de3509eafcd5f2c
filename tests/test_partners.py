"""The coordinator manages the territory's partner organisations and the communes each accompanies:
/territoires/{slug}/gestion/partenaires."""

import re

import pytest
from sqlalchemy import func, select

from revital.accounts.models import AccountToken, RoleGrant, User
from revital.mail.models import Outbox

from revital.communes import organisations
from revital.communes.models import Commune, CommunePartner, Organisation
from tests.conftest import MAIN, PERSONAS, get, make_client, post, sign_in_as, text_of
from tests.dom import parse

URL = "/territoires/pays-des-sources-demo/gestion/partenaires"


def count(db, model) -> int:
    with db.session() as session:
        return session.scalar(select(func.count()).select_from(model))


def accompanied(db, slug) -> list[str]:
    with db.session() as session:
        return sorted(session.scalars(select(Commune.insee).join(CommunePartner).join(Organisation)
                                      .where(Organisation.slug == slug)))


@pytest.mark.parametrize("persona, status", [
    ("anonymous", 303), ("resident", 403), ("facilitator", 403), ("student", 403), ("partner", 403),
    ("admin", 403), ("other_admin", 403), ("coordinator", 200),
])
def test_it_checks_access(as_persona, db, persona, status):
    client = as_persona(persona)
    assert get(client, URL).status_code == status
    assert get(client, f"{URL}/caue-48").status_code == status
    before = count(db, Organisation)
    assert post(client, URL, {"name": "EPF Occitanie", "kind": "epf"}).status_code == (303 if status == 200 else status)
    assert count(db, Organisation) == before + (1 if status == 200 else 0)


def test_it_works(client):
    sign_in_as(client, PERSONAS["coordinator"])
    dom = parse(get(client, URL).text)
    assert dom.find("h1").text() == "Organisations partenaires · Pays des Sources (démonstration)"
    rows = {tr.find("th").text(): [td.text() for td in tr.find_all("td")] for tr in dom.find("tbody").find_all("tr")}
    assert rows["CAUE de la Lozère"][:2] == ["CAUE", "Châteauneuf-de-Randon, Grandrieu, Mont Lozère et Goulet, Saint-Étienne-du-Valdonnez"]
    assert rows["CCI de la Lozère"][:2] == ["Chambre consulaire", "aucune"]
    form = dom.find("form", action=URL)
    assert [o.get("value") for o in form.find("select", name="kind").find_all("option")][1:] == list(organisations.KINDS)
    assert [i.get("value") for i in form.find_all("input", type="checkbox")] == ["48043", "48070", "48027", "48147"]


def test_add_an_organisation_and_the_communes_it_accompanies(client, db):
    sign_in_as(client, PERSONAS["coordinator"])
    response = post(client, URL, {"name": "  EPF   Occitanie ", "kind": "epf", "communes": ["48147", "48070"]})
    assert response.status_code == 303 and response.headers["location"] == f"{URL}?ok=ajoutee"
    assert accompanied(db, "epf-occitanie") == ["48070", "48147"]
    assert "L’organisation est ajoutée." in text_of(get(client, response.headers["location"]).text)
    client.cookies.clear()
    page = parse(get(client, f"/communes/{MAIN}").text)
    assert "EPF Occitanie (EPF)" in page.find("section", aria_labelledby="partenaires").text()


def test_edit_an_organisation(client, db):
    sign_in_as(client, PERSONAS["coordinator"])
    dom = parse(get(client, f"{URL}/caue-48").text)
    form = dom.find("form", action=f"{URL}/caue-48")
    assert form.find("input", name="name").get("value") == "CAUE de la Lozère"
    assert [i.get("value") for i in form.find_all("input", type="checkbox") if i.get("checked") is not None] == [
        "48043", "48070", "48027", "48147"]
    response = post(client, f"{URL}/caue-48", {"name": "CAUE de la Lozère", "kind": "caue", "communes": ["48147"]})
    assert response.status_code == 303
    assert accompanied(db, "caue-48") == ["48147"]


@pytest.mark.parametrize("form, field, message", [
    ({"name": "", "kind": "caue"}, "name", "Indiquez le nom de l’organisation."),
    ({"name": "x" * 201, "kind": "caue"}, "name", "Le nom tient en 200 caractères au plus."),
    ({"name": "Agence", "kind": "agence-secrete"}, "kind", "Choisissez le type d’organisation dans la liste."),
    ({"name": "Agence", "kind": "autre", "communes": ["48095"]}, "communes",
     "Choisissez les communes parmi celles de la liste."),  # Mende is not engaged
    ({"name": "CAUE de la Lozère", "kind": "caue"}, "name", "Une organisation du territoire porte déjà ce nom."),
], ids=["empty", "long", "kind", "not-engaged", "taken"])
def test_bad_input_writes_nothing(client, db, form, field, message):
    sign_in_as(client, PERSONAS["coordinator"])
    before = count(db, Organisation), count(db, CommunePartner)
    response = post(client, URL, form)
    assert response.status_code == 422
    dom = parse(response.text)
    assert dom.find("p", id=f"{field}-error").text() == message
    assert (count(db, Organisation), count(db, CommunePartner)) == before


def test_what_a_coordinator_writes_is_escaped(client):
    sign_in_as(client, PERSONAS["coordinator"])
    assert post(client, URL, {"name": "<b>Agence</b>", "kind": "autre"}).status_code == 303
    html = get(client, URL).text
    assert "<b>Agence</b>" not in html and "&lt;b&gt;Agence&lt;/b&gt;" in html


def test_unknown_organisation(client):
    sign_in_as(client, PERSONAS["coordinator"])
    assert get(client, f"{URL}/atlantis").status_code == 404


def test_kind_rules():
    assert organisations.kind_label("udap-abf") == "UDAP / ABF" and organisations.kind_label("État") == "État"
    values, errors = organisations.clean({"name": " A  b ", "kind": "anah"}, {"48147"}, ["48147", "48147"])
    assert (values, errors) == ({"name": "A b", "kind": "anah", "communes": ["48147"]}, {})


# --- the organisation's partner accounts --------------------------------------------------------

LINK = re.compile(r"https://testserver\.local(/invitation/[A-Za-z0-9_-]+)")
PASSWORD = "une phrase de passe pour le caue"


def invite_partner(client, db, email, org="caue-48"):
    sign_in_as(client, PERSONAS["coordinator"])
    response = post(client, f"{URL}/{org}/invitations", {"email": email})
    assert response.status_code == 303 and response.headers["location"] == f"{URL}/{org}?ok=invitation#comptes"
    with db.session() as session:
        message = session.scalars(select(Outbox).order_by(Outbox.id.desc())).first()
    assert message.to_address == email
    return message, LINK.search(message.text).group(1)


def test_the_coordinator_invites_a_partner_who_then_acts_for_the_organisation(client, db, settings):
    message, link = invite_partner(client, db, "urbaniste@caue48.fr")
    assert message.subject == "Invitation : partenaire pour CAUE de la Lozère"
    assert "au nom de CAUE de la Lozère" in message.text and "Saint-Étienne-du-Valdonnez" in message.text
    page = parse(get(client, f"{URL}/caue-48").text)
    assert "urbaniste@caue48.fr" in page.find(id="comptes").text()
    stranger = make_client(settings).__enter__()
    response = get(stranger, link)
    assert parse(response.text).find("h1").text() == "Rejoindre Revital pour CAUE de la Lozère"
    response = post(stranger, link, {"display_name": "Inès Urbaniste", "new_password": PASSWORD,
                                     "confirm_password": PASSWORD})
    assert response.status_code == 303
    with db.session() as session:
        grant = session.scalar(select(RoleGrant).join(User).where(User.email == "urbaniste@caue48.fr"))
        organisation_id = session.scalar(select(Organisation.id).where(Organisation.slug == "caue-48"))
        assert (grant.role, grant.organisation_id, grant.commune_id, grant.pending) == ("partner", organisation_id, None, False)
    sign_in_as(stranger, "urbaniste@caue48.fr")
    account = parse(get(stranger, "/compte").text)
    assert "/partenaires/caue-48" in account.hrefs()
    assert get(stranger, link).status_code == 410  # used once


def test_an_invitation_is_cancelled_and_its_link_dies(client, db):
    _, link = invite_partner(client, db, "ddt@lozere.gouv.fr")
    with db.session() as session:
        invitation_id = session.scalar(select(AccountToken.id).where(AccountToken.email == "ddt@lozere.gouv.fr"))
    response = post(client, f"{URL}/caue-48/invitations/{invitation_id}/annuler")
    assert response.status_code == 303
    assert get(client, link).status_code == 404
    assert post(client, f"{URL}/caue-48/invitations/{invitation_id}/annuler").status_code == 404


def test_revoking_a_partner_ends_the_role_and_the_sessions(client, db, settings):
    partner = make_client(settings).__enter__()
    sign_in_as(partner, PERSONAS["partner"])
    assert get(partner, "/compte").status_code == 200
    sign_in_as(client, PERSONAS["coordinator"])
    with db.session() as session:
        grant_id = session.scalar(select(RoleGrant.id).join(User).where(User.email == PERSONAS["partner"],
                                                                        RoleGrant.role == "partner"))
    assert post(client, f"{URL}/caue-48/comptes/{grant_id}/retirer").status_code == 303
    with db.session() as session:
        assert session.get(RoleGrant, grant_id) is None
    assert get(partner, "/compte").status_code == 303  # signed out
    assert post(client, f"{URL}/caue-48/comptes/{grant_id}/retirer").status_code == 404


@pytest.mark.parametrize("email, message", [
    ("pas-une-adresse", "Saisissez l’adresse e-mail de la personne à inviter"),
    (PERSONAS["partner"], "Cette personne est déjà partenaire pour CAUE de la Lozère."),
])
def test_a_bad_invitation_sends_nothing(client, db, email, message):
    sign_in_as(client, PERSONAS["coordinator"])
    before = count(db, Outbox)
    response = post(client, f"{URL}/caue-48/invitations", {"email": email})
    assert response.status_code == 422
    assert message in parse(response.text).find(id="form-errors").text()
    assert count(db, Outbox) == before


@pytest.mark.parametrize("persona", ["resident", "facilitator", "student", "partner", "admin", "other_admin"])
def test_only_the_coordinator_invites_partners(as_persona, db, persona):
    client = as_persona(persona)
    before = count(db, AccountToken)
    assert post(client, f"{URL}/caue-48/invitations", {"email": "x@exemple.fr"}).status_code == 403
    assert count(db, AccountToken) == before
