"""The links of the lineage in the database: link and unlink a source to a target, and read both
ways in one query (a target's sources; what a source became). Shared by the whole chain (stakes,
ideas, action sheets): it knows kinds and ids, never what they are."""

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from revital.lineage.models import Link
from revital.lineage.rules import KINDS


def link(db: Session, commune_id: int, target_kind: str, target_id: int, source_kind: str, source_id: int,
         user_id: int | None = None) -> bool:
    """Link a source to a target in the caller's transaction; False if they were linked already
    (the unique constraint: two people at once make one link)."""
    if target_kind not in KINDS or source_kind not in KINDS:
        raise ValueError(f"unknown lineage kind: {target_kind!r} or {source_kind!r}")
    found = db.scalar(select(Link.id).where(Link.target_kind == target_kind, Link.target_id == target_id,
                                            Link.source_kind == source_kind, Link.source_id == source_id))
    if found is not None:
        return False
    try:
        with db.begin_nested():
            db.add(Link(commune_id=commune_id, target_kind=target_kind, target_id=target_id,
                        source_kind=source_kind, source_id=source_id, created_by=user_id))
    except IntegrityError:
        return False
    return True


def add(db: Session, commune_id: int, target_kind: str, target_id: int, source_kind: str, source_id: int,
        user_id: int | None = None) -> None:
    """Add a link the caller knows to be new (the demo, building its data once): no lookup and no
    savepoint, a plain insert at the next flush. Anything that may meet an existing link, or a
    concurrent one, calls `link`."""
    if target_kind not in KINDS or source_kind not in KINDS:
        raise ValueError(f"unknown lineage kind: {target_kind!r} or {source_kind!r}")
    db.add(Link(commune_id=commune_id, target_kind=target_kind, target_id=target_id,
                source_kind=source_kind, source_id=source_id, created_by=user_id))


def unlink(db: Session, target_kind: str, target_id: int, source_kind: str, source_id: int) -> bool:
    """Remove one link; False if there was none."""
    found = db.scalar(select(Link).where(Link.target_kind == target_kind, Link.target_id == target_id,
                                         Link.source_kind == source_kind, Link.source_id == source_id))
    if found is None:
        return False
    db.delete(found)
    db.flush()
    return True


def forget(db: Session, kind: str, item_id: int) -> None:
    """Remove every link to or from an item that goes away (a stake deleted, say)."""
    for found in db.scalars(select(Link).where(or_((Link.target_kind == kind) & (Link.target_id == item_id),
                                                   (Link.source_kind == kind) & (Link.source_id == item_id)))):
        db.delete(found)
    db.flush()


def _grouped(rows) -> dict[int, dict[str, list[int]]]:
    found: dict[int, dict[str, list[int]]] = {}
    for key, kind, other in rows:
        found.setdefault(key, {}).setdefault(kind, []).append(other)
    return found


def sources_of(db: Session, target_kind: str, ids) -> dict[int, dict[str, list[int]]]:
    """{target id: {source kind: [source ids, in the order they were linked]}}, in one query;
    targets without a source are absent."""
    ids = list(ids)
    if not ids:
        return {}
    return _grouped(db.execute(select(Link.target_id, Link.source_kind, Link.source_id)
                               .where(Link.target_kind == target_kind, Link.target_id.in_(ids))
                               .order_by(Link.id)).all())


def targets_of(db: Session, source_kind: str, ids) -> dict[int, dict[str, list[int]]]:
    """What the sources became: {source id: {target kind: [target ids]}}, in one query."""
    ids = list(ids)
    if not ids:
        return {}
    return _grouped(db.execute(select(Link.source_id, Link.target_kind, Link.target_id)
                               .where(Link.source_kind == source_kind, Link.source_id.in_(ids))
                               .order_by(Link.id)).all())

