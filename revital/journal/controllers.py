"""The public journal of a commune: /communes/{slug}/journal (published posts, newest first, by
keyset), one post at /communes/{slug}/journal/{id}, its images, and the panel of the last posts on
the commune page. Anonymous visitors get these pages from a cache, per version of the commune;
drafts are shown to those who may write them, and are a 404 for everyone else."""

from litestar import Controller, Request, Response
from litestar.params import FromPath, FromQuery
from litestar.response import Template

from revital.communes import services as communes
from revital.communes.access import load_commune
from revital.journal import services
from revital.journal.models import PHASE, JournalPost
from revital.permissions import WRITE_JOURNAL, can
from revital.routes import DB, get, shared_page
from revital.web import NotFound, cursor, get_or_404, page, principal

NOT_PUBLIC = "Cet article n’existe pas ou n’est pas publié."


def image_url(slug: str, token: str, thumbnail: bool = False) -> str:
    return f"/communes/{slug}/journal/images/{token}{'-vignette' if thumbnail else ''}.jpg"


def commune_key(request: Request, db, slug: str):
    found = request.app.state.versions.commune(db, slug)
    return found.key if found else None


def public_panel(db, commune) -> dict:
    """The last posts on the public commune page, with the link to the journal."""
    return {"posts": services.latest(db, commune.id), "url": f"/communes/{commune.slug}/journal"}


def context(commune, **more) -> dict:
    return {"commune": commune, "territory": commune.territory, "demo": commune.territory.is_demo,
            "image_url": image_url, "automatic": PHASE, **more}


def may_write(request: Request, db, commune) -> bool:
    return can(principal(request), WRITE_JOURNAL, communes.scope_of(db, commune))


def visible(request: Request, db, commune, post_id: int) -> JournalPost:
    post = get_or_404(services.post_in(db, commune.id, post_id), NOT_PUBLIC)
    if not post.published and not may_write(request, db, commune):
        raise NotFound(NOT_PUBLIC)
    return post


class JournalController(Controller):
    path = "/communes/{slug:str}/journal"

    @get("/")
    async def list(self, request: Request, slug: FromPath[str], avant: FromQuery[str] = "") -> Response:
        before = cursor(avant)

        def build(db) -> Template:
            commune = load_commune(db, slug)
            posts, older = services.public_page(db, commune.id, before)
            return page("journal/list.html", **context(commune, posts=posts, older=older, first=before is None,
                                                       count=services.public_count(db, commune.id)))

        return await shared_page(request, ("journal", slug, before), lambda db: commune_key(request, db, slug), build)

    @get("/{post_id:int}")
    async def detail(self, request: Request, slug: FromPath[str], post_id: FromPath[int]) -> Response:
        def build(db) -> Template:
            commune = load_commune(db, slug)
            post = visible(request, db, commune, post_id)
            return page("journal/detail.html", **context(commune, post=post, can_write=may_write(request, db, commune)))

        return await shared_page(request, ("journal-post", slug, post_id),
                                 lambda db: commune_key(request, db, slug), build)

    @get("/images/{name:str}")
    def image(self, request: Request, db: DB, slug: FromPath[str], name: FromPath[str]) -> Response:
        token, _, ext = name.rpartition(".")
        thumbnail = token.endswith("-vignette")
        token = token.removesuffix("-vignette")
        if ext != "jpg":
            raise NotFound("Cette image n’existe pas.")
        commune = load_commune(db, slug)
        found = get_or_404(services.image_by_token(db, commune.id, token), "Cette image n’existe pas.")
        photo, post = found
        if not post.published and not may_write(request, db, commune):
            raise NotFound("Cette image n’existe pas.")
        body = photo.thumbnail if thumbnail else photo.data
        cache = "public, max-age=86400" if post.published else "private, no-store"
        return Response(body, media_type=photo.content_type, headers={"Cache-Control": cache})
