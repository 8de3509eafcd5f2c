"""The students' workspace on a 390 px phone, in headless Chromium: nothing scrolls sideways, a tap
on the map places the observation, the form sends it; the commune map shows the students' layer."""

import pytest
from sqlalchemy import select

from revital.students.models import Observation, StudentWeek
from tests.conftest import MAIN, PERSONAS
from tests.test_browser import live_url, sign_in  # noqa: F401 - the live server fixture

pytestmark = pytest.mark.browser


@pytest.fixture
def phone(browser, live_url):  # noqa: F811
    context = browser.new_context(base_url=live_url, locale="fr-FR", viewport={"width": 390, "height": 844},
                                  is_mobile=True, has_touch=True)
    page = context.new_page()
    yield page
    context.close()


def test_an_observation_is_pinned_from_a_phone(phone, db):
    with db.session() as session:
        week_id = session.scalar(select(StudentWeek.id))
    sign_in(phone, PERSONAS["student"])
    phone.goto(f"/communes/{MAIN}/etudiants/semaines/{week_id}/atelier")
    phone.wait_for_selector("#carte-position .leaflet-container[data-loaded=true]")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    phone.locator("#carte-position .leaflet-container").tap()
    assert phone.locator("#obs-lon").input_value() != ""
    phone.get_by_label("Point faible").check()
    phone.get_by_label("Titre (en quelques mots)").fill("Pas de trottoir")
    phone.get_by_role("button", name="Enregistrer l’observation").click()
    phone.wait_for_url("**/atelier?ok=observation*")
    assert "L’observation est sur la carte" in phone.locator(".notice-ok").inner_text()
    with db.session() as session:
        assert session.scalar(select(Observation).where(Observation.title == "Pas de trottoir")) is not None


def test_the_commune_map_shows_the_students_layer(phone):
    phone.goto(f"/communes/{MAIN}")
    phone.wait_for_selector("#carte-commune .leaflet-container[data-students]")
    assert phone.locator("#carte-commune .leaflet-container").get_attribute("data-students") == "11"
