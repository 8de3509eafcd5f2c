"""Geometry rules: parse, validate, locate, measure, and write GeoJSON.

Pure (shapely, numpy and the standard library; never Litestar or SQLAlchemy). Anything wrong
with the input becomes a `GeometryError` with a French message that names the problem; no
other exception leaves a public function. Coordinates are (longitude, latitude), WGS 84.

`parse_geometry` checks, in order: the JSON (size, syntax, an object); the structure (`type`,
`coordinates` nested as lists); the kind; the vertex count; the positions (2 or 3 finite
numbers); longitude/latitude ranges, then "in France" (swapped and projected coordinates are
recognised); the rings (4 positions or more, closed); validity, translated and located.
The count comes before the per-number checks, so a 2-million-vertex file is refused at once.
"""

import functools
import json
import math
import re

import numpy as np
import shapely
from shapely.geometry import mapping, shape


class GeometryError(ValueError):
    """Invalid geometry input; `str(err)` is the French message shown to users."""


MAX_VERTICES = 100_000
MAX_BYTES = 20 * 1024 * 1024
METRES_PER_DEGREE = math.pi / 180 * 6_371_008.8  # mean Earth radius
MIN_OUTSIDE_M2 = 1.0  # require_within ignores slivers smaller than this, beyond the tolerance

# GeoJSON type -> (nesting depth of its coordinates, French name, type with its article)
KINDS = {
    "Point": (1, "un point", "un Point"),
    "MultiPoint": (2, "plusieurs points", "un MultiPoint"),
    "LineString": (2, "une ligne", "une LineString"),
    "MultiLineString": (3, "plusieurs lignes", "une MultiLineString"),
    "Polygon": (3, "un polygone", "un Polygon"),
    "MultiPolygon": (4, "plusieurs polygones", "un MultiPolygon"),
    "GeometryCollection": (0, "une collection de géométries", "une GeometryCollection"),
}

# Rough bounding boxes (min_lon, min_lat, max_lon, max_lat).
FRANCE = {
    "France métropolitaine et Corse": (-5.5, 41.0, 10.0, 51.5),
    "Guadeloupe": (-61.9, 15.8, -60.9, 16.6),
    "Martinique": (-61.3, 14.35, -60.75, 14.9),
    "Guyane": (-54.7, 2.0, -51.5, 5.9),
    "La Réunion": (55.2, -21.45, 55.9, -20.8),
    "Mayotte": (44.9, -13.1, 45.35, -12.6),
}

# Start of a shapely.is_valid_reason -> French; {What} and {de} come from `what`.
REASONS = [
    ("Ring Self-intersection", "Un anneau {de} se touche lui-même"),
    ("Self-intersection", "{What} se recoupe"),
    ("Too few", "{What} a trop peu de points distincts"),
    ("Hole lies outside shell", "Un trou {de} est en dehors de son polygone"),
    ("Holes are nested", "Un trou {de} est à l’intérieur d’un autre trou"),
    ("Nested holes", "Un trou {de} est à l’intérieur d’un autre trou"),
    ("Interior is disconnected", "Des trous coupent l’intérieur {de} en plusieurs morceaux"),
    ("Nested shells", "Un polygone {de} est à l’intérieur d’un autre"),
    ("Duplicate Rings", "{What} contient deux fois le même anneau"),
]
WGS84 = "Le fichier doit être en longitude/latitude WGS 84 (EPSG:4326)."
SWAPPED = "Les coordonnées sont hors de France : latitude et longitude inversées ?"
INSEE_CODE = re.compile(r"(?!00)\d{5}|2[AB]\d{3}")
DECIMAL = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
NUMBER_TYPES = (int, float, np.integer, np.floating)


# --- French wording --------------------------------------------------------------------

def _cap(text):
    return text[:1].upper() + text[1:]


def _lower_first(text):
    return text[:1].lower() + text[1:]


def _de(noun):
    """'le contour' -> 'du contour', 'la commune' -> 'de la commune'."""
    noun = _lower_first(noun)
    for article, contracted in (("le ", "du "), ("les ", "des ")):
        if noun.startswith(article):
            return contracted + noun[len(article):]
    return "de " + noun


def _pronoun(noun):
    return "la" if _lower_first(noun).startswith("la ") else "le"


def _int_fr(number):
    return f"{number:,}".replace(",", " ")


def _coord(value):
    """A coordinate in a message: at most 5 decimals, with a dot as GIS tools show it."""
    if not math.isfinite(value) or abs(value) >= 1e9:
        return f"{value:g}"
    return f"{round(float(value), 5) + 0.0:.5f}".rstrip("0").rstrip(".")


def _area_fr(m2):
    """'environ 350 m²', 'environ 1,2 ha', 'environ 42 ha', 'environ 3,4 km²'."""
    value, unit = (m2, "m²") if m2 < 1e4 else (m2 / 1e4, "ha") if m2 < 1e6 else (m2 / 1e6, "km²")
    tenth = round(value, 1)
    if tenth < 10 and tenth != int(tenth):
        return f"environ {tenth:.1f} {unit}".replace(".", ",")
    return f"environ {_int_fr(round(value))} {unit}"


def _describe(value):
    """How a JSON value reads in a message."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "un booléen"
    if isinstance(value, NUMBER_TYPES):
        return f"le nombre {value!r}"
    if isinstance(value, str):
        return f"un texte (« {value if len(value) <= 30 else value[:30] + '…'} »)"
    if isinstance(value, (list, tuple)):
        return "une liste"
    return "un objet" if isinstance(value, dict) else f"une valeur de type {type(value).__name__}"


def _guarded(func):
    """Safety net: an unforeseen exception still reaches users as a GeometryError."""
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except GeometryError:
            raise
        except RecursionError:
            raise GeometryError("Le fichier est imbriqué trop profondément pour être lu.") from None
        except Exception as err:
            name = type(err).__name__
            raise GeometryError(f"La géométrie n’a pas pu être traitée (erreur interne : {name}).") from err
    return wrapper


# --- Reading ---------------------------------------------------------------------------

@_guarded
def load_json(data):
    """JSON text (str or bytes, UTF-8) -> dict, refusing more than MAX_BYTES before parsing."""
    if isinstance(data, dict):
        return data
    if isinstance(data, (bytes, bytearray, memoryview)):
        data = bytes(data)
    elif not isinstance(data, str):
        raise GeometryError(f"Le fichier doit contenir un objet GeoJSON ({{…}}), pas {_describe(data)}.")
    size = len(data)
    if isinstance(data, str) and size <= MAX_BYTES:
        size = len(data.encode("utf-8", "surrogatepass"))
    if size > MAX_BYTES:
        megabytes = f"{size / 2**20:.1f}".replace(".", ",")
        raise GeometryError(f"Le fichier pèse {megabytes} Mo : c’est plus que les {MAX_BYTES // 2**20} Mo acceptés.")
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError as err:
            raise GeometryError(f"Le fichier n’est pas en UTF-8 (octet invalide n° {err.start + 1}).") from None
    if not data.strip().lstrip("\ufeff"):
        raise GeometryError("Le fichier est vide.")
    try:
        obj = json.loads(data.lstrip("\ufeff"))
    except json.JSONDecodeError as err:
        raise GeometryError(f"Le fichier n’est pas du JSON valide (ligne {err.lineno}, colonne {err.colno}).") from None
    except ValueError:  # an integer of thousands of digits
        raise GeometryError("Le fichier contient un nombre trop long pour être lu.") from None
    if not isinstance(obj, dict):
        raise GeometryError(f"Le fichier doit contenir un objet GeoJSON ({{…}}), pas {_describe(obj)}.")
    return obj


def _unwrap(obj):
    """The geometry of a geometry, a Feature, or a FeatureCollection of exactly one feature."""
    if obj.get("type") == "FeatureCollection":
        features = obj.get("features")
        if not isinstance(features, list):
            raise GeometryError("La FeatureCollection n’a pas de liste d’entités (« features »).")
        if len(features) != 1:
            found = f"contient {_int_fr(len(features))} entités" if features else "ne contient aucune entité"
            raise GeometryError(f"Le fichier {found} : il en faut exactement une.")
        obj = features[0]
        if not isinstance(obj, dict):
            raise GeometryError(f"L’entité du fichier est {_describe(obj)}, pas un objet GeoJSON.")
    if obj.get("type") == "Feature":
        obj = obj.get("geometry")
        if obj is None:
            raise GeometryError("L’entité n’a pas de géométrie (« geometry » absente ou null).")
        if not isinstance(obj, dict):
            raise GeometryError(f"La géométrie de l’entité est {_describe(obj)}, pas un objet GeoJSON.")
    return obj


def _parts(coords, kind):
    """Check the list nesting above positions; return parts -> sequences -> positions."""
    def lists(value):
        if not isinstance(value, (list, tuple)):
            raise GeometryError(
                f"Les coordonnées ne sont pas imbriquées comme l’exige {KINDS[kind][2]} : "
                f"une liste est attendue, le fichier contient {_describe(value)}."
            )
        return value
    parts = {1: [[[coords]]], 2: [[coords]], 3: [coords], 4: coords}[KINDS[kind][0]]
    for part in lists(parts):
        for sequence in lists(part):
            if lists(sequence):
                lists(sequence[0])  # a position: a list too
    return parts


def _expected(kinds):
    """'qu’un polygone est attendu' for Polygon and MultiPolygon."""
    names = [KINDS[k][1] for k in kinds if k in KINDS and not (k.startswith("Multi") and k[5:] in kinds)]
    phrase = " ou ".join(dict.fromkeys(names)) or "une autre géométrie"
    return f"que {phrase} sont attendus" if phrase.startswith("plusieurs") else f"qu’{phrase} est attendu"


def _positions(sequence):
    """A sequence of positions as an (n, 2) float array: finite numbers, altitude dropped."""
    for position in sequence:
        if not isinstance(position, (list, tuple)):
            raise GeometryError(
                f"Les coordonnées contiennent {_describe(position)} là où une position "
                "[longitude, latitude] est attendue."
            )
        if not 2 <= len(position) <= 3:
            raise GeometryError(
                f"Une position compte {len(position)} nombre(s) : il en faut 2, "
                "la longitude puis la latitude (l’altitude peut suivre)."
            )
        for value in position:
            if isinstance(value, bool) or not isinstance(value, NUMBER_TYPES):
                raise GeometryError(f"Les coordonnées contiennent {_describe(value)} au lieu d’un nombre.")
    try:
        array = np.array([position[:2] for position in sequence], dtype=float).reshape(-1, 2)
    except OverflowError:
        raise GeometryError("Les coordonnées contiennent un nombre démesuré.") from None
    if not np.isfinite(array).all():
        raise GeometryError("Les coordonnées contiennent une valeur qui n’est pas un nombre fini (NaN ou infini).")
    return array


def _in_france(xs, ys):
    inside = np.zeros(np.shape(xs), dtype=bool)
    for min_lon, min_lat, max_lon, max_lat in FRANCE.values():
        inside |= (xs >= min_lon) & (xs <= max_lon) & (ys >= min_lat) & (ys <= max_lat)
    return inside


def _check_place(xs, ys):
    """Longitude/latitude ranges, then in France; recognise swapped and projected files."""
    out = (np.abs(xs) > 180) | (np.abs(ys) > 90)
    if out.any():
        x, y = xs[out.argmax()], ys[out.argmax()]
        example = f"par exemple {_coord(x)}, {_coord(y)}"
        if max(abs(x), abs(y)) > 1000:
            hint = "Lambert 93 ?" if 0 <= x <= 1.3e6 and 6e6 <= y <= 7.2e6 else "Lambert ou UTM ?"
            raise GeometryError(
                f"Les coordonnées ({example}) semblent être en mètres ({hint}) : "
                "exportez le fichier en WGS 84 (EPSG:4326)."
            )
        raise GeometryError(
            f"Les coordonnées sortent des limites ({example}) : la longitude doit être entre -180 et 180, "
            f"la latitude entre -90 et 90. {WGS84}"
        )
    inside = _in_france(xs, ys)
    if not inside.all():
        if _in_france(ys, xs).all():
            raise GeometryError(SWAPPED)
        x, y = xs[(~inside).argmax()], ys[(~inside).argmax()]
        raise GeometryError(f"Les coordonnées sont hors de France (par exemple {_coord(x)}, {_coord(y)}). {WGS84}")


def _check_sequence(kind, sequence, what):
    if kind in ("Polygon", "MultiPolygon"):
        if len(sequence) < 4:
            raise GeometryError(
                f"Un anneau {_de(what)} ne compte que {len(sequence)} point(s) : "
                "il en faut au moins 4, le dernier répétant le premier."
            )
        if not np.array_equal(sequence[0], sequence[-1]):
            raise GeometryError(f"Un anneau {_de(what)} n’est pas fermé : son dernier point doit répéter le premier.")
    elif kind in ("LineString", "MultiLineString") and len(sequence) < 2:
        raise GeometryError("Une ligne doit compter au moins 2 points.")


def _build(kind, arrays):
    first = arrays[0][0]
    if kind == "Point":
        return shapely.Point(first[0])
    if kind == "MultiPoint":
        return shapely.MultiPoint(first)
    if kind == "LineString":
        return shapely.LineString(first)
    if kind == "MultiLineString":
        return shapely.MultiLineString(list(arrays[0]))
    polygons = [shapely.Polygon(part[0], part[1:]) for part in arrays]
    return polygons[0] if kind == "Polygon" else shapely.MultiPolygon(polygons)


def _invalid_message(reason, what):
    """Translate shapely.is_valid_reason, e.g. 'Self-intersection[3.58 44.45]'."""
    match = re.fullmatch(r"(.*?)\s*\[([-+.\deE]+) ([-+.\deE]+)[^\]]*\]", reason)
    text, where = reason, ""
    if match:
        text, where = match[1], f" près de {_coord(float(match[2]))}, {_coord(float(match[3]))}"
    for prefix, french in REASONS:
        if text.startswith(prefix):
            return french.format(What=_cap(what), de=_de(what)) + where + "."
    return f"{_cap(what)} n’est pas valide ({text}){where}."


@_guarded
def parse_geometry(data, *, kinds=("Polygon", "MultiPolygon"), max_vertices=MAX_VERTICES, what="le contour"):
    """Validate a GeoJSON geometry, Feature or one-feature FeatureCollection (dict or text).

    Returns a valid, non-empty shapely geometry; polygons have counter-clockwise exteriors
    and clockwise holes. `what` names the geometry in messages ("le périmètre").
    """
    geometry = _unwrap(load_json(data))
    kind = geometry.get("type")
    if kind is None:
        raise GeometryError("Le fichier n’indique pas le type de géométrie (propriété « type » absente).")
    if not isinstance(kind, str):
        raise GeometryError(f"La propriété « type » doit être un texte, pas {_describe(kind)}.")
    if kind not in KINDS:
        raise GeometryError(
            f"Le type « {kind[:40]} » n’est pas un type de géométrie GeoJSON (Polygon, MultiPolygon, Point…)."
        )
    if kind != "GeometryCollection" and "coordinates" not in geometry:
        raise GeometryError("Les coordonnées sont absentes (propriété « coordinates »).")
    parts = _parts(geometry["coordinates"], kind) if kind != "GeometryCollection" else []
    if kind not in kinds or kind == "GeometryCollection":
        raise GeometryError(f"Le fichier contient {KINDS[kind][2]} ({KINDS[kind][1]}), alors {_expected(kinds)}.")
    count = sum(len(sequence) for part in parts for sequence in part)
    if count > max_vertices:
        raise GeometryError(
            f"{_cap(what)} compte {_int_fr(count)} sommets : c’est plus que les {_int_fr(max_vertices)} "
            f"acceptés. Simplifiez-{_pronoun(what)} avant de l’importer."
        )
    if count == 0 or not all(parts):
        detail = "aucun point" if count == 0 else "une de ses parties n’a aucun point"
        raise GeometryError(f"{_cap(what)} est vide : {detail}.")
    arrays = [[_positions(sequence) for sequence in part] for part in parts]
    everything = np.concatenate([sequence for part in arrays for sequence in part])
    _check_place(everything[:, 0], everything[:, 1])
    for part in arrays:
        for sequence in part:
            _check_sequence(kind, sequence, what)
    geom = _build(kind, arrays)
    reason = shapely.is_valid_reason(geom)
    if reason != "Valid Geometry":
        raise GeometryError(_invalid_message(reason, what))
    if geom.is_empty:
        raise GeometryError(f"{_cap(what)} est vide.")
    return shapely.orient_polygons(geom)


def _number(value, label):
    """A finite float from a form string ('3,58', ' 44.45 ') or a number."""
    if value is None or (isinstance(value, str) and not value.strip()):
        raise GeometryError(f"{label} est vide.")
    if isinstance(value, str):
        text = value.strip().rstrip("°").replace("\u00a0", "").replace(" ", "").replace("−", "-").replace(",", ".")
        if not DECIMAL.fullmatch(text):
            raise GeometryError(f"{label} « {value.strip()[:40]} » n’est pas un nombre.")
        value = float(text)
    elif isinstance(value, bool) or not isinstance(value, NUMBER_TYPES):
        raise GeometryError(f"{label} n’est pas un nombre ({_describe(value)}).")
    try:
        value = float(value)
    except OverflowError:  # an integer beyond float range
        value = math.inf
    if not math.isfinite(value):
        raise GeometryError(f"{label} n’est pas un nombre fini.")
    return value


@_guarded
def parse_point(lon, lat):
    """A point in France from form strings or numbers."""
    x, y = _number(lon, "La longitude"), _number(lat, "La latitude")
    if not -180 <= x <= 180:
        raise GeometryError(f"La longitude doit être comprise entre -180 et 180 (reçu {_coord(x)}).")
    if not -90 <= y <= 90:
        raise GeometryError(f"La latitude doit être comprise entre -90 et 90 (reçu {_coord(y)}).")
    if not _in_france(x, y):
        if _in_france(y, x):
            raise GeometryError(SWAPPED)
        raise GeometryError(f"Le point {_coord(x)}, {_coord(y)} est hors de France (longitude, latitude en WGS 84).")
    return shapely.Point(x, y)


# --- Writing ---------------------------------------------------------------------------

def _geometry(geom):
    if not isinstance(geom, shapely.Geometry):
        raise GeometryError(f"Une géométrie shapely est attendue, pas {_describe(geom)}.")
    return geom


@_guarded
def to_geojson(geom, precision: int = 6) -> str:
    """Compact GeoJSON text of a geometry, coordinates rounded to `precision` decimals."""
    # np.round divides an exact integer by 10**precision: the nearest double to the decimal,
    # which json writes in its shortest form (3.123457).
    rounded = shapely.transform(_geometry(geom), lambda coords: np.round(coords, precision) + 0.0)
    return json.dumps(mapping(rounded), separators=(",", ":"), allow_nan=False)


def from_geojson(text):
    """Stored GeoJSON text (from to_geojson) back to shapely; no validation beyond JSON."""
    try:
        return shape(json.loads(text))
    except Exception as err:
        raise GeometryError("La géométrie enregistrée est illisible.") from err


@_guarded
def bounds(geom):
    """(min_lon, min_lat, max_lon, max_lat)."""
    if _geometry(geom).is_empty:
        raise GeometryError("La géométrie est vide : elle n’a pas d’emprise.")
    return tuple(float(value) for value in geom.bounds)


# --- Locating and measuring ------------------------------------------------------------

@_guarded
def covers_point(zone, lon, lat) -> bool:
    """True when the point is in the zone or on its boundary (holes excluded, exclaves in)."""
    return bool(shapely.intersects_xy(_geometry(zone), _number(lon, "La longitude"), _number(lat, "La latitude")))


@_guarded
def covers_points(zone, lons, lats):
    """covers_point for many points at once: a numpy bool array."""
    try:
        xs, ys = np.asarray(lons, dtype=float), np.asarray(lats, dtype=float)
    except (TypeError, ValueError):
        raise GeometryError("Les longitudes et latitudes doivent être des nombres.") from None
    if xs.shape != ys.shape:
        raise GeometryError(f"Il y a {xs.size} longitudes pour {ys.size} latitudes.")
    # Prepare a private copy: a prepared geometry is not thread-safe (libgeos/geos#825), and
    # the caller's zone may be shared between requests.
    local = shapely.transform(_geometry(zone), lambda coords: coords)
    shapely.prepare(local)
    return np.asarray(shapely.intersects_xy(local, xs, ys), dtype=bool)


def _in_metres(geom, origin):
    """Local equirectangular projection around `origin`'s centre: a few per mille off here."""
    min_lon, min_lat, max_lon, max_lat = origin.bounds
    centre = np.array([(min_lon + max_lon) / 2, (min_lat + max_lat) / 2])
    scale = METRES_PER_DEGREE * np.array([math.cos(math.radians(centre[1])), 1.0])
    return shapely.transform(geom, lambda coords: (coords - centre) * scale)


@_guarded
def outside_part(inner, outer, tolerance_m: float = 5.0) -> float:
    """Area in m² of `inner` outside `outer` widened by `tolerance_m` metres."""
    if not math.isfinite(tolerance_m) or tolerance_m < 0:
        raise GeometryError("La tolérance doit être un nombre de mètres positif.")
    if _geometry(inner).is_empty:
        return 0.0
    if shapely.covers(_geometry(outer), inner):
        return 0.0
    widened = _in_metres(outer, inner).buffer(tolerance_m)
    return float(_in_metres(inner, inner).difference(widened).area)


@_guarded
def require_within(inner, outer, *, what="Le périmètre", where="la commune", tolerance_m=5.0) -> None:
    """Raise a GeometryError when `inner` sticks out of `outer` by more than the tolerance."""
    area = outside_part(inner, outer, tolerance_m)
    if area > MIN_OUTSIDE_M2:
        limits = "des limites communales" if where == "la commune" else _de(where)
        raise GeometryError(
            f"{_cap(what)} dépasse {_de(where)} ({_area_fr(area)} en dehors). "
            f"Tracez-{_pronoun(what)} à l’intérieur {limits}."
        )


@_guarded
def describe_area(geom) -> str:
    """Approximate area in French: 'environ 42 ha', 'environ 3,4 km²'."""
    return _area_fr(0) if _geometry(geom).is_empty else _area_fr(_in_metres(geom, geom).area)


# --- Communes --------------------------------------------------------------------------

def _insee(raw):
    """'48080', '2A004'; an integer gets its leading zero back (1001 -> '01001')."""
    if isinstance(raw, bool) or not isinstance(raw, (int, str)):
        return None
    text = str(raw).zfill(5) if isinstance(raw, int) else raw.strip().upper()
    return text if INSEE_CODE.fullmatch(text) else None


def _commune(number, feature):
    """(code, name, geometry) of feature n° `number` (from 1), or a GeometryError."""
    if not isinstance(feature, dict):
        raise GeometryError(f"L’entité n° {number} est {_describe(feature)}, pas un objet GeoJSON.")
    properties = feature.get("properties") if isinstance(feature.get("properties"), dict) else {}
    raw = next((properties[k] for k in ("code", "insee", "codeInsee") if properties.get(k) not in (None, "")), None)
    if raw is None:
        raise GeometryError(f"L’entité n° {number} n’a pas de code INSEE (propriété code, insee ou codeInsee).")
    if (code := _insee(raw)) is None:
        raise GeometryError(
            f"L’entité n° {number} a un code INSEE invalide ({_describe(raw)}) : "
            "il faut 5 caractères, comme 48080 ou 2A004."
        )
    name = properties.get("nom", properties.get("name"))
    name = name.strip() if isinstance(name, str) else ""
    label = f"{code} {name}".strip()
    if not isinstance(feature.get("geometry"), dict):
        raise GeometryError(f"{label} : l’entité n’a pas de géométrie.")
    try:
        return code, name, parse_geometry(feature["geometry"])
    except GeometryError as err:
        raise GeometryError(f"{label} : {_lower_first(str(err))}") from None


@_guarded
def features_by_code(collection) -> dict:
    """INSEE code -> (name, validated geometry) from a FeatureCollection of communes.

    Every feature is checked; one GeometryError lists the problems (the first 10).
    """
    data = load_json(collection)
    features = data.get("features")
    if data.get("type") != "FeatureCollection" or not isinstance(features, list):
        found = {**{k: v[2] for k, v in KINDS.items()}, "Feature": "une seule entité (Feature)"}.get(
            data.get("type") if isinstance(data.get("type"), str) else None, "un autre objet"
        )
        raise GeometryError(f"Le fichier doit être une FeatureCollection (une collection de communes), pas {found}.")
    if not features:
        raise GeometryError("Le fichier ne contient aucune commune.")
    communes, first_seen, problems = {}, {}, []
    for number, feature in enumerate(features, start=1):
        try:
            code, name, geom = _commune(number, feature)
        except GeometryError as err:
            problems.append(str(err))
            continue
        if code in first_seen:
            problems.append(f"Le code INSEE {code} apparaît deux fois (entités n° {first_seen[code]} et {number}).")
            continue
        first_seen[code] = number
        communes[code] = (name, geom)
    if len(problems) == 1:
        raise GeometryError(problems[0])
    if problems:
        head = f"Le fichier contient {_int_fr(len(problems))} problèmes"
        head += " ; voici les 10 premiers :" if len(problems) > 10 else " :"
        raise GeometryError("\n".join([head] + [f"- {problem}" for problem in problems[:10]]))
    return communes
