"""The partners' review of an action sheet in the database: the commune asks partner organisations
for their opinion on the current version by a date; a partner of an organisation asked gives its
opinion on that version (reservations, a proposed funding line); the commune answers the
reservations, takes or leaves the proposed lines, and validates the sheet (every request answered,
or a written reason), abandons it (a reason) or reopens it. Technical meetings are linked to the
sheets they discussed (lineage: workshop → sheet). The rules are revital.sheets.review_rules; the
e-mails revital.sheets.notices, queued in the same transaction.

Every function works in the caller's transaction and raises Refused (a French sentence) when the
thing cannot be done; nothing is written then."""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from revital.accounts.models import User
from revital.communes.models import Commune, CommunePartner, Organisation
from revital.db import utcnow
from revital.lineage import services as lineage
from revital.lineage.models import SHEET, WORKSHOP
from revital.sheets import notices, review_rules, rules, services, snapshot
from revital.sheets.models import (
    ABANDONED,
    DRAFT,
    REVIEW,
    VALIDATED,
    ActionSheet,
    FundingLine,
    Opinion,
    Reservation,
    ReviewRequest,
)
from revital.workshops.models import Workshop
from revital.workshops.rules import TECHNICAL


class Refused(Exception):
    """What was asked cannot be done; the message says why, in French."""


class Stale(Refused):
    """An opinion on a version that is no longer the current one."""

    def __init__(self, read: int, current: int):
        super().__init__(review_rules.STALE.format(read=read, current=current))
        self.read, self.current = read, current


# --- reading -------------------------------------------------------------------------------------


def partners_of(db: Session, commune_id: int) -> list[Organisation]:
    """The organisations the commune invited, by name."""
    return list(db.scalars(select(Organisation).join(CommunePartner, CommunePartner.organisation_id == Organisation.id)
                           .where(CommunePartner.commune_id == commune_id).order_by(Organisation.name)))


def requests_of(db: Session, sheet: ActionSheet) -> list[tuple[ReviewRequest, Organisation]]:
    return list(db.execute(select(ReviewRequest, Organisation)
                           .join(Organisation, Organisation.id == ReviewRequest.organisation_id)
                           .where(ReviewRequest.sheet_id == sheet.id).order_by(Organisation.name)))


def asked_ids(db: Session, sheet: ActionSheet) -> set[int]:
    return set(db.scalars(select(ReviewRequest.organisation_id).where(ReviewRequest.sheet_id == sheet.id)))


def request_for(db: Session, sheet: ActionSheet, organisation_id: int) -> ReviewRequest | None:
    return db.scalar(select(ReviewRequest).where(ReviewRequest.sheet_id == sheet.id,
                                                 ReviewRequest.organisation_id == organisation_id))


def unanswered(db: Session, sheet: ActionSheet) -> list[str]:
    """The names of the organisations asked that have not answered (on any version)."""
    return [org.name for request, org in requests_of(db, sheet) if request.answered_at is None]


@dataclass
class OpinionView:
    opinion: Opinion
    organisation: str
    verdict: str  # its French label
    author: str  # for the commune and the partner only
    reservations: list[Reservation]
    proposed: list[FundingLine]


def opinions_of(db: Session, sheet: ActionSheet, organisation_id: int | None = None) -> list[OpinionView]:
    """The opinions given on the sheet (newest first), with their reservations and proposed lines;
    only one organisation's when organisation_id is given."""
    query = (select(Opinion, Organisation.name, User.display_name)
             .join(Organisation, Organisation.id == Opinion.organisation_id)
             .outerjoin(User, User.id == Opinion.author_id).where(Opinion.sheet_id == sheet.id))
    if organisation_id is not None:
        query = query.where(Opinion.organisation_id == organisation_id)
    rows = db.execute(query.order_by(Opinion.created_at.desc(), Opinion.id.desc())).all()
    ids = [opinion.id for opinion, _, _ in rows]
    reservations: dict[int, list] = {i: [] for i in ids}
    proposed: dict[int, list] = {i: [] for i in ids}
    if ids:
        for r in db.scalars(select(Reservation).where(Reservation.opinion_id.in_(ids)).order_by(Reservation.id)):
            reservations[r.opinion_id].append(r)
        for line in db.scalars(select(FundingLine).where(FundingLine.proposed_by_opinion_id.in_(ids))
                               .order_by(FundingLine.id)):
            proposed[line.proposed_by_opinion_id].append(line)
    return [OpinionView(opinion, name, rules.VERDICT_LABELS.get(opinion.verdict, opinion.verdict), author or "",
                        reservations[opinion.id], proposed[opinion.id]) for opinion, name, author in rows]


def public_opinions(db: Session, sheet: ActionSheet, any_status: bool = False) -> list[dict]:
    """The opinions as the public sees them on a validated sheet's page, oldest first: the
    organisation's name, the verdict's label, the comments, the version it was given on, and the
    reservations with the commune's answers. Never the author's name. Empty unless validated
    (`any_status`: for those who may see every sheet, on a sheet still in review)."""
    if sheet.status != VALIDATED and not any_status:
        return []
    return [{"organisation": view.organisation, "verdict": view.opinion.verdict, "verdict_label": view.verdict,
             "comments": view.opinion.comments, "version": view.opinion.version,
             "given_on": view.opinion.created_at,
             "reservations": [{"text": r.text, "answer": r.answer, "addressed": r.addressed_at is not None}
                              for r in view.reservations]}
            for view in reversed(opinions_of(db, sheet))]


def reservation_in(db: Session, sheet: ActionSheet, reservation_id: int) -> Reservation | None:
    return db.scalar(select(Reservation).where(Reservation.id == reservation_id, Reservation.sheet_id == sheet.id))


def proposed_line_in(db: Session, sheet: ActionSheet, line_id: int) -> FundingLine | None:
    return db.scalar(select(FundingLine).where(FundingLine.id == line_id, FundingLine.sheet_id == sheet.id,
                                               FundingLine.proposed_by_opinion_id.is_not(None)))


def version_snapshot(db: Session, sheet: ActionSheet, number: int) -> dict | None:
    version = services.version_in(db, sheet, number)
    return snapshot.loads(version.snapshot) if version else None


def current_snapshot(db: Session, sheet: ActionSheet) -> dict:
    """The current version as frozen (what an opinion is given on), or the sheet as it is before any."""
    return version_snapshot(db, sheet, sheet.version) or snapshot.load(db, sheet)


def changes_since(db: Session, sheet: ActionSheet, number: int | None) -> list[rules.Change]:
    """What changed from version `number` to the current one (nothing when it is the current one)."""
    if not number or number >= sheet.version:
        return []
    old = version_snapshot(db, sheet, number)
    return rules.compare(old, current_snapshot(db, sheet)) if old else []


def last_reviewed(db: Session, sheet: ActionSheet, organisation_id: int) -> int | None:
    """The version of the organisation's latest opinion on the sheet."""
    return db.scalar(select(Opinion.version).where(Opinion.sheet_id == sheet.id,
                                                   Opinion.organisation_id == organisation_id)
                     .order_by(Opinion.created_at.desc(), Opinion.id.desc()).limit(1))


# --- the partner's lists (its page) --------------------------------------------------------------


@dataclass
class Awaiting:
    request: ReviewRequest
    sheet: ActionSheet
    commune: Commune
    overdue: bool


def awaiting(db: Session, organisation: Organisation, today: date) -> list[Awaiting]:
    """The sheets awaiting the organisation's opinion, in the communes that invited it, overdue first
    then by due date."""
    rows = db.execute(select(ReviewRequest, ActionSheet, Commune)
                      .join(ActionSheet, ActionSheet.id == ReviewRequest.sheet_id)
                      .join(Commune, Commune.id == ActionSheet.commune_id)
                      .join(CommunePartner, (CommunePartner.commune_id == Commune.id)
                            & (CommunePartner.organisation_id == organisation.id))
                      .where(ReviewRequest.organisation_id == organisation.id, ReviewRequest.answered_at.is_(None),
                             ActionSheet.status == REVIEW))
    found = [Awaiting(r, s, c, review_rules.overdue(r.due_on, False, today)) for r, s, c in rows]
    return sorted(found, key=lambda a: (review_rules.order_key(a.request.due_on, False, today), a.commune.name,
                                        a.sheet.number))


def given(db: Session, organisation: Organisation) -> list[tuple[Opinion, ActionSheet, Commune]]:
    """The opinions the organisation gave, newest first, in the communes that still invite it."""
    return list(db.execute(select(Opinion, ActionSheet, Commune)
                           .join(ActionSheet, ActionSheet.id == Opinion.sheet_id)
                           .join(Commune, Commune.id == ActionSheet.commune_id)
                           .join(CommunePartner, (CommunePartner.commune_id == Commune.id)
                                 & (CommunePartner.organisation_id == organisation.id))
                           .where(Opinion.organisation_id == organisation.id)
                           .order_by(Opinion.created_at.desc(), Opinion.id.desc())))


# --- the commune asks ----------------------------------------------------------------------------


def ask(db: Session, sheet: ActionSheet, organisation_ids, due_on: date, message: str, user_id: int | None,
        base_url: str = "", today: date | None = None) -> list[ReviewRequest]:
    """Ask organisations for their opinion on the current version by due_on (the first request
    freezes version 1); asked again, a request moves to the current version and the new date. Only
    the commune's partners; a draft goes into review. One e-mail to each partner account."""
    if sheet.status in (VALIDATED, ABANDONED):
        raise Refused("Cette fiche est " + rules.STATUS_LABELS[sheet.status].lower()
                      + " : rouvrez-la avant de solliciter des avis.")
    wanted = set(organisation_ids)
    partners = {org.id: org for org in partners_of(db, sheet.commune_id)}
    if not wanted:
        raise Refused(review_rules.NO_ORGANISATION)
    if wanted - set(partners):
        raise Refused(review_rules.NOT_PARTNERS)
    services.lock(db, sheet)
    if sheet.status == DRAFT:
        sheet.status = REVIEW
        services.touched(sheet)
    if sheet.version == 0:
        services.record_version(db, sheet, "demande d’avis", user_id)
    now = utcnow()
    today = today or review_rules.today_in_paris(now)
    commune = db.get(Commune, sheet.commune_id)
    made = []
    for organisation_id in sorted(wanted):
        request = request_for(db, sheet, organisation_id)
        if request is None:
            request = ReviewRequest(commune_id=sheet.commune_id, sheet_id=sheet.id, organisation_id=organisation_id)
            db.add(request)
        request.version = sheet.version
        request.due_on = due_on
        request.message = message
        request.requested_by = user_id
        request.requested_at = now
        request.answered_at = None
        request.reminded_at = now if review_rules.reminded_by_asking(due_on, today) else None
        db.flush()
        notices.tell_asked(db, base_url, commune, sheet, partners[organisation_id], request)
        made.append(request)
    return made


# --- a partner gives its opinion -----------------------------------------------------------------


def give_opinion(db: Session, sheet: ActionSheet, organisation: Organisation, user, version: int, verdict: str,
                 comments: str, reservations: list[str], proposed_line: dict | None,
                 base_url: str = "") -> Opinion:
    """The organisation's opinion on version `version`, which must be the current one (Stale
    otherwise); each reservation becomes a Reservation, a proposed line (funder, scheme,
    amount_cents or amount as typed, year) a FundingLine outside the plan until the commune takes
    it. The request is answered; the commune's accounts get an e-mail."""
    if sheet.status in (VALIDATED, ABANDONED):
        raise Refused(review_rules.CLOSED[sheet.status])
    request = request_for(db, sheet, organisation.id)
    if request is None:
        raise Refused(review_rules.NOT_ASKED)
    if verdict not in rules.VERDICT_LABELS:
        raise Refused(review_rules.NO_VERDICT)
    services.lock(db, sheet)
    db.refresh(sheet)
    if version != sheet.version:
        raise Stale(version, sheet.version)
    # Under the sheet's lock: the same form sent twice (a double click, a retried request) is one opinion.
    if db.scalar(select(Opinion.id).where(Opinion.sheet_id == sheet.id, Opinion.organisation_id == organisation.id,
                                          Opinion.version == version).limit(1)) is not None:
        raise Refused(review_rules.ALREADY_GIVEN.format(version=version))
    user_id = getattr(user, "id", user)
    opinion = Opinion(commune_id=sheet.commune_id, sheet_id=sheet.id, request_id=request.id,
                      organisation_id=organisation.id, version=version, verdict=verdict, comments=comments,
                      author_id=user_id)
    db.add(opinion)
    db.flush()
    for text in reservations:
        db.add(Reservation(commune_id=sheet.commune_id, sheet_id=sheet.id, opinion_id=opinion.id, text=text))
    if proposed_line:
        cents = proposed_line.get("amount_cents")
        if cents is None:
            try:
                cents = rules.parse_euros(str(proposed_line.get("amount", "")))
            except ValueError as problem:
                raise Refused(str(problem)) from problem
        db.add(FundingLine(commune_id=sheet.commune_id, sheet_id=sheet.id, organisation_id=organisation.id,
                           funder=proposed_line["funder"], scheme=proposed_line.get("scheme") or "",
                           amount_cents=cents, year=proposed_line.get("year"), accepted=False,
                           proposed_by_opinion_id=opinion.id, position=10**6))
    request.answered_at = utcnow()
    db.flush()
    notices.tell_opinion(db, base_url, db.get(Commune, sheet.commune_id), sheet, organisation, opinion,
                         list(reservations))
    return opinion


# --- the commune answers -------------------------------------------------------------------------


def answer_reservation(db: Session, reservation: Reservation, answer: str, addressed: bool,
                       user_id: int | None) -> Reservation:
    reservation.answer = answer
    if addressed and reservation.addressed_at is None:
        reservation.addressed_at = utcnow()
    elif not addressed:
        reservation.addressed_at = None
    reservation.answered_by = user_id
    db.flush()
    return reservation


def open_for_changes(sheet: ActionSheet) -> None:
    if sheet.status in (VALIDATED, ABANDONED):
        raise Refused("Cette fiche est " + rules.STATUS_LABELS[sheet.status].lower()
                      + " : rouvrez-la avant de changer son plan de financement.")


def accept_line(db: Session, sheet: ActionSheet, line: FundingLine, user_id: int | None) -> None:
    """A proposed line joins the funding plan: the plan changed, so the sheet gets a new version."""
    open_for_changes(sheet)
    services.lock(db, sheet)
    line.accepted = True
    services.touched(sheet)
    if sheet.version > 0:
        services.record_version(db, sheet, "financement", user_id)


def decline_line(db: Session, sheet: ActionSheet, line: FundingLine) -> None:
    """A proposed line the commune does not take: it goes (the opinion keeps its comments)."""
    open_for_changes(sheet)
    if line.accepted:
        raise Refused("Cette ligne est déjà dans le plan de financement : retirez-la depuis la fiche.")
    db.delete(line)
    db.flush()


def validate(db: Session, sheet: ActionSheet, user_id: int | None, reason: str = "") -> None:
    problem = review_rules.validation_problem(sheet.status, unanswered(db, sheet), reason)
    if problem:
        raise Refused(problem)
    services.lock(db, sheet)
    sheet.status = VALIDATED
    sheet.status_reason = reason.strip()
    sheet.validated_at = utcnow()
    sheet.abandoned_at = None
    services.touched(sheet)


def abandon(db: Session, sheet: ActionSheet, reason: str) -> None:
    if sheet.status not in (DRAFT, REVIEW):
        raise Refused(review_rules.NOT_IN_REVIEW)
    if not reason.strip():
        raise Refused(review_rules.NO_REASON)
    services.lock(db, sheet)
    sheet.status = ABANDONED
    sheet.status_reason = reason.strip()
    sheet.abandoned_at = utcnow()
    services.touched(sheet)


def reopen(db: Session, sheet: ActionSheet) -> None:
    """A validated or abandoned sheet goes back into review (a draft if no version was ever made)."""
    if sheet.status not in (VALIDATED, ABANDONED):
        raise Refused(review_rules.NOT_CLOSED)
    services.lock(db, sheet)
    sheet.status = REVIEW if sheet.version > 0 else DRAFT
    sheet.status_reason = ""
    sheet.validated_at = sheet.abandoned_at = None
    services.touched(sheet)


# --- technical meetings --------------------------------------------------------------------------


def technical_meetings(db: Session, commune_id: int) -> list[Workshop]:
    return list(db.scalars(select(Workshop).where(Workshop.commune_id == commune_id, Workshop.kind == TECHNICAL)
                           .order_by(Workshop.starts_at.desc(), Workshop.id.desc())))


def linked_meetings(db: Session, sheet: ActionSheet) -> list[Workshop]:
    ids = lineage.sources_of(db, SHEET, [sheet.id]).get(sheet.id, {}).get(WORKSHOP, [])
    if not ids:
        return []
    return list(db.scalars(select(Workshop).where(Workshop.id.in_(ids), Workshop.kind == TECHNICAL)
                           .order_by(Workshop.starts_at, Workshop.id)))


def meeting_in(db: Session, commune_id: int, workshop_id: int) -> Workshop | None:
    return db.scalar(select(Workshop).where(Workshop.id == workshop_id, Workshop.commune_id == commune_id,
                                            Workshop.kind == TECHNICAL))


def link_meeting(db: Session, sheet: ActionSheet, workshop: Workshop, user_id: int | None) -> bool:
    return lineage.link(db, sheet.commune_id, SHEET, sheet.id, WORKSHOP, workshop.id, user_id)


def unlink_meeting(db: Session, sheet: ActionSheet, workshop: Workshop) -> bool:
    return lineage.unlink(db, SHEET, sheet.id, WORKSHOP, workshop.id)
