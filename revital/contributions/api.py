"""The open data of contributions: /api/communes/{slug}/contributions.geojson (the map feed, one
phase with ?phase=, one public workshop's with ?atelier=, and every public field with ?details=1)
and contributions.csv. Answered from their version: a 304
needs no database for a second after the version was read, a body is built once per version."""

from litestar import Controller, Request, Response
from litestar.params import FromPath, FromQuery

from revital.caching import version_key
from revital.communes.access import NO_COMMUNE, load_commune
from revital.contributions import feeds, services
from revital.process import phases
from revital.routes import get, versioned_body
from revital.web import NotFound, cursor

GEOJSON = "application/geo+json"


def feed_version(request: Request, slug: str, name: str, with_supports: bool, whole_commune: bool = False):
    """Two functions: the version read lately (no database) or None, and the version read now.
    whole_commune: the commune's own version rather than its contributions' (a workshop's feed
    also changes when the workshop stops being public)."""
    versions = request.app.state.versions

    def of(found):
        if found is None:
            raise NotFound(NO_COMMUNE)
        key = found.key if whole_commune else found.feed_key
        key = feeds.open_data_version(key) if with_supports else key
        return version_key(name, key)

    def known():
        found = versions.known_commune(slug)
        return of(found) if found is not None else None

    return known, lambda db: of(versions.commune(db, slug))


class ContributionsApiController(Controller):
    path = "/api/communes/{slug:str}"

    @get("/contributions.geojson")
    async def geojson(self, request: Request, slug: FromPath[str], phase: FromQuery[str] = "",
                      atelier: FromQuery[str] = "", details: FromQuery[str] = "") -> Response:
        base_url = request.app.state.settings.base_url.rstrip("/")
        if details:
            known, read = feed_version(request, slug, "contributions-details", True)
            return await versioned_body(request, feeds.BODIES, known, read,
                                        lambda db: feeds.detailed_feed(db, load_commune(db, slug), base_url),
                                        GEOJSON, max_age=feeds.SUPPORTS_LAG)
        phase = phase if phase in phases.PHASES else ""
        workshop = cursor(atelier)  # anything but a positive number is ignored
        choices = request.app.state.workshop_choices

        def build(db) -> bytes:
            commune = load_commune(db, slug)
            return feeds.map_feed(db, commune, phase, services.public_workshop(choices(db, commune.id), workshop))

        name = f"contributions-{phase or 'all'}" + (f"-atelier-{workshop}" if workshop else "")
        known, read = feed_version(request, slug, name, False, whole_commune=workshop is not None)
        return await versioned_body(request, feeds.BODIES, known, read, build, GEOJSON)

    @get("/contributions.csv")
    async def csv(self, request: Request, slug: FromPath[str]) -> Response:
        base_url = request.app.state.settings.base_url.rstrip("/")
        known, read = feed_version(request, slug, "contributions-csv", True)
        return await versioned_body(
            request, feeds.BODIES, known, read, lambda db: feeds.csv_export(db, load_commune(db, slug), base_url),
            "text/csv", max_age=feeds.SUPPORTS_LAG,
            headers={"Content-Disposition": f'attachment; filename="contributions-{slug}.csv"'})
