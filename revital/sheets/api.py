"""The action sheets as open data, under /api/communes/{slug}/: actions.csv and actions.xlsx (the
table of revital.sheets.exports) and actions.geojson (the validated sheets' locations).

The public files hold the validated sheets only and no personal data; they are built once per
version of the commune and answered with their ETag (304 when the browser has them). Those who may
see every sheet (SEE_SHEETS) get every sheet, with the referents' names, built for them and never
kept by a shared cache (Cache-Control: private, no-store).
"""

from litestar import Controller, Request, Response
from litestar.params import FromPath

from revital.caching import Cache
from revital.communes.access import NO_COMMUNE, load_commune
from revital.routes import get, in_thread, versioned_body
from revital.sheets import exports, services, shown, snapshot
from revital.sheets.controllers import map_point, sees_all, sheet_url
from revital.web import NotFound

BODIES = Cache(size=64)
CSV = "text/csv; charset=utf-8"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
GEOJSON = "application/geo+json"
PRIVATE = {"Cache-Control": "private, no-store"}


def sheets_shown(db, commune, internal: bool):
    every = services.sheets_of(db, commune.id)
    return every if internal else [s for s in every if shown.is_public(s)]


def records(db, commune, internal: bool, base_url: str) -> list[dict]:
    sheets = sheets_shown(db, commune, internal)
    snaps = snapshot.load_many(db, sheets)
    return [exports.record(snaps[s.id] if internal else snapshot.public(snaps[s.id]),
                           f"{base_url}{sheet_url(commune, s.number)}") for s in sheets]


def csv_of(db, commune, internal: bool, base_url: str) -> bytes:
    return exports.csv_body(records(db, commune, internal, base_url), internal)


def xlsx_of(db, commune, internal: bool, base_url: str) -> bytes:
    return exports.xlsx_body(records(db, commune, internal, base_url), internal, f"Fiches actions {commune.name}")


def geojson_of(db, commune, base_url: str) -> bytes:
    sheets = sheets_shown(db, commune, internal=False)
    snaps = snapshot.load_many(db, sheets)
    features = []
    for s in sheets:
        snap = snapshot.public(snaps[s.id])
        geometry = snap["geometry"]
        if geometry is None:
            point = map_point(db, s, snap)
            geometry = {"type": "Point", "coordinates": list(point)} if point else None
        features.append(exports.feature(snap, geometry, f"{base_url}{sheet_url(commune, s.number)}"))
    return exports.geojson_body(features)



async def table(request: Request, slug: str, name: str, media_type: str, filename: str, build) -> Response:
    """Every sheet for a SEE_SHEETS holder (built for them, private), else the public file."""
    base_url = request.app.state.settings.base_url.rstrip("/")
    disposition = {"Content-Disposition": f'attachment; filename="{filename}"'}
    if request.scope.get("user") is not None:
        def insider(db):
            commune = load_commune(db, slug)
            if not sees_all(request, db, commune):
                return None
            return Response(build(db, commune, True, base_url), media_type=media_type, headers={
                **PRIVATE, **disposition, "Content-Disposition": f'attachment; filename="{filename.replace(".", "-toutes.", 1)}"'})

        found = await in_thread(request, insider)
        if found is not None:
            return found
    known, read = open_data_version(request, slug, name)
    return await versioned_body(request, BODIES, known, read,
                                lambda db: build(db, load_commune(db, slug), False, base_url), media_type,
                                headers={**disposition, "Vary": "Accept-Encoding, Cookie"})


def open_data_version(request: Request, slug: str, name: str):
    """(known, read) for caching.conditional: the file named after the commune's version."""
    return request.app.state.versions.commune_keys(slug, name, missing=lambda: NotFound(NO_COMMUNE))


class SheetsApiController(Controller):
    path = "/api/communes/{slug:str}"

    @get("/actions.csv")
    async def csv(self, request: Request, slug: FromPath[str]) -> Response:
        return await table(request, slug, "actions-csv", CSV, f"fiches-actions-{slug}.csv", csv_of)

    @get("/actions.xlsx")
    async def xlsx(self, request: Request, slug: FromPath[str]) -> Response:
        return await table(request, slug, "actions-xlsx", XLSX, f"fiches-actions-{slug}.xlsx", xlsx_of)

    @get("/actions.geojson")
    async def geojson(self, request: Request, slug: FromPath[str]) -> Response:
        base_url = request.app.state.settings.base_url.rstrip("/")
        known, read = open_data_version(request, slug, "actions-geojson")
        return await versioned_body(request, BODIES, known, read,
                                    lambda db: geojson_of(db, load_commune(db, slug), base_url), GEOJSON)
