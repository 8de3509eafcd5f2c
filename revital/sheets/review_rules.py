"""The rules of the partners' review of an action sheet, pure: no web framework, no database.

- who may give an opinion: a partner of an organisation that the commune invited and asked about
  this sheet;
- the due dates, in Paris time: due, overdue, the reminder three days before;
- the order of a partner's list: overdue first, then by due date;
- whether the commune may validate a sheet (every request answered, on some version, or a written
  reason), and the checks of what the commune and the partners type, with their French messages.
"""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from revital.permissions import PARTNER, CommuneScope, Principal
from revital.sheets import rules
from revital.text import clean_line, clean_text, parse_date

PARIS = ZoneInfo("Europe/Paris")
REMIND_BEFORE = timedelta(days=3)
LONGEST_DELAY = timedelta(days=366)
MESSAGE_MAX = 5000
COMMENTS_MAX = 20000
RESERVATION_MAX = 2000
RESERVATIONS_MAX = 30
ANSWER_MAX = 5000
REASON_MAX = 5000
NAME_MAX = 200

VERDICTS = rules.VERDICT_LABELS
ANSWERED, OVERDUE, WAITING = "answered", "overdue", "waiting"
STATE_LABELS = {ANSWERED: "Avis rendu", OVERDUE: "En retard", WAITING: "En attente"}

NOT_ASKED = ("Votre organisation n’a pas été sollicitée pour un avis sur cette fiche : seuls les partenaires que la "
             "commune a sollicités peuvent en donner un.")
NOT_INVITED = "Votre organisation n’accompagne pas cette commune."
NOT_A_PARTNER = ("Cette page est celle des partenaires techniques sollicités pour un avis ; la commune suit les "
                 "demandes et les avis depuis sa gestion des fiches.")
CLOSED = {
    rules.VALIDATED: "Cette fiche est validée : l’examen est clos, aucun avis ne peut plus être donné.",
    rules.ABANDONED: "Cette fiche est abandonnée : l’examen est clos, aucun avis ne peut plus être donné.",
}
STALE = ("La fiche a changé depuis la version {read} que vous avez lue : elle en est à la version {current}. "
         "Votre avis n’a pas été enregistré. Voici ce qui a changé : relisez-la et donnez votre avis sur la "
         "version {current}.")
NOT_PARTNERS = "Choisissez des organisations parmi les partenaires de la commune."
NO_ORGANISATION = "Choisissez au moins une organisation partenaire à solliciter."
NO_DUE = "Indiquez la date à laquelle l’avis est attendu."
BAD_DUE = "« {value} » n’est pas une date (par exemple 31/01/2027)."
PAST_DUE = "La date attendue ne peut pas être passée."
FAR_DUE = "Choisissez une date attendue dans l’année qui vient."
GIVEN = ("Votre organisation a donné son avis sur la version {version}. Si la commune modifie la fiche et vous "
         "sollicite de nouveau, vous pourrez donner votre avis sur la nouvelle version.")
ALREADY_GIVEN = ("L’avis de votre organisation sur la version {version} était déjà enregistré : il ne compte qu’une "
                 "fois, et un envoi répété ne le double pas.")
NO_VERDICT = "Choisissez un avis : favorable, favorable avec réserves ou défavorable."
RESERVED_NEEDS = "Un avis favorable avec réserves dit lesquelles : une réserve par ligne."
NO_FUNDER = "Indiquez le financeur de la ligne proposée."
NO_AMOUNT = "Indiquez le montant de la ligne proposée."
BAD_YEAR = "Indiquez une année entre 2000 et 2100 (par exemple 2027)."
NEEDS_REASON = ("Toutes les organisations sollicitées n’ont pas donné leur avis ({missing}) : écrivez pourquoi la "
                "fiche est validée sans.")
NO_REASON = "Écrivez le motif de l’abandon : il est public."
NOT_IN_REVIEW = "Seule une fiche en examen ou en brouillon peut être validée ou abandonnée."
NOT_CLOSED = "Seule une fiche validée ou abandonnée peut être rouverte."
EMPTY_ANSWER = "Écrivez la réponse de la commune à cette réserve, ou cochez « levée »."


def too_long(limit: int) -> str:
    return f"Ce texte est trop long : {limit:,} caractères au plus.".replace(",", "\u202f")


def today_in_paris(now: datetime) -> date:
    """The calendar day in France at this instant (a naive datetime is taken as UTC)."""
    return (now if now.tzinfo else now.replace(tzinfo=UTC)).astimezone(PARIS).date()


# --- who -----------------------------------------------------------------------------------------


def partner_organisations(principal: Principal) -> set[int]:
    """The organisations this person is a technical partner of."""
    return {g.organisation_id for g in principal.grants if g.role == PARTNER and g.organisation_id is not None}


def reviewing_organisations(principal: Principal, commune: CommuneScope, asked: set[int]) -> list[int]:
    """The organisations on whose behalf this person may give an opinion on a sheet: those they are a
    partner of, that the commune invited, and that were asked about the sheet (sorted ids)."""
    return sorted(partner_organisations(principal) & set(commune.partner_organisation_ids) & set(asked))


def refusal(principal: Principal, commune: CommuneScope, asked: set[int]) -> str | None:
    """Why this person may not give an opinion on the sheet, in French, or None."""
    mine = partner_organisations(principal)
    if not mine:
        return NOT_A_PARTNER
    if not mine & set(commune.partner_organisation_ids):
        return NOT_INVITED
    if not reviewing_organisations(principal, commune, asked):
        return NOT_ASKED
    return None


# --- when ----------------------------------------------------------------------------------------


def state(due_on: date, answered: bool, today: date) -> str:
    if answered:
        return ANSWERED
    return OVERDUE if today > due_on else WAITING


def overdue(due_on: date, answered: bool, today: date) -> bool:
    return state(due_on, answered, today) == OVERDUE


def remind_on(due_on: date) -> date:
    return due_on - REMIND_BEFORE


def reminder_due(due_on: date, today: date, answered: bool, reminded: bool) -> bool:
    """The reminder goes from three days before the due date until the due date, once."""
    return not answered and not reminded and remind_on(due_on) <= today <= due_on


def reminded_by_asking(due_on: date, today: date) -> bool:
    """Asked three days or less before the due date: the request itself is the reminder."""
    return today >= remind_on(due_on)


def order_key(due_on: date, answered: bool, today: date):
    """Overdue first, then the nearest due date first."""
    return (not overdue(due_on, answered, today), due_on)


# --- validating ----------------------------------------------------------------------------------


def validation_problem(status: str, unanswered: list[str], reason: str) -> str | None:
    """Why the sheet cannot be validated now, or None. unanswered: the names of the organisations
    asked that have not answered."""
    if status not in (rules.DRAFT, rules.REVIEW):
        return NOT_IN_REVIEW
    if unanswered and not reason.strip():
        return NEEDS_REASON.format(missing=", ".join(unanswered))
    return None


# --- what is typed -------------------------------------------------------------------------------


def _text(value, limit: int, errors: dict, name: str) -> str:
    text = clean_text(value)
    if len(text) > limit:
        errors[name] = too_long(limit)
    return text


def clean_request(organisation_ids: list[str], due: str, message: str, partners: set[int],
                  today: date) -> tuple[dict, dict]:
    """A request for opinions: (fields, errors). partners: the commune's partner organisations."""
    errors: dict[str, str] = {}
    chosen = set()
    for value in organisation_ids:
        try:
            chosen.add(int(value))
        except ValueError:
            errors["organisations"] = NOT_PARTNERS
    if not chosen and "organisations" not in errors:
        errors["organisations"] = NO_ORGANISATION
    elif chosen - partners:
        errors["organisations"] = NOT_PARTNERS
    due_on = None
    if not (due or "").strip():
        errors["due_on"] = NO_DUE
    else:
        due_on = parse_date(due)
        if due_on is None:
            errors["due_on"] = BAD_DUE.format(value=clean_line(due)[:20])
        elif due_on < today:
            errors["due_on"] = PAST_DUE
        elif due_on > today + LONGEST_DELAY:
            errors["due_on"] = FAR_DUE
    text = _text(message, MESSAGE_MAX, errors, "message")
    return {"organisation_ids": sorted(chosen), "due_on": due_on, "message": text}, errors


def clean_opinion(verdict: str, comments: str, reservations: str, funder: str, scheme: str, amount: str,
                  year: str) -> tuple[dict, dict]:
    """An opinion as typed: (fields, errors). One reservation a line; a proposed funding line when
    any of its fields is filled (funder and amount then required; amount in cents)."""
    errors: dict[str, str] = {}
    if verdict not in VERDICTS:
        errors["verdict"] = NO_VERDICT
    text = _text(comments, COMMENTS_MAX, errors, "comments")
    lines = [clean_line(line) for line in (reservations or "").splitlines()]
    lines = [line for line in lines if line]
    if len(lines) > RESERVATIONS_MAX:
        errors["reservations"] = f"{RESERVATIONS_MAX} réserves au plus : regroupez-les."
    elif any(len(line) > RESERVATION_MAX for line in lines):
        errors["reservations"] = f"Une réserve tient en {RESERVATION_MAX:,} caractères au plus.".replace(",", "\u202f")
    if verdict == rules.RESERVED and not lines and "reservations" not in errors:
        errors["reservations"] = RESERVED_NEEDS
    proposed = None
    funder, scheme = clean_line(funder), clean_line(scheme)
    if funder or scheme or (amount or "").strip() or (year or "").strip():
        proposed = {"funder": funder, "scheme": scheme, "amount_cents": None, "year": None}
        if not funder:
            errors["funder"] = NO_FUNDER
        elif len(funder) > NAME_MAX:
            errors["funder"] = too_long(NAME_MAX)
        if len(scheme) > NAME_MAX:
            errors["scheme"] = too_long(NAME_MAX)
        if not (amount or "").strip():
            errors["amount"] = NO_AMOUNT
        else:
            try:
                proposed["amount_cents"] = rules.parse_euros(amount[:100])
            except ValueError as problem:
                errors["amount"] = str(problem)
            if proposed["amount_cents"] == 0:
                errors["amount"] = "Un montant proposé ne peut pas être nul."
        if (year or "").strip():
            try:
                proposed["year"] = int(year.strip())
            except ValueError:
                errors["year"] = BAD_YEAR
            else:
                if not 2000 <= proposed["year"] <= 2100:
                    errors["year"] = BAD_YEAR
    return {"verdict": verdict, "comments": text, "reservations": lines, "proposed": proposed}, errors


def clean_answer(answer: str, addressed: bool) -> tuple[str, dict]:
    errors: dict[str, str] = {}
    text = _text(answer, ANSWER_MAX, errors, "answer")
    if not text and not addressed and not errors:
        errors["answer"] = EMPTY_ANSWER
    return text, errors


def clean_reason(reason: str, required: bool, message: str = NO_REASON) -> tuple[str, dict]:
    errors: dict[str, str] = {}
    text = _text(reason, REASON_MAX, errors, "reason")
    if required and not text and not errors:
        errors["reason"] = message
    return text, errors
