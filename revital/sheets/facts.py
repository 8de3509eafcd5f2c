"""What the commune's action sheets bring to the phase gate feasibility → programming
(revital.pages.gates hands it to revital.process.phases): its sheets still in play (not abandoned),
how many of them a partner has given an opinion on, and how many retained ideas no such sheet
answers yet (a lineage link idea → sheet)."""

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from revital.ideas.models import RETAINED, Idea
from revital.lineage.models import IDEA, SHEET, Link
from revital.sheets.models import ABANDONED, ActionSheet, Opinion


def gate_counts(db: Session, commune_id: int) -> dict[str, int]:
    live = select(ActionSheet.id).where(ActionSheet.commune_id == commune_id, ActionSheet.status != ABANDONED)
    sheets = db.scalar(select(func.count()).select_from(live.subquery()))
    reviewed = db.scalar(select(func.count(func.distinct(Opinion.sheet_id))).where(
        Opinion.commune_id == commune_id, Opinion.sheet_id.in_(live)))
    covered = select(Link.source_id).where(Link.commune_id == commune_id, Link.target_kind == SHEET,
                                           Link.source_kind == IDEA, Link.target_id.in_(live))
    uncovered = db.scalar(select(func.count()).select_from(Idea).where(
        Idea.commune_id == commune_id, Idea.status == RETAINED, Idea.id.not_in(covered)))
    return {"sheets": sheets or 0, "reviewed_sheets": reviewed or 0, "uncovered_ideas": uncovered or 0}
