"""Maps built with folium, every asset served from static/vendor (no CDN).

One component for every page that shows a map: the base layers (OpenStreetMap, IGN plan, IGN
aerial photographs), then the commune's boundary, perimeter and places, fetched by the browser
from the commune's GeoJSON endpoint, so that the page weighs the same whatever the data.
A map reaches a template as MapParts: the container's HTML, the script (put in a <script>
with the page's CSP nonce by templates/partials/_map.html) and the asset URLs it needs.

Maps survive htmx swaps: _map.html wraps each map in a container with a stable id of ours
(MapParts.id) and hx-preserve, and a fragment swapped in by htmx carries only that empty
container, so that htmx puts the live map back in its place: no second map, no inline script
for the page's CSP to block. The behaviours of static/js/revital-maps.js find their form fields
by id each time they use them, since a swap replaces those fields.
"""

import json
from dataclasses import dataclass, replace
from functools import lru_cache

import folium
from branca.element import MacroElement
from folium.elements import JSCSSMixin
from jinja2 import Template as JinjaTemplate
from markupsafe import Markup

LEAFLET_JS = [("leaflet", "/static/vendor/leaflet/leaflet.js")]
LEAFLET_CSS = [("leaflet_css", "/static/vendor/leaflet/leaflet.css")]
REVITAL_JS = ("revital_maps", "/static/js/revital-maps.js")
DRAW_JS = ("leaflet_draw", "/static/vendor/leaflet-draw/leaflet.draw.js")
DRAW_CSS = ("leaflet_draw_css", "/static/vendor/leaflet-draw/leaflet.draw.css")
CLUSTER_JS = [("markercluster", "/static/vendor/leaflet.markercluster/leaflet.markercluster.js"),
              ("revital_contributions", "/static/js/revital-contributions.js")]
CLUSTER_CSS = [("markercluster_css", "/static/vendor/leaflet.markercluster/MarkerCluster.css"),
               ("markercluster_default_css", "/static/vendor/leaflet.markercluster/MarkerCluster.Default.css"),
               ("contributions_css", "/static/css/contributions.css")]
STUDENTS_JS = [("revital_students", "/static/js/revital-students.js")]
IDEAS_JS = [("revital_ideas", "/static/js/revital-ideas.js")]

OSM_ATTRIBUTION = (
    '&copy; <a href="https://www.openstreetmap.org/copyright">les contributeurs d’OpenStreetMap</a>'
)
IGN_ATTRIBUTION = '&copy; <a href="https://www.ign.fr/">IGN</a> – Géoplateforme'

# What the browser does with the map, in static/js/revital-maps.js.
VIEW = "communeLayers"
PERIMETER_EDITOR = "perimeterEditor"
POINT_PICKER = "pointPicker"
TERRITORY = "territoryCommunes"
# Points listed in the page (data-lon, data-lat): shown on the map; areaSelect also ticks the
# checkboxes of those inside an area drawn with Leaflet.draw.
POINTS = "pointsList"
AREA_SELECT = "areaSelect"

# One map per behaviour on a page; the same id in every process, so that any worker's fragment
# names the map another worker's page holds.
MAP_IDS = {VIEW: "carte-commune", PERIMETER_EDITOR: "carte-perimetre", POINT_PICKER: "carte-position",
           TERRITORY: "carte-territoire", POINTS: "carte-points", AREA_SELECT: "carte-selection"}


class LocalMap(folium.Map):
    """folium.Map with Leaflet from static/vendor and none of folium's other CDN assets."""

    default_js = LEAFLET_JS
    default_css = LEAFLET_CSS


class CommuneLayers(JSCSSMixin, MacroElement):
    """Calls Revital.run(behaviour, map, baseLayers, options) once the map exists (the one map
    script, static/js/revital-maps.js, loaded before the scripts of the layers it starts)."""

    _template = JinjaTemplate(
        """
        {% macro script(this, kwargs) %}
        Revital.run({{ this.behaviour | tojson }}, {{ this._parent.get_name() }}, {
            {%- for name, layer in this.base_layers %}
            {{ name | tojson }}: {{ layer.get_name() }}{{ "," if not loop.last }}
            {%- endfor %}
        }, {{ this.options | tojson }});
        {% endmacro %}
        """
    )

    def __init__(self, behaviour: str, base_layers, options: dict, extra_js=(), extra_css=()):
        super().__init__()
        self._name = "CommuneLayers"
        self.behaviour = behaviour
        self.base_layers = base_layers
        self.options = options
        self.default_js = [REVITAL_JS, *extra_js]
        self.default_css = list(extra_css)


@dataclass(frozen=True)
class MapParts:
    html: Markup
    script: Markup
    js: list[str]
    css: list[str]
    id: str = "carte"  # the preserved container's id (see the module's docstring)
    behaviour: str = VIEW
    skip_to: str | None = None  # the field that "Passer la carte" jumps to; None: just past the map


@dataclass(frozen=True)
class Tiles:
    tiles_osm: str
    tiles_ign_plan: str
    tiles_ign_photo: str


def tiles_of(settings) -> Tiles:
    return Tiles(settings.tiles_osm, settings.tiles_ign_plan, settings.tiles_ign_photo)


def commune_map(settings, commune, behaviour: str = VIEW, **options) -> MapParts:
    """The map of a commune; options go to the browser behaviour (field ids for the editors)."""
    bbox = (commune.min_lon, commune.min_lat, commune.max_lon, commune.max_lat)
    url = f"/api/communes/{commune.slug}/commune.geojson?v={commune.geo_version}"
    skip_to = options.get("lon") if behaviour == POINT_PICKER else options.get("field")
    return cached_map(tiles_of(settings), bbox, behaviour, json.dumps({"url": url, **options}, sort_keys=True),
                      MAP_IDS[behaviour], skip_to)


def territory_map(settings, bbox: tuple, url: str, colours: dict[str, str]) -> MapParts:
    """The map of a territory: its engaged communes from `url` (a GeoJSON of communes with a
    "phase" property), each filled with the colour of its phase."""
    return cached_map(tiles_of(settings), bbox, TERRITORY, json.dumps({"url": url, "colours": colours}, sort_keys=True),
                      MAP_IDS[TERRITORY], None)


@lru_cache(maxsize=512)
def cached_map(tiles: Tiles, bbox: tuple, behaviour: str, options_json: str, map_id: str,
               skip_to: str | None) -> MapParts:
    """folium takes ~10 ms to render a map: the parts depend only on these arguments (the CSP
    nonce is added by the template), so they are kept per process.
    No zoom buttons nor scale from folium: revital-maps.js adds them, in French and metric only."""
    m = LocalMap(location=[46.6, 2.4], zoom_start=6, tiles=None, zoom_control=False)
    base_layers = [
        ("OpenStreetMap", folium.TileLayer(
            tiles=tiles.tiles_osm, attr=OSM_ATTRIBUTION, name="OpenStreetMap", max_zoom=19, max_native_zoom=19,
        )),
        ("Plan IGN", folium.TileLayer(
            tiles=tiles.tiles_ign_plan, attr=IGN_ATTRIBUTION, name="Plan IGN", max_zoom=19, max_native_zoom=19,
            show=False, overlay=False,
        )),
        ("Photographies aériennes IGN", folium.TileLayer(
            tiles=tiles.tiles_ign_photo, attr=IGN_ATTRIBUTION, name="Photographies aériennes IGN",
            max_zoom=19, max_native_zoom=19, show=False, overlay=False,
        )),
    ]
    for _, layer in base_layers:
        layer.add_to(m)
    if None not in bbox:
        min_lon, min_lat, max_lon, max_lat = bbox
        m.fit_bounds([[min_lat, min_lon], [max_lat, max_lon]])
    options = json.loads(options_json)
    if behaviour in (PERIMETER_EDITOR, AREA_SELECT):
        extra_js, extra_css = [DRAW_JS], [DRAW_CSS]
    elif "contributions" in options:
        extra_js, extra_css = CLUSTER_JS, CLUSTER_CSS
    else:
        extra_js, extra_css = (), ()
    if "students" in options:  # the students' layer (static/js/revital-students.js)
        extra_js = [*extra_js, *STUDENTS_JS]
    if "ideas" in options:  # the ideas' layer (static/js/revital-ideas.js)
        extra_js = [*extra_js, *IDEAS_JS]
    CommuneLayers(behaviour, base_layers, options, extra_js, extra_css).add_to(m)
    return replace(parts(m), id=map_id, behaviour=behaviour, skip_to=skip_to)


def parts(m: folium.Map) -> MapParts:
    root = m.get_root()
    root.render()
    js, css = [], []
    for element in walk(m):
        if isinstance(element, JSCSSMixin):
            js += [url for _, url in element.default_js if url not in js]
            css += [url for _, url in element.default_css if url not in css]
    external = [url for url in js + css if not url.startswith("/static/")]
    if external:
        raise ValueError(f"map asset not served locally: {external}")
    return MapParts(Markup(root.html.render()), Markup(root.script.render()), js, css)


def walk(element):
    yield element
    for child in element._children.values():
        yield from walk(child)
