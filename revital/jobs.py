"""Periodic jobs: what queues work on a schedule (a weekly digest, a daily one, a reminder before
a due date), run at most every so often by whoever ticks them — today the mail sender's
background thread (revital.mail.sender calls every job with `now` at each tick), but any caller
that has `now` may (a request, the CLI, a test). Knows no domain.

A job is a `Throttled` subclass with two methods:

- `due(db, now) -> bool`: one cheap read (in a read session) that says whether anything is due;
- `run(now) -> int`: the work itself, usually `each_in_own_transaction(...)` over the due keys;
  returns how many things it did (e-mails queued…).

`Throttled` asks `due` at most once every `every` (one minute by default), whatever the rate of
the ticks, and calls `run` only when `due` said yes; it logs what `run` did (`label`, on the
logger of the subclass's module). A tick between two
checks costs nothing, not even a read. An error goes up to the caller (the sender logs it and
ticks the other jobs).

Adding a job, say the reminder of partners' opinions three days before their due date::

    # revital/sheets/reminders.py
    from revital import jobs

    class OpinionReminderJob(jobs.Throttled):
        label = "sheets: %s opinion reminder(s) queued"
        every = timedelta(minutes=10)  # optional: the default is one minute

        def due(self, db, now):
            return any_due(db, now)  # one query, LIMIT 1

        def run(self, now):
            return send_reminders(self.database, self.settings, now)

    def send_reminders(database, settings, now=None, force=False) -> int:
        now = now or utcnow()
        return jobs.each_in_own_transaction(
            database, lambda db, after, limit: due_ids(db, now, after, limit),
            lambda db, ident: send_reminder(db, ident, now, settings), start=0)

then append `OpinionReminderJob(db, settings)` to the `jobs=[...]` of `sender_for` in
revital/app.py. `send_reminder` claims its row with one conditional UPDATE (see
revital.journal.followers.send_digest) so that two workers never send the same reminder: the
throttle is per process, not a lock.
"""

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from revital.db import Database

BATCH = 200  # keys read at once by each_in_own_transaction


class Throttled:
    """A periodic job checked at most once every `every`; subclasses define `due` and `run`
    (and `label`, a log line with one %s for what `run` returned)."""

    every = timedelta(minutes=1)
    label = "periodic job: %s done"

    def __init__(self, database: Database, settings, every: timedelta | None = None):
        self.database = database
        self.settings = settings
        if every is not None:
            self.every = every
        self.next_check: datetime | None = None

    def due(self, db, now: datetime) -> bool:
        raise NotImplementedError

    def run(self, now: datetime) -> int:
        raise NotImplementedError

    def __call__(self, now: datetime) -> int:
        if self.next_check is not None and now < self.next_check:
            return 0
        self.next_check = now + self.every
        with self.database.session() as db:
            if not self.due(db, now):
                return 0
        done = self.run(now)
        if done:
            logging.getLogger(type(self).__module__).info(self.label, done)
        return done

    def __repr__(self) -> str:
        return type(self).__name__


def each_in_own_transaction(database: Database, keys_after: Callable, handle: Callable, start=0,
                            batch: int = BATCH) -> int:
    """Handle every due key, each in its own write transaction; the sum of what handle returned.

    keys_after(db, after, limit): the due keys greater than `after`, in increasing order, at most
    `limit` of them (read in a read session); handle(db, key): the work for one key in the
    caller's write transaction, returning a number (a bool counts 0 or 1). start: a value below
    every key (0 for ids, "" for text). Keys are read `batch` at a time, so a long list never
    holds a transaction open."""
    done, after = 0, start
    while True:
        with database.session() as db:
            keys = list(keys_after(db, after, batch))
        for key in keys:
            with database.transaction() as db:
                done += handle(db, key)
        if len(keys) < batch:
            return done
        after = keys[-1]
