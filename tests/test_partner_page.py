"""The public page of a partner organisation, /partenaires/{org}, with each persona."""

import pytest
from sqlalchemy import select

from revital.communes.models import Organisation, Territory
from tests.conftest import MAIN, PERSONAS, get, sign_in_as, text_of
from tests.dom import parse

URL = "/partenaires/caue-48"


@pytest.mark.parametrize("persona", ["anonymous", *PERSONAS])
def test_it_works_for_everyone(as_persona, persona):
    response = get(as_persona(persona), URL)
    assert response.status_code == 200
    page = parse(response.text)
    assert page.find("h1").text() == "CAUE de la Lozère"
    cards = [a.text() for a in page.find("section", aria_labelledby="communes-accompagnees").find_all("a")]
    assert cards == ["Châteauneuf-de-Randon", "Grandrieu", "Mont Lozère et Goulet", "Saint-Étienne-du-Valdonnez"]


def test_it_names_no_person(client):
    text = text_of(get(client, URL).text)
    assert "partenaire@revital.test" not in text and "Architecte du CAUE" not in text


def test_the_commune_page_links_its_partners(client):
    assert URL in parse(get(client, f"/communes/{MAIN}").text).hrefs()


def test_an_unknown_organisation_is_404(client):
    response = get(client, "/partenaires/atlantis")
    assert response.status_code == 404
    assert "Aucune organisation partenaire ne correspond à cette adresse." in text_of(response.text)


def test_a_name_shared_by_two_territories_lists_both(client, db):
    with db.transaction() as session:
        other = Territory(slug="autre-pays", name="Autre Pays")
        session.add(other)
        session.add(Organisation(territory=other, slug="caue-48", name="CAUE voisin", kind="caue"))
    page = parse(get(client, URL).text)
    assert page.find("h1").text() == "Organisations partenaires"
    assert "/territoires/autre-pays" in page.hrefs() and "/territoires/pays-des-sources-demo" in page.hrefs()


def test_the_description_is_markdown_sanitised(client, db):
    with db.transaction() as session:
        organisation = session.scalar(select(Organisation).where(Organisation.slug == "caue-48"))
        organisation.description = "**Conseil** gratuit <script>alert(1)</script>"
    response = get(client, URL)
    assert "<strong>Conseil</strong>" in response.text and "<script>alert(1)</script>" not in response.text
