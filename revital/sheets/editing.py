"""Editing a sheet section by section (revital.sheets.rules.SECTIONS), in the database.

A section's form (revital.sheets.forms: drawn, typed, clean) is written by `save_section`, which locks the sheet and compares the section's fingerprint with the one the form
was drawn from: when someone saved the section in between, nothing is written and the outcome holds
both sides (theirs: the section as it is now; yours: what was typed). The list sections are
replaced as a whole from the posted rows. Amounts go through rules.parse_euros (cents, never a
float). After a review has started (sheet.version > 0), every save makes a new version."""

from dataclasses import dataclass, field

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from revital import geo
from revital.communes.models import Commune, CommunePartner, Organisation
from revital.contributions.models import Contribution
from revital.diagnostic.models import Stake
from revital.geography import services as geography
from revital.ideas.models import RETAINED, Axis, Idea
from revital.lineage import services as lineage
from revital.lineage.models import SHEET
from revital.sheets import rules, services, snapshot
from revital.sheets.forms import Choices, clean, drawn, typed
from revital.sheets.models import (
    ABANDONED,
    VALIDATED,
    ActionSheet,
    Cost,
    FundingLine,
    Indicator,
    Milestone,
    Operation,
    Relation,
    SheetPartner,
    Version,
)

READ_ONLY = (VALIDATED, ABANDONED)
READ_ONLY_MESSAGES = {
    VALIDATED: ("Cette fiche est validée : elle ne se modifie plus tant que la commune ne l’a pas rouverte "
                "(page « Avis des partenaires »). Rien n’a été enregistré."),
    ABANDONED: ("Cette fiche est abandonnée : elle ne se modifie plus tant que la commune ne l’a pas rouverte "
                "(page « Avis des partenaires »). Rien n’a été enregistré."),
}
CONFLICT = ("Quelqu’un a enregistré cette section pendant que vous la modifiiez : rien n’a été enregistré. "
            "Sa version est à gauche ; la vôtre, telle que vous l’aviez saisie, est à droite : reprenez-la "
            "si besoin et enregistrez à nouveau.")


# --- the database -----------------------------------------------------------------------------------

def choices_of(db: Session, sheet: ActionSheet, section: str) -> Choices:
    """What the section's form offers, for this sheet's commune (only what the section needs)."""
    found = Choices()
    commune_id = sheet.commune_id
    if section == "identite":
        found.axes = {str(a.id): a.title for a in db.scalars(
            select(Axis).where(Axis.commune_id == commune_id).order_by(Axis.position, Axis.id))}
        current = lineage.sources_of(db, SHEET, [sheet.id]).get(sheet.id, {})
        found.ideas = {str(i.id): i.title for i in db.scalars(
            select(Idea).where(Idea.commune_id == commune_id,
                               (Idea.status == RETAINED) | Idea.id.in_(current.get("idea", []))).order_by(Idea.title))}
        found.stakes = {str(s.id): s.title for s in db.scalars(
            select(Stake).where(Stake.commune_id == commune_id).order_by(Stake.title))}
        found.contributions = frozenset(db.scalars(select(Contribution.id).where(Contribution.commune_id == commune_id)))
    elif section == "localisation":
        found.places = {str(p.id): p.name for p in geography.places_of(db, commune_id)}
        boundary = db.scalar(select(Commune.boundary).where(Commune.id == commune_id))
        found.boundary = geo.from_geojson(boundary) if boundary else None
    elif section == "personnes":
        current = select(SheetPartner.organisation_id).where(SheetPartner.sheet_id == sheet.id)
        invited = select(CommunePartner.organisation_id).where(CommunePartner.commune_id == commune_id)
        found.partners = {str(o.id): o.name for o in db.scalars(
            select(Organisation).where(Organisation.id.in_(invited) | Organisation.id.in_(current))
            .order_by(Organisation.name))}
    elif section == "financement":
        territory_id = db.scalar(select(Commune.territory_id).where(Commune.id == commune_id))
        found.funders = {str(o.id): o.name for o in db.scalars(
            select(Organisation).where(Organisation.territory_id == territory_id).order_by(Organisation.name))}
    elif section == "liens":
        found.sheets = {str(s.number): s.title for s in services.sheets_of(db, commune_id) if s.id != sheet.id}
    return found


@dataclass
class Outcome:
    """What a save did: saved, refused (errors by field), or a conflict (theirs: the section as it is
    now, in form values and as lines to read; the fingerprint to save over it)."""

    section: str
    values: dict  # what was typed
    errors: dict = field(default_factory=dict)
    saved: bool = False
    conflict: bool = False
    theirs: dict | None = None
    theirs_summary: list | None = None
    fingerprint: str = ""
    version: Version | None = None

    @property
    def ok(self) -> bool:
        return self.saved


def drawn_of(snap: dict, section: str, sheet: ActionSheet) -> dict:
    """A section's form values drawn from the sheet (revital.sheets.forms.drawn)."""
    return drawn(snap, section, sheet.place_id, sheet.place_name)


def read_only(sheet: ActionSheet) -> str | None:
    """Why the sheet cannot be edited now, in French, or None."""
    return READ_ONLY_MESSAGES.get(sheet.status)


def save_section(db: Session, sheet: ActionSheet, section: str, form_values: dict, base_fingerprint: str,
                 user_id: int | None) -> Outcome:
    """Check and write one section (form_values: field name to the list of its posted values), in
    the caller's transaction; the caller commits when `saved`, rolls back otherwise."""
    yours = typed(section, form_values)
    services.lock(db, sheet)
    db.refresh(sheet)
    if read_only(sheet):
        return Outcome(section, yours, {"form": read_only(sheet)})
    current = snapshot.load(db, sheet)
    now = rules.fingerprint(current, section)
    fields, errors = clean(section, yours, choices_of(db, sheet, section))
    if (base_fingerprint or "") != now:
        return Outcome(section, yours, errors, conflict=True, theirs=drawn_of(current, section, sheet),
                       theirs_summary=rules.section_summary(current, section), fingerprint=now)
    if errors:
        return Outcome(section, yours, errors, fingerprint=now)
    write(db, sheet, section, fields, user_id)
    db.flush()
    services.touched(sheet)
    version = services.record_version(db, sheet, section, user_id) if sheet.version > 0 else None
    return Outcome(section, yours, saved=True, fingerprint=rules.fingerprint(snapshot.load(db, sheet), section),
                   version=version)


def replace_rows(db: Session, model, sheet: ActionSheet, rows: list[dict], *extra) -> None:
    db.execute(delete(model).where(model.sheet_id == sheet.id, *extra))
    for position, row in enumerate(rows):
        values = dict(row)
        if "position" in model.__table__.columns:
            values["position"] = position
        db.add(model(commune_id=sheet.commune_id, sheet_id=sheet.id, **values))


def write(db: Session, sheet: ActionSheet, section: str, fields: dict, user_id: int | None) -> None:
    if section == "identite":
        sheet.title, sheet.axis_id, sheet.priority = fields["title"], fields["axis_id"], fields["priority"]
        before = lineage.sources_of(db, SHEET, [sheet.id]).get(sheet.id, {})
        for kind, wanted in fields["sources"].items():
            had = set(before.get(kind, []))
            for source_id in had - wanted:
                lineage.unlink(db, SHEET, sheet.id, kind, source_id)
            for source_id in sorted(wanted - had):
                lineage.link(db, sheet.commune_id, SHEET, sheet.id, kind, source_id, user_id)
    elif section == "contenu":
        for name in rules.TEXTS:
            setattr(sheet, name, fields[name])
        replace_rows(db, Operation, sheet, fields["operations"])
    elif section == "localisation":
        sheet.geometry, sheet.place_id, sheet.place_name = fields["geometry"], fields["place_id"], fields["place_name"]
    elif section == "personnes":
        for name in rules.PEOPLE:
            setattr(sheet, name, fields[name])
        replace_rows(db, SheetPartner, sheet, [{"organisation_id": i} for i in sorted(fields["partners"])])
    elif section == "financement":
        replace_rows(db, Cost, sheet, sorted(fields["costs"], key=lambda c: c["year"]))
        # Only the plan's lines: a partner's proposal (accepted false) stays where it is.
        replace_rows(db, FundingLine, sheet, [{**line, "accepted": True} for line in fields["funding"]],
                     FundingLine.accepted.is_(True))
    elif section == "calendrier":
        start, end = fields["start"] or {}, fields["end"] or {}
        sheet.start_year, sheet.start_quarter = start.get("year"), start.get("quarter")
        sheet.end_year, sheet.end_quarter = end.get("year"), end.get("quarter")
        replace_rows(db, Milestone, sheet, fields["milestones"])
    elif section == "indicateurs":
        replace_rows(db, Indicator, sheet, fields["indicators"])
    elif section == "liens":
        ids = dict(db.execute(select(ActionSheet.number, ActionSheet.id).where(
            ActionSheet.commune_id == sheet.commune_id, ActionSheet.number.in_(fields["related"]))).all())
        replace_rows(db, Relation, sheet, [{"related_id": ids[n]} for n in sorted(fields["related"]) if n in ids])


# --- partners' proposed funding lines, and the maturity -------------------------------------------

def proposals_of(db: Session, sheet: ActionSheet) -> list[FundingLine]:
    return list(db.scalars(select(FundingLine).where(FundingLine.sheet_id == sheet.id, FundingLine.accepted.is_(False))
                           .order_by(FundingLine.id)))


def settle_proposal(db: Session, sheet: ActionSheet, line_id: int, accept: bool, user_id: int | None) -> str | None:
    """Take a partner's proposed line into the plan, or set it aside; a French refusal or None."""
    services.lock(db, sheet)
    db.refresh(sheet)
    if read_only(sheet):
        return read_only(sheet)
    line = db.scalar(select(FundingLine).where(FundingLine.id == line_id, FundingLine.sheet_id == sheet.id,
                                               FundingLine.accepted.is_(False)))
    if line is None:
        return "Cette proposition de financement n’existe plus : elle a déjà été intégrée ou écartée."
    if accept:
        line.accepted = True
        line.position = 1 + max((f.position for f in db.scalars(
            select(FundingLine).where(FundingLine.sheet_id == sheet.id, FundingLine.accepted.is_(True)))), default=-1)
    else:
        db.delete(line)
    db.flush()
    services.touched(sheet)
    if sheet.version > 0:
        services.record_version(db, sheet, "financement", user_id)
    return None


def set_maturity(db: Session, sheet: ActionSheet, stage: str, user_id: int | None) -> str | None:
    """Move the sheet to a maturity stage: up only when the stage is complete, down always. A French
    refusal or None."""
    services.lock(db, sheet)
    db.refresh(sheet)
    if read_only(sheet):
        return read_only(sheet)
    if stage not in rules.MATURITIES:
        return rules.maturity_problem({}, stage)
    if stage == sheet.maturity:
        return None
    if rules.MATURITIES.index(stage) > rules.MATURITIES.index(sheet.maturity):
        problem = rules.maturity_problem(snapshot.load(db, sheet), stage)
        if problem:
            return problem
    sheet.maturity = stage
    services.touched(sheet)
    if sheet.version > 0:
        services.record_version(db, sheet, "maturite", user_id)
    return None
