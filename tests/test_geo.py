"""Geometry rules (revital.geo): parsing, validation messages, locating and measuring.

Unit tests: no HTTP, no database. Coordinates are (longitude, latitude), around
Saint-Étienne-du-Valdonnez (3.5–3.6, 44.4–44.5) unless a test says otherwise.
"""

import gc
import json
import math
import types

import numpy as np
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from revital import geo
from revital.geo import GeometryError
from revital.geo import reading
from revital.geo.reading import _invalid_message
from revital.territories.features import features_by_code


def square(x0, y0, x1, y1):
    """A closed counter-clockwise ring."""
    return [[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]


BOX = square(3.5, 44.4, 3.6, 44.5)
BOW_TIE = [[3.5, 44.4], [3.6, 44.5], [3.6, 44.4], [3.5, 44.5], [3.5, 44.4]]


def polygon(*rings):
    return {"type": "Polygon", "coordinates": list(rings)}


def multipolygon(*polygons):
    return {"type": "MultiPolygon", "coordinates": list(polygons)}


def feature(geometry, **properties):
    return {"type": "Feature", "geometry": geometry, "properties": properties}


def collection(*features):
    return {"type": "FeatureCollection", "features": list(features)}


def refusal(data, **kwargs):
    with pytest.raises(GeometryError) as caught:
        geo.parse_geometry(data, **kwargs)
    return str(caught.value)


def rectangle(width_m, height_m, lon=3.6, lat=44.4):
    """A rectangle of the given size in metres, in the frame geo measures with."""
    dx = width_m / (geo.METRES_PER_DEGREE * math.cos(math.radians(lat + height_m / geo.METRES_PER_DEGREE / 2)))
    dy = height_m / geo.METRES_PER_DEGREE
    return shapely.box(lon, lat, lon + dx, lat + dy)


def rings_of(geom):
    for part in getattr(geom, "geoms", [geom]):
        yield part.exterior, list(part.interiors)


def assert_oriented(geom):
    for exterior, holes in rings_of(geom):
        assert exterior.is_ccw
        assert not any(hole.is_ccw for hole in holes)


# --- load_json -------------------------------------------------------------------------

def test_load_json_reads_text_bytes_and_dicts():
    assert geo.load_json('{"a": 1}') == {"a": 1}
    assert geo.load_json('\ufeff{"a": 1}'.encode()) == {"a": 1}
    data = {"type": "Polygon"}
    assert geo.load_json(data) is data


def test_load_json_names_the_line_and_column():
    with pytest.raises(GeometryError) as caught:
        geo.load_json('{\n  "type": "Polygon",\n    ,}')
    assert str(caught.value) == "Le fichier n’est pas du JSON valide (ligne 3, colonne 5)."


@pytest.mark.parametrize(
    "data, message",
    [
        ("[1, 2]", "Le fichier doit contenir un objet GeoJSON ({…}), pas une liste."),
        ('"Polygon"', "Le fichier doit contenir un objet GeoJSON ({…}), pas un texte (« Polygon »)."),
        ("  \n", "Le fichier est vide."),
        (b"{\xff}", "Le fichier n’est pas en UTF-8 (octet invalide n° 2)."),
        ("[" * 100_000, "Le fichier est imbriqué trop profondément pour être lu."),
        ('{"a": ' + "1" * 5000 + "}", "Le fichier contient un nombre trop long pour être lu."),
        (None, "Le fichier doit contenir un objet GeoJSON ({…}), pas null."),
        (42, "Le fichier doit contenir un objet GeoJSON ({…}), pas le nombre 42."),
    ],
)
def test_load_json_refuses(data, message):
    with pytest.raises(GeometryError) as caught:
        geo.load_json(data)
    assert str(caught.value) == message


def test_load_json_refuses_a_big_file_before_parsing(monkeypatch):
    def must_not_parse(*args, **kwargs):
        raise AssertionError("a file over the limit was parsed")

    monkeypatch.setattr(reading, "json", types.SimpleNamespace(loads=must_not_parse, JSONDecodeError=ValueError))
    data = b" " * (geo.MAX_BYTES + 1)
    with pytest.raises(GeometryError) as caught:
        geo.load_json(data)
    assert str(caught.value) == "Le fichier pèse 20,0 Mo : c’est plus que les 20 Mo acceptés."


# --- parse_geometry: structure ---------------------------------------------------------

@pytest.mark.parametrize(
    "data, message",
    [
        ({"coordinates": [BOX]}, "Le fichier n’indique pas le type de géométrie (propriété « type » absente)."),
        (
            {"type": "Polygone", "coordinates": [BOX]},
            "Le type « Polygone » n’est pas un type de géométrie GeoJSON (Polygon, MultiPolygon, Point…).",
        ),
        ({"type": ["Polygon"], "coordinates": [BOX]}, "La propriété « type » doit être un texte, pas une liste."),
        ({"type": "Polygon"}, "Les coordonnées sont absentes (propriété « coordinates »)."),
        (
            {"type": "Polygon", "coordinates": None},
            "Les coordonnées ne sont pas imbriquées comme l’exige un Polygon : "
            "une liste est attendue, le fichier contient null.",
        ),
        (
            {"type": "MultiPolygon", "coordinates": [BOX]},
            "Les coordonnées ne sont pas imbriquées comme l’exige un MultiPolygon : "
            "une liste est attendue, le fichier contient le nombre 3.5.",
        ),
        (polygon([BOX[0], None, *BOX[1:]]), "Les coordonnées contiennent null là où une position [longitude, latitude] est attendue."),
        (polygon([[3.5, None], *BOX]), "Les coordonnées contiennent null au lieu d’un nombre."),
        (polygon([["3.5", "44.4"], *BOX]), "Les coordonnées contiennent un texte (« 3.5 ») au lieu d’un nombre."),
        (polygon([[3.5, True], *BOX]), "Les coordonnées contiennent un booléen au lieu d’un nombre."),
        (
            polygon([[3.5], *BOX]),
            "Une position compte 1 nombre(s) : il en faut 2, la longitude puis la latitude (l’altitude peut suivre).",
        ),
        (
            polygon([[3.5, float("nan")], *BOX]),
            "Les coordonnées contiennent une valeur qui n’est pas un nombre fini (NaN ou infini).",
        ),
        (
            polygon([[3.5, float("inf")], *BOX]),
            "Les coordonnées contiennent une valeur qui n’est pas un nombre fini (NaN ou infini).",
        ),
        (polygon([[3.5, 10**400], *BOX]), "Les coordonnées contiennent un nombre démesuré."),
    ],
)
def test_structure_is_checked(data, message):
    assert refusal(data) == message


def test_nan_in_json_text_is_refused():
    text = '{"type": "Polygon", "coordinates": [[[NaN, 44.4], [3.6, 44.4], [3.6, 44.5], [NaN, 44.4]]]}'
    assert refusal(text) == "Les coordonnées contiennent une valeur qui n’est pas un nombre fini (NaN ou infini)."


def test_a_feature_and_a_collection_of_one_are_accepted():
    expected = shapely.Polygon(BOX)
    assert geo.parse_geometry(feature(polygon(BOX))).equals(expected)
    assert geo.parse_geometry(json.dumps(collection(feature(polygon(BOX))))).equals(expected)


@pytest.mark.parametrize(
    "data, message",
    [
        (collection(), "Le fichier ne contient aucune entité : il en faut exactement une."),
        (collection(feature(polygon(BOX)), feature(polygon(BOX))), "Le fichier contient 2 entités : il en faut exactement une."),
        ({"type": "FeatureCollection"}, "La FeatureCollection n’a pas de liste d’entités (« features »)."),
        (feature(None), "L’entité n’a pas de géométrie (« geometry » absente ou null)."),
        (collection("Langogne"), "L’entité du fichier est un texte (« Langogne »), pas un objet GeoJSON."),
    ],
)
def test_features_and_collections_are_unwrapped(data, message):
    assert refusal(data) == message


# --- parse_geometry: kind and size -----------------------------------------------------

def test_a_line_is_not_a_polygon():
    line = {"type": "LineString", "coordinates": BOX}
    assert refusal(line) == "Le fichier contient une LineString (une ligne), alors qu’un polygone est attendu."


@pytest.mark.parametrize(
    "data, kinds, message",
    [
        ({"type": "Point", "coordinates": [3.5, 44.4]}, ("Polygon", "MultiPolygon"),
         "Le fichier contient un Point (un point), alors qu’un polygone est attendu."),
        ({"type": "GeometryCollection", "geometries": []}, ("Polygon", "MultiPolygon"),
         "Le fichier contient une GeometryCollection (une collection de géométries), alors qu’un polygone est attendu."),
        (multipolygon([BOX]), ("Polygon",),
         "Le fichier contient un MultiPolygon (plusieurs polygones), alors qu’un polygone est attendu."),
        (polygon(BOX), ("Point",), "Le fichier contient un Polygon (un polygone), alors qu’un point est attendu."),
    ],
)
def test_the_kind_is_checked(data, kinds, message):
    assert refusal(data, kinds=kinds) == message


def test_other_kinds_can_be_asked_for():
    assert geo.parse_geometry({"type": "Point", "coordinates": [3.5, 44.4, 1000]}, kinds=("Point",)) == shapely.Point(3.5, 44.4)
    line = geo.parse_geometry({"type": "LineString", "coordinates": BOX[:2]}, kinds=("LineString",))
    assert line.equals(shapely.LineString(BOX[:2]))


def test_a_two_million_vertex_polygon_is_refused_before_its_points_are_read(monkeypatch):
    n = 2_000_000
    gc.disable()  # building 2 million lists is 3 times faster without the collector
    try:
        ring = [[3.5 + 0.1 * i / n, 44.4 + 0.001 * (i % 2)] for i in range(n - 1)] + [[3.5, 44.4]]
    finally:
        gc.enable()
    def must_not_read(*args, **kwargs):
        raise AssertionError("the points of a refused polygon were read")

    monkeypatch.setattr(reading, "_positions", must_not_read)
    message = refusal(polygon(ring))
    assert message == (
        "Le contour compte 2 000 000 sommets : c’est plus que les 100 000 acceptés. Simplifiez-le avant de l’importer."
    )


def test_the_vertex_bound_and_the_wording_are_the_callers():
    message = refusal(polygon(BOX), max_vertices=4, what="le périmètre")
    assert message == "Le périmètre compte 5 sommets : c’est plus que les 4 acceptés. Simplifiez-le avant de l’importer."
    assert geo.parse_geometry(polygon(BOX), max_vertices=5).equals(shapely.Polygon(BOX))


# --- parse_geometry: where the coordinates are -----------------------------------------

def test_swapped_latitude_and_longitude_are_recognised():
    swapped = [[lat, lon] for lon, lat in BOX]
    assert refusal(polygon(swapped)) == "Les coordonnées sont hors de France : latitude et longitude inversées ?"


def test_lambert_93_is_recognised():
    lambert = [[700_000 + x * 10_000, 6_600_000 + y * 10_000] for x, y in square(0, 0, 1, 1)]
    assert refusal(polygon(lambert)) == (
        "Les coordonnées (par exemple 700000, 6600000) semblent être en mètres (Lambert 93 ?) : "
        "exportez le fichier en WGS 84 (EPSG:4326)."
    )


def test_coordinates_out_of_france_are_refused():
    assert refusal(polygon(square(12.5, 60.1, 12.6, 60.2))) == (
        "Les coordonnées sont hors de France (par exemple 12.5, 60.1). "
        "Le fichier doit être en longitude/latitude WGS 84 (EPSG:4326)."
    )


def test_coordinates_out_of_range_are_refused():
    assert refusal(polygon(square(170, 80, 200, 95))) == (
        "Les coordonnées sortent des limites (par exemple 200, 80) : la longitude doit être entre -180 et 180, "
        "la latitude entre -90 et 90. Le fichier doit être en longitude/latitude WGS 84 (EPSG:4326)."
    )


@pytest.mark.parametrize(
    "lon, lat",
    [(8.74, 41.92), (-4.49, 48.39), (-61.55, 16.25), (-61.05, 14.6), (-52.3, 4.9), (55.45, -20.9), (45.15, -12.8)],
    ids=["Corse", "Brest", "Guadeloupe", "Martinique", "Guyane", "La Réunion", "Mayotte"],
)
def test_all_of_france_is_accepted(lon, lat):
    assert geo.parse_geometry(polygon(square(lon, lat, lon + 0.01, lat + 0.01))).area > 0


# --- parse_geometry: rings and validity ------------------------------------------------

def test_an_unclosed_ring_is_refused():
    assert refusal(polygon(BOX[:-1])) == "Un anneau du contour n’est pas fermé : son dernier point doit répéter le premier."
    assert refusal(polygon(BOX[:-1]), what="le périmètre") == (
        "Un anneau du périmètre n’est pas fermé : son dernier point doit répéter le premier."
    )


def test_a_ring_needs_four_positions():
    assert refusal(polygon([[3.5, 44.4], [3.6, 44.4], [3.5, 44.4]])) == (
        "Un anneau du contour ne compte que 3 point(s) : il en faut au moins 4, le dernier répétant le premier."
    )


@pytest.mark.parametrize(
    "data, message",
    [
        (polygon(BOW_TIE), "Le contour se recoupe près de 3.55, 44.45."),
        (
            polygon([[3.5, 44.4], [3.6, 44.4], [3.55, 44.45], [3.6, 44.5], [3.5, 44.5], [3.55, 44.45], [3.5, 44.4]]),
            "Un anneau du contour se touche lui-même près de 3.55, 44.45.",
        ),
        (polygon([[3.5, 44.4], [3.55, 44.45], [3.5, 44.4], [3.5, 44.4]]), "Le contour a trop peu de points distincts près de 3.5, 44.4."),
        (polygon(BOX, square(3.7, 44.6, 3.71, 44.61)), "Un trou du contour est en dehors de son polygone près de 3.7, 44.6."),
        (
            polygon(BOX, square(3.51, 44.41, 3.59, 44.49), square(3.52, 44.42, 3.53, 44.43)),
            "Un trou du contour est à l’intérieur d’un autre trou près de 3.52, 44.42.",
        ),
        (
            polygon(BOX, [[3.5, 44.45], [3.55, 44.4], [3.6, 44.45], [3.55, 44.5], [3.5, 44.45]]),
            "Des trous coupent l’intérieur du contour en plusieurs morceaux près de 3.55, 44.4.",
        ),
        (
            multipolygon([BOX], [square(3.51, 44.41, 3.52, 44.42)]),
            "Un polygone du contour est à l’intérieur d’un autre près de 3.51, 44.41.",
        ),
        (multipolygon([BOX], [square(3.55, 44.45, 3.65, 44.55)]), "Le contour se recoupe près de 3.55, 44.5."),
    ],
)
def test_invalid_geometries_are_explained_and_located(data, message):
    assert refusal(data) == message


def test_the_validity_message_uses_what():
    assert refusal(polygon(BOW_TIE), what="le périmètre") == "Le périmètre se recoupe près de 3.55, 44.45."


@pytest.mark.parametrize(
    "reason, message",
    [
        ("Duplicate Rings[3.1 44.2]", "Le contour contient deux fois le même anneau près de 3.1, 44.2."),
        ("Nested holes[3.1 44.2]", "Un trou du contour est à l’intérieur d’un autre trou près de 3.1, 44.2."),
        ("Something new[3.123456789 44.2]", "Le contour n’est pas valide (Something new) près de 3.12346, 44.2."),
        ("Something new", "Le contour n’est pas valide (Something new)."),
    ],
)
def test_other_reasons_are_translated(reason, message):
    assert _invalid_message(reason, "le contour") == message


@pytest.mark.parametrize(
    "data, message",
    [
        (polygon(), "Le contour est vide : aucun point."),
        (multipolygon(), "Le contour est vide : aucun point."),
        (polygon([]), "Le contour est vide : aucun point."),
        (multipolygon([BOX], []), "Le contour est vide : une de ses parties n’a aucun point."),
    ],
)
def test_an_empty_geometry_is_refused(data, message):
    assert refusal(data) == message


# --- parse_geometry: what comes back ---------------------------------------------------

@pytest.mark.parametrize("reverse", [False, True], ids=["counter-clockwise", "clockwise"])
def test_orientation_is_normalised(reverse):
    def turn(ring):
        return ring[::-1] if reverse else ring

    hole = square(3.52, 44.42, 3.53, 44.43)
    for data in (polygon(turn(BOX), turn(hole)), multipolygon([turn(BOX), turn(hole)], [turn(square(3.7, 44.4, 3.8, 44.5))])):
        geom = geo.parse_geometry(data)
        assert geom.is_valid
        assert_oriented(geom)
        assert geom.area == pytest.approx(0.01 - 0.0001 + (0.01 if data["type"] == "MultiPolygon" else 0))


def test_altitudes_are_dropped():
    geom = geo.parse_geometry(polygon([[x, y, 1000.0] for x, y in BOX]))
    assert not geom.has_z
    assert geom.equals(shapely.Polygon(BOX))


# --- parse_point -----------------------------------------------------------------------

def test_parse_point_reads_numbers_and_form_strings():
    assert geo.parse_point(3.58, 44.45) == shapely.Point(3.58, 44.45)
    assert geo.parse_point(" 3,58 ", "44.45\u00a0") == shapely.Point(3.58, 44.45)
    assert geo.parse_point("-61.55", "16.25") == shapely.Point(-61.55, 16.25)


@pytest.mark.parametrize(
    "lon, lat, message",
    [
        ("abc", "44.45", "La longitude « abc » n’est pas un nombre."),
        ("3.58", "nan", "La latitude « nan » n’est pas un nombre."),
        ("", "44.45", "La longitude est vide."),
        (3.58, None, "La latitude est vide."),
        (True, 44.45, "La longitude n’est pas un nombre (un booléen)."),
        (float("inf"), 44.45, "La longitude n’est pas un nombre fini."),
        ("200", "44.45", "La longitude doit être comprise entre -180 et 180 (reçu 200)."),
        ("3.58", "-95", "La latitude doit être comprise entre -90 et 90 (reçu -95)."),
        ("44.45", "3.58", "Les coordonnées sont hors de France : latitude et longitude inversées ?"),
        ("12.5", "60.1", "Le point 12.5, 60.1 est hors de France (longitude, latitude en WGS 84)."),
    ],
)
def test_parse_point_refuses(lon, lat, message):
    with pytest.raises(GeometryError) as caught:
        geo.parse_point(lon, lat)
    assert str(caught.value) == message


# --- GeoJSON out and back --------------------------------------------------------------

def test_to_geojson_is_compact_and_rounded():
    geom = shapely.Polygon([(3.123456789, 44.1), (3.2, 44.1), (3.2, 44.2), (3.123456789, 44.1)])
    assert geo.to_geojson(geom) == (
        '{"type":"Polygon","coordinates":[[[3.123457,44.1],[3.2,44.1],[3.2,44.2],[3.123457,44.1]]]}'
    )
    assert geo.to_geojson(geom, precision=2).startswith('{"type":"Polygon","coordinates":[[[3.12,44.1],')


def test_from_geojson_reads_back_and_refuses_garbage():
    geom = geo.parse_geometry(multipolygon([BOX], [square(3.7, 44.4, 3.8, 44.5)]))
    assert geo.from_geojson(geo.to_geojson(geom)).equals(geom)
    for text in ("not json", '{"type": "Nope"}', None):
        with pytest.raises(GeometryError, match="^La géométrie enregistrée est illisible.$"):
            geo.from_geojson(text)


def test_bounds_are_lon_lat():
    assert geo.bounds(shapely.Polygon(BOX)) == (3.5, 44.4, 3.6, 44.5)
    with pytest.raises(GeometryError):
        geo.bounds(shapely.Polygon())


# --- covering points -------------------------------------------------------------------

ZONE = multipolygon([BOX, square(3.52, 44.42, 3.53, 44.43)], [square(3.7, 44.4, 3.8, 44.5)])


def test_covers_point_includes_the_boundary_and_exclaves_but_not_holes():
    zone = geo.parse_geometry(ZONE)
    assert geo.covers_point(zone, 3.55, 44.45)
    assert geo.covers_point(zone, 3.5, 44.45)  # on an edge
    assert geo.covers_point(zone, 3.6, 44.5)  # on a vertex
    assert not geo.covers_point(zone, 3.525, 44.425)  # in the hole
    assert geo.covers_point(zone, 3.52, 44.425)  # on the hole's edge
    assert geo.covers_point(zone, 3.75, 44.45)  # in the exclave
    assert not geo.covers_point(zone, 3.65, 44.45)
    with pytest.raises(GeometryError, match="^La longitude « x » n’est pas un nombre.$"):
        geo.covers_point(zone, "x", 44.45)


def test_covers_points_answers_for_many_points():
    zone = geo.parse_geometry(ZONE)
    result = geo.covers_points(zone, [3.55, 3.5, 3.525, 3.75, 3.65], [44.45, 44.45, 44.425, 44.45, 44.45])
    assert result.dtype == bool
    assert result.tolist() == [True, True, False, True, False]
    assert geo.covers_points(zone, [], []).tolist() == []
    with pytest.raises(GeometryError, match="^Il y a 2 longitudes pour 1 latitudes.$"):
        geo.covers_points(zone, [3.5, 3.6], [44.4])


# --- within the commune ----------------------------------------------------------------

COMMUNE = shapely.Polygon(BOX)


def test_require_within_accepts_an_inside_perimeter():
    inside = shapely.Polygon(square(3.55, 44.45, 3.56, 44.46))
    assert geo.outside_part(inside, COMMUNE) == 0
    geo.require_within(inside, COMMUNE)
    geo.require_within(COMMUNE, COMMUNE)


def test_require_within_tolerates_a_few_metres():
    just_over = shapely.Polygon(square(3.55, 44.45, 3.60005, 44.46))  # about 4 m beyond the edge
    assert geo.outside_part(just_over, COMMUNE, tolerance_m=0) > 0
    assert geo.outside_part(just_over, COMMUNE) == 0
    geo.require_within(just_over, COMMUNE)


def test_require_within_refuses_a_perimeter_sticking_out():
    sticking_out = shapely.Polygon(square(3.55, 44.45, 3.6002, 44.46))  # about 16 m beyond, over 1.1 km
    assert geo.outside_part(sticking_out, COMMUNE) == pytest.approx(12_090, rel=0.01)
    with pytest.raises(GeometryError) as caught:
        geo.require_within(sticking_out, COMMUNE)
    assert str(caught.value) == (
        "Le périmètre dépasse de la commune (environ 1,2 ha en dehors). Tracez-le à l’intérieur des limites communales."
    )
    with pytest.raises(GeometryError) as caught:
        geo.require_within(sticking_out, COMMUNE, what="La zone", where="le périmètre")
    assert str(caught.value) == (
        "La zone dépasse du périmètre (environ 1,2 ha en dehors). Tracez-la à l’intérieur du périmètre."
    )


def test_outside_part_refuses_what_is_not_a_geometry():
    with pytest.raises(GeometryError, match="^Une géométrie shapely est attendue, pas null.$"):
        geo.outside_part(None, COMMUNE)


@pytest.mark.parametrize(
    "width, height, text",
    [
        (1000, 420, "environ 42 ha"),
        (2000, 1700, "environ 3,4 km²"),
        (20, 17.5, "environ 350 m²"),
        (120, 100, "environ 1,2 ha"),
        (10_000, 5_000, "environ 50 km²"),
    ],
)
def test_describe_area(width, height, text):
    assert geo.describe_area(rectangle(width, height)) == text


# --- features_by_code ------------------------------------------------------------------

LANGOGNE = polygon(square(3.8, 44.7, 3.85, 44.75))


def test_features_by_code_reads_codes_and_names():
    data = collection(
        feature(polygon(BOX), code="48147", nom="Saint-Étienne-du-Valdonnez"),
        feature(LANGOGNE, insee=48080, name="Langogne"),
        feature(polygon(square(8.7, 41.9, 8.8, 42.0)), codeInsee="2a004", nom="Ajaccio"),
        feature(polygon(square(5.3, 46.1, 5.4, 46.2)), code=1001),
    )
    communes = features_by_code(data)
    assert list(communes) == ["48147", "48080", "2A004", "01001"]
    assert [name for name, _ in communes.values()] == ["Saint-Étienne-du-Valdonnez", "Langogne", "Ajaccio", ""]
    name, geom = communes["48147"]
    assert geom.equals(shapely.Polygon(BOX))
    assert features_by_code(json.dumps(data)).keys() == communes.keys()


@pytest.mark.parametrize(
    "data, message",
    [
        (polygon(BOX), "Le fichier doit être une FeatureCollection (une collection de communes), pas un Polygon."),
        (
            feature(LANGOGNE, code="48080"),
            "Le fichier doit être une FeatureCollection (une collection de communes), pas une seule entité (Feature).",
        ),
        ([], "Le fichier doit contenir un objet GeoJSON ({…}), pas une liste."),
        (collection(), "Le fichier ne contient aucune commune."),
        (
            collection(feature(polygon(BOX), code="48147"), feature(LANGOGNE, code="48080"), feature(LANGOGNE, nom="Langogne")),
            "L’entité n° 3 n’a pas de code INSEE (propriété code, insee ou codeInsee).",
        ),
        (
            collection(feature(LANGOGNE, code="4808", nom="Langogne")),
            "L’entité n° 1 a un code INSEE invalide (un texte (« 4808 »)) : il faut 5 caractères, comme 48080 ou 2A004.",
        ),
        (
            collection(feature(LANGOGNE, code="48080"), feature(LANGOGNE, code="48080")),
            "Le code INSEE 48080 apparaît deux fois (entités n° 1 et 2).",
        ),
        (
            collection(feature(polygon(BOW_TIE), code="48080", nom="Langogne")),
            "48080 Langogne : le contour se recoupe près de 3.55, 44.45.",
        ),
        (collection(feature(None, code="48080", nom="Langogne")), "48080 Langogne : l’entité n’a pas de géométrie."),
        (collection("Langogne"), "L’entité n° 1 est un texte (« Langogne »), pas un objet GeoJSON."),
    ],
)
def test_features_by_code_refuses(data, message):
    with pytest.raises(GeometryError) as caught:
        features_by_code(data)
    assert str(caught.value) == message


def test_features_by_code_lists_the_problems_together():
    data = collection(
        feature(LANGOGNE, nom="Langogne"),
        feature(polygon(BOX[:-1]), code="48147", nom="Saint-Étienne-du-Valdonnez"),
        feature(LANGOGNE, code="48080", nom="Langogne"),
    )
    with pytest.raises(GeometryError) as caught:
        features_by_code(data)
    assert str(caught.value) == (
        "Le fichier contient 2 problèmes :\n"
        "- L’entité n° 1 n’a pas de code INSEE (propriété code, insee ou codeInsee).\n"
        "- 48147 Saint-Étienne-du-Valdonnez : un anneau du contour n’est pas fermé : "
        "son dernier point doit répéter le premier."
    )


def test_a_collection_without_codes_shows_the_first_ten_problems():
    data = collection(*[feature(LANGOGNE, nom=f"Commune {i}") for i in range(12)])
    with pytest.raises(GeometryError) as caught:
        features_by_code(data)
    lines = str(caught.value).splitlines()
    assert lines[0] == "Le fichier contient 12 problèmes ; voici les 10 premiers :"
    assert lines[1:] == [f"- L’entité n° {i} n’a pas de code INSEE (propriété code, insee ou codeInsee)." for i in range(1, 11)]


# --- no raw exception ------------------------------------------------------------------

NASTY = [
    None, 42, 3.5, [], "", "null", b"\x00", b"\xef\xbb\xbf", {}, {"type": None}, {"type": {}},
    {"type": "Feature"}, {"type": "Feature", "geometry": []}, {"type": "FeatureCollection", "features": {}},
    {"type": "Polygon", "coordinates": {"a": 1}}, {"type": "Polygon", "coordinates": "[[[]]]"},
    {"type": "Polygon", "coordinates": [[[[[[[[3.5, 44.4]]]]]]]]}, {"type": "MultiPolygon", "coordinates": [[[]]]},
    {"type": "Polygon", "coordinates": [[np.nan, 44.4]]}, {"type": "Polygon", "coordinates": [[[3.5, 44.4, 1, 2]]]},
    {"type": "Polygon", "coordinates": [[[3.5, 44.4]] * 4]}, {"type": "Point", "coordinates": []},
    {"type": "LineString", "coordinates": [[3.5, 44.4]]},
]


@pytest.mark.parametrize("data", NASTY)
@pytest.mark.parametrize("kinds", [("Polygon", "MultiPolygon"), tuple(geo.KINDS)])
def test_nasty_input_gives_a_french_message(data, kinds):
    message = refusal(data, kinds=kinds)
    assert message and "erreur interne" not in message


@pytest.mark.parametrize("data", NASTY + [collection(*NASTY), {"type": "FeatureCollection", "features": [{"properties": []}]}])
def test_nasty_collections_give_a_french_message(data):
    with pytest.raises(GeometryError) as caught:
        features_by_code(data)
    assert "erreur interne" not in str(caught.value)


# --- properties ------------------------------------------------------------------------

def json_like():
    scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8)
    keys = st.sampled_from(["type", "coordinates", "features", "geometry", "properties"]) | st.text(max_size=8)
    return st.recursive(scalars, lambda children: st.lists(children, max_size=5) | st.dictionaries(keys, children, max_size=5), max_leaves=25)


def mostly(likely, rarely, odds=8):
    """`likely` about `odds` times out of odds + 1, else `rarely`."""
    return st.integers(0, odds).flatmap(lambda i: likely if i else rarely)


def geojson_like():
    """GeoJSON-shaped data: often well formed, on a small grid where valid polygons are frequent."""
    grid = st.tuples(st.integers(0, 4), st.integers(0, 4)).map(lambda t: [3.5 + 0.01 * t[0], 44.4 + 0.01 * t[1]])
    number = st.floats() | st.integers(-10**6, 10**7) | st.none() | st.text(max_size=3) | st.booleans()
    position = mostly(grid, st.lists(number, max_size=4) | number | grid.map(lambda p: p[::-1]))
    closed = st.lists(position, min_size=3, max_size=7).map(lambda ring: ring + ring[:1])
    ring = mostly(closed, st.lists(position, max_size=7))
    poly = mostly(st.lists(ring, min_size=1, max_size=3), st.lists(ring, max_size=3) | json_like())
    multi = mostly(st.lists(poly, min_size=1, max_size=3), json_like())
    matched = poly.map(lambda c: {"type": "Polygon", "coordinates": c}) | multi.map(
        lambda c: {"type": "MultiPolygon", "coordinates": c}
    )
    kind = st.sampled_from([*geo.KINDS, "Feature", "Polygone"])
    other = st.builds(lambda k, c: {"type": k, "coordinates": c}, kind, st.one_of(poly, multi, ring, position))
    geometry = mostly(matched, other, 3)
    return st.one_of(
        geometry,
        geometry.map(lambda g: feature(g)),
        geometry.map(lambda g: collection(feature(g))),
        geometry.map(json.dumps),
        geometry.map(lambda g: json.dumps(g).encode()),
    )


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(json_like(), geojson_like()))
def test_any_input_gives_a_good_geometry_or_a_french_message(data):
    try:
        geom = geo.parse_geometry(data)
    except GeometryError as err:
        assert str(err) and "erreur interne" not in str(err)
        return
    assert geom.geom_type in ("Polygon", "MultiPolygon")
    assert geom.is_valid and not geom.is_empty
    assert_oriented(geom)


PLACES = [(3.57, 44.43), (3.83, 44.72), (8.74, 41.92), (-4.49, 48.39), (-61.0, 14.65), (-53.0, 4.0), (55.5, -21.1), (45.13, -12.8)]


@st.composite
def star_polygons(draw):
    """Simple polygons: points around a French place at increasing angles, random radii."""
    lon, lat = draw(st.sampled_from(PLACES))
    steps = draw(st.lists(st.tuples(st.floats(1, 2), st.floats(0.001, 0.05)), min_size=5, max_size=60))
    total, angle, ring = sum(step for step, _ in steps), 0.0, []
    for step, radius in steps:
        angle += 2 * math.pi * step / total
        ring.append([lon + radius * math.cos(angle), lat + radius * math.sin(angle)])
    if draw(st.booleans()):
        ring.reverse()
    return ring + ring[:1]


@settings(max_examples=200, deadline=None)
@given(star_polygons())
def test_simple_polygons_are_accepted_counter_clockwise(ring):
    geom = geo.parse_geometry(polygon(ring))
    assert geom.exterior.is_ccw
    assert geom.area == pytest.approx(shapely.Polygon(ring).area, rel=1e-12)
    assert geom.equals(shapely.Polygon(ring))


@settings(max_examples=200, deadline=None)
@given(st.lists(star_polygons(), min_size=1, max_size=3), st.integers(4, 9))
def test_geojson_round_trip_keeps_the_geometry(rings, precision):
    geom = shapely.MultiPolygon([shapely.Polygon(ring) for ring in rings])
    back = geo.from_geojson(geo.to_geojson(geom, precision=precision))
    assert back.geom_type == "MultiPolygon"
    assert shapely.equals_exact(geom, back, tolerance=10**-precision)  # each coordinate within 0.5e-precision
