"""The open data of a commune's roadmap: /api/communes/{slug}/roadmap.json (the latest published
version, or ?version=N) and /api/communes/{slug}/roadmap-projets.csv (its actions in the national
schema of local authorities' projects, revital.roadmaps.opendata). Built once per version of the
commune (revital.caching: ETag, 304, gzip); a commune with nothing published answers 404 with a
French message in JSON."""

import json

from litestar import Controller, Request, Response
from litestar.params import FromPath, FromQuery

from revital.caching import Cache
from revital.communes.access import NO_COMMUNE, load_commune
from revital.roadmaps import opendata, progress, services
from revital.routes import get, versioned_body
from revital.web import NotFound, cursor

BODIES = Cache(size=64)
NOTHING_PUBLISHED = "Cette commune n’a pas encore publié sa feuille de route."
NO_VERSION = "Cette version de la feuille de route n’existe pas."


def open_data_version(request: Request, slug: str, name: str):
    """(known, read) for caching.conditional: the file named after the commune's version."""
    return request.app.state.versions.commune_keys(slug, name, missing=lambda: NotFound(NO_COMMUNE))


class Unpublished(Exception):
    pass


def not_found(message: str) -> Response:
    return Response(json.dumps({"erreur": message}, ensure_ascii=False).encode(), status_code=404,
                    media_type="application/json", headers={"Cache-Control": "no-store"})



def json_body(db, slug: str, number: int | None, base_url: str) -> bytes:
    commune = load_commune(db, slug)
    roadmap = services.latest(db, commune.id) if number is None else services.version_of(db, commune.id, number)
    if roadmap is None:
        raise Unpublished(NOTHING_PUBLISHED if number is None else NO_VERSION)
    document = opendata.envelope(services.snapshot_of(roadmap), commune.slug, roadmap.number, roadmap.published_at,
                                 roadmap.note, progress.numbers(db, commune.id), base_url)
    return opendata.dumps(document)


def projets_body(db, slug: str) -> bytes:
    commune = load_commune(db, slug)
    roadmap = services.latest(db, commune.id)
    if roadmap is None:
        raise Unpublished(NOTHING_PUBLISHED)
    changed = progress.last_change(db, commune.id)
    updated = max(changed, roadmap.published_at) if changed else roadmap.published_at
    rows = opendata.projets_rows(services.snapshot_of(roadmap), progress.statuses_of(db, commune.id),
                                 progress.first_published(db, commune.id), updated)
    return opendata.projets_csv(rows)


class RoadmapApiController(Controller):
    path = "/api/communes/{slug:str}"

    @get("/roadmap.json")
    async def roadmap(self, request: Request, slug: FromPath[str], version: FromQuery[str] = "") -> Response:
        number = cursor(version) if version else None
        if version and number is None:
            return not_found(NO_VERSION)
        base_url = request.app.state.settings.base_url.rstrip("/")
        known, read = open_data_version(request, slug, f"roadmap-json-{number or 'latest'}")
        try:
            return await versioned_body(request, BODIES, known, read, lambda db: json_body(db, slug, number, base_url),
                                        "application/json")
        except Unpublished as missing:
            return not_found(str(missing))
        except NotFound as missing:
            return not_found(missing.detail)

    @get("/roadmap-projets.csv")
    async def projets(self, request: Request, slug: FromPath[str]) -> Response:
        known, read = open_data_version(request, slug, "roadmap-projets")
        try:
            return await versioned_body(
                request, BODIES, known, read, lambda db: projets_body(db, slug), "text/csv; charset=utf-8",
                headers={"Content-Disposition": f'attachment; filename="projets-{slug}.csv"'})
        except Unpublished as missing:
            return not_found(str(missing))
        except NotFound as missing:
            return not_found(missing.detail)
