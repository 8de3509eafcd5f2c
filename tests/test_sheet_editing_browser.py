"""The sheet editor in a real browser (Debian's Chromium): a section saves in place with htmx (no
reload), a form error comes back in place, the location map draws a point into its field, and
nothing breaks the page's CSP."""

import json

from sqlalchemy import select

from revital.communes.models import Commune
from revital.sheets import services, snapshot
from tests.conftest import MAIN
from tests.test_browser import live_url, page, sign_in  # noqa: F401 - the browser fixtures

ADMIN = f"/communes/{MAIN}/gestion/fiches"


def make_sheet(db) -> int:
    with db.transaction() as s:
        commune = s.scalar(select(Commune).where(Commune.slug == MAIN))
        return services.create(s, commune, "Halle du marché", None).number


def current(db, number):
    with db.session() as s:
        commune_id = s.scalar(select(Commune.id).where(Commune.slug == MAIN))
        return snapshot.load(s, services.sheet_in(s, commune_id, number))


def test_a_section_saves_in_place_and_an_error_comes_back_in_place(page, db):
    number = make_sheet(db)
    sign_in(page, "animation@revital.test")
    page.goto(f"{ADMIN}/{number}")
    page.wait_for_function("window.htmx !== undefined")
    page.evaluate("window.notReloaded = true")
    section = page.locator("#section-contenu")
    section.get_by_label("Description").fill("Rouvrir la halle <b>couverte</b>")
    section.get_by_role("button", name="Enregistrer").click()
    page.locator("#section-contenu").get_by_role("status").filter(has_text="La section est enregistrée.").wait_for()
    assert page.evaluate("window.notReloaded") is True
    assert current(db, number)["description"] == "Rouvrir la halle <b>couverte</b>"

    schedule = page.locator("#section-calendrier")
    schedule.get_by_label("Début (trimestre)").select_option("2028-T3")
    schedule.get_by_label("Fin (trimestre)").select_option("2027-T1")
    schedule.get_by_role("button", name="Enregistrer").click()
    page.locator("#end-error").filter(has_text="La fin ne peut pas précéder le début.").wait_for()
    assert page.evaluate("window.notReloaded") is True
    assert current(db, number)["start"] is None
    assert page.csp_violations == []


def test_the_location_map_puts_a_drawn_point_into_the_field(page, db):
    number = make_sheet(db)
    sign_in(page, "commune@revital.test")
    page.goto(f"{ADMIN}/{number}")
    page.wait_for_selector("#carte-perimetre .leaflet-container[data-editor=ready]")
    page.locator(".leaflet-draw-draw-marker").click()
    box = page.locator("#carte-perimetre .leaflet-container").bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    drawn = json.loads(page.locator("#geometry").input_value())
    assert drawn["type"] == "Point"
    assert page.csp_violations == []
