"""How an action's progress is typed and told (pure: neither Litestar nor SQLAlchemy).

A status among the seven of revital.roadmaps.models, a percentage from 0 to 100, the spending so
far in euros as a French person types them ("12 500,50", "12500.5", "12 500 €"), kept in cents,
and a dated note in Markdown. `clean_progress` and `clean_note` turn a posted form into values or
French messages, field by field, without writing anything."""

import re
from datetime import date

from revital.text import clean_text, parse_date

# The statuses of revital.roadmaps.models (spelled here so that this module stays pure; a test
# checks they are the same), in the order the form offers them.
UPCOMING, ONGOING, LATE, PAUSED, BLOCKED, DROPPED, DONE = (
    "a_venir", "en_cours", "en_retard", "en_pause", "bloque", "abandonne", "termine")
STATUSES = {UPCOMING: "À venir", ONGOING: "En cours", LATE: "En retard", PAUSED: "En pause", BLOCKED: "Bloqué",
            DROPPED: "Abandonné", DONE: "Terminé"}
NOTE_MAX = 20_000
MAX_CENTS = 10**15  # a billion euros and more: a typing slip, not a budget
ALT_MAX = 200

AMOUNT = re.compile(r"(\d{1,3}(?:[ .]\d{3})+|\d+)(?:[,.](\d{1,2}))?")


def parse_euros(value) -> int | None:
    """Cents from euros typed the French way: "12 500,50" -> 1250050; "" -> 0; None when unreadable.
    Spaces (also narrow and non-breaking ones) or dots group thousands; a comma or a dot followed
    by one or two digits gives the cents; a trailing "€" or "EUR" is allowed."""
    text = (value or "").replace("\u202f", " ").replace("\xa0", " ").strip()
    text = re.sub(r"\s*(€|eur|euros?)$", "", text, flags=re.I).strip()
    if not text:
        return 0
    match = AMOUNT.fullmatch(text)
    if not match:
        return None
    whole, cents = match.groups()
    amount = int(re.sub(r"[ .]", "", whole)) * 100 + int((cents or "0").ljust(2, "0"))
    return amount if amount < MAX_CENTS else None


def euros_fr(cents: int | None) -> str:
    """"12 500,50 €" (narrow no-break spaces between thousands), "12 500 €" for whole euros."""
    if cents is None:
        return ""
    sign = "-" if cents < 0 else ""
    whole, rest = divmod(abs(int(cents)), 100)
    text = f"{whole:,}".replace(",", "\u202f")
    return f"{sign}{text}{f',{rest:02d}' if rest else ''}\u00a0€"


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
    spent = parse_euros(form.get("spent"))
    if spent is None:
        errors["spent"] = "Indiquez les dépenses réalisées en euros, par exemple « 12 500,50 »."
    if status == DONE and percent is not None and percent < 100 and "percent" not in errors:
        percent = 100  # a finished action is done entirely
    try:
        version = int(form.get("version") or "0")
    except ValueError:
        version = -1
    return {"status": status, "percent": percent, "spent_cents": spent, "version": version}, errors


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
        errors["text"] = f"La note dépasse {NOTE_MAX:,} caractères : raccourcissez-la.".replace(",", "\u202f")
    alt = " ".join((form.get("alt") or "").split())
    if len(alt) > ALT_MAX:
        errors["alt"] = f"La description de la photo dépasse {ALT_MAX} caractères."
    return {"on": on, "text": text, "alt": alt}, errors
