"""The kit's lettered grid: cells, centres, labels and the page projection (pure, no HTTP)."""

import json
import math
from pathlib import Path

import pytest
from shapely.geometry import shape

from revital.geo import METRES_PER_DEGREE
from revital.workshops import grid
from revital.workshops.grid import cell_of, cells, centre_of, grid_for, grid_over

GEODATA = Path(__file__).resolve().parent.parent / "geodata" / "demo-communes.geojson"


@pytest.fixture(scope="module")
def perimeter():
    features = json.loads(GEODATA.read_text())["features"]
    main = next(f for f in features if f["properties"]["slug"] == "saint-etienne-du-valdonnez")
    return shape(main["properties"]["perimeter"])


@pytest.fixture(scope="module")
def g(perimeter):
    return grid_for(perimeter)


def test_cells_are_the_48_labels_in_reading_order(g):
    labels = cells(g)
    assert len(labels) == 48 == len(set(labels))
    assert labels[:9] == ["A1", "B1", "C1", "D1", "E1", "F1", "G1", "H1", "A2"]
    assert labels[-1] == "H6"


def test_every_cell_round_trips_through_its_centre(g):
    for label in cells(g):
        lon, lat = centre_of(g, label)
        assert cell_of(g, lon, lat) == label


def test_the_grid_covers_the_perimeter_with_a_margin(g, perimeter):
    min_lon, min_lat, max_lon, max_lat = perimeter.bounds
    assert g.west < min_lon and g.east > max_lon and g.south < min_lat and g.north > max_lat
    for lon, lat in perimeter.exterior.coords:
        assert cell_of(g, lon, lat) is not None


def test_columns_run_west_to_east_and_rows_north_to_south(g):
    west_lon, north_lat = centre_of(g, "A1")
    east_lon, south_lat = centre_of(g, "H6")
    assert west_lon < east_lon and north_lat > south_lat
    assert centre_of(g, "C4")[0] < centre_of(g, "D4")[0]
    assert centre_of(g, "C4")[1] > centre_of(g, "C5")[1]


def test_cells_are_square_on_the_ground(g):
    wide = g.cell_lon * g.cos_lat * METRES_PER_DEGREE
    high = g.cell_lat * METRES_PER_DEGREE
    assert wide == pytest.approx(high, rel=1e-9)
    assert g.cell_metres == pytest.approx(high)


def test_the_corners_and_edges_belong_to_the_grid(g):
    assert cell_of(g, g.west, g.north) == "A1"
    assert cell_of(g, g.east, g.north) == "H1"
    assert cell_of(g, g.west, g.south) == "A6"
    assert cell_of(g, g.east, g.south) == "H6"
    # Either side of the line between two cells, 0.1 mm away.
    line, lat = g.west + 2 * g.cell_lon, centre_of(g, "C4")[1]
    assert (cell_of(g, line - 1e-9, lat), cell_of(g, line + 1e-9, lat)) == ("B4", "C4")
    lon, line = centre_of(g, "C4")[0], g.north - 3 * g.cell_lat
    assert (cell_of(g, lon, line + 1e-9), cell_of(g, lon, line - 1e-9)) == ("C3", "C4")


@pytest.mark.parametrize("dlon, dlat", [(-1e-7, 0), (1e-7, 0), (0, -1e-7), (0, 1e-7)])
def test_points_outside_the_grid_have_no_cell(g, dlon, dlat):
    lon = g.west + dlon if dlon < 0 else g.east + dlon if dlon > 0 else (g.west + g.east) / 2
    lat = g.south + dlat if dlat < 0 else g.north + dlat if dlat > 0 else (g.south + g.north) / 2
    assert cell_of(g, lon, lat) is None


def test_nan_and_far_points_have_no_cell(g):
    assert cell_of(g, math.nan, 44.4) is None
    assert cell_of(g, 3.5, math.inf) is None
    assert cell_of(g, 2.35, 48.85) is None  # Paris


def test_labels_are_read_leniently_and_strictly(g):
    assert centre_of(g, " c4 ") == centre_of(g, "C4")
    for bad in ("I9", "A0", "A7", "I1", "", None, "C", "4", "C 4", "CC4", "A10", "A-1", "4C"):
        assert centre_of(g, bad) is None, bad


def test_the_grid_has_a_minimum_size_and_refuses_what_is_no_box():
    tiny = grid_over((3.5, 44.4, 3.5001, 44.4001))
    assert tiny.cell_metres * 6 == pytest.approx(grid.MIN_SIDE_M)
    assert centre_of(tiny, "D3")[0] < 3.50005 < centre_of(tiny, "E3")[0]  # still centred on the box
    with pytest.raises(ValueError):
        grid_over((3.6, 44.4, 3.5, 44.5))
    with pytest.raises(ValueError):
        grid_over((math.nan, 44.4, 3.5, 44.5))


def test_page_frame_maps_the_grid_onto_the_page(g):
    frame = grid.PageFrame(g, 288.0)
    assert frame.height == pytest.approx(216.0)  # square cells: 8 by 6
    assert frame.point(g.west, g.north) == pytest.approx((0.0, 0.0))
    assert frame.point(g.east, g.south) == pytest.approx((288.0, 216.0))
    x, y = frame.point(*centre_of(g, "C4"))
    assert (x, y) == pytest.approx((frame.column_x(2) + 18.0, frame.row_y(3) + 18.0))
    assert frame.units_per_metre * g.cell_metres == pytest.approx(36.0)
