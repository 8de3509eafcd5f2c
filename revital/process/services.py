"""Processes in the database: a commune's process, its engagement (the start of its process), its
moves from phase to phase (row locked, stale forms refused), and the communes of each territory
with theirs.

A commune is *engaged* in the programme once it has a process: only then does it take
contributions. An imported commune is not engaged; `engage` is the one way in (by hand from the
territory's back office today, by the selection of a call for applications later)."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from revital.communes.models import Commune, Territory
from revital.db import utcnow
from revital.process import phases
from revital.process.models import PhaseTransition, Process
from revital.text import french_order


def process_of(db: Session, commune_id: int) -> Process | None:
    return db.scalar(select(Process).where(Process.commune_id == commune_id))


def start(db: Session, commune_id: int, phase: str = phases.DIAGNOSTIC, user=None, reason: str = "") -> Process:
    process = Process(commune_id=commune_id, phase=phase)
    process.transitions.append(
        PhaseTransition(
            from_phase=None,
            to_phase=phase,
            kind="start",
            reason=reason,
            user_id=user.id if user else None,
            user_name=user.display_name if user else "",
        )
    )
    db.add(process)
    return process


class StaleProcess(phases.TransitionRefused):
    pass


class AlreadyEngaged(phases.TransitionRefused):
    pass


def is_engaged(db: Session, commune_id: int) -> bool:
    return db.scalar(select(Process.id).where(Process.commune_id == commune_id)) is not None


def engage(db: Session, commune: Commune, by_user, reason: str) -> Process:
    """Engage the commune in the programme: its process starts in diagnostic, with who and why in
    its history. Inside the caller's write transaction, the commune's row locked (two coordinators
    at once engage it once); AlreadyEngaged (French message) if it has a process already.
    Raises TransitionRefused when the reason is too short."""
    reason = reason.strip()
    if len(reason) < phases.MIN_REASON_LENGTH:
        raise phases.TransitionRefused(
            f"Expliquez en quelques mots (au moins {phases.MIN_REASON_LENGTH} caractères) pourquoi "
            f"{commune.name} s’engage dans le programme : ce motif ouvre l’historique de sa démarche.")
    db.scalar(select(Commune.id).where(Commune.id == commune.id).with_for_update())
    if is_engaged(db, commune.id):
        raise AlreadyEngaged(f"{commune.name} est déjà engagée dans le programme : rien n’a changé.")
    process = start(db, commune.id, user=by_user, reason=reason)
    db.flush()
    return process


def move(db: Session, commune_id: int, direction: str, reason: str, override: bool, seen_version: int, user,
         facts: phases.Facts) -> PhaseTransition:
    """Apply a transition inside the caller's write transaction, with the process row locked.

    seen_version is the version the person saw when they filled the form: if someone moved the
    process meanwhile, nothing happens and StaleProcess says so. facts: what the commune's process
    has produced, gathered by the caller (revital.pages.gates).
    """
    process = db.scalar(select(Process).where(Process.commune_id == commune_id).with_for_update())
    if process is None:
        raise phases.TransitionRefused("La commune n’est pas engagée dans le programme : sa démarche n’est pas "
                                       "ouverte. Rien n’a été modifié.")
    if process.version != seen_version:
        raise StaleProcess(
            "La démarche a changé depuis l’affichage de cette page "
            f"(elle est maintenant en phase « {phases.LABELS[process.phase]} ») : "
            "vérifiez l’historique avant de recommencer. Rien n’a été modifié."
        )
    planned = phases.plan(process.phase, direction, facts, reason, override)
    now = utcnow()
    transition = PhaseTransition(
        from_phase=planned.from_phase,
        to_phase=planned.to_phase,
        kind=planned.kind,
        reason=planned.reason,
        user_id=user.id,
        user_name=user.display_name,
        created_at=now,
    )
    process.transitions.append(transition)
    process.phase = planned.to_phase
    process.version += 1
    process.updated_at = now
    return transition


def territories_with_communes(db: Session, engaged_only: bool = False,
                              territory_id: int | None = None) -> list[tuple[Territory, list[tuple[Commune, Process | None]]]]:
    """Every territory (or one) with its communes (or its engaged ones) and their processes, in two queries."""
    territories = db.scalars(select(Territory).order_by(Territory.name)
                             .where(*([Territory.id == territory_id] if territory_id is not None else []))).all()
    query = select(Commune, Process).order_by(Commune.name)
    if engaged_only:
        query = query.join(Process, Process.commune_id == Commune.id)
    else:
        query = query.outerjoin(Process, Process.commune_id == Commune.id)
    if territory_id is not None:
        query = query.where(Commune.territory_id == territory_id)
    rows = db.execute(query).all()
    by_territory: dict[int, list] = {t.id: [] for t in territories}
    for commune, process in sorted(rows, key=lambda row: french_order(row[0].name)):
        by_territory[commune.territory_id].append((commune, process))
    return [(t, by_territory[t.id]) for t in sorted(territories, key=lambda t: french_order(t.name))]
