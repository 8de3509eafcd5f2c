import secrets
from datetime import timedelta

from litestar import Controller, MediaType, Request, Response
from litestar.datastructures import Cookie
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from revital import maps, pagecache
from revital.communes import services as communes
from revital.communes.controllers import load_commune
from revital.contributions import rules, services
from revital.contributions.models import Contribution, Photo
from revital.contributions.photos import PhotoError, process_photo
from revital.forms import Form
from revital.permissions import MODERATE, can
from revital.process import phases
from revital.process.services import process_of
from revital.routes import DB, get, in_thread, post
from revital.web import (
    NotFound,
    current_user,
    get_or_404,
    is_fragment_request,
    principal,
    see_other,
    sign_in_url,
)
from revital.web import (
    page as render_page,
)

VOTER_COOKIE = "revital_voter"
MAX_UPLOAD = 10 * 1024 * 1024 + 256 * 1024


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
        "kept_photo": services.pending_photo(db, rules.token_nonce(token)) if token else None,
        "notice": notice,
        "max_title": rules.TITLE_MAX,
        "max_body": rules.BODY_MAX,
        "map": maps.commune_map(settings, commune, maps.POINT_PICKER, lon="contrib-lon", lat="contrib-lat",
                                check="where-map", markerLabel="Emplacement de votre contribution"),
        "moderation": commune.moderation,
    }


def render_form(request, db, commune, status_code=200, **context) -> Template:
    template = "contributions/_form.html" if is_fragment_request(request) else "contributions/form.html"
    return render_page(template, status_code=status_code, **form_context(request, db, commune, **context))


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def current_phase(db, commune) -> str:
    process = process_of(db, commune.id)
    return process.phase if process else phases.DIAGNOSTIC


class ContributeController(Controller):
    path = "/communes/{slug:str}/contribuer"

    @get("/")
    def form(self, request: Request, db: DB, slug: FromPath[str]) -> Template | Redirect:
        commune = load_commune(db, slug)
        if commune.contributions_need_account and current_user(request) is None:
            return see_other(sign_in_url(request))
        return render_form(request, db, commune)

    @post("/", request_max_body_size=MAX_UPLOAD)
    def submit(self, request: Request, db: DB, slug: FromPath[str], form: Form) -> Template | Redirect | Response:
        # Checks read; the one write transaction comes at the end and is short (not around the photo).
        db.read()
        commune = load_commune(db, slug)
        user = current_user(request)
        if commune.contributions_need_account and user is None:
            return see_other(sign_in_url(request))
        settings = request.app.state.settings
        token = form.get("token", "")
        check = rules.check_form_token(token, settings.secret_key)
        if check == "invalid":
            return render_form(request, db, commune, 400, values=form,
                               notice="Ce formulaire n’a pas pu être vérifié : relisez votre contribution et envoyez-la à nouveau.")
        nonce = rules.token_nonce(token)
        already = services.by_token(db, nonce)
        if already is not None:  # a double click, or the form sent again
            return done(request, commune, already)
        if form.get("site_web"):  # the honeypot: only robots fill it in; they get a thank-you and nothing is kept
            return see_other(f"/communes/{commune.slug}/contribuer/merci/recue")
        if check == "expired":
            return render_form(request, db, commune, 422, values=form,
                               notice="Le formulaire était ouvert depuis trop longtemps : vérifiez votre contribution et envoyez-la à nouveau, rien n’a été perdu.")
        window = timedelta(hours=1)
        key = f"contribute:{client_address(request)}"
        hits, _ = request.app.state.throttle.count(key, window)
        if hits >= settings.contributions_per_hour:
            response = render_form(request, db, commune, 429, values=form, token=token, errors={
                "form": "Vous avez envoyé beaucoup de contributions en peu de temps : réessayez dans une heure, "
                        "votre texte est gardé ci-dessous."})
            response.headers["Retry-After"] = "3600"
            return response
        values, errors = rules.clean_submission(form, services.active_categories_of(commune),
                                                services.place_choices(db, commune.id), services.inside_commune(commune))
        errors.update(form.unreadable_errors())
        phase = current_phase(db, commune)
        db.rollback()  # the photo takes a while: hold nothing meanwhile
        photo = None
        upload = form.upload("photo")
        if upload is not None:
            try:
                photo = process_photo(upload.file.read(10 * 1024 * 1024 + 1))
            except PhotoError as error:
                errors["photo"] = str(error)
        if errors:
            if photo is not None:  # a good photo, and something else to correct: keep it for this form
                db.write()
                services.keep_pending_photo(db, nonce, photo)
                db.commit()
            return render_form(request, db, commune, 422, values=values, errors=errors, token=token)
        db.write()
        if form.get("drop_photo") == "1":
            services.drop_pending_photo(db, nonce)
        request.app.state.throttle.hit(key, window, db)
        contribution, _ = services.submit(db, commune, phase, values, nonce, user_id=user.id if user else None, photo=photo)
        return done(request, commune, contribution)

    @get("/merci/{token:str}")
    def thanks(self, request: Request, db: DB, slug: FromPath[str], token: FromPath[str]) -> Template:
        commune = load_commune(db, slug)
        contribution = services.by_token(db, token) if token != "recue" else None
        if token != "recue" and contribution is None:
            raise NotFound("Cette confirmation n’existe pas.")
        return render_page("contributions/thanks.html", commune=commune, territory=commune.territory,
                    demo=commune.territory.is_demo, contribution=contribution, kinds=rules.KINDS)


def done(request, commune, contribution) -> Redirect | Response:
    url = f"/communes/{commune.slug}/contribuer/merci/{contribution.submission_token}"
    if is_fragment_request(request):
        return Response("", status_code=200, headers={"HX-Redirect": url})
    return see_other(url)


def list_context(db, commune, kind, category, phase, page_number):
    categories = services.categories_of(commune)
    kind = kind if kind in rules.KINDS else ""
    category = category if category in categories else ""
    phase = phase if phase in phases.PHASES else ""
    page_number = min(max(page_number, 1), 10**6)
    rows, total = services.public_page(db, commune.id, page_number, kind=kind, category=category, phase=phase)
    pages = max(1, -(-total // services.PAGE_SIZE))
    return {
        "commune": commune, "territory": commune.territory, "demo": commune.territory.is_demo,
        "contributions": rows, "total": total, "page": page_number, "pages": pages,
        "filters": {"kind": kind, "category": category, "phase": phase},
        "kinds": rules.KINDS, "categories": categories, "phase_labels": phases.LABELS,
        "retired_categories": set(categories) - set(services.active_categories_of(commune)),
    }


def detail_body(request: Request, db, slug: str, contribution_id: int) -> bytes:
    page_ = detail_page(request, db, slug, contribution_id)
    return pagecache.render(request, page_.template_name, page_.context)


def detail_page(request: Request, db, slug: str, contribution_id: int) -> Template:
    commune = load_commune(db, slug)
    contribution = visible(request, db, commune, contribution_id)
    return render_page("contributions/detail.html", commune=commune, territory=commune.territory, demo=commune.territory.is_demo,
                       contribution=contribution, kinds=rules.KINDS, categories=services.categories_of(commune),
                       phase_labels=phases.LABELS, statuses=rules.STATUSES, sources=rules.SOURCES,
                       supported=services.has_supported(db, contribution.id, voter_of(request)))


def voter_of(request: Request) -> str | None:
    user = current_user(request)
    if user:
        return f"user:{user.id}"
    cookie = request.cookies.get(VOTER_COOKIE)
    return f"browser:{cookie}" if cookie and len(cookie) < 60 else None


class ContributionsController(Controller):
    path = "/communes/{slug:str}/contributions"

    @get("/")
    def list(self, request: Request, db: DB, slug: FromPath[str], kind: FromQuery[str] = "", category: FromQuery[str] = "",
             phase: FromQuery[str] = "", page: FromQuery[int] = 1) -> Template:
        commune = load_commune(db, slug)
        context = list_context(db, commune, kind, category, phase, page)
        template = "contributions/_rows.html" if is_fragment_request(request) else "contributions/list.html"
        response = render_page(template, **context)
        response.headers["Vary"] = "HX-Request"
        return response

    @get("/{contribution_id:int}")
    async def detail(self, request: Request, slug: FromPath[str], contribution_id: FromPath[int]) -> Response:
        """A contribution's page. Anonymous visitors, by far the most, get a page rendered at most
        a few seconds ago (revital.pagecache); everyone else a fresh one."""
        if not pagecache.anonymous(request, VOTER_COOKIE):
            return await in_thread(request, lambda db: detail_page(request, db, slug, contribution_id))
        pages = request.app.state.pages
        key = ("contribution", slug, contribution_id)
        body = pages.get(key)
        if body is None:
            body = await in_thread(request, lambda db: detail_body(request, db, slug, contribution_id))
            pages.put(key, body)
        return Response(pagecache.personalise(body, request), media_type=MediaType.HTML)

    @get("/{contribution_id:int}/carte")
    def popup(self, request: Request, db: DB, slug: FromPath[str], contribution_id: FromPath[int]) -> Template:
        commune = load_commune(db, slug)
        contribution = visible(request, db, commune, contribution_id)
        return render_page("contributions/_popup.html", commune=commune, contribution=contribution, kinds=rules.KINDS,
                    categories=services.categories_of(commune))

    @post("/{contribution_id:int}/soutenir")
    def support(self, request: Request, db: DB, slug: FromPath[str], contribution_id: FromPath[int]) -> Template | Redirect:
        commune = load_commune(db, slug)
        contribution = visible(request, db, commune, contribution_id, public_only=True)
        voter = voter_of(request)
        cookies = []
        if voter is None:
            token = secrets.token_urlsafe(24)
            voter = f"browser:{token}"
            cookies.append(Cookie(key=VOTER_COOKIE, value=token, max_age=365 * 24 * 3600, httponly=True,
                                  secure=request.app.state.settings.secure_cookies, samesite="lax", path="/"))
        count, counted = services.support(db, contribution, voter)
        request.app.state.pages.drop(("contribution", slug, contribution_id))
        if is_fragment_request(request):
            response = render_page("contributions/_support.html", commune=commune, contribution=contribution,
                            supports=count, supported=True, just_counted=counted)
        else:
            response = Redirect(f"/communes/{commune.slug}/contributions/{contribution.id}#soutien", status_code=303)
        response.cookies.extend(cookies)
        return response


def visible(request, db, commune, contribution_id: int, public_only: bool = False) -> Contribution:
    """A published contribution, or any contribution of the commune for its moderators."""
    contribution = get_or_404(services.contribution_in(db, commune.id, contribution_id),
                              "Cette contribution n’existe pas ou n’est pas publiée.")
    if contribution.status == services.PUBLIC:
        return contribution
    if not public_only and can(principal(request), MODERATE, communes.scope_of(db, commune)):
        return contribution
    raise NotFound("Cette contribution n’existe pas ou n’est pas publiée.")


class PhotoController(Controller):
    @get("/photos/{name:str}")
    def photo(self, request: Request, db: DB, name: FromPath[str]) -> Response:
        token, _, ext = name.rpartition(".")
        thumbnail = token.endswith("-vignette")
        token = token.removesuffix("-vignette")
        if ext != "jpg":
            raise NotFound("Cette photo n’existe pas.")
        from sqlalchemy import select
        from sqlalchemy.orm import undefer

        row = db.execute(select(Photo, Contribution).join(Contribution, Contribution.photo_id == Photo.id)
                         .where(Photo.token == token)
                         .options(undefer(Photo.thumbnail if thumbnail else Photo.data))).first()
        if row is None:
            raise NotFound("Cette photo n’existe pas.")
        photo, contribution = row
        public = contribution.status == services.PUBLIC
        if not public:
            commune = db.get(communes.Commune, contribution.commune_id)
            if not can(principal(request), MODERATE, communes.scope_of(db, commune)):
                raise NotFound("Cette photo n’existe pas.")
        body = photo.thumbnail if thumbnail else photo.data
        cache = "public, max-age=86400" if public else "private, no-store"
        return Response(body, media_type=photo.content_type, headers={"Cache-Control": cache})


class ContributionsApiController(Controller):
    path = "/api/communes/{slug:str}"

    @get("/contributions.geojson")
    def geojson(self, request: Request, db: DB, slug: FromPath[str], phase: FromQuery[str] = "",
                details: FromQuery[str] = "") -> Response:
        commune = load_commune(db, slug)
        version = services.feed_version(commune)
        if details:
            base_url = request.app.state.settings.base_url.rstrip("/")
            return versioned(request, f'"contributions-details-{services.open_data_version(commune)}"',
                             lambda: services.detailed_feed(db, commune, base_url), "application/geo+json",
                             max_age=services.SUPPORTS_LAG)
        phase = phase if phase in phases.PHASES else ""
        return versioned(request, f'"contributions-{version}-{phase}"',
                         lambda: services.map_feed(db, commune, phase), "application/geo+json")

    @get("/contributions.csv")
    def csv(self, request: Request, db: DB, slug: FromPath[str]) -> Response:
        commune = load_commune(db, slug)
        base_url = request.app.state.settings.base_url.rstrip("/")
        response = versioned(request, f'"contributions-csv-{services.open_data_version(commune)}"',
                             lambda: services.csv_export(db, commune, base_url), "text/csv",
                             max_age=services.SUPPORTS_LAG)
        response.headers["Content-Disposition"] = f'attachment; filename="contributions-{commune.slug}.csv"'
        return response


def versioned(request: Request, etag: str, build, media_type: str, max_age: int = 30) -> Response:
    headers = {"ETag": etag, "Cache-Control": f"public, max-age={max_age}"}
    if request.headers.get("if-none-match") == etag:
        return Response(b"", status_code=304, headers=headers)
    return Response(build(), media_type=media_type, headers=headers)
