"""Jinja filters: French dates and numbers."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")
MONTHS = [
    "janvier", "février", "mars", "avril", "mai", "juin",
    "juillet", "août", "septembre", "octobre", "novembre", "décembre",
]


def paris(value: datetime) -> datetime:
    """Local time in France; a naive datetime is taken as UTC, as the database stores it."""
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(PARIS)


def date_fr(value: datetime | None) -> str:
    if value is None:
        return ""
    local = paris(value)
    day = "1er" if local.day == 1 else str(local.day)
    return f"{day} {MONTHS[local.month - 1]} {local.year}"


def day_fr(value: date | None) -> str:
    """A calendar date (no time, no zone: a call's closing day) the French way: "1er mars 2027"."""
    if value is None:
        return ""
    day = "1er" if value.day == 1 else str(value.day)
    return f"{day} {MONTHS[value.month - 1]} {value.year}"


def datetime_fr(value: datetime | None) -> str:
    if value is None:
        return ""
    local = paris(value)
    return f"{date_fr(value)} à {local.hour} h {local.minute:02d}"


WEEKDAYS = ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"]


def clock_fr(value: datetime) -> str:
    local = paris(value)
    return f"{local.hour} h {local.minute:02d}" if local.minute else f"{local.hour} h"


def span_fr(start: datetime | None, end: datetime | None) -> str:
    """When a meeting takes place, in France: "jeudi 14 mars 2027, de 18 h 30 à 20 h 30"; over
    several days, "du samedi 6 mars 2027 à 9 h au dimanche 7 mars 2027 à 17 h"."""
    if start is None or end is None:
        return ""
    first, last = paris(start), paris(end)
    if first.date() == last.date():
        return f"{WEEKDAYS[first.weekday()]} {date_fr(start)}, de {clock_fr(start)} à {clock_fr(end)}"
    return (f"du {WEEKDAYS[first.weekday()]} {date_fr(start)} à {clock_fr(start)} "
            f"au {WEEKDAYS[last.weekday()]} {date_fr(end)} à {clock_fr(end)}")


def number_fr(value: int | float | None) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and not value.is_integer():
        whole, _, decimals = f"{value:,.2f}".rstrip("0").partition(".")
        return whole.replace(",", "\u202f") + "," + decimals
    return f"{int(value):,}".replace(",", "\u202f")


def coords_fr(point) -> str:
    """A position as French readers write it: latitude first, decimal comma, 5 decimals (about a
    metre), N or S, then E or O (ouest): "44,45641 N, 3,56335 E". point: a (lon, lat) pair, in
    the order of GeoJSON and shapely, or anything with lon and lat attributes. The same format as
    the map's announcements (static/js/revital-maps.js)."""
    if point is None:
        return ""
    lon, lat = (point.lon, point.lat) if hasattr(point, "lon") else point
    if lon is None or lat is None:
        return ""

    def part(value: float, positive: str, negative: str) -> str:
        value = round(value, 5) + 0.0  # + 0.0 turns -0.0 into 0.0
        return f"{abs(value):.5f}".replace(".", ",") + " " + (negative if value < 0 else positive)

    return f"{part(lat, 'N', 'S')}, {part(lon, 'E', 'O')}"


def iso(value: datetime | None) -> str:
    return value.isoformat() if value else ""


FILTERS = {"date_fr": date_fr, "day_fr": day_fr, "datetime_fr": datetime_fr, "number_fr": number_fr, "iso": iso,
           "coords_fr": coords_fr, "clock_fr": clock_fr}
# Functions the templates call with several arguments.
GLOBALS = {"span_fr": span_fr}
