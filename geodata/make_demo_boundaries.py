"""Rebuild the boundaries of demo-communes.geojson from the real ones (see README.md).

    .venv/bin/python geodata/make_demo_boundaries.py [path/to/communes-48.geojson]

Reads the IGN Admin Express boundaries of ../shared/geodata/communes-48.geojson, takes the
three demo communes by INSEE code, simplifies them together and writes them into
demo-communes.geojson in place of the old geometries, keeping every property (perimeters,
places). Prints the vertex count and the measured distance to the real outline of each.

Shared borders stay shared: the outlines are cut into arcs between the points where
communes meet, each arc is simplified once (Douglas-Peucker, its ends kept), and the
communes are rebuilt from the simplified arcs. Kept vertices are original ones, untouched.
"""

import json
import math
import re
import sys
from pathlib import Path

import numpy as np
import shapely

from revital import geo

HERE = Path(__file__).resolve().parent
DEMO = HERE / "demo-communes.geojson"
SOURCE = HERE.parents[1] / "shared" / "geodata" / "communes-48.geojson"
TOLERANCE_DEG = 0.0001  # at most 11 m north-south and 8 m east-west at 44.5° N
MAX_DISTANCE_M = 20.0
ATTRIBUTION = {
    "source": (
        "IGN, Admin Express COG 2018 (contours des communes), via gregoiredavid/france-geojson "
        "(commit 5d34ee6, departements/48-lozere/communes-48-lozere.geojson), simplifié pour la démonstration"
    ),
    "licence": "Licence Ouverte / Open Licence (Etalab)",
    "attribution": "IGN – Admin Express COG 2018, Licence Ouverte (contour simplifié)",
}


def in_metres(geom, around):
    """Equirectangular projection around `around`'s centre: a few per mille off at this scale."""
    lon0, lat0 = np.mean(np.reshape(around.bounds, (2, 2)), axis=0)
    scale = geo.METRES_PER_DEGREE * np.array([math.cos(math.radians(lat0)), 1.0])
    return shapely.transform(geom, lambda coords: (coords - [lon0, lat0]) * scale)


def distance_m(real, simplified) -> float:
    """Hausdorff distance between the two outlines, in metres (segments densified to 1/10)."""
    return shapely.hausdorff_distance(in_metres(real.boundary, real), in_metres(simplified.boundary, real), densify=0.1)


def simplify_together(communes: dict, tolerance: float) -> dict:
    """INSEE code -> simplified geometry, shared borders simplified once for both sides."""
    arcs = shapely.line_merge(shapely.union_all([g.boundary for g in communes.values()]))
    simplified = [arc.simplify(tolerance, preserve_topology=True) for arc in getattr(arcs, "geoms", [arcs])]
    faces = list(shapely.polygonize(simplified).geoms)
    result = {}
    for code, geom in communes.items():
        mine = [face for face in faces if geom.contains(face.representative_point())]
        rebuilt = shapely.orient_polygons(shapely.union_all(mine))
        if not rebuilt.is_valid:
            raise SystemExit(f"{code}: {shapely.is_valid_reason(rebuilt)}")
        result[code] = rebuilt
    return result


def write(collection: dict) -> str:
    text = json.dumps(collection, ensure_ascii=False, indent=2)
    # one position per line, as the file was written by hand: [3.5632, 44.4566]
    return re.sub(r"\[\s+(-?[\d.]+),\s+(-?[\d.]+)\s+\]", r"[\1, \2]", text) + "\n"


def main(argv: list[str]) -> int:
    source = Path(argv[0]) if argv else SOURCE
    real = geo.features_by_code(source.read_bytes())
    collection = json.loads(DEMO.read_text())
    codes = [feature["properties"]["insee"] for feature in collection["features"]]
    simplified = simplify_together({code: real[code][1] for code in codes}, TOLERANCE_DEG)
    worst = 0.0
    for feature in collection["features"]:
        code = feature["properties"]["insee"]
        geom = simplified[code]
        feature["geometry"] = json.loads(geo.to_geojson(geom, precision=5))
        distance = distance_m(real[code][1], geom)
        worst = max(worst, distance)
        print(f"{code} {real[code][0]}: {shapely.get_num_coordinates(real[code][1])} -> "
              f"{shapely.get_num_coordinates(geom)} vertices, {distance:.1f} m from the real outline")
    if worst > MAX_DISTANCE_M:
        raise SystemExit(f"{worst:.1f} m from the real outline: lower TOLERANCE_DEG")
    ordered = {"type": "FeatureCollection", **ATTRIBUTION, "features": collection["features"]}
    DEMO.write_text(write(ordered))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
