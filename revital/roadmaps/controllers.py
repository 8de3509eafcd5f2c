"""The public roadmap of a commune: /communes/{slug}/feuille-de-route (the latest published version,
with the living progress of its actions next to the plan), /feuille-de-route/{n} (version n
exactly as published), /feuille-de-route/comparer?de=1&a=2 (what changed between two versions),
and the PDFs /feuille-de-route.pdf (the latest) and /feuille-de-route/{n}.pdf.

Anonymous visitors get the pages from the cache (revital.routes.shared_page), per version of the
commune; a PDF is rendered once per published version and kept with it (revital.roadmaps.pdf)."""

from datetime import date

from litestar import Controller, Request, Response
from litestar.params import FromPath, FromQuery
from litestar.response import Template

from revital.communes.access import load_commune
from revital.roadmaps import builder, gantt, labels, pdf, progress, services
from revital.routes import get, in_thread, shared_page
from revital.sheets import rules as sheet_rules
from revital.web import NotFound, page, pdf_response

NO_VERSION = "Cette version de la feuille de route n’existe pas : voyez la liste des versions publiées."
NOTHING = "La commune n’a pas encore publié de feuille de route."
BAD_COMPARISON = "Choisissez deux versions publiées de la feuille de route à comparer."
VERSION_MAX_DIGITS = 6


def roadmap_url(slug: str, number: int | None = None) -> str:
    base = f"/communes/{slug}/feuille-de-route"
    return base if number is None else f"{base}/{number}"


def parse_version(text: str) -> int | None:
    """ "3" -> 3; anything else (letters, zero, a huge number) -> None."""
    text = (text or "").strip()
    if not text.isdigit() or len(text) > VERSION_MAX_DIGITS or not text.isascii():
        return None
    number = int(text)
    return number if number > 0 else None


def shown(snapshot: dict, commune, today: date | None = None) -> dict:
    """The parts of a roadmap's page (and of the PDF): its calendar and map drawn."""
    return pdf.context(snapshot, *pdf.map_geometries(snapshot, commune), today)


def roadmap_page(db, commune, roadmap, living: bool) -> Template:
    snapshot = services.snapshot_of(roadmap)
    versions = services.versions(db, commune.id)
    views = progress.progress_of(db, commune.id) if living else {}  # three queries, whatever the number of actions
    if living:
        views = {a["sheet_id"]: progress.view_or_default(views, a["sheet_id"]) for a in snapshot.get("actions", [])}
    return page("roadmaps/page.html", commune=commune, territory=commune.territory, demo=commune.territory.is_demo,
                version=roadmap, versions=versions, living=living, progress=views,
                latest_number=versions[0].number if versions else None,
                pdf_url=f"{roadmap_url(commune.slug)}.pdf" if living else f"{roadmap_url(commune.slug, roadmap.number)}.pdf",
                **shown(snapshot, commune, date.today() if living else None))


def empty_page(commune) -> Template:
    return page("roadmaps/empty.html", commune=commune, territory=commune.territory, demo=commune.territory.is_demo)


def latest_page(db, slug: str) -> Template:
    commune = load_commune(db, slug)
    roadmap = services.latest(db, commune.id)
    return empty_page(commune) if roadmap is None else roadmap_page(db, commune, roadmap, living=True)


def version_page(db, slug: str, number: int) -> Template:
    commune = load_commune(db, slug)
    roadmap = services.version_of(db, commune.id, number)
    if roadmap is None:
        raise NotFound(NO_VERSION)
    return roadmap_page(db, commune, roadmap, living=False)


def comparison_page(db, slug: str, old: int | None, new: int | None) -> Template:
    commune = load_commune(db, slug)
    versions = services.versions(db, commune.id)
    if not versions:
        raise NotFound(NOTHING)
    before = services.version_of(db, commune.id, old) if old else None
    after = services.version_of(db, commune.id, new) if new else None
    if before is None or after is None:
        raise NotFound(BAD_COMPARISON)
    comparison = builder.compare(services.snapshot_of(before), services.snapshot_of(after))
    return page("roadmaps/compare.html", commune=commune, territory=commune.territory,
                demo=commune.territory.is_demo, before=before, after=after, comparison=comparison,
                versions=versions, labels=labels, sheet_rules=sheet_rules, span=gantt.quarter_span_fr,
                euros=sheet_rules.euros)


def pdf_of(request: Request, db, slug: str, number: int | None) -> Response:
    commune = load_commune(db, slug)
    roadmap = services.latest(db, commune.id) if number is None else services.version_of(db, commune.id, number)
    if roadmap is None:
        raise NotFound(NOTHING if number is None else NO_VERSION)
    data = pdf.roadmap_pdf(db, request.app.template_engine, commune, roadmap)
    return pdf_response(f"feuille-de-route-{commune.slug}-v{roadmap.number}.pdf", data, public=True, inline=True)


class RoadmapController(Controller):
    path = "/communes/{slug:str}"

    @get("/feuille-de-route")
    async def latest(self, request: Request, slug: FromPath[str]) -> Response:
        return await shared_page(request, ("feuille-de-route", slug), lambda db: request.app.state.versions.commune_key(db, slug),
                                 lambda db: latest_page(db, slug))

    @get("/feuille-de-route.pdf")
    async def latest_pdf(self, request: Request, slug: FromPath[str]) -> Response:
        return await in_thread(request, lambda db: pdf_of(request, db, slug, None))

    @get("/feuille-de-route/comparer")
    async def compare(self, request: Request, slug: FromPath[str], de: FromQuery[str] = "",
                      a: FromQuery[str] = "") -> Response:
        old, new = parse_version(de), parse_version(a)
        name = ("feuille-de-route-comparer", slug, old, new) if old and new else None
        return await shared_page(request, name, lambda db: request.app.state.versions.commune_key(db, slug),
                                 lambda db: comparison_page(db, slug, old, new))

    @get("/feuille-de-route/{version:str}")
    async def version(self, request: Request, slug: FromPath[str], version: FromPath[str]) -> Response:
        """Version n's page ("2") or its PDF ("2.pdf"); anything else is a 404."""
        as_pdf = version.endswith(".pdf")
        number = parse_version(version.removesuffix(".pdf"))
        if number is None:
            raise NotFound(NO_VERSION)
        if as_pdf:
            return await in_thread(request, lambda db: pdf_of(request, db, slug, number))
        return await shared_page(request, ("feuille-de-route", slug, number), lambda db: request.app.state.versions.commune_key(db, slug),
                                 lambda db: version_page(db, slug, number))

