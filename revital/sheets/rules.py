"""The rules of an action sheet, pure: no web framework, no database. They read a sheet as the plain
dict of revital.sheets.snapshot.

- the words (maturity, status, verdicts, operations, funding statuses) in French;
- the sections a sheet is edited by, and the fingerprint of a section (two people saving the same
  section: the second one's form carries the fingerprint it was drawn from, which no longer matches);
- the completeness of each maturity stage, from the fields the stage requires, with what is missing;
- the funding plan's arithmetic, in integer cents: planned, granted, share of the cost, remaining
  cost (reste à charge), and whether the plan exceeds the cost;
- euros typed the French way, and quarters;
- the comparison of two versions, field by field.
"""

import difflib
import hashlib
import json
import re
from dataclasses import dataclass

IDEA, PROJECT, ACTION = "idee", "fiche_projet", "fiche_action"
DRAFT, REVIEW, VALIDATED, ABANDONED = "draft", "review", "validated", "abandoned"
REQUESTED, GRANTED, REFUSED = "requested", "granted", "refused"
FAVOURABLE, RESERVED, UNFAVOURABLE = "favourable", "reserves", "defavorable"

MATURITIES = (IDEA, PROJECT, ACTION)
MATURITY_LABELS = {IDEA: "Idée", PROJECT: "Fiche-projet", ACTION: "Fiche-action"}
STATUS_LABELS = {DRAFT: "Brouillon", REVIEW: "En examen", VALIDATED: "Validée", ABANDONED: "Abandonnée"}
FUNDING_STATUS_LABELS = {REQUESTED: "Sollicité", GRANTED: "Obtenu", REFUSED: "Refusé"}
VERDICT_LABELS = {FAVOURABLE: "Favorable", RESERVED: "Favorable avec réserves", UNFAVOURABLE: "Défavorable"}
OPERATION_LABELS = {"etude": "Étude", "acquisition": "Acquisition", "travaux": "Travaux", "animation": "Animation"}
PRIORITY_LABELS = {1: "Priorité 1 (haute)", 2: "Priorité 2", 3: "Priorité 3"}

# The long texts (Markdown) and the people of a sheet (revital.sheets.snapshot reads them by these names).
TEXTS = ("context", "objectives", "effects", "targets", "description", "prerequisites")
PEOPLE = ("pilot", "elected_referent", "elected_referent_role", "technical_referent", "technical_referent_role")

# The sections a sheet is edited by: (key, title, the snapshot keys it holds).
SECTIONS = (
    ("identite", "Identité", ("title", "axis", "priority", "sources")),
    ("contenu", "Contenu", ("context", "objectives", "effects", "targets", "description", "operations",
                            "prerequisites")),
    ("localisation", "Localisation", ("geometry", "place")),
    ("personnes", "Porteurs et partenaires", ("pilot", "elected_referent", "elected_referent_role",
                                               "technical_referent", "technical_referent_role", "partners")),
    ("financement", "Coût et financement", ("costs", "funding")),
    ("calendrier", "Calendrier", ("start", "end", "milestones")),
    ("indicateurs", "Indicateurs", ("indicators",)),
    ("liens", "Fiches liées", ("related",)),
)
SECTION_KEYS = tuple(key for key, _, _ in SECTIONS)
SECTION_TITLES = {key: title for key, title, _ in SECTIONS}
SECTION_FIELDS = {key: fields for key, _, fields in SECTIONS}

FIELD_LABELS = {
    "title": "Titre", "axis": "Axe stratégique", "priority": "Priorité", "sources": "Ce à quoi elle répond",
    "context": "Contexte", "objectives": "Objectifs", "effects": "Effets attendus", "targets": "Publics visés",
    "description": "Description", "operations": "Opérations", "prerequisites": "Préalables",
    "geometry": "Tracé sur la carte", "place": "Lieu", "pilot": "Maître d’ouvrage (pilote)",
    "elected_referent": "Élu·e référent·e", "elected_referent_role": "Fonction de l’élu·e référent·e",
    "technical_referent": "Référent·e technique", "technical_referent_role": "Fonction du référent·e technique",
    "partners": "Partenaires", "costs": "Coût estimé (HT)", "funding": "Plan de financement",
    "start": "Début", "end": "Fin", "milestones": "Jalons", "indicators": "Indicateurs", "related": "Fiches liées",
    "maturity": "Maturité", "status": "Statut", "status_reason": "Motif",
}
LONG_TEXTS = ("context", "objectives", "effects", "targets", "description", "prerequisites", "status_reason")


# The sources the identity section edits; the others (technical meetings, students' proposals) are
# linked elsewhere and do not make an identity form stale.
EDITED_SOURCES = ("idea", "stake", "contribution")


def section_values(snapshot: dict, section: str) -> dict:
    """What a section holds, as the snapshot says it (the sources: only those the section edits)."""
    values = {key: snapshot.get(key) for key in SECTION_FIELDS[section]}
    if "sources" in values:
        values["sources"] = {kind: sorted((values["sources"] or {}).get(kind) or []) for kind in EDITED_SOURCES}
    return values


def fingerprint(snapshot: dict, section: str) -> str:
    """A short digest of what a section holds: a form carries the one it was drawn from."""
    values = section_values(snapshot, section)
    return hashlib.sha256(json.dumps(values, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:16]


# --- completeness -------------------------------------------------------------------------------


def _text(key):
    return lambda s: bool((s.get(key) or "").strip())


def _some(key):
    return lambda s: bool(s.get(key))


def _sources(s):
    return any(s.get("sources", {}).get(kind) for kind in ("idea", "stake", "contribution"))


def _located(s):
    return bool(s.get("geometry")) or bool((s.get("place") or "").strip())


def _cost(s):
    return cost_cents(s) > 0


def _schedule(s):
    return bool(s.get("start")) and bool(s.get("end"))


def _funding(s):
    return any(line["status"] != REFUSED for line in s.get("funding", []))


# Each stage requires its own fields and those of the stages before it.
REQUIREMENTS = {
    IDEA: (
        ("Un titre", _text("title")),
        ("Un axe stratégique", _some("axis")),
        ("Une description", _text("description")),
        ("Au moins une piste, un enjeu ou une contribution d’origine", _sources),
    ),
    PROJECT: (
        ("Le contexte", _text("context")),
        ("Les objectifs", _text("objectives")),
        ("Une localisation (un tracé ou un lieu)", _located),
        ("Le maître d’ouvrage", _text("pilot")),
        ("Un coût estimé", _cost),
        ("Le début et la fin", _schedule),
    ),
    ACTION: (
        ("Les effets attendus", _text("effects")),
        ("Les publics visés", _text("targets")),
        ("Au moins une opération", _some("operations")),
        ("L’élu·e référent·e", _text("elected_referent")),
        ("Le ou la référent·e technique", _text("technical_referent")),
        ("Au moins un partenaire", _some("partners")),
        ("Un plan de financement", _funding),
        ("Au moins un jalon", _some("milestones")),
        ("Au moins un indicateur", _some("indicators")),
    ),
}


@dataclass(frozen=True)
class Completeness:
    stage: str
    done: int
    total: int
    missing: tuple[str, ...]

    @property
    def percent(self) -> int:
        return 100 * self.done // self.total if self.total else 100

    @property
    def complete(self) -> bool:
        return self.done == self.total

    @property
    def label(self) -> str:
        return MATURITY_LABELS[self.stage]


def completeness(snapshot: dict) -> dict[str, Completeness]:
    """For each stage, how many of the fields it requires (its own and the earlier stages') are
    filled, and the words of those still missing."""
    found, required = {}, []
    for stage in MATURITIES:
        required = required + list(REQUIREMENTS[stage])
        missing = tuple(words for words, check in required if not check(snapshot))
        found[stage] = Completeness(stage, len(required) - len(missing), len(required), missing)
    return found


def maturity_problem(snapshot: dict, stage: str) -> str | None:
    """Why the sheet cannot be declared at this stage, in French, or None."""
    if stage not in MATURITIES:
        return "Choisissez une maturité : idée, fiche-projet ou fiche-action."
    score = completeness(snapshot)[stage]
    if score.complete:
        return None
    return (f"Pour passer en « {MATURITY_LABELS[stage]} », il manque : "
            + "; ".join(m[0].lower() + m[1:] for m in score.missing) + ".")


# --- money ---------------------------------------------------------------------------------------

MAX_CENTS = 10**13  # 100 billion euros: beyond, a typing mistake
EUROS = re.compile(r"^(\d{1,3}(?:[ .]\d{3})+|\d+)(?:[,.](\d{1,2}))?$")


def parse_euros(text: str) -> int:
    """Cents from euros typed the French way: "12 500", "12 500,50", "12500.5", "12 500 €".
    Raises ValueError with a French message."""
    cleaned = (text or "").strip().replace("\u00a0", " ").replace("\u202f", " ").replace("€", "").strip()
    cleaned = re.sub(r"\s+", " ", cleaned)
    if not cleaned:
        raise ValueError("Indiquez un montant en euros.")
    if len(cleaned) > 40:  # beyond any amount (and int() of thousands of digits would refuse in English)
        raise ValueError("Ce montant est trop long : vérifiez le nombre de chiffres.")
    if cleaned.startswith("-"):
        raise ValueError("Un montant ne peut pas être négatif.")
    match = EUROS.match(cleaned)
    if not match:
        raise ValueError(f"« {text.strip()[:40]} » n’est pas un montant en euros (par exemple 12 500 ou 12 500,50).")
    whole = int(re.sub(r"[ .]", "", match.group(1)))
    cents = whole * 100 + int((match.group(2) or "0").ljust(2, "0"))
    if cents >= MAX_CENTS:
        raise ValueError("Ce montant est trop élevé : vérifiez le nombre de chiffres.")
    return cents


def euros(cents: int | None, decimals: bool | None = None) -> str:
    """ "12 500 €", "12 500,50 €" (narrow no-break spaces, as French typography wants)."""
    if cents is None:
        return ""
    sign = "−" if cents < 0 else ""
    whole, rest = divmod(abs(cents), 100)
    text = f"{whole:,}".replace(",", "\u202f")
    if decimals or (decimals is None and rest):
        text += f",{rest:02d}"
    return f"{sign}{text}\u00a0€"


def cost_cents(snapshot: dict) -> int:
    return sum(c["investment_cents"] + c["operating_cents"] for c in snapshot.get("costs", []))


@dataclass(frozen=True)
class Funding:
    cost: int
    requested: int
    granted: int
    refused: int

    @property
    def planned(self) -> int:
        """What the plan counts on: granted and requested lines (a refused one no longer)."""
        return self.requested + self.granted

    @property
    def remaining(self) -> int:
        """The remaining cost for the pilot (reste à charge); negative when the plan exceeds the cost."""
        return self.cost - self.planned

    @property
    def exceeds(self) -> bool:
        return self.planned > self.cost

    @property
    def share_tenths(self) -> int | None:
        """The planned share of the cost in tenths of a percent (455 = 45,5 %), None without a cost."""
        if self.cost <= 0:
            return None
        return (self.planned * 1000 + self.cost // 2) // self.cost

    @property
    def share(self) -> str:
        tenths = self.share_tenths
        if tenths is None:
            return "—"
        whole, rest = divmod(tenths, 10)
        return f"{whole},{rest}\u00a0%" if rest else f"{whole}\u00a0%"

    @property
    def warning(self) -> str | None:
        if not self.exceeds:
            return None
        return (f"Le plan de financement ({euros(self.planned)}) dépasse le coût estimé ({euros(self.cost)}) de "
                f"{euros(self.planned - self.cost)} : revoyez les montants ou le coût.")


def funding(snapshot: dict) -> Funding:
    lines = snapshot.get("funding", [])
    total = {REQUESTED: 0, GRANTED: 0, REFUSED: 0}
    for line in lines:
        total[line["status"]] = total.get(line["status"], 0) + line["amount_cents"]
    return Funding(cost_cents(snapshot), total[REQUESTED], total[GRANTED], total[REFUSED])


# --- time ----------------------------------------------------------------------------------------

QUARTER = re.compile(r"^\s*(?:T([1-4])\s*[-/ ]?\s*(\d{4})|(\d{4})\s*[-/ ]?\s*T([1-4]))\s*$", re.IGNORECASE)


def quarter_label(q: dict | None) -> str:
    return f"T{q['quarter']} {q['year']}" if q else ""


def quarter_index(q: dict) -> int:
    return q["year"] * 4 + q["quarter"] - 1


def parse_quarter(text: str) -> dict | None:
    """ "T1 2027", "2027-T1" → {"year": 2027, "quarter": 1}; "" → None. Raises ValueError in French."""
    if not (text or "").strip():
        return None
    match = QUARTER.match(text)
    if not match:
        raise ValueError(f"« {text.strip()[:20]} » n’est pas un trimestre (par exemple T1 2027).")
    quarter, year = (match.group(1), match.group(2)) if match.group(1) else (match.group(4), match.group(3))
    year = int(year)
    if not 2000 <= year <= 2100:
        raise ValueError("Choisissez une année entre 2000 et 2100.")
    return {"year": year, "quarter": int(quarter)}


def schedule_problem(start: dict | None, end: dict | None) -> str | None:
    if start and end and quarter_index(end) < quarter_index(start):
        return "La fin ne peut pas précéder le début."
    return None


# --- comparing two versions ---------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    key: str
    label: str
    kind: str  # "text" (words inserted and deleted), "value" (before / after), "list" (lines removed / added)
    before: str = ""
    after: str = ""
    words: tuple[tuple[str, str], ...] = ()  # for "text": ("=", "kept words"), ("-", "deleted"), ("+", "inserted")
    removed: tuple[str, ...] = ()
    added: tuple[str, ...] = ()


def word_diff(before: str, after: str) -> tuple[tuple[str, str], ...]:
    a, b = re.findall(r"\S+|\s+", before or ""), re.findall(r"\S+|\s+", after or "")
    ops: list[tuple[str, str]] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if tag == "equal":
            ops.append(("=", "".join(a[i1:i2])))
        else:
            if i2 > i1:
                ops.append(("-", "".join(a[i1:i2])))
            if j2 > j1:
                ops.append(("+", "".join(b[j1:j2])))
    return tuple(ops)


def _line(key: str, item) -> str:
    if key == "costs":
        return (f"{item['year']} : investissement {euros(item['investment_cents'])}, "
                f"fonctionnement {euros(item['operating_cents'])}")
    if key == "funding":
        parts = [item["funder"], item.get("scheme") or "", euros(item["amount_cents"]),
                 str(item["year"]) if item.get("year") else "", FUNDING_STATUS_LABELS.get(item["status"], item["status"])]
        return " · ".join(p for p in parts if p)
    if key == "milestones":
        return f"{item['on']} : {item['label']}" + (" (fait)" if item.get("done") else "")
    if key == "indicators":
        return " · ".join(p for p in (item["name"], item.get("unit", ""), f"de {item['baseline']}" if item.get("baseline") else "",
                                      f"à {item['target']}" if item.get("target") else "", item.get("source", "")) if p)
    if key == "operations":
        return f"{OPERATION_LABELS.get(item['kind'], item['kind'])} : {item['label']}"
    if key in ("partners",):
        return item["name"]
    if key == "related":
        return f"Fiche {item['number']} : {item['title']}"
    return json.dumps(item, ensure_ascii=False, sort_keys=True)


SOURCE_WORDS = {"idea": ("piste", "pistes"), "stake": ("enjeu", "enjeux"),
                "contribution": ("contribution", "contributions"), "workshop": ("atelier", "ateliers"),
                "proposal": ("proposition des étudiants", "propositions des étudiants"),
                "observation": ("observation", "observations")}


def _value(key: str, value) -> str:
    if value is None or value == "":
        return "—"
    if key == "axis":
        return value["title"]
    if key == "priority":
        return PRIORITY_LABELS.get(value, str(value))
    if key in ("start", "end"):
        return quarter_label(value)
    if key == "maturity":
        return MATURITY_LABELS.get(value, value)
    if key == "status":
        return STATUS_LABELS.get(value, value)
    if key == "geometry":
        return {"Point": "un point", "LineString": "une ligne", "Polygon": "une zone",
                "MultiPolygon": "des zones"}.get(value.get("type"), "un tracé")
    if key == "sources":
        return ", ".join(f"{len(ids)} {SOURCE_WORDS.get(kind, (kind, kind))[len(ids) > 1]}"
                         for kind, ids in sorted(value.items()) if ids) or "—"
    return str(value)


COMPARED = ("title", "axis", "priority", "maturity", "status", "context", "objectives", "effects", "targets",
            "description", "operations", "prerequisites", "geometry", "place", "pilot", "elected_referent",
            "elected_referent_role", "technical_referent", "technical_referent_role", "partners", "costs",
            "funding", "start", "end", "milestones", "indicators", "related", "sources", "status_reason")
LISTS = ("operations", "partners", "costs", "funding", "milestones", "indicators", "related")


def compare(old: dict, new: dict) -> list[Change]:
    """What changed from one version to another, in the order of the sheet; an empty list when
    nothing did. Long texts as words deleted and inserted, lists as lines removed and added, the
    rest (amounts, quarters, words) as before / after. The total cost is a change of its own."""
    changes = []
    for key in COMPARED:
        a, b = old.get(key), new.get(key)
        if a == b or (not a and not b):
            continue
        label = FIELD_LABELS[key]
        if key in LONG_TEXTS:
            changes.append(Change(key, label, "text", a or "", b or "", words=word_diff(a or "", b or "")))
        elif key in LISTS:
            before = [_line(key, item) for item in a or []]
            after = [_line(key, item) for item in b or []]
            changes.append(Change(key, label, "list", removed=tuple(x for x in before if x not in after),
                                  added=tuple(x for x in after if x not in before)))
            if key == "costs" and cost_cents(old) != cost_cents(new):
                changes.append(Change("cost", "Coût total estimé (HT)", "value",
                                      euros(cost_cents(old)), euros(cost_cents(new))))
        else:
            changes.append(Change(key, label, "value", _value(key, a), _value(key, b)))
    return changes


def changed_sections(old: dict, new: dict) -> list[str]:
    """The titles of the sections that differ, in order (for "what changed since your version")."""
    keys = {c.key for c in compare(old, new)}
    return [title for key, title, fields in SECTIONS if keys & set(fields)]



def section_summary(snapshot: dict, section: str) -> list[tuple[str, str, str, tuple[str, ...]]]:
    """A section as it is, to read (the other side of a conflict): (key, label, text, lines) per
    field, the lists as one line per row."""
    found = []
    for key in SECTION_FIELDS[section]:
        value = section_values(snapshot, section)[key]
        if key in LISTS:
            found.append((key, FIELD_LABELS[key], "", tuple(_line(key, item) for item in value or [])))
        elif key in LONG_TEXTS:
            found.append((key, FIELD_LABELS[key], value or "", ()))
        else:
            found.append((key, FIELD_LABELS[key], _value(key, value), ()))
    return found
