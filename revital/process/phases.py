"""The phases of a commune's process and the rules for moving between them. Pure logic."""

from dataclasses import dataclass

DIAGNOSTIC = "diagnostic"
EMERGENCE = "emergence"
FEASIBILITY = "feasibility"
PROGRAMMING = "programming"
IMPLEMENTATION = "implementation"

PHASES = (DIAGNOSTIC, EMERGENCE, FEASIBILITY, PROGRAMMING, IMPLEMENTATION)

LABELS = {
    DIAGNOSTIC: "Diagnostic partagé",
    EMERGENCE: "Émergence et définition du projet",
    FEASIBILITY: "Faisabilité",
    PROGRAMMING: "Programmation",
    IMPLEMENTATION: "Mise en œuvre",
}

SUMMARIES = {
    DIAGNOSTIC: "Les habitants repèrent atouts et points faibles ; ateliers et semaine d’immersion "
    "des étudiants ; le diagnostic dégage les enjeux.",
    EMERGENCE: "Idées des habitants et des ateliers, propositions des étudiants, soutiens ; "
    "un atelier hiérarchise les pistes d’action.",
    FEASIBILITY: "Les pistes retenues deviennent des fiches actions, examinées par les "
    "partenaires techniques.",
    PROGRAMMING: "Calendrier, pilote et plan de financement de chaque action : la commune "
    "publie sa feuille de route.",
    IMPLEMENTATION: "La commune rend compte de l’avancement de chaque action.",
}

MIN_REASON_LENGTH = 10


@dataclass(frozen=True)
class Facts:
    """What a commune's process has produced so far, as far as the gates are concerned."""

    stakes: int = 0
    has_diagnostic_synthesis: bool = False
    axes: int = 0
    retained_ideas: int = 0
    reviewed_sheets: int = 0
    published_roadmaps: int = 0


@dataclass(frozen=True)
class Transition:
    from_phase: str
    to_phase: str
    kind: str  # "advance", "override" or "back"
    reason: str


class TransitionRefused(Exception):
    """A transition that may not happen; the message is French and meant for the user."""


def index(phase: str) -> int:
    return PHASES.index(phase)


def next_phase(phase: str) -> str | None:
    i = index(phase)
    return PHASES[i + 1] if i + 1 < len(PHASES) else None


def previous_phase(phase: str) -> str | None:
    i = index(phase)
    return PHASES[i - 1] if i > 0 else None


def unmet_conditions(to_phase: str, facts: Facts) -> list[str]:
    """The gate conditions for entering to_phase that the facts do not meet, in French."""
    unmet = []
    if to_phase == EMERGENCE:
        if facts.stakes < 1:
            unmet.append("Aucun enjeu n’a encore été dégagé du diagnostic.")
        if not facts.has_diagnostic_synthesis:
            unmet.append("La synthèse du diagnostic n’est pas rédigée.")
    elif to_phase == FEASIBILITY:
        if facts.axes < 1:
            unmet.append("Aucun axe stratégique n’est défini.")
        if facts.retained_ideas < 1:
            unmet.append("Aucune piste d’action n’est retenue.")
    elif to_phase == PROGRAMMING:
        if facts.reviewed_sheets < 1:
            unmet.append("Aucune fiche action n’a reçu l’avis d’un partenaire technique.")
    elif to_phase == IMPLEMENTATION:
        if facts.published_roadmaps < 1:
            unmet.append("La feuille de route n’est pas publiée.")
    return unmet


def plan(current: str, direction: str, facts: Facts, reason: str = "", override: bool = False) -> Transition:
    """Decide the transition asked for, or raise TransitionRefused with the reason in French.

    direction is "next" or "back". Moving back always needs a written reason; moving on
    despite unmet gate conditions needs override and a written reason.
    """
    reason = reason.strip()
    if current not in PHASES:
        raise TransitionRefused("Phase inconnue.")
    if direction == "back":
        target = previous_phase(current)
        if target is None:
            raise TransitionRefused("La démarche est déjà à sa première phase.")
        if len(reason) < MIN_REASON_LENGTH:
            raise TransitionRefused(
                f"Expliquez en quelques mots (au moins {MIN_REASON_LENGTH} caractères) "
                "pourquoi la démarche revient à la phase précédente."
            )
        return Transition(current, target, "back", reason)
    if direction != "next":
        raise TransitionRefused("Transition inconnue.")
    target = next_phase(current)
    if target is None:
        raise TransitionRefused("La démarche est déjà à sa dernière phase.")
    unmet = unmet_conditions(target, facts)
    if not unmet:
        return Transition(current, target, "advance", reason)
    if not override:
        raise TransitionRefused(
            f"Le passage à la phase « {LABELS[target]} » n’est pas encore possible : "
            + " ".join(unmet)
        )
    if len(reason) < MIN_REASON_LENGTH:
        raise TransitionRefused(
            f"Pour passer outre, expliquez en quelques mots (au moins {MIN_REASON_LENGTH} "
            "caractères) pourquoi la démarche avance malgré tout."
        )
    return Transition(current, target, "override", reason)
