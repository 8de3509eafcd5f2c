"""The French words of the roadmap: maturity, funding status, progress status, amounts. Pure."""

from datetime import date

from revital.formatting import MONTHS
from revital.lineage.rules import sources_sentence

MATURITIES = {"idee": "Idée", "fiche_projet": "Fiche projet", "fiche_action": "Fiche action"}
FUNDING_STATUSES = {"requested": "Sollicité", "granted": "Obtenu", "refused": "Refusé"}
# revital.roadmaps.models' progress statuses.
PROGRESS = {
    "a_venir": "À venir", "en_cours": "En cours", "en_retard": "En retard", "en_pause": "En pause",
    "bloque": "Bloqué", "abandonne": "Abandonné", "termine": "Terminé",
}
PRIORITIES = {1: "Priorité 1 (haute)", 2: "Priorité 2", 3: "Priorité 3"}


def euros(cents: int | None) -> str:
    """ "12 500 €", "1 234,50 €" (a narrow no-break space between thousands)."""
    if cents is None:
        return ""
    negative, cents = cents < 0, abs(int(cents))
    whole, rest = divmod(cents, 100)
    text = f"{whole:,}".replace(",", "\u202f")
    if rest:
        text += f",{rest:02d}"
    return ("−" if negative else "") + text + "\u00a0€"


def lineage_sentence(counts: dict[str, int]) -> str:
    """ "Née de 3 pistes d’action, de 5 enjeux et de 42 contributions", or ""."""
    sentence = sources_sentence(counts, None, "née")
    return sentence[:1].upper() + sentence[1:]


def day_fr(iso: str) -> str:
    """ "2027-03-01" -> "1er mars 2027" (a milestone's date as the snapshot keeps it)."""
    try:
        value = date.fromisoformat(iso)
    except (TypeError, ValueError):
        return str(iso or "")
    return f"{'1er' if value.day == 1 else value.day} {MONTHS[value.month - 1]} {value.year}"
