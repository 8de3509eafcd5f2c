"""Workshops as iCalendar (RFC 5545), with the icalendar library: one event for the confirmation
e-mail, and the feeds of a commune and of a territory. An event names no person: no organiser,
no attendee; its UID is stable, so that a calendar that subscribed updates it in place."""

from datetime import datetime

from icalendar import Calendar, Event

from revital.workshops import rules

PRODID = "-//Revital//Ateliers//FR"


def location_of(workshop) -> str:
    if workshop.place is not None:
        return workshop.place.name + (f", {workshop.address}" if workshop.address else "")
    return workshop.address


def event(workshop, commune_name: str, url: str, domain: str, now: datetime) -> Event:
    item = Event()
    item.add("uid", f"atelier-{workshop.id}@{domain}")
    item.add("dtstamp", now)
    item.add("dtstart", workshop.starts_at)
    item.add("dtend", workshop.ends_at)
    item.add("summary", f"{workshop.title} ({commune_name})")
    item.add("description", f"{rules.KINDS[workshop.kind]} de la démarche de revitalisation du centre-bourg de "
                            f"{commune_name}.\n{url}")
    item.add("location", f"{location_of(workshop)}, {commune_name}".strip(", "))
    item.add("url", url)
    item.add("sequence", workshop.version)
    item.add("last-modified", workshop.updated_at)
    if workshop.place is not None:
        item.add("geo", (workshop.place.lat, workshop.place.lon))
    item.add("status", "CANCELLED" if workshop.status == rules.CANCELLED else "CONFIRMED")
    return item


def calendar(name: str, events: list[Event], method: str | None = None) -> bytes:
    feed = Calendar()
    feed.add("prodid", PRODID)
    feed.add("version", "2.0")
    feed.add("calscale", "GREGORIAN")
    feed.add("x-wr-calname", name)
    feed.add("x-wr-timezone", "Europe/Paris")
    if method:
        feed.add("method", method)
    for item in events:
        feed.add_component(item)
    return feed.to_ical()
