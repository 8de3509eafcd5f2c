"""The diagnostic's rules: the AFOM classes, the stake form, the matrix by theme, and the versions of
the synthesis (which one is current, what publishing asks for). Pure: no web framework, no database.

Stakes reach the matrix as plain dicts (`theme`, `afom`, `priority`, `title`…), the same for the
current stakes and for those frozen in a published version's snapshot."""

from dataclasses import dataclass

from revital.text import clean_line, clean_text

ASSET, WEAKNESS, OPPORTUNITY, THREAT = "asset", "weakness", "opportunity", "threat"
AFOM = {ASSET: "Atout", WEAKNESS: "Faiblesse", OPPORTUNITY: "Opportunité", THREAT: "Menace"}
AFOM_PLURALS = {ASSET: "Atouts", WEAKNESS: "Faiblesses", OPPORTUNITY: "Opportunités", THREAT: "Menaces"}
PRIORITIES = {1: "Priorité haute", 2: "Priorité moyenne", 3: "Priorité basse"}

TITLE_MAX = 160  # Stake.title
TEXT_MAX = 8000
INTRODUCTION_MAX = 30_000
NOTE_MAX = 2000
SELECTION_MAX = 200  # contributions ticked at once

DRAFT, PUBLISHED = "draft", "published"  # revital.diagnostic.models


@dataclass(frozen=True)
class StakeFields:
    theme: str
    afom: str
    title: str
    text: str
    priority: int | None


def clean_stake(data: dict, themes: dict[str, str]) -> tuple[StakeFields | None, dict[str, str]]:
    """The stake form (theme, afom, title, text, priority) checked against the commune's themes
    ({code: label}); (fields, {}) or (None, French messages by field)."""
    errors = {}
    theme = clean_line(data.get("theme"))
    afom = clean_line(data.get("afom"))
    title = clean_line(data.get("title"))
    text = clean_text(data.get("text"))
    priority_text = clean_line(data.get("priority"))
    if theme not in themes:
        errors["theme"] = "Choisissez le thème de l’enjeu dans la liste."
    if afom not in AFOM:
        errors["afom"] = "Dites si l’enjeu est un atout, une faiblesse, une opportunité ou une menace."
    if not title:
        errors["title"] = "Donnez un titre à l’enjeu."
    elif len(title) > TITLE_MAX:
        errors["title"] = f"Le titre dépasse {TITLE_MAX} caractères."
    if len(text) > TEXT_MAX:
        errors["text"] = f"Le texte dépasse {TEXT_MAX} caractères."
    priority = None
    if priority_text:
        if priority_text.isdigit() and int(priority_text) in PRIORITIES:
            priority = int(priority_text)
        else:
            errors["priority"] = "Choisissez une priorité dans la liste, ou aucune."
    if errors:
        return None, errors
    return StakeFields(theme, afom, title, text, priority), {}


def selection_ids(values: list[str]) -> tuple[list[int], str | None]:
    """The contribution ids ticked in a selection form (each once, in order), or the French reason
    the selection cannot be read."""
    ids: list[int] = []
    for value in values:
        value = value.strip()
        if not value.isdigit() or not 0 < int(value) < 2**31:
            return [], "La sélection contient une valeur qui n’est pas une contribution : rien n’a été enregistré."
        if int(value) not in ids:
            ids.append(int(value))
    if len(ids) > SELECTION_MAX:
        return [], f"Cochez au plus {SELECTION_MAX} contributions à la fois."
    return ids, None


def sort_key(stake: dict):
    priority = stake.get("priority")
    return (priority if priority in PRIORITIES else 9, stake.get("title", "").lower(), stake.get("id", 0))


@dataclass(frozen=True)
class Row:
    theme: str
    label: str
    cells: dict[str, list[dict]]  # afom -> stakes, in order of priority then title

    @property
    def count(self) -> int:
        return sum(len(items) for items in self.cells.values())


def matrix(stakes: list[dict], themes: dict[str, str]) -> list[Row]:
    """The AFOM matrix: one row per theme that has stakes (in the order of the commune's themes,
    then unknown themes by code), one cell per AFOM class."""
    by_theme: dict[str, dict[str, list[dict]]] = {}
    for stake in stakes:
        if stake.get("afom") in AFOM:
            by_theme.setdefault(stake.get("theme", ""), {a: [] for a in AFOM})[stake["afom"]].append(stake)
    order = list(themes) + sorted(code for code in by_theme if code not in themes)
    return [Row(code, themes.get(code, code or "Sans thème"),
                {afom: sorted(items, key=sort_key) for afom, items in by_theme[code].items()})
            for code in order if code in by_theme]


def afom_counts(stakes: list[dict]) -> dict[str, int]:
    return {afom: sum(1 for s in stakes if s.get("afom") == afom) for afom in AFOM}


# The versions of the synthesis. A version is anything with `number`, `status` and `published_at`.


def latest_published(versions: list):
    """The published version with the highest number, or None."""
    published = [v for v in versions if v.status == PUBLISHED]
    return max(published, key=lambda v: v.number) if published else None


def draft_of(versions: list):
    """The version being written (at most one), or None."""
    drafts = [v for v in versions if v.status == DRAFT]
    return max(drafts, key=lambda v: v.number) if drafts else None


def next_number(versions: list) -> int:
    return max((v.number for v in versions), default=0) + 1


def clean_introduction(value) -> tuple[str, str | None]:
    text = clean_text(value)
    if len(text) > INTRODUCTION_MAX:
        return text, f"L’introduction dépasse {INTRODUCTION_MAX} caractères."
    return text, None


def publish_problems(introduction: str, stakes: int, first: bool, note: str) -> dict[str, str]:
    """Why this draft cannot be published yet, by field (French); {} when it can. A first version
    needs an introduction and at least one stake; a later one also says what changed."""
    problems = {}
    if not introduction.strip():
        problems["introduction"] = "Écrivez l’introduction de la synthèse avant de la publier."
    if stakes < 1:
        problems["form"] = "Dégagez au moins un enjeu avant de publier la synthèse du diagnostic."
    if not first and len(note.strip()) < 5:
        problems["note"] = "Dites en quelques mots ce qui a changé depuis la version précédente."
    if len(note) > NOTE_MAX:
        problems["note"] = f"La note dépasse {NOTE_MAX} caractères."
    return problems


def version_label(number: int, published: bool) -> str:
    return f"Version {number}" + ("" if published else " (brouillon)")
