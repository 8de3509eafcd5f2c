"""Axes, ideas and official answers: what their forms must hold, the statuses of an idea and of an
answer, and what deciding on an idea asks for. Pure rules: no web, no database."""

from dataclasses import dataclass

from revital.contributions.rules import parse_coordinate
from revital.text import clean_line, clean_text

TITLE_MAX = 160
TEXT_MAX = 20_000
AXIS_DESCRIPTION_MAX = 5000
REASON_MIN = 10
REASON_MAX = 2000
ANSWER_MAX = 5000

# The same codes as revital.ideas.models (which this pure module does not import).
OPEN, RETAINED, NOT_RETAINED = "open", "retained", "not_retained"
STATUSES = {OPEN: "Ouverte", RETAINED: "Retenue", NOT_RETAINED: "Non retenue"}
STATUS_PLURALS = {OPEN: "Ouvertes", RETAINED: "Retenues", NOT_RETAINED: "Non retenues"}

# The commune's official answer on a contribution or an idea (as Decidim and CONSUL give one).
STUDYING, ACCEPTED, REFUSED, DONE = "en_etude", "acceptee", "refusee", "realisee"
ANSWER_STATUSES = {STUDYING: "À l’étude", ACCEPTED: "Acceptée", REFUSED: "Non retenue", DONE: "Réalisée"}
ANSWER_TARGETS = ("contribution", "idea")

# What an idea may come from besides a resident's contribution, offered in the back office.
SOURCE_KINDS = {"contribution": "Contribution d’habitant", "workshop": "Atelier", "proposal": "Proposition des étudiants"}
ADDABLE_SOURCES = ("workshop", "proposal")


class DecisionRefused(Exception):
    """A decision on an idea that may not be taken; the message is French and meant for the user."""


@dataclass(frozen=True)
class AxisFields:
    title: str
    description: str


@dataclass(frozen=True)
class IdeaFields:
    title: str
    text: str
    axis_id: int | None
    place_id: int | None
    place_name: str
    lon: float | None
    lat: float | None
    stake_ids: frozenset[int]


def clean_axis(data: dict) -> tuple[AxisFields, dict]:
    title = clean_line(data.get("title"))
    description = clean_text(data.get("description"))
    errors = {}
    if not title:
        errors["title"] = "Donnez un titre à l’axe."
    elif len(title) > TITLE_MAX:
        errors["title"] = f"Le titre est trop long : {TITLE_MAX} caractères au plus."
    if len(description) > AXIS_DESCRIPTION_MAX:
        errors["description"] = f"La description est trop longue : {AXIS_DESCRIPTION_MAX} caractères au plus."
    return AxisFields(title, description), errors


def choice(value, allowed) -> tuple[int | None, bool]:
    """An id chosen from a list: (id or None, whether the value was acceptable)."""
    value = (value or "").strip()
    if not value:
        return None, True
    if value.isdigit() and len(value) < 12 and int(value) in allowed:
        return int(value), True
    return None, False


def clean_idea(data: dict, stakes_chosen: list[str], axes, places: dict, stakes, inside) -> tuple[IdeaFields, dict]:
    """Check an idea's form. axes, stakes: the ids of the commune's; places: {id: (name, lon, lat)};
    inside(lon, lat) -> bool, the commune's boundary. Location: a place of the list, or a point
    (longitude and latitude), or nothing."""
    errors = {}
    title = clean_line(data.get("title"))
    text = clean_text(data.get("text"))
    if not title:
        errors["title"] = "Donnez un titre à la piste."
    elif len(title) > TITLE_MAX:
        errors["title"] = f"Le titre est trop long : {TITLE_MAX} caractères au plus."
    if len(text) > TEXT_MAX:
        errors["text"] = f"Le texte est trop long : {TEXT_MAX} caractères au plus."
    axis_id, ok = choice(data.get("axis"), axes)
    if not ok:
        errors["axis"] = "Choisissez un axe de la liste."
    place_id, ok = choice(data.get("place"), places)
    if not ok:
        errors["place"] = "Choisissez un lieu de la liste."
    place_name, lon, lat = "", None, None
    if place_id is not None:
        place_name, lon, lat = places[place_id]
    else:
        raw_lon, raw_lat = (data.get("lon") or "").strip(), (data.get("lat") or "").strip()
        if raw_lon or raw_lat:
            lon, lat = parse_coordinate(raw_lon), parse_coordinate(raw_lat)
            if lon is None or lat is None or not (-180 <= lon <= 180 and -90 <= lat <= 90):
                errors["lon"] = "Donnez une longitude et une latitude en degrés décimaux (3,5641 et 44,4566), ou aucune."
                lon = lat = None
            elif not inside(lon, lat):
                errors["lon"] = "Ce point est hors de la commune."
                lon = lat = None
    chosen = set()
    for value in stakes_chosen:
        stake_id, ok = choice(value, stakes)
        if not ok:
            errors["stakes"] = "Choisissez des enjeux de la liste."
        elif stake_id is not None:
            chosen.add(stake_id)
    return IdeaFields(title, text, axis_id, place_id, place_name, lon, lat, frozenset(chosen)), errors


def decide(status: str, axis_id: int | None, reason: str) -> tuple[str, str]:
    """The commune's decision on an idea: (status, public reason), or DecisionRefused in French.
    Retaining needs an axis; not retaining a public reason; reopening forgets the reason."""
    reason = clean_text(reason)
    if status not in STATUSES:
        raise DecisionRefused("Choisissez une décision de la liste.")
    if len(reason) > REASON_MAX:
        raise DecisionRefused(f"Le motif est trop long : {REASON_MAX} caractères au plus.")
    if status == RETAINED and axis_id is None:
        raise DecisionRefused("Une piste retenue se range dans un axe stratégique : choisissez son axe avant de la retenir.")
    if status == NOT_RETAINED and len(reason) < REASON_MIN:
        raise DecisionRefused(f"Dites pourquoi la piste n’est pas retenue (au moins {REASON_MIN} caractères) : "
                              "ce motif est public.")
    return status, reason if status != OPEN else ""


def clean_answer(data: dict) -> tuple[str, str, dict]:
    """The commune's official answer: (status, text, errors); both are required."""
    status = (data.get("status") or "").strip()
    text = clean_text(data.get("text"))
    errors = {}
    if status not in ANSWER_STATUSES:
        errors["status"] = "Choisissez l’état de la réponse dans la liste."
    if not text:
        errors["text"] = "Écrivez la réponse de la commune : elle est publique."
    elif len(text) > ANSWER_MAX:
        errors["text"] = f"La réponse est trop longue : {ANSWER_MAX} caractères au plus."
    return status, text, errors


def parse_source(value: str) -> tuple[str, int] | None:
    """A source chosen from the list, written "workshop:12" or "proposal:3"."""
    kind, _, number = (value or "").partition(":")
    if kind in ADDABLE_SOURCES and number.isdigit() and len(number) < 12:
        return kind, int(number)
    return None
