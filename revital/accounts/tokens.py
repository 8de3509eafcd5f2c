"""Single-use links sent by e-mail: issued (random, stored as SHA-256), checked, used once.

A new link of a purpose for an address replaces the older ones (they are deleted); a used link is
kept until it would have expired, to say "déjà utilisé" rather than "inconnu", then deleted.
Invitations (7 days) use the same table, with the role and the commune or the organisation
(partners) they open; a pending invitation gives a role that acts only once activated (an
applicant commune's agent, until the call's results).
"""

import secrets
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from revital.accounts.models import AccountToken
from revital.accounts.sessions import token_hash
from revital.db import utcnow

RESET = "reset"
RESET_LIFETIME = timedelta(hours=24)
INVITATION = "invitation"
INVITATION_LIFETIME = timedelta(days=7)
MAX_TOKEN_LENGTH = 100

NOT_VALID = "not-valid"
EXPIRED = "expired"
USED = "used"


def problem(row: AccountToken | None, now: datetime) -> str | None:
    """Why a link cannot be used (NOT_VALID, EXPIRED, USED), or None."""
    if row is None:
        return NOT_VALID
    if row.used_at is not None:
        return USED
    if now >= row.expires_at:
        return EXPIRED
    return None


def issue(db: Session, purpose: str, email: str, lifetime: timedelta, user_id: int | None = None,
          role: str | None = None, commune_id: int | None = None, organisation_id: int | None = None,
          pending: bool = False) -> str:
    """A new link in the caller's write transaction; older links of this purpose and address (and
    commune or organisation, for an invitation) go."""
    now = utcnow()
    same_commune = AccountToken.commune_id == commune_id if commune_id else AccountToken.commune_id.is_(None)
    same_organisation = (AccountToken.organisation_id == organisation_id if organisation_id
                         else AccountToken.organisation_id.is_(None))
    db.execute(delete(AccountToken).where(AccountToken.purpose == purpose, AccountToken.email == email, same_commune,
                                          same_organisation))
    db.execute(delete(AccountToken).where(AccountToken.expires_at < now))  # nothing kept past its use
    token = secrets.token_urlsafe(32)
    db.add(AccountToken(purpose=purpose, token_hash=token_hash(token), user_id=user_id, email=email,
                        created_at=now, expires_at=now + lifetime, role=role, commune_id=commune_id,
                        organisation_id=organisation_id, pending=pending))
    db.flush()
    return token


def find(db: Session, purpose: str, token: str, lock: bool = False) -> AccountToken | None:
    """The link's row, whatever its state; None for a token that is not one of ours."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    query = select(AccountToken).where(AccountToken.purpose == purpose, AccountToken.token_hash == token_hash(token))
    if lock:
        query = query.with_for_update()
    return db.scalar(query)


def use(db: Session, row: AccountToken) -> None:
    row.used_at = utcnow()
