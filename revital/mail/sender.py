"""The background sender: claims due messages one at a time, sends them, marks them sent or retried.

Every worker process starts one (`Sender.start()` in the application's lifespan) and stops it at
shutdown; they share the outbox safely (see revital.mail.outbox on claiming and leases).

The sender also runs periodic jobs (callables taking `now`) at each tick, before sending: what
queues e-mails on a schedule (the journal's weekly digest) without this package knowing it. A
job must be cheap when nothing is due; one that fails is logged and the others still run.
"""

import logging
import threading
from dataclasses import dataclass

from revital.db import Database, is_busy, utcnow
from revital.mail import message as messages
from revital.mail import outbox
from revital.mail.smtp import FileTransport, SmtpTransport, TransportError

log = logging.getLogger("revital.mail")


def transport_for(settings):
    """The SMTP server if configured; .eml files in instance/mail/ in development and tests; in
    production without SMTP, None: messages wait in the outbox (and the start-up log says so)."""
    if settings.smtp_url:
        return SmtpTransport(settings.smtp_url)
    if settings.environment != "production":
        return FileTransport(settings.instance_dir / "mail")
    return None


@dataclass
class Report:
    sent: int = 0
    failed: int = 0  # attempts that failed (the message is retried later, or given up)


class Sender:
    def __init__(self, database: Database, transport, sender_address: str, interval: float = 5.0,
                 jobs=()):
        self.database = database
        self.jobs = list(jobs)
        self.transport = transport
        self.sender_address = sender_address
        self.interval = interval
        self.stopping = threading.Event()
        self.thread: threading.Thread | None = None

    def send_due(self, now=None, limit: int | None = None) -> Report:
        """Send what is due now, one message at a time, until nothing is due (or limit, or stop)."""
        report = Report()
        while not self.stopping.is_set() and (limit is None or report.sent + report.failed < limit):
            # A read first: an idle outbox costs no write transaction (on SQLite, no write lock).
            with self.database.session() as db:
                if not outbox.any_due(db, now):
                    break
            with self.database.transaction() as db:
                claimed = outbox.claim_next(db, now)
            if claimed is None:
                break
            row, token = claimed
            # The lease is committed: the SMTP exchange holds no transaction and no lock.
            try:
                self.transport.send(messages.build(
                    sender=self.sender_address, to=row.to_address, subject=row.subject, text=row.text,
                    html=row.html, message_id=row.message_id, unsubscribe_url=row.unsubscribe_url,
                    date=row.created_at, calendar=row.calendar))
            except Exception as error:  # refused, unreachable, or a message that cannot be built
                if not isinstance(error, TransportError):
                    log.exception("e-mail %s could not be sent", row.id)
                log.warning("e-mail %s not sent (attempt %s): %s", row.id, row.attempts, error)
                with self.database.transaction() as db:
                    outbox.mark_failed(db, row.id, token, str(error) or type(error).__name__, now)
                report.failed += 1
                continue
            with self.database.transaction() as db:
                if not outbox.mark_sent(db, row.id, token, now):
                    log.warning("e-mail %s was sent but its lease was lost (erased meanwhile?)", row.id)
            report.sent += 1
        return report

    def run_jobs(self, now=None) -> None:
        now = now or utcnow()
        for job in self.jobs:
            if self.stopping.is_set():
                return
            try:
                job(now)
            except Exception as error:
                if is_busy(error):
                    log.info("periodic job %s: database busy, next try at the next tick", job)
                else:
                    log.exception("periodic job %s failed", job)

    def run(self) -> None:
        while not self.stopping.is_set():
            self.run_jobs()
            try:
                self.send_due()
            except Exception as error:  # the database down or busy: try again at the next tick
                if is_busy(error):
                    log.info("outbox: database busy, next try in %s s", self.interval)
                else:
                    log.exception("outbox: sending failed")
            self.stopping.wait(self.interval)

    def start(self) -> None:
        if self.transport is None:
            log.error("REVITAL_SMTP_URL is not set: e-mails are kept in the outbox and NOT sent "
                      "until it is (revital mail status shows them).")
            return
        self.stopping.clear()
        self.thread = threading.Thread(target=self.run, name="revital-mail", daemon=True)
        self.thread.start()

    def stop(self, timeout: float = 35.0) -> None:
        """Stop after the message in flight, if any (an SMTP exchange lasts at most its timeout)."""
        self.stopping.set()
        if self.thread is not None:
            self.thread.join(timeout)
            self.thread = None


def sender_for(settings, database: Database, jobs=()) -> Sender:
    return Sender(database, transport_for(settings), settings.mail_from, settings.mail_interval, jobs)

