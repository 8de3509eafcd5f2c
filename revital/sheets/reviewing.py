"""The partners' review of a sheet through HTTP.

- The commune's side, /communes/{slug}/gestion/fiches/{n}/avis (MANAGE_SHEETS; validating,
  abandoning and reopening VALIDATE_SHEETS): the requests and their state, asking partner
  organisations, the opinions by version with their reservations to answer and their proposed
  funding lines to take or leave, validating, abandoning, reopening, the technical meetings linked.
- The partner's side, /communes/{slug}/fiches/{n}/avis (SEE_SHEETS, and an organisation asked:
  revital.sheets.review_rules): the current version, what changed since the organisation's last
  opinion, and the opinion form, carrying the version read; a stale version is refused with the
  changes since, nothing written.

Every handler starts with the commune looked up for someone who may do that there (403 otherwise);
a sheet, a reservation, a line or a meeting of another commune or sheet is a 404."""

from litestar import Controller, Request
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from revital.communes.access import Managed, managed_commune
from revital.db import utcnow
from revital.forms import UNREADABLE, Form
from revital.permissions import MANAGE_SHEETS, SEE_SHEETS, VALIDATE_SHEETS, can
from revital.routes import DB, get, post
from revital.sheets import review, review_rules, rules, services
from revital.sheets.models import ActionSheet
from revital.web import Forbidden, NotFound, confirmation, get_or_404, page, see_other

NO_SHEET = "Cette fiche n’existe pas dans cette commune."
NO_RESERVATION = "Cette réserve n’existe pas sur cette fiche."
NO_LINE = "Cette ligne proposée n’existe pas sur cette fiche."
NO_MEETING = "Cette réunion technique n’existe pas dans cette commune."
UNREADABLE_VERSION = "La version lue n’a pas pu être reconnue : rechargez la page avant de donner votre avis."
MESSAGES = {
    "demande": "La demande d’avis est envoyée aux organisations choisies.",
    "reponse": "La réponse à la réserve est enregistrée.",
    "ligne": "La ligne proposée entre dans le plan de financement (nouvelle version de la fiche).",
    "ligne-ecartee": "La ligne proposée est écartée.",
    "validee": "La fiche est validée : ses avis sont publics sur sa page.",
    "abandonnee": "La fiche est abandonnée.",
    "rouverte": "La fiche est rouverte : elle est de nouveau en examen.",
    "reunion": "La réunion technique est liée à la fiche.",
    "reunion-retiree": "La réunion technique n’est plus liée à la fiche.",
    "avis": "Votre avis est enregistré et transmis à la commune. Merci !",
}
OPINION_BLANK = {"verdict": "", "comments": "", "reservations": "", "funder": "", "scheme": "", "amount": "",
                 "year": ""}


def today():
    return review_rules.today_in_paris(utcnow())


def load_sheet(db, commune_id: int, number: int) -> ActionSheet:
    return get_or_404(services.sheet_in(db, commune_id, number), NO_SHEET)


def with_unreadable(form, errors: dict) -> dict:
    errors.update({name: UNREADABLE for name in form.unreadable})
    return errors


def base_url(request: Request) -> str:
    return request.app.state.settings.base_url


# --- the commune's side --------------------------------------------------------------------------


def manage_base(commune, sheet) -> str:
    return f"/communes/{commune.slug}/gestion/fiches/{sheet.number}/avis"


def manage_page(db, managed: Managed, sheet: ActionSheet, status_code: int = 200, ok=None, error=None,
                ask_values=None, ask_errors=None, answer_values=None, answer_errors=None, close_values=None,
                close_errors=None) -> Template:
    commune = managed.commune
    day = today()
    requests = [(r, org, review_rules.state(r.due_on, r.answered_at is not None, day))
                for r, org in review.requests_of(db, sheet)]
    opinions = review.opinions_of(db, sheet)
    versions = sorted({view.opinion.version for view in opinions}, reverse=True)
    linked = review.linked_meetings(db, sheet)
    linked_ids = {w.id for w in linked}
    asked = {org.id for _, org, _ in requests}
    return page(
        "sheets/review_manage.html", status_code=status_code, **managed.context(), sheet=sheet,
        base=manage_base(commune, sheet), editor=f"/communes/{commune.slug}/gestion/fiches/{sheet.number}",
        ok=ok, error=error, requests=requests, state_labels=review_rules.STATE_LABELS,
        partners=review.partners_of(db, commune.id),
        ask_values={"organisations": {str(i) for i in asked}, "due_on": "", "message": "", **(ask_values or {})},
        ask_errors=ask_errors or {}, opinions=opinions, versions=versions,
        answer_values=answer_values or {}, answer_errors=answer_errors or {},
        unanswered=review.unanswered(db, sheet), status_labels=rules.STATUS_LABELS, euros=rules.euros,
        validates=can(managed.user.principal, VALIDATE_SHEETS, managed.scope),
        close_values={"validate": "", "abandon": "", **(close_values or {})}, close_errors=close_errors or {},
        linked=linked, meeting_options=[w for w in review.technical_meetings(db, commune.id) if w.id not in linked_ids],
        closed=sheet.status in (rules.VALIDATED, rules.ABANDONED),
    )


class SheetReviewAdminController(Controller):
    path = "/communes/{slug:str}/gestion/fiches/{number:int}/avis"

    @get("/")
    def show(self, request: Request, db: DB, slug: FromPath[str], number: FromPath[int],
             ok: FromQuery[str] = "") -> Template:
        managed = managed_commune(request, db, slug, MANAGE_SHEETS)
        sheet = load_sheet(db, managed.commune.id, number)
        return manage_page(db, managed, sheet, ok=confirmation(MESSAGES, ok))

    @post("/demander")
    def ask(self, request: Request, db: DB, slug: FromPath[str], number: FromPath[int],
            form: Form) -> Template | Redirect:
        managed = managed_commune(request, db, slug, MANAGE_SHEETS)
        sheet = load_sheet(db, managed.commune.id, number)
        partners = {org.id for org in review.partners_of(db, managed.commune.id)}
        fields, errors = review_rules.clean_request(form.getall("organisations"), form.get("due_on", ""),
                                                    form.get("message", ""), partners, today())
        values = {"organisations": set(form.getall("organisations")), "due_on": form.get("due_on", ""),
                  "message": form.get("message", "")}
        if with_unreadable(form, errors):
            return manage_page(db, managed, sheet, 422, ask_values=values, ask_errors=errors)
        try:
            review.ask(db, sheet, fields["organisation_ids"], fields["due_on"], fields["message"], managed.user.id,
                       base_url(request))
        except review.Refused as refused:
            db.rollback()
            return manage_page(db, managed, sheet, 409, ask_values=values, ask_errors={"form": str(refused)})
        db.commit()
        return see_other(f"{manage_base(managed.commune, sheet)}?ok=demande")

    @post("/reserves/{reservation_id:int}")
    def answer(self, request: Request, db: DB, slug: FromPath[str], number: FromPath[int],
               reservation_id: FromPath[int], form: Form) -> Template | Redirect:
        managed = managed_commune(request, db, slug, MANAGE_SHEETS)
        sheet = load_sheet(db, managed.commune.id, number)
        reservation = get_or_404(review.reservation_in(db, sheet, reservation_id), NO_RESERVATION)
        addressed = bool(form.get("addressed"))
        text, errors = review_rules.clean_answer(form.get("answer", ""), addressed)
        if with_unreadable(form, errors):
            return manage_page(db, managed, sheet, 422,
                               answer_values={reservation.id: {"answer": form.get("answer", ""), "addressed": addressed}},
                               answer_errors={reservation.id: errors})
        review.answer_reservation(db, reservation, text, addressed, managed.user.id)
        db.commit()
        return see_other(f"{manage_base(managed.commune, sheet)}?ok=reponse#reserve-{reservation.id}")

    @post("/lignes/{line_id:int}/{choice:str}")
    def line(self, request: Request, db: DB, slug: FromPath[str], number: FromPath[int], line_id: FromPath[int],
             choice: FromPath[str]) -> Template | Redirect:
        managed = managed_commune(request, db, slug, MANAGE_SHEETS)
        sheet = load_sheet(db, managed.commune.id, number)
        line = get_or_404(review.proposed_line_in(db, sheet, line_id), NO_LINE)
        if choice not in ("accepter", "ecarter"):
            raise NotFound("Cette action n’existe pas.")
        try:
            if choice == "accepter":
                review.accept_line(db, sheet, line, managed.user.id)
            else:
                review.decline_line(db, sheet, line)
        except review.Refused as refused:
            db.rollback()
            return manage_page(db, managed, sheet, 409, error=str(refused))
        db.commit()
        return see_other(f"{manage_base(managed.commune, sheet)}?ok={'ligne' if choice == 'accepter' else 'ligne-ecartee'}")

    @post("/valider")
    def validate(self, request: Request, db: DB, slug: FromPath[str], number: FromPath[int],
                 form: Form) -> Template | Redirect:
        managed = managed_commune(request, db, slug, VALIDATE_SHEETS)
        sheet = load_sheet(db, managed.commune.id, number)
        missing = review.unanswered(db, sheet)
        reason, errors = review_rules.clean_reason(
            form.get("reason", ""), bool(missing),
            review_rules.NEEDS_REASON.format(missing=", ".join(missing)) if missing else "")
        values = {"validate": form.get("reason", "")}
        if with_unreadable(form, errors):
            return manage_page(db, managed, sheet, 422, close_values=values,
                               close_errors={"validate": errors.get("reason", UNREADABLE)})
        try:
            review.validate(db, sheet, managed.user.id, reason)
        except review.Refused as refused:
            db.rollback()
            return manage_page(db, managed, sheet, 409, close_values=values, close_errors={"validate": str(refused)})
        db.commit()
        return see_other(f"{manage_base(managed.commune, sheet)}?ok=validee")

    @post("/abandonner")
    def abandon(self, request: Request, db: DB, slug: FromPath[str], number: FromPath[int],
                form: Form) -> Template | Redirect:
        managed = managed_commune(request, db, slug, VALIDATE_SHEETS)
        sheet = load_sheet(db, managed.commune.id, number)
        reason, errors = review_rules.clean_reason(form.get("reason", ""), True)
        values = {"abandon": form.get("reason", "")}
        if with_unreadable(form, errors):
            return manage_page(db, managed, sheet, 422, close_values=values,
                               close_errors={"abandon": errors.get("reason", UNREADABLE)})
        try:
            review.abandon(db, sheet, reason)
        except review.Refused as refused:
            db.rollback()
            return manage_page(db, managed, sheet, 409, close_values=values, close_errors={"abandon": str(refused)})
        db.commit()
        return see_other(f"{manage_base(managed.commune, sheet)}?ok=abandonnee")

    @post("/rouvrir")
    def reopen(self, request: Request, db: DB, slug: FromPath[str], number: FromPath[int]) -> Template | Redirect:
        managed = managed_commune(request, db, slug, VALIDATE_SHEETS)
        sheet = load_sheet(db, managed.commune.id, number)
        try:
            review.reopen(db, sheet)
        except review.Refused as refused:
            db.rollback()
            return manage_page(db, managed, sheet, 409, error=str(refused))
        db.commit()
        return see_other(f"{manage_base(managed.commune, sheet)}?ok=rouverte")

    @post("/reunions")
    def link_meeting(self, request: Request, db: DB, slug: FromPath[str], number: FromPath[int],
                     form: Form) -> Template | Redirect:
        managed = managed_commune(request, db, slug, MANAGE_SHEETS)
        sheet = load_sheet(db, managed.commune.id, number)
        try:
            workshop_id = int(form.get("workshop", ""))
        except ValueError:
            workshop_id = 0
        workshop = review.meeting_in(db, managed.commune.id, workshop_id) if 0 < workshop_id < 2**31 else None
        if workshop is None:
            return manage_page(db, managed, sheet, 422, error="Choisissez une réunion technique de la commune.")
        review.link_meeting(db, sheet, workshop, managed.user.id)
        db.commit()
        return see_other(f"{manage_base(managed.commune, sheet)}?ok=reunion")

    @post("/reunions/{workshop_id:int}/retirer")
    def unlink_meeting(self, request: Request, db: DB, slug: FromPath[str], number: FromPath[int],
                       workshop_id: FromPath[int]) -> Redirect:
        managed = managed_commune(request, db, slug, MANAGE_SHEETS)
        sheet = load_sheet(db, managed.commune.id, number)
        workshop = get_or_404(review.meeting_in(db, managed.commune.id, workshop_id), NO_MEETING)
        review.unlink_meeting(db, sheet, workshop)
        db.commit()
        return see_other(f"{manage_base(managed.commune, sheet)}?ok=reunion-retiree")


# --- the partner's side --------------------------------------------------------------------------


def partner_base(commune, sheet) -> str:
    return f"/communes/{commune.slug}/fiches/{sheet.number}/avis"


def reviewer(request: Request, db, slug: str, number: int, wanted: str = ""):
    """The commune, the sheet and the organisation on whose behalf this person reviews it (403 when
    none of theirs was asked; ?organisation= chooses among several)."""
    managed = managed_commune(request, db, slug, SEE_SHEETS)
    sheet = load_sheet(db, managed.commune.id, number)
    asked = review.asked_ids(db, sheet)
    problem = review_rules.refusal(managed.user.principal, managed.scope, asked)
    if problem:
        raise Forbidden(problem)
    mine = review_rules.reviewing_organisations(managed.user.principal, managed.scope, asked)
    chosen = next((i for i in mine if str(i) == wanted), mine[0])
    organisations = {org.id: org for org in review.partners_of(db, managed.commune.id)}
    return managed, sheet, organisations[chosen], [organisations[i] for i in mine]


def partner_page(db, managed: Managed, sheet: ActionSheet, organisation, mine, status_code=200, values=None,
                 errors=None, ok=None, read: int | None = None) -> Template:
    commune = managed.commune
    request_row = review.request_for(db, sheet, organisation.id)
    last = review.last_reviewed(db, sheet, organisation.id)
    # What changed since the version it last gave an opinion on, or else the one it was asked on.
    since = read if read is not None else last or (request_row.version if request_row else None)
    snap = review.current_snapshot(db, sheet)
    given = review.opinions_of(db, sheet, organisation.id)
    closed = review_rules.CLOSED.get(sheet.status)
    if closed is None and any(view.opinion.version == sheet.version for view in given):
        closed = review_rules.GIVEN.format(version=sheet.version)
    return page(
        "sheets/review.html", status_code=status_code, commune=commune, territory=commune.territory,
        demo=commune.territory.is_demo, sheet=sheet, organisation=organisation, organisations=mine,
        base=partner_base(commune, sheet), snap=snap, funding=rules.funding(snap), euros=rules.euros,
        quarter_label=rules.quarter_label, operation_labels=rules.OPERATION_LABELS,
        maturity_labels=rules.MATURITY_LABELS, status_labels=rules.STATUS_LABELS,
        request_row=request_row, overdue=review_rules.overdue(request_row.due_on, request_row.answered_at is not None,
                                                              today()),
        since=since, changes=review.changes_since(db, sheet, since),
        mine=given, verdicts=rules.VERDICT_LABELS,
        values={**OPINION_BLANK, **(values or {})}, errors=errors or {}, ok=ok, closed=closed,
    )


class SheetReviewController(Controller):
    path = "/communes/{slug:str}/fiches/{number:int}/avis"

    @get("/")
    def show(self, request: Request, db: DB, slug: FromPath[str], number: FromPath[int],
             organisation: FromQuery[str] = "", ok: FromQuery[str] = "") -> Template:
        managed, sheet, chosen, mine = reviewer(request, db, slug, number, organisation)
        return partner_page(db, managed, sheet, chosen, mine, ok=confirmation(MESSAGES, ok))

    @post("/")
    def give(self, request: Request, db: DB, slug: FromPath[str], number: FromPath[int],
             form: Form) -> Template | Redirect:
        managed, sheet, organisation, mine = reviewer(request, db, slug, number, form.get("organisation", ""))
        values = {name: form.get(name, "") for name in OPINION_BLANK}
        try:
            read = int(form.get("version", ""))
        except ValueError:
            return partner_page(db, managed, sheet, organisation, mine, 422, values,
                                {"form": UNREADABLE_VERSION})
        if sheet.status in review_rules.CLOSED:
            return partner_page(db, managed, sheet, organisation, mine, 409, values,
                                {"form": review_rules.CLOSED[sheet.status]})
        if read != sheet.version:
            return partner_page(db, managed, sheet, organisation, mine, 409, values,
                                {"form": review_rules.STALE.format(read=read, current=sheet.version)}, read=read)
        fields, errors = review_rules.clean_opinion(*(form.get(name, "") for name in
                                                      ("verdict", "comments", "reservations", "funder", "scheme",
                                                       "amount", "year")))
        if with_unreadable(form, errors):
            return partner_page(db, managed, sheet, organisation, mine, 422, values, errors)
        try:
            review.give_opinion(db, sheet, organisation, managed.user, read, fields["verdict"], fields["comments"],
                                fields["reservations"], fields["proposed"], base_url(request))
        except review.Stale as stale:
            db.rollback()
            return partner_page(db, managed, sheet, organisation, mine, 409, values, {"form": str(stale)},
                                read=stale.read)
        except review.Refused as refused:
            db.rollback()
            return partner_page(db, managed, sheet, organisation, mine, 409, values, {"form": str(refused)})
        db.commit()
        suffix = f"&organisation={organisation.id}" if len(mine) > 1 else ""
        return see_other(f"{partner_base(managed.commune, sheet)}?ok=avis{suffix}")
