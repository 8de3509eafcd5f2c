"""Roadmaps in the database: what would be published now (`preview`, from the validated sheets),
publishing version N (`publish`: an immutable snapshot, a journal entry), and reading the
published versions (`latest`, `version_of`, `versions`, `snapshot_of`: the one reader of them;
the progress of their actions is revital.roadmaps.progress's) and the PDF kept with each version."""

import json

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from revital.communes.models import Commune
from revital.db import utcnow
from revital.formatting import number_fr
from revital.geo import GeometryError, from_geojson, to_geojson
from revital.ideas.models import Axis
from revital.journal import services as journal
from revital.lineage import services as lineage
from revital.roadmaps import builder
from revital.roadmaps.models import Roadmap
from revital.sheets import rules as sheet_rules
from revital.sheets import snapshot as sheet_snapshot
from revital.sheets.models import VALIDATED, ActionSheet

NOTE_MAX = 2000
JOURNAL_KIND = "roadmap"
# Kinds that have sources of their own: walked back from a sheet to what it was born of.
WALKED = ("sheet", "idea", "stake")


class Refused(Exception):
    """A publication refused; the message is French."""


class Stale(Refused):
    """Another version was published since the form was shown (a double submit, two people)."""


def axes_of(db: Session, commune_id: int) -> list[dict]:
    return [{"id": a.id, "title": a.title, "position": a.position}
            for a in db.scalars(select(Axis).where(Axis.commune_id == commune_id).order_by(Axis.position, Axis.id))]


def validated_sheets(db: Session, commune_id: int) -> list[ActionSheet]:
    return list(db.scalars(select(ActionSheet).where(ActionSheet.commune_id == commune_id,
                                                     ActionSheet.status == VALIDATED).order_by(ActionSheet.number)))


def lineage_counts(db: Session, sheet_ids: list[int]) -> dict[int, dict[str, int]]:
    """{sheet id: {kind: count}}: everything each sheet comes from, the whole chain back (its ideas,
    the stakes of those ideas and its own, the contributions, workshops, observations and proposals
    of all of those), each item counted once. One query per kind and level of the chain."""
    found: dict[int, dict[str, set[int]]] = {}
    for sheet_id in sheet_ids:
        found[sheet_id] = {}
    # (kind, id) -> the sheets it leads to
    frontier: dict[tuple[str, int], set[int]] = {("sheet", i): {i} for i in sheet_ids}
    seen: set[tuple[str, int]] = set(frontier)
    while frontier:
        following: dict[tuple[str, int], set[int]] = {}
        for kind in WALKED:
            ids = [i for k, i in frontier if k == kind]
            if not ids:
                continue
            for target_id, sources in lineage.sources_of(db, kind, ids).items():
                sheets = frontier[(kind, target_id)]
                for source_kind, source_ids in sources.items():
                    for source_id in source_ids:
                        for sheet_id in sheets:
                            found[sheet_id].setdefault(source_kind, set()).add(source_id)
                        if source_kind in WALKED:
                            item = (source_kind, source_id)
                            following.setdefault(item, set()).update(sheets)
        frontier = {item: sheets for item, sheets in following.items() if item not in seen}
        seen |= set(frontier)
    return {sheet_id: {kind: len(ids) for kind, ids in kinds.items() if kind != "sheet"}
            for sheet_id, kinds in found.items()}


def commune_dict(commune: Commune) -> dict:
    return {"name": commune.name, "slug": commune.slug, "insee": commune.insee}


def preview(db: Session, commune: Commune) -> dict:
    """The roadmap that publishing would make now, from the commune's validated sheets."""
    sheets = validated_sheets(db, commune.id)
    loaded = sheet_snapshot.load_many(db, sheets)
    public = [{**sheet_snapshot.public(loaded[s.id]), "id": s.id} for s in sheets]
    return builder.build(commune_dict(commune), public, lineage_counts(db, [s.id for s in sheets]),
                         axes_of(db, commune.id))


def clean_note(note: str, number: int) -> str:
    """The note of version `number`, or Refused: required from version 2 on, 2,000 characters at most."""
    note = (note or "").replace("\r\n", "\n").strip()
    if len(note) > NOTE_MAX:
        raise Refused(f"La note dépasse {number_fr(NOTE_MAX)} caractères : raccourcissez-la.")
    if number > 1 and not note:
        raise Refused("Dites en quelques mots ce qui a changé depuis la version précédente : "
                      "la note est publiée avec la nouvelle version.")
    return note


def latest_number(db: Session, commune_id: int) -> int:
    return db.scalar(select(func.coalesce(func.max(Roadmap.number), 0)).where(Roadmap.commune_id == commune_id))


def publish(db: Session, commune: Commune, user, note: str, seen: int | None = None) -> Roadmap:
    """Publish the next version of the commune's roadmap in the caller's transaction, with its
    journal entry (the followers get it in their digest). `seen`: the number of the latest
    version the form was shown with; another version published since (a double submit, two
    people at once) is refused rather than published twice. Refused (French) when no sheet is
    validated, the note is missing or too long, or the number was taken meanwhile."""
    # The commune's row is locked (PostgreSQL; SQLite serialises writers): the next number is ours.
    db.execute(select(Commune.id).where(Commune.id == commune.id).with_for_update())
    number = latest_number(db, commune.id) + 1
    if seen is not None and seen != number - 1:
        raise Stale(f"La version {number - 1} vient d’être publiée (par vous ou quelqu’un d’autre) : "
                      "rien n’a été publié de plus. Rechargez la page.")
    note = clean_note(note, number)
    built = preview(db, commune)
    if not built["actions"]:
        raise Refused("Aucune fiche action n’est validée : la feuille de route réunit les fiches validées. "
                      "Validez au moins une fiche avant de publier.")
    at = utcnow()
    built.update(version=number, published_at=at.isoformat(timespec="seconds"), note=note,
                 geography=geography_of(commune))
    roadmap = Roadmap(commune_id=commune.id, number=number, title=f"Feuille de route de {commune.name}",
                      note=note, snapshot=json.dumps(built, ensure_ascii=False, sort_keys=True),
                      author_id=getattr(user, "id", None), author_name=getattr(user, "display_name", "") or "",
                      published_at=at)
    try:
        with db.begin_nested():
            db.add(roadmap)
    except IntegrityError:
        raise Stale("Une autre version vient d’être publiée au même moment : rechargez la page.") from None
    journal.record(db, commune.id, JOURNAL_KIND, journal_title(number, commune),
                   journal_text(commune, built), published_at=at)
    return roadmap


# About 2 m: finer than the printed map's line, and a commune's boundary a few kilobytes.
MAP_TOLERANCE = 0.00002


def geography_of(commune: Commune) -> dict:
    """The commune's boundary and study perimeter as the version is published with them (GeoJSON
    geometries, simplified): its map stays the one the council saw, whatever they become."""
    def frozen(text: str | None) -> dict | None:
        if not text:
            return None
        try:
            shape = from_geojson(text).simplify(MAP_TOLERANCE, preserve_topology=True)
        except GeometryError:
            return None
        return json.loads(to_geojson(shape, precision=6))

    return {"boundary": frozen(commune.boundary), "perimeter": frozen(commune.perimeter)}


def journal_title(number: int, commune: Commune) -> str:
    if number == 1:
        return f"La feuille de route de {commune.name} est publiée"
    return f"Feuille de route de {commune.name} : version {number} publiée"


def journal_text(commune: Commune, built: dict) -> str:
    totals = built["totals"]
    count = totals["actions"]
    euros = sheet_rules.euros(round(totals["cost_cents"] / 100) * 100)  # whole euros
    lines = [f"{count} action{'s' if count > 1 else ''}, pour un coût estimé de {euros} HT."]
    if built["note"]:
        lines.append("> " + "\n> ".join(built["note"].splitlines()))
    lines.append(f"[La feuille de route](/communes/{commune.slug}/feuille-de-route/{built['version']})")
    return "\n\n".join(lines)


def latest(db: Session, commune_id: int) -> Roadmap | None:
    return db.scalar(select(Roadmap).where(Roadmap.commune_id == commune_id)
                     .order_by(Roadmap.number.desc()).limit(1))


def version_of(db: Session, commune_id: int, number: int) -> Roadmap | None:
    return db.scalar(select(Roadmap).where(Roadmap.commune_id == commune_id, Roadmap.number == number))


def versions(db: Session, commune_id: int) -> list[Roadmap]:
    """Every published version, newest first (the PDF column is deferred: not read)."""
    return list(db.scalars(select(Roadmap).where(Roadmap.commune_id == commune_id).order_by(Roadmap.number.desc())))


def snapshot_of(roadmap: Roadmap) -> dict:
    return json.loads(roadmap.snapshot)


def stored_pdf(db: Session, roadmap_id: int) -> bytes | None:
    return db.scalar(select(Roadmap.pdf).where(Roadmap.id == roadmap_id))


def store_pdf(db: Session, roadmap_id: int, pdf: bytes, pages: int) -> None:
    """Keep a version's PDF (once: a PDF already there stays). A plain UPDATE: no page shows it, so
    it bumps no version."""
    db.execute(update(Roadmap).where(Roadmap.id == roadmap_id, Roadmap.pdf.is_(None)).values(pdf=pdf, pdf_pages=pages))
