"""A commune's themes: codes that never change, labels that can, themes that can be retired.

Pure rules: no web framework, no database.

A contribution keeps the code of its theme for ever; pages, filters and exports show the label
the theme has today. The themes are stored in Commune.categories as JSON, in the commune's order:

    {"commerce": "Commerce et activités", "fetes": {"label": "Fêtes", "retired": true}}

A plain string is an active theme (the format of the first version, which stays valid); an
object is a retired theme: no new contribution may choose it, the contributions that chose it
keep its label. No value at all means the default list.
"""

import hashlib
import json
from dataclasses import dataclass

from revital.contributions.rules import DEFAULT_CATEGORIES
from revital.text import count_fr, fold, slugify

LABEL_MAX = 60
ACTIVE_MAX = 30
THEMES_MAX = 100
CODE_MAX = 40  # the length of Contribution.category


@dataclass(frozen=True)
class Theme:
    code: str
    label: str
    retired: bool = False


def defaults() -> list[Theme]:
    return [Theme(code, label) for code, label in DEFAULT_CATEGORIES.items()]


def load(stored: str | None) -> list[Theme]:
    """The themes kept in Commune.categories; the default list when there are none or none can be read."""
    if not stored:
        return defaults()
    try:
        data = json.loads(stored)
    except ValueError:
        return defaults()
    if not isinstance(data, dict):
        return defaults()
    themes = []
    for code, value in data.items():
        if isinstance(value, str):
            themes.append(Theme(code, value))
        elif isinstance(value, dict) and isinstance(value.get("label"), str):
            themes.append(Theme(code, value["label"], bool(value.get("retired"))))
    return themes or defaults()


def dump(themes: list[Theme]) -> str | None:
    """What Commune.categories keeps: None for the default list, untouched."""
    if themes == defaults():
        return None
    data = {t.code: {"label": t.label, "retired": True} if t.retired else t.label for t in themes}
    return json.dumps(data, ensure_ascii=False)


def labels(themes: list[Theme]) -> dict[str, str]:
    """Every theme's label, the active ones first: what pages, filters and exports show."""
    return {t.code: t.label for t in sorted(themes, key=lambda t: t.retired)}


def active(themes: list[Theme]) -> dict[str, str]:
    """The themes a new contribution may choose."""
    return {t.code: t.label for t in themes if not t.retired}


def with_orphans(themes: list[Theme], used_codes) -> list[Theme]:
    """The themes, plus the codes contributions carry that the list has lost (a theme renamed or
    removed before codes were kept), as retired themes: they get their default label, or the code
    itself, until the commune names them again."""
    known = {t.code for t in themes}
    lost = sorted(set(used_codes) - known)
    return [*themes, *(Theme(code, DEFAULT_CATEGORIES.get(code, code), retired=True) for code in lost)]


def clean_label(text: str) -> str:
    return " ".join((text or "").split())


def new_code(label: str, taken: set[str]) -> str:
    """A code for a new theme: the default one for a default label, otherwise made from the label;
    never one already taken, retired themes included."""
    default = next((code for code, name in DEFAULT_CATEGORIES.items() if fold(name) == fold(label)), None)
    base = default or slugify(label, CODE_MAX - 4)
    code, n = base, 2
    while code in taken:
        code, n = f"{base}-{n}", n + 1
    return code


def edit(current: list[Theme], rows: dict[str, tuple[str, bool]], new_text: str) -> tuple[list[Theme], dict[str, str]]:
    """The themes after the settings form.

    rows: for each code the form showed, the label typed and whether "retirer" was ticked; a theme
    the form did not show (added meanwhile by someone else) stays as it is. new_text: new themes,
    one per line. Returns the themes (existing ones in their order, then the new ones) and French
    errors keyed by form field: "label-<code>", "new_themes" or "themes".
    """
    errors: dict[str, str] = {}
    themes = []
    for theme in current:
        if theme.code not in rows:
            themes.append(theme)
            continue
        typed, retired = rows[theme.code]
        label = clean_label(typed)
        field = f"label-{theme.code}"
        if not label:
            errors[field] = "Donnez un nom à ce thème ; pour ne plus le proposer, cochez « retirer »."
        elif len(label) > LABEL_MAX:
            errors[field] = f"{LABEL_MAX} caractères au plus par thème ({len(label)} actuellement)."
        themes.append(Theme(theme.code, label, retired))
    seen: dict[str, Theme] = {}
    for theme in themes:
        key = fold(theme.label) or theme.label
        if key in seen and f"label-{theme.code}" not in errors:
            errors[f"label-{theme.code}"] = f"« {theme.label} » : un autre thème porte déjà ce nom."
        seen.setdefault(key, theme)
    problems, added = [], set()
    taken = {t.code for t in themes}
    for line in (new_text or "").splitlines():
        label = clean_label(line)
        if not label:
            continue
        key = fold(label) or label
        other = seen.get(key)
        if len(label) > LABEL_MAX:
            problems.append(f"« {label[:LABEL_MAX]}… » : {LABEL_MAX} caractères au plus par thème.")
        elif other is not None and other.code in added:
            problems.append(f"Le thème « {label} » apparaît deux fois.")
        elif other is not None and other.retired:
            problems.append(f"« {label} » est un thème retiré : décochez « retirer » sur sa ligne pour le proposer à nouveau.")
        elif other is not None:
            problems.append(f"Le thème « {label} » existe déjà.")
        else:
            theme = Theme(new_code(label, taken), label)
            taken.add(theme.code)
            added.add(theme.code)
            seen[key] = theme
            themes.append(theme)
    if len(themes) > THEMES_MAX:
        problems.append(f"{THEMES_MAX} thèmes au plus, retirés compris.")
    if problems:
        errors["new_themes"] = " ".join(problems)
    proposed = len(active(themes))
    if proposed == 0:
        errors["themes"] = "Gardez au moins un thème proposé aux habitants."
    elif proposed > ACTIVE_MAX:
        errors["themes"] = f"{ACTIVE_MAX} thèmes proposés au plus ({proposed} actuellement) : retirez-en quelques-uns."
    return themes, errors


@dataclass(frozen=True)
class Impact:
    """A change that published contributions will show: their theme renamed, or retired."""

    code: str
    before: str
    after: str
    retired: bool
    published: int

    @property
    def renamed(self) -> bool:
        return self.before != self.after

    def sentence(self) -> str:
        n = self.published
        contributions = count_fr(n, "contribution publiée", "contributions publiées")
        shows = "affichera" if n < 2 else "afficheront"
        keeps = "le garde" if n < 2 else "le gardent"
        if self.renamed and self.retired:
            return (f"« {self.before} » devient « {self.after} » et n’est plus proposé : "
                    f"{contributions} {shows} le nouveau nom, les nouvelles ne pourront plus le choisir.")
        if self.renamed:
            return f"« {self.before} » devient « {self.after} » : {contributions} {shows} le nouveau nom."
        return f"« {self.before} » n’est plus proposé : {contributions} {keeps}, les nouvelles ne pourront plus le choisir."


def impacts(before: list[Theme], after: list[Theme], published: dict[str, int]) -> list[Impact]:
    """The changes from before to after that touch published contributions (published: count per code).
    Adding a theme, or proposing a retired one again, touches none."""
    old = {t.code: t for t in before}
    found = []
    for theme in after:
        was = old.get(theme.code)
        count = published.get(theme.code, 0)
        if was is None or not count:
            continue
        retired = theme.retired and not was.retired
        if theme.label != was.label or retired:
            found.append(Impact(theme.code, was.label, theme.label, retired, count))
    return found


def summary(found: list[Impact]) -> str:
    total = sum(i.published for i in found)
    subject = "Ce changement touche" if len(found) == 1 else "Ces changements touchent"
    return f"{subject} {count_fr(total, 'contribution publiée', 'contributions publiées')}."


def confirmation_key(found: list[Impact]) -> str:
    """Names exactly the changes a confirmation was given for: a different change asks again."""
    text = "\n".join(f"{i.code}\t{i.after}\t{int(i.retired)}" for i in found)
    return hashlib.sha256(text.encode()).hexdigest()[:16]
