"""The Atom feeds of the journal: /communes/{slug}/journal.atom (one commune) and
/territoires/{slug}/journal.atom (every engaged commune of the territory). Published posts only,
each signed by its commune, never by a person; content is the sanitised HTML of the page. Built
once per version of the commune (or of the territory), answered with ETag / 304 and gzip."""

from litestar import Controller, Request, Response
from litestar.params import FromPath
from sqlalchemy import select

from revital.caching import Cache, version_key
from revital.communes.access import NO_COMMUNE, NO_TERRITORY, load_commune
from revital.communes.models import Commune, Territory
from revital.journal import atom, services
from revital.markdown import to_html
from revital.process.models import Process
from revital.routes import get, versioned_body
from revital.web import NotFound

BODIES = Cache(size=64)


def entry(post, commune, base_url: str) -> atom.Entry:
    url = f"{base_url}/communes/{commune.slug}/journal/{post.id}"
    return atom.Entry(id=atom.tag_uri(base_url, post.created_at, f"journal/{post.id}"), title=post.title, url=url,
                      published=post.published_at, updated=post.updated_at, author=commune.name,
                      html=atom.absolute(to_html(post.body), base_url))


def commune_feed(db, commune, base_url: str) -> bytes:
    posts = services.feed_posts(db, [commune.id])
    page_url = f"{base_url}/communes/{commune.slug}/journal"
    return atom.document(
        feed_id=atom.tag_uri(base_url, commune.created_at, f"communes/{commune.id}/journal"),
        title=f"Journal de bord de {commune.name}", subtitle="La démarche de revitalisation du centre-bourg",
        self_url=f"{page_url}.atom", page_url=page_url, author=commune.name, updated=commune.created_at,
        entries=[entry(post, commune, base_url) for post in posts])


def engaged_communes(db, territory_id: int) -> list[Commune]:
    return list(db.scalars(select(Commune).join(Process, Process.commune_id == Commune.id)
                           .where(Commune.territory_id == territory_id)))


def territory_feed(db, territory, base_url: str) -> bytes:
    communes = {c.id: c for c in engaged_communes(db, territory.id)}
    posts = services.feed_posts(db, list(communes))
    return atom.document(
        feed_id=atom.tag_uri(base_url, territory.created_at, f"territoires/{territory.id}/journal"),
        title=f"Journaux de bord · {territory.name}",
        subtitle="Les démarches de revitalisation des communes engagées",
        self_url=f"{base_url}/territoires/{territory.slug}/journal.atom",
        page_url=f"{base_url}/territoires/{territory.slug}", author=territory.name, updated=territory.created_at,
        entries=[entry(post, communes[post.commune_id], base_url) for post in posts])


def territory_by_slug(db, slug: str) -> Territory:
    territory = db.scalar(select(Territory).where(Territory.slug == slug))
    if territory is None:
        raise NotFound(NO_TERRITORY)
    return territory


class FeedsController(Controller):
    @get("/communes/{slug:str}/journal.atom")
    async def commune(self, request: Request, slug: FromPath[str]) -> Response:
        versions = request.app.state.versions
        base_url = request.app.state.settings.base_url.rstrip("/")

        def of(found):
            if found is None:
                raise NotFound(NO_COMMUNE)
            return version_key("journal", found.key)

        def known():
            found = versions.known_commune(slug)
            return of(found) if found is not None else None

        return await versioned_body(request, BODIES, known, lambda db: of(versions.commune(db, slug)),
                                    lambda db: commune_feed(db, load_commune(db, slug), base_url), atom.MEDIA_TYPE)

    @get("/territoires/{slug:str}/journal.atom")
    async def territory(self, request: Request, slug: FromPath[str]) -> Response:
        base_url = request.app.state.settings.base_url.rstrip("/")

        def read(db):
            territory = territory_by_slug(db, slug)
            return version_key("journal-territory", territory.id, int(territory.created_at.timestamp() * 1000),
                               territory.version)

        return await versioned_body(request, BODIES, lambda: None, read,
                                    lambda db: territory_feed(db, territory_by_slug(db, slug), base_url),
                                    atom.MEDIA_TYPE)
