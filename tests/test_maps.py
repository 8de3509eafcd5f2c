"""Maps: folium with local assets only, the three base layers, the commune and its perimeter."""

import json
import re
from html.parser import HTMLParser
from pathlib import Path

from revital import maps
from revital.settings import PROJECT_DIR, Settings
from tests.conftest import MAIN, PERSONAS, csrf_token, get, sign_in_as

EXTERNAL = re.compile(r"""(?:src|href)=["'](?:https?:)?//""")


def test_commune_page_loads_no_asset_from_elsewhere(client):
    html = get(client, f"/communes/{MAIN}").text
    assert "/static/vendor/leaflet/leaflet.js" in html
    assert "/static/vendor/leaflet/leaflet.css" in html
    for tag in re.findall(r"<(?:script|link|img)\b[^>]*>", html):
        assert not EXTERNAL.search(tag), tag
    for cdn in ("cdn.jsdelivr", "unpkg.com", "cdnjs.", "code.jquery.com", "bootstrapcdn", "fontawesome"):
        assert cdn not in html


def test_every_page_loads_local_assets_only(client):
    from tests.conftest import PERSONAS, sign_in_as

    sign_in_as(client, PERSONAS["coordinator"])
    pages = ("/", f"/communes/{MAIN}", "/connexion", "/accessibilite", "/confidentialite", "/compte",
             f"/communes/{MAIN}/gestion", f"/communes/{MAIN}/gestion/groupe-local", f"/communes/{MAIN}/gestion/perimetre",
             f"/communes/{MAIN}/gestion/lieux", "/territoires/pays-des-sources-demo/gestion/communes")
    for path in pages:
        response = get(client, path)
        assert response.status_code == 200, path
        for cdn in ("cdn.jsdelivr", "unpkg.com", "cdnjs.", "code.jquery.com", "bootstrapcdn", "fontawesome"):
            assert cdn not in response.text, (path, cdn)
        for tag in re.findall(r"<(?:script|link|img)\b[^>]*>", response.text):
            assert not EXTERNAL.search(tag), (path, tag)


def test_map_has_three_base_layers_with_attribution(client):
    html = get(client, f"/communes/{MAIN}").text
    for name in ("OpenStreetMap", "Plan IGN", "Photographies aériennes IGN"):
        assert json.dumps(name) in html, name  # layer names reach the script as JSON strings
    script = (Path(PROJECT_DIR) / "static" / "js" / "revital-maps.js").read_text()
    for name in ("Limite de la commune", "Périmètre d’étude du centre-bourg", "Lieux"):
        assert name in script
    assert "tile.openstreetmap.org" in html and "ORTHOIMAGERY.ORTHOPHOTOS" in html and "PLANIGNV2" in html
    assert "openstreetmap.org/copyright" in html and "https://www.ign.fr/" in html


def test_map_has_a_text_alternative(client):
    html = get(client, f"/communes/{MAIN}").text
    assert "<figcaption>" in html
    assert "périmètre d’étude du centre-bourg" in html


def test_map_parts_refuse_a_cdn_asset():
    class CdnMap(maps.LocalMap):
        default_js = [("leaflet", "https://cdn.jsdelivr.net/npm/leaflet.js")]

    m = CdnMap(location=[44.4, 3.5], tiles=None)
    try:
        maps.parts(m)
    except ValueError as error:
        assert "not served locally" in str(error)
    else:
        raise AssertionError("a CDN asset went through")


class FakeCommune:
    slug = "bourg"
    geo_version = 7
    min_lon, min_lat, max_lon, max_lat = 3.5, 44.5, 3.6, 44.6


def test_map_fits_the_commune_and_fetches_its_layers():
    parts = maps.commune_map(Settings(), FakeCommune())
    assert "[[44.5, 3.5], [44.6, 3.6]]" in parts.script
    assert 'Revital.run("communeLayers"' in parts.script
    assert '"/api/communes/bourg/commune.geojson?v=7"' in parts.script
    assert parts.js == ["/static/vendor/leaflet/leaflet.js", "/static/js/revital-maps.js"]


def test_editor_maps_bring_their_tools():
    editor = maps.commune_map(Settings(), FakeCommune(), maps.PERIMETER_EDITOR, field="perimeter")
    assert 'Revital.run("perimeterEditor"' in editor.script and '"field": "perimeter"' in editor.script
    assert "/static/vendor/leaflet-draw/leaflet.draw.js" in editor.js
    assert "/static/vendor/leaflet-draw/leaflet.draw.css" in editor.css
    picker = maps.commune_map(Settings(), FakeCommune(), maps.POINT_PICKER, lon="x", lat="y")
    assert 'Revital.run("pointPicker"' in picker.script and "leaflet-draw" not in " ".join(picker.js)


def test_configured_tiles_are_used(settings, db):
    from tests.conftest import make_client

    with make_client(settings, tiles_osm="https://tuiles.example.fr/{z}/{x}/{y}.png") as client:
        response = get(client, f"/communes/{MAIN}")
    assert "https://tuiles.example.fr/{z}/{x}/{y}.png" in response.text
    assert "https://tuiles.example.fr" in response.headers["content-security-policy"]


def test_vendored_libraries_carry_licence_and_version():
    from pathlib import Path

    from revital.settings import PROJECT_DIR

    for lib in ("htmx", "leaflet", "leaflet-draw"):
        folder = Path(PROJECT_DIR) / "static" / "vendor" / lib
        assert (folder / "LICENSE").exists() and (folder / "VERSION").exists()
    assert "2.0.11" in (Path(PROJECT_DIR) / "static/vendor/htmx/VERSION").read_text()
    assert "1.9.4" in (Path(PROJECT_DIR) / "static/vendor/leaflet/VERSION").read_text()


class Elements(HTMLParser):
    """The start tags of a page, in order, with their attributes, and the text of each script."""

    def __init__(self, html: str):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.scripts: list[str] = []
        self._in_script = False
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._in_script = tag == "script"
        if self._in_script:
            self.scripts.append("")

    def handle_endtag(self, tag):
        self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.scripts[-1] += data

    def by_id(self, ident: str) -> dict | None:
        return next((attrs for _, attrs in self.tags if attrs.get("id") == ident), None)


FORM = f"/communes/{MAIN}/contribuer"


def test_a_form_swapped_in_by_htmx_keeps_the_live_map(client):
    page = Elements(get(client, FORM).text)
    kept = page.by_id("carte-position")
    assert kept is not None and kept["hx-preserve"] == "true"
    assert any('Revital.run("pointPicker"' in script for script in page.scripts)  # the full page starts the map
    token = next(attrs["value"] for tag, attrs in page.tags if tag == "input" and attrs.get("name") == "token")
    response = client.post(FORM, data={"title": "Sans le reste", "token": token, "_csrf_token": csrf_token(client)},
                           files={"photo": ("", b"", "application/octet-stream")},
                           headers={"HX-Request": "true"}, follow_redirects=False)
    assert response.status_code == 422
    fragment = Elements(response.text)
    assert fragment.tags[0][0] == "form"  # the fragment, not the page
    # The map's container, by the same id, for htmx to put the live map back in; nothing else of
    # the map: no script (the page's CSP would block it), no asset, no second map element.
    kept = fragment.by_id("carte-position")
    assert kept is not None and kept["hx-preserve"] == "true"
    assert [tag for tag, _ in fragment.tags if tag in ("script", "link", "style")] == []
    assert not [attrs for _, attrs in fragment.tags if "folium-map" in attrs.get("class", "")]
    assert fragment.by_id("contrib-lon") is not None and fragment.by_id("contrib-lat") is not None


def test_every_map_has_its_own_stable_container_and_a_way_past_it():
    view = maps.commune_map(Settings(), FakeCommune())
    picker = maps.commune_map(Settings(), FakeCommune(), maps.POINT_PICKER, lon="x", lat="y")
    editor = maps.commune_map(Settings(), FakeCommune(), maps.PERIMETER_EDITOR, field="perimeter")
    assert (view.id, picker.id, editor.id) == ("carte-commune", "carte-position", "carte-perimetre")
    assert (picker.skip_to, editor.skip_to) == ("x", "perimeter")
    assert maps.commune_map(Settings(), FakeCommune(), maps.POINT_PICKER, lon="x", lat="y").id == picker.id


def test_folium_draws_no_english_or_imperial_control():
    """Zoom buttons and the scale come from static/js/revital-maps.js, in French and metric only."""
    script = maps.commune_map(Settings(), FakeCommune()).script
    assert "L.control.scale()" not in script and '"zoomControl": false' in script
    source = (Path(PROJECT_DIR) / "static" / "js" / "revital-maps.js").read_text()
    assert "imperial: false" in source and "Zoom avant" in source and "Zoom arrière" in source


def test_every_map_can_be_skipped(client):
    """"Passer la carte" comes just before each map and leads to what follows it."""
    sign_in_as(client, PERSONAS["coordinator"])
    for path in (f"/communes/{MAIN}", FORM, f"/communes/{MAIN}/gestion/perimetre", f"/communes/{MAIN}/gestion/lieux"):
        page = Elements(get(client, path).text)
        ids = [attrs.get("id") for _, attrs in page.tags]
        skips = [(i, attrs) for i, (tag, attrs) in enumerate(page.tags) if "map-skip" in attrs.get("class", "")]
        assert len(skips) == 1, path
        at, link = skips[0]
        assert page.tags[at + 1][1].get("hx-preserve") == "true", path  # just before the map
        target = link["href"].removeprefix("#")
        assert ids.index(target) > at + 1, path  # somewhere after it
