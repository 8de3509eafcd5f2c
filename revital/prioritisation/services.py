"""Prioritisations in the database: a commune's list, writing one (from a workshop, or an online
vote with its dates), the workshop's scores, the ballots and their confirmation, and the results.

One ballot per voter and prioritisation: "user:{id}" for a signed-in account (it counts at once),
"email:{address}" for anyone else (it counts once the address is confirmed by the link sent
through the outbox). Casting a ballot locks the prioritisation's row first (PostgreSQL; SQLite
serialises its writers already), reads the voter's ballot and replaces its choices, or inserts
it; the unique constraint (prioritisation, voter) stays the last word, so that concurrent ballots
of different voters all count and concurrent ballots of one voter leave exactly one.

Voting again with an address replaces the choices and asks for a new confirmation (the previous
link no longer works): a ballot only ever counts with choices its address confirmed."""

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from revital import signing
from revital.communes.models import Commune
from revital.db import utcnow
from revital.ideas.models import OPEN as IDEA_OPEN
from revital.ideas.models import RETAINED, Idea
from revital.journal import services as journal
from revital.mail import outbox
from revital.prioritisation import rules
from revital.prioritisation.models import Ballot, BallotChoice, Prioritisation, Score
from revital.text import count_fr
from revital.workshops.models import Workshop

CONFIRMATION = "ballot-confirmation"
CANDIDATE_STATUSES = (IDEA_OPEN, RETAINED)


def of_commune(db: Session, commune_id: int, include_drafts: bool = False) -> list[Prioritisation]:
    query = select(Prioritisation).where(Prioritisation.commune_id == commune_id)
    if not include_drafts:
        query = query.where(Prioritisation.status != rules.DRAFT)
    return list(db.scalars(query.order_by(Prioritisation.created_at.desc(), Prioritisation.id.desc()).limit(200)))


def prioritisation_in(db: Session, commune_id: int, prioritisation_id: int) -> Prioritisation | None:
    return db.scalar(select(Prioritisation).where(Prioritisation.id == prioritisation_id,
                                                  Prioritisation.commune_id == commune_id))


def state_of(p: Prioritisation, now: datetime | None = None) -> str:
    if p.method == rules.WORKSHOP:
        return rules.RECORDED if p.results_published_at else rules.DRAFT
    return rules.vote_state(p.status, p.opens_at, p.closes_at, now or utcnow(), p.results_published_at is not None)


def candidate_ideas(db: Session, commune_id: int) -> list[Idea]:
    """The commune's ideas that may be prioritised (open or retained), oldest first."""
    return list(db.scalars(select(Idea).where(Idea.commune_id == commune_id, Idea.status.in_(CANDIDATE_STATUSES))
                           .order_by(Idea.id).limit(500)))


def ideas_of(db: Session, p: Prioritisation) -> list[Idea]:
    """The ideas of a prioritisation: those that may be prioritised now, and any other of the
    commune that already has points in it (an idea decided since keeps its results)."""
    scored = select(BallotChoice.idea_id).join(Ballot, Ballot.id == BallotChoice.ballot_id).where(
        Ballot.prioritisation_id == p.id)
    recorded = select(Score.idea_id).where(Score.prioritisation_id == p.id)
    return list(db.scalars(select(Idea).where(Idea.commune_id == p.commune_id).where(
        Idea.status.in_(CANDIDATE_STATUSES) | Idea.id.in_(scored) | Idea.id.in_(recorded))
        .order_by(Idea.id).limit(500)))


def workshops_of(db: Session, commune_id: int) -> list[Workshop]:
    """The commune's workshops that were not cancelled, the latest first (to link a workshop's
    prioritisation to)."""
    return list(db.scalars(select(Workshop).where(Workshop.commune_id == commune_id, Workshop.status != "cancelled")
                           .order_by(Workshop.starts_at.desc(), Workshop.id.desc()).limit(200)))


def save(db: Session, commune_id: int, fields: rules.PrioritisationFields,
         p: Prioritisation | None = None) -> Prioritisation:
    if p is None:
        p = Prioritisation(commune_id=commune_id, method=fields.method, status=rules.DRAFT)
        db.add(p)
    p.title, p.text, p.mode, p.budget = fields.title, fields.text, fields.mode, fields.budget
    p.workshop_id, p.opens_at, p.closes_at = fields.workshop_id, fields.opens_at, fields.closes_at
    p.updated_at = utcnow()
    db.flush()
    return p


def lock(db: Session, p: Prioritisation) -> None:
    """Lock the prioritisation's row (PostgreSQL; SQLite writers are serialised already) and read it again."""
    db.scalar(select(Prioritisation.id).where(Prioritisation.id == p.id).with_for_update())
    db.refresh(p)


def open_vote(db: Session, p: Prioritisation) -> None:
    lock(db, p)
    if p.method != rules.VOTE or p.status != rules.DRAFT:
        raise rules.BallotRefused("Seul un vote en préparation peut être ouvert.")
    p.status, p.updated_at = rules.OPEN, utcnow()


def close_vote(db: Session, p: Prioritisation, now: datetime | None = None) -> None:
    """Close the vote now (a vote past its closing date is closed already): no ballot any more."""
    lock(db, p)
    if p.method != rules.VOTE or p.status != rules.OPEN:
        raise rules.BallotRefused("Seul un vote ouvert peut être clos.")
    now = now or utcnow()
    p.status, p.updated_at = rules.CLOSED, now
    if p.closes_at is None or p.closes_at > now:
        p.closes_at = now


def publish(db: Session, p: Prioritisation, now: datetime | None = None) -> None:
    lock(db, p)
    if state_of(p, now) != rules.CLOSED:
        raise rules.BallotRefused("Les résultats se publient une fois le vote clos, une seule fois.")
    p.status = rules.CLOSED
    p.results_published_at = p.updated_at = now or utcnow()
    tell_journal(db, p, count_fr(voters_count(db, p), "bulletin a été compté.", "bulletins ont été comptés."))


def tell_journal(db: Session, p: Prioritisation, what: str) -> None:
    """The commune's journal announces the results (once: when they are first published)."""
    slug = db.scalar(select(Commune.slug).where(Commune.id == p.commune_id))
    journal.record(db, p.commune_id, "prioritisation", f"Hiérarchisation des pistes : {p.title}",
                   f"{what}\n\n[Les résultats](/communes/{slug}/priorites/{p.id})")


def scores_of(db: Session, p: Prioritisation) -> dict[int, int]:
    return dict(db.execute(select(Score.idea_id, Score.value).where(Score.prioritisation_id == p.id)).all())


def record_scores(db: Session, p: Prioritisation, scores: dict[int, int]) -> None:
    """A workshop's points or ranks, entered by the facilitator: they replace those recorded
    before and are public at once (the workshop's prioritisation is done)."""
    lock(db, p)
    db.execute(delete(Score).where(Score.prioritisation_id == p.id))
    db.add_all([Score(prioritisation_id=p.id, idea_id=idea, value=value) for idea, value in scores.items()])
    now = utcnow()
    p.status, p.updated_at = rules.CLOSED, now
    if p.results_published_at is None:
        p.results_published_at = now
        tell_journal(db, p, "Les scores de l’atelier de priorisation sont publiés.")


# --- ballots --------------------------------------------------------------------------------------

def user_voter(user_id: int) -> str:
    return f"user:{user_id}"


def email_voter(email: str) -> str:
    return f"email:{email}"


def ballot_of(db: Session, p: Prioritisation, voter: str) -> Ballot | None:
    return db.scalar(select(Ballot).where(Ballot.prioritisation_id == p.id, Ballot.voter == voter))


def choices_of(db: Session, ballot: Ballot | None) -> dict[int, int]:
    if ballot is None:
        return {}
    return dict(db.execute(select(BallotChoice.idea_id, BallotChoice.value)
                           .where(BallotChoice.ballot_id == ballot.id)).all())


@dataclass
class Cast:
    ballot: Ballot
    replaced: bool  # the voter had a ballot already: its choices are replaced


def cast(db: Session, p: Prioritisation, voter: str, choices: dict[int, int], email: str | None = None,
         now: datetime | None = None) -> Cast:
    """In the caller's write transaction: the voter's ballot, made or replaced, with these choices
    (checked already by rules.read_ballot). An account's ballot counts at once; an address's is
    unconfirmed until its link is followed. Raises BallotRefused when the vote takes no ballot."""
    now = now or utcnow()
    lock(db, p)
    if not rules.accepts_ballots(state_of(p, now)):
        raise rules.BallotRefused("Ce vote n’est pas ouvert : votre bulletin n’a pas été enregistré.")
    rules.check_ballot(p.mode, choices, {i.id for i in ideas_of(db, p)}, p.budget)
    ballot = ballot_of(db, p, voter)
    replaced = ballot is not None
    if ballot is None:
        try:
            with db.begin_nested():
                ballot = Ballot(prioritisation_id=p.id, voter=voter, email=email, created_at=now)
                db.add(ballot)
        except IntegrityError:  # the same voter at the same moment: take that ballot
            ballot, replaced = ballot_of(db, p, voter), True
    ballot.updated_at = now
    ballot.confirmed_at = now if email is None else None
    db.execute(delete(BallotChoice).where(BallotChoice.ballot_id == ballot.id))
    db.add_all([BallotChoice(ballot_id=ballot.id, idea_id=idea, value=value) for idea, value in choices.items()])
    db.flush()
    return Cast(ballot, replaced)


def stamp(value: datetime) -> str:
    return (value.astimezone(UTC) if value.tzinfo else value).strftime("%Y%m%dT%H%M%S.%f")


def token(secret: str, ballot: Ballot) -> str:
    """Signed over the ballot, its address and its last change: voting again kills the old link."""
    return signing.sign(secret, "ballot-confirmation", ballot.id, ballot.email or "", stamp(ballot.updated_at))


def confirm_path(commune_slug: str, ballot: Ballot, secret: str) -> str:
    return f"/communes/{commune_slug}/priorites/{ballot.prioritisation_id}/confirmer/{ballot.id}-{token(secret, ballot)}"


CONFIRM_TEXT = """Bonjour,

Quelqu’un, vous sans doute, a voté avec cette adresse pour « {title} » ({commune}).

Pour que votre bulletin compte, ouvrez ce lien et cliquez sur « Confirmer mon bulletin » :
{url}

Vous pouvez changer votre bulletin jusqu’à la clôture du vote ({closes}) : votez de nouveau avec la même adresse, et confirmez-le de la même façon. Un seul bulletin compte par adresse.

Si vous n’avez pas voté, ignorez ce message : sans confirmation, ce bulletin ne compte pas.

— Le groupe local de {commune}, par Revital
"""


def send_confirmation(db: Session, base_url: str, secret: str, commune, p: Prioritisation, ballot: Ballot,
                      closes: str) -> None:
    """The confirmation link, through the outbox (an answer to the person's own ballot)."""
    url = base_url.rstrip("/") + confirm_path(commune.slug, ballot, secret)
    outbox.queue(db, ballot.email, f"Confirmez votre bulletin : {p.title}",
                 CONFIRM_TEXT.format(title=p.title, commune=commune.name, url=url, closes=closes),
                 commune_name=commune.name, kind=CONFIRMATION)


def ballot_by_link(db: Session, p: Prioritisation, link: str, secret: str) -> Ballot | None:
    parsed = signing.parse_link(link)
    if parsed is None:
        return None
    ballot = db.scalar(select(Ballot).where(Ballot.id == parsed[0], Ballot.prioritisation_id == p.id))
    if ballot is None or ballot.email is None or not signing.genuine(token(secret, ballot), parsed[1]):
        return None
    return ballot


def confirm(db: Session, p: Prioritisation, ballot: Ballot, now: datetime | None = None) -> bool:
    """Count an address's ballot (once: a second click changes nothing); False if the vote has
    closed in the meantime."""
    now = now or utcnow()
    lock(db, p)
    if not rules.accepts_ballots(state_of(p, now)):
        return False
    if ballot.confirmed_at is None:
        ballot.confirmed_at = now
    return True


# --- results --------------------------------------------------------------------------------------

def counted_choices(db: Session, p: Prioritisation) -> dict[int, dict[int, int]]:
    """{ballot id: {idea id: value}} of the ballots that count (confirmed)."""
    rows = db.execute(select(BallotChoice.ballot_id, BallotChoice.idea_id, BallotChoice.value)
                      .join(Ballot, Ballot.id == BallotChoice.ballot_id)
                      .where(Ballot.prioritisation_id == p.id, Ballot.confirmed_at.is_not(None))).all()
    ballots: dict[int, dict[int, int]] = {}
    for ballot_id, idea, value in rows:
        ballots.setdefault(ballot_id, {})[idea] = value
    return ballots


def voters_count(db: Session, p: Prioritisation) -> int:
    return db.scalar(select(func.count()).select_from(Ballot).where(Ballot.prioritisation_id == p.id,
                                                                    Ballot.confirmed_at.is_not(None)))


def pending_count(db: Session, p: Prioritisation) -> int:
    return db.scalar(select(func.count()).select_from(Ballot).where(Ballot.prioritisation_id == p.id,
                                                                    Ballot.confirmed_at.is_(None)))


@dataclass(frozen=True)
class Result:
    idea: Idea
    total: int
    share: int  # width of its bar, in percent of the best total
    rank: int


def results(db: Session, p: Prioritisation) -> list[Result]:
    """The ideas, best first: a vote's tally over its counted ballots, or a workshop's scores."""
    ideas = {i.id: i for i in ideas_of(db, p)}
    if p.method == rules.WORKSHOP:
        ranking = rules.ranking_of_scores(p.mode, scores_of(db, p), list(ideas))
    else:
        ranking = rules.tally(p.mode, p.budget, counted_choices(db, p).values(), list(ideas))
    widths = rules.shares(ranking)
    return [Result(ideas[idea], total, widths[idea], n) for n, (idea, total) in enumerate(ranking, start=1)]


def done_count(db: Session, commune_id: int) -> int:
    """The commune's prioritisations done, for the gate to feasibility: a workshop's recorded
    scores, or a vote whose results are published."""
    return db.scalar(select(func.count()).select_from(Prioritisation).where(
        Prioritisation.commune_id == commune_id, Prioritisation.results_published_at.is_not(None)))


def erase_email(db: Session, email: str, user_id: int | None = None) -> int:
    """Privacy: delete the ballots cast with an address (and those of the account, if any)."""
    voters = [email_voter(email)] + ([user_voter(user_id)] if user_id is not None else [])
    return db.execute(delete(Ballot).where(Ballot.voter.in_(voters))).rowcount


def ballots_count(db: Session, email: str, user_id: int | None = None) -> int:
    voters = [email_voter(email)] + ([user_voter(user_id)] if user_id is not None else [])
    return db.scalar(select(func.count()).select_from(Ballot).where(Ballot.voter.in_(voters)))
