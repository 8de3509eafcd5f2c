"""revital.geo on real commune boundaries (IGN Admin Express 2018, ../shared/geodata/).

The files are test material kept next to the project, not in it: a clone without them
skips this module. Their exterior rings are clockwise and Langogne (48080) has a hole filled
by an exclave of Naussac-Fontanes (48105), see ../shared/geodata/README.md.
"""

from pathlib import Path

import numpy as np
import pytest
import shapely

from revital import geo
from revital.territories.features import features_by_code

GEODATA = Path(__file__).resolve().parents[2] / "shared" / "geodata"
COUNTS = {"48": 158, "15": 247, "63": 467}

if not all((GEODATA / f"communes-{dep}.geojson").is_file() for dep in COUNTS):
    pytest.skip("../shared/geodata is absent (a user's own clone): real-boundary tests need it", allow_module_level=True)


@pytest.fixture(scope="module")
def communes():
    """Département -> features_by_code of its whole file."""
    return {dep: features_by_code((GEODATA / f"communes-{dep}.geojson").read_bytes()) for dep in COUNTS}


@pytest.fixture(scope="module")
def lozere(communes):
    return communes["48"]


@pytest.mark.parametrize("dep", COUNTS)
def test_each_file_is_accepted_whole(communes, dep):
    found = communes[dep]
    assert len(found) == COUNTS[dep]
    assert all(code.startswith(dep) and len(code) == 5 for code in found)
    assert all(name for name, _ in found.values())


@pytest.mark.parametrize("dep", COUNTS)
def test_rings_are_counter_clockwise_after_parsing(communes, dep):
    for code, (name, geom) in communes[dep].items():
        assert geom.is_valid, code
        for part in getattr(geom, "geoms", [geom]):
            assert part.exterior.is_ccw, (code, name)
            assert not any(hole.is_ccw for hole in part.interiors), (code, name)


def test_saint_flour_is_two_communes_matched_on_code(communes):
    assert communes["15"]["15187"][0] == communes["63"]["63343"][0] == "Saint-Flour"


def test_the_hole_of_langogne_is_an_exclave_of_naussac_fontanes(lozere):
    langogne, naussac = lozere["48080"][1], lozere["48105"][1]
    assert langogne.geom_type == "Polygon" and len(langogne.interiors) == 1
    assert naussac.geom_type == "MultiPolygon" and len(naussac.geoms) == 2
    hole = shapely.Polygon(langogne.interiors[0])
    assert any(part.equals(hole) for part in naussac.geoms)

    in_hole = hole.representative_point()
    assert geo.covers_point(naussac, in_hole.x, in_hole.y)
    assert not geo.covers_point(langogne, in_hole.x, in_hole.y)

    in_body = langogne.representative_point()
    assert geo.covers_point(langogne, in_body.x, in_body.y)
    assert not geo.covers_point(naussac, in_body.x, in_body.y)

    # on the hole's ring: both communes cover it
    x, y = langogne.interiors[0].coords[0]
    assert geo.covers_point(langogne, x, y) and geo.covers_point(naussac, x, y)


@pytest.mark.parametrize("code", ["48080", "48105", "48147"])
def test_covers_points_agrees_with_shapely(lozere, code):
    zone = lozere[code][1]
    min_lon, min_lat, max_lon, max_lat = geo.bounds(zone)
    rng = np.random.default_rng(48)
    lons = rng.uniform(min_lon, max_lon, 10_000)
    lats = rng.uniform(min_lat, max_lat, 10_000)
    covered = geo.covers_points(zone, lons, lats)
    points = shapely.points(lons, lats)
    inside = np.array([zone.contains(point) for point in points])
    on_boundary = shapely.intersects(zone.boundary, points)
    assert (covered[~on_boundary] == inside[~on_boundary]).all()
    assert covered[on_boundary].all()
    assert 0 < inside.sum() < len(points)


def test_a_perimeter_in_langogne_stays_inside(lozere):
    langogne = lozere["48080"][1]
    centre = langogne.representative_point()
    perimeter = centre.buffer(0.003)
    geo.require_within(perimeter, langogne)
    hole = shapely.Polygon(langogne.interiors[0])
    with pytest.raises(geo.GeometryError, match="^Le périmètre dépasse de la commune"):
        geo.require_within(hole.buffer(0.002), langogne)
    assert geo.describe_area(langogne).startswith("environ ")


def test_round_trip_through_storage_keeps_the_communes(communes):
    for code, (_, geom) in communes["63"].items():
        back = geo.from_geojson(geo.to_geojson(geom))
        assert shapely.equals_exact(geom, back, tolerance=1e-6), code
