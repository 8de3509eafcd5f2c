"""Contributions in the database: themes and places offered, creation, supports, moderation, and
the lists and counts the pages show. How a contribution comes in is revital.contributions.intake;
the open data, revital.contributions.feeds."""

from datetime import timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from revital import geo
from revital.caching import Cache
from revital.communes.models import Commune
from revital.contributions import rules, themes
from revital.contributions.models import (
    Contribution,
    ModerationDecision,
    Support,
)
from revital.contributions.rules import PENDING, PUBLISHED
from revital.db import utcnow
from revital.geography import services as geography
from revital.photos import store as photo_store
from revital.photos.models import Photo

PAGE_SIZE = 20
COUNT_CAP = 10_000  # a filtered list counts this many at most: "plus de 10 000"


def categories_of(commune: Commune) -> dict:
    """Every theme's label by code, retired ones included (after the active ones): for showing a
    contribution, and for the filters and exports, which must find the old ones too."""
    return themes.labels(themes.load(commune.categories))


def active_categories_of(commune: Commune) -> dict:
    """The themes a new contribution may choose."""
    return themes.active(themes.load(commune.categories))


def theme_usage(db: Session, commune_id: int) -> dict[str, dict[str, int]]:
    """How many contributions of the commune each theme has, by status: {code: {status: count}}."""
    rows = db.execute(select(Contribution.category, Contribution.status, func.count())
                      .where(Contribution.commune_id == commune_id)
                      .group_by(Contribution.category, Contribution.status)).all()
    usage: dict[str, dict[str, int]] = {}
    for code, status, count in rows:
        usage.setdefault(code, {})[status] = count
    return usage


def place_choices(db: Session, commune_id: int) -> dict:
    """{id: (name, lon, lat)} of the commune's places, in French order (revital.geography.services)."""
    return {p.id: (p.name, p.lon, p.lat) for p in geography.places_of(db, commune_id)}


# Parsed boundaries, per version of the commune's geography: a real boundary is tens of kilobytes
# of GeoJSON, a point check 6 µs once parsed.
ZONES = Cache(size=256)


def inside_commune(commune: Commune):
    """A test for points of this commune: its boundary, holes excluded and exclaves included.
    The boundary (deferred: tens of kilobytes) is read and parsed only when a point is tested
    and the parsed one of this version is not at hand."""
    key = (commune.id, commune.geo_version, commune.created_at)

    def inside(lon, lat) -> bool:
        zone = ZONES.get_or_build(key, lambda: geo.from_geojson(commune.boundary) if commune.boundary else None)
        return zone is None or geo.covers_point(zone, lon, lat)

    return inside


def published_changed(db: Session, commune_id: int, delta: int = 0) -> None:
    """A contribution became public or stopped being: the feeds' version moves, the count follows."""
    db.execute(update(Commune).where(Commune.id == commune_id).values(
        contributions_version=Commune.contributions_version + 1,
        published_contributions=Commune.published_contributions + delta))


def bump_contributions_version(db: Session, commune_id: int) -> None:
    published_changed(db, commune_id, 0)


def by_token(db: Session, token: str) -> Contribution | None:
    return db.scalar(select(Contribution).where(Contribution.submission_token == token)) if token else None


def token_used(db: Session, token: str) -> bool:
    """Whether a contribution came from this form already (a double click, a form sent again)."""
    return bool(token) and db.scalar(select(Contribution.id).where(Contribution.submission_token == token)) is not None


def store_photo(db: Session, processed) -> Photo:
    return photo_store.store(db, processed)


PENDING_PHOTO_HOURS = 24


def keep_pending_photo(db: Session, token: str, processed) -> Photo:
    """Keep a valid photo for the form it came with, while the author corrects another field.
    Replaces the one kept before for that form; stale pending photos of anyone are deleted."""
    db.execute(delete(Photo).where(Photo.pending_token == token))
    db.execute(delete(Photo).where(Photo.pending_token.is_not(None),
                                   Photo.created_at < utcnow() - timedelta(hours=PENDING_PHOTO_HOURS)))
    photo = store_photo(db, processed)
    photo.pending_token = token
    return photo


def drop_pending_photo(db: Session, token: str) -> None:
    db.execute(delete(Photo).where(Photo.pending_token == token))


def pending_photo(db: Session, token: str) -> Photo | None:
    if not token:
        return None
    return db.scalar(select(Photo).where(Photo.pending_token == token))


def submit(db: Session, commune: Commune, phase: str, values: dict, token: str, source: str = rules.ONLINE,
           user_id: int | None = None, photo=None, workshop_id: int | None = None) -> tuple[Contribution, bool]:
    """Create the contribution, or find the one this form already created (the caller looked,
    and the unique token settles a race). Without a new photo, the one kept for this form
    (keep_pending_photo) goes with it.

    Returns (contribution, created). The caller's write transaction is committed here, since a
    duplicate token can only be told by the database.
    """
    location = values["location"]
    status = rules.initial_status(commune.moderation, source)
    contribution = Contribution(
        commune_id=commune.id, kind=values["kind"], category=values["category"], title=values["title"],
        body=values["body"], lon=location.lon, lat=location.lat, place_id=location.place_id,
        place_name=location.place_name, phase=phase, source=source, workshop_id=workshop_id, status=status,
        author_name=values["author_name"], author_email=values["author_email"] if values["wants_news"] else "",
        user_id=user_id, submission_token=token, published_at=utcnow() if status == PUBLISHED else None,
    )
    kept = db.scalar(select(Photo.id).where(Photo.pending_token == token))
    if photo is not None:
        contribution.photo = store_photo(db, photo)
        if kept is not None:
            db.execute(delete(Photo).where(Photo.id == kept))
    elif kept is not None:
        db.execute(update(Photo).where(Photo.id == kept).values(pending_token=None))
        contribution.photo_id = kept
    db.add(contribution)
    if status == PUBLISHED:
        published_changed(db, commune.id, +1)
    try:
        db.commit()
    except IntegrityError:
        # The same form, submitted twice at once: the other request won.
        db.rollback()
        return by_token(db, token), False
    return contribution, True


# What a support counts on: the supports table's column for each table that takes supports.
SUPPORTED = {"contributions": "contribution_id", "ideas": "idea_id"}


def support(db: Session, target, voter: str) -> tuple[int, bool]:
    """Count one support per voter on a contribution or an idea (any model whose table is in
    SUPPORTED, with a supports_count): one mechanism for both. Returns (supports, counted). Commits."""
    model = type(target)
    db.add(Support(voter=voter, **{SUPPORTED[model.__tablename__]: target.id}))
    try:
        db.flush()
    except IntegrityError:
        db.rollback()
        return db.scalar(select(model.supports_count).where(model.id == target.id)), False
    db.execute(update(model).where(model.id == target.id).values(supports_count=model.supports_count + 1))
    db.commit()
    return db.scalar(select(model.supports_count).where(model.id == target.id)), True


def has_supported(db: Session, target_id: int, voter: str | None, target=Contribution) -> bool:
    """Whether this voter supports the contribution (or, target: the model, the idea) of that id."""
    if not voter:
        return False
    column = getattr(Support, SUPPORTED[target.__tablename__])
    return db.scalar(select(Support.id).where(column == target_id, Support.voter == voter)) is not None


def moderate(db: Session, contribution: Contribution, action: str, reason: str, user) -> ModerationDecision:
    """Apply a moderation decision (raises rules.ModerationRefused) inside the caller's transaction."""
    locked = db.scalar(select(Contribution).where(Contribution.id == contribution.id).with_for_update())
    was_public = locked.status == PUBLISHED
    locked.status = rules.moderate(locked.status, action, reason)
    if locked.status == PUBLISHED and locked.published_at is None:
        locked.published_at = utcnow()
    decision = ModerationDecision(action=action, reason=reason.strip(), user_id=user.id, user_name=user.display_name)
    locked.decisions.append(decision)
    if was_public != (locked.status == PUBLISHED):
        published_changed(db, locked.commune_id, +1 if locked.status == PUBLISHED else -1)
    return decision


def contribution_in(db: Session, commune_id: int, contribution_id: int) -> Contribution | None:
    return db.scalar(select(Contribution).where(Contribution.id == contribution_id, Contribution.commune_id == commune_id))


def public_workshop(workshops: dict, atelier: int | None) -> int | None:
    """The ?atelier= filter when it names a public workshop of the commune (workshops: what
    app.state.workshop_choices gives, from the workshops part above this one), else None: the
    filter is then ignored."""
    return atelier if atelier in workshops else None


def of_workshop(commune_id: int, workshop_id: int) -> tuple:
    """The conditions for a workshop's contributions, read through the index on workshop_id: a
    workshop has tens of them, its commune maybe 100,000. Without statistics (ANALYZE), SQLite
    would rather walk the commune's index and filter every row; `commune_id + 0` keeps it off that
    index (EXPLAIN QUERY PLAN: "USING INDEX ix_contributions_workshop_id"), with the same result."""
    return Contribution.workshop_id == workshop_id, Contribution.commune_id + 0 == commune_id


def public_query(commune_id: int, kind: str = "", category: str = "", phase: str = "", workshop: int | None = None):
    """The published contributions of a commune, filtered; `workshop`: those collected in it (the
    caller checked it is a public workshop of the commune)."""
    if workshop is not None:
        query = select(Contribution).where(*of_workshop(commune_id, workshop), Contribution.status == PUBLISHED)
    else:
        query = select(Contribution).where(Contribution.commune_id == commune_id, Contribution.status == PUBLISHED)
    if kind:
        query = query.where(Contribution.kind == kind)
    if category:
        query = query.where(Contribution.category == category)
    if phase:
        query = query.where(Contribution.phase == phase)
    return query


def public_page(db: Session, commune_id: int, before: int | None = None, after: int | None = None,
                **filters) -> tuple[list[Contribution], bool, bool]:
    """A page of the published contributions, newest first, by keyset: older than `before`, or the
    page of those newer than `after`. Returns (rows, newer exist, older exist). The cost is the same
    on the first page and on the last, however many there are."""
    query = public_query(commune_id, **filters)
    if after is not None:
        rows = list(db.scalars(query.where(Contribution.id > after).order_by(Contribution.id.asc()).limit(PAGE_SIZE + 1)))
        newer = len(rows) > PAGE_SIZE
        return list(reversed(rows[:PAGE_SIZE])), newer, True
    if before is not None:
        query = query.where(Contribution.id < before)
    rows = list(db.scalars(query.order_by(Contribution.id.desc()).limit(PAGE_SIZE + 1)))
    return rows[:PAGE_SIZE], before is not None, len(rows) > PAGE_SIZE


def public_count(db: Session, commune: Commune, **filters) -> int:
    """How many published contributions: the kept count, or for filters a count that stops at
    COUNT_CAP + 1 (the page says "plus de 10 000")."""
    if not any(filters.values()):
        return commune.published_contributions
    limited = public_query(commune.id, **filters).with_only_columns(Contribution.id).limit(COUNT_CAP + 1)
    return db.scalar(select(func.count()).select_from(limited.subquery()))


def queue(db: Session, commune_id: int, status: str) -> list[Contribution]:
    return list(db.scalars(select(Contribution).where(Contribution.commune_id == commune_id, Contribution.status == status)
                           .order_by(Contribution.id.asc() if status == PENDING else Contribution.id.desc()).limit(200)))


def chose_place(db: Session, place_id: int) -> int:
    """How many contributions chose this place from the list."""
    return db.scalar(select(func.count()).select_from(Contribution).where(Contribution.place_id == place_id))


def pending_counts(db: Session, commune_ids: list[int]) -> dict[int, int]:
    """Contributions waiting for moderation, per commune."""
    if not commune_ids:
        return {}
    rows = db.execute(select(Contribution.commune_id, func.count())
                      .where(Contribution.commune_id.in_(commune_ids), Contribution.status == PENDING)
                      .group_by(Contribution.commune_id)).all()
    return dict(rows)


def status_counts(db: Session, commune_id: int) -> dict:
    rows = db.execute(select(Contribution.status, func.count()).where(Contribution.commune_id == commune_id)
                      .group_by(Contribution.status)).all()
    return {status: count for status, count in rows}


def yearly_figures(db: Session, commune_ids: list[int], start, end) -> dict[int, dict]:
    """For the funders' yearly report, per commune: the contributions published among those received
    in [start, end), by kind, their supports, and the participants (distinct accounts and distinct
    pseudonyms; a contribution with neither counts as one person). Grouped in the database."""
    if not commune_ids:
        return {}
    where = (Contribution.commune_id.in_(commune_ids), Contribution.status == PUBLISHED,
             Contribution.created_at >= start, Contribution.created_at < end)
    figures = {i: {"asset": 0, "weakness": 0, "idea": 0, "supports": 0, "participants": 0} for i in commune_ids}
    for commune_id, kind, count, supports in db.execute(
            select(Contribution.commune_id, Contribution.kind, func.count(), func.coalesce(func.sum(Contribution.supports_count), 0))
            .where(*where).group_by(Contribution.commune_id, Contribution.kind)).all():
        if kind in figures[commune_id]:
            figures[commune_id][kind] += count
        figures[commune_id]["supports"] += int(supports)
    anonymous = (Contribution.user_id.is_(None),)
    people = (
        # each account once
        select(Contribution.commune_id, Contribution.user_id).where(*where, Contribution.user_id.is_not(None)).distinct(),
        # each pseudonym once among contributions without an account
        select(Contribution.commune_id, func.lower(Contribution.author_name))
        .where(*where, *anonymous, Contribution.author_name != "").distinct(),
        # and each contribution with neither: one person at most
        select(Contribution.commune_id, Contribution.id).where(*where, *anonymous, Contribution.author_name == ""),
    )
    for query in people:
        found = query.subquery()
        for commune_id, count in db.execute(select(found.c.commune_id, func.count()).group_by(found.c.commune_id)).all():
            figures[commune_id]["participants"] += count
    return figures
