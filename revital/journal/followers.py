"""Followers of a commune's journal in the database: following (double opt-in), confirming,
stopping, and the weekly digests (revital.journal.following has the rules and the texts).

Every e-mail goes through the outbox, in the transaction of what causes it. A digest is written
with one Delivery row per entry it carries, in the same transaction: the primary key of
Delivery makes a second send of an entry impossible. Each follower's digest is its own write
transaction, claimed by one conditional UPDATE, so that two workers never send the same one.
"""

from datetime import datetime

from sqlalchemy import and_, delete, exists, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from revital import jobs
from revital.communes.models import Commune
from revital.db import Database, utcnow
from revital.journal import following
from revital.journal.models import PUBLISHED, Delivery, Follower, JournalPost
from revital.mail import outbox

BATCH = 200  # followers read at once when looking for due digests
DIGEST_MAX = 20  # entries in one digest; more wait for the next one
CONFIRMATION = "journal-follow"
DIGEST = "journal-digest"


def journal_url(base_url: str, commune) -> str:
    return f"{base_url}/communes/{commune.slug}/journal"


def confirm_url(base_url: str, secret: str, commune, follower: Follower) -> str:
    return f"{journal_url(base_url, commune)}/suivre/" + following.link(secret, following.CONFIRM, follower.id,
                                                                        follower.email, follower.created_at)


def stop_url(base_url: str, secret: str, commune, follower: Follower) -> str:
    return f"{journal_url(base_url, commune)}/arreter/" + following.link(secret, following.STOP, follower.id,
                                                                         follower.email, follower.created_at)


def follow(db: Session, commune, email: str, base_url: str, secret: str, now: datetime | None = None) -> Follower:
    """In the caller's write transaction: the follower, unconfirmed (or the row already there), and
    the e-mail that answers: the confirmation link, or "vous suivez déjà" with the stop link. Both
    answer the person's own request: no List-Unsubscribe."""
    now = now or utcnow()
    db.execute(delete(Follower).where(Follower.commune_id == commune.id, Follower.confirmed_at.is_(None),
                                      Follower.created_at < now - following.CONFIRM_LIFETIME))
    follower = find_by_email(db, commune.id, email)
    if follower is None:
        try:
            with db.begin_nested():
                follower = Follower(commune_id=commune.id, email=email, created_at=now)
                db.add(follower)
        except IntegrityError:  # the same address at the same moment (PostgreSQL): take that row
            follower = find_by_email(db, commune.id, email)
    elif follower.confirmed_at is None:
        follower.created_at = now  # a new confirmation link, for 7 days; the previous one no longer works
    if follower.confirmed_at is None:
        outbox.queue(db, email, following.CONFIRM_SUBJECT,
                     following.confirm_text(commune.name, confirm_url(base_url, secret, commune, follower)),
                     commune_name=commune.name, kind=CONFIRMATION)
    else:
        outbox.queue(db, email, following.ALREADY_SUBJECT,
                     following.already_text(commune.name, journal_url(base_url, commune),
                                            stop_url(base_url, secret, commune, follower)),
                     commune_name=commune.name, kind=CONFIRMATION)
    return follower


def find_by_email(db: Session, commune_id: int, email: str) -> Follower | None:
    return db.scalar(select(Follower).where(Follower.commune_id == commune_id, Follower.email == email))


def by_link(db: Session, commune_id: int, purpose: str, value: str, secret: str) -> Follower | None:
    """The follower a link of that purpose names, or None if the link is forged, of another
    follower or commune, or its follower is gone."""
    parsed = following.parse_link(value)
    if parsed is None:
        return None
    follower_id, candidate = parsed
    follower = db.get(Follower, follower_id)
    if follower is None or follower.commune_id != commune_id:
        return None
    genuine = following.genuine(secret, purpose, follower.id, follower.email, follower.created_at, candidate)
    return follower if genuine else None


def confirm(db: Session, follower: Follower, now: datetime | None = None) -> None:
    """Entries published from now on reach the follower; the first digest leaves after the next
    Monday mark (last_digest_at: now)."""
    if follower.confirmed_at is None:
        now = now or utcnow()
        follower.confirmed_at = now
        follower.last_digest_at = now


def stop(db: Session, follower: Follower) -> None:
    """The follower goes, and its deliveries with it (ON DELETE CASCADE)."""
    db.execute(delete(Delivery).where(Delivery.follower_id == follower.id))
    db.execute(delete(Follower).where(Follower.id == follower.id))


def confirmed_count(db: Session, commune_id: int) -> int:
    return db.scalar(select(func.count()).select_from(Follower)
                     .where(Follower.commune_id == commune_id, Follower.confirmed_at.is_not(None)))


def due(mark: datetime):
    return and_(Follower.confirmed_at.is_not(None),
                or_(Follower.last_digest_at.is_(None), Follower.last_digest_at < mark))


def any_due(db: Session, mark: datetime) -> bool:
    return db.scalar(select(Follower.id).where(due(mark)).limit(1)) is not None


def new_entries(db: Session, follower: Follower) -> list[JournalPost]:
    """Published entries of the follower's commune since the confirmation that it has not been
    sent, oldest first."""
    sent = exists().where(Delivery.follower_id == follower.id, Delivery.post_id == JournalPost.id)
    return list(db.scalars(select(JournalPost)
                           .where(JournalPost.commune_id == follower.commune_id, JournalPost.status == PUBLISHED,
                                  JournalPost.published_at >= follower.confirmed_at, ~sent)
                           .order_by(JournalPost.published_at, JournalPost.id).limit(DIGEST_MAX)))


def send_digest(db: Session, follower_id: int, mark: datetime, now: datetime, base_url: str, secret: str) -> bool:
    """In the caller's write transaction: claim the follower's digest (one conditional UPDATE: a
    worker that lost the race changes nothing), then its new entries, their Delivery rows and one
    e-mail. False when another worker had it or there is nothing new."""
    claimed = db.execute(update(Follower).where(Follower.id == follower_id, due(mark))
                         .values(last_digest_at=now).execution_options(synchronize_session=False))
    if claimed.rowcount != 1:
        return False
    follower = db.get(Follower, follower_id, populate_existing=True)
    posts = new_entries(db, follower)
    if not posts:
        return False
    commune = db.get(Commune, follower.commune_id)
    journal = journal_url(base_url, commune)
    entries = [following.entry(p.title, p.published_at, p.body, f"{journal}/{p.id}") for p in posts]
    stop = stop_url(base_url, secret, commune, follower)
    db.add_all([Delivery(follower_id=follower.id, post_id=p.id, sent_at=now) for p in posts])
    outbox.queue(db, follower.email, following.DIGEST_SUBJECT,
                 following.digest_text(commune.name, entries, journal, stop),
                 following.digest_html(commune.name, entries, journal, stop),
                 unsubscribe_url=stop, commune_name=commune.name, kind=DIGEST)
    return True


def send_digests(database: Database, settings, now: datetime | None = None, force: bool = False) -> int:
    """Queue the digest of every due follower, each in its own write transaction; how many were
    queued. force: whatever the weekly mark (the CLI, tests); an entry is still never sent twice."""
    now = now or utcnow()
    mark = now if force else following.digest_mark(now)
    base_url = settings.base_url.rstrip("/")

    def due_ids(db: Session, after: int, limit: int) -> list[int]:
        return list(db.scalars(select(Follower.id).where(due(mark), Follower.id > after)
                               .order_by(Follower.id).limit(limit)))

    return jobs.each_in_own_transaction(
        database, due_ids, lambda db, follower_id: send_digest(db, follower_id, mark, now, base_url, settings.secret_key),
        start=0, batch=BATCH)


class DigestJob(jobs.Throttled):
    """A periodic job of the mail sender (revital.mail.sender, revital.jobs): at most once a
    minute, one read that asks whether any follower is due; the digests only when one is."""

    label = "journal: %s digest(s) queued"

    def due(self, db: Session, now: datetime) -> bool:
        return any_due(db, following.digest_mark(now))

    def run(self, now: datetime) -> int:
        return send_digests(self.database, self.settings, now)
