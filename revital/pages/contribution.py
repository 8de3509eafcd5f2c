"""A contribution's page: the contribution and its "moi aussi" (revital.contributions.pages), and
what became of it, composed here above the parts of the workflow that take it up (the stakes it
fed, the ideas it inspired, the actions that answer it). Anonymous visitors get it from a cache,
per version of the commune and count of supports."""

from litestar import Controller, Request, Response
from litestar.params import FromPath
from litestar.response import Template

from revital.communes.access import load_commune
from revital.contributions.pages import VOTER_COOKIE, contribution_key, detail_context
from revital.ideas.controllers import contribution_panel
from revital.routes import get, shared_page
from revital.web import page


def lineage(db, contribution) -> dict:
    """What became of the contribution: nothing yet, until stakes, ideas and actions exist."""
    return {}


def contribution_page(request: Request, db, slug: str, contribution_id: int) -> Template:
    commune = load_commune(db, slug)
    context = detail_context(request, db, commune, contribution_id)
    return page("pages/contribution.html", commune=commune, territory=commune.territory,
                demo=commune.territory.is_demo, lineage=lineage(db, context["contribution"]),
                emergence=contribution_panel(request, db, commune, context["contribution"]), **context)


class ContributionPageController(Controller):
    @get("/communes/{slug:str}/contributions/{contribution_id:int}")
    async def detail(self, request: Request, slug: FromPath[str], contribution_id: FromPath[int]) -> Response:
        return await shared_page(request, ("contribution", slug, contribution_id),
                                 lambda db: contribution_key(db, slug, contribution_id),
                                 lambda db: contribution_page(request, db, slug, contribution_id),
                                 private_cookies=(VOTER_COOKIE,))
