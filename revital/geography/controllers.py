"""The commune's GeoJSON (open data, versioned), the perimeter editor and the named places of the back office."""

from litestar import Controller, Request, Response
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from revital import geo, maps
from revital.caching import Cache, version_key
from revital.communes.access import NO_COMMUNE, load_commune, managed_commune
from revital.forms import UNREADABLE, Form
from revital.geography import services
from revital.permissions import MANAGE_PERIMETER, MANAGE_PLACES
from revital.routes import DB, get, post, versioned_body
from revital.web import NotFound, confirmation, get_or_404, page, see_other

MESSAGES = {
    "perimetre": "Le périmètre d’étude du centre-bourg est enregistré.",
    "perimetre-efface": "Le périmètre d’étude a été effacé.",
    "lieu-ajoute": "Le lieu a été ajouté.",
    "lieu-modifie": "Le lieu a été modifié.",
    "lieu-supprime": "Le lieu a été supprimé.",
}

MAX_PERIMETER_UPLOAD = 5 * 1024 * 1024


def public_panel(db, commune) -> dict:
    """The perimeter and the named places on the public commune page."""
    places = services.places_of(db, commune.id)
    return {"places": places, "perimeter_summary": services.perimeter_summary(commune, places)}


BODIES = Cache(size=128)


class GeoJSONController(Controller):
    @get("/api/communes/{slug:str}/commune.geojson")
    async def commune_geojson(self, request: Request, slug: FromPath[str]) -> Response:
        """Boundary, perimeter and named places of a commune, under the Licence Ouverte: built once
        per version of the commune's geography, 304 from that version."""
        versions = request.app.state.versions

        def of(found):
            if found is None:
                raise NotFound(NO_COMMUNE)
            return version_key("commune", found.geo_key)

        def known():
            found = versions.known_commune(slug)
            return of(found) if found is not None else None

        return await versioned_body(request, BODIES, known, lambda db: of(versions.commune(db, slug)),
                                    lambda db: services.commune_geojson(db, load_commune(db, slug)),
                                    "application/geo+json")


def perimeter_page(request, managed, status_code=200, text="", error=None, ok=None) -> Template:
    commune = managed.commune
    return page(
        "geography/perimeter.html",
        status_code=status_code,
        **managed.context(),
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
        managed = managed_commune(request, db, slug, MANAGE_PERIMETER)
        commune = managed.commune
        return perimeter_page(request, managed, text=commune.perimeter or "", ok=confirmation(MESSAGES, ok))

    @post("/", request_max_body_size=MAX_PERIMETER_UPLOAD + 64 * 1024)
    def save(self, request: Request, db: DB, slug: FromPath[str], form: Form) -> Template | Redirect:
        managed = managed_commune(request, db, slug, MANAGE_PERIMETER)
        commune = managed.commune
        text = form.get("perimeter", "").strip()
        upload = form.upload("fichier")
        if upload is not None:
            content = upload.file.read(MAX_PERIMETER_UPLOAD + 1)
            if len(content) > MAX_PERIMETER_UPLOAD:
                return perimeter_page(request, managed, 422, text,
                                      "Le fichier dépasse 5 Mo : un périmètre de centre-bourg tient en quelques kilo-octets.")
            text = content.decode("utf-8", errors="replace").strip()
        if "perimeter" in form.unreadable:
            return perimeter_page(request, managed, 422, text, UNREADABLE)
        if not text:
            return perimeter_page(request, managed, 422, text,
                                  "Tracez le périmètre sur la carte, collez son GeoJSON ou choisissez un fichier.")
        try:
            services.set_perimeter(db, commune, text)
        except geo.GeometryError as error:
            db.rollback()
            return perimeter_page(request, managed, 422, text[:200_000], str(error))
        db.commit()
        return see_other(f"/communes/{commune.slug}/gestion/perimetre?ok=perimetre")

    @post("/effacer")
    def clear(self, request: Request, db: DB, slug: FromPath[str]) -> Redirect:
        managed = managed_commune(request, db, slug, MANAGE_PERIMETER)
        commune = managed.commune
        services.clear_perimeter(db, commune)
        db.commit()
        return see_other(f"/communes/{commune.slug}/gestion/perimetre?ok=perimetre-efface")


def places_page(request, db, managed, status_code=200, values=None, errors=None, ok=None, place=None) -> Template:
    commune = managed.commune
    return page(
        "geography/places.html" if place is None else "geography/place_form.html",
        status_code=status_code,
        **managed.context(),
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
        managed = managed_commune(request, db, slug, MANAGE_PLACES)
        return places_page(request, db, managed, ok=confirmation(MESSAGES, ok))

    @post("/")
    def add(self, request: Request, db: DB, slug: FromPath[str], form: Form) -> Template | Redirect:
        managed = managed_commune(request, db, slug, MANAGE_PLACES)
        commune = managed.commune
        services.lock_places(db, commune)
        values, errors = services.clean_place(form, commune, services.other_place_names(db, commune.id))
        errors.update(form.unreadable_errors())
        if errors:
            return places_page(request, db, managed, 422, values, errors)
        services.save_place(db, commune, values)
        db.commit()
        return see_other(f"/communes/{commune.slug}/gestion/lieux?ok=lieu-ajoute")

    @get("/{place_id:int}")
    def edit(self, request: Request, db: DB, slug: FromPath[str], place_id: FromPath[int]) -> Template:
        managed = managed_commune(request, db, slug, MANAGE_PLACES)
        commune = managed.commune
        place = load_place(db, commune, place_id)
        values = {"name": place.name, "description": place.description, "lon": f"{place.lon:.6f}", "lat": f"{place.lat:.6f}"}
        return places_page(request, db, managed, values=values, place=place)

    @post("/{place_id:int}")
    def update(self, request: Request, db: DB, slug: FromPath[str], place_id: FromPath[int], form: Form) -> Template | Redirect:
        managed = managed_commune(request, db, slug, MANAGE_PLACES)
        commune = managed.commune
        place = load_place(db, commune, place_id)
        services.lock_places(db, commune)
        values, errors = services.clean_place(form, commune, services.other_place_names(db, commune.id, place))
        errors.update(form.unreadable_errors())
        if errors:
            return places_page(request, db, managed, 422, values, errors, place=place)
        services.save_place(db, commune, values, place)
        db.commit()
        return see_other(f"/communes/{commune.slug}/gestion/lieux?ok=lieu-modifie")
