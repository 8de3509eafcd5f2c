"""The coordinator manages the territory's partner organisations and the communes each accompanies:
/territoires/{slug}/gestion/partenaires."""

import pytest
from sqlalchemy import func, select

from revital.communes import organisations
from revital.communes.models import Commune, CommunePartner, Organisation
from tests.conftest import MAIN, PERSONAS, get, post, sign_in_as, text_of
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
    assert rows["CAUE de la Lozère"][:2] == ["CAUE", "Grandrieu, Mont Lozère et Goulet, Saint-Étienne-du-Valdonnez"]
    assert rows["CCI de la Lozère"][:2] == ["Chambre consulaire", "aucune"]
    form = dom.find("form", action=URL)
    assert [o.get("value") for o in form.find("select", name="kind").find_all("option")][1:] == list(organisations.KINDS)
    assert [i.get("value") for i in form.find_all("input", type="checkbox")] == ["48070", "48027", "48147"]


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
        "48070", "48027", "48147"]
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
