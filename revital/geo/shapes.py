"""Writing, locating and measuring geometries: GeoJSON text, bounds, point-in-zone (holes
excluded, exclaves included), what sticks out of a zone, areas in French."""

import json
import math

import numpy as np
import shapely
from shapely.geometry import mapping, shape

from revital.geo.reading import _number
from revital.geo.wording import (
    METRES_PER_DEGREE,
    MIN_OUTSIDE_M2,
    GeometryError,
    _area_fr,
    _cap,
    _de,
    _describe,
    _guarded,
    _pronoun,
)

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


