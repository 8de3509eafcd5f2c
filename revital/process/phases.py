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

    closed_workshops: int = 0  # of the diagnostic, closed with their minutes
    stakes: int = 0
    has_diagnostic_synthesis: bool = False
    axes: int = 0
    retained_ideas: int = 0
    prioritisations_done: int = 0  # workshops' recorded scores, or votes with published results
    sheets: int = 0  # action sheets still in play (not abandoned)
    reviewed_sheets: int = 0  # of those, the ones a technical partner gave an opinion on
    uncovered_ideas: int = 0  # retained ideas that no sheet in play answers yet
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


@dataclass(frozen=True)
class Condition:
    """A gate condition: what it asks for (French), whether the facts meet it, and its key (which
    part of the workflow it is done in: the page that composes the checklist links it there)."""

    key: str
    label: str
    met: bool
    unmet: str  # the French sentence when it is not met


def uncovered_sentence(count: int) -> str:
    if count <= 1:
        return "Une piste d’action retenue n’a pas encore de fiche action."
    return f"{count} pistes d’action retenues n’ont pas encore de fiche action."


def unreviewed_sentence(count: int, sheets: int) -> str:
    if sheets <= 0:
        return "Aucune fiche action n’a reçu l’avis d’un partenaire technique."
    if count <= 1:
        return "Une fiche action n’a pas encore reçu l’avis d’un partenaire technique."
    return f"{count} fiches actions n’ont pas encore reçu l’avis d’un partenaire technique."


def gate(to_phase: str, facts: Facts) -> list[Condition]:
    """Every gate condition for entering to_phase, met or not, in order."""
    if to_phase == EMERGENCE:
        return [
            Condition("workshops", "Au moins un atelier du diagnostic tenu, avec son compte rendu",
                      facts.closed_workshops >= 1, "Aucun atelier du diagnostic n’est clos avec son compte rendu."),
            Condition("stakes", "Au moins un enjeu dégagé du diagnostic", facts.stakes >= 1,
                      "Aucun enjeu n’a encore été dégagé du diagnostic."),
            Condition("diagnostic_synthesis", "La synthèse du diagnostic rédigée", facts.has_diagnostic_synthesis,
                      "La synthèse du diagnostic n’est pas rédigée."),
        ]
    if to_phase == FEASIBILITY:
        return [
            Condition("axes", "Au moins un axe stratégique défini", facts.axes >= 1,
                      "Aucun axe stratégique n’est défini."),
            Condition("retained_ideas", "Au moins une piste d’action retenue", facts.retained_ideas >= 1,
                      "Aucune piste d’action n’est retenue."),
            Condition("prioritisations", "Une hiérarchisation des pistes faite (atelier ou vote)",
                      facts.prioritisations_done >= 1,
                      "Les pistes d’action n’ont pas encore été hiérarchisées (atelier ou vote)."),
        ]
    if to_phase == PROGRAMMING:
        return [
            Condition("sheets", "Au moins une fiche action rédigée", facts.sheets >= 1,
                      "Aucune fiche action n’est rédigée."),
            Condition("covered_ideas", "Chaque piste d’action retenue traduite en fiche action",
                      facts.uncovered_ideas <= 0, uncovered_sentence(facts.uncovered_ideas)),
            Condition("reviewed_sheets", "Chaque fiche action examinée par au moins un partenaire technique",
                      facts.sheets >= 1 and facts.reviewed_sheets >= facts.sheets,
                      unreviewed_sentence(facts.sheets - facts.reviewed_sheets, facts.sheets)),
        ]
    if to_phase == IMPLEMENTATION:
        return [Condition("published_roadmap", "La feuille de route publiée", facts.published_roadmaps >= 1,
                          "La feuille de route n’est pas publiée.")]
    return []


def checklist(current: str, facts: Facts) -> list[Condition]:
    """The gate checklist of the current phase: the conditions for moving on to the next one
    (none in the last phase)."""
    target = next_phase(current)
    return gate(target, facts) if target else []


def progress(conditions: list[Condition]) -> tuple[int, int]:
    """(conditions met, conditions): "1 sur 2"."""
    return sum(1 for c in conditions if c.met), len(conditions)


def unmet_conditions(to_phase: str, facts: Facts) -> list[str]:
    """The gate conditions for entering to_phase that the facts do not meet, in French."""
    return [c.unmet for c in gate(to_phase, facts) if not c.met]


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
