"""The public views of contributions: the list (the map's accessible alternative), the popup a
marker opens, the "moi aussi", the photos, the map panel of the commune page, and what a
contribution's own page shows of it (revital.pages.contribution composes that page).

Anonymous visitors get the list and the popups from a cache, per version of the commune
(revital.routes.shared_page); the list pages by keyset, so the last costs what the first does.
"""

import secrets

from litestar import Controller, Request, Response
from litestar.datastructures import Cookie
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template
from sqlalchemy import select
from sqlalchemy.orm import undefer

from revital import maps
from revital.communes import services as communes
from revital.communes.access import load_commune
from revital.communes.models import Commune
from revital.contributions import feeds, rules, services, themes
from revital.contributions.models import Contribution
from revital.contributions.rules import PUBLISHED
from revital.permissions import MODERATE, can
from revital.photos.models import Photo
from revital.process import phases
from revital.routes import DB, get, post, shared_page
from revital.web import (
    NotFound,
    current_user,
    cursor,
    get_or_404,
    is_fragment_request,
    page,
    principal,
)

VOTER_COOKIE = "revital_voter"
NOT_PUBLIC = "Cette contribution n’existe pas ou n’est pas publiée."


def contributions_map(settings, commune, workshop_id: int | None = None, layers: dict | None = None,
                      **options) -> maps.MapParts | None:
    """The commune's map with its published contributions (those of one workshop: the feed's
    ?atelier=), or None while the commune has no outline; options: the filter form's and the
    counter's ids; layers: the options of other parts' layers on the same map (the students', say)."""
    if commune.min_lon is None:
        return None
    url = f"/api/communes/{commune.slug}/contributions.geojson"
    return maps.commune_map(settings, commune, **(layers or {}), contributions={
        "url": url if workshop_id is None else f"{url}?atelier={workshop_id}",
        "popupUrl": f"/communes/{commune.slug}/contributions/{{id}}/carte",
        "kinds": rules.KINDS, "letters": {letter: kind for kind, letter in feeds.KIND_LETTERS.items()}, **options,
    })


def map_panel(settings, commune, workshops: dict | None = None, **layers) -> dict:
    """The commune's map of contributions, with its filters, on the public commune page;
    workshops: {id: (title, closed)} of its public workshops (app.state.workshop_choices), the
    closed ones offered as a filter (the feed's ?atelier=); layers: the options of other parts'
    layers on the same map (the students', say)."""
    return {
        "workshops": {i: title for i, (title, closed) in (workshops or {}).items() if closed},
        "map": contributions_map(settings, commune, layers=layers, filters="map-filters", count="map-count"),
        "kinds": rules.KINDS,
        "categories": services.categories_of(commune),
        "phases": phases.LABELS,
        "count": commune.published_contributions,
    }


def list_context(db, commune, kind: str, category: str, phase: str, before: int | None, after: int | None,
                 workshops: dict | None = None, atelier: int | None = None) -> dict:
    """workshops: {id: (title, closed)} of the commune's public workshops, given from above
    (app.state.workshop_choices: the workshops part lives above this one)."""
    categories = services.categories_of(commune)
    workshops = workshops or {}
    filters = {
        "kind": kind if kind in rules.KINDS else "",
        "category": category if category in categories else "",
        "phase": phase if phase in phases.PHASES else "",
    }
    workshop = services.public_workshop(workshops, atelier)
    rows, newer, older = services.public_page(db, commune.id, before=before, after=after, workshop=workshop,
                                              **filters)
    shown = dict(filters, atelier=workshop or "")
    return {
        "commune": commune, "territory": commune.territory, "demo": commune.territory.is_demo,
        "contributions": rows, "total": services.public_count(db, commune, workshop=workshop, **filters),
        "cap": services.COUNT_CAP,
        "newer": rows[0].id if newer and rows else None, "older": rows[-1].id if older and rows else None,
        "filters": shown, "query": "&".join(f"{k}={v}" for k, v in shown.items() if v),
        # The closed ones ("Rencontre"), and the one filtered on even if it is not closed yet.
        "workshops": {i: title for i, (title, closed) in workshops.items() if closed or i == workshop},
        "kinds": rules.KINDS, "categories": categories,
        "retired_categories": {t.code for t in themes.load(commune.categories) if t.retired},
        "phase_labels": phases.LABELS,
    }


def voter_of(request: Request) -> str | None:
    user = current_user(request)
    if user:
        return f"user:{user.id}"
    cookie = request.cookies.get(VOTER_COOKIE)
    return f"browser:{cookie}" if cookie and len(cookie) < 60 else None


def support_voter(request: Request) -> tuple[str, list[Cookie]]:
    """Who supports, for a "moi aussi" on a contribution or an idea: the account, or the browser's
    cookie, given now (the cookies to set) if it has none."""
    voter = voter_of(request)
    if voter is not None:
        return voter, []
    token = secrets.token_urlsafe(24)
    return f"browser:{token}", [Cookie(key=VOTER_COOKIE, value=token, max_age=365 * 24 * 3600, httponly=True,
                                       secure=request.app.state.settings.secure_cookies, samesite="lax", path="/")]


def visible(request, db, commune, contribution_id: int, public_only: bool = False) -> Contribution:
    """A published contribution, or any contribution of the commune for its moderators."""
    contribution = get_or_404(services.contribution_in(db, commune.id, contribution_id), NOT_PUBLIC)
    if contribution.status == PUBLISHED:
        return contribution
    if not public_only and can(principal(request), MODERATE, communes.scope_of(db, commune)):
        return contribution
    raise NotFound(NOT_PUBLIC)


def detail_context(request: Request, db, commune, contribution_id: int) -> dict:
    """What a contribution's page shows of the contribution itself, and its "moi aussi"."""
    contribution = visible(request, db, commune, contribution_id)
    return {"contribution": contribution, "kinds": rules.KINDS, "categories": services.categories_of(commune),
            "phase_labels": phases.LABELS, "statuses": rules.STATUSES, "sources": rules.SOURCES,
            "supported": services.has_supported(db, contribution.id, voter_of(request))}


def contribution_key(db, slug: str, contribution_id: int):
    """The version of a contribution's page: its commune's, and its own count of supports."""
    row = db.execute(select(Commune.id, Commune.created_at, Commune.version, Contribution.supports_count)
                     .join(Contribution, Contribution.commune_id == Commune.id)
                     .where(Commune.slug == slug, Contribution.id == contribution_id,
                            Contribution.status == PUBLISHED)).first()
    return None if row is None else (row[0], int(row[1].timestamp() * 1000), row[2], row[3])


class ContributionsController(Controller):
    path = "/communes/{slug:str}/contributions"

    @get("/")
    async def list(self, request: Request, slug: FromPath[str], kind: FromQuery[str] = "", category: FromQuery[str] = "",
                   phase: FromQuery[str] = "", atelier: FromQuery[str] = "", avant: FromQuery[str] = "",
                   apres: FromQuery[str] = "") -> Response:
        fragment = is_fragment_request(request)
        before, after, workshop = cursor(avant), cursor(apres), cursor(atelier)
        versions = request.app.state.versions
        choices = request.app.state.workshop_choices

        def build(db) -> Template:
            commune = load_commune(db, slug)
            context = list_context(db, commune, kind, category, phase, before, after, choices(db, commune.id), workshop)
            response = page("contributions/_rows.html" if fragment else "contributions/list.html", **context)
            return response

        name = ("contributions", slug, kind, category, phase, workshop, before, after, fragment)
        response = await shared_page(request, name, lambda db: versions.commune_key(db, slug), build)
        response.headers["Vary"] = "HX-Request"
        return response

    @get("/{contribution_id:int}/carte")
    async def popup(self, request: Request, slug: FromPath[str], contribution_id: FromPath[int]) -> Response:
        def build(db) -> Template:
            commune = load_commune(db, slug)
            contribution = visible(request, db, commune, contribution_id)
            return page("contributions/_popup.html", commune=commune, contribution=contribution, kinds=rules.KINDS,
                        categories=services.categories_of(commune))

        return await shared_page(request, ("popup", slug, contribution_id),
                                 lambda db: contribution_key(db, slug, contribution_id), build)

    @post("/{contribution_id:int}/soutenir")
    def support(self, request: Request, db: DB, slug: FromPath[str], contribution_id: FromPath[int]) -> Template | Redirect:
        commune = load_commune(db, slug)
        contribution = visible(request, db, commune, contribution_id, public_only=True)
        voter, cookies = support_voter(request)
        count, counted = services.support(db, contribution, voter)
        for name in (("contribution", slug, contribution_id), ("popup", slug, contribution_id)):
            request.app.state.pages.drop(name)
        if is_fragment_request(request):
            response = page("contributions/_support.html", commune=commune, contribution=contribution,
                            supports=count, supported=True, just_counted=counted)
        else:
            response = Redirect(f"/communes/{commune.slug}/contributions/{contribution.id}#soutien", status_code=303)
        response.cookies.extend(cookies)
        return response


class PhotoController(Controller):
    @get("/photos/{name:str}")
    def photo(self, request: Request, db: DB, name: FromPath[str]) -> Response:
        token, _, ext = name.rpartition(".")
        thumbnail = token.endswith("-vignette")
        token = token.removesuffix("-vignette")
        if ext != "jpg":
            raise NotFound("Cette photo n’existe pas.")
        row = db.execute(select(Photo, Contribution).join(Contribution, Contribution.photo_id == Photo.id)
                         .where(Photo.token == token)
                         .options(undefer(Photo.thumbnail if thumbnail else Photo.data))).first()
        if row is None:
            raise NotFound("Cette photo n’existe pas.")
        photo, contribution = row
        public = contribution.status == PUBLISHED
        if not public:
            commune = db.get(Commune, contribution.commune_id)
            if not can(principal(request), MODERATE, communes.scope_of(db, commune)):
                raise NotFound("Cette photo n’existe pas.")
        body = photo.thumbnail if thumbnail else photo.data
        cache = "public, max-age=86400" if public else "private, no-store"
        return Response(body, media_type=photo.content_type, headers={"Cache-Control": cache})
