"""The home page: every territory with its engaged communes, where each one's process stands, and
the calls for applications open today. Anonymous visitors get it from a cache, per version of the
territories and per day."""

from litestar import Controller, Request, Response
from litestar.params import FromQuery
from litestar.response import Template

from revital.accounts.controllers import MESSAGES as ACCOUNT_MESSAGES
from revital.calls import services as calls
from revital.permissions import coordinates
from revital.process import phases
from revital.process import services as process_services
from revital.routes import get, shared_page
from revital.web import confirmation, page, principal


def home_page(request: Request, db, ok: str = "") -> Template:
    territories = process_services.territories_with_communes(db, engaged_only=True)
    who = principal(request)
    return page(
        "pages/home.html",
        territories=territories,
        demo=any(t.is_demo for t, _ in territories),
        labels=phases.LABELS,
        phase_count=len(phases.PHASES),
        phase_index=phases.index,
        ok=confirmation(ACCOUNT_MESSAGES, ok),
        coordinated={t.id for t, _ in territories if coordinates(who, t.id)},
        open_calls=calls.open_calls(db),
    )


class HomeController(Controller):
    @get("/")
    async def home(self, request: Request, ok: FromQuery[str] = "") -> Response:
        if ok:  # a confirmation for this visitor (signed out): not everybody's page
            return await shared_page(request, None, None, lambda db: home_page(request, db, ok))
        versions = request.app.state.versions
        # Calls open and close with the date: the day is part of the page's name.
        return await shared_page(request, ("home", calls.today()), versions.site, lambda db: home_page(request, db))
