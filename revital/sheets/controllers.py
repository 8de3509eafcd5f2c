"""The public side of the action sheets: a commune's sheets (/communes/{slug}/fiches, by axis),
each sheet's page (/communes/{slug}/fiches/{n}) and its PDF (/communes/{slug}/fiches/{n}.pdf,
revital.sheets.pdf).

Everyone sees the validated sheets; those who may see every sheet (SEE_SHEETS: the commune, its
local group's facilitators, the territory's coordination and the partners it invited) also see the
drafts, those in review and the abandoned ones, marked as not public, with the referents' names.
For anyone else a sheet that is not validated does not exist (404).

Anonymous visitors get the pages from a cache, per version of the commune (revital.routes.shared_page).
"""

import re

from litestar import Controller, Request, Response
from litestar.params import FromPath
from litestar.response import Template

from revital import maps
from revital.communes import services as communes
from revital.communes.access import load_commune
from revital.ideas import services as ideas
from revital.permissions import MANAGE_SHEETS, SEE_SHEETS, can
from revital.routes import get, in_thread, shared_page
from revital.sheets import pdf, rules, services, shown, snapshot
from revital.sheets.sheetmap import as_shape
from revital.web import NotFound, page, pdf_response, principal

NO_SHEET = "Cette fiche action n’existe pas dans cette commune, ou elle n’est pas encore publique."
PAGE = re.compile(r"^(\d{1,6})$")
PDF = re.compile(r"^(\d{1,6})\.pdf$")


def sheets_url(commune) -> str:
    return f"/communes/{commune.slug}/fiches"


def sheet_url(commune, number: int) -> str:
    return f"/communes/{commune.slug}/fiches/{number}"


def sees_all(request: Request, db, commune) -> bool:
    """May the reader see every sheet of the commune, drafts included (SEE_SHEETS)?"""
    if request.scope.get("user") is None:
        return False
    return can(principal(request), SEE_SHEETS, communes.scope_of(db, commune))


def visible_sheet(request: Request, db, commune, number: int):
    """(the sheet, whether the reader sees every sheet), or 404 when it does not exist for them."""
    sheet = services.sheet_in(db, commune.id, number)
    if sheet is None:
        raise NotFound(NO_SHEET)
    internal = sees_all(request, db, commune)
    if not internal and not shown.is_public(sheet):
        raise NotFound(NO_SHEET)
    return sheet, internal


def row_of(snap: dict) -> dict:
    """A line of the list."""
    start, end = rules.quarter_label(snap["start"]), rules.quarter_label(snap["end"])
    cost = rules.cost_cents(snap)
    return {"number": snap["number"], "title": snap["title"], "pilot": snap["pilot"], "status": snap["status"],
            "status_label": rules.STATUS_LABELS.get(snap["status"], snap["status"]),
            "maturity_label": rules.MATURITY_LABELS.get(snap["maturity"], snap["maturity"]),
            "cost": rules.euros(cost) if cost else "À estimer",
            "schedule": f"{start or '?'} → {end or '?'}" if start or end else ""}


def by_axis(axes, sheets, snaps: dict) -> list:
    """[(axis or None, [rows])] in the axes' order, the sheets without an axis last; empty axes left out."""
    groups = [(axis, [row_of(snaps[s.id]) for s in sheets if s.axis_id == axis.id]) for axis in axes]
    known = {axis.id for axis in axes}
    groups.append((None, [row_of(snaps[s.id]) for s in sheets if s.axis_id not in known]))
    return [(axis, rows) for axis, rows in groups if rows]


def list_page(request: Request, db, commune) -> Template:
    internal = sees_all(request, db, commune)
    every = services.sheets_of(db, commune.id)
    sheets = every if internal else [s for s in every if shown.is_public(s)]
    snaps = snapshot.load_many(db, sheets)
    return page("sheets/list.html", commune=commune, territory=commune.territory, demo=commune.territory.is_demo,
                internal=internal, groups=by_axis(ideas.axes_of(db, commune.id), sheets, snaps),
                count=sum(1 for s in every if shown.is_public(s)), total=len(every))


def map_point(db, sheet, snap: dict) -> tuple[float, float] | None:
    """Where the sheet sits on the commune's interactive map: its point, a point of its line or area,
    or its named place."""
    geometry = as_shape(snap.get("geometry"))
    if geometry is not None:
        point = geometry.representative_point()
        return round(point.x, 6), round(point.y, 6)
    return shown.place_point(db, sheet)


def detail_page(request: Request, db, commune, number: int) -> Template:
    sheet, internal = visible_sheet(request, db, commune, number)
    body = shown.body(db, commune, sheet, internal)
    point = map_point(db, sheet, body["sheet"])
    parts = (maps.commune_map(request.app.state.settings, commune, maps.POINTS, list="points-fiche")
             if point is not None and commune.min_lon is not None else None)
    return page("sheets/detail.html", commune=commune, territory=commune.territory, demo=commune.territory.is_demo,
                link_base="", map=parts, map_point=point, **body,
                manages=internal and can(principal(request), MANAGE_SHEETS, communes.scope_of(db, commune)))


def pdf_of(request: Request, db, slug: str, number: int) -> Response:
    """The sheet's PDF: public for a validated sheet, for SEE_SHEETS holders for any."""
    commune = load_commune(db, slug)
    sheet, internal = visible_sheet(request, db, commune, number)
    state = request.app.state
    data = pdf.sheet_pdf(db, request.app.template_engine, state.settings.base_url, commune, sheet, internal)
    public = shown.is_public(sheet) and not internal
    return pdf_response(f"fiche-action-{commune.slug}-{sheet.number}.pdf", data, public=public, inline=True)


class SheetsController(Controller):
    path = "/communes/{slug:str}/fiches"

    @get("/")
    async def list(self, request: Request, slug: FromPath[str]) -> Response:
        def build(db) -> Template:
            return list_page(request, db, load_commune(db, slug))

        return await shared_page(request, ("fiches", slug), lambda db: request.app.state.versions.commune_key(db, slug), build)

    @get("/{ref:str}")
    async def detail(self, request: Request, slug: FromPath[str], ref: FromPath[str]) -> Response:
        """A sheet's page (/fiches/3) or its PDF (/fiches/3.pdf, rendered in a worker thread)."""
        as_pdf = PDF.match(ref)
        if as_pdf:
            return await in_thread(request, lambda db: pdf_of(request, db, slug, int(as_pdf.group(1))))
        as_page = PAGE.match(ref)
        if not as_page:
            raise NotFound(NO_SHEET)
        number = int(as_page.group(1))

        def build(db) -> Template:
            return detail_page(request, db, load_commune(db, slug), number)

        return await shared_page(request, ("fiche", slug, number), lambda db: request.app.state.versions.commune_key(db, slug), build)
