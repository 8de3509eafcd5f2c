"""Student weeks, pure: the kinds of week, the roles in a week, the life of a proposal (who moves it
from which status to which), who sees a proposal, and the checks of the forms. No web framework, no
database.

A proposal is the team's until it is submitted: students write it (draft, or changes requested by
the supervisor), the supervisor asks for changes with a comment or approves it, the commune
publishes an approved proposal on its public page (and may take it back to approved).
"""

from dataclasses import dataclass
from datetime import date

from revital.text import clean_text

IMMERSION = "immersion"
DESIGN = "design"
KINDS = {IMMERSION: "Semaine d’immersion", DESIGN: "Semaine de design territorial"}

# A member's role in a week: the role grant says who may act in the commune, this says in which team.
STUDENT = "student"
SUPERVISOR = "supervisor"
MEMBER_ROLES = {STUDENT: "Étudiant·e", SUPERVISOR: "Encadrant·e"}
COMMUNE = "commune"  # the commune (or the coordinator), acting from the back office

DRAFT = "draft"
SUBMITTED = "submitted"
CHANGES_REQUESTED = "changes_requested"
APPROVED = "approved"
PUBLISHED = "published"
STATUSES = {DRAFT: "Brouillon", SUBMITTED: "Soumise à l’encadrant·e", CHANGES_REQUESTED: "Modifications demandées",
            APPROVED: "Approuvée", PUBLISHED: "Publiée"}

SUBMIT = "submit"
REQUEST_CHANGES = "request_changes"
APPROVE = "approve"
PUBLISH = "publish"
UNPUBLISH = "unpublish"

# (action: (who, from statuses, to status))
TRANSITIONS = {
    SUBMIT: (STUDENT, {DRAFT, CHANGES_REQUESTED}, SUBMITTED),
    REQUEST_CHANGES: (SUPERVISOR, {SUBMITTED, APPROVED}, CHANGES_REQUESTED),
    APPROVE: (SUPERVISOR, {SUBMITTED}, APPROVED),
    PUBLISH: (COMMUNE, {APPROVED}, PUBLISHED),
    UNPUBLISH: (COMMUNE, {PUBLISHED}, APPROVED),
}
EDITABLE = {DRAFT, CHANGES_REQUESTED}  # the students may still change the text, images and boards
PRIVATE = {DRAFT, CHANGES_REQUESTED, SUBMITTED}  # the team's alone (students and supervisors)

OBSERVATION_KINDS = {"asset": "Atout", "weakness": "Point faible", "use": "Usage observé", "question": "Question"}

TITLE_MAX = 160
TEXT_MAX = 20_000
NOTE_MAX = 2_000
COMMENT_MAX = 4_000
MAX_IMAGES = 12
MAX_BOARDS = 8


def next_status(status: str, action: str, actor: str) -> str | None:
    """The status after `action` by `actor` (STUDENT, SUPERVISOR or COMMUNE), or None if not allowed."""
    rule = TRANSITIONS.get(action)
    if rule is None:
        return None
    who, sources, target = rule
    return target if who == actor and status in sources else None


def refusal(status: str, action: str, actor: str) -> str | None:
    """Why the action cannot be taken, in French, or None when it can."""
    if next_status(status, action, actor) is not None:
        return None
    rule = TRANSITIONS.get(action)
    if rule is None:
        return "Cette action n’existe pas."
    if rule[0] != actor:
        return {STUDENT: "Seule l’équipe des étudiants soumet ses propositions.",
                SUPERVISOR: "Seul·e l’encadrant·e de la semaine relit les propositions.",
                COMMUNE: "Seule la commune publie les propositions approuvées."}[rule[0]]
    return f"La proposition est « {STATUSES.get(status, status)} » : cette action n’est plus possible."


def roles_in_week(user_id: int | None, members: dict[int, str]) -> str | None:
    """The role of a person in a week ({user id: role}), or None if they are not a member."""
    return members.get(user_id) if user_id is not None else None


def may_see(status: str, week_role: str | None, manages: bool) -> bool:
    """Who sees a proposal: its week's members always; the commune once it is approved; everyone
    else once it is published."""
    if week_role in MEMBER_ROLES:
        return True
    if manages:
        return status in (APPROVED, PUBLISHED)
    return status == PUBLISHED


def may_edit(status: str, week_role: str | None) -> bool:
    return week_role == STUDENT and status in EDITABLE


@dataclass(frozen=True)
class WeekFields:
    kind: str
    title: str
    starts_on: date | None
    ends_on: date | None
    school: str
    programme: str
    team_name: str
    brief: str


def parse_day(value: str) -> date | None:
    try:
        return date.fromisoformat((value or "").strip())
    except ValueError:
        return None


def clean_week(form: dict) -> tuple[WeekFields, dict]:
    text = {name: clean_text(form.get(name)) for name in ("kind", "title", "school", "programme", "team_name", "brief",
                                                           "starts_on", "ends_on")}
    errors = {}
    if text["kind"] not in KINDS:
        errors["kind"] = "Choisissez le type de semaine : immersion ou design territorial."
    if not text["title"]:
        errors["title"] = "Donnez un titre à la semaine (par exemple : Semaine d’immersion, printemps 2026)."
    elif len(text["title"]) > TITLE_MAX:
        errors["title"] = f"Le titre est trop long : {TITLE_MAX} caractères au plus."
    starts, ends = parse_day(text["starts_on"]), parse_day(text["ends_on"])
    if starts is None:
        errors["starts_on"] = "Indiquez le premier jour de la semaine (jj/mm/aaaa)."
    if ends is None:
        errors["ends_on"] = "Indiquez le dernier jour de la semaine (jj/mm/aaaa)."
    elif starts is not None and ends < starts:
        errors["ends_on"] = "Le dernier jour vient avant le premier : vérifiez les dates."
    elif starts is not None and (ends - starts).days > 31:
        errors["ends_on"] = "Une semaine d’étudiants dure un mois au plus : vérifiez les dates."
    if not text["school"]:
        errors["school"] = "Indiquez l’école ou l’université (par exemple : Université Grenoble Alpes)."
    for name, limit in (("school", 160), ("programme", 200), ("team_name", 120)):
        if len(text[name]) > limit:
            errors[name] = f"{limit} caractères au plus."
    if len(text["brief"]) > TEXT_MAX:
        errors["brief"] = f"La commande est trop longue : {TEXT_MAX} caractères au plus."
    fields = WeekFields(text["kind"], text["title"][:TITLE_MAX], starts, ends, text["school"][:160],
                        text["programme"][:200], text["team_name"][:120] or "L’équipe des étudiants", text["brief"][:TEXT_MAX])
    return fields, errors


def clean_observation(form: dict, inside) -> tuple[dict, dict]:
    """An observation's fields as typed (to give them back) and French errors per field.
    inside(lon, lat) -> bool: the point lies in the commune."""
    values = {name: clean_text(form.get(name)) for name in ("kind", "title", "text", "lon", "lat")}
    errors = {}
    if values["kind"] not in OBSERVATION_KINDS:
        errors["kind"] = "Choisissez ce que vous observez : atout, point faible, usage ou question."
    if not values["title"]:
        errors["title"] = "Donnez un titre à l’observation, en quelques mots."
    elif len(values["title"]) > TITLE_MAX:
        errors["title"] = f"Le titre est trop long : {TITLE_MAX} caractères au plus."
    if len(values["text"]) > NOTE_MAX:
        errors["text"] = f"Le texte est trop long : {NOTE_MAX} caractères au plus."
    point, problem = parse_position(values["lon"], values["lat"], inside)
    if problem:
        errors["lon"] = problem
    values["point"] = point
    return values, errors


def parse_number(value: str) -> float | None:
    try:
        number = float((value or "").strip().replace(",", "."))
    except ValueError:
        return None
    return number if number == number and abs(number) != float("inf") else None


def parse_position(lon: str, lat: str, inside) -> tuple[tuple[float, float] | None, str | None]:
    x, y = parse_number(lon), parse_number(lat)
    if x is None or y is None:
        return None, "Placez le repère sur la carte, ou indiquez la longitude et la latitude en degrés."
    if not (-180 <= x <= 180 and -90 <= y <= 90) or not inside(x, y):
        return None, "Ce point est hors de la commune : placez le repère dans la commune."
    return (round(x, 6), round(y, 6)), None


def clean_proposal(form: dict) -> tuple[dict, dict]:
    """A proposal's text fields as typed, and French errors; the location is checked apart (geometry)."""
    values = {name: clean_text(form.get(name)) for name in ("title", "text", "where", "lon", "lat", "area")}
    errors = {}
    if not values["title"]:
        errors["title"] = "Donnez un titre à la proposition."
    elif len(values["title"]) > TITLE_MAX:
        errors["title"] = f"Le titre est trop long : {TITLE_MAX} caractères au plus."
    if len(values["text"]) > TEXT_MAX:
        errors["text"] = f"Le texte est trop long : {TEXT_MAX} caractères au plus."
    if values["where"] not in ("none", "point", "area"):
        values["where"] = "none"
    return values, errors


def clean_comment(value: str, action: str) -> tuple[str, str | None]:
    comment = clean_text(value)[:COMMENT_MAX]
    if action == REQUEST_CHANGES and len(comment) < 5:
        return comment, "Dites à l’équipe ce qu’il faut changer : le commentaire est obligatoire."
    return comment, None
