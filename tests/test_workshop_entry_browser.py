"""The paper entry of a workshop in a real browser: one sheet entered with the keyboard only, in at
most 10 keystrokes besides the typed text, the focus back on the first field afterwards."""

import pytest

from tests.test_browser import live_url, page, sign_in  # noqa: F401 - the browser fixtures
from tests.test_workshop_entry import expected_centre, make_workshop, saved

pytestmark = pytest.mark.browser

MAX_KEYSTROKES = 10


def focused(page) -> str:
    return page.evaluate("() => document.activeElement.id")


def test_a_sheet_takes_at_most_ten_keystrokes_besides_the_text(page, db):  # noqa: F811
    workshop_id = make_workshop(db)
    sign_in(page, "animation@revital.test")
    url = f"/communes/saint-etienne-du-valdonnez/gestion/ateliers/{workshop_id}/saisie"
    page.goto(url)
    assert focused(page) == "kind-asset"  # the first field, without a click

    keystrokes = []

    def press(key):
        keystrokes.append(key)
        page.keyboard.press(key)

    press("ArrowRight")  # kind: Atout -> Point faible
    assert page.locator("#kind-weakness").is_checked()
    press("Tab")  # to the themes
    press("m")  # the theme's initial: Mobilité et stationnement
    checked = page.locator('input[name="category"]:checked')
    assert checked.get_attribute("id") == "category-mobilite"
    press("Tab")
    assert focused(page) == "title"
    page.keyboard.type("Trottoirs trop étroits")
    press("Tab")
    assert focused(page) == "body"
    page.keyboard.type("Rue du Pont, on marche sur la route.")
    press("Tab")
    assert focused(page) == "cell"
    page.keyboard.type("c4")
    with page.expect_navigation():
        press("Enter")  # saves from the cell

    assert len(keystrokes) <= MAX_KEYSTROKES, keystrokes
    status = page.get_by_role("status").filter(has_text="enregistrée et publiée")
    status.wait_for()
    (sheet,) = saved(db, "Trottoirs trop étroits")
    assert f"Fiche n° {sheet.id} enregistrée" in status.inner_text()
    assert focused(page) == "kind-asset"  # back on the first field for the next sheet
    assert page.locator("#title").input_value() == ""
    assert (sheet.workshop_id, sheet.kind, sheet.category, sheet.body) == (
        workshop_id, "weakness", "mobilite", "Rue du Pont, on marche sur la route.")
    lon, lat = expected_centre(db, "C4")
    assert sheet.lon == pytest.approx(lon, abs=1e-6) and sheet.lat == pytest.approx(lat, abs=1e-6)
    assert page.csp_violations == []


def test_the_themes_go_round_with_the_arrow_keys_without_a_letter(page, db):  # noqa: F811
    """Without the initials (no JavaScript needed): the arrows go both ways round the group."""
    workshop_id = make_workshop(db)
    sign_in(page, "animation@revital.test")
    page.goto(f"/communes/saint-etienne-du-valdonnez/gestion/ateliers/{workshop_id}/saisie")
    page.keyboard.press("Tab")
    page.keyboard.press("ArrowLeft")  # from the first theme round to the last
    last = page.locator('input[name="category"]').last
    assert last.is_checked() and focused(page) == last.get_attribute("id")


def walk_of_grandrieu(db):
    """The demo's closed walk in Grandrieu, and how many of its published outputs have a point."""
    from sqlalchemy import func, select

    from revital.contributions.models import Contribution
    from revital.workshops.models import Workshop

    with db.session() as session:
        walk = session.scalar(select(Workshop).where(Workshop.status == "closed", Workshop.public.is_(True)))
        located = session.scalar(select(func.count()).select_from(Contribution).where(
            Contribution.workshop_id == walk.id, Contribution.status == "published", Contribution.lon.is_not(None)))
        everything = session.scalar(select(func.count()).select_from(Contribution).where(
            Contribution.commune_id == walk.commune_id, Contribution.status == "published",
            Contribution.lon.is_not(None)))
        return walk.id, located, everything


def shown(page) -> int:
    return int(page.locator(".leaflet-container").get_attribute("data-contributions"))


def test_the_workshop_page_and_the_commune_map_show_a_workshops_outputs(page, db):  # noqa: F811
    walk, located, everything = walk_of_grandrieu(db)
    assert 0 < located < everything  # the filter has something to leave out
    page.goto(f"/communes/grandrieu/ateliers/{walk}")
    page.wait_for_selector(".leaflet-container[data-contributions]")
    assert shown(page) == located
    page.goto("/communes/grandrieu")
    page.wait_for_selector(".leaflet-container[data-contributions]")
    assert shown(page) == everything
    page.locator("#map-atelier").select_option(str(walk))
    page.wait_for_function("(n) => document.querySelector('.leaflet-container').dataset.contributions === n",
                           arg=str(located))
    page.locator("#map-atelier").select_option("")
    page.wait_for_function("(n) => document.querySelector('.leaflet-container').dataset.contributions === n",
                           arg=str(everything))
    assert page.csp_violations == []
