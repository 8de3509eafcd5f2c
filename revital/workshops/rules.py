"""Workshops: their kinds, what their form must hold, who gets a place and who waits, what closing
one asks for. Pure rules: no web, no database."""

import re
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from revital.formatting import PARIS
from revital.text import clean_line, clean_text, parse_date

TITLE_MAX = 160
ADDRESS_MAX = 200
FACILITATORS_MAX = 300
AGENDA_MAX = 20_000
MINUTES_MAX = 50_000
NAME_MAX = 80
EMAIL_MAX = 254
CAPACITY_MAX = 2000
PEOPLE_MAX = 10  # people on one registration (a family, a few neighbours)
LONGEST = timedelta(days=7)  # a student week is not a workshop; a walk, a day, a weekend are
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

WALK, THEMATIC, MAPPING, RESTITUTION, PRIORITISATION = "walk", "thematic", "mapping", "restitution", "prioritisation"
PUBLIC_MEETING, TECHNICAL, STEERING = "public_meeting", "technical", "steering"
KINDS = {
    WALK: "Diagnostic en marchant",
    THEMATIC: "Atelier thématique",
    MAPPING: "Atelier cartographique",
    RESTITUTION: "Restitution",
    PRIORITISATION: "Atelier de priorisation",
    PUBLIC_MEETING: "Réunion publique",
    TECHNICAL: "Réunion technique avec les partenaires",
    STEERING: "Comité de pilotage",
}
# Seen by the local group and the partners only, whatever the form says.
INTERNAL = {TECHNICAL, STEERING}

PLANNED, CANCELLED, CLOSED = "planned", "cancelled", "closed"
STATUSES = {PLANNED: "Prévu", CANCELLED: "Annulé", CLOSED: "Tenu, compte rendu publié"}

CONFIRMED, WAITING, WITHDRAWN = "confirmed", "waiting", "cancelled"
REGISTRATION_STATUSES = {CONFIRMED: "Inscrit·e", WAITING: "En liste d’attente", WITHDRAWN: "Désinscrit·e"}


def is_public(kind: str, public: bool) -> bool:
    return public and kind not in INTERNAL


def parse_time(value) -> time | None:
    """"18:30", "18h30", "18h", "9:05"."""
    match = re.fullmatch(r"(\d{1,2})\s*[:hH]\s*(\d{2})?", (value or "").strip())
    if not match:
        return None
    hours, minutes = int(match.group(1)), int(match.group(2) or 0)
    return time(hours, minutes) if hours < 24 and minutes < 60 else None


def at_paris(day, clock: time | None) -> datetime | None:
    """A day and a clock time in Paris as a UTC instant (the clock time of a DST gap moves on by an hour)."""
    if day is None or clock is None:
        return None
    local = datetime.combine(day, clock, tzinfo=PARIS)
    return local.astimezone(UTC)


@dataclass(frozen=True)
class WorkshopFields:
    kind: str
    title: str
    starts_at: datetime | None
    ends_at: datetime | None
    place_id: int | None
    address: str
    facilitators: str
    agenda: str
    capacity: int | None
    public: bool
    registration_open: bool


def clean_workshop(data: dict, place_ids: set[int]) -> tuple[WorkshopFields, dict]:
    """Check the workshop form (dates and times are Paris time); the values and French errors."""
    day = parse_date(data.get("date"))
    start, end = parse_time(data.get("start")), parse_time(data.get("end"))
    end_day = parse_date(data.get("end_date")) or day
    starts_at, ends_at = at_paris(day, start), at_paris(end_day, end)
    place_raw = (data.get("place") or "").strip()
    place_id = int(place_raw) if place_raw.isdigit() and int(place_raw) in place_ids else None
    capacity_raw = (data.get("capacity") or "").strip()
    capacity = int(capacity_raw) if capacity_raw.isdigit() and len(capacity_raw) <= 5 else None
    kind = data.get("kind") or ""
    fields = WorkshopFields(
        kind=kind, title=clean_line(data.get("title")), starts_at=starts_at, ends_at=ends_at, place_id=place_id,
        address=clean_line(data.get("address")), facilitators=clean_line(data.get("facilitators")),
        agenda=clean_text(data.get("agenda")), capacity=capacity,
        public=is_public(kind, data.get("public") == "on"), registration_open=data.get("registration_open") == "on",
    )
    errors = {}
    if kind not in KINDS:
        errors["kind"] = "Choisissez le type de rencontre."
    if len(fields.title) < 3:
        errors["title"] = "Donnez un titre à la rencontre (3 caractères au moins)."
    elif len(fields.title) > TITLE_MAX:
        errors["title"] = f"Le titre ne peut pas dépasser {TITLE_MAX} caractères ({len(fields.title)} actuellement)."
    if day is None:
        errors["date"] = "Indiquez la date (par exemple 14/03/2027)."
    if start is None:
        errors["start"] = "Indiquez l’heure de début (par exemple 18:30)."
    if end is None:
        errors["end"] = "Indiquez l’heure de fin (par exemple 20:30)."
    elif data.get("end_date") and parse_date(data.get("end_date")) is None:
        errors["end_date"] = "Indiquez le jour de fin comme le jour de début (par exemple 15/03/2027), ou laissez vide."
    elif starts_at and ends_at and ends_at <= starts_at:
        errors["end"] = "La fin doit suivre le début."
    elif starts_at and ends_at and ends_at - starts_at > LONGEST:
        errors["end"] = "Une rencontre dure une semaine au plus."
    if place_raw and place_id is None:
        errors["place"] = "Choisissez un des lieux de la liste, ou laissez vide et donnez l’adresse."
    if place_id is None and not fields.address:
        errors["address"] = "Indiquez où a lieu la rencontre : un lieu de la liste ou une adresse."
    elif len(fields.address) > ADDRESS_MAX:
        errors["address"] = f"L’adresse ne peut pas dépasser {ADDRESS_MAX} caractères."
    if len(fields.facilitators) > FACILITATORS_MAX:
        errors["facilitators"] = f"{FACILITATORS_MAX} caractères au plus pour les animateurs."
    if len(fields.agenda) > AGENDA_MAX:
        errors["agenda"] = f"Le programme ne peut pas dépasser {AGENDA_MAX} caractères."
    if capacity_raw and (capacity is None or not 1 <= capacity <= CAPACITY_MAX):
        errors["capacity"] = f"Indiquez un nombre de places entre 1 et {CAPACITY_MAX}, ou laissez vide s’il n’y a pas de limite."
    return fields, errors


@dataclass(frozen=True)
class RegistrationFields:
    name: str
    email: str | None
    people: int


def clean_registration(data: dict) -> tuple[RegistrationFields, dict]:
    name = clean_line(data.get("name"))
    email = (data.get("email") or "").strip().lower() or None
    people_raw = (data.get("people") or "1").strip()
    people = int(people_raw) if people_raw.isdigit() and len(people_raw) <= 3 else 0
    errors = {}
    if not name:
        errors["name"] = "Indiquez votre nom (ou celui du groupe), tel qu’il figurera sur la feuille d’émargement."
    elif len(name) > NAME_MAX:
        errors["name"] = f"Le nom ne peut pas dépasser {NAME_MAX} caractères."
    if email is not None and (len(email) > EMAIL_MAX or not EMAIL.match(email)):
        errors["email"] = "Cette adresse e-mail n’est pas valide (par exemple nom@exemple.fr) ; elle est facultative."
    if not 1 <= people <= PEOPLE_MAX:
        errors["people"] = f"Indiquez combien vous serez, de 1 à {PEOPLE_MAX}."
        people = 1
    return RegistrationFields(name[:NAME_MAX], email, people), errors


def seats_left(capacity: int | None, confirmed_people: int) -> int | None:
    """Places still free, or None when there is no limit."""
    return None if capacity is None else max(0, capacity - confirmed_people)


def status_for(capacity: int | None, confirmed_people: int, people: int, someone_waits: bool) -> str:
    """A new registration is confirmed if its people fit and nobody waits before it."""
    if capacity is None:
        return CONFIRMED
    return CONFIRMED if not someone_waits and confirmed_people + people <= capacity else WAITING


def promotions(capacity: int | None, confirmed_people: int, waiting: list[tuple[int, int]]) -> list[int]:
    """The waiting registrations (id, people), in their order, that now get a place: first come,
    first served; the first that does not fit stops the list (nobody is passed over)."""
    promoted = []
    for registration_id, people in waiting:
        if capacity is not None and confirmed_people + people > capacity:
            break
        confirmed_people += people
        promoted.append(registration_id)
    return promoted


def can_register(status: str, registration_open: bool, public: bool, ends_at: datetime, now: datetime) -> str | None:
    """Why one may not register (French), or None."""
    if not public:
        return "Cette rencontre est réservée au groupe local et aux partenaires."
    if status == CANCELLED:
        return "Cette rencontre est annulée."
    if status == CLOSED or ends_at <= now:
        return "Cette rencontre a eu lieu : les inscriptions sont closes."
    if not registration_open:
        return "Les inscriptions ne se font pas en ligne pour cette rencontre : venez directement."
    return None


def clean_closing(data: dict) -> tuple[dict, dict]:
    """The closing form: the minutes (required) and how many came."""
    minutes = clean_text(data.get("minutes"))
    raw = (data.get("attendance") or "").strip()
    attendance = int(raw) if raw.isdigit() and len(raw) <= 5 else None
    errors = {}
    if len(minutes) < 20:
        errors["minutes"] = "Rédigez le compte rendu (20 caractères au moins) : c’est lui qui clôt la rencontre."
    elif len(minutes) > MINUTES_MAX:
        errors["minutes"] = f"Le compte rendu ne peut pas dépasser {MINUTES_MAX} caractères : joignez plutôt un PDF."
    if attendance is None:
        errors["attendance"] = "Indiquez combien de personnes sont venues (un nombre, 0 s’il n’y avait personne)."
    return {"minutes": minutes, "attendance": attendance if attendance is not None else raw}, errors
