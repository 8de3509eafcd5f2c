"""Calls for applications: when a call is open, what an application must hold, how it is scored
and decided. Pure rules: no web, no database."""

import re
from dataclasses import dataclass
from datetime import date

from revital.text import clean_line, clean_text, parse_date  # noqa: F401 - parse_date for the callers

TITLE_MAX = 160
TEXT_MAX = 20_000
LIST_MAX = 12  # criteria, documents asked
ITEM_MAX = 200
LONG_MAX = 6000  # motivation, stakes
NAME_MAX = 120
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
REASON_MIN = 5
SCORES = (0, 1, 2, 3)
SCORE_LABELS = {0: "0 — absent", 1: "1 — faible", 2: "2 — satisfaisant", 3: "3 — excellent"}

# The state of a call, from its dates and whether its results are published.
UPCOMING, OPEN, CLOSED, DECIDED = "upcoming", "open", "closed", "decided"
STATES = {
    UPCOMING: "À venir",
    OPEN: "Ouvert",
    CLOSED: "Clos, candidatures en cours d’examen",
    DECIDED: "Résultats publiés",
}

# An application's status.
DRAFT, SUBMITTED, SELECTED, DECLINED = "draft", "submitted", "selected", "declined"
STATUSES = {DRAFT: "Brouillon", SUBMITTED: "Déposée", SELECTED: "Retenue", DECLINED: "Non retenue"}
DECISIONS = {"select": SELECTED, "decline": DECLINED}


def state(opens_on: date, closes_on: date, today: date, results_published: bool) -> str:
    """Open from its opening day to its closing day, both included (French local dates)."""
    if results_published:
        return DECIDED
    if today < opens_on:
        return UPCOMING
    if today <= closes_on:
        return OPEN
    return CLOSED


def days_left(closes_on: date, today: date) -> int:
    return (closes_on - today).days


def lines_of(value) -> list[str]:
    """One item a line, blank lines dropped."""
    return [clean_line(line) for line in clean_text(value).split("\n") if clean_line(line)]


@dataclass(frozen=True)
class CallFields:
    title: str
    text: str
    criteria: list[str]
    documents: list[str]
    opens_on: date | None
    closes_on: date | None


def clean_call(data: dict) -> tuple[CallFields, dict]:
    """Check the call form; returns the values and French errors keyed by field."""
    fields = CallFields(
        title=clean_line(data.get("title")),
        text=clean_text(data.get("text")),
        criteria=lines_of(data.get("criteria")),
        documents=lines_of(data.get("documents")),
        opens_on=parse_date(data.get("opens_on")),
        closes_on=parse_date(data.get("closes_on")),
    )
    errors = {}
    if len(fields.title) < 5:
        errors["title"] = "Donnez un titre à l’appel (5 caractères au moins)."
    elif len(fields.title) > TITLE_MAX:
        errors["title"] = f"Le titre ne peut pas dépasser {TITLE_MAX} caractères ({len(fields.title)} actuellement)."
    if not fields.text:
        errors["text"] = "Décrivez l’appel : ce qu’il offre aux communes et ce qu’il attend d’elles."
    elif len(fields.text) > TEXT_MAX:
        errors["text"] = f"Le texte ne peut pas dépasser {TEXT_MAX} caractères ({len(fields.text)} actuellement)."
    if not fields.criteria:
        errors["criteria"] = "Indiquez au moins un critère de sélection, un par ligne."
    elif len(fields.criteria) > LIST_MAX or any(len(c) > ITEM_MAX for c in fields.criteria):
        errors["criteria"] = f"{LIST_MAX} critères au plus, de {ITEM_MAX} caractères chacun au plus."
    if len(fields.documents) > LIST_MAX or any(len(d) > ITEM_MAX for d in fields.documents):
        errors["documents"] = f"{LIST_MAX} pièces au plus, de {ITEM_MAX} caractères chacune au plus."
    if fields.opens_on is None:
        errors["opens_on"] = "Indiquez la date d’ouverture (par exemple 15/01/2027)."
    if fields.closes_on is None:
        errors["closes_on"] = "Indiquez la date de clôture (par exemple 31/03/2027)."
    elif fields.opens_on is not None and fields.closes_on < fields.opens_on:
        errors["closes_on"] = "La date de clôture doit suivre la date d’ouverture."
    return fields, errors


PERSON_FIELDS = ("referent_name", "referent_role", "referent_email", "agent_name", "agent_role", "agent_email")
LONG_FIELDS = ("motivation", "stakes")


def clean_application(data: dict, communes: dict, complete: bool) -> tuple[dict, dict]:
    """Check an application. communes: {INSEE code: name} of the territory. complete: it is
    being submitted (every field required), not saved as a draft (only the commune and the
    agent's e-mail, to which the link to go on is sent)."""
    values = {name: clean_text(data.get(name)) for name in LONG_FIELDS}
    values.update({name: clean_line(data.get(name)) for name in PERSON_FIELDS})
    values["insee"] = clean_line(data.get("insee"))
    values["perimeter"] = (data.get("perimeter") or "").strip()
    values["perimeter_choice"] = "drawn" if values["perimeter"] else "later"  # blank: "à définir"
    errors = {}
    if values["insee"] not in communes:
        errors["insee"] = "Choisissez votre commune dans la liste des communes du territoire."
    for name in LONG_FIELDS:
        if len(values[name]) > LONG_MAX:
            errors[name] = f"Ce texte ne peut pas dépasser {LONG_MAX} caractères ({len(values[name])} actuellement)."
    for name in PERSON_FIELDS:
        if len(values[name]) > (254 if name.endswith("email") else NAME_MAX):
            errors[name] = "Ce champ est trop long."
    for name in ("referent_email", "agent_email"):
        if values[name] and not EMAIL.match(values[name]):
            errors[name] = "Cette adresse e-mail n’est pas valide (exemple : prenom.nom@mairie.fr)."
    if not values["agent_email"] and "agent_email" not in errors:
        errors["agent_email"] = "Indiquez l’adresse e-mail de l’agent à contacter : le lien pour reprendre la candidature y est envoyé."
    if complete:
        required = {
            "motivation": "Expliquez pourquoi la commune se porte candidate.",
            "stakes": "Décrivez les enjeux du centre-bourg tels que la commune les voit.",
            "referent_name": "Indiquez le nom de l’élu référent.",
            "referent_role": "Indiquez la fonction de l’élu référent (par exemple « adjoint à l’urbanisme »).",
            "agent_name": "Indiquez le nom de l’agent à contacter.",
            "agent_role": "Indiquez la fonction de l’agent à contacter.",
        }
        for name, message in required.items():
            if not values[name] and name not in errors:
                errors[name] = message
    return values, errors


def missing_documents(asked: list[str], attached: int) -> int:
    """How many of the asked documents are still to attach (at least one file each)."""
    return max(0, len(asked) - attached)


def clean_score(value, comment) -> tuple[int | None, str, str | None]:
    """A criterion's score: 0 to 3 with an optional comment; blank means not scored yet."""
    comment = clean_text(comment)[:2000]
    value = (value or "").strip()
    if value == "":
        return None, comment, None
    if value not in ("0", "1", "2", "3"):
        return None, comment, "Notez de 0 à 3."
    return int(value), comment, None


def total(scores: list[int | None], criteria_count: int) -> tuple[int, int, bool]:
    """(points, out of, every criterion scored)."""
    given = [s for s in scores if s is not None]
    return sum(given), 3 * criteria_count, len(given) == criteria_count and criteria_count > 0


class DecisionRefused(Exception):
    """A decision that cannot apply; the message is French."""


def decide(status: str, action: str, reason: str, call_state: str) -> str:
    """The new status of an application the coordinator selects or declines."""
    if action not in DECISIONS:
        raise DecisionRefused("Choisissez de retenir ou de ne pas retenir la candidature.")
    if call_state in (UPCOMING, OPEN):
        raise DecisionRefused("L’appel est encore ouvert : les candidatures se décident après sa clôture.")
    if call_state == DECIDED:
        raise DecisionRefused("Les résultats de cet appel sont publiés : les décisions ne changent plus.")
    if status not in (SUBMITTED, SELECTED, DECLINED):
        raise DecisionRefused("Cette candidature n’a pas été déposée : elle ne peut pas être examinée.")
    if len(clean_text(reason)) < REASON_MIN:
        raise DecisionRefused("Indiquez le motif de la décision : il est communiqué à la commune.")
    return DECISIONS[action]


def can_publish_results(statuses: list[str], call_state: str) -> str | None:
    """Why the results cannot be published yet, or None."""
    if call_state in (UPCOMING, OPEN):
        return "L’appel est encore ouvert : publiez les résultats après sa clôture."
    if call_state == DECIDED:
        return "Les résultats sont déjà publiés."
    undecided = sum(1 for s in statuses if s == SUBMITTED)
    if undecided == 1:
        return "Une candidature n’a pas encore de décision : retenez-la ou non avant de publier."
    if undecided:
        return f"{undecided} candidatures n’ont pas encore de décision : décidez de chacune avant de publier."
    return None
