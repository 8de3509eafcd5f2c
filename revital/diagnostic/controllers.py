"""The public side of the diagnostic: /communes/{slug}/diagnostic shows the latest published
synthesis (its introduction, its stakes as an AFOM matrix by theme with their sources, the map of
the contributions behind them, the figures of participation), or the stakes in progress while none
is published; /communes/{slug}/diagnostic/versions/{number} shows an earlier version as it was
published. A draft is seen by the back office only (a 404 for everyone else). Anonymous visitors
get the pages from a cache, per version of the commune."""

from litestar import Controller, Request, Response
from litestar.params import FromPath
from litestar.response import Template

from revital import maps
from revital.communes import services as communes
from revital.communes.access import load_commune
from revital.contributions.services import categories_of
from revital.diagnostic import rules, services
from revital.lineage.models import CONTRIBUTION
from revital.lineage.rules import count_fr
from revital.permissions import MANAGE_DIAGNOSTIC, can
from revital.routes import get, shared_page
from revital.web import NotFound, page, principal

SOURCE_HEADINGS = {"contribution": "Contributions", "workshop": "Ateliers", "observation": "Observations des étudiants",
                   "proposal": "Propositions des étudiants"}
NO_VERSION = "Cette version de la synthèse du diagnostic n’existe pas, ou elle n’est pas encore publiée."


def manages(request: Request, db, commune) -> bool:
    return can(principal(request), MANAGE_DIAGNOSTIC, communes.scope_of(db, commune))


def behind(stakes: list[dict]) -> list[dict]:
    """The contributions behind the stakes, each once, with their positions (for the map's list)."""
    seen: dict[int, dict] = {}
    for stake in stakes:
        for source in stake["sources"].get(CONTRIBUTION, []):
            seen.setdefault(source["id"], source)
    return sorted(seen.values(), key=lambda s: s["id"])


def sources_map(settings, commune, points: list[dict]):
    if commune.min_lon is None or not any(p.get("lon") is not None for p in points):
        return None
    return maps.commune_map(settings, commune, maps.POINTS, list="contributions-enjeux")


def synthesis_page(request: Request, db, commune, synthesis, status_code: int = 200, preview: bool = False) -> Template:
    """A version of the synthesis (its frozen stakes if published, the current ones for a draft or
    when there is no version yet)."""
    versions = services.versions_of(db, commune.id)
    published = [v for v in versions if v.status == rules.PUBLISHED]
    if synthesis is not None and synthesis.status == rules.PUBLISHED:
        frozen = services.frozen(synthesis)
        stakes = services.still_public(db, commune.slug, frozen["stakes"])
        figures = frozen["figures"] or services.figures(db, commune)
    else:
        stakes, figures = services.views(db, commune, services.stakes_of(db, commune.id)), services.figures(db, commune)
    latest = rules.latest_published(versions)
    points = behind(stakes)
    return page("diagnostic/synthesis.html", status_code=status_code, commune=commune, territory=commune.territory,
                demo=commune.territory.is_demo, synthesis=synthesis, latest=latest, published=published,
                matrix=rules.matrix(stakes, categories_of(commune)), afom=rules.AFOM, afom_plurals=rules.AFOM_PLURALS,
                priorities=rules.PRIORITIES, stakes=stakes, figures=figures, points=points,
                map=sources_map(request.app.state.settings, commune, points), preview=preview,
                can_manage=manages(request, db, commune), count_fr=count_fr, source_headings=SOURCE_HEADINGS)


def public_panel(db, commune) -> dict:
    """The commune page's panel: how many stakes, and the published synthesis once there is one."""
    latest = rules.latest_published(services.versions_of(db, commune.id))
    return {"stakes": services.stake_count(db, commune.id), "latest": latest,
            "url": f"/communes/{commune.slug}/diagnostic"}


class DiagnosticController(Controller):
    path = "/communes/{slug:str}/diagnostic"

    @get("/")
    async def synthesis(self, request: Request, slug: FromPath[str]) -> Response:
        def build(db) -> Template:
            commune = load_commune(db, slug)
            return synthesis_page(request, db, commune, rules.latest_published(services.versions_of(db, commune.id)))

        return await shared_page(request, ("diagnostic", slug), lambda db: request.app.state.versions.commune_key(db, slug), build)

    @get("/versions/{number:int}")
    async def version(self, request: Request, slug: FromPath[str], number: FromPath[int]) -> Response:
        def build(db) -> Template:
            commune = load_commune(db, slug)
            synthesis = services.version_in(db, commune.id, number)
            if synthesis is None or (synthesis.status != rules.PUBLISHED and not manages(request, db, commune)):
                raise NotFound(NO_VERSION)
            return synthesis_page(request, db, commune, synthesis, preview=synthesis.status != rules.PUBLISHED)

        return await shared_page(request, ("diagnostic-version", slug, number),
                                 lambda db: request.app.state.versions.commune_key(db, slug), build)
