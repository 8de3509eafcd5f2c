"""The public page of a commune: its presentation, and a panel from each part of the workflow (the
process, the map of contributions with the perimeter and the places, the local group, the
partners, the next workshops, the diagnostic's stakes and synthesis, the last posts of the journal, the students' works and their layer
on the map). Anonymous visitors get it from a cache, per version of the commune and per hour.

A commune not engaged in the programme (no process) says so plainly: no "Contribuer", no map nor
list of contributions."""

from litestar import Controller, Request, Response
from litestar.params import FromPath
from litestar.response import Redirect, Template
from sqlalchemy import select

from revital.caching import HOUR
from revital.communes import services as communes
from revital.communes.access import NO_COMMUNE
from revital.communes.models import Commune
from revital.contributions.pages import map_panel
from revital.diagnostic.controllers import public_panel as diagnostic_panel
from revital.geography.controllers import public_panel as geography_panel
from revital.journal.controllers import public_panel as journal_panel
from revital.localgroups.controllers import public_panel as localgroup_panel
from revital.permissions import VIEW_BACKOFFICE, can
from revital.process.controllers import public_panel as process_panel
from revital.routes import get, shared_page
from revital.students.controllers import public_panel as students_panel
from revital.web import NotFound, page, principal, see_other
from revital.workshops.controllers import public_panel as workshops_panel


def commune_page(request: Request, db, slug: str) -> Template | Redirect:
    commune = communes.commune_by_slug(db, slug)
    if commune is None and slug.isdigit():
        commune = db.scalar(select(Commune).where(Commune.insee == slug))
        if commune is not None:
            return see_other(f"/communes/{commune.slug}")
    if commune is None:
        raise NotFound(NO_COMMUNE)
    state = request.app.state
    phase = process_panel(db, commune, state.gate_facts(db, commune), state.gate_links(request.app, commune))
    engaged = phase["process"] is not None
    students = students_panel(db, commune) if engaged else None
    layers = {"students": students["layer"]} if students else {}
    return page(
        "pages/commune.html",
        commune=commune,
        territory=commune.territory,
        demo=commune.territory.is_demo,
        phase=phase,
        engaged=engaged,
        contributions=map_panel(state.settings, commune, state.workshop_choices(db, commune.id), **layers)
        if engaged else None,
        students=students,
        geography=geography_panel(db, commune),
        localgroup=localgroup_panel(db, commune),
        journal=journal_panel(db, commune),
        workshops=workshops_panel(db, commune) if engaged else None,
        diagnostic=diagnostic_panel(db, commune) if engaged else None,
        partners=communes.partners_of(db, commune),
        can_manage=can(principal(request), VIEW_BACKOFFICE, communes.scope_of(db, commune)),
    )


class CommunePageController(Controller):
    @get("/communes/{slug:str}")
    async def detail(self, request: Request, slug: FromPath[str]) -> Response:
        versions = request.app.state.versions
        return await shared_page(
            request, ("commune", slug),
            lambda db: versions.commune_key(db, slug),
            lambda db: commune_page(request, db, slug),
            every=HOUR,  # the next workshops move on as the hours pass
        )
