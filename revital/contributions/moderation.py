"""Facilitators moderate contributions and enter the paper ones collected in workshops."""

from litestar import Controller, Request
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from revital import maps
from revital.communes.controllers import managed_commune, tabs_for
from revital.contributions import rules, services
from revital.contributions.controllers import current_phase
from revital.forms import UNREADABLE, Form
from revital.permissions import MODERATE
from revital.process import phases
from revital.routes import DB, get, post
from revital.web import get_or_404, ok_message, page, see_other

STATUS_TABS = ("pending", "published", "hidden", "rejected")


def queue_page(request, db, commune, status, status_code=200, error=None, error_id=None, ok=None, reasons=None) -> Template:
    return page(
        "contributions/moderation.html",
        status_code=status_code,
        commune=commune, territory=commune.territory, demo=commune.territory.is_demo,
        admin_tabs=tabs_for(request, db, commune),
        status=status, tabs=STATUS_TABS, tab_labels=rules.STATUS_PLURALS, statuses=rules.STATUSES, counts=services.status_counts(db, commune.id),
        contributions=services.queue(db, commune.id, status), kinds=rules.KINDS,
        categories=services.categories_of(commune), sources=rules.SOURCES, actions=rules.ACTIONS,
        transitions=rules.MODERATION, phase_labels=phases.LABELS,
        error=error, error_id=error_id, ok=ok, reasons=reasons or {},
    )


class ModerationController(Controller):
    path = "/communes/{slug:str}/gestion/moderation"

    @get("/")
    def queue(self, request: Request, db: DB, slug: FromPath[str], statut: FromQuery[str] = "pending",
              ok: FromQuery[str] = "") -> Template:
        commune, _ = managed_commune(request, db, slug, MODERATE)
        return queue_page(request, db, commune, statut if statut in STATUS_TABS else "pending", ok=ok_message(ok))

    @post("/{contribution_id:int}/{action:str}")
    def decide(self, request: Request, db: DB, slug: FromPath[str], contribution_id: FromPath[int],
               action: FromPath[str], form: Form) -> Template | Redirect:
        commune, user = managed_commune(request, db, slug, MODERATE)
        contribution = get_or_404(services.contribution_in(db, commune.id, contribution_id),
                                  "Cette contribution n’existe pas dans cette commune.")
        back = form.get("statut", "pending")
        back = back if back in STATUS_TABS else "pending"
        reason = form.get("reason", "")[:2000]
        try:
            if "reason" in form.unreadable:
                raise rules.ModerationRefused(UNREADABLE)
            services.moderate(db, contribution, action, reason, user)
        except rules.ModerationRefused as refused:
            db.rollback()
            return queue_page(request, db, commune, back, 422, error=str(refused), error_id=contribution_id,
                              reasons={contribution_id: reason})
        db.commit()
        request.app.state.pages.drop(("contribution", commune.slug, contribution_id))
        return see_other(f"/communes/{commune.slug}/gestion/moderation?statut={back}&ok=moderation-{action}")


def entry_page(request, db, commune, status_code=200, values=None, errors=None, ok=None, token=None) -> Template:
    settings = request.app.state.settings
    return page(
        "contributions/entry.html",
        status_code=status_code,
        commune=commune, territory=commune.territory, demo=commune.territory.is_demo,
        admin_tabs=tabs_for(request, db, commune),
        kinds=rules.KINDS, categories=services.active_categories_of(commune),
        places=services.place_choices(db, commune.id),
        values={"where": "none", "kind": "", "category": "", **(values or {})},
        errors=errors or {}, ok=ok,
        token=token or rules.new_form_token(settings.secret_key),
        map=maps.commune_map(settings, commune, maps.POINT_PICKER, lon="contrib-lon", lat="contrib-lat",
                             check="where-map", markerLabel="Emplacement de la contribution"),
    )


class PaperEntryController(Controller):
    """Quick entry of paper contributions, one after another: source "atelier", published at once."""

    path = "/communes/{slug:str}/gestion/saisie"

    @get("/")
    def form(self, request: Request, db: DB, slug: FromPath[str], ok: FromQuery[str] = "",
             numero: FromQuery[int] = 0) -> Template:
        commune, _ = managed_commune(request, db, slug, MODERATE)
        message = f"Contribution n° {numero} enregistrée et publiée. Au suivant !" if ok == "saisie" and numero else None
        return entry_page(request, db, commune, ok=message)

    @post("/")
    def save(self, request: Request, db: DB, slug: FromPath[str], form: Form) -> Template | Redirect:
        commune, user = managed_commune(request, db, slug, MODERATE)
        settings = request.app.state.settings
        token = form.get("token", "")
        if rules.check_form_token(token, settings.secret_key, max_age=7 * 24 * 3600) != "ok":
            return entry_page(request, db, commune, 422, values=form,
                              errors={"form": "Le formulaire a expiré : vérifiez la saisie et enregistrez à nouveau."})
        nonce = rules.token_nonce(token)
        already = services.by_token(db, nonce)
        if already is not None:
            return see_other(f"/communes/{commune.slug}/gestion/saisie?ok=saisie&numero={already.id}")
        fields = dict(form)
        fields["consent"] = "1"  # the paper form carries the author's consent
        values, errors = rules.clean_submission(fields, services.active_categories_of(commune),
                                                services.place_choices(db, commune.id), services.inside_commune(commune))
        errors.update(form.unreadable_errors())
        if errors:
            return entry_page(request, db, commune, 422, values=values, errors=errors, token=token)
        contribution, _ = services.submit(db, commune, current_phase(db, commune), values, nonce, source="workshop",
                                          user_id=user.id)
        return see_other(f"/communes/{commune.slug}/gestion/saisie?ok=saisie&numero={contribution.id}")
