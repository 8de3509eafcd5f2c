"""The lettered grid laid over a commune's study perimeter, for the workshop kit's map and for
saying "where" on paper: 8 columns A–H from west to east, 6 rows 1–6 from north to south.

Pure (shapely and the standard library): the kit draws the grid from it, and the paper entry can
turn a cell written on a form ("C4") into a point, the cell's centre.

The grid covers the perimeter's bounding box (the boundary's, when there is no perimeter) with a
margin, widened in one direction so that its cells are square on the ground: at commune scale an
equirectangular projection around the box's centre, longitudes scaled by cos(latitude), is a few
per mille off, which is also how the map is drawn (`PageFrame`).
"""

import math
import re
from dataclasses import dataclass

from revital.geo import METRES_PER_DEGREE

COLUMNS = "ABCDEFGH"
ROWS = 6
MARGIN = 0.08  # of the box's larger side, on every side
MIN_SIDE_M = 400.0  # the grid's height at least: a perimeter around one square still gets a readable grid
LABEL = re.compile(r"([A-Z])(\d{1,2})")


@dataclass(frozen=True)
class Grid:
    west: float
    south: float
    east: float
    north: float

    @property
    def columns(self) -> int:
        return len(COLUMNS)

    @property
    def rows(self) -> int:
        return ROWS

    @property
    def cell_lon(self) -> float:
        return (self.east - self.west) / self.columns

    @property
    def cell_lat(self) -> float:
        return (self.north - self.south) / self.rows

    @property
    def cos_lat(self) -> float:
        return math.cos(math.radians((self.south + self.north) / 2))

    @property
    def cell_metres(self) -> float:
        """The side of a cell on the ground, in metres."""
        return self.cell_lat * METRES_PER_DEGREE


def grid_over(bounds: tuple[float, float, float, float], margin: float = MARGIN) -> Grid:
    """The grid over a box (min_lon, min_lat, max_lon, max_lat), with square cells on the ground."""
    min_lon, min_lat, max_lon, max_lat = (float(b) for b in bounds)
    if not all(math.isfinite(b) for b in (min_lon, min_lat, max_lon, max_lat)) or min_lon > max_lon or min_lat > max_lat:
        raise ValueError(f"not a bounding box: {bounds!r}")
    centre_lon, centre_lat = (min_lon + max_lon) / 2, (min_lat + max_lat) / 2
    k = math.cos(math.radians(centre_lat))
    width = (max_lon - min_lon) * k * METRES_PER_DEGREE  # on the ground
    height = (max_lat - min_lat) * METRES_PER_DEGREE
    side = max(width, height)
    width, height = width + 2 * margin * side, height + 2 * margin * side
    # Square cells: the box's width to height must be columns to rows.
    ratio = len(COLUMNS) / ROWS
    height = max(height, width / ratio, MIN_SIDE_M)
    width = height * ratio
    half_lon, half_lat = width / 2 / (k * METRES_PER_DEGREE), height / 2 / METRES_PER_DEGREE
    return Grid(centre_lon - half_lon, centre_lat - half_lat, centre_lon + half_lon, centre_lat + half_lat)


def grid_for(geometry, margin: float = MARGIN) -> Grid:
    """The grid over a shapely geometry (the study perimeter, else the boundary)."""
    if geometry is None or geometry.is_empty:
        raise ValueError("an empty geometry has no grid")
    return grid_over(geometry.bounds, margin)


def label(column: int, row: int) -> str:
    """The cell's name: column 0, row 0 is "A1" (the north-west corner)."""
    return f"{COLUMNS[column]}{row + 1}"


def cells(grid: Grid) -> list[str]:
    """Every cell's label, row by row from the north, west to east in each: A1, B1 … H6."""
    return [label(c, r) for r in range(grid.rows) for c in range(grid.columns)]


def parse_label(text) -> tuple[int, int] | None:
    """" c4 " -> (2, 3) (column, row from 0); None for anything that is not a cell of the grid."""
    match = LABEL.fullmatch(str(text or "").strip().upper())
    if not match:
        return None
    column, row = COLUMNS.find(match.group(1)), int(match.group(2)) - 1
    return (column, row) if column >= 0 and 0 <= row < ROWS else None


def cell_of(grid: Grid, lon: float, lat: float) -> str | None:
    """The cell a point falls in, or None outside the grid. A point on a line between two cells
    belongs to the cell east of it or south of it; the grid's east and south edges are its own."""
    if not (math.isfinite(lon) and math.isfinite(lat)):
        return None
    if not (grid.west <= lon <= grid.east and grid.south <= lat <= grid.north):
        return None
    column = min(int((lon - grid.west) / grid.cell_lon), grid.columns - 1)
    row = min(int((grid.north - lat) / grid.cell_lat), grid.rows - 1)
    return label(column, row)


def centre_of(grid: Grid, cell) -> tuple[float, float] | None:
    """The (lon, lat) of a cell's centre, or None when the label names no cell ("I9", "A0", "A7")."""
    parsed = parse_label(cell)
    if parsed is None:
        return None
    column, row = parsed
    return grid.west + (column + 0.5) * grid.cell_lon, grid.north - (row + 0.5) * grid.cell_lat


@dataclass(frozen=True)
class PageFrame:
    """The grid's box drawn `width` page units wide (millimetres, say), north up, the same scale
    both ways on the ground: x grows eastwards, y southwards, (0, 0) the north-west corner."""

    grid: Grid
    width: float

    @property
    def scale(self) -> float:
        """Page units per degree of longitude."""
        return self.width / (self.grid.east - self.grid.west)

    @property
    def height(self) -> float:
        return (self.grid.north - self.grid.south) * self.scale / self.grid.cos_lat

    @property
    def units_per_metre(self) -> float:
        return self.width / ((self.grid.east - self.grid.west) * self.grid.cos_lat * METRES_PER_DEGREE)

    def point(self, lon: float, lat: float) -> tuple[float, float]:
        return (lon - self.grid.west) * self.scale, (self.grid.north - lat) * self.scale / self.grid.cos_lat

    def column_x(self, column: int) -> float:
        return self.width * column / self.grid.columns

    def row_y(self, row: int) -> float:
        return self.height * row / self.grid.rows
