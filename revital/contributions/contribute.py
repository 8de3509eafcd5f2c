"""The residents' contribution form: /communes/{slug}/contribuer, its thanks page.

A commune that is not engaged in the programme (no process) takes no contribution: the form and
its POST answer 403 with a French page saying so, and nothing is written."""

from litestar import Controller, Request, Response
from litestar.params import FromPath
from litestar.response import Redirect, Template

from revital import maps
from revital.caching import anonymous
from revital.communes.access import load_commune
from revital.contributions import intake, rules, services
from revital.forms import Form
from revital.routes import DB, get, post, shared_page
from revital.web import (
    Forbidden,
    NotFound,
    current_user,
    is_fragment_request,
    page,
    see_other,
    sign_in_url,
)

MAX_UPLOAD = intake.MAX_PHOTO + 256 * 1024
TOKEN_PLACEHOLDER = "formtoken0placeholder0c4d1"


def form_context(request: Request, db, commune, values=None, errors=None, token=None, notice=None) -> dict:
    settings = request.app.state.settings
    return {
        "commune": commune,
        "territory": commune.territory,
        "demo": commune.territory.is_demo,
        "kinds": rules.KINDS,
        "categories": services.active_categories_of(commune),
        "places": services.place_choices(db, commune.id),
        "values": {"where": "", "kind": "", "category": "", **(values or {})},
        "errors": errors or {},
        "token": token or rules.new_form_token(settings.secret_key),
        "kept_photo": services.pending_photo(db, rules.token_nonce(token)) if token and token != TOKEN_PLACEHOLDER else None,
        "notice": notice,
        "max_title": rules.TITLE_MAX,
        "max_body": rules.BODY_MAX,
        "map": maps.commune_map(settings, commune, maps.POINT_PICKER, lon="contrib-lon", lat="contrib-lat",
                                check="where-map", markerLabel="Emplacement de votre contribution"),
        "moderation": commune.moderation,
    }


def render_form(request, db, commune, status_code=200, **context) -> Template:
    template = "contributions/_form.html" if is_fragment_request(request) else "contributions/form.html"
    return page(template, status_code=status_code, **form_context(request, db, commune, **context))


def engaged_commune(db, slug: str):
    """The commune at slug (404), which must be engaged in the programme (403 otherwise)."""
    commune = load_commune(db, slug)
    refused = intake.refusal_if_not_engaged(db, commune)
    if refused:
        raise Forbidden(refused)
    return commune


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def thanks_url(commune, token: str) -> str:
    return f"/communes/{commune.slug}/contribuer/merci/{token}"


def done(request, url: str) -> Redirect | Response:
    if is_fragment_request(request):
        return Response("", status_code=200, headers={"HX-Redirect": url})
    return see_other(url)


class ContributeController(Controller):
    path = "/communes/{slug:str}/contribuer"

    @get("/")
    async def form(self, request: Request, slug: FromPath[str]) -> Response:
        """The empty form: the same for every anonymous visitor but for its token, kept rendered
        (revital.routes.shared_page) with a placeholder that each visitor gets a fresh token in."""
        versions = request.app.state.versions

        def build(db):
            commune = engaged_commune(db, slug)
            if commune.contributions_need_account and current_user(request) is None:
                return see_other(sign_in_url(request))
            # Kept for everybody: a placeholder, each visitor's own token put in on the way out.
            return render_form(request, db, commune, token=TOKEN_PLACEHOLDER if anonymous(request) else None)

        secret = request.app.state.settings.secret_key
        return await shared_page(request, ("contribute", slug), lambda db: versions.commune_key(db, slug), build,
                                 personal=lambda: {TOKEN_PLACEHOLDER: rules.new_form_token(secret)})

    @post("/", request_max_body_size=MAX_UPLOAD)
    def submit(self, request: Request, db: DB, slug: FromPath[str], form: Form) -> Template | Redirect | Response:
        db.read()
        commune = engaged_commune(db, slug)
        user = current_user(request)
        if commune.contributions_need_account and user is None:
            return see_other(sign_in_url(request))
        settings = request.app.state.settings
        outcome = intake.receive(db, commune, form, intake.RESIDENTS, settings.secret_key, request.app.state.throttle,
                                 client_address(request), settings.contributions_per_hour, user.id if user else None)
        if outcome.spam:  # robots get a thank-you and nothing is kept
            return see_other(thanks_url(commune, "recue"))
        if outcome.contribution is not None:
            return done(request, thanks_url(commune, outcome.contribution.submission_token))
        response = render_form(request, db, commune, outcome.status_code, values=outcome.values, errors=outcome.errors,
                               token=outcome.token, notice=outcome.notice)
        if outcome.retry_after:
            response.headers["Retry-After"] = str(outcome.retry_after)
        return response

    @get("/merci/{token:str}")
    def thanks(self, request: Request, db: DB, slug: FromPath[str], token: FromPath[str]) -> Template:
        commune = load_commune(db, slug)
        contribution = services.by_token(db, token) if token != "recue" else None
        if token != "recue" and contribution is None:
            raise NotFound("Cette confirmation n’existe pas.")
        return page("contributions/thanks.html", commune=commune, territory=commune.territory,
                    demo=commune.territory.is_demo, contribution=contribution, kinds=rules.KINDS)
