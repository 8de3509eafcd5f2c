"""The database: engine, declarative base, portable column types and request sessions.

SQLite runs with foreign keys on, WAL, a busy timeout, and transactions that this module
begins itself: a plain BEGIN for reads and BEGIN IMMEDIATE for writes, so that a
read-then-write cannot lose a concurrent update (see QUALITY.md). PostgreSQL is selected by
the URL alone; services lock the rows they read before writing (SELECT ... FOR UPDATE).
"""

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from sqlalchemy import DateTime, Engine, MetaData, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

WRITE = "revital_write"


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """Stored as naive UTC on every database, always read back as an aware UTC datetime."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: use revital.db.utcnow()")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC)


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def make_engine(url: str) -> Engine:
    if is_sqlite(url):
        # As many pooled connections as request threads may want at once: opening an SQLite
        # connection (and its pragmas) costs more than most queries.
        engine = create_engine(
            url, connect_args={"timeout": 30, "check_same_thread": False}, pool_size=20, max_overflow=20
        )
        configure_sqlite(engine)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=10)


def configure_sqlite(engine: Engine) -> None:
    # One writer at a time within the process, queued on a lock rather than on SQLite's busy
    # handler, which sleeps and retries: QUALITY.md measured p99 1.1 s -> 0.12 s with 16 writers.
    # Other processes still wait on busy_timeout.
    write_lock = threading.Lock()

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, connection_record):
        # Take transaction control away from the sqlite3 module: it would not BEGIN before a SELECT.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection):
        if connection.get_execution_options().get(WRITE):
            write_lock.acquire()
            connection.info["holds_write_lock"] = True
            try:
                connection.exec_driver_sql("BEGIN IMMEDIATE")
            except Exception:
                release(connection)
                raise
        else:
            connection.exec_driver_sql("BEGIN")

    def release(connection, *args):
        if connection.info.pop("holds_write_lock", False):
            write_lock.release()

    event.listen(engine, "commit", release)
    event.listen(engine, "rollback", release)


class Database:
    """One engine and the two kinds of session the application uses."""

    def __init__(self, url: str):
        self.url = url
        self.engine = make_engine(url)
        self.write_engine = self.engine.execution_options(**{WRITE: True})
        self.read_sessions = sessionmaker(self.engine, expire_on_commit=False)
        self.write_sessions = sessionmaker(self.write_engine, expire_on_commit=False)

    @property
    def sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    def session(self, write: bool = False) -> Session:
        return (self.write_sessions if write else self.read_sessions)()

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A write transaction for scripts and the CLI: commits on success, rolls back on error."""
        with self.session(write=True) as session, session.begin():
            yield session

    def dispose(self) -> None:
        self.engine.dispose()
