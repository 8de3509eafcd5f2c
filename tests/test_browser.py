"""What needs a real browser: the map and htmx swaps. Debian's Chromium, driven by Playwright.

Without /usr/bin/chromium these tests skip with the reason; with REVITAL_REQUIRE_BROWSER set
(as .ci/run does) a missing browser is a failure instead.
"""

import json
import re
import socket
import threading
import time
from dataclasses import replace

import pytest

from revital.app import create_app
from revital.formatting import coords_fr

pytestmark = pytest.mark.browser


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def live_url(settings, db):
    import uvicorn

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    app = create_app(replace(settings, environment="development", base_url=url))
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the test server did not start")
        time.sleep(0.02)
    yield url
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def page(browser, live_url):
    context = browser.new_context(base_url=live_url, locale="fr-FR")
    page = context.new_page()
    page.csp_violations = []
    page.on("console", lambda m: "Content Security Policy" in m.text and page.csp_violations.append(m.text))
    page.on("pageerror", lambda e: page.csp_violations.append(f"page error: {e}"))
    yield page
    context.close()


def sign_in(page, email):
    page.goto("/connexion")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill("demo-revital")
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url("**/compte")


def test_commune_map_renders_boundary_perimeter_and_layers(page):
    page.goto("/communes/saint-etienne-du-valdonnez")
    page.wait_for_selector(".leaflet-container[data-loaded=true]")
    control = page.locator(".leaflet-control-layers")
    # The students' layers (9 observations, a proposal's area) switch off, leaving boundary and perimeter.
    page.wait_for_function("document.querySelectorAll('.leaflet-overlay-pane path').length == 12")
    for name in ("Observations des étudiants — Master Urbanisme, Grenoble",
                 "Propositions des étudiants — Master Urbanisme, Grenoble"):
        control.get_by_text(name).click(force=True)
    assert page.locator(".leaflet-overlay-pane path").count() == 2  # boundary and perimeter
    assert page.locator("img.leaflet-marker-icon").count() == 5  # the named places (contributions are div icons)
    for name in ("OpenStreetMap", "Plan IGN", "Photographies aériennes IGN", "Périmètre d’étude du centre-bourg", "Lieux"):
        assert control.get_by_text(name).count() == 1, name
    assert page.locator(".leaflet-control-attribution").inner_text().count("OpenStreetMap") == 1
    # The map is keyboard-reachable: Leaflet's container takes the focus.
    assert page.locator(".leaflet-container").get_attribute("tabindex") == "0"
    assert page.csp_violations == []


def test_switching_base_layer(page):
    page.goto("/communes/grandrieu")
    page.wait_for_selector(".leaflet-control-layers")
    page.get_by_label("Photographies aériennes IGN").check()
    page.wait_for_function("document.querySelector('.leaflet-tile-pane img') !== null")
    sources = page.eval_on_selector_all(".leaflet-tile-pane img", "imgs => imgs.map(i => i.src)")
    assert any("ORTHOIMAGERY.ORTHOPHOTOS" in src for src in sources)


def test_htmx_adds_a_member_without_reloading_the_page(page):
    sign_in(page, "animation@revital.test")
    page.goto("/communes/saint-etienne-du-valdonnez/gestion/groupe-local")
    page.wait_for_function("window.htmx !== undefined")
    page.evaluate("window.notReloaded = true")
    page.get_by_label("Nom et prénom (obligatoire)").fill("Agathe <b>Roux</b>")
    page.get_by_label("Qualité").select_option("elected")
    page.get_by_role("button", name="Ajouter au groupe local").click()
    page.get_by_role("status").filter(has_text="Le membre a été ajouté au groupe local.").wait_for()
    assert page.evaluate("window.notReloaded") is True
    assert page.get_by_role("cell", name="Agathe <b>Roux</b>", exact=True).count() == 1  # shown as text, not markup
    assert "Membres (7)" in page.locator("#liste-membres").inner_text()
    assert page.csp_violations == []


def test_htmx_shows_errors_next_to_fields(page):
    sign_in(page, "commune@revital.test")
    page.goto("/communes/saint-etienne-du-valdonnez/gestion/groupe-local")
    page.wait_for_function("window.htmx !== undefined")
    page.evaluate("window.notReloaded = true")
    page.get_by_label("Adresse e-mail (facultatif, jamais publiée)").fill("pas-une-adresse")
    page.get_by_role("button", name="Ajouter au groupe local").click()
    page.locator("#member-name-error").filter(has_text="Indiquez le nom du membre.").wait_for()
    assert page.evaluate("window.notReloaded") is True
    assert page.evaluate("document.activeElement.id") == "form-errors"  # the reader is taken to the errors
    assert page.get_by_role("link", name="Indiquez le nom du membre.").get_attribute("href") == "#member-name"
    assert page.get_by_label("Nom et prénom (obligatoire)").get_attribute("aria-invalid") == "true"
    assert page.get_by_label("Adresse e-mail (facultatif, jamais publiée)").input_value() == "pas-une-adresse"


def test_htmx_removes_a_member(page):
    sign_in(page, "commune@revital.test")
    page.goto("/communes/saint-etienne-du-valdonnez/gestion/groupe-local")
    page.wait_for_function("window.htmx !== undefined")
    page.get_by_role("button", name="Retirer Marc Vidal").click()
    page.get_by_text("Le membre a été retiré du groupe local.").wait_for()
    assert page.get_by_role("cell", name="Marc Vidal", exact=True).count() == 0


def test_keyboard_only_phase_change(page):
    sign_in(page, "coordination@revital.test")
    page.goto("/communes/grandrieu/gestion")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Aller au contenu"
    page.keyboard.press("Enter")
    page.get_by_label("Passer outre ces conditions").focus()
    page.keyboard.press("Space")
    page.get_by_label("Motif (obligatoire pour passer outre, 10 caractères au moins)").focus()
    page.keyboard.type("Le diagnostic a été mené sur papier, la saisie suivra.")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.wait_for_url("**/gestion?ok=phase")
    assert "Phase en cours : Émergence et définition du projet" in page.locator("main").inner_text()


def test_pages_work_without_javascript(browser, live_url):
    context = browser.new_context(base_url=live_url, java_script_enabled=False)
    page = context.new_page()
    sign_in(page, "animation@revital.test")
    page.goto("/communes/saint-etienne-du-valdonnez/gestion/groupe-local")
    page.get_by_label("Nom et prénom (obligatoire)").fill("Sans Javascript")
    page.get_by_role("button", name="Ajouter au groupe local").click()
    page.wait_for_url("**/groupe-local?ok=membre-ajoute")
    assert page.get_by_role("cell", name="Sans Javascript", exact=True).count() == 1
    context.close()


def test_screenshots_for_review(page, tmp_path):
    """Not an assertion on looks: leaves screenshots in the test's tmp dir for a person to look at."""
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto("/communes/saint-etienne-du-valdonnez")
    page.wait_for_selector(".leaflet-container[data-loaded=true]")
    path = tmp_path / "commune.png"
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 10_000


def test_place_markers_are_keyboard_reachable_and_popups_are_text(page, db):
    from sqlalchemy import update

    from revital.communes.models import Commune
    from revital.geography.models import Place

    with db.transaction() as session:
        session.execute(update(Place).where(Place.name == "Mairie").values(name="<b>Mairie</b>"))
        session.execute(update(Commune).values(geo_version=Commune.geo_version + 1))
    page.goto("/communes/saint-etienne-du-valdonnez")
    page.wait_for_selector(".leaflet-container[data-loaded=true]")
    marker = page.locator('.leaflet-marker-icon[title="<b>Mairie</b>"]')
    assert marker.get_attribute("tabindex") == "0"
    marker.focus()
    page.keyboard.press("Enter")
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for()
    assert popup.locator("strong").inner_text() == "<b>Mairie</b>"  # text, not markup
    assert popup.locator("b").count() == 0


def test_drawing_a_perimeter_on_the_map(page, db):
    sign_in(page, "commune@revital.test")
    page.goto("/communes/saint-etienne-du-valdonnez/gestion/perimetre")
    page.wait_for_selector(".leaflet-container[data-editor=ready]")
    assert page.locator(".leaflet-overlay-pane path").count() == 2  # boundary, and the perimeter being edited
    page.get_by_title("Tracer le périmètre").click()
    page.locator(".leaflet-container").scroll_into_view_if_needed()
    box = page.locator(".leaflet-container").bounding_box()
    cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    # The last click, back on the first point, closes the polygon. Leaflet.draw takes two quick
    # clicks for a double click: leave it time between points, as a person would.
    for dx, dy in ((-60, -40), (60, -40), (60, 40), (-60, 40), (-60, -40)):
        page.mouse.move(cx + dx, cy + dy)
        page.mouse.down()
        page.mouse.up()
        page.wait_for_timeout(150)
    value = json.loads(page.locator("#perimeter").input_value())
    assert value["type"] == "Polygon" and len(value["coordinates"][0]) == 5
    page.get_by_role("button", name="Enregistrer le périmètre").click()
    page.wait_for_url("**/perimetre?ok=perimetre")
    assert "Le périmètre d’étude du centre-bourg est enregistré." in page.locator("main").inner_text()
    with db.session() as session:
        from sqlalchemy import select

        from revital.communes.models import Commune

        stored = session.scalar(select(Commune.perimeter).where(Commune.slug == "saint-etienne-du-valdonnez"))
    assert len(json.loads(stored)["coordinates"][0]) == 5


def test_clicking_the_map_sets_a_place_position(page, db):
    sign_in(page, "animation@revital.test")
    page.goto("/communes/saint-etienne-du-valdonnez/gestion/lieux")
    page.wait_for_selector(".leaflet-container[data-loaded=true]")
    page.get_by_label("Nom du lieu (obligatoire)").fill("Lavoir")
    container = page.locator(".leaflet-container")
    box = container.bounding_box()
    container.click(position={"x": box["width"] * 0.3, "y": box["height"] * 0.7})  # away from the markers
    lon = float(page.get_by_label("Longitude en degrés (par exemple 3,5632)").input_value())
    lat = float(page.get_by_label("Latitude en degrés (par exemple 44,4562)").input_value())
    assert 3.5 < lon < 3.7 and 44.4 < lat < 44.5
    page.get_by_role("button", name="Ajouter le lieu").click()
    page.wait_for_url("**/lieux?ok=lieu-ajoute")
    assert page.get_by_role("cell", name="Lavoir", exact=True).count() == 1


def contribution_titles(db):
    from sqlalchemy import select

    from revital.contributions.models import Contribution

    with db.session() as session:
        return {c.title: c for c in session.scalars(select(Contribution))}


def test_contribute_by_clicking_the_map(page, db):
    page.goto("/communes/saint-etienne-du-valdonnez/contribuer")
    page.wait_for_selector(".leaflet-container[data-loaded=true]")
    page.get_by_role("radio", name="Idée").check()
    page.get_by_label("Thème").select_option("commerce")
    page.get_by_label("Titre (obligatoire, 120 caractères au plus)").fill("Une épicerie solidaire")
    page.get_by_label("Votre observation ou votre idée (facultatif)").fill("Dans l’ancienne boulangerie.")
    container = page.locator(".leaflet-container")
    box = container.bounding_box()
    container.click(position={"x": box["width"] * 0.3, "y": box["height"] * 0.7})
    assert page.get_by_label("À l’endroit marqué sur la carte").is_checked()
    page.get_by_label("J’accepte que ma contribution soit publiée").check()
    page.get_by_role("button", name="Envoyer ma contribution").click()
    page.wait_for_url("**/contribuer/merci/**")
    assert "Merci pour votre contribution" in page.locator("main").inner_text()
    stored = contribution_titles(db)["Une épicerie solidaire"]
    assert stored.lon is not None and stored.status == "pending"
    assert page.csp_violations == []


def test_contribute_with_the_keyboard_and_the_place_list(page, db):
    page.goto("/communes/saint-etienne-du-valdonnez/contribuer")
    page.wait_for_selector(".leaflet-container[data-loaded=true]")
    page.get_by_role("radio", name="Point faible").focus()
    page.keyboard.press("Space")
    page.get_by_label("Thème").focus()
    page.keyboard.press("End")  # the last theme: "Autre"
    page.keyboard.press("Tab")
    page.keyboard.type("Trottoir défoncé")
    page.get_by_label("À un lieu de la liste").focus()
    page.keyboard.press("Space")
    page.get_by_label("Lieu", exact=True).focus()
    page.get_by_label("Lieu", exact=True).select_option(label="École")
    page.get_by_label("J’accepte que ma contribution soit publiée").focus()
    page.keyboard.press("Space")
    page.get_by_role("button", name="Envoyer ma contribution").focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/contribuer/merci/**")
    stored = contribution_titles(db)["Trottoir défoncé"]
    assert (stored.kind, stored.category, stored.place_name) == ("weakness", "autre", "École")


def test_contribution_errors_are_swapped_in_by_htmx(page, db):
    page.goto("/communes/saint-etienne-du-valdonnez/contribuer")
    page.wait_for_function("window.htmx !== undefined")
    page.evaluate("window.notReloaded = true")
    page.get_by_label("Titre (obligatoire, 120 caractères au plus)").fill("Sans le reste")
    page.get_by_role("button", name="Envoyer ma contribution").click()
    page.get_by_text("Choisissez s’il s’agit d’un atout").first.wait_for()
    assert page.evaluate("window.notReloaded") is True
    assert page.evaluate("document.activeElement.id") == "form-errors"  # the reader is taken to the errors
    assert page.get_by_label("Titre (obligatoire, 120 caractères au plus)").input_value() == "Sans le reste"
    assert "Sans le reste" not in contribution_titles(db)


def test_commune_map_shows_clustered_contributions(page):
    page.goto("/communes/saint-etienne-du-valdonnez")
    page.wait_for_selector(".leaflet-container[data-contributions]")
    assert int(page.locator(".leaflet-container").get_attribute("data-contributions")) == 8
    assert page.csp_violations == []


# --- Maps: htmx swaps, keyboard, no JavaScript, phones, colours --------------------------------

CONTRIBUTE = "/communes/saint-etienne-du-valdonnez/contribuer"
LISTEN_FOR_CSP = """
window.cspViolations = [];
document.addEventListener("securitypolicyviolation", function (event) {
  window.cspViolations.push(event.violatedDirective + " " + event.blockedURI);
});
"""


def watch_csp(page):
    """Record CSP violations from the first script of every document the page loads."""
    page.add_init_script(LISTEN_FOR_CSP)


def csp_violations(page) -> list:
    return page.evaluate("window.cspViolations") + page.csp_violations


def click_the_map(page):
    container = page.locator(".leaflet-container")
    box = container.bounding_box()
    container.click(position={"x": box["width"] * 0.3, "y": box["height"] * 0.7})  # away from the markers


def position(page, lon_id, lat_id) -> tuple[float, float]:
    return float(page.locator(f"#{lon_id}").input_value()), float(page.locator(f"#{lat_id}").input_value())


@pytest.mark.parametrize("move_before", [True, False], ids=["moveBefore", "replaceChild"])
def test_the_map_survives_htmx_swaps_of_the_contribution_form(page, db, move_before):
    """htmx moves the kept map with moveBefore where the browser has it (Chromium 133+), and
    detaches then reattaches it elsewhere (Firefox, Safari): both ways, the map lives on."""
    watch_csp(page)
    if not move_before:
        page.add_init_script("delete Element.prototype.moveBefore;")
    page.goto(CONTRIBUTE)
    page.wait_for_selector(".leaflet-container[data-loaded=true]")
    assert page.evaluate("typeof document.body.moveBefore") == ("function" if move_before else "undefined")
    page.evaluate("""() => {
        window.notReloaded = true;
        window.liveMap = document.querySelector(".leaflet-container");
        window.swaps = 0;
        document.addEventListener("htmx:afterSettle", () => { window.swaps += 1; });
    }""")
    page.get_by_label("Titre (obligatoire, 120 caractères au plus)").fill("Après deux erreurs")
    for swaps in (1, 2):  # every swap, not only the first
        page.get_by_role("button", name="Envoyer ma contribution").click()
        page.wait_for_function("(n) => window.swaps === n", arg=swaps)
        page.get_by_text("Choisissez s’il s’agit d’un atout").first.wait_for()
    assert page.evaluate("window.notReloaded") is True
    # the live map is still the one of the first page: htmx kept it; no second map was started
    assert page.evaluate("document.querySelector('.leaflet-container') === window.liveMap") is True
    assert page.locator(".leaflet-container").count() == 1
    assert page.evaluate("""() => {
        const described = document.querySelector(".leaflet-container").getAttribute("aria-describedby");
        return document.getElementById(described).tagName;
    }""") == "FIGCAPTION"  # the new caption, which tells the map's keys
    click_the_map(page)
    lon, lat = position(page, "contrib-lon", "contrib-lat")
    assert 3.5 < lon < 3.7 and 44.4 < lat < 44.5
    assert page.get_by_label("À l’endroit marqué sur la carte").is_checked()
    # typing in the new fields still moves the marker of the kept map
    page.locator("#contrib-lon").fill("3.56")
    page.locator("#contrib-lon").dispatch_event("change")
    marker_lon = page.evaluate("""() => {
        const map = Object.values(window).find((v) => v && v._container === window.liveMap);
        let lon = null;
        map.eachLayer((layer) => { if (layer.options && layer.options.draggable) { lon = layer.getLatLng().lng; } });
        return lon;
    }""")
    assert marker_lon == pytest.approx(3.56)
    page.get_by_role("radio", name="Idée").check()
    page.get_by_label("Thème").select_option("commerce")
    page.get_by_label("J’accepte que ma contribution soit publiée").check()
    page.get_by_role("button", name="Envoyer ma contribution").click()
    page.wait_for_url("**/contribuer/merci/**")
    stored = contribution_titles(db)["Après deux erreurs"]
    assert stored.lon == pytest.approx(3.56) and stored.lat == pytest.approx(lat)
    assert csp_violations(page) == []


def test_paper_entry_and_places_maps_work_after_an_error(page):
    watch_csp(page)
    sign_in(page, "animation@revital.test")
    page.goto("/communes/saint-etienne-du-valdonnez/gestion/saisie")
    page.get_by_role("button", name="Enregistrer et saisir la suivante").click()
    page.get_by_text("La contribution n’est pas enregistrée").wait_for()
    page.wait_for_selector(".leaflet-container[data-loaded=true]")
    click_the_map(page)
    lon, lat = position(page, "contrib-lon", "contrib-lat")
    assert 3.5 < lon < 3.7 and 44.4 < lat < 44.5
    assert page.get_by_label("À l’endroit marqué sur la carte").is_checked()
    page.goto("/communes/saint-etienne-du-valdonnez/gestion/lieux")
    page.get_by_role("button", name="Ajouter le lieu").click()
    page.get_by_text("Le lieu n’a pas été ajouté").wait_for()
    page.wait_for_selector(".leaflet-container[data-loaded=true]")
    click_the_map(page)
    lon, lat = position(page, "place-lon", "place-lat")
    assert 3.5 < lon < 3.7 and 44.4 < lat < 44.5
    assert csp_violations(page) == []


def focused(page) -> str:
    """What has the focus: "map" for the map, else its id, or its classes when it has none."""
    return page.evaluate("""() => {
        const e = document.activeElement;
        return e.classList.contains("leaflet-container") ? "map" : e.id || String(e.getAttribute("class"));
    }""")


def test_the_form_map_takes_one_tab_stop_and_can_be_skipped(page):
    page.goto(CONTRIBUTE)
    page.wait_for_selector(".leaflet-container[data-loaded=true]")
    page.get_by_label("Votre observation ou votre idée (facultatif)").focus()
    page.keyboard.press("Tab")
    assert focused(page) == "where-map"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Passer la carte"
    assert page.locator(".map-skip").bounding_box()["x"] >= 0  # shown once it has the focus
    stops = []
    for _ in range(30):
        page.keyboard.press("Tab")
        if focused(page) == "contrib-lon":
            break
        stops.append(focused(page))
    assert stops == ["map"]  # the map, and nothing inside it
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Shift+Tab")
    assert page.evaluate("document.activeElement.textContent") == "Passer la carte"
    page.keyboard.press("Enter")
    assert focused(page) == "contrib-lon"


FRENCH_POSITION = r"\d{1,2},\d{5} [NS], \d{1,3},\d{5} [EO]"


def test_a_pin_is_placed_and_moved_with_the_keyboard_only(page):
    page.goto(CONTRIBUTE)
    page.wait_for_selector(".leaflet-container[data-loaded=true]")
    page.get_by_label("Votre observation ou votre idée (facultatif)").focus()
    for _ in range(3):  # the "where" choice, "Passer la carte", the map
        page.keyboard.press("Tab")
        if focused(page) == "map":
            break
    assert focused(page) == "map"
    assert page.locator("#contrib-lon").input_value() == ""
    live = page.locator("#carte-position [aria-live=polite]")  # the map's own status line, kept with it
    page.keyboard.press("Enter")  # the pin, at the centre of the map
    centre = page.evaluate("""() => {
        const c = document.querySelector(".leaflet-container"), map = Object.values(window).find((v) => v && v._container === c);
        return [map.getCenter().lng, map.getCenter().lat];
    }""")
    lon, lat = position(page, "contrib-lon", "contrib-lat")
    assert (lon, lat) == (pytest.approx(centre[0], abs=1e-6), pytest.approx(centre[1], abs=1e-6))
    assert page.get_by_label("À l’endroit marqué sur la carte").is_checked()
    assert re.search(FRENCH_POSITION, live.inner_text())
    assert coords_fr((lon, lat)) in live.inner_text()  # e.g. "44,45641 N, 3,56335 E"
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    lon2, lat2 = position(page, "contrib-lon", "contrib-lat")
    assert lon2 > lon and lat2 == pytest.approx(lat, abs=1e-6)
    page.keyboard.press("ArrowUp")
    lon3, lat3 = position(page, "contrib-lon", "contrib-lat")
    assert lat3 > lat2 and lon3 == pytest.approx(lon2, abs=1e-6)
    assert coords_fr((lon3, lat3)) in live.inner_text()
    # Shift and the arrows move the map, not the pin
    before = page.evaluate("() => document.querySelector('.leaflet-map-pane').style.transform")
    page.keyboard.press("Shift+ArrowLeft")
    page.wait_for_function("(t) => document.querySelector('.leaflet-map-pane').style.transform !== t", arg=before)
    assert position(page, "contrib-lon", "contrib-lat") == (lon3, lat3)
    # Space puts the pin back at the centre of what is shown, and does not scroll the page
    scrolled = page.evaluate("window.scrollY")
    page.keyboard.press(" ")
    assert position(page, "contrib-lon", "contrib-lat")[0] < lon3
    assert page.evaluate("window.scrollY") == scrolled
    assert focused(page) == "map"
    assert page.locator(".leaflet-container").get_attribute("aria-describedby")


def test_without_javascript_a_message_replaces_the_map(browser, live_url):
    context = browser.new_context(base_url=live_url, java_script_enabled=False, locale="fr-FR")
    page = context.new_page()
    sign_in(page, "animation@revital.test")
    for path in (CONTRIBUTE, "/communes/saint-etienne-du-valdonnez", "/communes/saint-etienne-du-valdonnez/gestion/lieux"):
        page.goto(path)
        message = page.locator(".map-noscript")
        assert message.count() == 1 and message.is_visible(), path
        assert "sans JavaScript" in message.inner_text(), path
        frame = page.locator(".folium-map")
        assert frame.bounding_box() is None or frame.bounding_box()["height"] == 0, path  # no empty box
    page.goto(CONTRIBUTE)
    caption = page.locator("figure.map-figure figcaption").inner_text()
    assert "Touchez la carte ou cliquez dessus" in caption and "touchez ou cliquez la carte" not in caption
    for field in ("contrib-lon", "contrib-lat"):
        label = page.locator(f"label[for={field}]").inner_text()
        assert "carte" not in label and "par exemple" in label, label
    context.close()


ENGLISH = ("Zoom in", "Zoom out", "Layers", "A JavaScript library for interactive maps", "Marker", "Close popup")


def control_texts(page) -> list[str]:
    return page.eval_on_selector_all(
        ".leaflet-container [title], .leaflet-container [aria-label], .leaflet-container img[alt]",
        "els => els.flatMap(e => [e.title, e.getAttribute('aria-label'), e.getAttribute('alt')].filter(Boolean))")


@pytest.mark.parametrize("width,height,collapsed", [(390, 844, True), (1280, 900, False)])
def test_map_controls_fit_phones_and_speak_french(browser, live_url, width, height, collapsed):
    context = browser.new_context(base_url=live_url, locale="fr-FR", viewport={"width": width, "height": height})
    page = context.new_page()
    for path in ("/communes/saint-etienne-du-valdonnez", CONTRIBUTE):
        page.goto(path)
        page.wait_for_selector(".leaflet-container[data-loaded=true]")
        layers = page.locator(".leaflet-control-layers")
        expanded = "leaflet-control-layers-expanded" in layers.get_attribute("class")
        assert expanded is not collapsed, path
        assert page.locator(".leaflet-control-layers-list").is_visible() is not collapsed, path
        assert page.get_by_title("Zoom avant").count() == 1 and page.get_by_title("Zoom arrière").count() == 1
        assert page.locator(".leaflet-control-layers-toggle").get_attribute("aria-label") == "Fonds de carte et couches"
        texts = control_texts(page)
        for english in ENGLISH:
            assert english not in texts, (path, english)
        scale = page.locator(".leaflet-control-scale-line")
        assert scale.count() == 1, path
        assert scale.inner_text().split()[-1] in ("m", "km"), scale.inner_text()
    page.goto("/communes/saint-etienne-du-valdonnez")
    page.wait_for_selector(".leaflet-container[data-loaded=true]")
    page.locator('.leaflet-marker-icon[title="Mairie"]').focus()  # a click could meet the cluster over it
    page.keyboard.press("Enter")
    page.locator(".leaflet-popup").wait_for()
    assert page.locator(".leaflet-popup-close-button").get_attribute("aria-label") == "Fermer"
    context.close()


KIND_CLASSES = ("asset", "weakness", "idea")
COLOURS = """(kinds) => kinds.map((kind) => {
    const probe = document.createElement("span");
    probe.className = PROBE.replace("KIND", kind);
    document.body.appendChild(probe);
    const style = getComputedStyle(probe);
    const colours = [style.backgroundColor, style.color, style.borderTopColor];
    probe.remove();
    return colours;
})"""


def test_map_markers_and_list_tags_share_one_colour_per_kind(page):
    """The same kind has the same colour on the map and in the list (and other cues besides)."""
    page.goto("/communes/saint-etienne-du-valdonnez")
    page.wait_for_selector(".leaflet-container[data-contributions]")
    markers = page.evaluate(COLOURS.replace("PROBE", '"leaflet-marker-icon contribution-marker contribution-KIND"'),
                            list(KIND_CLASSES))
    page.goto("/communes/saint-etienne-du-valdonnez/contributions")
    tags = page.evaluate(COLOURS.replace("PROBE", '"tag kind-KIND"'), list(KIND_CLASSES))
    for kind, (marker_bg, _, _), (_, tag_text, tag_border) in zip(KIND_CLASSES, markers, tags):
        assert marker_bg == tag_text == tag_border, kind
    assert len({bg for bg, _, _ in markers}) == 3
