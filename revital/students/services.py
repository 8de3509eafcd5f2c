"""Student weeks in the database: the weeks of a commune and of a person, members, observations,
proposals with their images and boards, the public feed of the students' layer, and the erasure of
what names a person."""

import json

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session, selectinload, undefer

from revital.accounts.models import RoleGrant, User
from revital.db import utcnow
from revital.photos.models import Photo
from revital.photos.processing import ProcessedPhoto
from revital.photos.store import store
from revital.students import rules
from revital.students.models import Observation, Proposal, ProposalBoard, ProposalImage, StudentWeek, WeekMember

GRANT_OF = {rules.STUDENT: "student", rules.SUPERVISOR: "supervisor"}  # the commune role each member needs


def weeks_of(db: Session, commune_id: int) -> list[StudentWeek]:
    return list(db.scalars(select(StudentWeek).where(StudentWeek.commune_id == commune_id)
                           .order_by(StudentWeek.starts_on.desc(), StudentWeek.id.desc())))


def has_weeks(db: Session, commune_id: int) -> bool:
    return db.scalar(select(StudentWeek.id).where(StudentWeek.commune_id == commune_id).limit(1)) is not None


def week_in(db: Session, commune_id: int, week_id: int) -> StudentWeek | None:
    return db.scalar(select(StudentWeek).where(StudentWeek.id == week_id, StudentWeek.commune_id == commune_id))


def members_of(db: Session, week: StudentWeek) -> dict[int, str]:
    """{user id: role in the week}."""
    return dict(db.execute(select(WeekMember.user_id, WeekMember.role).where(WeekMember.week_id == week.id)).all())


def member_rows(db: Session, week: StudentWeek) -> list[tuple[WeekMember, User]]:
    return [tuple(r) for r in db.execute(select(WeekMember, User).join(User, User.id == WeekMember.user_id)
                                         .where(WeekMember.week_id == week.id)
                                         .order_by(WeekMember.role, User.display_name)).all()]


def weeks_of_user(db: Session, user_id: int) -> list[tuple[StudentWeek, str]]:
    """The weeks a person is a member of, the latest first, with their role in each (commune loaded)."""
    rows = db.execute(select(StudentWeek, WeekMember.role).join(WeekMember, WeekMember.week_id == StudentWeek.id)
                      .where(WeekMember.user_id == user_id).options(selectinload(StudentWeek.commune))
                      .order_by(StudentWeek.starts_on.desc())).all()
    return [(week, role) for week, role in rows]


def save_week(db: Session, commune_id: int, fields: rules.WeekFields, week: StudentWeek | None = None) -> StudentWeek:
    if week is None:
        week = StudentWeek(commune_id=commune_id)
        db.add(week)
    for name in ("kind", "title", "starts_on", "ends_on", "school", "programme", "team_name", "brief"):
        setattr(week, name, getattr(fields, name))
    week.updated_at = utcnow()
    db.flush()
    return week


def account_for_member(db: Session, commune_id: int, email: str, role: str) -> tuple[User | None, str | None]:
    """The account to add to a week with `role`, or the French reason why it cannot be."""
    user = db.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))
    if user is None:
        return None, ("Aucun compte n’a cette adresse : invitez d’abord la personne depuis l’onglet « Équipe et "
                      "invitations », avec le rôle étudiant·e ou encadrant·e pédagogique.")
    held = db.scalar(select(RoleGrant.id).where(RoleGrant.user_id == user.id, RoleGrant.commune_id == commune_id,
                                                RoleGrant.role == GRANT_OF[role]))
    if held is None:
        label = "étudiant·e" if role == rules.STUDENT else "encadrant·e pédagogique"
        return None, (f"Ce compte n’a pas le rôle {label} dans la commune : invitez-le avec ce rôle depuis l’onglet "
                      "« Équipe et invitations », puis ajoutez-le à la semaine.")
    return user, None


def add_member(db: Session, week: StudentWeek, user: User, role: str) -> bool:
    """Add or change a member; False when the person already had this role in the week."""
    member = db.scalar(select(WeekMember).where(WeekMember.week_id == week.id, WeekMember.user_id == user.id))
    if member is not None and member.role == role:
        return False
    if member is None:
        db.add(WeekMember(week_id=week.id, user_id=user.id, role=role))
    else:
        member.role = role
    db.flush()
    return True


def remove_member(db: Session, week: StudentWeek, member_id: int) -> bool:
    return db.execute(delete(WeekMember).where(WeekMember.id == member_id, WeekMember.week_id == week.id)).rowcount > 0


# --- observations ---------------------------------------------------------------------------


def observations_of(db: Session, week: StudentWeek) -> list[Observation]:
    return list(db.scalars(select(Observation).where(Observation.week_id == week.id)
                           .options(selectinload(Observation.photo)).order_by(Observation.id.desc())))


def observation_by_token(db: Session, token: str) -> Observation | None:
    return db.scalar(select(Observation).where(Observation.token == token)) if token else None


def add_observation(db: Session, week: StudentWeek, author_id: int, values: dict, token: str,
                    photo: ProcessedPhoto | None) -> Observation:
    lon, lat = values["point"]
    observation = Observation(week=week, author_id=author_id, kind=values["kind"], title=values["title"],
                              text=values["text"], lon=lon, lat=lat, token=token or None)
    if photo is not None:
        observation.photo = store(db, photo)
    db.add(observation)
    db.flush()
    return observation


def remove_observation(db: Session, week: StudentWeek, observation_id: int) -> bool:
    observation = db.scalar(select(Observation).where(Observation.id == observation_id, Observation.week_id == week.id))
    if observation is None:
        return False
    photo_id = observation.photo_id
    db.delete(observation)
    db.flush()
    if photo_id:
        db.execute(delete(Photo).where(Photo.id == photo_id))
    return True


# --- proposals ------------------------------------------------------------------------------


def proposals_of(db: Session, week: StudentWeek, statuses=None) -> list[Proposal]:
    query = select(Proposal).where(Proposal.week_id == week.id).order_by(Proposal.id)
    if statuses is not None:
        query = query.where(Proposal.status.in_(statuses))
    return list(db.scalars(query))


def proposal_in(db: Session, week: StudentWeek, proposal_id: int) -> Proposal | None:
    return db.scalar(select(Proposal).where(Proposal.id == proposal_id, Proposal.week_id == week.id)
                     .options(selectinload(Proposal.images).selectinload(ProposalImage.photo),
                              selectinload(Proposal.boards)))


def lock(db: Session, proposal: Proposal) -> int:
    """Lock the proposal's row (PostgreSQL; SQLite writers are serialised already); its version."""
    return db.scalar(select(Proposal.version).where(Proposal.id == proposal.id).with_for_update())


def save_proposal(db: Session, week: StudentWeek, author_id: int, values: dict, location: str | None,
                  point: tuple[float, float] | None, proposal: Proposal | None = None) -> Proposal:
    if proposal is None:
        proposal = Proposal(week=week, author_id=author_id, status=rules.DRAFT)
        db.add(proposal)
    proposal.title, proposal.text = values["title"], values["text"]
    proposal.location = location
    proposal.lon, proposal.lat = point if point else (None, None)
    proposal.updated_at = utcnow()
    proposal.version = (proposal.version or 0) + 1
    db.flush()
    return proposal


def move(proposal: Proposal, target: str, comment: str | None = None) -> None:
    """Apply a transition already allowed by rules.next_status."""
    now = utcnow()
    if target == rules.SUBMITTED:
        proposal.submitted_at = now
    elif target in (rules.CHANGES_REQUESTED, rules.APPROVED) and comment is not None:
        proposal.reviewed_at, proposal.review_comment = now, comment
    elif target == rules.PUBLISHED:
        proposal.published_at = proposal.published_at or now
    proposal.status = target
    proposal.updated_at = now
    proposal.version = (proposal.version or 0) + 1


def add_image(db: Session, proposal: Proposal, processed: ProcessedPhoto, alt: str) -> ProposalImage:
    image = ProposalImage(proposal=proposal, photo=store(db, processed), alt=alt[:200])
    db.add(image)
    return image


def remove_image(db: Session, proposal: Proposal, image_id: int) -> bool:
    image = next((i for i in proposal.images if i.id == image_id), None)
    if image is None:
        return False
    photo_id = image.photo_id
    proposal.images.remove(image)
    db.flush()
    db.execute(delete(Photo).where(Photo.id == photo_id))
    return True


def add_board(db: Session, proposal: Proposal, filename: str, data: bytes) -> ProposalBoard:
    board = ProposalBoard(proposal=proposal, filename=filename, size=len(data), data=data)
    db.add(board)
    return board


def remove_board(db: Session, proposal: Proposal, board_id: int) -> bool:
    return db.execute(delete(ProposalBoard).where(ProposalBoard.id == board_id,
                                                  ProposalBoard.proposal_id == proposal.id)).rowcount > 0


def board_of(db: Session, commune_id: int, board_id: int) -> tuple[ProposalBoard, Proposal, StudentWeek] | None:
    row = db.execute(select(ProposalBoard, Proposal, StudentWeek).join(Proposal, Proposal.id == ProposalBoard.proposal_id)
                     .join(StudentWeek, StudentWeek.id == Proposal.week_id)
                     .where(ProposalBoard.id == board_id, StudentWeek.commune_id == commune_id)
                     .options(undefer(ProposalBoard.data))).first()
    return tuple(row) if row else None


def photo_of(db: Session, commune_id: int, token: str, thumbnail: bool):
    """(photo, proposal or None, week) for a photo of an observation or of a proposal of the commune."""
    column = Photo.thumbnail if thumbnail else Photo.data
    row = db.execute(select(Photo, StudentWeek).join(Observation, Observation.photo_id == Photo.id)
                     .join(StudentWeek, StudentWeek.id == Observation.week_id)
                     .where(Photo.token == token, StudentWeek.commune_id == commune_id).options(undefer(column))).first()
    if row is not None:
        return row[0], None, row[1]
    row = db.execute(select(Photo, Proposal, StudentWeek).join(ProposalImage, ProposalImage.photo_id == Photo.id)
                     .join(Proposal, Proposal.id == ProposalImage.proposal_id)
                     .join(StudentWeek, StudentWeek.id == Proposal.week_id)
                     .where(Photo.token == token, StudentWeek.commune_id == commune_id).options(undefer(column))).first()
    return tuple(row) if row else None


def published_of(db: Session, commune_id: int) -> list[tuple[StudentWeek, list[Proposal]]]:
    """The commune's weeks that have published proposals, the latest first, with those proposals."""
    proposals = db.scalars(select(Proposal).join(StudentWeek, StudentWeek.id == Proposal.week_id)
                           .where(StudentWeek.commune_id == commune_id, Proposal.status == rules.PUBLISHED)
                           .options(selectinload(Proposal.week), selectinload(Proposal.boards),
                                    selectinload(Proposal.images).selectinload(ProposalImage.photo))
                           .order_by(Proposal.published_at, Proposal.id)).all()
    weeks: dict[int, tuple[StudentWeek, list[Proposal]]] = {}
    for proposal in proposals:
        weeks.setdefault(proposal.week_id, (proposal.week, []))[1].append(proposal)
    return sorted(weeks.values(), key=lambda item: (item[0].starts_on, item[0].id), reverse=True)


def observation_count(db: Session, commune_id: int) -> int:
    return db.scalar(select(func.count()).select_from(Observation).join(StudentWeek)
                     .where(StudentWeek.commune_id == commune_id))


def feed(db: Session, commune_id: int) -> bytes:
    """The students' layer of the commune map: every observation (kind, title, team) and every
    published proposal (title, its point or area, its anchor on the public page). No person is named."""
    features = []
    rows = db.execute(select(Observation.id, Observation.kind, Observation.title, Observation.lon, Observation.lat,
                             StudentWeek.id, StudentWeek.team_name)
                      .join(StudentWeek, StudentWeek.id == Observation.week_id)
                      .where(StudentWeek.commune_id == commune_id).order_by(Observation.id)).all()
    for id_, kind, title, lon, lat, week_id, team in rows:
        features.append({"type": "Feature", "id": f"o{id_}",
                         "geometry": {"type": "Point", "coordinates": [round(lon, 5), round(lat, 5)]},
                         "properties": {"kind": "observation", "k": kind, "label": rules.OBSERVATION_KINDS.get(kind, kind),
                                        "title": title, "team": team, "week": week_id}})
    rows = db.execute(select(Proposal.id, Proposal.title, Proposal.location, StudentWeek.id, StudentWeek.team_name)
                      .join(StudentWeek, StudentWeek.id == Proposal.week_id)
                      .where(StudentWeek.commune_id == commune_id, Proposal.status == rules.PUBLISHED,
                             Proposal.location.is_not(None)).order_by(Proposal.id)).all()
    for id_, title, location, week_id, team in rows:
        features.append({"type": "Feature", "id": f"p{id_}", "geometry": json.loads(location),
                         "properties": {"kind": "proposal", "title": title, "team": team, "week": week_id,
                                        "anchor": f"proposition-{id_}"}})
    return json.dumps({"type": "FeatureCollection", "licence": "Licence Ouverte 2.0 (Etalab)", "features": features},
                      ensure_ascii=False, separators=(",", ":")).encode()


# --- personal data --------------------------------------------------------------------------


def personal_rows(db: Session, user_id: int) -> dict[str, list[tuple]]:
    """What names the person in the student weeks: memberships (week, role), observations and
    proposals they wrote (id, commune, title)."""
    from revital.communes.models import Commune

    memberships = db.execute(select(StudentWeek.id, Commune.name, StudentWeek.title, WeekMember.role)
                             .join(WeekMember, WeekMember.week_id == StudentWeek.id)
                             .join(Commune, Commune.id == StudentWeek.commune_id)
                             .where(WeekMember.user_id == user_id).order_by(StudentWeek.id)).all()
    observations = db.execute(select(Observation.id, Commune.name, Observation.title)
                              .join(StudentWeek, StudentWeek.id == Observation.week_id)
                              .join(Commune, Commune.id == StudentWeek.commune_id)
                              .where(Observation.author_id == user_id).order_by(Observation.id)).all()
    proposals = db.execute(select(Proposal.id, Commune.name, Proposal.title)
                           .join(StudentWeek, StudentWeek.id == Proposal.week_id)
                           .join(Commune, Commune.id == StudentWeek.commune_id)
                           .where(Proposal.author_id == user_id).order_by(Proposal.id)).all()
    return {"memberships": [(i, c, t, rules.MEMBER_ROLES.get(r, r)) for i, c, t, r in memberships],
            "observations": [tuple(r) for r in observations], "proposals": [tuple(r) for r in proposals]}


def erase_user(db: Session, user_id: int) -> tuple[int, int, int]:
    """Erasure: the person leaves every week; their observations (with their photos) are deleted;
    their proposals are the team's work and stay, no longer linked to them. (memberships,
    observations, proposals unlinked)."""
    memberships = db.execute(delete(WeekMember).where(WeekMember.user_id == user_id)).rowcount
    observations = db.scalars(select(Observation).where(Observation.author_id == user_id)).all()
    photo_ids = [o.photo_id for o in observations if o.photo_id]
    for observation in observations:
        db.delete(observation)
    db.flush()
    if photo_ids:
        db.execute(delete(Photo).where(Photo.id.in_(photo_ids)))
    unlinked = db.execute(update(Proposal).where(Proposal.author_id == user_id).values(author_id=None)).rowcount
    return memberships, len(observations), unlinked
