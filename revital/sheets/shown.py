"""What one action sheet shows, on its public page and in its PDF (both render
templates/sheets/_sheet.html from `body(...)`): the snapshot (without the referents' names unless
the reader may see every sheet), the words, the money worked out (revital.sheets.rules), what it
answers with the titles of those pages, the related sheets the reader may see, the partners'
opinions and the small map of its location (revital.sheets.sheetmap).
"""

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from revital.communes.models import Commune
from revital.contributions.models import Contribution
from revital.diagnostic.models import Stake
from revital.geo import GeometryError, from_geojson
from revital.geography.models import Place
from revital.ideas.models import Idea
from revital.lineage.models import CONTRIBUTION, IDEA, STAKE
from revital.sheets import review, rules, sheetmap, snapshot
from revital.sheets.models import VALIDATED, ActionSheet

PUBLIC_STATUSES = (VALIDATED,)


def is_public(sheet: ActionSheet) -> bool:
    return sheet.status in PUBLIC_STATUSES


def sources_shown(db: Session, commune_id: int, sources: dict) -> dict[str, list[tuple[int, str]]]:
    """(id, title) of the ideas, stakes and published contributions a sheet answers."""
    found = {}
    for kind, model, extra in ((IDEA, Idea, ()), (STAKE, Stake, ()),
                               (CONTRIBUTION, Contribution, (Contribution.status == "published",))):
        ids = sources.get(kind) or []
        found[kind] = list(db.execute(select(model.id, model.title).where(
            model.id.in_(ids), model.commune_id == commune_id, *extra).order_by(model.id)).all()) if ids else []
    return found


def geometry_of(text: str | None):
    if not text:
        return None
    try:
        return from_geojson(text)
    except GeometryError:
        return None


def place_point(db: Session, sheet: ActionSheet) -> tuple[float, float] | None:
    if sheet.place_id is None:
        return None
    row = db.execute(select(Place.lon, Place.lat).where(Place.id == sheet.place_id)).first()
    return (row[0], row[1]) if row and row[0] is not None and row[1] is not None else None


def location_map(db: Session, commune: Commune, sheet: ActionSheet, snap: dict) -> sheetmap.SheetMap | None:
    return sheetmap.draw(geometry_of(commune.boundary), geometry_of(commune.perimeter),
                         sheetmap.as_shape(snap.get("geometry")), place_point(db, sheet))


def money(snap: dict) -> dict:
    """Costs by year with their totals, and the funding lines with their share of the cost."""
    costs = [{**c, "total_cents": c["investment_cents"] + c["operating_cents"]} for c in snap["costs"]]
    plan = rules.funding(snap)
    lines = [{**line, "status_label": rules.FUNDING_STATUS_LABELS.get(line["status"], line["status"]),
              "share": rules.Funding(plan.cost, line["amount_cents"], 0, 0).share} for line in snap["funding"]]
    return {"costs": costs, "investment_cents": sum(c["investment_cents"] for c in costs),
            "operating_cents": sum(c["operating_cents"] for c in costs), "cost_cents": plan.cost,
            "plan": plan, "lines": lines}


def visible_related(db: Session, commune_id: int, related: list[dict], internal: bool) -> list[dict]:
    if internal or not related:
        return related
    public = set(db.scalars(select(ActionSheet.number).where(
        ActionSheet.commune_id == commune_id, ActionSheet.number.in_([r["number"] for r in related]),
        ActionSheet.status.in_(PUBLIC_STATUSES))))
    return [r for r in related if r["number"] in public]


def body(db: Session, commune: Commune, sheet: ActionSheet, internal: bool) -> dict:
    """The context of templates/sheets/_sheet.html. internal: the reader may see every sheet
    (SEE_SHEETS), and so the referents' names."""
    snap = snapshot.load(db, sheet)
    shown = snap if internal else snapshot.public(snap)
    return {
        "sheet": shown,
        "sheet_row": {"number": sheet.number, "version": sheet.version, "updated_at": sheet.updated_at,
                      "validated_at": sheet.validated_at},
        "internal": internal,
        "maturity_label": rules.MATURITY_LABELS.get(snap["maturity"], snap["maturity"]),
        "status_label": rules.STATUS_LABELS.get(snap["status"], snap["status"]),
        "priority_label": rules.PRIORITY_LABELS.get(snap["priority"], "") if snap["priority"] else "",
        "operation_labels": rules.OPERATION_LABELS,
        "start_label": rules.quarter_label(snap["start"]), "end_label": rules.quarter_label(snap["end"]),
        "milestones": [{**m, "on": date.fromisoformat(m["on"])} for m in snap["milestones"]],
        "money": money(snap),
        "euros": rules.euros,
        "sources": sources_shown(db, commune.id, snap["sources"]),
        "related": visible_related(db, commune.id, snap["related"], internal),
        "opinions": review.public_opinions(db, sheet, any_status=internal),
        "location": location_map(db, commune, sheet, snap),
        "completeness": rules.completeness(snap) if internal else None,
    }
