"""Maps: folium with local assets only, the three base layers, the commune and its perimeter."""

import json
import re
from pathlib import Path

from revital import maps
from revital.settings import PROJECT_DIR, Settings
from tests.conftest import MAIN, get

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
    assert "Revital.communeLayers(" in parts.script
    assert '"/api/communes/bourg/commune.geojson?v=7"' in parts.script
    assert parts.js == ["/static/vendor/leaflet/leaflet.js", "/static/js/revital-maps.js"]


def test_editor_maps_bring_their_tools():
    editor = maps.commune_map(Settings(), FakeCommune(), maps.PERIMETER_EDITOR, field="perimeter")
    assert "Revital.perimeterEditor(" in editor.script and '"field": "perimeter"' in editor.script
    assert "/static/vendor/leaflet-draw/leaflet.draw.js" in editor.js
    assert "/static/vendor/leaflet-draw/leaflet.draw.css" in editor.css
    picker = maps.commune_map(Settings(), FakeCommune(), maps.POINT_PICKER, lon="x", lat="y")
    assert "Revital.pointPicker(" in picker.script and "leaflet-draw" not in " ".join(picker.js)


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
