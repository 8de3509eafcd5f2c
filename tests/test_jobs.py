"""revital.jobs: the throttle of periodic jobs and the batch loop, without a database (a fake one
records the sessions and transactions it hands out)."""

from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import pytest

from revital import jobs


class FakeDatabase:
    def __init__(self):
        self.opened = []

    @contextmanager
    def session(self):
        self.opened.append("read")
        yield "read"

    @contextmanager
    def transaction(self):
        self.opened.append("write")
        yield "write"


class Counting(jobs.Throttled):
    label = "test: %s thing(s) done"

    def __init__(self, database, settings=None, every=None, pending=0):
        super().__init__(database, settings, every)
        self.pending = pending
        self.checks = 0

    def due(self, db, now):
        assert db == "read"
        self.checks += 1
        return self.pending > 0

    def run(self, now):
        done, self.pending = self.pending, 0
        return done


NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def test_a_job_is_checked_at_most_once_per_period():
    job = Counting(FakeDatabase())
    assert job(NOW) == 0 and job.checks == 1
    job.pending = 3
    assert job(NOW + timedelta(seconds=59)) == 0 and job.checks == 1  # between two checks: not even a read
    assert job(NOW + timedelta(seconds=60)) == 3 and job.checks == 2
    assert job(NOW + timedelta(seconds=200)) == 0 and job.checks == 3  # due said no: run is not called


def test_the_period_is_a_class_attribute_or_an_argument():
    class Hourly(Counting):
        every = timedelta(hours=1)

    assert Hourly(FakeDatabase()).every == timedelta(hours=1)
    assert Hourly(FakeDatabase(), every=timedelta(seconds=5)).every == timedelta(seconds=5)
    assert Counting(FakeDatabase()).every == timedelta(minutes=1)


def test_a_job_logs_what_it_did_on_its_modules_logger(caplog):
    job = Counting(FakeDatabase(), pending=2)
    with caplog.at_level("INFO", logger=__name__):
        assert job(NOW) == 2
    assert [(r.name, r.getMessage()) for r in caplog.records] == [(__name__, "test: 2 thing(s) done")]


def test_a_job_must_say_what_is_due():
    with pytest.raises(NotImplementedError):
        jobs.Throttled(FakeDatabase(), None)(NOW)


def test_each_key_has_its_own_transaction_and_keys_are_read_in_batches():
    database = FakeDatabase()
    keys = list(range(1, 8))
    reads, handled = [], []

    def keys_after(db, after, limit):
        assert db == "read"
        reads.append(after)
        return [k for k in keys if k > after][:limit]

    def handle(db, key):
        assert db == "write"
        handled.append(key)
        return key % 2 == 1  # a bool counts 0 or 1

    assert jobs.each_in_own_transaction(database, keys_after, handle, start=0, batch=3) == 4
    assert handled == keys
    assert reads == [0, 3, 6]
    assert database.opened.count("write") == 7 and database.opened.count("read") == 3


def test_a_full_last_batch_reads_once_more_and_text_keys_start_from_the_empty_string():
    addresses = ["a@x.fr", "b@x.fr"]
    reads = []

    def keys_after(db, after, limit):
        reads.append(after)
        return [a for a in addresses if a > after][:limit]

    assert jobs.each_in_own_transaction(FakeDatabase(), keys_after, lambda db, key: 1, start="", batch=2) == 2
    assert reads == ["", "b@x.fr"]
