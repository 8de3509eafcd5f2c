"""The territory page in a real browser: the map of the engaged communes and the search as you type."""

import pytest

from tests.test_browser import live_url, page  # noqa: F401 - the browser fixtures

pytestmark = pytest.mark.browser

URL = "/territoires/pays-des-sources-demo"


def test_the_map_shows_the_engaged_communes_by_phase(page):  # noqa: F811
    page.goto(URL)
    page.wait_for_selector("#carte-territoire .leaflet-container[data-loaded=true]")
    assert page.locator("#carte-territoire .leaflet-container").get_attribute("data-communes") == "4"
    fills = page.eval_on_selector_all("#carte-territoire .leaflet-overlay-pane path",
                                      "paths => paths.map(p => p.getAttribute('fill'))")
    # diagnostic, emergence, feasibility, implementation
    assert sorted(fills) == sorted(["#d95f02", "#7570b3", "#1b9e77", "#66a61e"])
    page.locator("#carte-territoire .leaflet-overlay-pane path").first.click(force=True)
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for()
    assert popup.locator("a").get_attribute("href").startswith("/communes/")
    assert page.csp_violations == []


def test_the_search_filters_as_you_type(page):  # noqa: F811
    page.goto(URL)
    page.wait_for_selector("#communes-resultats")
    page.get_by_label("Rechercher une commune (nom ou code INSEE)").press_sequentially("etienne")
    page.locator("#communes-resultats [role=status]", has_text="« etienne »").wait_for()
    names = page.locator("#communes-resultats tbody th a").all_inner_texts()
    assert names == ["Saint-Étienne-du-Valdonnez"]
    assert page.locator("#communes-resultats .plain-columns").count() == 0
    assert page.locator("h1").count() == 1  # the rows were swapped, not the page
    assert page.csp_violations == []
