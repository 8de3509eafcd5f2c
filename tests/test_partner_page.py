"""The public page of a partner organisation, /partenaires/{org}, with each persona, and what a signed-in
partner of the organisation sees there of its own work (the sheets awaiting its opinion, its opinions)."""

from datetime import timedelta

import pytest
from sqlalchemy import delete, select

from revital.communes.models import Commune, CommunePartner, Organisation, Territory
from revital.db import utcnow
from revital.sheets import review, review_rules, services
from revital.sheets.models import ReviewRequest
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


# A partner's own work on its organisation's page (the review of action sheets).


def ask_caue(db, slug=MAIN, title="Une halle pour le marché", due_days=10):
    with db.transaction() as session:
        commune = session.scalar(select(Commune).where(Commune.slug == slug))
        sheet = services.create(session, commune, title, None)
        caue = session.scalar(select(Organisation).where(Organisation.slug == "caue-48"))
        due = review_rules.today_in_paris(utcnow()) + timedelta(days=due_days)
        review.ask(session, sheet, [caue.id], due, "", None, "https://testserver.local")
        return f"/communes/{slug}/fiches/{sheet.number}/avis"


def test_a_partner_of_the_organisation_sees_its_sheets_overdue_first(client, db):
    with db.transaction() as session:  # without the demo's requests
        session.execute(delete(ReviewRequest))
    later = ask_caue(db, title="Une halle", due_days=20)
    sooner = ask_caue(db, slug="grandrieu", title="Un commerce", due_days=5)
    late = ask_caue(db, title="Une maison de santé", due_days=5)
    with db.transaction() as session:  # the last one was due yesterday
        request = session.scalars(select(ReviewRequest).order_by(ReviewRequest.id.desc())).first()
        request.due_on = request.due_on - timedelta(days=6)
    sign_in_as(client, PERSONAS["partner"])
    section = parse(get(client, URL).text).find("section", aria_labelledby="fiches-en-attente")
    assert section.hrefs() == [late, sooner, later]
    assert "en retard" in section.find_all("li")[0].text() and "en retard" not in section.find_all("li")[1].text()


def test_a_partner_sees_only_the_communes_its_organisation_accompanies(client, db):
    url = ask_caue(db, slug="grandrieu")
    with db.transaction() as session:  # Grandrieu no longer invites the CAUE
        commune = session.scalar(select(Commune).where(Commune.slug == "grandrieu"))
        caue = session.scalar(select(Organisation).where(Organisation.slug == "caue-48"))
        session.query(CommunePartner).filter_by(commune_id=commune.id, organisation_id=caue.id).delete()
    sign_in_as(client, PERSONAS["partner"])
    page = parse(get(client, URL).text)
    assert url not in page.hrefs()
    assert get(client, url).status_code == 403


@pytest.mark.parametrize("persona", ["anonymous", "admin", "coordinator", "facilitator", "resident"])
def test_nobody_else_sees_the_sheets(as_persona, db, persona):
    url = ask_caue(db)
    page = parse(get(as_persona(persona), URL).text)
    assert page.find("section", aria_labelledby="fiches-en-attente") is None
    assert page.find("section", aria_labelledby="avis-donnes") is None
    assert url not in page.hrefs()
