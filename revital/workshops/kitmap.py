"""The workshop kit's map, drawn from our own geometries: no tile server, so that it prints
anywhere. Pure (shapely and the grid): what to draw, in millimetres on the page; the template
(templates/workshops/_kit_map.html) writes the SVG, escaping every name.

Drawn: the land outside the commune greyed, the commune's boundary, the study perimeter, the
named places as numbered dots, the lettered grid (revital.workshops.grid) with its letters and
numbers in the margins, a scale bar and a north arrow.
"""

from dataclasses import dataclass

import shapely
from shapely.geometry import box

from revital.workshops.grid import COLUMNS, Grid, PageFrame, cell_of, grid_for

FRAME_WIDTH = 300.0  # mm: the grid's box on an A3 landscape page, beside the legend
GUTTER = 8.0  # mm around the frame, for the grid's letters and numbers
SCALE_MAX = 60.0  # mm: the longest scale bar
NICE_LENGTHS = (10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 2500, 5000, 10_000, 20_000)


@dataclass(frozen=True)
class MapPlace:
    number: int
    name: str
    cell: str | None  # None: outside the map
    x: float
    y: float


@dataclass(frozen=True)
class MapDrawing:
    grid: Grid
    width: float  # the whole drawing, gutters included (mm)
    height: float
    frame_width: float
    frame_height: float
    gutter: float
    outside: str  # SVG path data, frame coordinates
    boundary: str
    perimeter: str
    columns: list[tuple[str, float]]  # letter, x of the column's middle
    rows: list[tuple[str, float]]  # number, y of the row's middle
    vertical: list[float]  # x of the grid's lines
    horizontal: list[float]
    places: list[MapPlace]
    scale_length: float  # mm
    scale_label: str

    @property
    def cell_side(self) -> str:
        return distance_fr(self.grid.cell_metres)


def distance_fr(metres: float) -> str:
    """"50 m", "1 km", "2,5 km"."""
    if metres < 1000:
        return f"{round(metres):d} m"
    kilometres = round(metres / 1000, 1)
    return (f"{kilometres:.1f}".rstrip("0").rstrip(".").replace(".", ",")) + " km"


def path_data(geometry, frame: PageFrame) -> str:
    """SVG path data of a geometry's rings and lines in page coordinates, 0.01 mm precise."""
    parts = []
    for part in getattr(geometry, "geoms", [geometry]):
        if part.is_empty:
            continue
        if part.geom_type == "Polygon":
            for ring in (part.exterior, *part.interiors):
                parts.append(_line(ring.coords, frame) + "Z")
        elif part.geom_type in ("LineString", "LinearRing"):
            parts.append(_line(part.coords, frame))
        elif hasattr(part, "geoms"):
            parts.append(path_data(part, frame))
    return " ".join(p for p in parts if p)


def _line(coords, frame: PageFrame) -> str:
    points = [frame.point(lon, lat) for lon, lat, *_ in coords]
    if len(points) < 2:
        return ""
    return "M" + "L".join(f"{x:.2f},{y:.2f}" for x, y in points)


def scale_bar(frame: PageFrame) -> tuple[float, str]:
    """The longest round distance that fits in SCALE_MAX: its length on the page and its label."""
    fitting = [m for m in NICE_LENGTHS if m * frame.units_per_metre <= SCALE_MAX] or [NICE_LENGTHS[0]]
    metres = fitting[-1]
    return metres * frame.units_per_metre, distance_fr(metres)


def draw(boundary, perimeter, places, frame_width: float = FRAME_WIDTH) -> MapDrawing:
    """The drawing of a commune's map. boundary, perimeter: shapely geometries or None (the grid
    covers the perimeter, else the boundary; one of them is needed); places: (name, lon, lat)
    in the order of their numbers."""
    zone = perimeter if perimeter is not None and not perimeter.is_empty else boundary
    if zone is None or zone.is_empty:
        raise ValueError("a map needs a perimeter or a boundary")
    grid = grid_for(zone)
    frame = PageFrame(grid, frame_width)
    window = box(grid.west, grid.south, grid.east, grid.north)
    if boundary is not None and not boundary.is_empty:
        outside = window.difference(boundary)
        boundary_lines = shapely.clip_by_rect(boundary.boundary, grid.west, grid.south, grid.east, grid.north)
    else:
        outside, boundary_lines = None, None
    drawn_places = []
    for number, (name, lon, lat) in enumerate(places, start=1):
        x, y = frame.point(lon, lat)
        drawn_places.append(MapPlace(number, name, cell_of(grid, lon, lat), round(x, 2), round(y, 2)))
    length, label = scale_bar(frame)
    return MapDrawing(
        grid=grid, width=frame.width + 2 * GUTTER, height=frame.height + 2 * GUTTER,
        frame_width=frame.width, frame_height=frame.height, gutter=GUTTER,
        outside=path_data(outside, frame) if outside is not None else "",
        boundary=path_data(boundary_lines, frame) if boundary_lines is not None else "",
        perimeter=path_data(perimeter.intersection(window), frame) if perimeter is not None and not perimeter.is_empty else "",
        columns=[(letter, (frame.column_x(i) + frame.column_x(i + 1)) / 2) for i, letter in enumerate(COLUMNS)],
        rows=[(str(i + 1), (frame.row_y(i) + frame.row_y(i + 1)) / 2) for i in range(grid.rows)],
        vertical=[frame.column_x(i) for i in range(grid.columns + 1)],
        horizontal=[frame.row_y(i) for i in range(grid.rows + 1)],
        places=drawn_places, scale_length=length, scale_label=label,
    )
