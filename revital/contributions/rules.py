"""What a contribution may hold, and how moderation moves it. Pure rules: no web, no database."""

import hashlib
import hmac
import re
import secrets
import time
from dataclasses import dataclass

from revital.text import clean_text

KINDS = {"asset": "Atout", "weakness": "Point faible", "idea": "Idée"}
KIND_PLURALS = {"asset": "Atouts", "weakness": "Points faibles", "idea": "Idées"}

DEFAULT_CATEGORIES = {
    "logement": "Logement",
    "commerce": "Commerce et activités",
    "espaces-publics": "Espaces publics",
    "mobilite": "Mobilité et stationnement",
    "patrimoine": "Patrimoine et paysage",
    "services": "Services et équipements",
    "nature": "Nature en ville",
    "vie-sociale": "Vie sociale",
    "foncier": "Foncier et friches",
    "autre": "Autre",
}

ONLINE, WORKSHOP, STUDENT = "online", "workshop", "student"
SOURCES = {ONLINE: "En ligne", WORKSHOP: "Atelier (contribution papier)", STUDENT: "Étudiants"}

# Moderation statuses: only published contributions are public.
PENDING, PUBLISHED, REJECTED, HIDDEN = "pending", "published", "rejected", "hidden"
STATUSES = {
    PENDING: "En attente de modération",
    PUBLISHED: "Publiée",
    REJECTED: "Refusée",
    HIDDEN: "Masquée",
}
STATUS_PLURALS = {PENDING: "En attente", PUBLISHED: "Publiées", REJECTED: "Refusées", HIDDEN: "Masquées"}
QUEUE_TABS = (PENDING, PUBLISHED, HIDDEN, REJECTED)
MODERATION_MODES = {
    "a_priori": "A priori : rien n’est public avant qu’un animateur ne le publie",
    "a_posteriori": "A posteriori : publié tout de suite, masqué ensuite si besoin",
}

TITLE_MAX = 120
BODY_MAX = 4000
NAME_MAX = 80
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
REASON_MIN = 5


@dataclass(frozen=True)
class Location:
    kind: str  # "map", "place" or "none"
    lon: float | None = None
    lat: float | None = None
    place_id: int | None = None
    place_name: str = ""


def parse_coordinate(value: str) -> float | None:
    try:
        number = float((value or "").strip().replace(",", "."))
    except ValueError:
        return None
    return number if number == number and abs(number) != float("inf") else None


def clean_submission(data: dict, categories: dict, places, inside, cells=None) -> tuple[dict, dict]:
    """Check a contribution form. places: {id: (name, lon, lat)}, or a function that returns them
    (called only for a place chosen from the list); inside(lon, lat) -> bool; cells(label) ->
    (lon, lat) or None: the centre of a cell of the workshop kit's grid, for where="cell" (the
    paper entry of a workshop), or None where no grid is offered.

    Returns the values to keep (as typed, for re-rendering) with a "location" entry when it is
    valid, and French errors keyed by field.
    """
    values = {
        "kind": (data.get("kind") or "").strip(),
        "category": (data.get("category") or "").strip(),
        "title": clean_text(data.get("title")),
        "body": clean_text(data.get("body")),
        "where": (data.get("where") or "").strip(),
        "lon": (data.get("lon") or "").strip(),
        "lat": (data.get("lat") or "").strip(),
        "place": (data.get("place") or "").strip(),
        "cell": (data.get("cell") or "").strip(),
        "author_name": clean_text(data.get("author_name")),
        "author_email": (data.get("author_email") or "").strip(),
        "wants_news": data.get("wants_news") == "1",
        "consent": data.get("consent") == "1",
    }
    errors = {}
    if values["kind"] not in KINDS:
        errors["kind"] = "Choisissez s’il s’agit d’un atout, d’un point faible ou d’une idée."
    if values["category"] not in categories:
        errors["category"] = "Choisissez un thème dans la liste."
    if len(values["title"]) < 3:
        errors["title"] = "Donnez un titre à votre contribution (3 caractères au moins)."
    elif len(values["title"]) > TITLE_MAX:
        errors["title"] = f"Le titre ne peut pas dépasser {TITLE_MAX} caractères ({len(values['title'])} actuellement)."
    if len(values["body"]) > BODY_MAX:
        errors["body"] = f"Le texte ne peut pas dépasser {BODY_MAX} caractères ({len(values['body'])} actuellement)."
    if len(values["author_name"]) > NAME_MAX:
        errors["author_name"] = f"Le nom ou pseudonyme ne peut pas dépasser {NAME_MAX} caractères."
    email = values["author_email"]
    if email and (len(email) > 254 or not EMAIL.match(email)):
        errors["author_email"] = "Cette adresse e-mail n’est pas valide (exemple : prenom.nom@exemple.fr)."
    if values["wants_news"] and not email:
        errors["author_email"] = "Indiquez votre adresse e-mail pour être tenu·e au courant, ou décochez la case."
    if not values["consent"]:
        errors["consent"] = "Cochez la case pour accepter la publication de votre contribution (sans votre adresse e-mail)."
    location, problem = clean_location(values, places, inside, cells)
    if problem:
        errors["cell" if values["where"] == "cell" and cells is not None else "where"] = problem
    else:
        values["location"] = location
    return values, errors


BAD_CELL = ("La case « {cell} » n’existe pas sur la grille de la carte : une lettre de A à H puis un chiffre "
            "de 1 à 6, par exemple C4.")
CELL_AND_PLACE = "Indiquez soit une case de la grille, soit un lieu de la liste, mais pas les deux."


def where_on_paper(data: dict) -> str:
    """Where a sheet of a workshop says it is, from its entry form (no choice to make there): a
    cell of the grid, a place of the list, both (an error), or neither (the whole commune)."""
    cell, place = (data.get("cell") or "").strip(), (data.get("place") or "").strip()
    return "both" if cell and place else "cell" if cell else "place" if place else "none"


def clean_location(values: dict, places: dict, inside, cells=None) -> tuple[Location | None, str | None]:
    where = values["where"]
    if where == "cell" and cells is not None:
        # The cell written on the paper form: its centre is the point. The grid is drawn over the
        # study perimeter with a margin, so the centre is not checked against the boundary.
        centre = cells(values["cell"])
        if centre is None:
            return None, BAD_CELL.format(cell=values["cell"][:10])
        return Location("map", round(centre[0], 6), round(centre[1], 6)), None
    if where == "both":
        return None, CELL_AND_PLACE
    if where == "map":
        lon, lat = parse_coordinate(values["lon"]), parse_coordinate(values["lat"])
        if lon is None or lat is None:
            return None, "Placez un repère sur la carte, choisissez un lieu dans la liste ou indiquez « pas de lieu précis »."
        if not inside(lon, lat):
            return None, "Le point placé est en dehors de la commune : placez-le dans ses limites, ou choisissez un lieu."
        return Location("map", round(lon, 6), round(lat, 6)), None
    if where == "place":
        try:
            place_id = int(values["place"])
        except ValueError:
            place_id = None
        places = places() if callable(places) else places
        if place_id not in places:
            return None, "Choisissez un lieu dans la liste."
        name, lon, lat = places[place_id]
        return Location("place", lon, lat, place_id, name), None
    if where == "none":
        return Location("none"), None
    return None, "Indiquez où se situe votre contribution : sur la carte, à un lieu de la liste, ou sans lieu précis."


def initial_status(moderation_mode: str, source: str) -> str:
    """Online contributions wait for a facilitator under a-priori moderation; paper ones entered
    by a facilitator are published at once."""
    if source == WORKSHOP or moderation_mode == "a_posteriori":
        return PUBLISHED
    return PENDING


# Moderation: (status, action) -> new status.
MODERATION = {
    (PENDING, "publish"): PUBLISHED,
    (PENDING, "reject"): REJECTED,
    (PUBLISHED, "hide"): HIDDEN,
    (HIDDEN, "publish"): PUBLISHED,
    (REJECTED, "publish"): PUBLISHED,
}
ACTIONS = {"publish": "Publier", "reject": "Refuser", "hide": "Masquer"}


class ModerationRefused(Exception):
    """A moderation action that cannot apply; the message is French."""


def moderate(status: str, action: str, reason: str) -> str:
    new = MODERATION.get((status, action))
    if new is None:
        raise ModerationRefused(
            f"Impossible de « {ACTIONS.get(action, action).lower()} » une contribution {STATUSES.get(status, status).lower()} : "
            "elle a peut-être déjà été traitée par quelqu’un d’autre."
        )
    if action in ("reject", "hide") and len(reason.strip()) < REASON_MIN:
        raise ModerationRefused("Indiquez le motif : il est conservé et peut être communiqué à l’auteur.")
    return new


# Form tokens: one per rendered form, signed, dated. The random part becomes the contribution's
# submission token, unique in the database.
TOKEN_MAX_AGE = 24 * 3600


def new_form_token(secret: str, now: float | None = None) -> str:
    stamp = str(int(now if now is not None else time.time()))
    nonce = secrets.token_urlsafe(18)
    return f"{stamp}.{nonce}.{_sign(secret, stamp, nonce)}"


def check_form_token(token: str, secret: str, now: float | None = None, max_age: int = TOKEN_MAX_AGE) -> str:
    """"ok", "expired" or "invalid"."""
    try:
        stamp, nonce, signature = token.split(".")
        issued = int(stamp)
    except (ValueError, AttributeError):
        return "invalid"
    if not hmac.compare_digest(signature, _sign(secret, stamp, nonce)):
        return "invalid"
    age = (now if now is not None else time.time()) - issued
    if age < 0 or age > max_age:
        return "expired"
    return "ok"


def token_nonce(token: str) -> str:
    """The random part of a form token: the submission token of what the form creates."""
    parts = (token or "").split(".")
    return parts[1] if len(parts) == 3 else ""


def _sign(secret: str, stamp: str, nonce: str) -> str:
    return hmac.new(secret.encode(), f"contribution:{stamp}:{nonce}".encode(), hashlib.sha256).hexdigest()[:32]
