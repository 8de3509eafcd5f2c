"""The back office of a commune: its panels (the phase, participation, the presentation), each from
the part of the workflow it belongs to, on one page. A panel's form posts to its own part, which
answers with that panel alone on error and comes back here on success."""

from litestar import Controller, Request
from litestar.params import FromPath, FromQuery
from litestar.response import Template

from revital.communes import controllers as communes
from revital.communes.access import managed_commune
from revital.contributions import settings as participation
from revital.permissions import VIEW_BACKOFFICE
from revital.process import controllers as process
from revital.routes import DB, get
from revital.web import confirmation, page

MESSAGES = {**process.MESSAGES, **participation.MESSAGES, **communes.MESSAGES}


class OverviewController(Controller):
    @get("/communes/{slug:str}/gestion")
    def overview(self, request: Request, db: DB, slug: FromPath[str], ok: FromQuery[str] = "") -> Template:
        managed = managed_commune(request, db, slug, VIEW_BACKOFFICE)
        return page(
            "pages/overview.html",
            **managed.context(),
            ok=confirmation(MESSAGES, ok),
            phase=process.panel(managed, db, request.app.state.gate_facts(db, managed.commune),
                                links=request.app.state.gate_links(request.app, managed.commune)),
            participation=participation.panel(managed, db),
            description=communes.description_panel(managed),
        )
