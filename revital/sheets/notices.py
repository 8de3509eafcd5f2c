"""What the review of a sheet tells people, through the outbox, in the transaction of what causes it:
a partner organisation's accounts when the commune asks for its opinion, and again three days
before the due date (once: ReviewRequest.reminded_at); the commune's accounts when an opinion
arrives. The reminders are a periodic job of the mail sender (ReminderJob), like the journal's
digests; `revital sheets remind` queues them by hand."""

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from revital import jobs
from revital.accounts.models import RoleGrant, User
from revital.communes.models import Commune, Organisation
from revital.db import Database, utcnow
from revital.formatting import day_fr
from revital.mail import outbox
from revital.permissions import COMMUNE_ADMIN, PARTNER
from revital.sheets import review_rules, rules
from revital.sheets.models import REVIEW, ActionSheet, ReviewRequest


ASKED, REMINDER, OPINION = "sheet-review-asked", "sheet-review-reminder", "sheet-opinion"
SIGNATURE = "\n— {commune}, par Revital\n"

ASKED_TEXT = """Bonjour,

{commune} sollicite l’avis de {organisation} sur la fiche action n° {number} « {title} » (version {version}), pour le {due}.
{message}
Lire la fiche et donner votre avis : {url}

Vos autres fiches en attente d’avis sont sur la page de votre organisation : {partner_url}
"""

REMINDER_TEXT = """Bonjour,

Pour rappel, {commune} attend l’avis de {organisation} sur la fiche action n° {number} « {title} » pour le {due}.

Lire la fiche et donner votre avis : {url}
"""

OPINION_TEXT = """Bonjour,

{organisation} a donné son avis sur la fiche action n° {number} « {title} » (version {version}) : {verdict}.
{reservations}
Lire l’avis{answer} : {url}
"""


def partner_addresses(db: Session, organisation_id: int) -> list[str]:
    """The addresses of the active partner accounts of an organisation."""
    return list(db.scalars(select(User.email).join(RoleGrant, RoleGrant.user_id == User.id)
                           .where(RoleGrant.role == PARTNER, RoleGrant.organisation_id == organisation_id,
                                  RoleGrant.pending.is_(False), User.is_active.is_(True))
                           .order_by(User.email).distinct()))


def commune_addresses(db: Session, commune_id: int) -> list[str]:
    """The addresses of the commune's active administrators (élus, agents)."""
    return list(db.scalars(select(User.email).join(RoleGrant, RoleGrant.user_id == User.id)
                           .where(RoleGrant.role == COMMUNE_ADMIN, RoleGrant.commune_id == commune_id,
                                  RoleGrant.pending.is_(False), User.is_active.is_(True))
                           .order_by(User.email).distinct()))


def review_url(base_url: str, commune: Commune, sheet: ActionSheet) -> str:
    return base_url.rstrip("/") + f"/communes/{commune.slug}/fiches/{sheet.number}/avis"


def manage_url(base_url: str, commune: Commune, sheet: ActionSheet) -> str:
    return base_url.rstrip("/") + f"/communes/{commune.slug}/gestion/fiches/{sheet.number}/avis"


def partner_url(base_url: str, organisation: Organisation) -> str:
    return base_url.rstrip("/") + f"/partenaires/{organisation.slug}"


def _values(base_url, commune, sheet, organisation, request) -> dict:
    return {"commune": commune.name, "organisation": organisation.name, "number": sheet.number,
            "title": sheet.title, "version": request.version, "due": day_fr(request.due_on),
            "url": review_url(base_url, commune, sheet), "partner_url": partner_url(base_url, organisation)}


def tell_asked(db: Session, base_url: str, commune: Commune, sheet: ActionSheet, organisation: Organisation,
               request: ReviewRequest) -> int:
    """The request, to every partner account of the organisation; how many e-mails."""
    message = f"\nSon message :\n\n{request.message}\n" if request.message else ""
    text = ASKED_TEXT.format(**_values(base_url, commune, sheet, organisation, request), message=message)
    addresses = partner_addresses(db, organisation.id)
    for address in addresses:
        outbox.queue(db, address, f"Avis sollicité : fiche {sheet.number} « {sheet.title} »",
                     text + SIGNATURE.format(commune=commune.name), commune_name=commune.name, kind=ASKED)
    return len(addresses)


def tell_reminder(db: Session, base_url: str, commune: Commune, sheet: ActionSheet, organisation: Organisation,
                  request: ReviewRequest) -> int:
    text = REMINDER_TEXT.format(**_values(base_url, commune, sheet, organisation, request))
    addresses = partner_addresses(db, organisation.id)
    for address in addresses:
        outbox.queue(db, address, f"Rappel : avis attendu le {day_fr(request.due_on)} sur la fiche {sheet.number}",
                     text + SIGNATURE.format(commune=commune.name), commune_name=commune.name, kind=REMINDER)
    return len(addresses)


def tell_opinion(db: Session, base_url: str, commune: Commune, sheet: ActionSheet, organisation: Organisation,
                 opinion, reservations: list[str]) -> int:
    """An opinion arrived: to the commune's administrators."""
    listed = "".join(f"\n- {line}" for line in reservations)
    text = OPINION_TEXT.format(
        organisation=organisation.name, number=sheet.number, title=sheet.title, version=opinion.version,
        verdict=rules.VERDICT_LABELS[opinion.verdict].lower(),
        reservations=f"\nSes réserves :{listed}\n" if reservations else "",
        answer=" et répondre aux réserves" if reservations else "", url=manage_url(base_url, commune, sheet))
    addresses = commune_addresses(db, commune.id)
    for address in addresses:
        outbox.queue(db, address, f"Avis de {organisation.name} sur la fiche {sheet.number}",
                     text + "\n— Revital\n", commune_name=commune.name, kind=OPINION)
    return len(addresses)


# --- the reminders -------------------------------------------------------------------------------


def due(today):
    """The requests whose reminder is due on this day (Paris): not answered, not reminded, on a sheet
    in review, due in three days or less but not past."""
    return ((ReviewRequest.answered_at.is_(None)) & (ReviewRequest.reminded_at.is_(None))
            & (ReviewRequest.due_on >= today) & (ReviewRequest.due_on <= today + review_rules.REMIND_BEFORE)
            & ReviewRequest.sheet_id.in_(select(ActionSheet.id).where(ActionSheet.status == REVIEW)))


def any_due(db: Session, now: datetime) -> bool:
    today = review_rules.today_in_paris(now)
    return db.scalar(select(ReviewRequest.id).where(due(today)).limit(1)) is not None


def send_reminder(db: Session, request_id: int, now: datetime, base_url: str) -> int:
    """In the caller's write transaction: claim the request's reminder (one conditional UPDATE: a
    worker that lost the race changes nothing), then queue it; how many e-mails."""
    today = review_rules.today_in_paris(now)
    claimed = db.execute(update(ReviewRequest).where(ReviewRequest.id == request_id, due(today))
                         .values(reminded_at=now).execution_options(synchronize_session=False))
    if claimed.rowcount != 1:
        return 0
    request = db.get(ReviewRequest, request_id, populate_existing=True)
    sheet = db.get(ActionSheet, request.sheet_id)
    return tell_reminder(db, base_url, db.get(Commune, sheet.commune_id), sheet,
                         db.get(Organisation, request.organisation_id), request)


def send_reminders(database: Database, settings, now: datetime | None = None) -> int:
    """Queue every reminder due now, each request in its own write transaction; how many e-mails."""
    now = now or utcnow()
    today = review_rules.today_in_paris(now)
    base_url = settings.base_url.rstrip("/")

    def due_after(db, after, limit):
        return db.scalars(select(ReviewRequest.id).where(due(today), ReviewRequest.id > after)
                          .order_by(ReviewRequest.id).limit(limit))

    return jobs.each_in_own_transaction(database, due_after,
                                        lambda db, request_id: send_reminder(db, request_id, now, base_url))


class ReminderJob(jobs.Throttled):
    """A periodic job of the mail sender (revital.mail.sender): at most once a minute, one read
    that asks whether a reminder is due; the reminders only when one is."""

    label = "sheets: %s review reminder(s) queued"

    def due(self, db, now: datetime) -> bool:
        return any_due(db, now)

    def run(self, now: datetime) -> int:
        return send_reminders(self.database, self.settings, now)