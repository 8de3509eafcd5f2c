"""The published roadmaps as their readers need them, and the progress of each action in implementation.

Reading: the published roadmaps themselves are read by revital.roadmaps.services (`latest`,
`version_of`, `versions`, `snapshot_of`); `numbers`, `published_count`, `latest_of_communes` and
`first_published` here read what the pages of progress and the open data need of them. Nothing
here changes a published roadmap: progress lives next to the published plan (action_progress),
never inside a snapshot.

Progress: one row per action (by sheet id) with its status, percentage and spending, saved with
stale-form protection (`save`: the version the form was shown with must still be the row's), and
dated notes with photos. A status change writes an entry in the commune's journal, in the same
transaction (revital.journal.services.record).

`progress_of(db, commune_id) -> {sheet_id: ProgressView}` is what the public roadmap page calls
to show each action's progress next to the plan (templates/roadmaps/_progress.html)."""

import json
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from revital.db import utcnow
from revital.journal import services as journal
from revital.photos import store as photo_store
from revital.photos.models import Photo
from revital.roadmaps.models import UPCOMING, Progress, ProgressNote, ProgressPhoto, Roadmap
from revital.roadmaps.progress_rules import STATUSES

JOURNAL_KIND = "roadmap-progress"  # a journal entry written on a status change
MAX_PHOTOS = 6  # a note's photos


class Stale(Exception):
    """The progress changed since the form was shown."""


# What the progress pages and the open data read of the published roadmaps.


def numbers(db: Session, commune_id: int) -> list[int]:
    return list(db.scalars(select(Roadmap.number).where(Roadmap.commune_id == commune_id).order_by(Roadmap.number)))


def published_count(db: Session, commune_id: int) -> int:
    """How many versions the commune has published (the gate programming -> implementation)."""
    return db.scalar(select(func.count()).select_from(Roadmap).where(Roadmap.commune_id == commune_id)) or 0


def latest_of_communes(db: Session, commune_ids: list[int]) -> dict[int, Roadmap]:
    """{commune id: its latest roadmap} for those that published one."""
    if not commune_ids:
        return {}
    last = (select(Roadmap.commune_id, func.max(Roadmap.number).label("number"))
            .where(Roadmap.commune_id.in_(commune_ids)).group_by(Roadmap.commune_id).subquery())
    rows = db.scalars(select(Roadmap).join(last, (Roadmap.commune_id == last.c.commune_id)
                                           & (Roadmap.number == last.c.number)))
    return {r.commune_id: r for r in rows}


def first_published(db: Session, commune_id: int) -> dict[int, datetime]:
    """{sheet id: publication of the first version that had the action}, from every version."""
    found: dict[int, datetime] = {}
    for snapshot, at in db.execute(select(Roadmap.snapshot, Roadmap.published_at)
                                   .where(Roadmap.commune_id == commune_id).order_by(Roadmap.number)):
        for action in json.loads(snapshot).get("actions", []):
            found.setdefault(action.get("sheet_id"), at)
    return found


def action_of(snapshot: dict, number: int) -> dict | None:
    return next((a for a in snapshot.get("actions", []) if a.get("number") == number), None)


# Progress as the pages show it.


@dataclass(frozen=True)
class PhotoView:
    token: str
    alt: str
    width: int
    height: int
    thumb_width: int
    thumb_height: int


@dataclass(frozen=True)
class NoteView:
    id: int
    on: date
    text: str  # Markdown
    photos: list[PhotoView] = field(default_factory=list)


@dataclass(frozen=True)
class ProgressView:
    """An action's progress for the pages: status (code and French label), percent (0-100),
    spent_cents, when it was last updated, its version (for the form), and its latest note."""

    sheet_id: int
    status: str
    status_label: str
    percent: int
    spent_cents: int
    updated_at: datetime | None
    version: int
    last_note: NoteView | None
    notes_count: int


NOT_STARTED = dict(status=UPCOMING, status_label=STATUSES[UPCOMING], percent=0, spent_cents=0, updated_at=None,
                   version=0)


def notes_by_sheet(db: Session, commune_id: int, sheet_ids=None, latest_only: bool = False) -> dict[int, list[NoteView]]:
    """{sheet id: its notes, newest first, with their photos}."""
    query = select(ProgressNote).where(ProgressNote.commune_id == commune_id)
    if sheet_ids is not None:
        query = query.where(ProgressNote.sheet_id.in_(list(sheet_ids)))
    notes = list(db.scalars(query.order_by(ProgressNote.on.desc(), ProgressNote.id.desc())))
    if latest_only:
        seen, kept = set(), []
        for note in notes:
            if note.sheet_id not in seen:
                seen.add(note.sheet_id)
                kept.append(note)
        notes = kept
    photos: dict[int, list[PhotoView]] = {}
    if notes:
        rows = db.execute(select(ProgressPhoto.note_id, ProgressPhoto.alt, Photo.token, Photo.width, Photo.height,
                                 Photo.thumb_width, Photo.thumb_height)
                          .join(Photo, Photo.id == ProgressPhoto.photo_id)
                          .where(ProgressPhoto.note_id.in_([n.id for n in notes]))
                          .order_by(ProgressPhoto.id))
        for note_id, alt, token, width, height, tw, th in rows:
            photos.setdefault(note_id, []).append(PhotoView(token, alt, width, height, tw, th))
    found: dict[int, list[NoteView]] = {}
    for note in notes:
        found.setdefault(note.sheet_id, []).append(NoteView(note.id, note.on, note.text, photos.get(note.id, [])))
    return found


def progress_of(db: Session, commune_id: int) -> dict[int, ProgressView]:
    """{sheet id: ProgressView} of every action of the commune that has a progress or a note (an
    action absent from the dict has not started: see `view_or_default`). Three queries whatever
    the number of actions."""
    rows = {p.sheet_id: p for p in db.scalars(select(Progress).where(Progress.commune_id == commune_id))}
    counts = dict(db.execute(select(ProgressNote.sheet_id, func.count()).where(ProgressNote.commune_id == commune_id)
                             .group_by(ProgressNote.sheet_id)).all())
    last = notes_by_sheet(db, commune_id, latest_only=True)
    views = {}
    for sheet_id in set(rows) | set(counts):
        row = rows.get(sheet_id)
        state = (dict(status=row.status, status_label=STATUSES.get(row.status, row.status), percent=row.percent,
                      spent_cents=row.spent_cents, updated_at=row.updated_at, version=row.version)
                 if row else NOT_STARTED)
        notes = last.get(sheet_id, [])
        views[sheet_id] = ProgressView(sheet_id=sheet_id, last_note=notes[0] if notes else None,
                                       notes_count=counts.get(sheet_id, 0), **state)
    return views


def view_or_default(views: dict[int, ProgressView], sheet_id: int) -> ProgressView:
    return views.get(sheet_id) or ProgressView(sheet_id=sheet_id, last_note=None, notes_count=0, **NOT_STARTED)


def statuses_of(db: Session, commune_id: int) -> dict[int, str]:
    return dict(db.execute(select(Progress.sheet_id, Progress.status).where(Progress.commune_id == commune_id)).all())


def last_change(db: Session, commune_id: int) -> datetime | None:
    progress = db.scalar(select(func.max(Progress.updated_at)).where(Progress.commune_id == commune_id))
    notes = db.scalar(select(func.max(ProgressNote.created_at)).where(ProgressNote.commune_id == commune_id))
    found = [d for d in (progress, notes) if d is not None]
    return max(found) if found else None


# Writing.


def progress_row(db: Session, sheet_id: int, lock: bool = False) -> Progress | None:
    query = select(Progress).where(Progress.sheet_id == sheet_id)
    return db.scalar(query.with_for_update() if lock else query)


def save(db: Session, commune_id: int, slug: str, action: dict, values: dict, user_id: int | None) -> Progress:
    """Write the progress of a published action (action: its snapshot dict), if the form was shown
    with the row's current version (0 when there was none); Stale otherwise, nothing written. A
    status change writes the journal's entry in the same transaction."""
    sheet_id = action["sheet_id"]
    row = progress_row(db, sheet_id, lock=True)
    if (row.version if row else 0) != values["version"]:
        raise Stale()
    before = row.status if row else UPCOMING
    if row is None:
        row = Progress(commune_id=commune_id, sheet_id=sheet_id, version=0)
        db.add(row)
    row.status, row.percent, row.spent_cents = values["status"], values["percent"], values["spent_cents"]
    row.updated_by, row.updated_at, row.version = user_id, utcnow(), (row.version or 0) + 1
    if values["status"] != before:
        journal.record(db, commune_id, JOURNAL_KIND, status_title(action, values["status"]),
                       f"Avancement : {values['percent']} %. Voir [la fiche de l’action dans la feuille de route]"
                       f"({action_path(slug, action['number'])}).")
    db.flush()
    return row


def status_title(action: dict, status: str) -> str:
    label = STATUSES.get(status, status).lower()
    return f"Action n° {action['number']} « {action.get('title', '')} » : {label}"


def action_path(slug: str, number: int) -> str:
    """The public page of an action's progress."""
    return f"/communes/{slug}/feuille-de-route/actions/{number}"


def add_note(db: Session, commune_id: int, sheet_id: int, on: date, text: str, user_id: int | None,
             photo=None, alt: str = "") -> ProgressNote:
    """A dated note (Markdown) on an action's progress; photo: a processed photo (revital.photos)."""
    note = ProgressNote(commune_id=commune_id, sheet_id=sheet_id, on=on, text=text, author_id=user_id)
    db.add(note)
    db.flush()
    if photo is not None:
        add_photo(db, note, photo, alt)
    return note


def note_in(db: Session, commune_id: int, sheet_id: int, note_id: int) -> ProgressNote | None:
    return db.scalar(select(ProgressNote).where(ProgressNote.id == note_id, ProgressNote.commune_id == commune_id,
                                                ProgressNote.sheet_id == sheet_id))


def add_photo(db: Session, note: ProgressNote, processed, alt: str) -> ProgressPhoto:
    photo = photo_store.store(db, processed)
    db.flush()
    item = ProgressPhoto(commune_id=note.commune_id, note_id=note.id, photo_id=photo.id, alt=alt)
    db.add(item)
    db.flush()
    return item


def photo_count(db: Session, note_id: int) -> int:
    return db.scalar(select(func.count()).select_from(ProgressPhoto).where(ProgressPhoto.note_id == note_id)) or 0


def remove_note(db: Session, note: ProgressNote) -> None:
    photo_ids = list(db.scalars(select(ProgressPhoto.photo_id).where(ProgressPhoto.note_id == note.id)))
    db.delete(note)
    db.flush()
    if photo_ids:
        db.execute(delete(Photo).where(Photo.id.in_(photo_ids)))


def public_photo(db: Session, commune_id: int, token: str) -> Photo | None:
    """A photo of a progress note of the commune (notes are public)."""
    return db.scalar(select(Photo).join(ProgressPhoto, ProgressPhoto.photo_id == Photo.id)
                     .where(ProgressPhoto.commune_id == commune_id, Photo.token == token))
