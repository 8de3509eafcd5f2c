"""Maps built with folium, with every asset served from static/vendor (no CDN).

A map reaches a template as MapParts: the container's HTML, the script (to be put in a
<script> with the page's CSP nonce) and the asset URLs it needs.
"""

import json
from dataclasses import dataclass
from functools import lru_cache

import folium
from folium.elements import JSCSSMixin
from markupsafe import Markup
from shapely.geometry import shape

LEAFLET_JS = [("leaflet", "/static/vendor/leaflet/leaflet.js")]
LEAFLET_CSS = [("leaflet_css", "/static/vendor/leaflet/leaflet.css")]

OSM_ATTRIBUTION = (
    '&copy; <a href="https://www.openstreetmap.org/copyright">les contributeurs d’OpenStreetMap</a>'
)
IGN_ATTRIBUTION = '&copy; <a href="https://www.ign.fr/">IGN</a> – Géoplateforme'

BOUNDARY_STYLE = {"color": "#4a4a4a", "weight": 2, "fill": False, "dashArray": "6 4"}
PERIMETER_STYLE = {"color": "#b34700", "weight": 3, "fillColor": "#f2a65a", "fillOpacity": 0.15}


class LocalMap(folium.Map):
    """folium.Map with Leaflet from static/vendor and none of folium's other CDN assets."""

    default_js = LEAFLET_JS
    default_css = LEAFLET_CSS


@dataclass(frozen=True)
class MapParts:
    html: Markup
    script: Markup
    js: list[str]
    css: list[str]


def base_map(settings, bounds=None, center=(46.6, 2.4), zoom=6) -> LocalMap:
    m = LocalMap(location=list(center), zoom_start=zoom, tiles=None, control_scale=True)
    folium.TileLayer(
        tiles=settings.tiles_osm, attr=OSM_ATTRIBUTION, name="OpenStreetMap", max_zoom=19, max_native_zoom=19
    ).add_to(m)
    folium.TileLayer(
        tiles=settings.tiles_ign_plan, attr=IGN_ATTRIBUTION, name="Plan IGN", max_zoom=19, max_native_zoom=19,
        show=False, overlay=False,
    ).add_to(m)
    folium.TileLayer(
        tiles=settings.tiles_ign_photo, attr=IGN_ATTRIBUTION, name="Photographies aériennes IGN",
        max_zoom=19, max_native_zoom=19, show=False, overlay=False,
    ).add_to(m)
    if bounds:
        min_lon, min_lat, max_lon, max_lat = bounds
        m.fit_bounds([[min_lat, min_lon], [max_lat, max_lon]])
    return m


@dataclass(frozen=True)
class Tiles:
    tiles_osm: str
    tiles_ign_plan: str
    tiles_ign_photo: str


def tiles_of(settings) -> Tiles:
    return Tiles(settings.tiles_osm, settings.tiles_ign_plan, settings.tiles_ign_photo)


def commune_map(settings, commune) -> MapParts:
    """The commune, centred on its centre-bourg perimeter (or its boundary when it has none).

    Rendering with folium takes about 11 ms; the parts depend only on the geometries and the
    tile settings (the CSP nonce is added by the template), so they are kept per process.
    """
    return cached_commune_map(tiles_of(settings), commune.boundary, commune.perimeter)


@lru_cache(maxsize=256)
def cached_commune_map(tiles: Tiles, boundary_json: str | None, perimeter_json: str | None) -> MapParts:
    boundary = json.loads(boundary_json) if boundary_json else None
    perimeter = json.loads(perimeter_json) if perimeter_json else None
    focus = perimeter or boundary
    bounds = shape(focus).bounds if focus else None
    m = base_map(tiles, bounds=bounds)
    if boundary:
        folium.GeoJson(
            boundary, name="Limite de la commune", style_function=lambda _: BOUNDARY_STYLE,
            control=True, interactive=False,
        ).add_to(m)
    if perimeter:
        folium.GeoJson(
            perimeter, name="Périmètre d’étude du centre-bourg", style_function=lambda _: PERIMETER_STYLE,
            control=True, interactive=False,
        ).add_to(m)
    folium.LayerControl(collapsed=False).add_to(m)
    return parts(m)


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
