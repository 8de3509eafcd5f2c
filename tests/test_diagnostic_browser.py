"""The diagnostic's selection in a real browser: ticking contributions with the keyboard alone and
making a stake of them, and drawing an area on the map that ticks the contributions inside it."""

import pytest
from sqlalchemy import select

from revital.diagnostic.models import Stake
from revital.lineage import services as lineage
from tests.test_browser import focused, live_url, page, sign_in  # noqa: F401 - the browser fixtures

pytestmark = pytest.mark.browser

ADMIN = "/communes/saint-etienne-du-valdonnez/gestion/diagnostic"


def ticked(page) -> list[str]:
    return page.eval_on_selector_all("#selection-contributions input[type=checkbox]:checked", "boxes => boxes.map(b => b.value)")


def test_contributions_are_ticked_with_the_keyboard_only_and_make_a_stake(page, db):  # noqa: F811
    sign_in(page, "animation@revital.test")
    page.goto(ADMIN)
    page.wait_for_selector("#carte-selection .leaflet-container[data-editor=ready]")
    page.get_by_role("button", name="Filtrer").focus()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Passer la carte"
    page.keyboard.press("Enter")  # past the map
    page.keyboard.press("Tab")
    first = focused(page)
    assert first.startswith("contribution-")
    page.keyboard.press("Space")
    page.keyboard.press("Tab")  # the "lire" link of the first one
    page.keyboard.press("Tab")
    second = focused(page)
    assert second.startswith("contribution-") and second != first
    page.keyboard.press("Space")
    assert sorted(ticked(page)) == sorted([first.removeprefix("contribution-"), second.removeprefix("contribution-")])
    for _ in range(60):  # on to the "new stake" button
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent") == "Nouvel enjeu avec la sélection":
            break
    page.keyboard.press("Enter")
    page.wait_for_selector("h1:has-text('Nouvel enjeu')")
    page.get_by_label("Thème").focus()
    page.keyboard.press("ArrowDown")  # the first theme
    page.keyboard.press("Tab")
    page.keyboard.press("Space")  # the first AFOM class: Atout
    page.get_by_label("Titre de l’enjeu").focus()
    page.keyboard.type("Choisi au clavier")
    page.keyboard.press("Enter")
    page.wait_for_url("**/enjeux/*?ok=cree")
    assert "L’enjeu est enregistré avec ses sources." in page.locator("main").inner_text()
    with db.session() as session:
        stake = session.scalar(select(Stake).where(Stake.title == "Choisi au clavier"))
        assert stake.afom == "asset"
        found = lineage.sources_of(session, "stake", [stake.id])[stake.id]
    assert sorted(found["contribution"]) == sorted([int(first.removeprefix("contribution-")),
                                                    int(second.removeprefix("contribution-"))])
    assert page.csp_violations == []


def test_drawing_an_area_ticks_the_contributions_inside_it(page, db):  # noqa: F811
    sign_in(page, "animation@revital.test")
    page.goto(ADMIN)
    container = page.locator("#carte-selection .leaflet-container")
    page.wait_for_selector("#carte-selection .leaflet-container[data-editor=ready]")
    assert int(container.get_attribute("data-points")) == page.locator("#selection-contributions li[data-lon]").count()
    assert ticked(page) == []
    container.scroll_into_view_if_needed()
    box = container.bounding_box()
    # Where the map puts each listed contribution; a rectangle around the right half of them.
    points = page.evaluate("""() => {
        const c = document.querySelector("#carte-selection .leaflet-container");
        const map = Object.values(window).find((v) => v && v._container === c);
        return Array.from(document.querySelectorAll("#selection-contributions li[data-lon]")).map((li) => {
            const p = map.latLngToContainerPoint([Number(li.dataset.lat), Number(li.dataset.lon)]);
            return [li.querySelector("input").value, p.x, p.y];
        });
    }""")
    xs = sorted({round(x, 1) for _, x, _ in points})
    assert len(xs) >= 2
    split = (xs[len(xs) // 2 - 1] + xs[len(xs) // 2]) / 2
    x0, y0 = split, max(y for _, _, y in points) + 10
    x1, y1 = max(x for _, x, _ in points) + 10, min(y for _, _, y in points) - 10
    expected = [value for value, x, _ in points if x > split]
    assert 0 < len(expected) < len(points)
    page.get_by_title("Sélectionner dans un rectangle").click()
    page.mouse.move(box["x"] + x0, box["y"] + y0)
    page.mouse.down()
    page.mouse.move(box["x"] + (x0 + x1) / 2, box["y"] + (y0 + y1) / 2, steps=5)
    page.mouse.move(box["x"] + x1, box["y"] + y1, steps=5)
    page.mouse.up()
    page.wait_for_selector("#carte-selection .leaflet-container[data-ticked]")
    assert sorted(ticked(page)) == sorted(expected)
    n = len(expected)
    assert page.locator("#carte-selection .map-status").inner_text() == (
        f"{n} contribution{'s' if n > 1 else ''} cochée{'s' if n > 1 else ''} dans la zone tracée.")
    assert page.csp_violations == []


def test_the_public_page_maps_the_contributions_behind_the_stakes(page):  # noqa: F811
    page.goto("/communes/saint-etienne-du-valdonnez/diagnostic")
    container = page.locator("#carte-points .leaflet-container")
    page.wait_for_selector("#carte-points .leaflet-container[data-loaded=true]")
    listed = page.locator("#contributions-enjeux li[data-lon]").count()
    assert listed > 0 and container.get_attribute("data-points") == str(listed)
    assert page.locator("#carte-points path.leaflet-interactive").count() >= listed
    page.locator("#carte-points path.leaflet-interactive").last.click(force=True)
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for()
    assert popup.inner_text() in page.locator("#contributions-enjeux").inner_text()
    assert page.csp_violations == []
