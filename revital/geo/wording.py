"""What geometry problems are called in French, and the error that carries them: the constants
and wording shared by reading, measuring and importing geometries."""

import functools
import math
import re

import numpy as np


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


