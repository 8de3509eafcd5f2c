"""The words of the lineage: what a target (a stake, an idea…) was born of, in French. Pure: no web
framework, no database.

    sources_sentence({"contribution": 14, "proposal": 1}, [date(2026, 3, 12)], "née")
    -> "née de 14 contributions, de l’atelier du 12 mars et d’une proposition des étudiants"

French counts: 0 and 1 take the singular ("0 contribution", "1 contribution"); a count of one in a
sentence is written "une" or "un", with the elision ("d’une contribution", "d’un enjeu")."""

from datetime import date

from revital.formatting import MONTHS

# The kinds of revital.lineage.models (repeated here: this module imports no database code).
CONTRIBUTION, WORKSHOP, OBSERVATION, PROPOSAL, STAKE, IDEA, SHEET = (
    "contribution", "workshop", "observation", "proposal", "stake", "idea", "sheet")

# kind: (singular, plural, feminine), in the order a sentence names them (workshops by their dates).
NOUNS = {
    CONTRIBUTION: ("contribution", "contributions", True),
    WORKSHOP: ("atelier", "ateliers", False),
    OBSERVATION: ("observation des étudiants", "observations des étudiants", True),
    PROPOSAL: ("proposition des étudiants", "propositions des étudiants", True),
    STAKE: ("enjeu", "enjeux", False),
    IDEA: ("piste d’action", "pistes d’action", True),
    SHEET: ("fiche action", "fiches actions", True),
}
KINDS = tuple(NOUNS)


def count_fr(n: int, singular: str, plural: str) -> str:
    """ "0 contribution", "1 contribution", "14 contributions" (French: 0 and 1 are singular)."""
    return f"{n} {singular if abs(n) < 2 else plural}"


def count_of(kind: str, n: int) -> str:
    singular, plural, _ = NOUNS[kind]
    return count_fr(n, singular, plural)


def day_month(value: date) -> str:
    """ "12 mars", "1er avril"."""
    return f"{'1er' if value.day == 1 else value.day} {MONTHS[value.month - 1]}"


def join_fr(parts: list[str]) -> str:
    """ "a", "a et b", "a, b et c"."""
    if len(parts) < 2:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " et " + parts[-1]


def of(words: str) -> str:
    """ "de " before a word, elided before a vowel: "d’une", "de 14", "de l’atelier"."""
    return ("d’" if words[:1].lower() in "aeiouéèêhœ" else "de ") + words


def part_for(kind: str, n: int) -> str:
    singular, plural, feminine = NOUNS[kind]
    if n == 1:
        return of(f"{'une' if feminine else 'un'} {singular}")
    return of(f"{n} {plural}")


def workshops_part(dates: list[date]) -> str:
    """ "de l’atelier du 12 mars", "des ateliers du 12 mars et du 3 avril"; dates in order."""
    days = join_fr([f"du {day_month(d)}" for d in sorted(dates)])
    return f"de l’atelier {days}" if len(dates) == 1 else f"des ateliers {days}"


def sources_sentence(counts: dict[str, int], workshop_dates: list[date] | None = None, participle: str = "né") -> str:
    """What a target was born of: `counts` by kind (workshops are named by `workshop_dates` when
    they are given, else counted), `participle` agreeing with the target ("né" for a stake, "née"
    for an idea). An empty string when there is no source."""
    parts = []
    for kind in KINDS:
        if kind == WORKSHOP and workshop_dates:
            parts.append(workshops_part(workshop_dates))
            continue
        n = counts.get(kind, 0)
        if n > 0:
            parts.append(part_for(kind, n))
    return f"{participle} {join_fr(parts)}" if parts else ""


def counts_line(counts: dict[str, int]) -> str:
    """ "3 contributions, 1 atelier" (the kinds with a count, in order), or "aucune source"."""
    parts = [count_of(kind, counts[kind]) for kind in KINDS if counts.get(kind)]
    return ", ".join(parts) if parts else "aucune source"
