"""On a 390 px phone no page scrolls sideways, for every persona's pages (headless Chromium)."""

import pytest

from tests.conftest import MAIN, PERSONAS
from tests.test_browser import live_url, sign_in  # noqa: F401 - the live server fixture

pytestmark = pytest.mark.browser

PUBLIC = ["/", f"/communes/{MAIN}", f"/communes/{MAIN}/contribuer", f"/communes/{MAIN}/contributions",
          "/connexion", "/accessibilite", "/confidentialite"]
BACK_OFFICE = ["/compte", f"/communes/{MAIN}/gestion", f"/communes/{MAIN}/gestion/groupe-local",
               f"/communes/{MAIN}/gestion/lieux", f"/communes/{MAIN}/gestion/perimetre",
               f"/communes/{MAIN}/gestion/moderation", f"/communes/{MAIN}/gestion/saisie"]
PAGES = [(None, url) for url in PUBLIC] + [("admin", url) for url in BACK_OFFICE] + [
    ("coordinator", "/compte"), ("coordinator", "/territoires/pays-des-sources-demo/gestion/communes"),
    ("student", "/compte"), ("resident", "/compte"), ("facilitator", "/compte"), ("partner", "/compte")]
# The workflow's pages: the action sheets' list and page were 547 and 566 px wide before their
# tables scrolled in their own box.
SHEETS, ROADMAP = "mont-lozere-et-goulet", "chateauneuf-de-randon"
PAGES += [(None, url) for url in (
    f"/communes/{SHEETS}/fiches", f"/communes/{SHEETS}/fiches/1", f"/communes/{ROADMAP}/fiches",
    f"/communes/{ROADMAP}/feuille-de-route", f"/communes/{ROADMAP}/feuille-de-route/comparer?de=1&a=2",
    f"/communes/{ROADMAP}/feuille-de-route/actions/1", "/territoires/pays-des-sources-demo/feuilles-de-route",
    f"/communes/{MAIN}/diagnostic", f"/communes/{MAIN}/pistes", f"/communes/{MAIN}/ateliers",
    f"/communes/{MAIN}/priorites", f"/communes/{MAIN}/etudiants", f"/communes/{MAIN}/journal")]
PAGES += [("coordinator", url) for url in (
    f"/communes/{SHEETS}/gestion/fiches", f"/communes/{SHEETS}/gestion/fiches/1",
    f"/communes/{SHEETS}/gestion/fiches/1/avis", f"/communes/{SHEETS}/gestion/fiches/1/versions",
    f"/communes/{ROADMAP}/gestion/feuille-de-route", f"/communes/{ROADMAP}/gestion/feuille-de-route/suivi",
    "/territoires/pays-des-sources-demo/gestion")]
PAGES += [("partner", url) for url in ("/partenaires/caue-48", f"/communes/{SHEETS}/fiches/3/avis")]


@pytest.fixture
def phone(browser, live_url):  # noqa: F811
    context = browser.new_context(base_url=live_url, locale="fr-FR", viewport={"width": 390, "height": 844},
                                  is_mobile=True, has_touch=True)
    page = context.new_page()
    yield page
    context.close()


@pytest.mark.parametrize("persona", sorted({p for p, _ in PAGES}, key=str))
def test_no_page_scrolls_sideways_on_a_phone(phone, persona):
    if persona:
        sign_in(phone, PERSONAS[persona])
    wide = []
    for who, url in PAGES:
        if who != persona:
            continue
        response = phone.goto(url)
        assert response.status == 200, url  # the page itself, not an error page
        phone.wait_for_load_state("networkidle")
        width = phone.evaluate("document.documentElement.scrollWidth")
        if width > 390:
            culprits = phone.evaluate("""() => [...document.querySelectorAll('body *')]
                .filter(e => e.getBoundingClientRect().right > 391).slice(0, 3)
                .map(e => e.tagName.toLowerCase() + '.' + e.className)""")
            wide.append((url, width, culprits))
    assert wide == []
