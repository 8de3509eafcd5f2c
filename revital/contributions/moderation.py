"""Facilitators moderate contributions; the free entry of paper ones (its page, served by
revital.workshops.entry with the workshops' own entries)."""

from litestar import Controller, Request
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from revital import maps
from revital.communes.access import Managed, managed_commune
from revital.contributions import intake, notices, rules, services
from revital.contributions.rules import PENDING, QUEUE_TABS
from revital.forms import UNREADABLE, Form
from revital.permissions import MODERATE
from revital.process import phases
from revital.routes import DB, get, post
from revital.web import Forbidden, confirmation, get_or_404, page, see_other

MESSAGES = {
    "moderation-publish": "La contribution est publiée.",
    "moderation-reject": "La contribution est refusée ; le motif est conservé.",
    "moderation-hide": "La contribution est masquée ; le motif est conservé.",
}


def queue_page(managed: Managed, db, status, status_code=200, error=None, error_id=None, ok=None, reasons=None) -> Template:
    commune = managed.commune
    return page(
        "contributions/moderation.html",
        status_code=status_code,
        **managed.context(),
        status=status, tabs=QUEUE_TABS, tab_labels=rules.STATUS_PLURALS, statuses=rules.STATUSES,
        counts=services.status_counts(db, commune.id),
        contributions=services.queue(db, commune.id, status), kinds=rules.KINDS,
        categories=services.categories_of(commune), sources=rules.SOURCES, actions=rules.ACTIONS,
        transitions=rules.MODERATION, phase_labels=phases.LABELS,
        error=error, error_id=error_id, ok=ok, reasons=reasons or {},
    )


class ModerationController(Controller):
    path = "/communes/{slug:str}/gestion/moderation"

    @get("/")
    def queue(self, request: Request, db: DB, slug: FromPath[str], statut: FromQuery[str] = PENDING,
              ok: FromQuery[str] = "") -> Template:
        managed = managed_commune(request, db, slug, MODERATE)
        return queue_page(managed, db, statut if statut in QUEUE_TABS else PENDING, ok=confirmation(MESSAGES, ok))

    @post("/{contribution_id:int}/{action:str}")
    def decide(self, request: Request, db: DB, slug: FromPath[str], contribution_id: FromPath[int],
               action: FromPath[str], form: Form) -> Template | Redirect:
        managed = managed_commune(request, db, slug, MODERATE)
        commune = managed.commune
        contribution = get_or_404(services.contribution_in(db, commune.id, contribution_id),
                                  "Cette contribution n’existe pas dans cette commune.")
        back = form.get("statut", PENDING)
        back = back if back in QUEUE_TABS else PENDING
        reason = form.get("reason", "")[:2000]
        try:
            if "reason" in form.unreadable:
                raise rules.ModerationRefused(UNREADABLE)
            services.moderate(db, contribution, action, reason, managed.user)
            # The author who left an address hears of it in their next daily digest.
            notices.moderated(db, request.app.state.settings.base_url, commune, contribution, action, reason)
        except rules.ModerationRefused as refused:
            db.rollback()
            return queue_page(managed, db, back, 422, error=str(refused), error_id=contribution_id,
                              reasons={contribution_id: reason})
        db.commit()
        return see_other(f"/communes/{commune.slug}/gestion/moderation?statut={back}&ok=moderation-{action}")


def entry_page(request, db, managed: Managed, status_code=200, values=None, errors=None, ok=None, token=None,
               notice=None, workshops=()) -> Template:
    """The free entry of paper contributions (revital.workshops.entry serves it, at
    /communes/{slug}/gestion/saisie); workshops: (address, title, detail) of the workshops whose
    own entry the page links to."""
    settings = request.app.state.settings
    commune = managed.commune
    return page(
        "contributions/entry.html",
        status_code=status_code,
        **managed.context(),
        kinds=rules.KINDS, categories=services.active_categories_of(commune),
        places=services.place_choices(db, commune.id),
        values={"where": "none", "kind": "", "category": "", **(values or {})},
        errors=errors or {}, ok=ok, notice=notice, workshops=workshops,
        token=token or rules.new_form_token(settings.secret_key),
        map=maps.commune_map(settings, commune, maps.POINT_PICKER, lon="contrib-lon", lat="contrib-lat",
                             check="where-map", markerLabel="Emplacement de la contribution"),
    )


def engaged(db, managed: Managed) -> Managed:
    """Paper contributions only for a commune engaged in the programme (403 otherwise)."""
    refused = intake.refusal_if_not_engaged(db, managed.commune)
    if refused:
        raise Forbidden(refused)
    return managed
