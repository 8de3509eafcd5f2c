"""Jinja filters: French dates and numbers."""

from datetime import UTC, datetime
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


def datetime_fr(value: datetime | None) -> str:
    if value is None:
        return ""
    local = paris(value)
    return f"{date_fr(value)} à {local.hour} h {local.minute:02d}"


def number_fr(value: int | float | None) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and not value.is_integer():
        whole, _, decimals = f"{value:,.2f}".rstrip("0").partition(".")
        return whole.replace(",", "\u202f") + "," + decimals
    return f"{int(value):,}".replace(",", "\u202f")


def iso(value: datetime | None) -> str:
    return value.isoformat() if value else ""


FILTERS = {"date_fr": date_fr, "datetime_fr": datetime_fr, "number_fr": number_fr, "iso": iso}
