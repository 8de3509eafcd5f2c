"""Reading geometries: GeoJSON text in, a valid shapely geometry out, or a GeometryError whose
message names the problem in French and where it is (see revital.geo for the order of checks)."""

import json
import math
import re

import numpy as np
import shapely

from revital.geo.wording import (
    DECIMAL,
    FRANCE,
    KINDS,
    MAX_BYTES,
    MAX_VERTICES,
    NUMBER_TYPES,
    REASONS,
    SWAPPED,
    WGS84,
    GeometryError,
    _cap,
    _coord,
    _de,
    _describe,
    _guarded,
    _int_fr,
    _pronoun,
)

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


