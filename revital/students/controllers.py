"""The public side of student weeks: the page "Travaux des étudiants" (/communes/{slug}/etudiants:
the published proposals by week, with their images, their boards to download and their place on
the map), the students' layer of the commune map (/api/communes/{slug}/etudiants.geojson), and
the images and boards, which follow their proposal's visibility (revital.students.access.may_see)."""

from litestar import Controller, Request, Response
from litestar.params import FromPath
from litestar.response import Template

from revital import maps
from revital.caching import Cache, version_key
from revital.communes.access import NO_COMMUNE, load_commune
from revital.routes import DB, get, shared_page, versioned_body
from revital.students import rules, services
from revital.students.access import may_see
from revital.web import NotFound, get_or_404, page, pdf_response

BODIES = Cache(size=32)
GEOJSON = "application/geo+json"
NO_FILE = "Ce fichier n’existe pas, ou la proposition n’est pas publiée."


def photo_url(slug: str, token: str, thumbnail: bool = False) -> str:
    return f"/communes/{slug}/etudiants/photos/{token}{'-vignette' if thumbnail else ''}.jpg"


def board_url(slug: str, board_id: int) -> str:
    return f"/communes/{slug}/etudiants/planches/{board_id}"


def layer_options(commune) -> dict:
    """The students' layer of a commune map (static/js/revital-students.js), labelled with each team."""
    return {"url": f"/api/communes/{commune.slug}/etudiants.geojson", "kinds": rules.OBSERVATION_KINDS,
            "page": f"/communes/{commune.slug}/etudiants"}


def public_panel(db, commune) -> dict | None:
    """The link to the students' works on the commune page, when the commune has had a week."""
    if not services.has_weeks(db, commune.id):
        return None
    return {"url": f"/communes/{commune.slug}/etudiants", "layer": layer_options(commune),
            "published": sum(len(p) for _, p in services.published_of(db, commune.id))}


class StudentsController(Controller):
    path = "/communes/{slug:str}/etudiants"

    @get("/")
    async def works(self, request: Request, slug: FromPath[str]) -> Response:
        def build(db) -> Template:
            commune = load_commune(db, slug)
            settings = request.app.state.settings
            weeks = services.published_of(db, commune.id)
            layer = layer_options(commune)
            return page("students/list.html", commune=commune, territory=commune.territory,
                        demo=commune.territory.is_demo, weeks=weeks, kinds=rules.KINDS, photo_url=photo_url,
                        board_url=board_url, observations=services.observation_count(db, commune.id),
                        map=maps.commune_map(settings, commune, students=layer) if commune.min_lon is not None else None)

        return await shared_page(request, ("etudiants", slug), lambda db: request.app.state.versions.commune_key(db, slug), build)

    @get("/photos/{name:str}")
    def photo(self, request: Request, db: DB, slug: FromPath[str], name: FromPath[str]) -> Response:
        token, _, ext = name.rpartition(".")
        thumbnail = token.endswith("-vignette")
        token = token.removesuffix("-vignette")
        commune = load_commune(db, slug)
        found = services.photo_of(db, commune.id, token, thumbnail) if ext == "jpg" and len(token) < 64 else None
        photo, proposal, week = get_or_404(found, NO_FILE)
        status = rules.PUBLISHED if proposal is None else proposal.status  # observations are public
        if not may_see(request, db, commune, week, status):
            raise NotFound(NO_FILE)
        cache = "public, max-age=86400" if status == rules.PUBLISHED else "private, no-store"
        return Response(photo.thumbnail if thumbnail else photo.data, media_type=photo.content_type,
                        headers={"Cache-Control": cache})

    @get("/planches/{board_id:int}")
    def board(self, request: Request, db: DB, slug: FromPath[str], board_id: FromPath[int]) -> Response:
        commune = load_commune(db, slug)
        board, proposal, week = get_or_404(services.board_of(db, commune.id, board_id), NO_FILE)
        if not may_see(request, db, commune, week, proposal.status):
            raise NotFound(NO_FILE)
        return pdf_response(board.filename, board.data, public=proposal.status == rules.PUBLISHED, inline=True)


class StudentsApiController(Controller):
    @get("/api/communes/{slug:str}/etudiants.geojson")
    async def feed(self, request: Request, slug: FromPath[str]) -> Response:
        versions = request.app.state.versions

        def of(found):
            if found is None:
                raise NotFound(NO_COMMUNE)
            return version_key("etudiants", found.key)

        def known():
            found = versions.known_commune(slug)
            return of(found) if found is not None else None

        return await versioned_body(request, BODIES, known, lambda db: of(versions.commune(db, slug)),
                                    lambda db: services.feed(db, load_commune(db, slug).id), GEOJSON)
