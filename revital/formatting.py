"""Jinja filters: French dates and numbers."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")
MONTHS = [
    "janvier", "février", "mars", "avril", "mai", "juin",
    "juillet", "août", "septembre", "octobre", "novembre", "décembre",
]


def date_fr(value: datetime | None) -> str:
    if value is None:
        return ""
    local = value.astimezone(PARIS) if value.tzinfo else value.replace(tzinfo=UTC).astimezone(PARIS)
    day = "1er" if local.day == 1 else str(local.day)
    return f"{day} {MONTHS[local.month - 1]} {local.year}"


def datetime_fr(value: datetime | None) -> str:
    if value is None:
        return ""
    local = value.astimezone(PARIS)
    return f"{date_fr(value)} à {local.hour} h {local.minute:02d}"


def number_fr(value: int | float | None) -> str:
    if value is None:
        return ""
    return f"{value:,}".replace(",", "\u202f")


def iso(value: datetime | None) -> str:
    return value.isoformat() if value else ""


FILTERS = {"date_fr": date_fr, "datetime_fr": datetime_fr, "number_fr": number_fr, "iso": iso}
