"""The territory coordinator imports communes: a GeoJSON file, or INSEE codes from geo.api.gouv.fr."""

import re

from litestar import Controller, Request
from litestar.params import FromPath
from litestar.response import Template
from sqlalchemy import select

from revital import geo
from revital.communes.models import Territory
from revital.communes.services import territories_with_communes
from revital.forms import Form
from revital.geography import geoapi
from revital.geography.importer import import_communes
from revital.permissions import MANAGE_TERRITORY, can_in_territory, refusal
from revital.process import phases
from revital.routes import DB, get, post
from revital.web import Forbidden, get_or_404, page, require_user

MAX_UPLOAD = 50 * 1024 * 1024


def load_territory(request: Request, db, slug: str) -> Territory:
    territory = get_or_404(db.scalar(select(Territory).where(Territory.slug == slug)),
                           "Aucun territoire ne correspond à cette adresse.")
    user = require_user(request)
    if not can_in_territory(user.principal, MANAGE_TERRITORY, territory.id):
        raise Forbidden(refusal(MANAGE_TERRITORY))
    return territory


def import_page(db, territory, status_code=200, report=None, error=None, form=None) -> Template:
    communes = next((rows for t, rows in territories_with_communes(db) if t.id == territory.id), [])
    return page(
        "geography/import.html",
        status_code=status_code,
        territory=territory,
        demo=territory.is_demo,
        communes=communes,
        labels=phases.LABELS,
        report=report,
        error=error,
        form=form or {},
    )


def split_codes(text: str) -> list[str]:
    return [code for code in re.split(r"[\s,;]+", text.strip()) if code]


class CommuneImportController(Controller):
    path = "/territoires/{slug:str}/gestion/communes"

    @get("/")
    def form(self, request: Request, db: DB, slug: FromPath[str]) -> Template:
        territory = load_territory(request, db, slug)
        return import_page(db, territory)

    @post("/fichier", request_max_body_size=MAX_UPLOAD + 64 * 1024)
    def from_file(self, request: Request, db: DB, slug: FromPath[str], form: Form) -> Template:
        territory = load_territory(request, db, slug)
        codes_text = form.get("codes", "")
        typed = {"codes": codes_text}
        upload = form.upload("fichier")
        if upload is None:
            return import_page(db, territory, 422, error="Choisissez un fichier GeoJSON de communes.", form=typed)
        content = upload.file.read(MAX_UPLOAD + 1)
        if len(content) > MAX_UPLOAD:
            return import_page(db, territory, 422, error="Le fichier dépasse 50 Mo : découpez-le par département.", form=typed)
        try:
            collection = geo.load_json(content)
            report = import_communes(db, collection, territory.slug, codes=split_codes(codes_text) or None,
                                     source=f"fichier {upload.filename}"[:200])
        except geo.GeometryError as error:
            db.rollback()
            return import_page(db, territory, 422, error=str(error), form=typed)
        db.commit()
        return import_page(db, territory, report=report)

    @post("/api")
    def from_api(self, request: Request, db: DB, slug: FromPath[str], form: Form) -> Template:
        territory = load_territory(request, db, slug)
        codes_text = form.get("insee", "")
        departement = form.get("departement", "").strip()
        typed = {"insee": codes_text, "departement": departement}
        codes = split_codes(codes_text)
        if not codes and not departement:
            return import_page(db, territory, 422, error="Indiquez des codes INSEE ou un département.", form=typed)
        # End the request's transaction first: on SQLite it holds the write lock, and the API
        # may take its whole timeout to answer.
        territory_slug = territory.slug
        db.rollback()
        settings = request.app.state.settings
        try:
            collection = geoapi.fetch_communes(settings.geo_api_url, settings.geo_api_timeout,
                                               codes=codes or None, departement=departement or None)
            db.write()
            report = import_communes(db, collection, territory_slug, source="geo.api.gouv.fr")
        except (geoapi.GeoApiError, geo.GeometryError) as error:
            db.rollback()
            return import_page(db, territory, 422, error=str(error), form=typed)
        db.commit()
        return import_page(db, territory, report=report)
