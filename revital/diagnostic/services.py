"""Stakes and the synthesis in the database.

Stakes are written from what was said: a selection of the commune's published contributions (each
checked to belong to the commune and be published), a workshop, a student observation or a
published proposal of the same commune, all kept as lineage links (revital.lineage). A synthesis is
a draft until published; publishing freezes the stakes, with their sources and counts, and the
figures of participation in its `snapshot`, so that a published version reads the same forever. A
new draft after a publication starts as a copy of it."""

import json

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from revital.communes.models import Commune
from revital.contributions import notices
from revital.contributions import rules as contribution_rules
from revital.contributions.models import Contribution
from revital.contributions.services import categories_of
from revital.db import utcnow
from revital.formatting import day_fr, paris
from revital.lineage import rules as lineage_rules
from revital.lineage import services as lineage
from revital.lineage.models import CONTRIBUTION, OBSERVATION, PROPOSAL, STAKE, WORKSHOP
from revital.diagnostic import rules
from revital.diagnostic.models import Stake, Synthesis
from revital.students import rules as student_rules
from revital.students.models import Observation, Proposal, StudentWeek
from revital.workshops import rules as workshop_rules
from revital.workshops.models import Workshop

PUBLISHED = contribution_rules.PUBLISHED
SOURCE_KINDS = (CONTRIBUTION, WORKSHOP, OBSERVATION, PROPOSAL)
SELECTION_PAGE = 100  # contributions shown at once in the selection list

NOT_SELECTABLE = ("La sélection contient une contribution qui n’existe pas dans cette commune ou qui n’est pas "
                  "publiée : rien n’a été enregistré.")
NO_SOURCE = {
    WORKSHOP: "Cet atelier n’existe pas dans cette commune, ou il n’est pas public.",
    OBSERVATION: "Cette observation des étudiants n’existe pas dans cette commune.",
    PROPOSAL: "Cette proposition des étudiants n’existe pas dans cette commune ou n’est pas publiée.",
}


# --- stakes -----------------------------------------------------------------------------------

def stakes_of(db: Session, commune_id: int) -> list[Stake]:
    return list(db.scalars(select(Stake).where(Stake.commune_id == commune_id)
                           .order_by(Stake.theme, Stake.afom, Stake.id)))


def stake_count(db: Session, commune_id: int) -> int:
    return db.scalar(select(func.count()).select_from(Stake).where(Stake.commune_id == commune_id))


def stake_in(db: Session, commune_id: int, stake_id: int) -> Stake | None:
    return db.scalar(select(Stake).where(Stake.id == stake_id, Stake.commune_id == commune_id))


def lock(db: Session, model, item_id: int) -> int | None:
    """Lock a stake's or a synthesis' row (PostgreSQL; SQLite serialises its writers); its version."""
    return db.scalar(select(model.version).where(model.id == item_id).with_for_update())


def selectable_query(commune_id: int, kind: str = "", theme: str = ""):
    query = select(Contribution).where(Contribution.commune_id == commune_id, Contribution.status == PUBLISHED)
    if kind:
        query = query.where(Contribution.kind == kind)
    if theme:
        query = query.where(Contribution.category == theme)
    return query


def selectable(db: Session, commune_id: int, kind: str = "", theme: str = "", before: int | None = None,
               limit: int = SELECTION_PAGE) -> tuple[list[Contribution], bool]:
    """The commune's published contributions that a selection may tick, newest first, `limit` at
    a time (older than `before`); and whether older ones remain."""
    query = selectable_query(commune_id, kind, theme)
    if before is not None:
        query = query.where(Contribution.id < before)
    rows = list(db.scalars(query.order_by(Contribution.id.desc()).limit(limit + 1)))
    return rows[:limit], len(rows) > limit


def check_selection(db: Session, commune_id: int, ids: list[int]) -> str | None:
    """None if every id is a published contribution of the commune, else the French refusal."""
    if not ids:
        return "Cochez au moins une contribution dans la liste."
    found = set(db.scalars(select(Contribution.id).where(Contribution.id.in_(ids), Contribution.commune_id == commune_id,
                                                         Contribution.status == PUBLISHED)))
    return None if found == set(ids) else NOT_SELECTABLE


def published_in(db: Session, commune_id: int, ids: list[int]) -> list[Contribution]:
    """The published contributions of the commune among ids, in the order of ids."""
    found = {c.id: c for c in db.scalars(selectable_query(commune_id).where(Contribution.id.in_(ids)))}
    return [found[i] for i in ids if i in found]


def write_stake(stake: Stake, fields: rules.StakeFields) -> None:
    for name in ("theme", "afom", "title", "text", "priority"):
        setattr(stake, name, getattr(fields, name))
    stake.updated_at = utcnow()
    stake.version = (stake.version or 0) + 1


def create_stake(db: Session, commune_id: int, fields: rules.StakeFields, contribution_ids: list[int],
                 user_id: int | None, base_url: str | None = None) -> Stake:
    """A new stake with these contributions as sources (checked by the caller: check_selection)."""
    stake = Stake(commune_id=commune_id, created_by=user_id, version=0)
    write_stake(stake, fields)
    db.add(stake)
    db.flush()
    add_contributions(db, stake, contribution_ids, user_id, base_url)
    return stake


def add_contributions(db: Session, stake: Stake, contribution_ids: list[int], user_id: int | None,
                      base_url: str | None = None) -> int:
    """Link contributions (checked by the caller) to the stake; how many were new. With base_url,
    the authors of the newly linked ones who left an address are told (their daily digest)."""
    new = [i for i in contribution_ids if lineage.link(db, stake.commune_id, STAKE, stake.id, CONTRIBUTION, i, user_id)]
    added = len(new)
    if new and base_url:
        slug = db.scalar(select(Commune.slug).where(Commune.id == stake.commune_id))
        for contribution in db.scalars(select(Contribution).where(Contribution.id.in_(new))):
            notices.notify(db, contribution, notices.STAKE,
                           f"« {contribution.title} » nourrit un enjeu du diagnostic : « {stake.title} ». "
                           f"{notices.contribution_url(base_url, slug, contribution.id)}")
    if added:
        stake.updated_at = utcnow()
        stake.version += 1
        db.flush()
    return added


def source_problem(db: Session, commune_id: int, kind: str, source_id: int) -> str | None:
    """None if the workshop (public, not cancelled), observation or published proposal belongs to
    the commune; else the French refusal."""
    if kind == WORKSHOP:
        found = db.scalar(select(Workshop.id).where(Workshop.id == source_id, Workshop.commune_id == commune_id,
                                                    Workshop.public.is_(True),
                                                    Workshop.status != workshop_rules.CANCELLED))
    elif kind == OBSERVATION:
        found = db.scalar(select(Observation.id).join(StudentWeek, StudentWeek.id == Observation.week_id)
                          .where(Observation.id == source_id, StudentWeek.commune_id == commune_id))
    elif kind == PROPOSAL:
        found = db.scalar(select(Proposal.id).join(StudentWeek, StudentWeek.id == Proposal.week_id)
                          .where(Proposal.id == source_id, StudentWeek.commune_id == commune_id,
                                 Proposal.status == student_rules.PUBLISHED))
    elif kind == CONTRIBUTION:
        return check_selection(db, commune_id, [source_id])
    else:
        return "Cette source n’est pas de celles qu’un enjeu peut citer."
    return None if found is not None else NO_SOURCE[kind]


def add_source(db: Session, stake: Stake, kind: str, source_id: int, user_id: int | None) -> bool:
    added = lineage.link(db, stake.commune_id, STAKE, stake.id, kind, source_id, user_id)
    if added:
        stake.updated_at = utcnow()
        stake.version += 1
        db.flush()
    return added


def remove_source(db: Session, stake: Stake, kind: str, source_id: int) -> bool:
    removed = lineage.unlink(db, STAKE, stake.id, kind, source_id)
    if removed:
        stake.updated_at = utcnow()
        stake.version += 1
        db.flush()
    return removed


def delete_stake(db: Session, stake: Stake) -> None:
    lineage.forget(db, STAKE, stake.id)
    db.delete(stake)
    db.flush()


def source_choices(db: Session, commune_id: int) -> dict[str, list[tuple[int, str]]]:
    """What a stake may cite besides contributions: the commune's public workshops (not cancelled),
    its students' observations and published proposals, as (id, label)."""
    workshops = db.execute(select(Workshop.id, Workshop.title, Workshop.starts_at).where(
        Workshop.commune_id == commune_id, Workshop.public.is_(True), Workshop.status != workshop_rules.CANCELLED)
        .order_by(Workshop.starts_at.desc()).limit(200)).all()
    observations = db.execute(select(Observation.id, Observation.title).join(StudentWeek)
                              .where(StudentWeek.commune_id == commune_id).order_by(Observation.id).limit(500)).all()
    proposals = db.execute(select(Proposal.id, Proposal.title).join(StudentWeek)
                           .where(StudentWeek.commune_id == commune_id, Proposal.status == student_rules.PUBLISHED)
                           .order_by(Proposal.id).limit(200)).all()
    return {
        WORKSHOP: [(i, f"{title} ({lineage_rules.day_month(paris(starts).date())} {paris(starts).year})")
                   for i, title, starts in workshops],
        OBSERVATION: [(i, title) for i, title in observations],
        PROPOSAL: [(i, title) for i, title in proposals],
    }


# --- what the pages show of the stakes ----------------------------------------------------------

def source_details(db: Session, slug: str, sources: dict[int, dict[str, list[int]]]) -> dict[tuple[str, int], dict]:
    """{(kind, id): {"title", "url", "date"}} of every source named in `sources` (one query per
    kind); only public sources are described (a source that stopped being public is left out)."""
    wanted: dict[str, set[int]] = {}
    for by_kind in sources.values():
        for kind, ids in by_kind.items():
            wanted.setdefault(kind, set()).update(ids)
    found: dict[tuple[str, int], dict] = {}
    if wanted.get(CONTRIBUTION):
        for i, title, lon, lat in db.execute(select(Contribution.id, Contribution.title, Contribution.lon, Contribution.lat)
                                             .where(Contribution.id.in_(wanted[CONTRIBUTION]),
                                                    Contribution.status == PUBLISHED)):
            found[(CONTRIBUTION, i)] = {"title": title, "url": f"/communes/{slug}/contributions/{i}", "date": None,
                                        "lon": lon, "lat": lat}
    if wanted.get(WORKSHOP):
        for i, title, starts in db.execute(select(Workshop.id, Workshop.title, Workshop.starts_at)
                                           .where(Workshop.id.in_(wanted[WORKSHOP]), Workshop.public.is_(True))):
            found[(WORKSHOP, i)] = {"title": title, "url": f"/communes/{slug}/ateliers/{i}",
                                    "date": paris(starts).date()}
    if wanted.get(OBSERVATION):
        for i, title in db.execute(select(Observation.id, Observation.title).where(Observation.id.in_(wanted[OBSERVATION]))):
            found[(OBSERVATION, i)] = {"title": title, "url": f"/communes/{slug}/etudiants", "date": None}
    if wanted.get(PROPOSAL):
        for i, title in db.execute(select(Proposal.id, Proposal.title).where(
                Proposal.id.in_(wanted[PROPOSAL]), Proposal.status == student_rules.PUBLISHED)):
            found[(PROPOSAL, i)] = {"title": title, "url": f"/communes/{slug}/etudiants#proposition-{i}", "date": None}
    return found


def views(db: Session, commune: Commune, stakes: list[Stake]) -> list[dict]:
    """The stakes as the pages, the open data and the snapshot show them: plain dicts with their
    public sources (ids by kind, each with its title and address), their counts and the sentence
    that words them ("né de 3 contributions et de l’atelier du 12 mars")."""
    themes = categories_of(commune)
    sources = lineage.sources_of(db, STAKE, [s.id for s in stakes])
    details = source_details(db, commune.slug, sources)
    found = []
    for stake in stakes:
        public = {kind: [i for i in ids if (kind, i) in details] for kind, ids in sources.get(stake.id, {}).items()}
        public = {kind: ids for kind, ids in public.items() if ids and kind in SOURCE_KINDS}
        counts = {kind: len(ids) for kind, ids in public.items()}
        dates = [details[(WORKSHOP, i)]["date"] for i in public.get(WORKSHOP, [])]
        found.append({
            "id": stake.id, "theme": stake.theme, "theme_label": themes.get(stake.theme, stake.theme),
            "afom": stake.afom, "afom_label": rules.AFOM.get(stake.afom, stake.afom), "title": stake.title,
            "text": stake.text, "priority": stake.priority,
            "sources": {kind: [{"id": i, **{k: v for k, v in details[(kind, i)].items() if k != "date"},
                                "date": details[(kind, i)]["date"].isoformat() if details[(kind, i)]["date"] else None,
                                "when": day_fr(details[(kind, i)]["date"]) if details[(kind, i)]["date"] else ""}
                               for i in ids] for kind, ids in public.items()},
            "counts": counts,
            "sentence": lineage_rules.sources_sentence(counts, dates, "né"),
        })
    return found


def still_public(db: Session, slug: str, stakes: list[dict]) -> list[dict]:
    """Frozen stakes (a snapshot's) with the sources that are still public, as they are now: the
    counts and the sentence stay as published, but a contribution hidden or erased since (at its
    author's request, say) is no longer named nor linked."""
    sources = {i: {kind: [item["id"] for item in items] for kind, items in stake.get("sources", {}).items()}
               for i, stake in enumerate(stakes)}
    details = source_details(db, slug, sources)
    return [{**stake, "sources": {kind: [{**item, **details[(kind, item["id"])], "date": item.get("date")}
                                         for item in items if (kind, item["id"]) in details]
                                  for kind, items in stake.get("sources", {}).items()}}
            for stake in stakes]


def figures(db: Session, commune: Commune) -> dict:
    """The figures of participation: published contributions by kind and by theme, the public
    workshops held and closed, the people who came to them, the student weeks and observations."""
    themes = categories_of(commune)
    by_kind = dict(db.execute(select(Contribution.kind, func.count()).where(
        Contribution.commune_id == commune.id, Contribution.status == PUBLISHED).group_by(Contribution.kind)).all())
    by_theme = dict(db.execute(select(Contribution.category, func.count()).where(
        Contribution.commune_id == commune.id, Contribution.status == PUBLISHED).group_by(Contribution.category)).all())
    workshops, participants = db.execute(select(func.count(), func.coalesce(func.sum(Workshop.attendance), 0)).where(
        Workshop.commune_id == commune.id, Workshop.public.is_(True), Workshop.status == workshop_rules.CLOSED)).one()
    weeks = db.scalar(select(func.count()).select_from(StudentWeek).where(StudentWeek.commune_id == commune.id))
    observations = db.scalar(select(func.count()).select_from(Observation).join(StudentWeek)
                             .where(StudentWeek.commune_id == commune.id))
    return {
        "contributions": sum(by_kind.values()),
        "by_kind": [{"kind": k, "label": contribution_rules.KINDS[k], "count": by_kind.get(k, 0)}
                    for k in contribution_rules.KINDS],
        "by_theme": [{"theme": code, "label": themes.get(code, code), "count": n}
                     for code, n in sorted(by_theme.items(), key=lambda item: (-item[1], item[0]))],
        "workshops": int(workshops), "participants": int(participants or 0),
        "student_weeks": int(weeks), "observations": int(observations),
    }


# --- the synthesis ------------------------------------------------------------------------------

def versions_of(db: Session, commune_id: int) -> list[Synthesis]:
    return list(db.scalars(select(Synthesis).where(Synthesis.commune_id == commune_id).order_by(Synthesis.number)))


def version_in(db: Session, commune_id: int, number: int) -> Synthesis | None:
    return db.scalar(select(Synthesis).where(Synthesis.commune_id == commune_id, Synthesis.number == number))


def has_published(db: Session, commune_id: int) -> bool:
    return db.scalar(select(Synthesis.id).where(Synthesis.commune_id == commune_id,
                                                Synthesis.status == rules.PUBLISHED).limit(1)) is not None


def draft_for(db: Session, commune_id: int, user_id: int | None) -> Synthesis:
    """The draft being written, or a new one: the next number, a copy of the latest published
    version's introduction (in the caller's write transaction)."""
    versions = versions_of(db, commune_id)
    draft = rules.draft_of(versions)
    if draft is not None:
        return draft
    latest = rules.latest_published(versions)
    draft = Synthesis(commune_id=commune_id, number=rules.next_number(versions), status=rules.DRAFT,
                      introduction=latest.introduction if latest else "", author_id=user_id)
    db.add(draft)
    db.flush()
    return draft


def save_introduction(synthesis: Synthesis, introduction: str, user_id: int | None) -> None:
    synthesis.introduction = introduction
    synthesis.author_id = user_id
    synthesis.updated_at = utcnow()
    synthesis.version += 1


def snapshot(db: Session, commune: Commune) -> dict:
    """What a published version freezes: the stakes with their sources and counts, and the figures."""
    return {"stakes": views(db, commune, stakes_of(db, commune.id)), "figures": figures(db, commune)}


def publish(db: Session, commune: Commune, synthesis: Synthesis, note: str, user_id: int | None) -> None:
    synthesis.snapshot = json.dumps(snapshot(db, commune), ensure_ascii=False, sort_keys=True)
    synthesis.status = rules.PUBLISHED
    synthesis.note = note
    synthesis.published_at = utcnow()
    synthesis.author_id = user_id
    synthesis.updated_at = synthesis.published_at
    synthesis.version += 1
    db.flush()


def frozen(synthesis: Synthesis) -> dict:
    """A published version's snapshot, read back (an unreadable one reads as empty)."""
    try:
        found = json.loads(synthesis.snapshot or "{}")
    except ValueError:
        found = {}
    return {"stakes": found.get("stakes", []), "figures": found.get("figures")}
