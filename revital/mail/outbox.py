"""The outbox API: queue an e-mail in the caller's transaction; claim, mark and count for the sender.

`queue()` only adds a row to the caller's session: the e-mail is committed with the event that
causes it, and a rolled-back transaction leaves no e-mail behind.

Claiming (`claim_next`) takes one due message and leases it to one sender: on PostgreSQL with
`SELECT … FOR UPDATE SKIP LOCKED`, on SQLite with one conditional UPDATE that sets the lease only
if the row is still unclaimed (SQLite write transactions are serialised anyway). A message is
due when it waits and its time has come, or when it is "sending" under a lease that ran out — its
sender died mid-send. The lease (LEASE) is far longer than an SMTP exchange can last (the SMTP
timeout bounds it): a live sender always finishes, or gives up, long before its lease ends, so a
send in flight is never claimed twice. The price: a sender killed after the SMTP server accepted
a message but before it was marked sent makes that message go out again once the lease is over
(at most once more, LEASE later) — the one duplicate a crash can cause, preferred to losing it.
"""

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.orm import Session

from revital.db import utcnow
from revital.mail.message import MAX_ATTEMPTS, backoff, full_subject, one_line, valid_address
from revital.mail.models import FAILED, SENDING, SENT, STATUSES, WAITING, Outbox

LEASE = timedelta(minutes=10)


def queue(db: Session, to: str, subject: str, text: str, html: str | None = None, *,
          unsubscribe_url: str | None = None, commune_name: str | None = None, kind: str = "",
          calendar: bytes | str | None = None) -> Outbox:
    """Add an e-mail to the outbox in the caller's transaction (sent once that transaction commits).
    unsubscribe_url: for everything that is not a direct answer to the person's own action;
    calendar: an iCalendar event sent with it (atelier.ics)."""
    to = to.strip()
    if not valid_address(to):
        raise ValueError(f"Adresse e-mail invalide : {to!r}.")
    message = Outbox(
        to_address=to, subject=full_subject(subject, commune_name)[:300], text=text, html=html,
        unsubscribe_url=one_line(unsubscribe_url) if unsubscribe_url else None, kind=kind[:40],
        message_id=secrets.token_hex(16), status=WAITING, attempts=0, next_attempt_at=utcnow(),
        calendar=calendar.decode() if isinstance(calendar, bytes) else calendar,
    )
    db.add(message)
    return message


def due(now: datetime):
    return or_(and_(Outbox.status == WAITING, Outbox.next_attempt_at <= now),
               and_(Outbox.status == SENDING, Outbox.claimed_until < now))


def any_due(db: Session, now: datetime | None = None) -> bool:
    return db.scalar(select(Outbox.id).where(due(now or utcnow())).limit(1)) is not None


def claim_next(db: Session, now: datetime | None = None) -> tuple[Outbox, str] | None:
    """In the caller's write transaction: lease one due message to the caller; returns it with the
    claim token that marking it needs, or None when nothing is due."""
    now = now or utcnow()
    token = secrets.token_hex(16)
    lease = {"status": SENDING, "claimed_until": now + LEASE, "claim": token, "attempts": Outbox.attempts + 1}
    if db.get_bind().dialect.name == "postgresql":
        found = db.scalar(select(Outbox.id).where(due(now)).order_by(Outbox.next_attempt_at, Outbox.id)
                          .limit(1).with_for_update(skip_locked=True))
        if found is None:
            return None
        db.execute(update(Outbox).where(Outbox.id == found).values(**lease))
    else:
        candidate = select(Outbox.id).where(due(now)).order_by(Outbox.next_attempt_at, Outbox.id).limit(1)
        found = db.scalar(update(Outbox).where(Outbox.id == candidate.scalar_subquery(), due(now))
                          .values(**lease).returning(Outbox.id))
        if found is None:
            return None
    message = db.get(Outbox, found, populate_existing=True)
    return message, token


def mark_sent(db: Session, message_id: int, token: str, now: datetime | None = None) -> bool:
    """False if the lease was lost (the message was erased, or re-claimed after its lease)."""
    now = now or utcnow()
    result = db.execute(update(Outbox).where(Outbox.id == message_id, Outbox.claim == token)
                        .values(status=SENT, sent_at=now, claimed_until=None, claim=None, last_error=None))
    return result.rowcount == 1


def mark_failed(db: Session, message_id: int, token: str, error: str, now: datetime | None = None) -> bool:
    """A failed attempt: the next one after a backoff, or "failed" after MAX_ATTEMPTS."""
    now = now or utcnow()
    message = db.get(Outbox, message_id, populate_existing=True)
    if message is None or message.claim != token:
        return False
    message.last_error = error[:2000]
    message.claim = None
    message.claimed_until = None
    if message.attempts >= MAX_ATTEMPTS:
        message.status = FAILED
    else:
        message.status = WAITING
        message.next_attempt_at = now + backoff(message.attempts)
    return True


@dataclass
class Status:
    counts: dict[str, int]
    oldest_waiting: datetime | None
    errors: list[Outbox]


def status(db: Session, errors: int = 5) -> Status:
    counts = dict.fromkeys(STATUSES, 0)
    counts.update(dict(db.execute(select(Outbox.status, func.count()).group_by(Outbox.status)).all()))
    oldest = db.scalar(select(func.min(Outbox.created_at)).where(Outbox.status.in_([WAITING, SENDING])))
    last = db.scalars(select(Outbox).where(Outbox.last_error.is_not(None))
                      .order_by(Outbox.id.desc()).limit(errors)).all()
    return Status(counts, oldest, list(last))
