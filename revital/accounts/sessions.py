"""Server-side sign-in sessions and attempt throttles, in the database or in Redis.

The application processes keep nothing of their own: any worker can answer any request.
The cookie carries a random token; the store keeps only its SHA-256.

The database stores write either in the caller's session (`session=`: inside the request's own
write transaction, committed with it) or in a transaction of their own, which must then not be
called while the request's own write transaction is open (SQLite has one writer: revital.db
refuses a second write transaction in one thread rather than let it wait for itself).
"""

import hashlib
import secrets
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, delete, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from revital.accounts.models import Throttle, UserSession
from revital.db import Database, utcnow

# last_seen_at is written at most this often, so reading pages does not mean writing.
TOUCH_EVERY = timedelta(seconds=60)


@contextmanager
def writing(db: Database, session=None):
    """The caller's session if given (the caller commits), else a write transaction of our own."""
    if session is not None:
        yield session
        return
    with db.transaction() as own:
        yield own


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class SessionInfo:
    user_id: int
    created_at: datetime
    last_seen_at: datetime


@dataclass(frozen=True)
class Timeouts:
    idle: timedelta
    absolute: timedelta

    def expired(self, info: SessionInfo, now: datetime) -> bool:
        return now - info.last_seen_at > self.idle or now - info.created_at > self.absolute


class DatabaseSessions:
    def __init__(self, db: Database, timeouts: Timeouts):
        self.db = db
        self.timeouts = timeouts

    def create(self, user_id: int, session=None) -> str:
        token = secrets.token_urlsafe(32)
        now = utcnow()
        with writing(self.db, session) as session:
            session.add(
                UserSession(token_hash=token_hash(token), user_id=user_id, created_at=now, last_seen_at=now)
            )
        return token

    def get(self, token: str) -> SessionInfo | None:
        """The live session for this token, renewed; None if unknown or expired (and then removed)."""
        key = token_hash(token)
        now = utcnow()
        with self.db.session() as session:
            row = session.get(UserSession, key)
            if row is None:
                return None
            info = SessionInfo(row.user_id, row.created_at, row.last_seen_at)
        if self.timeouts.expired(info, now):
            self.delete(token)
            return None
        if now - info.last_seen_at > TOUCH_EVERY:
            with self.db.transaction() as session:
                session.execute(
                    update(UserSession).where(UserSession.token_hash == key).values(last_seen_at=now)
                )
        return info

    def delete(self, token: str, session=None) -> None:
        with writing(self.db, session) as session:
            session.execute(delete(UserSession).where(UserSession.token_hash == token_hash(token)))

    def delete_user(self, user_id: int, keep: str | None = None, session=None) -> None:
        with writing(self.db, session) as session:
            query = delete(UserSession).where(UserSession.user_id == user_id)
            if keep:
                query = query.where(UserSession.token_hash != token_hash(keep))
            session.execute(query)

    def purge(self, session=None) -> int:
        """Remove expired sessions; returns how many."""
        now = utcnow()
        with writing(self.db, session) as session:
            result = session.execute(
                delete(UserSession).where(
                    (UserSession.last_seen_at < now - self.timeouts.idle)
                    | (UserSession.created_at < now - self.timeouts.absolute)
                )
            )
            return result.rowcount


class RedisSessions:
    def __init__(self, redis, timeouts: Timeouts, prefix: str = "revital:"):
        self.redis = redis
        self.timeouts = timeouts
        self.prefix = prefix

    def _key(self, token: str) -> str:
        return f"{self.prefix}session:{token_hash(token)}"

    def _user_key(self, user_id: int) -> str:
        return f"{self.prefix}user-sessions:{user_id}"

    def create(self, user_id: int, session=None) -> str:
        token = secrets.token_urlsafe(32)
        now = utcnow().timestamp()
        key = self._key(token)
        pipe = self.redis.pipeline()
        pipe.hset(key, mapping={"user_id": user_id, "created_at": now, "last_seen_at": now})
        pipe.expire(key, int(self.timeouts.idle.total_seconds()))
        pipe.sadd(self._user_key(user_id), key)
        pipe.expire(self._user_key(user_id), int(self.timeouts.absolute.total_seconds()))
        pipe.execute()
        return token

    def get(self, token: str) -> SessionInfo | None:
        key = self._key(token)
        data = self.redis.hgetall(key)
        if not data:
            return None
        info = SessionInfo(
            int(data[b"user_id"]),
            datetime.fromtimestamp(float(data[b"created_at"]), tz=utcnow().tzinfo),
            datetime.fromtimestamp(float(data[b"last_seen_at"]), tz=utcnow().tzinfo),
        )
        now = utcnow()
        if self.timeouts.expired(info, now):
            self.delete(token)
            return None
        if now - info.last_seen_at > TOUCH_EVERY:
            pipe = self.redis.pipeline()
            pipe.hset(key, "last_seen_at", now.timestamp())
            pipe.expire(key, int(self.timeouts.idle.total_seconds()))
            pipe.execute()
        return info

    def delete(self, token: str, session=None) -> None:
        self.redis.delete(self._key(token))

    def delete_user(self, user_id: int, keep: str | None = None, session=None) -> None:
        keys = [k.decode() for k in self.redis.smembers(self._user_key(user_id))]
        kept = self._key(keep) if keep else None
        doomed = [k for k in keys if k != kept]
        if doomed:
            self.redis.delete(*doomed)
            self.redis.srem(self._user_key(user_id), *doomed)

    def purge(self, session=None) -> int:
        return 0  # Redis expires keys itself.


# Throttle rows name addresses (personal data): none is kept longer than this.
THROTTLE_RETENTION = timedelta(days=1)


class DatabaseThrottle:
    """Fixed-window counters, incremented atomically with an upsert. Every hundredth hit of a
    process also deletes the rows older than THROTTLE_RETENTION."""

    PURGE_EVERY = 100

    def __init__(self, db: Database):
        self.db = db
        self.hits = 0

    def hit(self, key: str, window: timedelta, session=None) -> int:
        """Count one attempt under key and return the count in the current window: one statement,
        which starts a new window when the last one is over."""
        now = utcnow()
        insert = sqlite_insert if self.db.sqlite else pg_insert
        with writing(self.db, session) as session:
            statement = insert(Throttle).values(key=key, window_start=now, hits=1)
            over = Throttle.window_start < now - window
            statement = statement.on_conflict_do_update(
                index_elements=[Throttle.key],
                set_={"hits": case((over, 1), else_=Throttle.hits + 1),
                      "window_start": case((over, now), else_=Throttle.window_start)},
            ).returning(Throttle.hits)
            hits = session.scalar(statement)
            self.hits += 1
            if self.hits % self.PURGE_EVERY == 0:
                session.execute(delete(Throttle).where(Throttle.window_start < now - THROTTLE_RETENTION))
            return hits

    def count(self, key: str, window: timedelta) -> tuple[int, datetime | None]:
        """Attempts in the current window and when that window started."""
        with self.db.session() as session:
            row = session.get(Throttle, key)
            if row is None or row.window_start < utcnow() - window:
                return 0, None
            return row.hits, row.window_start

    def clear(self, key: str, session=None) -> None:
        with writing(self.db, session) as session:
            session.execute(delete(Throttle).where(Throttle.key == key))


class RedisThrottle:
    def __init__(self, redis, prefix: str = "revital:"):
        self.redis = redis
        self.prefix = prefix

    def hit(self, key: str, window: timedelta, session=None) -> int:
        name = f"{self.prefix}throttle:{key}"
        pipe = self.redis.pipeline()
        pipe.incr(name)
        pipe.expire(name, int(window.total_seconds()), nx=True)
        hits, _ = pipe.execute()
        return int(hits)

    def count(self, key: str, window: timedelta) -> tuple[int, datetime | None]:
        name = f"{self.prefix}throttle:{key}"
        hits = self.redis.get(name)
        if hits is None:
            return 0, None
        ttl = max(self.redis.ttl(name), 0)
        return int(hits), utcnow() - window + timedelta(seconds=ttl)

    def clear(self, key: str, session=None) -> None:
        self.redis.delete(f"{self.prefix}throttle:{key}")
