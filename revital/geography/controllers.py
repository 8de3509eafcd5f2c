from litestar import Controller, Request, Response
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from revital import geo, maps
from revital.communes.controllers import load_commune, managed_commune, tabs_for
from revital.forms import UNREADABLE, Form
from revital.geography import services
from revital.permissions import MANAGE_PERIMETER, MANAGE_PLACES
from revital.routes import DB, get, post
from revital.web import get_or_404, ok_message, page, see_other

MAX_PERIMETER_UPLOAD = 5 * 1024 * 1024


class GeoJSONController(Controller):
    @get("/api/communes/{slug:str}/commune.geojson")
    def commune_geojson(self, request: Request, db: DB, slug: FromPath[str]) -> Response:
        """Boundary, perimeter and named places of a commune, under the Licence Ouverte."""
        commune = load_commune(db, slug)
        etag = f'"commune-{services.geo_etag(commune)}"'
        headers = {"ETag": etag, "Cache-Control": "public, max-age=60", "Vary": "Accept-Encoding"}
        if request.headers.get("if-none-match") == etag:
            return Response(b"", status_code=304, headers=headers)
        body = services.commune_geojson(db, commune)
        return Response(body, media_type="application/geo+json", headers=headers)


def perimeter_page(request, db, commune, status_code=200, text="", error=None, ok=None) -> Template:
    return page(
        "geography/perimeter.html",
        status_code=status_code,
        commune=commune,
        admin_tabs=tabs_for(request, db, commune),
        territory=commune.territory,
        demo=commune.territory.is_demo,
        map=maps.commune_map(request.app.state.settings, commune, maps.PERIMETER_EDITOR, field="perimeter"),
        text=text,
        error=error,
        ok=ok,
        area=geo.describe_area(geo.from_geojson(commune.perimeter)) if commune.perimeter else None,
    )


class PerimeterController(Controller):
    path = "/communes/{slug:str}/gestion/perimetre"

    @get("/")
    def form(self, request: Request, db: DB, slug: FromPath[str], ok: FromQuery[str] = "") -> Template:
        commune, _ = managed_commune(request, db, slug, MANAGE_PERIMETER)
        return perimeter_page(request, db, commune, text=commune.perimeter or "", ok=ok_message(ok))

    @post("/", request_max_body_size=MAX_PERIMETER_UPLOAD + 64 * 1024)
    def save(self, request: Request, db: DB, slug: FromPath[str], form: Form) -> Template | Redirect:
        commune, _ = managed_commune(request, db, slug, MANAGE_PERIMETER)
        text = form.get("perimeter", "").strip()
        upload = form.upload("fichier")
        if upload is not None:
            content = upload.file.read(MAX_PERIMETER_UPLOAD + 1)
            if len(content) > MAX_PERIMETER_UPLOAD:
                return perimeter_page(request, db, commune, 422, text,
                                      "Le fichier dépasse 5 Mo : un périmètre de centre-bourg tient en quelques kilo-octets.")
            text = content.decode("utf-8", errors="replace").strip()
        if "perimeter" in form.unreadable:
            return perimeter_page(request, commune, 422, text, UNREADABLE)
        if not text:
            return perimeter_page(request, db, commune, 422, text,
                                  "Tracez le périmètre sur la carte, collez son GeoJSON ou choisissez un fichier.")
        try:
            services.set_perimeter(db, commune, text)
        except geo.GeometryError as error:
            db.rollback()
            return perimeter_page(request, db, commune, 422, text[:200_000], str(error))
        db.commit()
        return see_other(f"/communes/{commune.slug}/gestion/perimetre?ok=perimetre")

    @post("/effacer")
    def clear(self, request: Request, db: DB, slug: FromPath[str]) -> Redirect:
        commune, _ = managed_commune(request, db, slug, MANAGE_PERIMETER)
        services.clear_perimeter(db, commune)
        db.commit()
        return see_other(f"/communes/{commune.slug}/gestion/perimetre?ok=perimetre-efface")


def places_page(request, db, commune, status_code=200, values=None, errors=None, ok=None, place=None) -> Template:
    return page(
        "geography/places.html" if place is None else "geography/place_form.html",
        status_code=status_code,
        commune=commune,
        territory=commune.territory,
        demo=commune.territory.is_demo,
        admin_tabs=tabs_for(request, db, commune),
        places=services.places_of(db, commune.id),
        place=place,
        map=maps.commune_map(request.app.state.settings, commune, maps.POINT_PICKER, lon="place-lon", lat="place-lat"),
        values=values or {},
        errors=errors or {},
        ok=ok,
    )


def load_place(db, commune, place_id: int):
    return get_or_404(services.place_in(db, commune.id, place_id), "Ce lieu n’existe pas dans cette commune.")


class PlacesController(Controller):
    path = "/communes/{slug:str}/gestion/lieux"

    @get("/")
    def list(self, request: Request, db: DB, slug: FromPath[str], ok: FromQuery[str] = "") -> Template:
        commune, _ = managed_commune(request, db, slug, MANAGE_PLACES)
        return places_page(request, db, commune, ok=ok_message(ok))

    @post("/")
    def add(self, request: Request, db: DB, slug: FromPath[str], form: Form) -> Template | Redirect:
        commune, _ = managed_commune(request, db, slug, MANAGE_PLACES)
        services.lock_places(db, commune)
        values, errors = services.clean_place(form, commune, services.other_place_names(db, commune.id))
        errors.update(form.unreadable_errors())
        if errors:
            return places_page(request, db, commune, 422, values, errors)
        services.save_place(db, commune, values)
        db.commit()
        return see_other(f"/communes/{commune.slug}/gestion/lieux?ok=lieu-ajoute")

    @get("/{place_id:int}")
    def edit(self, request: Request, db: DB, slug: FromPath[str], place_id: FromPath[int]) -> Template:
        commune, _ = managed_commune(request, db, slug, MANAGE_PLACES)
        place = load_place(db, commune, place_id)
        values = {"name": place.name, "description": place.description, "lon": f"{place.lon:.6f}", "lat": f"{place.lat:.6f}"}
        return places_page(request, db, commune, values=values, place=place)

    @post("/{place_id:int}")
    def update(self, request: Request, db: DB, slug: FromPath[str], place_id: FromPath[int], form: Form) -> Template | Redirect:
        commune, _ = managed_commune(request, db, slug, MANAGE_PLACES)
        place = load_place(db, commune, place_id)
        services.lock_places(db, commune)
        values, errors = services.clean_place(form, commune, services.other_place_names(db, commune.id, place))
        errors.update(form.unreadable_errors())
        if errors:
            return places_page(request, db, commune, 422, values, errors, place=place)
        services.save_place(db, commune, values, place)
        db.commit()
        return see_other(f"/communes/{commune.slug}/gestion/lieux?ok=lieu-modifie")
