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
    ("coordinator", "/compte"), ("coordinator", "/territoires/pays-des-sources/gestion/communes"),
    ("student", "/compte"), ("resident", "/compte"), ("facilitator", "/compte"), ("partner", "/compte")]


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
        phone.goto(url)
        phone.wait_for_load_state("networkidle")
        width = phone.evaluate("document.documentElement.scrollWidth")
        if width > 390:
            culprits = phone.evaluate("""() => [...document.querySelectorAll('body *')]
                .filter(e => e.getBoundingClientRect().right > 391).slice(0, 3)
                .map(e => e.tagName.toLowerCase() + '.' + e.className)""")
            wide.append((url, width, culprits))
    assert wide == []
