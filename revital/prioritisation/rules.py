"""Prioritising a commune's ideas: what a ballot (or a workshop's scores) must hold, the tally, the
state of a vote from its dates and status, and what the forms ask for. Pure rules: no web, no
database; every message is French and meant for the person who typed it.

A ballot gives points (non-negative integers summing to at most the budget, at least one point)
or ranks (1 to k, each once, k at most the budget, an idea ranked once). Ranks are counted as a
Borda count: rank r is worth budget − r + 1 points. Ties are broken by the idea's id (the older
idea first), so that a tally never depends on the order ballots were read in."""

import re
from dataclasses import dataclass
from datetime import datetime

from revital.text import clean_line, clean_text, parse_date
from revital.workshops.rules import at_paris, parse_time

WORKSHOP, VOTE = "workshop", "vote"
POINTS, RANKS = "points", "ranks"
DRAFT, OPEN, CLOSED = "draft", "open", "closed"

METHODS = {WORKSHOP: "Atelier de hiérarchisation", VOTE: "Vote en ligne"}
MODES = {POINTS: "Points à répartir", RANKS: "Classement des pistes"}
# What a vote is at a given moment (vote_state); a workshop's prioritisation is "recorded".
SCHEDULED, RECORDED, PUBLISHED = "scheduled", "recorded", "published"
STATES = {
    DRAFT: "En préparation",
    SCHEDULED: "Ouvre bientôt",
    OPEN: "Vote ouvert",
    CLOSED: "Vote clos, résultats à publier",
    PUBLISHED: "Résultats publiés",
    RECORDED: "Résultats de l’atelier",
}

TITLE_MAX = 160
TEXT_MAX = 5000
BUDGET_MAX = 100
SCORE_MAX = 100_000  # points counted in a workshop (gommettes of a whole room)
EMAIL_MAX = 254
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class BallotRefused(Exception):
    """A ballot that does not hold; the message is French."""


def vote_state(status: str, opens_at: datetime | None, closes_at: datetime | None, now: datetime,
               published: bool = False) -> str:
    """draft, scheduled (open but before its opening), open, closed (by hand or past its closing),
    published (closed with its results published)."""
    if status == DRAFT:
        return DRAFT
    past = closes_at is not None and now >= closes_at
    if status == CLOSED or past:
        return PUBLISHED if published else CLOSED
    if opens_at is not None and now < opens_at:
        return SCHEDULED
    return OPEN


def accepts_ballots(state: str) -> bool:
    return state == OPEN


def check_ballot(mode: str, choices: dict[int, int], idea_ids, budget: int) -> None:
    """Raise BallotRefused unless choices ({idea id: points or rank}) is a valid ballot."""
    ideas = set(idea_ids)
    if any(idea not in ideas for idea in choices):
        raise BallotRefused("Une des pistes de ce bulletin ne fait pas partie du vote : rechargez la page.")
    if any(not isinstance(v, int) or isinstance(v, bool) for v in choices.values()):
        raise BallotRefused("Les points et les rangs sont des nombres entiers.")
    if mode == POINTS:
        if any(v < 0 for v in choices.values()):
            raise BallotRefused("Les points sont des nombres entiers positifs ou nuls.")
        total = sum(choices.values())
        if total > budget:
            raise BallotRefused(f"Vous avez réparti {total} points : vous en avez {budget} au plus.")
        if total == 0:
            raise BallotRefused("Donnez au moins un point à l’une des pistes.")
        return
    ranks = sorted(choices.values())
    if not ranks:
        raise BallotRefused("Classez au moins une piste (rang 1 pour votre préférée).")
    if len(ranks) > budget:
        raise BallotRefused(f"Vous pouvez classer {budget} pistes au plus.")
    if len(set(ranks)) != len(ranks):
        raise BallotRefused("Chaque rang ne peut être donné qu’à une seule piste.")
    if ranks != list(range(1, len(ranks) + 1)):
        raise BallotRefused(f"Les rangs se suivent à partir de 1 : pour {len(ranks)} pistes classées, "
                            f"les rangs 1 à {len(ranks)}.")


def read_ballot(mode: str, values: dict[int, str], idea_ids, budget: int) -> dict[int, int]:
    """The choices typed in the form ({idea id: text}) as a checked ballot, empty fields left out
    (no point, or not ranked); raises BallotRefused."""
    choices = {}
    for idea in idea_ids:
        raw = (values.get(idea) or "").strip()
        if not raw:
            continue
        if not raw.isascii() or not raw.isdigit() or len(raw) > 6:
            raise BallotRefused("Les points sont des nombres entiers positifs ou nuls." if mode == POINTS
                                else "Un rang est un nombre entier, 1 pour votre piste préférée.")
        value = int(raw)
        if mode == POINTS and value == 0:
            continue
        if mode == RANKS and value == 0:
            raise BallotRefused("Les rangs commencent à 1 (votre piste préférée).")
        choices[idea] = value
    check_ballot(mode, choices, idea_ids, budget)
    return choices


def weight(mode: str, budget: int, value: int) -> int:
    """What one choice adds to its idea's total: its points, or budget − rank + 1 (Borda)."""
    return value if mode == POINTS else max(budget - value + 1, 0)


def tally(mode: str, budget: int, ballots, idea_ids) -> list[tuple[int, int]]:
    """[(idea id, total)] of every idea, highest total first, ties by idea id; ballots: an iterable
    of {idea id: value}."""
    totals = dict.fromkeys(idea_ids, 0)
    for choices in ballots:
        for idea, value in choices.items():
            if idea in totals:
                totals[idea] += weight(mode, budget, value)
    return sorted(totals.items(), key=lambda item: (-item[1], item[0]))


def ranking_of_scores(mode: str, scores: dict[int, int], idea_ids) -> list[tuple[int, int]]:
    """A workshop's recorded scores as [(idea id, total)], best first: its points, or for ranks
    the Borda count over the ideas it ranked (k − rank + 1)."""
    budget = len(scores)
    return tally(mode, budget, [scores], idea_ids)


def check_scores(mode: str, scores: dict[int, int], idea_ids) -> None:
    """A workshop's scores: points (at least one, none negative) or ranks 1..k, each idea once."""
    if mode == POINTS:
        if any(v > SCORE_MAX for v in scores.values()):
            raise BallotRefused(f"{SCORE_MAX} points au plus par piste.")
        check_ballot(POINTS, scores, idea_ids, SCORE_MAX * max(len(scores), 1))
    else:
        check_ballot(RANKS, scores, idea_ids, max(len(scores), 1))


def read_scores(mode: str, values: dict[int, str], idea_ids) -> dict[int, int]:
    ideas = list(idea_ids)
    budget = SCORE_MAX * max(len(ideas), 1) if mode == POINTS else max(len(ideas), 1)
    for raw in values.values():
        raw = (raw or "").strip()
        if raw.isascii() and raw.isdigit() and mode == POINTS and int(raw) > SCORE_MAX:
            raise BallotRefused(f"{SCORE_MAX} points au plus par piste.")
    return read_ballot(mode, values, ideas, budget)


def shares(results: list[tuple[int, int]]) -> dict[int, int]:
    """{idea id: width of its bar in percent of the best total} (0 when nobody gave anything)."""
    best = max((total for _, total in results), default=0)
    return {idea: round(100 * total / best) if best else 0 for idea, total in results}


@dataclass(frozen=True)
class PrioritisationFields:
    method: str
    title: str
    text: str
    mode: str
    budget: int
    workshop_id: int | None
    opens_at: datetime | None
    closes_at: datetime | None


def clean_prioritisation(data: dict, workshop_ids: set[int], editing_method: str | None = None
                         ) -> tuple[PrioritisationFields, dict]:
    """The fields of the back office's form, and {field: French message} for what is wrong.
    Dates and times are typed in Paris time."""
    errors = {}
    method = editing_method or data.get("method", "")
    if method not in METHODS:
        errors["method"] = "Choisissez un atelier de hiérarchisation ou un vote en ligne."
    title = clean_line(data.get("title"))
    if len(title) < 3:
        errors["title"] = "Donnez un titre (3 caractères au moins)."
    elif len(title) > TITLE_MAX:
        errors["title"] = f"Le titre dépasse {TITLE_MAX} caractères."
    text = clean_text(data.get("text"))
    if len(text) > TEXT_MAX:
        errors["text"] = f"La présentation dépasse {TEXT_MAX} caractères."
    mode = data.get("mode", "")
    if mode not in MODES:
        errors["mode"] = "Choisissez des points à répartir ou un classement."
    raw_budget = (data.get("budget") or "").strip()
    budget = int(raw_budget) if raw_budget.isascii() and raw_budget.isdigit() and len(raw_budget) < 4 else 0
    if method == VOTE and not 1 <= budget <= BUDGET_MAX:
        errors["budget"] = (f"Le nombre de points par votant est un entier de 1 à {BUDGET_MAX}." if mode == POINTS
                            else f"Le nombre de pistes à classer est un entier de 1 à {BUDGET_MAX}.")
    workshop_id, opens_at, closes_at = None, None, None
    if method == WORKSHOP:
        raw = (data.get("workshop") or "").strip()
        workshop_id = int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 10 else None
        if workshop_id not in workshop_ids:
            errors["workshop"] = "Choisissez l’atelier où les pistes ont été hiérarchisées."
            workshop_id = None
        budget = budget if 1 <= budget <= BUDGET_MAX else 10
    elif method == VOTE:
        opens_at = at_paris(parse_date(data.get("opens_date")), parse_time(data.get("opens_time") or "00:00"))
        closes_at = at_paris(parse_date(data.get("closes_date")), parse_time(data.get("closes_time") or "23:59"))
        if opens_at is None:
            errors["opens_date"] = "Indiquez le jour d’ouverture du vote (JJ/MM/AAAA) et, si besoin, l’heure (HH:MM)."
        if closes_at is None:
            errors["closes_date"] = "Indiquez le jour de clôture du vote (JJ/MM/AAAA) et, si besoin, l’heure (HH:MM)."
        elif opens_at is not None and closes_at <= opens_at:
            errors["closes_date"] = "Le vote doit se clore après son ouverture."
    fields = PrioritisationFields(method, title[:TITLE_MAX], text[:TEXT_MAX], mode if mode in MODES else POINTS,
                                  budget, workshop_id, opens_at, closes_at)
    return fields, errors


def clean_email(value) -> tuple[str, str | None]:
    """(the address, lower-cased, or "", and the French message when it is not one)."""
    email = clean_line(value).lower()
    if not email:
        return "", "Indiquez votre adresse e-mail : un lien de confirmation vous y sera envoyé."
    if len(email) > EMAIL_MAX or not EMAIL.match(email):
        return email, "Cette adresse e-mail n’est pas valide."
    return email, None
