"""Workshops in the database: the lists of a commune and of a territory, writing, cancelling and
closing one (closing writes the journal entry), and the registrations with their waiting list.

Registering and withdrawing lock the workshop's row first (PostgreSQL; SQLite serialises its
writers already), so that two people at once never take the last place twice."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session, selectinload, undefer

from revital import documents

from revital.communes.models import Commune
from revital.contributions.models import Contribution
from revital.db import utcnow
from revital.journal import services as journal
from revital.markdown import plain
from revital.photos import store as photo_store
from revital.photos.models import Photo
from revital.workshops import notices, rules
from revital.workshops.models import Registration, Workshop, WorkshopDocument, WorkshopPhoto

ACTIVE = (rules.CONFIRMED, rules.WAITING)
MAX_DOCUMENTS = 10


@dataclass(frozen=True)
class Counts:
    confirmed: int = 0  # people with a place
    waiting: int = 0  # people on the waiting list
    registrations: int = 0


def visible(query, include_internal: bool):
    return query if include_internal else query.where(Workshop.public.is_(True))


def of_commune(db: Session, commune_id: int, include_internal: bool = False) -> list[Workshop]:
    """Every workshop of the commune, the latest first (with its place)."""
    query = (select(Workshop).where(Workshop.commune_id == commune_id).options(selectinload(Workshop.place))
             .order_by(Workshop.starts_at.desc(), Workshop.id.desc()))
    return list(db.scalars(visible(query, include_internal)))


def split(workshops: list[Workshop], now: datetime) -> tuple[list[Workshop], list[Workshop]]:
    """(upcoming, soonest first; past, latest first)."""
    upcoming = sorted((w for w in workshops if w.ends_at > now and w.status != rules.CLOSED),
                      key=lambda w: (w.starts_at, w.id))
    past = [w for w in workshops if not (w.ends_at > now and w.status != rules.CLOSED)]
    return upcoming, past


def of_territory(db: Session, territory_id: int, since: datetime) -> list[tuple[Workshop, Commune]]:
    """The public workshops of the territory's communes that end after `since`, soonest first."""
    rows = db.execute(select(Workshop, Commune).join(Commune, Commune.id == Workshop.commune_id)
                      .where(Commune.territory_id == territory_id, Workshop.public.is_(True), Workshop.ends_at >= since)
                      .options(selectinload(Workshop.place)).order_by(Workshop.starts_at, Workshop.id).limit(500)).all()
    return [(w, c) for w, c in rows]


def workshop_in(db: Session, commune_id: int, workshop_id: int) -> Workshop | None:
    return db.scalar(select(Workshop).where(Workshop.id == workshop_id, Workshop.commune_id == commune_id)
                     .options(selectinload(Workshop.place)))


def public_choices(db: Session, commune_id: int) -> dict[int, tuple[str, bool]]:
    """{id: (title, closed)} of the commune's public workshops, the latest first: the workshop
    filter of the contributions' list and map feed (handed to them as app.state.workshop_choices)."""
    rows = db.execute(select(Workshop.id, Workshop.title, Workshop.status, Workshop.kind)
                      .where(Workshop.commune_id == commune_id, Workshop.public.is_(True))
                      .order_by(Workshop.starts_at.desc(), Workshop.id.desc())).all()
    return {i: (title, status == rules.CLOSED) for i, title, status, kind in rows if rules.is_public(kind, True)}


def held(db: Session, commune_id: int, now: datetime) -> list[Workshop]:
    """The workshops of the commune (internal ones too) that have started and are not cancelled,
    the latest first: those whose paper sheets may be entered."""
    return list(db.scalars(select(Workshop).where(Workshop.commune_id == commune_id, Workshop.starts_at <= now,
                                                  Workshop.status != rules.CANCELLED)
                           .order_by(Workshop.starts_at.desc(), Workshop.id.desc()).limit(200)))


def counts(db: Session, workshop_ids: list[int]) -> dict[int, Counts]:
    """{workshop id: Counts} in one grouped query."""
    if not workshop_ids:
        return {}
    rows = db.execute(select(Registration.workshop_id, Registration.status, func.sum(Registration.people), func.count())
                      .where(Registration.workshop_id.in_(workshop_ids), Registration.status.in_(ACTIVE))
                      .group_by(Registration.workshop_id, Registration.status)).all()
    found: dict[int, dict] = {}
    for workshop_id, status, people, number in rows:
        entry = found.setdefault(workshop_id, {"confirmed": 0, "waiting": 0, "registrations": 0})
        entry["confirmed" if status == rules.CONFIRMED else "waiting"] += int(people or 0)
        entry["registrations"] += number
    return {workshop_id: Counts(**entry) for workshop_id, entry in found.items()}


def outputs_count(db: Session, workshop_ids: list[int]) -> dict[int, int]:
    """{workshop id: published contributions collected there}."""
    if not workshop_ids:
        return {}
    rows = db.execute(select(Contribution.workshop_id, func.count()).where(
        Contribution.workshop_id.in_(workshop_ids), Contribution.status == "published")
        .group_by(Contribution.workshop_id)).all()
    return dict(rows)


def save(db: Session, commune_id: int, phase: str, fields: rules.WorkshopFields,
         workshop: Workshop | None = None) -> Workshop:
    """Create (in the commune's current phase) or update a workshop in the caller's transaction."""
    if workshop is None:
        workshop = Workshop(commune_id=commune_id, phase=phase)
        db.add(workshop)
    for name in ("kind", "title", "starts_at", "ends_at", "place_id", "address", "facilitators", "agenda",
                 "capacity", "public", "registration_open"):
        setattr(workshop, name, getattr(fields, name))
    workshop.updated_at = utcnow()
    workshop.version = (workshop.version or 0) + 1
    db.flush()
    return workshop


def lock(db: Session, workshop: Workshop) -> int:
    """Lock the workshop's row (PostgreSQL; SQLite writers are serialised already); its version."""
    return db.scalar(select(Workshop.version).where(Workshop.id == workshop.id).with_for_update())


def active_registrations(db: Session, workshop: Workshop) -> list[Registration]:
    return list(db.scalars(select(Registration).where(Registration.workshop_id == workshop.id,
                                                      Registration.status.in_(ACTIVE))
                           .order_by(Registration.created_at, Registration.id)))


def registrations_of(db: Session, workshop: Workshop) -> list[Registration]:
    """Every registration, the confirmed then the waiting (each in order), then the withdrawn."""
    order = {rules.CONFIRMED: 0, rules.WAITING: 1, rules.WITHDRAWN: 2}
    rows = db.scalars(select(Registration).where(Registration.workshop_id == workshop.id)
                      .order_by(Registration.created_at, Registration.id)).all()
    return sorted(rows, key=lambda r: order.get(r.status, 3))


@dataclass
class Registered:
    registration: Registration
    new: bool  # False: this address was registered already (nothing changed)


def register(db: Session, workshop: Workshop, fields: rules.RegistrationFields) -> Registered:
    """Register in the caller's write transaction, the workshop's row locked: a place if the people
    fit and nobody waits before them, else the waiting list. The same address twice is one
    registration: a withdrawn one comes back at the end of the line."""
    lock(db, workshop)
    existing = None
    if fields.email:
        existing = db.scalar(select(Registration).where(Registration.workshop_id == workshop.id,
                                                        Registration.email == fields.email))
        if existing is not None and existing.status in ACTIVE:
            return Registered(existing, False)
    active = active_registrations(db, workshop)
    confirmed = sum(r.people for r in active if r.status == rules.CONFIRMED)
    waits = any(r.status == rules.WAITING for r in active)
    status = rules.status_for(workshop.capacity, confirmed, fields.people, waits)
    now = utcnow()
    registration = existing or Registration(workshop_id=workshop.id, email=fields.email)
    registration.name, registration.people, registration.status = fields.name, fields.people, status
    registration.created_at = registration.updated_at = now  # its place in the line
    registration.workshop = workshop
    db.add(registration)
    db.flush()
    return Registered(registration, True)


def withdraw(db: Session, workshop: Workshop, registration: Registration) -> list[Registration]:
    """Cancel a registration in the caller's write transaction; returns the waiting ones that now
    get a place (to be told)."""
    lock(db, workshop)
    db.refresh(registration)
    if registration.status not in ACTIVE:
        return []
    registration.status, registration.updated_at = rules.WITHDRAWN, utcnow()
    db.flush()
    return promote(db, workshop)


def promote(db: Session, workshop: Workshop) -> list[Registration]:
    """Give the freed places to the waiting list, first come first served (the row is locked)."""
    active = active_registrations(db, workshop)
    confirmed = sum(r.people for r in active if r.status == rules.CONFIRMED)
    waiting = [r for r in active if r.status == rules.WAITING]
    chosen = set(rules.promotions(workshop.capacity, confirmed, [(r.id, r.people) for r in waiting]))
    promoted = [r for r in waiting if r.id in chosen]
    for registration in promoted:
        registration.status, registration.updated_at = rules.CONFIRMED, utcnow()
    return promoted


def cancel(workshop: Workshop, reason: str) -> None:
    workshop.status, workshop.cancel_reason = rules.CANCELLED, reason
    workshop.updated_at = utcnow()
    workshop.version += 1


def close(db: Session, workshop: Workshop, minutes: str, attendance: int, attended_ids: set[int]) -> None:
    """Close a workshop that took place: minutes, attendance, who came; the journal tells it (once)."""
    first = workshop.status != rules.CLOSED
    workshop.minutes, workshop.attendance = minutes, attendance
    workshop.status = rules.CLOSED
    workshop.closed_at = workshop.closed_at or utcnow()
    workshop.updated_at = utcnow()
    workshop.version += 1
    for registration in workshop.registrations:
        registration.attended = registration.id in attended_ids
    if first and workshop.public:
        excerpt = plain(minutes)
        excerpt = excerpt if len(excerpt) <= 400 else excerpt[:400].rsplit(" ", 1)[0] + "…"
        journal.record(db, workshop.commune_id, "workshop", f"{rules.KINDS[workshop.kind]} : {workshop.title}",
                       f"{excerpt}\n\n[Le compte rendu complet](/communes/{workshop.commune.slug}/ateliers/{workshop.id})")


def closed_with_minutes(db: Session, commune_id: int, phase: str | None = None) -> int:
    """How many workshops of the commune (of that phase) are closed with their minutes."""
    query = select(func.count()).select_from(Workshop).where(Workshop.commune_id == commune_id,
                                                             Workshop.status == rules.CLOSED, Workshop.minutes != "")
    if phase is not None:
        query = query.where(Workshop.phase == phase)
    return db.scalar(query)


def held_counts(db: Session, commune_ids: list[int], start: datetime | None = None,
                end: datetime | None = None) -> dict[int, tuple[int, int]]:
    """{commune id: (workshops held and closed, people who came)} for the dashboards, in one query;
    start and end: those that began in [start, end)."""
    if not commune_ids:
        return {}
    query = (select(Workshop.commune_id, func.count(), func.coalesce(func.sum(Workshop.attendance), 0))
             .where(Workshop.commune_id.in_(commune_ids), Workshop.status == rules.CLOSED))
    if start is not None:
        query = query.where(Workshop.starts_at >= start)
    if end is not None:
        query = query.where(Workshop.starts_at < end)
    rows = db.execute(query.group_by(Workshop.commune_id)).all()
    return {commune_id: (int(n), int(people)) for commune_id, n, people in rows}


def registration_by_id(db: Session, workshop: Workshop, registration_id: int) -> Registration | None:
    return db.scalar(select(Registration).where(Registration.id == registration_id,
                                                Registration.workshop_id == workshop.id))


def erase_email(db: Session, email: str, base_url: str = "", secret: str = "") -> int:
    """Privacy: delete the registrations made with an address; returns how many. A place freed in
    a workshop still to come goes to the waiting list, and with base_url the person who gets it is
    told, by the same e-mail as when someone withdraws (it says a place is free, never why)."""
    rows = list(db.scalars(select(Registration).where(Registration.email == email.strip().lower())))
    now = utcnow()
    for registration in rows:
        workshop = registration.workshop
        db.delete(registration)
        db.flush()
        if workshop.status != rules.PLANNED or workshop.starts_at <= now:
            continue  # past or cancelled: nobody moves up
        lock(db, workshop)
        for promoted in promote(db, workshop):
            if base_url:
                notices.tell_registered(db, base_url, secret, workshop.commune, workshop, promoted, promoted=True)
    return len(rows)


def add_photo(db: Session, workshop: Workshop, processed, alt: str) -> WorkshopPhoto:
    item = WorkshopPhoto(photo=photo_store.store(db, processed), alt=alt)
    workshop.photos.append(item)
    workshop.version += 1
    return item


def remove_photo(db: Session, workshop: Workshop, item: WorkshopPhoto) -> None:
    photo_id = item.photo_id
    workshop.photos.remove(item)
    workshop.version += 1
    db.flush()
    db.execute(delete(Photo).where(Photo.id == photo_id))


def photo_by_token(db: Session, workshop: Workshop, token: str) -> Photo | None:
    return db.scalar(select(Photo).join(WorkshopPhoto, WorkshopPhoto.photo_id == Photo.id)
                     .where(WorkshopPhoto.workshop_id == workshop.id, Photo.token == token))


def add_document(db: Session, workshop: Workshop, filename: str, data: bytes, title: str) -> WorkshopDocument:
    """Attach a PDF (documents.check_pdf refuses anything else, in French)."""
    if len(workshop.documents) >= MAX_DOCUMENTS:
        raise documents.DocumentRefused(f"{MAX_DOCUMENTS} documents au plus par rencontre.")
    name = documents.check_pdf(filename, data, "enregistrez la présentation ou le compte rendu en PDF")
    item = WorkshopDocument(filename=name, title=title or name.removesuffix(".pdf"), size=len(data), data=data)
    workshop.documents.append(item)
    workshop.version += 1
    return item


def document_in(db: Session, workshop: Workshop, document_id: int) -> WorkshopDocument | None:
    return db.scalar(select(WorkshopDocument).where(WorkshopDocument.id == document_id,
                                                    WorkshopDocument.workshop_id == workshop.id)
                     .options(undefer(WorkshopDocument.data)))
