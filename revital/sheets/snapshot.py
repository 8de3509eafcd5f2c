"""A sheet as one plain dict: what a version keeps (JSON), what the pages, the PDF, the exports and
the roadmap builder read, and what two versions are compared on. `load` reads it from the
database in a fixed number of queries; `dumps`/`loads` are its JSON form.

The keys (a contract between revital.sheets and revital.roadmaps):

    number, title, axis ({"id", "title", "position"} or None), priority (1-3 or None),
    context, objectives, effects, targets, description, prerequisites (Markdown),
    geometry (a GeoJSON geometry dict or None), place (a named place, "" if none),
    pilot, elected_referent, elected_referent_role, technical_referent, technical_referent_role,
    start, end ({"year", "quarter"} or None), maturity, status, status_reason,
    operations [{"kind", "label"}], partners [{"id", "name"}], related [{"number", "title"}],
    costs [{"year", "investment_cents", "operating_cents"}] (by year),
    funding [{"funder", "organisation_id", "scheme", "amount_cents", "year", "status"}]
        (the lines of the plan: a partner's proposal not yet accepted is not in it),
    milestones [{"label", "on" (ISO date), "done"}], indicators [{"name", "unit", "baseline", "target", "source"}],
    sources {"idea": [ids], "stake": [ids], "contribution": [ids], "workshop": [ids], "proposal": [ids], …}

Amounts are integers of cents. The referents' names are personal data: `public(snapshot)` removes
them (their roles stay).
"""

import json

from sqlalchemy import select
from sqlalchemy.orm import Session

from revital.communes.models import Organisation
from revital.geography.models import Place
from revital.ideas.models import Axis
from revital.lineage import services as lineage
from revital.sheets.models import (
    ActionSheet,
    Cost,
    FundingLine,
    Indicator,
    Milestone,
    Operation,
    Relation,
    SheetPartner,
)
from revital.sheets.rules import PEOPLE, TEXTS  # noqa: F401 - snapshot.TEXTS and .PEOPLE, read by others

PERSONAL = ("elected_referent", "technical_referent")


def quarter(year, q) -> dict | None:
    return {"year": year, "quarter": q} if year and q else None


def load(db: Session, sheet: ActionSheet) -> dict:
    return load_many(db, [sheet])[sheet.id]


def load_many(db: Session, sheets: list[ActionSheet]) -> dict[int, dict]:
    """{sheet id: snapshot} for sheets of one commune, in a fixed number of queries."""
    ids = [s.id for s in sheets]
    if not ids:
        return {}
    axes = {a.id: a for a in db.scalars(select(Axis).where(Axis.id.in_({s.axis_id for s in sheets if s.axis_id})))}
    places = {p.id: p.name for p in db.scalars(select(Place).where(Place.id.in_({s.place_id for s in sheets if s.place_id})))}

    def rows(model, *order):
        found: dict[int, list] = {i: [] for i in ids}
        for row in db.scalars(select(model).where(model.sheet_id.in_(ids)).order_by(*order)):
            found[row.sheet_id].append(row)
        return found

    operations = rows(Operation, Operation.position, Operation.id)
    costs = rows(Cost, Cost.year)
    funding = rows(FundingLine, FundingLine.position, FundingLine.id)
    milestones = rows(Milestone, Milestone.on, Milestone.id)
    indicators = rows(Indicator, Indicator.position, Indicator.id)
    partners: dict[int, list] = {i: [] for i in ids}
    for sheet_id, org_id, name in db.execute(
            select(SheetPartner.sheet_id, Organisation.id, Organisation.name)
            .join(Organisation, Organisation.id == SheetPartner.organisation_id)
            .where(SheetPartner.sheet_id.in_(ids)).order_by(Organisation.name)):
        partners[sheet_id].append({"id": org_id, "name": name})
    related: dict[int, list] = {i: [] for i in ids}
    for a, b, number, title in db.execute(
            select(Relation.sheet_id, Relation.related_id, ActionSheet.number, ActionSheet.title)
            .join(ActionSheet, ActionSheet.id == Relation.related_id)
            .where(Relation.sheet_id.in_(ids)).order_by(ActionSheet.number)):
        related[a].append({"number": number, "title": title})
    sources = lineage.sources_of(db, "sheet", ids)

    found = {}
    for s in sheets:
        axis = axes.get(s.axis_id)
        found[s.id] = {
            "number": s.number,
            "title": s.title,
            "axis": {"id": axis.id, "title": axis.title, "position": axis.position} if axis else None,
            "priority": s.priority,
            **{name: getattr(s, name) for name in TEXTS},
            "geometry": json.loads(s.geometry) if s.geometry else None,
            "place": places.get(s.place_id) or s.place_name,
            **{name: getattr(s, name) for name in PEOPLE},
            "start": quarter(s.start_year, s.start_quarter),
            "end": quarter(s.end_year, s.end_quarter),
            "maturity": s.maturity,
            "status": s.status,
            "status_reason": s.status_reason,
            "operations": [{"kind": o.kind, "label": o.label} for o in operations[s.id]],
            "partners": partners[s.id],
            "related": related[s.id],
            "costs": [{"year": c.year, "investment_cents": c.investment_cents, "operating_cents": c.operating_cents}
                      for c in costs[s.id]],
            "funding": [{"funder": f.funder, "organisation_id": f.organisation_id, "scheme": f.scheme,
                         "amount_cents": f.amount_cents, "year": f.year, "status": f.status}
                        for f in funding[s.id] if f.accepted],
            "milestones": [{"label": m.label, "on": m.on.isoformat(), "done": m.done} for m in milestones[s.id]],
            "indicators": [{"name": i.name, "unit": i.unit, "baseline": i.baseline, "target": i.target,
                            "source": i.source} for i in indicators[s.id]],
            "sources": sources.get(s.id, {}),
        }
    return found


def public(snapshot: dict) -> dict:
    """The snapshot without the referents' names (personal data)."""
    return {key: ("" if key in PERSONAL else value) for key, value in snapshot.items()}


def cost_cents(snapshot: dict) -> int:
    return sum(c["investment_cents"] + c["operating_cents"] for c in snapshot["costs"])


def dumps(snapshot: dict) -> str:
    return json.dumps(snapshot, ensure_ascii=False, sort_keys=True)


def loads(text: str) -> dict:
    return json.loads(text)
