"""The map of a roadmap's actions, an SVG string drawn from our own geometries (no tile server:
it prints anywhere, in the PDF as on the page). Pure: shapely and the workshop kit's projection.

Drawn: the land outside the commune greyed, the commune's boundary, the study perimeter, each
located action (a point, a line or an area) with its number, a scale bar and a north arrow. The
projection and the path data are the workshop kit's (revital.workshops.grid.PageFrame over a box,
revital.workshops.kitmap.path_data and scale_bar): one way to put a commune on paper."""

from html import escape

from shapely.geometry import box, shape

from revital.workshops.grid import PageFrame, grid_over
from revital.workshops.kitmap import path_data, scale_bar

WIDTH = 180.0  # page units (millimetres in the PDF)
MARGIN = 0.06
COLOURS = ("#b3540b", "#1f6f5c", "#6b3fa0", "#1f4e79", "#8a6d00", "#a02b55")


def geometry_of(action: dict):
    """The action's shapely geometry, or None when it has none or it cannot be read."""
    found = action.get("geometry")
    if not found:
        return None
    try:
        geometry = shape(found)
    except (ValueError, TypeError, KeyError, AttributeError):
        return None
    return None if geometry.is_empty else geometry


def anchor(geometry):
    """Where the action's number goes: the point, the middle of a line, a point inside an area."""
    if geometry.geom_type == "Point":
        return geometry.x, geometry.y
    if geometry.geom_type in ("LineString", "MultiLineString"):
        middle = geometry.interpolate(0.5, normalized=True) if geometry.geom_type == "LineString" else \
            geometry.geoms[0].interpolate(0.5, normalized=True)
        return middle.x, middle.y
    point = geometry.representative_point()
    return point.x, point.y


def located(snapshot: dict) -> list[tuple[dict, object]]:
    return [(a, g) for a in snapshot["actions"] if (g := geometry_of(a)) is not None]


def svg(snapshot: dict, boundary=None, perimeter=None, width: float = WIDTH, unit: str = "") -> str:
    """The map; an empty string when there is nothing to draw (no boundary, perimeter or located
    action). boundary, perimeter: shapely geometries or None. unit: "mm" for the PDF, "" for
    the page (the SVG then scales to its box)."""
    actions = located(snapshot)
    zones = [g for g in (boundary, perimeter) if g is not None and not g.is_empty] + [g for _, g in actions]
    if not zones:
        return ""
    west = min(g.bounds[0] for g in zones)
    south = min(g.bounds[1] for g in zones)
    east = max(g.bounds[2] for g in zones)
    north = max(g.bounds[3] for g in zones)
    # Frame the perimeter and the actions when there are some (a commune's boundary is large).
    focus = [g for g in ([perimeter] if perimeter is not None and not perimeter.is_empty else []) + [g for _, g in actions]]
    if focus:
        west, south = min(g.bounds[0] for g in focus), min(g.bounds[1] for g in focus)
        east, north = max(g.bounds[2] for g in focus), max(g.bounds[3] for g in focus)
    grid = grid_over((west, south, east, north), MARGIN)
    frame = PageFrame(grid, width)
    window = box(grid.west, grid.south, grid.east, grid.north)
    height = frame.height
    size = f' width="{width:.2f}{unit}" height="{height:.2f}{unit}"' if unit else ""
    name = f"Carte des actions de la feuille de route de {snapshot['commune']['name']}"
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="action-map" viewBox="0 0 {width:.2f} {height:.2f}"{size} '
        f'role="img" aria-labelledby="carte-titre" font-family="sans-serif">',
        f'<title id="carte-titre">{escape(name)}</title>',
        f'<rect x="0" y="0" width="{width:.2f}" height="{height:.2f}" fill="#ffffff"/>',
    ]
    if boundary is not None and not boundary.is_empty:
        outside = window.difference(boundary)
        if not outside.is_empty:
            out.append(f'<path class="outside" d="{path_data(outside, frame)}" fill="#e4e4e4" fill-rule="evenodd"/>')
        lines = boundary.boundary.intersection(window)
        if not lines.is_empty:
            out.append(f'<path class="boundary" d="{path_data(lines, frame)}" fill="none" stroke="#333333" '
                       f'stroke-width="0.5" stroke-dasharray="3 1.2"/>')
    if perimeter is not None and not perimeter.is_empty:
        out.append(f'<path class="perimeter" d="{path_data(perimeter.intersection(window), frame)}" fill="#f5d28a" '
                   f'fill-opacity="0.35" fill-rule="evenodd" stroke="#b3540b" stroke-width="0.6"/>')
    labels = []
    for i, (action, geometry) in enumerate(actions):
        colour = COLOURS[i % len(COLOURS)]
        label = escape(f"{action['number']}. {action['title']}")
        kind = geometry.geom_type
        if kind in ("Polygon", "MultiPolygon"):
            out.append(f'<path class="action-area" d="{path_data(geometry, frame)}" fill="{colour}" fill-opacity="0.25" '
                       f'stroke="{colour}" stroke-width="0.6"><title>{label}</title></path>')
        elif kind in ("LineString", "MultiLineString"):
            out.append(f'<path class="action-line" d="{path_data(geometry, frame)}" fill="none" stroke="{colour}" '
                       f'stroke-width="1.4" stroke-linecap="round"><title>{label}</title></path>')
        lon, lat = anchor(geometry)
        x, y = frame.point(lon, lat)
        labels.append(f'<g class="action-mark"><title>{label}</title>'
                      f'<circle cx="{x:.2f}" cy="{y:.2f}" r="3" fill="#ffffff" stroke="{colour}" stroke-width="0.8"/>'
                      f'<text x="{x:.2f}" y="{y + 1.2:.2f}" font-size="3.4" font-weight="bold" text-anchor="middle" '
                      f'fill="{colour}">{int(action["number"])}</text></g>')
    out.extend(labels)
    length, scale_label = scale_bar(frame)
    out.append(f'<g transform="translate({width - 10:.2f},5)"><polygon points="0,0 2.6,7 0,5.5 -2.6,7" fill="#222222"/>'
               f'<text x="0" y="11" font-size="3.4" font-weight="bold" text-anchor="middle">N</text></g>')
    out.append(f'<g transform="translate(5,{height - 5:.2f})"><rect x="0" y="-1.6" width="{length:.2f}" height="1.4" '
               f'fill="#222222"/><text x="0" y="-3" font-size="3">0</text><text x="{length:.2f}" y="-3" font-size="3" '
               f'text-anchor="end">{escape(scale_label)}</text></g>')
    out.append(f'<rect x="0" y="0" width="{width:.2f}" height="{height:.2f}" fill="none" stroke="#1f4e79" stroke-width="0.5"/>')
    out.append("</svg>")
    return "\n".join(out)


def unlocated(snapshot: dict) -> list[dict]:
    """The actions the map cannot show (no geometry): the page lists them with their place."""
    return [a for a in snapshot["actions"] if geometry_of(a) is None]
