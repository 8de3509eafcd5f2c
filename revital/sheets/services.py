"""Action sheets in the database: find them, number them, create them (blank or from a retained
idea), and record their versions. Editing a section and the review live beside this module
(revital.sheets.editing, revital.sheets.review) and call it."""

import json

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from revital.communes.models import Commune
from revital.db import utcnow
from revital.ideas.models import Idea
from revital.lineage import services as lineage
from revital.lineage.models import CONTRIBUTION, IDEA, SHEET, STAKE
from revital.sheets import snapshot
from revital.sheets.models import ActionSheet, Version


def sheets_of(db: Session, commune_id: int, statuses: tuple[str, ...] | None = None) -> list[ActionSheet]:
    query = select(ActionSheet).where(ActionSheet.commune_id == commune_id)
    if statuses is not None:
        query = query.where(ActionSheet.status.in_(statuses))
    return list(db.scalars(query.order_by(ActionSheet.number)))


def sheet_in(db: Session, commune_id: int, number: int) -> ActionSheet | None:
    return db.scalar(select(ActionSheet).where(ActionSheet.commune_id == commune_id, ActionSheet.number == number))


def lock(db: Session, sheet: ActionSheet) -> int:
    """Lock the sheet's row for the rest of the write transaction; its revision as it is now."""
    return db.scalar(select(ActionSheet.revision).where(ActionSheet.id == sheet.id).with_for_update())


def next_number(db: Session, commune_id: int) -> int:
    """The next sheet number of the commune, with the commune's row locked so that two sheets made
    at once get two numbers."""
    db.scalar(select(Commune.id).where(Commune.id == commune_id).with_for_update())
    return (db.scalar(select(func.max(ActionSheet.number)).where(ActionSheet.commune_id == commune_id)) or 0) + 1


def create(db: Session, commune: Commune, title: str, user_id: int | None, idea: Idea | None = None) -> ActionSheet:
    """A new draft sheet, numbered; from a retained idea it takes the idea's title, axis, text and
    place, and is linked to the idea and to what the idea came from (its stakes, its contributions)."""
    sheet = ActionSheet(commune_id=commune.id, number=next_number(db, commune.id), title=title.strip(),
                        created_by=user_id)
    if idea is not None:
        sheet.title = title.strip() or idea.title
        sheet.axis_id = idea.axis_id
        sheet.description = idea.text
        sheet.place_id = idea.place_id
        sheet.place_name = idea.place_name
        if idea.lon is not None and idea.lat is not None:
            sheet.geometry = json.dumps({"type": "Point", "coordinates": [idea.lon, idea.lat]})
    db.add(sheet)
    db.flush()
    if idea is not None:
        lineage.link(db, commune.id, SHEET, sheet.id, IDEA, idea.id, user_id)
        for kind, ids in lineage.sources_of(db, IDEA, [idea.id]).get(idea.id, {}).items():
            if kind in (STAKE, CONTRIBUTION):
                for source_id in ids:
                    lineage.link(db, commune.id, SHEET, sheet.id, kind, source_id, user_id)
    return sheet


def touched(sheet: ActionSheet) -> None:
    """A save: the revision (what the PDF and caches are named after) and the date move on."""
    sheet.revision += 1
    sheet.updated_at = utcnow()


def record_version(db: Session, sheet: ActionSheet, section: str, user_id: int | None) -> Version:
    """Freeze the sheet as it is now as its next version (in the caller's transaction): called when
    the first review is asked, then after every save while a review has started."""
    db.flush()
    sheet.version += 1
    version = Version(commune_id=sheet.commune_id, sheet_id=sheet.id, number=sheet.version,
                      snapshot=snapshot.dumps(snapshot.load(db, sheet)), section=section, author_id=user_id)
    db.add(version)
    db.flush()
    return version


def versions_of(db: Session, sheet: ActionSheet) -> list[Version]:
    return list(db.scalars(select(Version).where(Version.sheet_id == sheet.id).order_by(Version.number)))


def version_in(db: Session, sheet: ActionSheet, number: int) -> Version | None:
    return db.scalar(select(Version).where(Version.sheet_id == sheet.id, Version.number == number))
