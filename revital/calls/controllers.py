"""The public side of a call: its page, and a commune's application (started, saved as a draft,
taken up again with its private link, documents attached, submitted while the call is open)."""

from litestar import Controller, Request
from litestar.params import FromPath
from litestar.response import Redirect, Response, Template
from sqlalchemy.exc import IntegrityError

from revital import geo, maps
from revital.calls import notices, rules, services
from revital.calls.models import Call
from revital.communes.access import load_territory
from revital.forms import Form
from revital.geography import services as geography
from revital.routes import DB, get, post, shared_page
from revital.web import NotFound, confirmation, get_or_404, page, pdf_response, see_other

NO_CALL = "Aucun appel à candidatures ne correspond à cette adresse."
NO_APPLICATION = ("Ce lien ne mène à aucune candidature : vérifiez qu’il est complet (copiez-le depuis l’e-mail "
                  "reçu), ou demandez-le au coordinateur du territoire.")
CLOSED = "L’appel n’est pas ouvert : les candidatures ne peuvent être déposées ou modifiées que du {opens} au {closes}."
MESSAGES = {
    "brouillon": "Brouillon enregistré. Gardez le lien de cette page pour reprendre la candidature plus tard.",
    "deposee": "Candidature déposée : le territoire l’examinera après la clôture de l’appel. "
               "Vous pouvez encore la modifier jusque-là avec ce lien.",
    "piece": "Document joint.",
    "piece-retiree": "Document retiré.",
}
BLANK = {name: "" for name in rules.LONG_FIELDS + rules.PERSON_FIELDS + ("insee", "perimeter")} | {"perimeter_choice": "later"}
MAX_BODY = services.MAX_DOCUMENT + 256 * 1024


def call_or_404(db, slug: str, call_id: int) -> Call:
    territory = load_territory(db, slug)
    return get_or_404(services.call_in(db, territory.id, call_id), NO_CALL)


def call_context(call: Call) -> dict:
    return {"call": call, "territory": call.territory, "demo": call.territory.is_demo,
            "state": services.state_of(call), "states": rules.STATES}


def base_url(request) -> str:
    return request.app.state.settings.base_url


def application_url(call: Call, token: str) -> str:
    return f"/territoires/{call.territory.slug}/appels/{call.id}/candidature/{token}"


def application_page(request, db, call: Call, status_code=200, values=None, errors=None, application=None, token="",
                     notice=None, document_error=None) -> Template:
    communes = services.communes_of(db, call.territory_id)
    if application is not None and values is None:
        values = {name: getattr(application, name) for name in rules.LONG_FIELDS + rules.PERSON_FIELDS}
        values.update(insee=application.commune.insee, perimeter=application.perimeter or "",
                      perimeter_choice="drawn" if application.perimeter else "later")
    editor = None
    if application is not None:
        editor = maps.commune_map(request.app.state.settings, application.commune, maps.PERIMETER_EDITOR, field="perimeter")
    return page("calls/apply.html", status_code=status_code, **call_context(call), map=editor,
                base_url=base_url(request).rstrip("/"),
                commune_options=[(insee, f"{name} ({insee})") for insee, name in communes.items()],
                values={**BLANK, **(values or {})}, errors=errors or {}, application=application,
                token=token, notice=notice, document_error=document_error, statuses=rules.STATUSES,
                max_documents=services.MAX_DOCUMENTS)


def check_perimeter(values: dict, commune, errors: dict) -> None:
    """A sketch of the perimeter, if given, is a polygon within the commune; kept normalised."""
    if not values["perimeter"] or commune is None or "perimeter" in errors:
        return
    try:
        values["perimeter"] = geo.to_geojson(geography.check_perimeter(commune, values["perimeter"]))
    except geo.GeometryError as error:
        errors["perimeter"] = str(error)


def refuse_if_closed(request, db, call: Call, **context) -> Template | None:
    if services.state_of(call) == rules.OPEN:
        return None
    message = CLOSED.format(opens=call.opens_on.strftime("%d/%m/%Y"), closes=call.closes_on.strftime("%d/%m/%Y"))
    return application_page(request, db, call, 409, errors={"form": message}, **context)


def calls_key(request: Request, db, slug: str):
    """What the anonymous pages of calls are kept by: the territory's version (a call and its
    published results move it) and the day, since a call opens, closes and counts its days left by
    the calendar. Applications move no version (revital.calls.models.CallPart): the page counts
    them only once the call is closed, when no more come, and names the selected communes only
    once the results are published. None: no such territory."""
    found = request.app.state.versions.territory(db, slug)
    return None if found is None else (found, services.today())


class CallsController(Controller):
    path = "/territoires/{slug:str}/appels"

    @get("/")
    async def index(self, request: Request, slug: FromPath[str]) -> Response:
        def build(db) -> Template:
            territory = load_territory(db, slug)
            calls = services.calls_of(db, territory.id)
            return page("calls/index.html", territory=territory, demo=territory.is_demo, calls=calls,
                        states={call.id: services.state_of(call) for call in calls}, labels=rules.STATES)

        return await shared_page(request, ("appels", slug), lambda db: calls_key(request, db, slug), build)

    @get("/{call_id:int}")
    async def detail(self, request: Request, slug: FromPath[str], call_id: FromPath[int]) -> Response:
        def build(db) -> Template:
            call = call_or_404(db, slug, call_id)
            context = call_context(call)
            applications = services.applications_of(db, call)
            selected = [a for a in applications if a.status == rules.SELECTED] if context["state"] == rules.DECIDED else []
            return page("calls/detail.html", **context, selected=selected, applied=len(applications),
                        days_left=rules.days_left(call.closes_on, services.today()))

        return await shared_page(request, ("appel", slug, call_id), lambda db: calls_key(request, db, slug), build)

    @get("/{call_id:int}/candidater")
    def form(self, request: Request, db: DB, slug: FromPath[str], call_id: FromPath[int]) -> Template:
        call = call_or_404(db, slug, call_id)
        return refuse_if_closed(request, db, call) or application_page(request, db, call)

    @post("/{call_id:int}/candidater")
    def start(self, request: Request, db: DB, slug: FromPath[str], call_id: FromPath[int], form: Form) -> Template | Redirect:
        call = call_or_404(db, slug, call_id)
        values, errors = rules.clean_application(form, services.communes_of(db, call.territory_id),
                                                 complete=form.get("action") == "submit")
        errors.update(form.unreadable_errors())
        refused = refuse_if_closed(request, db, call, values=values)
        if refused is not None:
            return refused
        commune = None
        if "insee" not in errors:
            commune = services.commune_by_insee(db, call.territory_id, values["insee"])
            if services.existing(db, call, commune.id) is not None:
                errors["insee"] = services.ALREADY.format(commune=commune.name)
        check_perimeter(values, commune, errors)
        if errors:
            return application_page(request, db, call, 422, values=values, errors=errors)
        try:
            application, token = services.start(db, call, commune.id, values)
            if form.get("action") == "submit":
                services.submit(application)
                notices.invite_agent(db, base_url(request), call, application)
            notices.send_link(db, base_url(request), call, application, application_url(call, token))
            db.commit()
        except IntegrityError:  # the same commune, at the same moment
            db.rollback()
            return application_page(request, db, call, 422, values=values,
                                    errors={"insee": services.ALREADY.format(commune=commune.name)})
        return see_other(application_url(call, token) + ("?fait=deposee" if form.get("action") == "submit" else "?fait=brouillon"))

    @get("/{call_id:int}/candidature/{token:str}")
    def resume(self, request: Request, db: DB, slug: FromPath[str], call_id: FromPath[int], token: FromPath[str]) -> Template:
        call = call_or_404(db, slug, call_id)
        application = get_or_404(services.by_token(db, call, token), NO_APPLICATION)
        return application_page(request, db, call, application=application, token=token,
                                notice=confirmation(MESSAGES, request.query_params.get("fait", "")))

    @post("/{call_id:int}/candidature/{token:str}")
    def save(self, request: Request, db: DB, slug: FromPath[str], call_id: FromPath[int], token: FromPath[str], form: Form) -> Template | Redirect:
        call = call_or_404(db, slug, call_id)
        application = get_or_404(services.by_token(db, call, token), NO_APPLICATION)
        submitting = form.get("action") == "submit" or application.status != rules.DRAFT
        values, errors = rules.clean_application({**form, "insee": application.commune.insee},
                                                 services.communes_of(db, call.territory_id), complete=submitting)
        errors.update(form.unreadable_errors())
        context = {"application": application, "token": token}
        refused = refuse_if_closed(request, db, call, values=values, **context)
        if refused is not None:
            return refused
        check_perimeter(values, application.commune, errors)
        if errors:
            return application_page(request, db, call, 422, values=values, errors=errors, **context)
        services.fill(application, values)
        if submitting:
            first = application.status == rules.DRAFT
            services.submit(application)
            if first:  # the receipt and the agent's account, once
                notices.send_link(db, base_url(request), call, application, application_url(call, token))
                notices.invite_agent(db, base_url(request), call, application)
        db.commit()
        return see_other(application_url(call, token) + ("?fait=deposee" if submitting else "?fait=brouillon"))

    @post("/{call_id:int}/candidature/{token:str}/pieces", request_max_body_size=MAX_BODY)
    def attach(self, request: Request, db: DB, slug: FromPath[str], call_id: FromPath[int], token: FromPath[str], form: Form) -> Template | Redirect:
        call = call_or_404(db, slug, call_id)
        application = get_or_404(services.by_token(db, call, token), NO_APPLICATION)
        refused = refuse_if_closed(request, db, call, application=application, token=token)
        if refused is not None:
            return refused
        upload = form.upload("document")
        if upload is None:
            return application_page(request, db, call, 422, application=application, token=token,
                                    document_error="Choisissez un document PDF à joindre.")
        try:
            services.attach(db, application, upload.filename, upload.file.read(services.MAX_DOCUMENT + 1))
        except services.DocumentRefused as refusal:
            db.rollback()
            return application_page(request, db, call, 422, application=application, token=token, document_error=str(refusal))
        db.commit()
        return see_other(application_url(call, token) + "?fait=piece#pieces")

    @post("/{call_id:int}/candidature/{token:str}/pieces/{document_id:int}/retirer")
    def detach(self, request: Request, db: DB, slug: FromPath[str], call_id: FromPath[int], token: FromPath[str],
               document_id: FromPath[int]) -> Template | Redirect:
        call = call_or_404(db, slug, call_id)
        application = get_or_404(services.by_token(db, call, token), NO_APPLICATION)
        refused = refuse_if_closed(request, db, call, application=application, token=token)
        if refused is not None:
            return refused
        if not services.detach(db, application, document_id):
            raise NotFound("Ce document n’est plus joint à la candidature.")
        db.commit()
        return see_other(application_url(call, token) + "?fait=piece-retiree#pieces")

    @get("/{call_id:int}/candidature/{token:str}/pieces/{document_id:int}")
    def document(self, request: Request, db: DB, slug: FromPath[str], call_id: FromPath[int], token: FromPath[str],
                 document_id: FromPath[int]) -> Response:
        call = call_or_404(db, slug, call_id)
        application = get_or_404(services.by_token(db, call, token), NO_APPLICATION)
        document = get_or_404(services.document_of(db, call, application.id, document_id), "Ce document n’existe plus.")
        return pdf_response(document.filename, document.data)
