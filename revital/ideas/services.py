"""Axes, ideas and official answers in the database: the axes and their order, the ideas with their
sources and the stakes they answer (lineage links, through revital.lineage.services), turning a
resident's idea into an idea of the commune, the commune's decision, its official answers, and the
supports (the contributions' one mechanism)."""

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from revital.communes.models import Commune
from revital.contributions import notices
from revital.contributions import services as contributions
from revital.contributions.models import Contribution
from revital.contributions.rules import PUBLISHED
from revital.db import utcnow
from revital.diagnostic.models import Stake
from revital.ideas import rules
from revital.ideas.models import NOT_RETAINED, OPEN, RETAINED, Answer, Axis, Idea
from revital.lineage import services as lineage
from revital.lineage.models import CONTRIBUTION, IDEA, PROPOSAL, STAKE, WORKSHOP
from revital.students import rules as student_rules
from revital.students.models import Proposal, StudentWeek
from revital.workshops.models import Workshop


class Refused(Exception):
    """Something the back office may not do; the message is French."""


# Axes.

def axes_of(db: Session, commune_id: int) -> list[Axis]:
    return list(db.scalars(select(Axis).where(Axis.commune_id == commune_id).order_by(Axis.position, Axis.id)))


def axis_in(db: Session, commune_id: int, axis_id: int) -> Axis | None:
    return db.scalar(select(Axis).where(Axis.id == axis_id, Axis.commune_id == commune_id))


def save_axis(db: Session, commune_id: int, fields: rules.AxisFields, axis: Axis | None = None) -> Axis:
    if axis is None:
        last = db.scalar(select(func.max(Axis.position)).where(Axis.commune_id == commune_id))
        axis = Axis(commune_id=commune_id, position=(last or 0) + 1)
        db.add(axis)
    axis.title, axis.description, axis.updated_at = fields.title, fields.description, utcnow()
    db.flush()
    return axis


def move_axis(db: Session, commune_id: int, axis: Axis, step: int) -> None:
    """Up (-1) or down (+1) one place in the commune's order."""
    axes = axes_of(db, commune_id)
    at = next(i for i, a in enumerate(axes) if a.id == axis.id)
    other = at + step
    if 0 <= other < len(axes):
        axes[at], axes[other] = axes[other], axes[at]
    for position, item in enumerate(axes, start=1):
        item.position = position
    db.flush()


def delete_axis(db: Session, axis: Axis) -> None:
    if db.scalar(select(func.count()).select_from(Idea).where(Idea.axis_id == axis.id)):
        raise Refused("Cet axe range encore des pistes : rangez-les dans un autre axe avant de le supprimer.")
    db.delete(axis)
    db.flush()


# Ideas.

def ideas_of(db: Session, commune_id: int) -> list[Idea]:
    return list(db.scalars(select(Idea).where(Idea.commune_id == commune_id).order_by(Idea.id)))


def idea_in(db: Session, commune_id: int, idea_id: int) -> Idea | None:
    return db.scalar(select(Idea).where(Idea.id == idea_id, Idea.commune_id == commune_id))


def by_axis(axes: list[Axis], ideas: list[Idea]) -> list[tuple[Axis | None, list[Idea]]]:
    """The ideas under each axis in order, then those without an axis (None); the most supported first."""
    def order(items):
        return sorted(items, key=lambda i: (-i.supports_count, i.id))

    groups = [(axis, order([i for i in ideas if i.axis_id == axis.id])) for axis in axes]
    known = {a.id for a in axes}
    loose = order([i for i in ideas if i.axis_id not in known])
    return groups + ([(None, loose)] if loose else [])


def stakes_of(db: Session, commune_id: int) -> list[Stake]:
    """The commune's stakes (revital.diagnostic writes them: read only here)."""
    return list(db.scalars(select(Stake).where(Stake.commune_id == commune_id).order_by(Stake.theme, Stake.id)))


def sources(db: Session, idea: Idea) -> dict[str, list[int]]:
    """The idea's sources by kind (stakes included), in the order they were linked."""
    return lineage.sources_of(db, IDEA, [idea.id]).get(idea.id, {})


def became(db: Session, contribution: Contribution) -> list[int]:
    """The ids of the ideas a contribution became, in the order they were linked."""
    return lineage.targets_of(db, CONTRIBUTION, [contribution.id]).get(contribution.id, {}).get(IDEA, [])


def stake_ids_of(db: Session, idea: Idea) -> set[int]:
    return set(sources(db, idea).get(STAKE, []))


def save_idea(db: Session, commune_id: int, fields: rules.IdeaFields, user_id: int | None,
              idea: Idea | None = None) -> Idea:
    """Write an idea and the stakes it answers (the caller checked they are the commune's)."""
    if idea is None:
        idea = Idea(commune_id=commune_id, created_by=user_id, version=0)
        db.add(idea)
    idea.title, idea.text, idea.axis_id = fields.title, fields.text, fields.axis_id
    idea.place_id, idea.place_name, idea.lon, idea.lat = fields.place_id, fields.place_name, fields.lon, fields.lat
    if idea.status == RETAINED and idea.axis_id is None:  # a retained idea stays in an axis
        idea.status, idea.decided_at = OPEN, None
    idea.updated_at = utcnow()
    idea.version = (idea.version or 0) + 1
    db.flush()
    current = stake_ids_of(db, idea)
    for stake_id in current - fields.stake_ids:
        lineage.unlink(db, IDEA, idea.id, STAKE, stake_id)
    for stake_id in sorted(fields.stake_ids - current):
        lineage.link(db, commune_id, IDEA, idea.id, STAKE, stake_id, user_id)
    return idea


def lock(db: Session, idea: Idea) -> int:
    """The idea's version, its row locked until the end of the transaction (PostgreSQL)."""
    return db.scalar(select(Idea.version).where(Idea.id == idea.id).with_for_update())


def from_contribution(db: Session, contribution: Contribution, user_id: int | None,
                      base_url: str | None = None) -> tuple[Idea, bool]:
    """A published contribution of kind idea made into an idea of the commune, with its title, text
    and location, and the link that keeps where it came from; the one it already became, if any.
    Returns (idea, created). With base_url, its author (if they left an address) is told."""
    # Its row locked first (PostgreSQL; SQLite serialises writers): two clicks at once make one idea.
    db.scalar(select(Contribution.id).where(Contribution.id == contribution.id).with_for_update())
    if contribution.kind != "idea" or contribution.status != PUBLISHED:
        raise Refused("Seule une contribution « idée » publiée peut devenir une piste d’action.")
    already = became(db, contribution)
    if already:
        return db.get(Idea, already[0]), False
    idea = Idea(commune_id=contribution.commune_id, title=contribution.title[:rules.TITLE_MAX], text=contribution.body,
                lon=contribution.lon, lat=contribution.lat, place_id=contribution.place_id,
                place_name=contribution.place_name, created_by=user_id)
    db.add(idea)
    db.flush()
    lineage.link(db, contribution.commune_id, IDEA, idea.id, CONTRIBUTION, contribution.id, user_id)
    if base_url:
        notices.notify(db, contribution, notices.IDEA,
                       f"« {contribution.title} » a inspiré une piste d’action de la commune : « {idea.title} ». "
                       f"{idea_url(db, base_url, idea)}")
    return idea, True


def idea_url(db: Session, base_url: str, idea: Idea) -> str:
    slug = db.scalar(select(Commune.slug).where(Commune.id == idea.commune_id))
    return f"{base_url.rstrip('/')}/communes/{slug}/pistes/{idea.id}"


def source_choices(db: Session, commune_id: int) -> dict[str, str]:
    """What an idea may come from besides residents' contributions: the commune's public workshops and
    its students' published proposals, as {"workshop:12": label}."""
    choices = {}
    for w in db.scalars(select(Workshop).where(Workshop.commune_id == commune_id, Workshop.public.is_(True))
                        .order_by(Workshop.starts_at.desc())):
        choices[f"{WORKSHOP}:{w.id}"] = f"Atelier : {w.title}"
    for p in db.scalars(select(Proposal).join(StudentWeek).where(StudentWeek.commune_id == commune_id,
                                                                  Proposal.status == student_rules.PUBLISHED)
                        .order_by(Proposal.id)):
        choices[f"{PROPOSAL}:{p.id}"] = f"Proposition des étudiants : {p.title}"
    return choices


def add_source(db: Session, idea: Idea, kind: str, source_id: int, user_id: int | None) -> None:
    lock(db, idea)  # two people adding the same source at once make one link
    if f"{kind}:{source_id}" not in source_choices(db, idea.commune_id):
        raise Refused("Choisissez un atelier public ou une proposition publiée des étudiants de la commune.")
    lineage.link(db, idea.commune_id, IDEA, idea.id, kind, source_id, user_id)


def remove_source(db: Session, idea: Idea, kind: str, source_id: int) -> bool:
    """Unlink a source from the idea; False if it was not one."""
    return lineage.unlink(db, IDEA, idea.id, kind, source_id)


def sources_shown(db: Session, idea: Idea) -> dict[str, list]:
    """An idea's public sources, by kind: published contributions, public workshops, published proposals."""
    found = sources(db, idea)
    shown = {CONTRIBUTION: [], WORKSHOP: [], PROPOSAL: []}
    if found.get(CONTRIBUTION):
        shown[CONTRIBUTION] = list(db.scalars(select(Contribution).where(
            Contribution.id.in_(found[CONTRIBUTION]), Contribution.status == PUBLISHED).order_by(Contribution.id)))
    if found.get(WORKSHOP):
        shown[WORKSHOP] = list(db.scalars(select(Workshop).where(
            Workshop.id.in_(found[WORKSHOP]), Workshop.public.is_(True)).order_by(Workshop.id)))
    if found.get(PROPOSAL):
        shown[PROPOSAL] = list(db.scalars(select(Proposal).where(
            Proposal.id.in_(found[PROPOSAL]), Proposal.status == student_rules.PUBLISHED).order_by(Proposal.id)))
    return shown


def source_ids(db: Session, idea_ids: list[int]) -> dict[int, dict[str, list[int]]]:
    """The ids of each idea's sources, by kind (for the open data)."""
    found = {i: {CONTRIBUTION: [], WORKSHOP: [], PROPOSAL: [], STAKE: []} for i in idea_ids}
    for target_id, by_kind in lineage.sources_of(db, IDEA, idea_ids).items():
        for kind, ids in by_kind.items():
            found[target_id].setdefault(kind, []).extend(ids)
    return found


def stakes_answered(db: Session, idea: Idea) -> list[Stake]:
    ids = stake_ids_of(db, idea)
    if not ids:
        return []
    return list(db.scalars(select(Stake).where(Stake.id.in_(ids), Stake.commune_id == idea.commune_id).order_by(Stake.id)))


def ideas_from(db: Session, contribution: Contribution) -> list[Idea]:
    """The ideas a contribution inspired."""
    ids = became(db, contribution)
    return list(db.scalars(select(Idea).where(Idea.id.in_(ids)).order_by(Idea.id))) if ids else []


def idea_contributions(db: Session, commune_id: int) -> list[tuple[Contribution, int | None]]:
    """The published contributions of kind idea, newest first, each with the idea it became (or None)."""
    rows = list(db.scalars(select(Contribution).where(Contribution.commune_id == commune_id, Contribution.kind == "idea",
                                                      Contribution.status == PUBLISHED)
                           .order_by(Contribution.id.desc()).limit(200)))
    targets = lineage.targets_of(db, CONTRIBUTION, [c.id for c in rows])
    return [(c, (targets.get(c.id, {}).get(IDEA) or [None])[0]) for c in rows]


def decide(db: Session, idea: Idea, status: str, reason: str, base_url: str | None = None) -> None:
    """The commune's decision (raises rules.DecisionRefused). With base_url, the authors of the
    contributions the idea came from (those who left an address) are told, with the reason."""
    lock(db, idea)
    before = idea.status
    idea.status, idea.decision_reason = rules.decide(status, idea.axis_id, reason)
    idea.decided_at = utcnow() if status != OPEN else None
    idea.updated_at = utcnow()
    idea.version = (idea.version or 0) + 1
    db.flush()
    if not base_url or idea.status == before or idea.status not in (RETAINED, NOT_RETAINED):
        return
    ids = sources(db, idea).get(CONTRIBUTION, [])
    said = "est retenue par la commune" if idea.status == RETAINED else "n’est pas retenue par la commune"
    kind = notices.RETAINED if idea.status == RETAINED else notices.NOT_RETAINED
    reason_text = f" Motif : {idea.decision_reason}" if idea.decision_reason else ""
    for contribution in db.scalars(select(Contribution).where(Contribution.id.in_(ids))):
        notices.notify(db, contribution, kind, f"La piste « {idea.title} », née de « {contribution.title} », {said}."
                                               f"{reason_text} {idea_url(db, base_url, idea)}")


def counts(db: Session, commune_id: int) -> dict[str, int]:
    """For the phase gates: the commune's axes and retained ideas."""
    axes = db.scalar(select(func.count()).select_from(Axis).where(Axis.commune_id == commune_id))
    retained = db.scalar(select(func.count()).select_from(Idea).where(Idea.commune_id == commune_id,
                                                                      Idea.status == RETAINED))
    return {"axes": axes or 0, "retained_ideas": retained or 0}


def supports_total(db: Session, commune_id: int) -> int:
    """The supports of all the commune's ideas: part of the version of the pages that show them."""
    return db.scalar(select(func.coalesce(func.sum(Idea.supports_count), 0)).where(Idea.commune_id == commune_id))


# Supports: the contributions' mechanism (one voter, one support, counted exactly).

def support(db: Session, idea: Idea, voter: str) -> tuple[int, bool]:
    return contributions.support(db, idea, voter)


def has_supported(db: Session, idea: Idea, voter: str | None) -> bool:
    return contributions.has_supported(db, idea.id, voter, target=Idea)


# Official answers: one per contribution or idea, updated in place.

def answer_of(db: Session, target_kind: str, target_id: int) -> Answer | None:
    return db.scalar(select(Answer).where(Answer.target_kind == target_kind, Answer.target_id == target_id))


def answer(db: Session, commune_id: int, target_kind: str, target_id: int, status: str, text: str,
           user_id: int | None) -> Answer:
    # The answered row locked first (PostgreSQL; SQLite serialises writers): one answer per target.
    model = Contribution if target_kind == CONTRIBUTION else Idea
    db.scalar(select(model.id).where(model.id == target_id).with_for_update())
    found = db.scalar(select(Answer).where(Answer.target_kind == target_kind, Answer.target_id == target_id))
    if found is None:
        found = Answer(commune_id=commune_id, target_kind=target_kind, target_id=target_id)
        db.add(found)
    found.status, found.text, found.author_id, found.updated_at = status, text, user_id, utcnow()
    db.flush()
    return found
