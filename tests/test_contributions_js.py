"""static/js/revital-contributions.js on its own: the vendored Leaflet.markercluster, and in Chromium
a bare page (served with the app's CSP) that loads a generated feed, filters it and opens popups
fetched on demand. No database and no app: the page only needs the static files."""

import json
import random
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from revital.settings import PROJECT_DIR
from revital.web import content_security_policy

STATIC = (Path(PROJECT_DIR) / "static").resolve()
SCRIPT = STATIC / "js" / "revital-contributions.js"
VENDOR = STATIC / "vendor" / "leaflet.markercluster"
KINDS = ("asset", "weakness", "idea")
POINTS = 3000
FAILING_ID = 999  # its popup answers 500
NONCE = "test-nonce"
HOSTILE_ID = '<img src=x onerror="window.pwned=1">'


def test_markercluster_is_vendored_with_licence_and_version():
    for name in ("leaflet.markercluster.js", "MarkerCluster.css", "MarkerCluster.Default.css", "package.json",
                 "LICENSE", "VERSION"):
        assert (VENDOR / name).exists(), name
    assert json.loads((VENDOR / "package.json").read_text())["version"] == "1.5.3"
    assert "1.5.3" in (VENDOR / "VERSION").read_text()
    assert "Permission is hereby granted" in (VENDOR / "LICENSE").read_text()


def test_script_builds_no_html_from_data():
    source = SCRIPT.read_text()
    assert "innerHTML" not in source and "insertAdjacentHTML" not in source and "document.write" not in source
    assert ".addLayers(" in source and "chunkedLoading: true" in source


LETTERS = {"asset": "a", "weakness": "w", "idea": "i"}


def phase_of(i: int) -> str:
    return ("diagnostic", "projet", "suivi")[i % 5 % 3]


def feed(n: int, phase: str = "") -> dict:
    """The app's map feed: the feature's id, "k" the kind's letter, "c" the category; the server
    filters by phase (?phase=)."""
    rnd = random.Random(n)
    features = []
    for i in range(1, n + 1):
        coordinates = [round(3.56 + rnd.uniform(-0.05, 0.05), 5), round(44.45 + rnd.uniform(-0.04, 0.04), 5)]
        if phase and phase_of(i) != phase:
            continue
        features.append({
            "type": "Feature", "id": i,
            "geometry": {"type": "Point", "coordinates": coordinates},
            "properties": {"k": LETTERS[KINDS[i % 3]], "c": ("mobilite", "commerce")[i % 2]},
        })
    # a hostile feature: nothing from the feed may become markup
    features.append({"type": "Feature", "id": HOSTILE_ID, "geometry": {"type": "Point", "coordinates": [3.56, 44.45]},
                     "properties": {"k": "i", "c": '<img src=x onerror="window.pwned=1">'}})
    return {"type": "FeatureCollection", "features": features}


PAGE = """<!doctype html>
<html lang="fr"><head><meta charset="utf-8"><title>Contributions</title>
<link rel="stylesheet" href="/static/css/revital.css">
<link rel="stylesheet" href="/static/vendor/leaflet/leaflet.css">
<link rel="stylesheet" href="/static/vendor/leaflet.markercluster/MarkerCluster.css">
<link rel="stylesheet" href="/static/vendor/leaflet.markercluster/MarkerCluster.Default.css">
<link rel="stylesheet" href="/static/css/contributions.css">
<script src="/static/vendor/leaflet/leaflet.js"></script>
<script src="/static/js/revital-maps.js"></script>
<script src="/static/vendor/leaflet.markercluster/leaflet.markercluster.js"></script>
<script src="/static/js/revital-contributions.js"></script>
</head><body>
<style nonce="NONCE">#map { width: 800px; height: 500px; }</style>
<div id="map"></div>
<script nonce="NONCE">
  var map = L.map("map", { center: [44.45, 3.56], zoom: 13, maxZoom: 19 });
  var control = L.control.layers({}, {}, { collapsed: false }).addTo(map);
  window.contributions = new Promise(function (resolve) {
    document.addEventListener("DOMContentLoaded", function () {
      resolve(Revital.layer("contributions")(map, {
        url: "/feed.geojson", popupUrl: "/communes/c/contributions/{id}/carte",
        kinds: {asset: "Atout", weakness: "Point faible", idea: "Idée"}, letters: {a: "asset", w: "weakness", i: "idea"},
        filters: "filters", count: "count", control: control
      }));
    });
  });
</script>
<form id="filters" action="/liste" method="get">
  <label><input type="checkbox" name="kind" value="asset" checked> Atouts</label>
  <label><input type="checkbox" name="kind" value="weakness" checked> Points faibles</label>
  <label><input type="checkbox" name="kind" value="idea" checked> Idées</label>
  <select name="category"><option value="">Toutes</option><option value="mobilite">Mobilité</option></select>
  <select name="phase"><option value="">Toutes</option><option value="projet">Projet</option></select>
  <button type="submit">Filtrer</button>
</form>
<p id="count"></p>
</body></html>
""".replace("NONCE", NONCE)

TYPES = {".js": "text/javascript", ".css": "text/css", ".png": "image/png", ".svg": "image/svg+xml"}


@pytest.fixture(scope="module")
def site():
    data = json.dumps(feed(POINTS)).encode()
    requests = []

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def answer(self, status, body, content_type):
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Content-Security-Policy", content_security_policy(NONCE, []))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):
            requests.append(self.path)
            popup = re.fullmatch(r"/communes/c/contributions/([^/]+)/carte", self.path)
            if self.path == "/favicon.ico":
                self.answer(204, b"", "image/x-icon")
            elif self.path == "/":
                self.answer(200, PAGE.encode(), "text/html; charset=utf-8")
            elif self.path == "/feed.geojson":
                self.answer(200, data, "application/geo+json")
            elif self.path.startswith("/feed.geojson?phase="):
                phase = self.path.split("=", 1)[1]
                self.answer(200, json.dumps(feed(POINTS, phase)).encode(), "application/geo+json")
            elif popup and popup.group(1) != str(FAILING_ID):
                body = f'<p class="fragment">Contribution {popup.group(1)} &lt;b&gt;</p>'.encode()
                self.answer(200, body, "text/html; charset=utf-8")
            elif self.path.startswith("/static/"):
                path = (STATIC / self.path[len("/static/"):]).resolve()
                if STATIC in path.parents and path.is_file():
                    self.answer(200, path.read_bytes(), TYPES.get(path.suffix, "application/octet-stream"))
                else:
                    self.answer(404, b"", "text/plain")
            else:
                self.answer(500 if popup else 404, b"", "text/plain")

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", requests
    server.shutdown()
    thread.join(timeout=10)
    server.server_close()


@pytest.fixture
def page(browser, site):
    url, requests = site
    context = browser.new_context(base_url=url, locale="fr-FR", viewport={"width": 1000, "height": 700})
    page = context.new_page()
    page.problems = []
    page.on("console", lambda m: m.type == "error" and page.problems.append(m.text))
    page.on("pageerror", lambda e: page.problems.append(f"page error: {e}"))
    page.requests = requests
    page.goto("/")
    page.wait_for_selector("#map[data-contributions]", state="attached", timeout=30000)
    yield page
    context.close()


def shown(page) -> int:
    return int(page.get_attribute("#map", "data-contributions"))


def wait_for_count(page, n: int) -> None:
    # functions, not expressions: Playwright evaluates a polled expression with eval, which the CSP forbids
    page.wait_for_function("(n) => document.getElementById('map').getAttribute('data-contributions') === n",
                           arg=str(n), timeout=30000)


def show(page, ident) -> tuple[float, float]:
    """Zoom onto one contribution; the page coordinates of its marker."""
    return page.evaluate(
        """(ident) => contributions.then((group) => {
             const marker = group.getLayers().find((m) => String(m.contributionId) === String(ident));
             map.setView(marker.getLatLng(), 19, { animate: false });
             const p = map.latLngToContainerPoint(marker.getLatLng()), r = map.getContainer().getBoundingClientRect();
             return [p.x + r.left, p.y + r.top];
           })""",
        ident,
    )


def marker_at(page, x, y):
    """The marker icon at (x, y), once markercluster has placed the markers and ended its animation."""
    page.wait_for_function(
        """([x, y]) => { const e = document.elementFromPoint(x, y);
             return e && e.classList.contains("contribution-marker")
               && !document.querySelector(".leaflet-cluster-anim"); }""",
        arg=[x, y], timeout=10000)
    return page.evaluate_handle(f"document.elementFromPoint({x}, {y})").as_element()


@pytest.mark.browser
def test_every_contribution_is_on_the_map_and_feed_data_stays_text(page):
    assert shown(page) == POINTS + 1
    assert page.inner_text("#count") == f"{POINTS + 1:,} contributions affichées".replace(",", "\u202f")
    assert page.locator(".leaflet-control-layers-overlays label").inner_text().strip() == "Contributions"
    assert page.evaluate("window.pwned") is None
    x, y = show(page, HOSTILE_ID)
    icon = marker_at(page, x, y)
    assert icon.get_attribute("title") == "Idée" and "contribution-idea" in icon.get_attribute("class")
    icon.click()
    page.wait_for_selector(".leaflet-popup-content .fragment")
    assert page.requests[-1] == "/communes/c/contributions/%3Cimg%20src%3Dx%20onerror%3D%22window.pwned%3D1%22%3E/carte"
    assert page.locator("#map img").count() == 0 and page.evaluate("window.pwned") is None
    assert page.problems == []


@pytest.mark.browser
def test_filters_rebuild_the_visible_set_without_submitting(page):
    page.uncheck('input[name="kind"][value="idea"]')
    wait_for_count(page, POINTS * 2 // 3)
    page.select_option('select[name="category"]', "mobilite")
    page.select_option('select[name="phase"]', "projet")
    features = feed(POINTS, "projet")["features"]
    expected = sum(1 for f in features if f["properties"]["k"] in ("a", "w") and f["properties"]["c"] == "mobilite")
    wait_for_count(page, expected)
    assert page.inner_text("#count") == f"{expected} contributions affichées"
    page.click('button[type="submit"]')
    page.wait_for_timeout(200)
    assert page.url.endswith("/")  # the GET to the list page only happens without JavaScript
    for kind in KINDS:
        page.uncheck(f'input[name="kind"][value="{kind}"]')
    wait_for_count(page, 0)
    assert page.inner_text("#count") == "0 contribution affichée"


@pytest.mark.browser
def test_popups_are_fetched_on_demand_and_cached(page):
    before = [r for r in page.requests if "/carte" in r]
    x, y = show(page, 11)
    marker_at(page, x, y)
    page.mouse.click(x, y)
    page.wait_for_selector(".leaflet-popup-content .fragment")
    assert page.inner_text(".leaflet-popup-content") == "Contribution 11 <b>"
    page.keyboard.press("Escape")
    page.wait_for_selector(".leaflet-popup", state="detached")
    page.mouse.click(x, y)
    page.wait_for_selector(".leaflet-popup-content .fragment")
    calls = [r for r in page.requests if "/carte" in r][len(before):]
    assert calls.count("/communes/c/contributions/11/carte") == 1


@pytest.mark.browser
def test_popups_open_from_the_keyboard(page):
    x, y = show(page, 22)
    icon = marker_at(page, x, y)
    assert icon.get_attribute("tabindex") == "0" and icon.get_attribute("role") == "button"
    assert icon.get_attribute("title") in ("Atout", "Point faible", "Idée")
    icon.focus()
    page.keyboard.press("Enter")
    page.wait_for_selector(".leaflet-popup-content .fragment")
    assert "Contribution 22" in page.inner_text(".leaflet-popup-content")
    page.keyboard.press("Escape")
    page.wait_for_selector(".leaflet-popup", state="detached")
    page.keyboard.press(" ")
    page.wait_for_selector(".leaflet-popup-content .fragment")


@pytest.mark.browser
def test_a_popup_that_fails_says_so(page):
    x, y = show(page, FAILING_ID)
    marker_at(page, x, y)
    page.mouse.click(x, y)
    page.wait_for_function("() => (document.querySelector('.leaflet-popup-content') || {}).textContent"
                           " === 'La contribution n’a pas pu être chargée.'")


@pytest.mark.browser
def test_filters_still_work_once_an_htmx_swap_replaced_the_form(page):
    """The map outlives a swap of the filters and the counter: they are found again by id."""
    page.evaluate("""() => {
        for (const id of ["filters", "count"]) {
            const old = document.getElementById(id);
            old.replaceWith(old.cloneNode(true));
        }
    }""")
    page.uncheck('input[name="kind"][value="idea"]')
    wait_for_count(page, POINTS * 2 // 3)
    assert page.inner_text("#count") == f"{POINTS * 2 // 3:,} contributions affichées".replace(",", "\u202f")
    page.click('button[type="submit"]')
    page.wait_for_timeout(200)
    assert page.url.endswith("/")  # still filtered in place, not submitted
