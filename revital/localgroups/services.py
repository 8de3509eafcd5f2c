"""Local groups in the database: a commune's group, its members."""

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from revital.localgroups.models import LocalGroup, Member


def group_of(db: Session, commune_id: int) -> LocalGroup | None:
    return db.scalar(
        select(LocalGroup)
        .where(LocalGroup.commune_id == commune_id)
        .options(selectinload(LocalGroup.members))
    )


def ensure_group(db: Session, commune) -> LocalGroup:
    group = group_of(db, commune.id)
    if group is None:
        group = LocalGroup(commune_id=commune.id, name=f"Groupe local de {commune.name}")
        db.add(group)
        db.flush()
    return group


def member_in(db: Session, group: LocalGroup, member_id: int) -> Member | None:
    return db.scalar(select(Member).where(Member.id == member_id, Member.group_id == group.id))
