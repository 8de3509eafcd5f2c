"""The public side of workshops: a commune's workshops (/communes/{slug}/ateliers, upcoming then
past), each workshop's page with its registration form, minutes and outputs, withdrawing with the
link of the e-mail, and the iCalendar feeds of a commune and of a territory.

Technical meetings and steering committees (rules.INTERNAL, and any workshop not public) are seen by
the local group and the partners only: a 404 for everyone else, and absent from lists and feeds.
Anonymous visitors get the pages from a cache, per version of the commune and per hour (a workshop
that ends moves to the past without any write)."""

from datetime import timedelta
from urllib.parse import urlsplit

from litestar import Controller, Request, Response
from litestar.params import FromPath
from litestar.response import Redirect, Template
from sqlalchemy import select

from revital import signing
from revital.caching import HOUR
from revital.communes import services as communes
from revital.communes.access import load_commune, load_territory
from revital.contributions.models import Contribution
from revital.contributions.pages import contributions_map
from revital.db import utcnow
from revital.forms import Form
from revital.permissions import MANAGE_WORKSHOPS, SEE_INTERNAL_MEETINGS, can
from revital.routes import DB, get, post, shared_page
from revital.web import NotFound, get_or_404, page, pdf_response, principal, see_other
from revital.workshops import calendar, notices, rules, services
from revital.workshops.models import Workshop

NO_WORKSHOP = "Cette rencontre n’existe pas, ou elle est réservée au groupe local et aux partenaires."
NO_LINK = ("Ce lien de désinscription n’est pas valide : il a peut-être été mal copié, ou l’inscription a déjà été "
           "retirée. Écrivez au groupe local si vous ne pouvez pas venir.")
MESSAGES = {
    "inscrit": "Votre inscription est confirmée.",
    "attente": "La rencontre est complète : vous êtes sur la liste d’attente. Vous serez prévenu·e par e-mail si une place se libère.",
    "deja": "Vous étiez déjà inscrit·e à cette rencontre avec cette adresse : rien n’a changé.",
    "desinscrit": "Votre inscription est retirée. Merci d’avoir libéré votre place.",
}
BLANK = {"name": "", "email": "", "people": "1"}


def photo_url(slug: str, workshop_id: int, token: str, thumbnail: bool = False) -> str:
    return f"/communes/{slug}/ateliers/{workshop_id}/photos/{token}{'-vignette' if thumbnail else ''}.jpg"


def document_url(slug: str, workshop_id: int, document_id: int) -> str:
    return f"/communes/{slug}/ateliers/{workshop_id}/documents/{document_id}"


def sees_internal(request: Request, db, commune) -> bool:
    return can(principal(request), SEE_INTERNAL_MEETINGS, communes.scope_of(db, commune))


def public_panel(db, commune) -> dict:
    """The next public workshops on the commune page, with the link to all of them."""
    upcoming, _ = services.split(services.of_commune(db, commune.id), utcnow())
    return {"upcoming": upcoming[:3], "url": f"/communes/{commune.slug}/ateliers", "kinds": rules.KINDS}


def visible_workshop(request: Request, db, commune, workshop_id: int) -> Workshop:
    workshop = get_or_404(services.workshop_in(db, commune.id, workshop_id), NO_WORKSHOP)
    if not workshop.public and not sees_internal(request, db, commune):
        raise NotFound(NO_WORKSHOP)
    return workshop


def detail_page(request: Request, db, commune, workshop: Workshop, status_code: int = 200, values=None,
                errors=None, ok=None) -> Template:
    count = services.counts(db, [workshop.id]).get(workshop.id, services.Counts())
    outputs, outputs_map = [], None
    if workshop.status == rules.CLOSED:
        if workshop.public:  # the feed's workshop filter takes public workshops only
            outputs_map = contributions_map(request.app.state.settings, commune, workshop.id, count="outputs-count")
        outputs = db.execute(select(Contribution.id, Contribution.title, Contribution.kind).where(
            Contribution.workshop_id == workshop.id, Contribution.status == "published")
            .order_by(Contribution.id).limit(200)).all()
    return page("workshops/detail.html", status_code=status_code, commune=commune, territory=commune.territory,
                demo=commune.territory.is_demo, workshop=workshop, kinds=rules.KINDS, statuses=rules.STATUSES,
                counts=count, seats_left=rules.seats_left(workshop.capacity, count.confirmed),
                closed_reason=rules.can_register(workshop.status, workshop.registration_open, workshop.public,
                                                 workshop.ends_at, utcnow()),
                location=calendar.location_of(workshop), values={**BLANK, **(values or {})}, errors=errors or {},
                ok=ok, outputs=outputs, outputs_map=outputs_map, people_max=rules.PEOPLE_MAX,
                image_url=photo_url, document_url=document_url,
                manages=can(principal(request), MANAGE_WORKSHOPS, communes.scope_of(db, commune)))


def feed_response(body: bytes, filename: str) -> Response:
    return Response(body, media_type="text/calendar; charset=utf-8",
                    headers={"Content-Disposition": f'inline; filename="{filename}"', "Cache-Control": "public, max-age=300"})


class WorkshopsController(Controller):
    path = "/communes/{slug:str}/ateliers"

    @get("/")
    async def list(self, request: Request, slug: FromPath[str]) -> Response:
        def build(db) -> Template:
            commune = load_commune(db, slug)
            internal = sees_internal(request, db, commune)
            upcoming, past = services.split(services.of_commune(db, commune.id, include_internal=internal), utcnow())
            ids = [w.id for w in upcoming + past]
            return page("workshops/list.html", commune=commune, territory=commune.territory,
                        demo=commune.territory.is_demo, upcoming=upcoming, past=past, kinds=rules.KINDS,
                        statuses=rules.STATUSES, counts=services.counts(db, ids),
                        outputs=services.outputs_count(db, [w.id for w in past]), location=calendar.location_of)

        return await shared_page(request, ("ateliers", slug), lambda db: request.app.state.versions.commune_key(db, slug), build,
                                 every=HOUR)  # upcoming workshops move to the past as the hours pass

    @get("/{workshop_id:int}")
    async def detail(self, request: Request, slug: FromPath[str], workshop_id: FromPath[int]) -> Response:
        ok = MESSAGES.get(request.query_params.get("ok", ""))

        def build(db) -> Template:
            commune = load_commune(db, slug)
            return detail_page(request, db, commune, visible_workshop(request, db, commune, workshop_id), ok=ok)

        name = ("atelier", slug, workshop_id) if ok is None else None
        return await shared_page(request, name, lambda db: request.app.state.versions.commune_key(db, slug), build, every=HOUR)

    @post("/{workshop_id:int}/inscription")
    def register(self, request: Request, db: DB, slug: FromPath[str], workshop_id: FromPath[int],
                 form: Form) -> Template | Redirect:
        commune = load_commune(db, slug)
        workshop = visible_workshop(request, db, commune, workshop_id)
        fields, errors = rules.clean_registration(form)
        errors.update(form.unreadable_errors())
        refused = rules.can_register(workshop.status, workshop.registration_open, workshop.public,
                                     workshop.ends_at, utcnow())
        if refused:
            errors = {"form": refused}
        elif workshop.capacity is not None and fields.people > workshop.capacity:
            errors["people"] = f"La rencontre n’a que {workshop.capacity} places."
        if errors:
            values = {"name": fields.name, "email": fields.email or "", "people": str(fields.people)}
            return detail_page(request, db, commune, workshop, 409 if refused else 422, values, errors)
        settings = request.app.state.settings
        registered = services.register(db, workshop, fields)
        if registered.new:
            notices.tell_registered(db, settings.base_url, settings.secret_key, commune, workshop, registered.registration)
        db.commit()
        key = "deja" if not registered.new else "inscrit" if registered.registration.status == rules.CONFIRMED else "attente"
        return see_other(f"/communes/{commune.slug}/ateliers/{workshop.id}?ok={key}#inscription")

    @get("/{workshop_id:int}/desinscription/{link:str}")
    def withdraw_form(self, request: Request, db: DB, slug: FromPath[str], workshop_id: FromPath[int],
                      link: FromPath[str]) -> Template:
        commune, workshop, registration = self.by_link(request, db, slug, workshop_id, link)
        return page("workshops/withdraw.html", commune=commune, territory=commune.territory,
                    demo=commune.territory.is_demo, workshop=workshop, registration=registration, link=link,
                    active=registration.status in services.ACTIVE)

    @post("/{workshop_id:int}/desinscription/{link:str}")
    def withdraw(self, request: Request, db: DB, slug: FromPath[str], workshop_id: FromPath[int],
                 link: FromPath[str]) -> Redirect:
        commune, workshop, registration = self.by_link(request, db, slug, workshop_id, link)
        settings = request.app.state.settings
        for promoted in services.withdraw(db, workshop, registration):
            notices.tell_registered(db, settings.base_url, settings.secret_key, commune, workshop, promoted, promoted=True)
        db.commit()
        return see_other(f"/communes/{commune.slug}/ateliers/{workshop.id}?ok=desinscrit")

    @get("/{workshop_id:int}/photos/{name:str}")
    def photo(self, request: Request, db: DB, slug: FromPath[str], workshop_id: FromPath[int],
              name: FromPath[str]) -> Response:
        token, _, ext = name.rpartition(".")
        thumbnail = token.endswith("-vignette")
        commune = load_commune(db, slug)
        workshop = visible_workshop(request, db, commune, workshop_id)
        found = services.photo_by_token(db, workshop, token.removesuffix("-vignette")) if ext == "jpg" else None
        photo = get_or_404(found, "Cette photo n’existe pas.")
        cache = "public, max-age=86400" if workshop.public else "private, no-store"
        return Response(photo.thumbnail if thumbnail else photo.data, media_type=photo.content_type,
                        headers={"Cache-Control": cache})

    @get("/{workshop_id:int}/documents/{document_id:int}")
    def document(self, request: Request, db: DB, slug: FromPath[str], workshop_id: FromPath[int],
                 document_id: FromPath[int]) -> Response:
        commune = load_commune(db, slug)
        workshop = visible_workshop(request, db, commune, workshop_id)
        item = get_or_404(services.document_in(db, workshop, document_id), "Ce document n’existe pas.")
        return pdf_response(item.filename, item.data, public=workshop.public)

    @staticmethod
    def by_link(request: Request, db, slug: str, workshop_id: int, link: str):
        commune = load_commune(db, slug)
        workshop = get_or_404(services.workshop_in(db, commune.id, workshop_id), NO_LINK)
        parsed = signing.parse_link(link)
        registration = services.registration_by_id(db, workshop, parsed[0]) if parsed else None
        if registration is None or not signing.genuine(notices.token(request.app.state.settings.secret_key,
                                                                     registration), parsed[1]):
            raise NotFound(NO_LINK)
        return commune, workshop, registration


class CalendarController(Controller):
    @get("/communes/{slug:str}/ateliers.ics")
    def commune_feed(self, request: Request, db: DB, slug: FromPath[str]) -> Response:
        commune = load_commune(db, slug)
        base = request.app.state.settings.base_url
        domain = calendar_domain(base)
        now = utcnow()
        events = [calendar.event(w, commune.name, notices.workshop_url(base, commune, w), domain, now)
                  for w in services.of_commune(db, commune.id)]
        return feed_response(calendar.calendar(f"Rencontres de la démarche · {commune.name}", events),
                             f"ateliers-{commune.slug}.ics")

    @get("/territoires/{slug:str}/ateliers.ics")
    def territory_feed(self, request: Request, db: DB, slug: FromPath[str]) -> Response:
        territory = load_territory(db, slug)
        base = request.app.state.settings.base_url
        domain = calendar_domain(base)
        now = utcnow()
        events = [calendar.event(w, c.name, notices.workshop_url(base, c, w), domain, now)
                  for w, c in services.of_territory(db, territory.id, now - timedelta(days=365))]
        return feed_response(calendar.calendar(f"Rencontres des communes · {territory.name}", events),
                             f"ateliers-{territory.slug}.ics")


def calendar_domain(base_url: str) -> str:
    return urlsplit(base_url).hostname or "revital.invalid"
