"""Contributions: submission, supports, moderation, and the open-data feeds."""

import json
import secrets
import threading
import time
from collections import OrderedDict
from datetime import timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from revital import exports, geo
from revital.communes.models import Commune
from revital.contributions import rules, themes
from revital.contributions.models import (
    Contribution,
    ModerationDecision,
    Photo,
    Support,
)
from revital.db import utcnow
from revital.geography.models import Place

PUBLIC = "published"
PAGE_SIZE = 20


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
    places = db.scalars(select(Place).where(Place.commune_id == commune_id).order_by(Place.name))
    return {p.id: (p.name, p.lon, p.lat) for p in places}


def inside_commune(commune: Commune):
    """A test for points of this commune: its boundary, holes excluded and exclaves included.
    The parsed boundary is kept per version of the commune's geography."""
    key = (commune.id, commune.geo_version, commune.created_at)
    with _ZONES_LOCK:
        zone = _ZONES.get(key)
    if zone is None:
        if not commune.boundary:
            return lambda lon, lat: True
        zone = geo.from_geojson(commune.boundary)
        with _ZONES_LOCK:
            _ZONES[key] = zone
            while len(_ZONES) > 256:
                _ZONES.popitem(last=False)
    return lambda lon, lat: geo.covers_point(zone, lon, lat)


_ZONES: OrderedDict = OrderedDict()
_ZONES_LOCK = threading.Lock()


def bump_contributions_version(db: Session, commune_id: int) -> None:
    db.execute(update(Commune).where(Commune.id == commune_id)
               .values(contributions_version=Commune.contributions_version + 1))


def by_token(db: Session, token: str) -> Contribution | None:
    return db.scalar(select(Contribution).where(Contribution.submission_token == token))


def store_photo(db: Session, processed) -> Photo:
    photo = Photo(token=secrets.token_urlsafe(16), data=processed.data, thumbnail=processed.thumbnail,
                  content_type=processed.content_type, width=processed.width, height=processed.height,
                  thumb_width=processed.thumb_width, thumb_height=processed.thumb_height)
    db.add(photo)
    return photo


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


def submit(db: Session, commune: Commune, phase: str, values: dict, token: str, source: str = "online",
           user_id: int | None = None, photo=None) -> tuple[Contribution, bool]:
    """Create the contribution, or find the one this form already created. Without a new photo,
    the one kept for this form (keep_pending_photo) goes with it.

    Returns (contribution, created). The caller's write transaction is committed here, since a
    duplicate token can only be told by the database.
    """
    existing = by_token(db, token)
    if existing is not None:
        return existing, False
    location = values["location"]
    status = rules.initial_status(commune.moderation, source)
    contribution = Contribution(
        commune_id=commune.id, kind=values["kind"], category=values["category"], title=values["title"],
        body=values["body"], lon=location.lon, lat=location.lat, place_id=location.place_id,
        place_name=location.place_name, phase=phase, source=source, status=status,
        author_name=values["author_name"], author_email=values["author_email"] if values["wants_news"] else "",
        user_id=user_id, submission_token=token, published_at=utcnow() if status == PUBLIC else None,
    )
    kept = pending_photo(db, token)
    if photo is not None:
        contribution.photo = store_photo(db, photo)
        if kept is not None:
            db.delete(kept)
    elif kept is not None:
        kept.pending_token = None
        contribution.photo = kept
    db.add(contribution)
    if status == PUBLIC:
        bump_contributions_version(db, commune.id)
    try:
        db.commit()
    except IntegrityError:
        # The same form, submitted twice at once: the other request won.
        db.rollback()
        return by_token(db, token), False
    return contribution, True


def support(db: Session, contribution: Contribution, voter: str) -> tuple[int, bool]:
    """Count one support per voter; returns (supports, counted). Commits."""
    db.add(Support(contribution_id=contribution.id, voter=voter))
    try:
        db.flush()
    except IntegrityError:
        db.rollback()
        return db.scalar(select(Contribution.supports_count).where(Contribution.id == contribution.id)), False
    db.execute(update(Contribution).where(Contribution.id == contribution.id)
               .values(supports_count=Contribution.supports_count + 1))
    db.commit()
    return db.scalar(select(Contribution.supports_count).where(Contribution.id == contribution.id)), True


def has_supported(db: Session, contribution_id: int, voter: str | None) -> bool:
    if not voter:
        return False
    return db.scalar(select(Support.id).where(Support.contribution_id == contribution_id, Support.voter == voter)) is not None


def moderate(db: Session, contribution: Contribution, action: str, reason: str, user) -> ModerationDecision:
    """Apply a moderation decision (raises rules.ModerationRefused) inside the caller's transaction."""
    locked = db.scalar(select(Contribution).where(Contribution.id == contribution.id).with_for_update())
    was_public = locked.status == PUBLIC
    locked.status = rules.moderate(locked.status, action, reason)
    if locked.status == PUBLIC and locked.published_at is None:
        locked.published_at = utcnow()
    decision = ModerationDecision(action=action, reason=reason.strip(), user_id=user.id, user_name=user.display_name)
    locked.decisions.append(decision)
    if was_public != (locked.status == PUBLIC):
        bump_contributions_version(db, locked.commune_id)
    return decision


def contribution_in(db: Session, commune_id: int, contribution_id: int) -> Contribution | None:
    return db.scalar(select(Contribution).where(Contribution.id == contribution_id, Contribution.commune_id == commune_id))


def public_query(commune_id: int, kind: str = "", category: str = "", phase: str = ""):
    query = select(Contribution).where(Contribution.commune_id == commune_id, Contribution.status == PUBLIC)
    if kind:
        query = query.where(Contribution.kind == kind)
    if category:
        query = query.where(Contribution.category == category)
    if phase:
        query = query.where(Contribution.phase == phase)
    return query


def public_page(db: Session, commune_id: int, page: int, **filters) -> tuple[list[Contribution], int]:
    query = public_query(commune_id, **filters)
    total = db.scalar(select(func.count()).select_from(query.subquery()))
    rows = db.scalars(query.order_by(Contribution.id.desc()).offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE)).all()
    return list(rows), total


def queue(db: Session, commune_id: int, status: str) -> list[Contribution]:
    return list(db.scalars(select(Contribution).where(Contribution.commune_id == commune_id, Contribution.status == status)
                           .order_by(Contribution.id.asc() if status == "pending" else Contribution.id.desc()).limit(200)))


def chose_place(db: Session, place_id: int) -> int:
    """How many contributions chose this place from the list (whatever their status)."""
    return db.scalar(select(func.count()).select_from(Contribution).where(Contribution.place_id == place_id))


def pending_counts(db: Session, commune_ids: list[int]) -> dict[int, int]:
    """How many contributions wait for moderation in each of these communes, in one query."""
    if not commune_ids:
        return {}
    rows = db.execute(select(Contribution.commune_id, func.count())
                      .where(Contribution.commune_id.in_(commune_ids), Contribution.status == "pending")
                      .group_by(Contribution.commune_id)).all()
    return {commune_id: count for commune_id, count in rows}


def status_counts(db: Session, commune_id: int) -> dict:
    rows = db.execute(select(Contribution.status, func.count()).where(Contribution.commune_id == commune_id)
                      .group_by(Contribution.status)).all()
    return {status: count for status, count in rows}


# Open data and the map feed: built once per contributions_version and per process.
_FEEDS: OrderedDict[tuple, bytes] = OrderedDict()
_FEEDS_SIZE = 64


def feed_version(commune: Commune) -> str:
    return f"{commune.id}-{commune.contributions_version}-{int(commune.created_at.timestamp() * 1000)}"


# Supports change too often to version the open data by them: the exports that carry support
# counts (the CSV and ?details=1) are rebuilt at most every SUPPORTS_LAG seconds, and say so in
# their ETag. With their Cache-Control max-age of the same length, they lag a minute at most.
SUPPORTS_LAG = 30


def open_data_version(commune: Commune, now: float | None = None) -> str:
    return f"{feed_version(commune)}-{int((now if now is not None else time.time()) // SUPPORTS_LAG)}"


def cached(key: tuple, build) -> bytes:
    body = _FEEDS.get(key)
    if body is None:
        body = build()
        _FEEDS[key] = body
        while len(_FEEDS) > _FEEDS_SIZE:
            _FEEDS.popitem(last=False)
    return body


FEED_COLUMNS = (Contribution.id, Contribution.kind, Contribution.category, Contribution.lon, Contribution.lat)
# The map feed is as small as GeoJSON allows (under 130 bytes a contribution): the feature's
# id, "k" the kind's letter and "c" the category code; ?details=1 gives every public field.
KIND_LETTERS = {"asset": "a", "weakness": "w", "idea": "i"}
FEED_HEAD = (
    '{"type":"FeatureCollection","licence":"Licence Ouverte 2.0 (Etalab)",'
    '"fields":{"id":"identifiant de la contribution","k":"a = atout, w = point faible, i = idée",'
    '"c":"thème (code)"},"features":['
)


def published_with_position(commune_id: int, phase: str = ""):
    query = select(*FEED_COLUMNS).where(
        Contribution.commune_id == commune_id, Contribution.status == PUBLIC, Contribution.lon.is_not(None)
    )
    if phase:
        query = query.where(Contribution.phase == phase)
    return query.order_by(Contribution.id)


def map_feed(db: Session, commune: Commune, phase: str = "") -> bytes:
    """Published contributions that have a position, with 5-decimal coordinates (about a metre)."""

    def build() -> bytes:
        rows = db.execute(published_with_position(commune.id, phase)).all()
        parts = [
            '{"type":"Feature","id":%d,"geometry":{"type":"Point","coordinates":[%.5f,%.5f]},'
            '"properties":{"k":"%s","c":%s}}' % (id_, lon, lat, KIND_LETTERS[kind], json.dumps(category))
            for id_, kind, category, lon, lat in rows
        ]
        return (FEED_HEAD + ",".join(parts) + "]}").encode()

    return cached(("map", feed_version(commune), phase), build)


def detailed_feed(db: Session, commune: Commune, base_url: str) -> bytes:
    """Every public field, for reusers: /api/communes/{slug}/contributions.geojson?details=1."""

    def build() -> bytes:
        categories = categories_of(commune)
        features = [
            {"type": "Feature", "id": c.id,
             "geometry": {"type": "Point", "coordinates": [round(c.lon, 6), round(c.lat, 6)]} if c.lon is not None else None,
             "properties": {**public_record(c, commune, categories, base_url)}}
            for c in public_rows(db, commune)
        ]
        collection = {"type": "FeatureCollection", "licence": "Licence Ouverte 2.0 (Etalab)", "features": features}
        return json.dumps(collection, ensure_ascii=False, separators=(",", ":")).encode()

    return cached(("details", open_data_version(commune), base_url), build)


def public_record(c: Contribution, commune: Commune, categories: dict, base_url: str) -> dict:
    """The public fields of a contribution: the same in the detailed GeoJSON and in the CSV."""
    return {
        "id": c.id,
        "url": f"{base_url}/communes/{commune.slug}/contributions/{c.id}",
        "kind": c.kind,
        "kind_label": rules.KINDS[c.kind],
        "category": c.category,
        "category_label": categories.get(c.category, c.category),
        "title": c.title,
        "text": c.body,
        "longitude": "" if c.lon is None else f"{c.lon:.6f}",
        "latitude": "" if c.lat is None else f"{c.lat:.6f}",
        "place": c.place_name,
        "phase": c.phase,
        "source": c.source,
        "author": c.author_name,
        "supports": c.supports_count,
        "created_at": c.created_at.isoformat(timespec="seconds"),
        "published_at": c.published_at.isoformat(timespec="seconds") if c.published_at else "",
        "photo_url": f"{base_url}/photos/{c.photo.token}.jpg" if c.photo_id else "",
    }


CSV_FIELDS = ["id", "url", "kind", "kind_label", "category", "category_label", "title", "text", "longitude",
              "latitude", "place", "phase", "source", "author", "supports", "created_at", "published_at", "photo_url"]


def public_rows(db: Session, commune: Commune):
    return db.scalars(select(Contribution).where(Contribution.commune_id == commune.id, Contribution.status == PUBLIC)
                      .order_by(Contribution.id)).all()


CSV_NUMERIC = frozenset({"id", "longitude", "latitude", "supports"})


def csv_export(db: Session, commune: Commune, base_url: str) -> bytes:
    """The published contributions for a spreadsheet (revital.exports). No personal data beyond
    the pseudonym the author chose to publish."""

    def build() -> bytes:
        categories = categories_of(commune)
        records = (public_record(c, commune, categories, base_url) for c in public_rows(db, commune))
        return exports.csv_bytes(CSV_FIELDS, records, CSV_NUMERIC)

    return cached(("csv", open_data_version(commune), base_url), build)
