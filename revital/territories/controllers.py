"""The territory coordinator brings communes in (a GeoJSON file, or INSEE codes from
geo.api.gouv.fr) and engages them in the programme by hand (revital.process.services.engage)."""

import re

from litestar import Controller, Request
from litestar.params import FromPath, FromQuery
from litestar.response import Template
from sqlalchemy import select

from revital import backoffice, geo
from revital.communes.access import managed_territory
from revital.communes.models import Commune
from revital.forms import UNREADABLE, Form
from revital.process import phases
from revital.process.services import AlreadyEngaged, engage, territories_with_communes
from revital.routes import DB, get, post
from revital.territories import geoapi
from revital.territories.importer import import_communes
from revital.web import confirmation, page, see_other

MESSAGES = {"engagee": "La commune est engagée dans le programme : sa démarche s’ouvre en diagnostic partagé."}

MAX_UPLOAD = 50 * 1024 * 1024


def import_page(db, territory, territory_tabs, status_code=200, report=None, error=None, form=None, ok=None,
                engage_errors=None) -> Template:
    communes = next((rows for t, rows in territories_with_communes(db, territory_id=territory.id)), [])
    return page(
        "territories/import.html",
        status_code=status_code,
        territory=territory,
        demo=territory.is_demo,
        communes=communes,
        labels=phases.LABELS,
        report=report,
        error=error,
        form=form or {},
        ok=ok,
        engage_errors=engage_errors or {},
        territory_tabs=territory_tabs,
        not_engaged={c.insee: f"{c.name} ({c.insee})" for c, process in communes if process is None},
    )


def split_codes(text: str) -> list[str]:
    return [code for code in re.split(r"[\s,;]+", text.strip()) if code]


class CommuneImportController(Controller):
    path = "/territoires/{slug:str}/gestion/communes"

    @get("/")
    def form(self, request: Request, db: DB, slug: FromPath[str], ok: FromQuery[str] = "") -> Template:
        territory, user = managed_territory(request, db, slug)
        tabs = backoffice.territory_tabs(user.principal, territory.id)
        return import_page(db, territory, tabs, ok=confirmation(MESSAGES, ok))

    @post("/engager")
    def engage(self, request: Request, db: DB, slug: FromPath[str], form: Form) -> Template:
        territory, user = managed_territory(request, db, slug)
        tabs = backoffice.territory_tabs(user.principal, territory.id)
        insee, reason = form.get("commune", "").strip(), form.get("reason", "")[:5000]
        typed = {"commune": insee, "reason": reason}
        commune = db.scalar(select(Commune).where(Commune.insee == insee, Commune.territory_id == territory.id))
        errors = {}
        if commune is None:
            errors["commune"] = "Choisissez une commune du territoire dans la liste."
        elif "reason" in form.unreadable:
            errors["reason"] = UNREADABLE
        else:
            try:
                engage(db, commune, user, reason)
            except phases.TransitionRefused as refused:
                errors["commune" if isinstance(refused, AlreadyEngaged) else "reason"] = str(refused)
        if errors:
            db.rollback()
            return import_page(db, territory, tabs, 422, form=typed, engage_errors=errors)
        db.commit()
        return see_other(f"/territoires/{territory.slug}/gestion/communes?ok=engagee")

    @post("/fichier", request_max_body_size=MAX_UPLOAD + 64 * 1024)
    def from_file(self, request: Request, db: DB, slug: FromPath[str], form: Form) -> Template:
        territory, user = managed_territory(request, db, slug)
        tabs = backoffice.territory_tabs(user.principal, territory.id)
        codes_text = form.get("codes", "")
        typed = {"codes": codes_text}
        upload = form.upload("fichier")
        if upload is None:
            return import_page(db, territory, tabs, 422, error="Choisissez un fichier GeoJSON de communes.", form=typed)
        content = upload.file.read(MAX_UPLOAD + 1)
        if len(content) > MAX_UPLOAD:
            return import_page(db, territory, tabs, 422, error="Le fichier dépasse 50 Mo : découpez-le par département.", form=typed)
        try:
            collection = geo.load_json(content)
            report = import_communes(db, collection, territory.slug, codes=split_codes(codes_text) or None,
                                     source=f"fichier {upload.filename}"[:200])
        except geo.GeometryError as error:
            db.rollback()
            return import_page(db, territory, tabs, 422, error=str(error), form=typed)
        db.commit()
        return import_page(db, territory, tabs, report=report)

    @post("/api")
    def from_api(self, request: Request, db: DB, slug: FromPath[str], form: Form) -> Template:
        territory, user = managed_territory(request, db, slug)
        tabs = backoffice.territory_tabs(user.principal, territory.id)
        codes_text = form.get("insee", "")
        departement = form.get("departement", "").strip()
        typed = {"insee": codes_text, "departement": departement}
        codes = split_codes(codes_text)
        if not codes and not departement:
            return import_page(db, territory, tabs, 422, error="Indiquez des codes INSEE ou un département.", form=typed)
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
            return import_page(db, territory, tabs, 422, error=str(error), form=typed)
        db.commit()
        return import_page(db, territory, tabs, report=report)
