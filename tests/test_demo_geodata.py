"""The demo's geometries (geodata/demo-communes.geojson): real boundaries, simplified, with the
perimeters, named places and demo contributions inside them.

The real boundaries (IGN Admin Express 2018) are read from ../shared/geodata/ and matched on
INSEE code; a clone without them skips the tests that compare with them.
"""

import json
import math
from pathlib import Path

import numpy as np
import pytest
import shapely
from shapely.geometry import shape
from sqlalchemy import select

from revital import geo
from revital.communes.models import Commune
from revital.contributions.models import Contribution
from revital.demo import GEODATA as DEMO_FILE
from revital.territories.features import features_by_code
from tests.conftest import MAIN, get

SHARED = Path(__file__).resolve().parents[2] / "shared" / "geodata" / "communes-48.geojson"
needs_real = pytest.mark.skipif(not SHARED.is_file(), reason="../shared/geodata is absent (a user's own clone)")
CODES = ["48147", "48027", "48070"]
MAX_DISTANCE_M = 20.0
MAX_VERTICES = 300
# The bourg each perimeter is drawn around, as published (Wikipédia, IGN Rando): Saint-Étienne
# and Grandrieu are their communes' chefs-lieux; for Mont Lozère et Goulet the demo's process is
# about the spa village of Bagnols-les-Bains, a former commune (48014) inside it.
BOURGS = {"48147": (3.5633, 44.4564), "48027": (3.6670, 44.5040), "48070": (3.6339, 44.7853)}


@pytest.fixture(scope="module")
def collection():
    return json.loads(DEMO_FILE.read_text())


@pytest.fixture(scope="module")
def demo(collection):
    """INSEE code -> (boundary, properties) of the demo file."""
    return {f["properties"]["insee"]: (shape(f["geometry"]), f["properties"]) for f in collection["features"]}


@pytest.fixture(scope="module")
def real():
    """INSEE code -> real boundary, for the demo's communes only."""
    communes = features_by_code(SHARED.read_bytes())
    return {code: communes[code][1] for code in CODES}


def in_metres(geom, around):
    """Equirectangular projection around `around`'s centre: a few per mille off at this scale."""
    lon0, lat0 = np.mean(np.reshape(around.bounds, (2, 2)), axis=0)
    scale = geo.METRES_PER_DEGREE * np.array([math.cos(math.radians(lat0)), 1.0])
    return shapely.transform(geom, lambda coords: (coords - [lon0, lat0]) * scale)


def test_the_demo_has_its_three_communes(demo):
    assert sorted(demo) == sorted(CODES)
    assert all(boundary.is_valid and boundary.geom_type == "Polygon" for boundary, _ in demo.values())


@needs_real
@pytest.mark.parametrize("code", CODES)
def test_each_boundary_is_the_real_one_within_20_m(demo, real, code):
    boundary, _ = demo[code]
    distance = shapely.hausdorff_distance(in_metres(real[code].boundary, real[code]),
                                          in_metres(boundary.boundary, real[code]), densify=0.1)
    assert distance < MAX_DISTANCE_M, f"{code}: {distance:.0f} m from the real outline"


@pytest.mark.parametrize("code", CODES)
def test_each_boundary_has_at_most_a_few_hundred_vertices(demo, code):
    assert shapely.get_num_coordinates(demo[code][0]) <= MAX_VERTICES


def test_the_shared_border_is_drawn_once(demo):
    """Saint-Étienne-du-Valdonnez and Mont Lozère et Goulet meet over 4 km: no gap, no overlap."""
    valdonnez, goulet = demo["48147"][0], demo["48027"][0]
    assert in_metres(valdonnez.intersection(goulet), valdonnez).area < 1.0
    shared = in_metres(valdonnez.boundary.intersection(goulet.boundary), valdonnez)
    assert shared.length > 4_000


@pytest.mark.parametrize("code", CODES)
def test_perimeter_and_places_lie_inside_the_boundary(demo, code):
    boundary, props = demo[code]
    assert boundary.contains(shape(props["perimeter"]))
    assert props["places"] and all(boundary.contains(shapely.Point(p["lon"], p["lat"])) for p in props["places"])


@needs_real
@pytest.mark.parametrize("code", CODES)
def test_perimeter_and_places_lie_inside_the_real_boundary(demo, real, code):
    _, props = demo[code]
    assert real[code].contains(shape(props["perimeter"]))
    assert all(real[code].contains(shapely.Point(p["lon"], p["lat"])) for p in props["places"])


@pytest.mark.parametrize("code", CODES)
def test_each_perimeter_is_around_the_bourg(demo, code):
    perimeter = shape(demo[code][1]["perimeter"])
    bourg = shapely.Point(BOURGS[code])
    assert in_metres(perimeter, perimeter).distance(in_metres(bourg, perimeter)) < 100
    assert all(in_metres(perimeter, perimeter).distance(in_metres(shapely.Point(p["lon"], p["lat"]), perimeter)) < 300
               for p in demo[code][1]["places"])


def located_contributions(database):
    with database.session() as session:
        return session.execute(select(Commune.insee, Contribution.lon, Contribution.lat, Contribution.title)
                               .join(Commune, Commune.id == Contribution.commune_id)
                               .where(Contribution.lon.is_not(None))).all()


def test_located_demo_contributions_lie_inside_the_boundary(db, demo):
    rows = located_contributions(db)
    assert {insee for insee, *_ in rows} == set(CODES)
    for insee, lon, lat, title in rows:
        assert demo[insee][0].contains(shapely.Point(lon, lat)), title


@needs_real
def test_located_demo_contributions_lie_inside_the_real_boundary(db, real):
    for insee, lon, lat, title in located_contributions(db):
        assert real[insee].contains(shapely.Point(lon, lat)), title


def test_the_file_states_its_source_and_licence(collection):
    assert "IGN" in collection["source"] and "Admin Express" in collection["source"]
    assert "france-geojson" in collection["source"]
    assert collection["licence"].startswith("Licence Ouverte")
    assert "IGN" in collection["attribution"] and "Licence Ouverte" in collection["attribution"]


def test_the_readme_states_source_and_licence():
    readme = (DEMO_FILE.parent / "README.md").read_text()
    for words in ("IGN", "Admin Express", "Licence Ouverte", "france-geojson", "48147", "48027", "48070"):
        assert words in readme, words
    assert "drawn by hand" not in readme


def test_the_commune_serves_the_real_boundary_with_its_attribution(client, demo, collection):
    assert get(client, f"/communes/{MAIN}").status_code == 200
    response = get(client, f"/api/communes/{MAIN}/commune.geojson")
    assert response.status_code == 200
    [boundary] = [f for f in response.json()["features"] if f["properties"]["kind"] == "boundary"]
    assert shape(boundary["geometry"]).equals(demo["48147"][0])
    assert boundary["properties"]["source"] == collection["attribution"]
