"""A person's right of access and erasure (RGPD articles 15 and 17), by e-mail address.

Contributions are found by the address their author left to hear what becomes of them, or by
the author's account; local-group memberships by the member's address. Erasure deletes the
contributions (with their photos, supports and moderation decisions) and the memberships, and
tells the open-data feeds they changed.
"""

from dataclasses import dataclass, field

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import Session

from revital.accounts.models import User
from revital.communes.models import Commune
from revital.contributions.models import Contribution, Photo
from revital.localgroups.models import LocalGroup, Member


@dataclass
class PersonalData:
    email: str
    account: str | None = None
    contributions: list[tuple[int, str, str, str]] = field(default_factory=list)  # id, commune, title, status
    memberships: list[tuple[int, str, str]] = field(default_factory=list)  # id, commune, name


def contributions_query(db: Session, email: str):
    user_id = db.scalar(select(User.id).where(func.lower(User.email) == email))
    condition = func.lower(Contribution.author_email) == email
    if user_id is not None:
        condition = or_(condition, Contribution.user_id == user_id)
    return select(Contribution).where(condition)


def find(db: Session, email: str) -> PersonalData:
    email = email.strip().lower()
    found = PersonalData(email=email)
    user = db.scalar(select(User).where(func.lower(User.email) == email))
    if user is not None:
        found.account = user.display_name
    for c in db.scalars(contributions_query(db, email).order_by(Contribution.id)):
        commune = db.get(Commune, c.commune_id)
        found.contributions.append((c.id, commune.name, c.title, c.status))
    rows = db.execute(select(Member, Commune.name).join(LocalGroup, Member.group_id == LocalGroup.id)
                      .join(Commune, LocalGroup.commune_id == Commune.id)
                      .where(func.lower(Member.email) == email).order_by(Member.id)).all()
    found.memberships = [(member.id, commune_name, member.name) for member, commune_name in rows]
    return found


def erase(db: Session, email: str) -> tuple[int, int]:
    """Delete the person's contributions and memberships in the caller's transaction; returns the counts."""
    email = email.strip().lower()
    contributions = db.scalars(contributions_query(db, email)).all()
    photo_ids = [c.photo_id for c in contributions if c.photo_id]
    communes = {c.commune_id for c in contributions}
    for contribution in contributions:
        db.delete(contribution)
    db.flush()
    if photo_ids:
        db.execute(delete(Photo).where(Photo.id.in_(photo_ids)))
    if communes:
        db.execute(update(Commune).where(Commune.id.in_(communes))
                   .values(contributions_version=Commune.contributions_version + 1))
    members = db.execute(delete(Member).where(func.lower(Member.email) == email)).rowcount
    return len(contributions), members
