"""One form, one record: the back office's forms that create something (a sheet, a stake, an idea,
a workshop, a journal entry, a call, a vote, a students' week) carry a random key drawn when the
form is shown (`field()`, a template global). The request that creates the record claims the key
in the same transaction; any later request with the same key — a double click, a form sent again
after a slow answer, the same page sent from two tabs — creates nothing and is sent where the first
one went. A form shown again after an error gets a new key: the refused one claimed nothing.

    key = submissions.key_of(form)
    ...                                                  # validate; errors → the form again
    if (gone := submissions.taken(db, key)) is not None:
        db.rollback()                                    # another request made it: go and see it
        return see_other(gone or list_url)
    record = create(...)
    submissions.finish(db, key, url_of(record))
    db.commit()

Keys are kept two days (a form left open longer than that is a new form). Knows no domain."""

import re
import secrets
from datetime import datetime, timedelta

from markupsafe import Markup
from sqlalchemy import String, delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from revital.db import Base, UTCDateTime, utcnow

FIELD = "once"
KEEP = timedelta(days=2)
KEY = re.compile(r"^[A-Za-z0-9_-]{16,40}$")


class FormSubmission(Base):
    """A create form's key, claimed by the request that created its record, and where that went."""

    __tablename__ = "form_submissions"

    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    target: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


def new_key() -> str:
    return secrets.token_urlsafe(16)


def field() -> Markup:
    """The hidden input a create form carries (a fresh key at each display)."""
    return Markup(f'<input type="hidden" name="{FIELD}" value="{new_key()}">')


def key_of(form) -> str | None:
    """The form's key, or None when it carries none (or not one of ours): then nothing is checked."""
    value = form.get(FIELD, "")
    return value if KEY.match(value) else None


def taken(db: Session, key: str | None) -> str | None:
    """Claim the key in the caller's write transaction: None when it is ours now (or the form has
    none). Otherwise another request has it, and this says where that request went ("" if it is
    not known). On PostgreSQL a concurrent claim waits for the first transaction, then fails here;
    on SQLite writers are one at a time. Keys older than KEEP are cleared on the way."""
    if key is None:
        return None
    db.execute(delete(FormSubmission).where(FormSubmission.created_at < utcnow() - KEEP))
    try:
        with db.begin_nested():
            db.add(FormSubmission(key=key))
    except IntegrityError:
        return db.scalar(select(FormSubmission.target).where(FormSubmission.key == key)) or ""
    return None


def finish(db: Session, key: str | None, target: str) -> None:
    """Where the claimed key's request went (the record it created), in the same transaction."""
    if key is not None:
        row = db.get(FormSubmission, key)
        if row is not None:
            row.target = target[:500]
