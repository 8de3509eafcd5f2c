"""How an action's progress is typed and told (pure: neither Litestar nor SQLAlchemy).

A status among the seven of revital.roadmaps.models (STATUSES: their French words, the one list
of them), a percentage from 0 to 100, the spending so far in euros as a French person types them
("12 500,50", "12500.5", "12 500 €": revital.sheets.rules.parse_euros; nothing typed is nothing
spent), kept in cents, and a dated note in Markdown. `clean_progress` and `clean_note` turn a posted form into values or
French messages, field by field, without writing anything."""

import re
from datetime import date

from revital.formatting import number_fr
from revital.sheets.rules import parse_euros
from revital.text import clean_text, parse_date

# The statuses of revital.roadmaps.models (spelled here so that this module stays pure; a test
# checks they are the same), in the order the form offers them.
UPCOMING, ONGOING, LATE, PAUSED, BLOCKED, DROPPED, DONE = (
    "a_venir", "en_cours", "en_retard", "en_pause", "bloque", "abandonne", "termine")
STATUSES = {UPCOMING: "À venir", ONGOING: "En cours", LATE: "En retard", PAUSED: "En pause", BLOCKED: "Bloqué",
            DROPPED: "Abandonné", DONE: "Terminé"}
NOTE_MAX = 20_000
ALT_MAX = 200

def euros_input(cents: int) -> str:
    """The amount as the form shows it back: "12500,50", "" for nothing spent."""
    if not cents:
        return ""
    whole, rest = divmod(int(cents), 100)
    return f"{whole},{rest:02d}" if rest else str(whole)


def clean_progress(form) -> tuple[dict, dict]:
    """(values, errors) of the progress form: status, percent, spent_cents, version."""
    errors = {}
    status = (form.get("status") or "").strip()
    if status not in STATUSES:
        errors["status"] = "Choisissez l’état de l’action dans la liste."
    percent_text = (form.get("percent") or "").strip().removesuffix("%").strip()
    percent = None
    if not percent_text:
        percent = 0
    elif re.fullmatch(r"\d{1,3}", percent_text) and int(percent_text) <= 100:
        percent = int(percent_text)
    else:
        errors["percent"] = "Indiquez l’avancement en pour cent : un nombre entier de 0 à 100."
    spent = spent_cents(form.get("spent"), errors)
    if status == DONE and percent is not None and percent < 100 and "percent" not in errors:
        percent = 100  # a finished action is done entirely
    try:
        version = int(form.get("version") or "0")
    except ValueError:
        version = -1
    return {"status": status, "percent": percent, "spent_cents": spent, "version": version}, errors


def spent_cents(typed, errors: dict) -> int | None:
    """The spending typed, in cents: nothing typed is nothing spent (0); otherwise
    revital.sheets.rules.parse_euros, whose French message goes in errors["spent"] (None)."""
    if not (typed or "").strip():
        return 0
    try:
        return parse_euros(typed)
    except ValueError as error:
        errors["spent"] = str(error)
        return None


def clean_note(form, today: date) -> tuple[dict, dict]:
    """(values, errors) of a progress note: its date (not after today), its Markdown text, and the
    text that describes its photo when one comes with it."""
    errors = {}
    typed_on = (form.get("on") or "").strip()
    on = parse_date(typed_on) if typed_on else today
    if on is None:
        errors["on"] = "Cette date n’existe pas : écrivez-la comme 31/01/2027."
    elif on > today:
        errors["on"] = "La note raconte ce qui est fait : sa date ne peut pas être dans le futur."
    elif on.year < 2000:
        errors["on"] = "Cette date est trop ancienne pour une action de la feuille de route."
    text = clean_text(form.get("text"))
    if not text:
        errors["text"] = "Écrivez la note : ce qui a été fait, décidé ou constaté."
    elif len(text) > NOTE_MAX:
        errors["text"] = f"La note dépasse {number_fr(NOTE_MAX)} caractères : raccourcissez-la."
    alt = " ".join((form.get("alt") or "").split())
    if len(alt) > ALT_MAX:
        errors["alt"] = f"La description de la photo dépasse {ALT_MAX} caractères."
    return {"on": on, "text": text, "alt": alt}, errors
