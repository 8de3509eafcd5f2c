"""The open data of a published roadmap (pure: neither Litestar nor SQLAlchemy).

- `envelope`: /api/communes/{slug}/roadmap.json, the snapshot of one published version (the
  contract of /work/notes/roadmap_format.md, see the README's open-data part) inside a few fields
  that say which commune, which version, and where every version is. The snapshot is public as
  published; nothing of the roadmap row that names a person (its author) goes out.
- `projets_csv`: /api/communes/{slug}/roadmap-projets.csv, the actions of a roadmap in the national
  table schema for local authorities' projects (betagouv schema-projet-collectivites-transition-
  ecologique, resource projets-territoire, v0.1.1; a copy in revital/roadmaps/schema/): its field
  names in its order, its phase and status values, dates as it writes them, the budget in whole
  euros. Its personal fields (the referent's e-mail, telephone, names) stay empty.
- `funders_rows`: the territory's table for funders, one row per funding line.

Text cells are neutralised against spreadsheet formulas (revital.exports); numbers and the
generated identifiers and dates never start with such a character, so the file stays valid."""

import csv
import io
import json
import uuid
from datetime import datetime, timezone

from revital.exports import neutralise
from revital.roadmaps.progress_rules import BLOCKED, DONE, DROPPED, LATE, ONGOING, PAUSED, STATUSES, UPCOMING
# The values of revital.sheets.models (a sheet's maturity, a funding line's status) and their
# words, from the sheets' pure rules (a test checks they are the models').
from revital.sheets.rules import (ACTION, FUNDING_STATUS_LABELS, GRANTED, IDEA, MATURITY_LABELS, PROJECT, REFUSED,
                                  REQUESTED)

FORMAT = "revital-feuille-de-route/1"
LICENCE = "Licence Ouverte / Open Licence 2.0 (Etalab)"

# The schema's fields, in its order (revital/roadmaps/schema/projets-territoire.schema.json).
PROJETS_FIELDS = ["id", "createdAt", "updatedAt", "nom", "description", "budgetPrevisionnel",
                  "dateDebutPrevisionnelle", "phase", "phaseStatut", "programme", "porteurCodeSiret",
                  "porteurReferentEmail", "porteurReferentTelephone", "porteurReferentPrenom", "porteurReferentNom",
                  "porteurReferentFonction", "competences", "leviers", "mecId", "tetId", "recocoId",
                  "collectiviteIds"]
# Cells we write ourselves in a fixed shape (uuid, dates, integers, JSON arrays): never neutralised.
GENERATED = frozenset({"id", "createdAt", "updatedAt", "budgetPrevisionnel", "dateDebutPrevisionnelle",
                       "collectiviteIds"})
PHASES = {IDEA: "Idée", PROJECT: "Étude", ACTION: "Opération"}
# The schema has no "to come": an action not started yet has no phase status (a missing value).
PHASE_STATUSES = {ONGOING: "En cours", LATE: "En retard", PAUSED: "En pause", BLOCKED: "Bloqué",
                  DROPPED: "Abandonné", DONE: "Terminé"}
PROGRAMME = "Revital (revitalisation des centres-bourgs)"
# Identifiers of the projects: the same action of the same commune keeps its id from version to version.
NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://revital.beta/feuille-de-route")
FUNDING_STATUSES = {code: label.lower() for code, label in FUNDING_STATUS_LABELS.items()}  # "sollicité"


def iso_utc(value: datetime | str | None) -> str:
    """2027-01-31T09:30:00Z: the form of the schema's createdAt and updatedAt."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        value = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def version_url(base_url: str, slug: str, number: int) -> str:
    return f"{base_url}/api/communes/{slug}/roadmap.json?version={number}"


def envelope(snapshot: dict, slug: str, number: int, published_at: datetime, note: str, numbers: list[int],
             base_url: str) -> dict:
    """The JSON document of one published version. `numbers`: every published version of the commune."""
    commune = snapshot.get("commune") or {}
    return {
        "format": FORMAT,
        "licence": LICENCE,
        "commune": {"name": commune.get("name", ""), "slug": slug, "insee": commune.get("insee", "")},
        "version": number,
        "latest": number == max(numbers, default=number),
        "published_at": iso_utc(published_at),
        "note": note,
        "page": f"{base_url}/communes/{slug}/feuille-de-route",
        "pdf": f"{base_url}/communes/{slug}/feuille-de-route.pdf",
        "projets_csv": f"{base_url}/api/communes/{slug}/roadmap-projets.csv",
        "versions": [{"version": n, "url": version_url(base_url, slug, n)} for n in sorted(numbers)],
        "roadmap": snapshot,
    }


def dumps(document: dict) -> bytes:
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()


def project_id(insee: str, number: int) -> str:
    return str(uuid.uuid5(NAMESPACE, f"{insee}/fiche/{number}"))


def quarter_start(start: dict | None) -> str:
    if not start or not start.get("year") or not start.get("quarter"):
        return ""
    return f"{int(start['year']):04d}-{(int(start['quarter']) - 1) * 3 + 1:02d}-01"


def whole_euros(cents) -> int | str:
    """The schema's budget is an integer of euros: cents rounded half up; nothing known, a missing value."""
    if not cents:
        return ""
    return (int(cents) + 50) // 100


def description_of(action: dict) -> str:
    parts = [action.get("description") or "", action.get("objectives") or ""]
    return "\n\n".join(p.strip() for p in parts if p and p.strip())


def projets_rows(snapshot: dict, progress: dict, created: dict, updated_at: datetime | None) -> list[dict]:
    """One row per action of the snapshot, as the schema names its fields.

    progress: {sheet_id: status} of the actions in implementation; created: {sheet_id: the
    publication of the first version that had the action}; updated_at: when the roadmap or a
    progress last changed (the roadmap's publication when None)."""
    commune = snapshot.get("commune") or {}
    insee = commune.get("insee", "")
    published = iso_utc(snapshot.get("published_at"))
    rows = []
    for action in snapshot.get("actions", []):
        sheet_id = action.get("sheet_id")
        status = progress.get(sheet_id, "")
        rows.append({
            "id": project_id(insee, action["number"]),
            "createdAt": iso_utc(created.get(sheet_id)) or published,
            "updatedAt": iso_utc(updated_at) or published,
            "nom": action.get("title", ""),
            "description": description_of(action),
            "budgetPrevisionnel": whole_euros(action.get("cost_cents")),
            "dateDebutPrevisionnelle": quarter_start(action.get("start")),
            "phase": PHASES.get(action.get("maturity"), ""),
            "phaseStatut": PHASE_STATUSES.get(status, ""),
            "programme": PROGRAMME,
            "porteurCodeSiret": "",
            # The referent's contact and names are personal data: never in an open export.
            "porteurReferentEmail": "", "porteurReferentTelephone": "", "porteurReferentPrenom": "",
            "porteurReferentNom": "",
            "porteurReferentFonction": action.get("elected_referent_role") or "",
            "competences": "", "leviers": "", "mecId": "", "tetId": "", "recocoId": "",
            "collectiviteIds": json.dumps([insee]) if insee else "",
        })
    return rows


def projets_csv(rows: list[dict]) -> bytes:
    """CSV as the national schema's validators read it: UTF-8 without a byte-order mark, commas,
    every field of the schema in its order; text cells neutralised against formulas."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(PROJETS_FIELDS)
    for row in rows:
        writer.writerow([row[name] if name in GENERATED else neutralise(row[name]) for name in PROJETS_FIELDS])
    return out.getvalue().encode("utf-8")


# The territory's table for funders (revital.exports: French spreadsheet, ';', formulas neutralised).

FUNDERS_FIELDS = ["commune", "insee", "version", "publiee_le", "action", "titre", "axe", "maturite", "etat",
                  "avancement_pct", "cout_action_eur", "reste_a_financer_action_eur", "financeur", "dispositif",
                  "annee", "statut_financement", "montant_eur", "url"]
FUNDERS_NUMERIC = frozenset({"version", "action", "avancement_pct", "cout_action_eur", "reste_a_financer_action_eur",
                             "annee", "montant_eur"})


def euros_cell(cents) -> str:
    """Euros with a decimal comma for a French spreadsheet: 12500,50."""
    if cents is None or cents == "":
        return ""
    whole, rest = divmod(int(cents), 100)
    return f"{whole},{rest:02d}"


def funders_rows(communes: list[dict], base_url: str) -> list[dict]:
    """One row per funding line of every action of every commune's latest roadmap, and one row
    (without a funder) for an action that has none, so that every action and its remaining cost
    appear. communes: [{"name", "insee", "slug", "version", "published_at", "snapshot", "progress":
    {sheet_id: ProgressView}}]. The action's cost repeats on each of its lines: add up montant_eur
    per funder, cout_action_eur once per action."""
    rows = []
    for item in communes:
        snapshot = item["snapshot"]
        for action in snapshot.get("actions", []):
            view = item["progress"].get(action.get("sheet_id"))
            common = {
                "commune": item["name"], "insee": item["insee"], "version": item["version"],
                "publiee_le": iso_utc(item["published_at"])[:10], "action": action["number"],
                "titre": action.get("title", ""), "axe": action.get("axis") or "Sans axe",
                "maturite": MATURITY_LABELS.get(action.get("maturity"), ""),
                "etat": STATUSES.get(view.status, "") if view else STATUSES[UPCOMING],
                "avancement_pct": view.percent if view else 0,
                "cout_action_eur": euros_cell(action.get("cost_cents") or 0),
                "reste_a_financer_action_eur": euros_cell(max(action.get("remaining_cents") or 0, 0)),
                "url": f"{base_url}/communes/{item['slug']}/feuille-de-route/actions/{action['number']}",
            }
            lines = action.get("funding") or [{}]
            for line in lines:
                rows.append({**common, "financeur": line.get("funder", ""), "dispositif": line.get("scheme", ""),
                             "annee": line.get("year") or "",
                             "statut_financement": FUNDING_STATUSES.get(line.get("status"), ""),
                             "montant_eur": euros_cell(line.get("amount_cents")) if line else ""})
    return rows
