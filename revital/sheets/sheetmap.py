"""The small map of an action sheet's location, drawn from our own geometries (no tile server: it
prints anywhere, and the page shows it without JavaScript). Pure: shapely and the projection of
the workshop kit's map (revital.workshops.grid.PageFrame, revital.workshops.kitmap.path_data and
scale_bar), in millimetres on the page; templates/sheets/_map.html writes the SVG.

Drawn: the land outside the commune greyed, the commune's boundary, the study perimeter, and the
sheet's geometry (an area filled, a line, or a point as a marker; a named place as a point).
The window covers the sheet's geometry and the perimeter (else the boundary), with a margin.
"""

from dataclasses import dataclass

import shapely
from shapely.geometry import Point, box, shape

from revital.workshops.grid import PageFrame, grid_over
from revital.workshops.kitmap import path_data, scale_bar

WIDTH = 120.0  # mm on the page
MARGIN = 0.12  # of the window's larger side


@dataclass(frozen=True)
class SheetMap:
    width: float
    height: float
    outside: str  # SVG path data
    boundary: str
    perimeter: str
    area: str  # the sheet's polygon(s)
    line: str  # the sheet's line(s)
    point: tuple[float, float] | None  # the sheet's point, or its named place
    scale_length: float
    scale_label: str


def as_shape(geometry: dict | None):
    """A shapely geometry from a GeoJSON dict, or None if absent or unreadable."""
    if not geometry:
        return None
    try:
        found = shape(geometry)
    except (ValueError, TypeError, AttributeError, KeyError, shapely.errors.GEOSException):
        return None
    return None if found.is_empty else found


def draw(boundary, perimeter, geometry=None, place: tuple[float, float] | None = None,
         width: float = WIDTH) -> SheetMap | None:
    """The drawing, or None when there is nothing to draw a map from (no geometry at all).
    boundary, perimeter, geometry: shapely geometries or None; place: (lon, lat) of the named place,
    used when the sheet has no geometry of its own."""
    if geometry is None and place is not None:
        geometry = Point(place)
    frames = [g for g in (geometry, perimeter) if g is not None and not g.is_empty]
    if not frames and boundary is not None and not boundary.is_empty:
        frames = [boundary]
    if not frames:
        return None
    grid = grid_over(shapely.union_all(frames).bounds, MARGIN)
    frame = PageFrame(grid, width)
    window = box(grid.west, grid.south, grid.east, grid.north)

    def clipped(g):
        return g.intersection(window) if g is not None and not g.is_empty else None

    outside = window.difference(boundary) if boundary is not None and not boundary.is_empty else None
    boundary_lines = (shapely.clip_by_rect(boundary.boundary, grid.west, grid.south, grid.east, grid.north)
                      if boundary is not None and not boundary.is_empty else None)
    area = line = ""
    point = None
    if geometry is not None:
        kind = geometry.geom_type
        if kind in ("Point", "MultiPoint"):
            centre = geometry.centroid
            point = tuple(round(v, 2) for v in frame.point(centre.x, centre.y))
        elif kind in ("LineString", "MultiLineString"):
            line = path_data(clipped(geometry), frame)
        else:
            area = path_data(clipped(geometry), frame)
    length, label = scale_bar(frame)
    return SheetMap(
        width=round(frame.width, 2), height=round(frame.height, 2),
        outside=path_data(outside, frame) if outside is not None else "",
        boundary=path_data(boundary_lines, frame) if boundary_lines is not None else "",
        perimeter=path_data(clipped(perimeter), frame) if perimeter is not None and not perimeter.is_empty else "",
        area=area, line=line, point=point, scale_length=length, scale_label=label,
    )
