"""A commune's application in a real browser: the first sketch of the study perimeter drawn on the
map of the commune, kept with the application."""

import json

import pytest
from sqlalchemy import select

from revital.calls.models import Application, Call
from revital.communes.models import Commune
from revital.process.models import Process
from tests.test_browser import live_url, page  # noqa: F401 - the browser fixtures

pytestmark = pytest.mark.browser


def a_commune_that_has_not_applied(db) -> tuple[int, str, str]:
    with db.session() as session:
        call = session.scalar(select(Call).where(Call.results_published_at.is_(None)))
        applied = select(Application.commune_id).where(Application.call_id == call.id)
        commune = session.scalar(select(Commune).where(Commune.territory_id == call.territory_id,
                                                       Commune.id.not_in(select(Process.commune_id)),
                                                       Commune.id.not_in(applied)).order_by(Commune.name))
        return call.id, commune.insee, commune.name


def test_the_perimeter_sketch_is_drawn_on_the_map_and_kept(page, db):  # noqa: F811
    call_id, insee, name = a_commune_that_has_not_applied(db)
    page.goto(f"/territoires/pays-des-sources-demo/appels/{call_id}/candidater")
    assert page.locator(".leaflet-container").count() == 0  # the map comes with the commune, once saved
    page.get_by_label("Commune candidate").select_option(insee)
    page.locator("#motivation").fill("Le bourg se vide ; le conseil veut un projet avec les habitants.")
    page.locator("#agent_email").fill("mairie@exemple.fr")
    page.get_by_role("button", name="Enregistrer le brouillon").click()
    page.wait_for_url("**/candidature/**?fait=brouillon")
    page.wait_for_selector(".leaflet-container[data-editor=ready]")
    assert page.locator(".leaflet-overlay-pane path").count() == 1  # the commune's boundary, no perimeter yet
    page.get_by_title("Tracer le périmètre").click()
    page.locator(".leaflet-container").scroll_into_view_if_needed()
    box = page.locator(".leaflet-container").bounding_box()
    cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    # Leaflet.draw takes two quick clicks for a double click: leave it time between points.
    for dx, dy in ((-40, -30), (40, -30), (40, 30), (-40, 30), (-40, -30)):
        page.mouse.move(cx + dx, cy + dy)
        page.mouse.down()
        page.mouse.up()
        page.wait_for_timeout(150)
    drawn = json.loads(page.locator("#perimeter").input_value())
    assert drawn["type"] == "Polygon" and len(drawn["coordinates"][0]) == 5
    with page.expect_navigation():
        page.get_by_role("button", name="Enregistrer le brouillon").click()
    page.wait_for_selector(".leaflet-container[data-editor=ready]")
    assert page.locator(".leaflet-overlay-pane path").count() == 2  # the boundary and the sketch, shown again
    with db.session() as session:
        stored = session.scalar(select(Application.perimeter).join(Commune).where(Commune.insee == insee,
                                                                                 Application.call_id == call_id))
    assert len(json.loads(stored)["coordinates"][0]) == 5
    assert page.csp_violations == []
