"""Calls and applications in the database: create and edit a call, apply, attach, score, decide,
publish the results (which engages the selected communes)."""

import hashlib
import secrets
from datetime import date

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from revital.calls import rules
from revital.calls.models import Application, ApplicationDocument, ApplicationScore, Call
from revital.communes.models import Commune
from revital.db import utcnow
from revital.documents import MAX_DOCUMENT, DocumentRefused, check_pdf  # noqa: F401 - the calls' controllers use them
from revital.formatting import paris

MAX_DOCUMENTS = 10
ALREADY = ("{commune} a déjà une candidature à cet appel : reprenez-la avec le lien envoyé à l’agent "
           "qui l’a commencée, ou demandez-le au coordinateur du territoire.")


def today() -> date:
    return paris(utcnow()).date()


def state_of(call: Call, on: date | None = None) -> str:
    return rules.state(call.opens_on, call.closes_on, on or today(), call.results_published_at is not None)


def calls_of(db: Session, territory_id: int) -> list[Call]:
    return list(db.scalars(select(Call).where(Call.territory_id == territory_id)
                           .order_by(Call.opens_on.desc(), Call.id.desc())))


def open_calls(db: Session) -> dict[int, list[Call]]:
    """The calls open today, by territory."""
    day = today()
    found: dict[int, list[Call]] = {}
    for call in db.scalars(select(Call).where(Call.opens_on <= day, Call.closes_on >= day,
                                              Call.results_published_at.is_(None)).order_by(Call.closes_on)):
        found.setdefault(call.territory_id, []).append(call)
    return found


def call_in(db: Session, territory_id: int, call_id: int) -> Call | None:
    return db.scalar(select(Call).where(Call.id == call_id, Call.territory_id == territory_id))


def save_call(db: Session, call: Call | None, territory_id: int, fields: rules.CallFields) -> Call:
    if call is None:
        call = Call(territory_id=territory_id)
        db.add(call)
    call.title, call.text = fields.title, fields.text
    call.criteria, call.documents = "\n".join(fields.criteria), "\n".join(fields.documents)
    call.opens_on, call.closes_on = fields.opens_on, fields.closes_on
    call.updated_at = utcnow()
    db.flush()
    return call


def communes_of(db: Session, territory_id: int) -> dict[str, str]:
    """{INSEE code: name} of the territory's communes, in alphabetical order."""
    rows = db.execute(select(Commune.insee, Commune.name).where(Commune.territory_id == territory_id)
                      .order_by(Commune.name)).all()
    return {insee: name for insee, name in rows}


def commune_by_insee(db: Session, territory_id: int, insee: str) -> Commune | None:
    return db.scalar(select(Commune).where(Commune.territory_id == territory_id, Commune.insee == insee))


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def by_token(db: Session, call: Call, token: str) -> Application | None:
    if not token or len(token) > 100:
        return None
    return db.scalar(select(Application).where(Application.call_id == call.id,
                                               Application.resume_hash == hash_token(token)))


def existing(db: Session, call: Call, commune_id: int) -> Application | None:
    return db.scalar(select(Application).where(Application.call_id == call.id, Application.commune_id == commune_id))


def fill(application: Application, values: dict) -> None:
    for name in rules.LONG_FIELDS + rules.PERSON_FIELDS:
        setattr(application, name, values[name])
    application.perimeter = values["perimeter"] if values["perimeter_choice"] == "drawn" else None
    application.updated_at = utcnow()


def start(db: Session, call: Call, commune_id: int, values: dict) -> tuple[Application, str]:
    """A new application (a draft); returns it and the token of the link to go on with it.
    Raises IntegrityError if the commune applied meanwhile (the caller's transaction is over)."""
    token = secrets.token_urlsafe(24)
    application = Application(call_id=call.id, commune_id=commune_id, resume_hash=hash_token(token))
    fill(application, values)
    db.add(application)
    db.flush()
    return application, token


def submit(application: Application) -> None:
    application.status = rules.SUBMITTED
    application.submitted_at = application.submitted_at or utcnow()


def attach(db: Session, application: Application, filename: str, data: bytes) -> ApplicationDocument:
    if len(application.documents) >= MAX_DOCUMENTS:
        raise DocumentRefused(f"{MAX_DOCUMENTS} documents au plus par candidature.")
    document = ApplicationDocument(application=application, filename=check_pdf(filename, data, "enregistrez la délibération en PDF"), size=len(data), data=data)
    db.add(document)
    return document


def detach(db: Session, application: Application, document_id: int) -> bool:
    return db.execute(delete(ApplicationDocument).where(ApplicationDocument.id == document_id,
                                                        ApplicationDocument.application_id == application.id)).rowcount > 0


def document_of(db: Session, call: Call, application_id: int, document_id: int) -> ApplicationDocument | None:
    return db.scalar(select(ApplicationDocument).join(Application)
                     .where(ApplicationDocument.id == document_id, Application.id == application_id,
                            Application.call_id == call.id))


def applications_of(db: Session, call: Call, statuses=(rules.SUBMITTED, rules.SELECTED, rules.DECLINED)) -> list[Application]:
    return list(db.scalars(select(Application).where(Application.call_id == call.id, Application.status.in_(statuses))
                           .join(Commune).order_by(Commune.name)))


def drafts_count(db: Session, call: Call) -> int:
    return db.scalar(select(func.count()).select_from(Application)
                     .where(Application.call_id == call.id, Application.status == rules.DRAFT))


def submitted_counts(db: Session, call_ids: list[int]) -> dict[int, int]:
    """{call id: applications submitted (and decided)}, in one query."""
    rows = db.execute(select(Application.call_id, func.count()).where(Application.call_id.in_(call_ids),
                                                                    Application.status != rules.DRAFT)
                      .group_by(Application.call_id)).all()
    return {call_id: count for call_id, count in rows}


def submitted_in(db: Session, call: Call, application_id: int) -> Application | None:
    """One application of the call that was submitted (a draft is the commune's until then)."""
    return db.scalar(select(Application).where(Application.id == application_id, Application.call_id == call.id,
                                               Application.status != rules.DRAFT))


def scores_by_criterion(application: Application) -> dict[int, ApplicationScore]:
    return {score.criterion: score for score in application.scores}


def set_scores(db: Session, application: Application, scores: dict[int, tuple[int | None, str]]) -> None:
    kept = scores_by_criterion(application)
    for criterion, (value, comment) in scores.items():
        row = kept.get(criterion)
        if row is None:
            row = ApplicationScore(application=application, criterion=criterion)
            db.add(row)
        row.score, row.comment, row.updated_at = value, comment, utcnow()


def decide(application: Application, status: str, reason: str) -> None:
    application.status, application.decision_reason = status, rules.clean_text(reason)
    application.decided_at = utcnow()


def publish_results(db: Session, call: Call, engage) -> list[Application]:
    """Publish the results; `engage(application)` starts the process of each selected commune.
    Returns every decided application, to be told its result."""
    call.results_published_at = utcnow()
    decided = applications_of(db, call)
    for application in decided:
        if application.status == rules.SELECTED:
            engage(application)
    return decided


def erase_email(db: Session, email: str) -> int:
    """Privacy: blank an address wherever an application holds it; returns how many were."""
    count = 0
    for field in ("referent_email", "agent_email"):
        column = getattr(Application, field)
        for application in db.scalars(select(Application).where(column == email)):
            setattr(application, field, "")
            count += 1
    return count

