"""Request sessions: what takes the write lock, what may write, and that every handler closes its session."""

import inspect
import threading

import pytest
from sqlalchemy import select, text, update
from sqlalchemy.exc import DBAPIError

from revital.app import create_app
from revital.communes.models import Commune
from revital.db import Busy, Database
from tests.conftest import MAIN


def description(database, slug=MAIN) -> str:
    with database.session() as session:
        return session.scalar(select(Commune.description).where(Commune.slug == slug))


def test_a_read_transaction_cannot_write(db):
    session = db.request_session(write=False)
    with pytest.raises(DBAPIError):
        session.execute(update(Commune).where(Commune.slug == MAIN).values(description="écrit en lecture"))
    session.close()
    assert description(db) != "écrit en lecture"


def test_after_a_commit_the_session_reads(db):
    session = db.request_session(write=True)
    session.execute(update(Commune).where(Commune.slug == MAIN).values(description="première écriture"))
    session.commit()
    assert session.writing is False
    session.scalar(select(Commune.id))  # a read after the commit...
    with pytest.raises(DBAPIError):  # ...in a read transaction
        session.execute(update(Commune).where(Commune.slug == MAIN).values(description="seconde"))
    session.rollback()
    session.write()
    session.execute(update(Commune).where(Commune.slug == MAIN).values(description="seconde"))
    session.commit()
    session.close()
    assert description(db) == "seconde"


@pytest.fixture
def sqlite_db(tmp_path):
    """An SQLite database of its own, whatever database the suite runs on: the process write
    lock exists on SQLite only."""
    database = Database(f"sqlite:///{tmp_path / 'lock.sqlite3'}", wait=0.3)
    with database.transaction() as session:
        session.execute(text("CREATE TABLE counter (n INTEGER)"))
        session.execute(text("INSERT INTO counter VALUES (0)"))
    yield database
    database.dispose()


def test_a_read_after_a_commit_does_not_hold_the_write_lock(sqlite_db):
    """The cause of the hang: a session that had committed kept reading in a new write
    transaction, holding the lock until someone closed it."""
    first = sqlite_db.request_session(write=True)
    first.execute(text("UPDATE counter SET n = n + 1"))
    first.commit()
    first.scalar(text("SELECT n FROM counter"))  # still open, reading
    outcome = []

    def other_writer():
        with sqlite_db.transaction() as session:
            session.execute(text("UPDATE counter SET n = n + 1"))
        outcome.append("written")

    thread = threading.Thread(target=other_writer)
    thread.start()
    thread.join(10)
    first.close()
    assert outcome == ["written"]


def test_a_second_write_transaction_in_one_thread_fails_at_once(sqlite_db):
    first = sqlite_db.request_session(write=True)
    first.scalar(text("SELECT n FROM counter"))
    with pytest.raises(RuntimeError, match="nested write transaction"):
        with sqlite_db.transaction() as second:
            second.execute(text("SELECT 1"))
    first.close()


def test_a_writer_that_cannot_get_the_lock_in_time_is_told_busy(sqlite_db):
    holder = sqlite_db.request_session(write=True)
    holder.scalar(text("SELECT n FROM counter"))
    errors = []

    def writer():
        try:
            with sqlite_db.transaction() as session:
                session.execute(text("UPDATE counter SET n = n + 1"))
        except Busy as error:
            errors.append(error)

    thread = threading.Thread(target=writer)
    thread.start()
    thread.join(10)
    holder.close()
    assert len(errors) == 1
    with sqlite_db.session() as session:
        assert session.scalar(text("SELECT n FROM counter")) == 0


def test_every_handler_that_takes_a_session_closes_it_in_its_thread(settings, db):
    app = create_app(settings)
    checked = 0
    for route in app.routes:
        for handler in getattr(route, "route_handlers", []):
            fn = getattr(handler.fn, "func", handler.fn)  # Litestar wraps sync handlers
            if "db" in inspect.signature(fn).parameters:
                assert getattr(fn, "closes_session", False), handler
                checked += 1
    assert checked > 20
