"""Demo prioritisation in Saint-Étienne-du-Valdonnez: a closed online vote with published results,
the ballots of a dozen fictional confirmed addresses (@exemple.fr) spread over the commune's
ideas, picked when the demo loads (no idea yet: no vote); and a few notices already sent to the
authors of published contributions (fictional addresses too)."""

from datetime import timedelta

from sqlalchemy import select

from revital.communes.models import Commune
from revital.contributions import notices
from revital.contributions.models import AuthorNotice, Contribution
from revital.db import utcnow
from revital.prioritisation import rules, services
from revital.prioritisation.models import Ballot, BallotChoice, Prioritisation

INSEE = "48147"  # Saint-Étienne-du-Valdonnez
BUDGET = 10
VOTERS = 12
# Each voter's 10 points over the ideas, by the idea's position (a spread that makes a clear order).
SPREADS = [(5, 3, 2), (4, 4, 2), (6, 2, 2), (3, 3, 4), (10,), (2, 5, 3), (4, 2, 2, 2), (7, 3), (3, 3, 3, 1),
           (5, 5), (2, 2, 6), (6, 4)]


def load(db) -> int:
    """Add the demo vote (if the commune has ideas) and the notices; returns the ballots added."""
    commune = db.scalar(select(Commune).where(Commune.insee == INSEE))
    if commune is None:
        return 0
    now = utcnow()
    load_notices(db, commune, now)
    ideas = services.candidate_ideas(db, commune.id)
    if not ideas:
        return 0
    vote = Prioritisation(
        commune_id=commune.id, method=rules.VOTE, mode=rules.POINTS, budget=BUDGET, status=rules.CLOSED,
        title="Quelles pistes d’action d’abord ?",
        text="Chaque habitant a réparti **10 points** entre les pistes d’action issues du diagnostic.",
        opens_at=now - timedelta(days=30), closes_at=now - timedelta(days=9),
        results_published_at=now - timedelta(days=8), created_at=now - timedelta(days=32),
        updated_at=now - timedelta(days=8))
    db.add(vote)
    db.flush()
    for n in range(VOTERS):
        email = f"votant{n + 1}@exemple.fr"
        at = now - timedelta(days=29 - 2 * n)
        ballot = Ballot(prioritisation_id=vote.id, voter=services.email_voter(email), email=email, created_at=at,
                        updated_at=at, confirmed_at=at + timedelta(minutes=5))
        db.add(ballot)
        db.flush()
        spread = SPREADS[n % len(SPREADS)]
        for k, points in enumerate(spread):
            idea = ideas[(n + k) % len(ideas)]  # with fewer ideas than shares, the last share counts
            db.merge(BallotChoice(ballot_id=ballot.id, idea_id=idea.id, value=points))
    db.flush()
    return VOTERS


def load_notices(db, commune, now) -> None:
    """Three published contributions whose authors left a (fictional) address and were told, by
    a digest sent two days ago, that their contribution is published."""
    rows = db.scalars(select(Contribution).where(Contribution.commune_id == commune.id,
                                                 Contribution.status == "published")
                      .order_by(Contribution.id).limit(3)).all()
    for n, contribution in enumerate(rows):
        if not contribution.author_email:
            contribution.author_email = f"auteur{n + 1}@exemple.fr"
        url = notices.contribution_url("", commune.slug, contribution.id)
        db.add(AuthorNotice(email=contribution.author_email.lower(), commune_id=commune.id,
                            contribution_id=contribution.id, kind=notices.PUBLISHED,
                            text=f"Votre contribution « {contribution.title} » est publiée : {url}",
                            created_at=now - timedelta(days=3), sent_at=now - timedelta(days=2)))
