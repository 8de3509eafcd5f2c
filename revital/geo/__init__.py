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

from revital.geo.reading import load_json, parse_geometry, parse_point
from revital.geo.shapes import (
    bounds,
    covers_point,
    covers_points,
    describe_area,
    from_geojson,
    outside_part,
    require_within,
    to_geojson,
)
from revital.geo.wording import (
    KINDS,
    MAX_BYTES,
    MAX_VERTICES,
    METRES_PER_DEGREE,
    GeometryError,
)

__all__ = [
    "KINDS", "MAX_BYTES", "MAX_VERTICES", "METRES_PER_DEGREE", "GeometryError", "bounds", "covers_point",
    "covers_points", "describe_area", "from_geojson", "load_json", "outside_part", "parse_geometry", "parse_point",
    "require_within", "to_geojson",
]
