"""Communes in the database: by address, their permission scope, partners, the presentation's rules."""

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from revital.communes.models import Commune, CommunePartner, Territory
from revital.permissions import CommuneScope


def commune_by_slug(db: Session, slug: str) -> Commune | None:
    return db.scalar(select(Commune).where(Commune.slug == slug))


def scope_of(db: Session, commune: Commune) -> CommuneScope:
    organisation_ids = db.scalars(
        select(CommunePartner.organisation_id).where(CommunePartner.commune_id == commune.id)
    ).all()
    return CommuneScope(commune.id, commune.territory_id, frozenset(organisation_ids))


def lock(db: Session, commune: Commune) -> None:
    """Take the commune's row lock and read it again: the read-modify-writes of its settings, themes
    and places queue one behind the other (on SQLite the write transaction does it already)."""
    db.refresh(commune, with_for_update=True)


def scopes_of(db: Session, communes: list[Commune]) -> dict[int, CommuneScope]:
    """scope_of for several communes, in one query."""
    ids = [c.id for c in communes]
    invited: dict[int, set[int]] = {i: set() for i in ids}
    if ids:
        rows = db.execute(select(CommunePartner.commune_id, CommunePartner.organisation_id)
                          .where(CommunePartner.commune_id.in_(ids))).all()
        for commune_id, organisation_id in rows:
            invited[commune_id].add(organisation_id)
    return {c.id: CommuneScope(c.id, c.territory_id, frozenset(invited[c.id])) for c in communes}


def demo_loaded(db: Session) -> bool:
    return db.scalar(select(Territory.id).where(Territory.is_demo).limit(1)) is not None


def partners_of(db: Session, commune: Commune) -> list:
    rows = db.scalars(
        select(CommunePartner)
        .where(CommunePartner.commune_id == commune.id)
        .options(selectinload(CommunePartner.organisation))
    ).all()
    return sorted((row.organisation for row in rows), key=lambda o: o.name)


DESCRIPTION_MAX = 5000


def description_problem(text: str) -> str | None:
    if len(text) > DESCRIPTION_MAX:
        return f"La présentation ne peut pas dépasser {DESCRIPTION_MAX} caractères ({len(text)} actuellement)."
    return None
