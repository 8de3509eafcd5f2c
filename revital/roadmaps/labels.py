"""The French words of the roadmap: maturity, funding status, progress status, amounts. Pure."""

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
