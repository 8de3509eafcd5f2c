"""The ideas' map layer in a real browser (Debian's Chromium): the pistes page shows the ideas that
have a place, an idea's page centres on its own, popups link to the ideas' pages, and nothing
breaks the page's CSP."""

from sqlalchemy import select

from revital.communes.models import Commune
from revital.ideas.models import Idea
from tests.conftest import MAIN
from tests.test_browser import live_url, page  # noqa: F401 - the browser fixtures


def test_the_pistes_map_shows_the_ideas_with_a_place(page, db):
    page.goto(f"/communes/{MAIN}/pistes")
    page.wait_for_selector("#carte-commune .leaflet-container[data-ideas]")
    with db.session() as session:
        commune_id = session.scalar(select(Commune.id).where(Commune.slug == MAIN))
        located = len(session.scalars(select(Idea.id).where(Idea.lon.is_not(None), Idea.commune_id == commune_id)).all())
    assert page.locator("#carte-commune .leaflet-container").get_attribute("data-ideas") == str(located)
    assert page.csp_violations == []


def test_an_ideas_page_centres_on_it_and_its_popup_links_to_it(page, db):
    with db.session() as session:
        idea = session.scalar(select(Idea).where(Idea.title == "Un café associatif avec dépôt de pain"))
    page.goto(f"/communes/{MAIN}/pistes/{idea.id}")
    page.wait_for_selector("#carte-commune .leaflet-container[data-ideas]")
    marker = page.locator(f".leaflet-marker-icon[title=\"{idea.title}\"]")
    assert marker.is_visible()  # centred on it
    marker.focus()
    page.keyboard.press("Enter")
    link = page.locator(".leaflet-popup-content a")
    assert link.inner_text() == idea.title
    assert link.get_attribute("href") == f"/communes/{MAIN}/pistes/{idea.id}"
    assert page.csp_violations == []
