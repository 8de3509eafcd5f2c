"""The Ateliers tab of a commune's back office: the local group plans its workshops (kind, date and
times in Paris time, place, agenda, capacity, public or internal), sees who registered, cancels one
(the registered are told), and closes one after it took place: minutes, how many came and which of
the registered, which writes the journal entry. Every handler starts with the commune looked up for
someone who may run its workshops (403 otherwise); a workshop of another commune is a 404."""

from litestar import Controller, Request
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from revital import documents, submissions
from revital.communes.access import Managed, managed_commune
from revital.db import utcnow
from revital.formatting import paris
from revital.forms import Form
from revital.geography import services as geography
from revital.permissions import MANAGE_WORKSHOPS
from revital.process import services as process
from revital.routes import DB, get, post
from revital.photos import upload as photo_upload
from revital.photos.upload import PhotoError
from revital.text import clean_line, clean_text
from revital.web import confirmation, get_or_404, page, see_other
from revital.workshops import controllers, notices, rules, services
from revital.workshops.models import Workshop

MESSAGES = {
    "cree": "La rencontre est enregistrée. Elle apparaît sur la page publique de la commune.",
    "cree-interne": "La rencontre est enregistrée. Réservée au groupe local et aux partenaires, elle n’est pas publique.",
    "modifie": "La rencontre est modifiée.",
    "annule": "La rencontre est annulée ; les personnes inscrites avec une adresse e-mail sont prévenues.",
    "cloture": "Le compte rendu est publié et la rencontre close ; le journal de la commune l’annonce.",
    "cloture-modifiee": "Le compte rendu est mis à jour.",
    "photo": "La photo est ajoutée à la rencontre.",
    "photo-retiree": "La photo est retirée.",
    "document": "Le document est joint à la rencontre.",
    "document-retire": "Le document est retiré.",
}
MAX_PHOTO_UPLOAD = photo_upload.MAX_REQUEST
MAX_DOCUMENT_UPLOAD = documents.MAX_DOCUMENT + 256 * 1024
NO_WORKSHOP = "Cette rencontre n’existe pas dans cette commune."
STALE = ("La rencontre a été modifiée par quelqu’un d’autre depuis l’affichage de cette page : rechargez-la avant "
         "de recommencer. Rien n’a été enregistré.")
BLANK = {"kind": "", "title": "", "date": "", "start": "", "end": "", "end_date": "", "place": "", "address": "",
         "facilitators": "", "agenda": "", "capacity": "", "public": "on", "registration_open": "on", "version": "0"}


def base(commune) -> str:
    return f"/communes/{commune.slug}/gestion/ateliers"


def load(db, managed: Managed, workshop_id: int) -> Workshop:
    return get_or_404(services.workshop_in(db, managed.commune.id, workshop_id), NO_WORKSHOP)


def values_of(workshop: Workshop) -> dict:
    start, end = paris(workshop.starts_at), paris(workshop.ends_at)
    return {"kind": workshop.kind, "title": workshop.title, "date": start.date().isoformat(),
            "start": start.strftime("%H:%M"), "end": end.strftime("%H:%M"),
            "end_date": end.date().isoformat() if end.date() != start.date() else "",
            "place": str(workshop.place_id or ""), "address": workshop.address, "facilitators": workshop.facilitators,
            "agenda": workshop.agenda, "capacity": str(workshop.capacity or ""),
            "public": "on" if workshop.public else "", "registration_open": "on" if workshop.registration_open else "",
            "version": str(workshop.version)}


def form_page(db, managed: Managed, values: dict, errors=None, status_code=200, workshop=None, ok=None) -> Template:
    places = geography.places_of(db, managed.commune.id)
    return page("workshops/form.html", status_code=status_code, **managed.context(), values={**BLANK, **values},
                errors=errors or {}, workshop=workshop, ok=ok, base=base(managed.commune),
                kinds=rules.KINDS, internal=rules.INTERNAL, place_options=[(str(p.id), p.name) for p in places])


def closing_page(db, managed: Managed, workshop: Workshop, values=None, errors=None, status_code=200,
                 ok=None, file_errors=None, file_values=None) -> Template:
    registrations = services.registrations_of(db, workshop)
    if values is None:
        values = {"minutes": workshop.minutes, "attendance": "" if workshop.attendance is None else str(workshop.attendance),
                  "attended": {r.id for r in registrations if r.attended}}
    count = services.counts(db, [workshop.id]).get(workshop.id, services.Counts())
    return page("workshops/closing.html", status_code=status_code, **managed.context(), workshop=workshop,
                registrations=registrations, values=values, errors=errors or {}, ok=ok, base=base(managed.commune),
                kinds=rules.KINDS, statuses=rules.STATUSES, registration_statuses=rules.REGISTRATION_STATUSES,
                counts=count, happened=workshop.starts_at <= utcnow(), file_errors=file_errors or {},
                file_values={"alt": "", "title": "", **(file_values or {})}, image_url=controllers.photo_url,
                document_url=controllers.document_url)


class WorkshopsAdminController(Controller):
    path = "/communes/{slug:str}/gestion/ateliers"

    @get("/")
    def list(self, request: Request, db: DB, slug: FromPath[str], ok: FromQuery[str] = "") -> Template:
        managed = managed_commune(request, db, slug, MANAGE_WORKSHOPS)
        workshops = services.of_commune(db, managed.commune.id, include_internal=True)
        upcoming, past = services.split(workshops, utcnow())
        return page("workshops/manage.html", **managed.context(), upcoming=upcoming, past=past, kinds=rules.KINDS,
                    statuses=rules.STATUSES, counts=services.counts(db, [w.id for w in workshops]),
                    ok=confirmation(MESSAGES, ok), base=base(managed.commune), now=utcnow())

    @get("/nouveau")
    def new(self, request: Request, db: DB, slug: FromPath[str]) -> Template:
        managed = managed_commune(request, db, slug, MANAGE_WORKSHOPS)
        return form_page(db, managed, {})

    @post("/nouveau")
    def create(self, request: Request, db: DB, slug: FromPath[str], form: Form) -> Template | Redirect:
        return self.write(request, db, slug, form, None)

    @get("/{workshop_id:int}")
    def edit(self, request: Request, db: DB, slug: FromPath[str], workshop_id: FromPath[int],
             ok: FromQuery[str] = "") -> Template:
        managed = managed_commune(request, db, slug, MANAGE_WORKSHOPS)
        workshop = load(db, managed, workshop_id)
        return form_page(db, managed, values_of(workshop), workshop=workshop, ok=confirmation(MESSAGES, ok))

    @post("/{workshop_id:int}")
    def update(self, request: Request, db: DB, slug: FromPath[str], workshop_id: FromPath[int],
               form: Form) -> Template | Redirect:
        return self.write(request, db, slug, form, workshop_id)

    def write(self, request: Request, db, slug: str, form, workshop_id: int | None) -> Template | Redirect:
        managed = managed_commune(request, db, slug, MANAGE_WORKSHOPS)
        workshop = load(db, managed, workshop_id) if workshop_id is not None else None
        places = {p.id for p in geography.places_of(db, managed.commune.id)}
        fields, errors = rules.clean_workshop(form, places)
        errors.update(form.unreadable_errors())
        values = {name: form.get(name, "") for name in BLANK}
        if workshop is not None and workshop.status == rules.CANCELLED:
            errors["form"] = "Cette rencontre est annulée : créez-en une nouvelle plutôt que de la modifier."
        if errors:
            return form_page(db, managed, values, errors, 422, workshop)
        seen = int(values["version"]) if values["version"].isdigit() else -1
        if workshop is not None and services.lock(db, workshop) != seen:
            db.rollback()
            return form_page(db, managed, values, {"form": STALE}, 409, workshop)
        current = process.process_of(db, managed.commune.id)
        phase = current.phase if current else "diagnostic"
        created = workshop is None
        once = submissions.key_of(form) if created else None
        if (gone := submissions.taken(db, once)) is not None:  # sent twice: the first made it
            db.rollback()
            return see_other(gone or base(managed.commune))
        workshop = services.save(db, managed.commune.id, phase, fields, workshop)
        key = ("cree" if workshop.public else "cree-interne") if created else "modifie"
        submissions.finish(db, once, target := f"{base(managed.commune)}?ok={key}")
        db.commit()
        return see_other(target)

    @post("/{workshop_id:int}/annuler")
    def cancel(self, request: Request, db: DB, slug: FromPath[str], workshop_id: FromPath[int],
               form: Form) -> Template | Redirect:
        managed = managed_commune(request, db, slug, MANAGE_WORKSHOPS)
        workshop = load(db, managed, workshop_id)
        reason = clean_text(form.get("reason"))
        if workshop.status != rules.PLANNED:
            return form_page(db, managed, values_of(workshop), {"form": "Seule une rencontre prévue peut être annulée."},
                             409, workshop)
        if len(reason) < 5:
            return form_page(db, managed, values_of(workshop),
                             {"reason": "Dites en quelques mots pourquoi la rencontre est annulée : les inscrits le liront."},
                             422, workshop)
        services.lock(db, workshop)
        services.cancel(workshop, reason[:2000])
        notices.tell_cancelled(db, request.app.state.settings.base_url, managed.commune, workshop,
                               services.registrations_of(db, workshop))
        db.commit()
        return see_other(f"{base(managed.commune)}?ok=annule")

    @get("/{workshop_id:int}/cloture")
    def closing(self, request: Request, db: DB, slug: FromPath[str], workshop_id: FromPath[int],
                ok: FromQuery[str] = "") -> Template:
        managed = managed_commune(request, db, slug, MANAGE_WORKSHOPS)
        return closing_page(db, managed, load(db, managed, workshop_id), ok=confirmation(MESSAGES, ok))

    @post("/{workshop_id:int}/cloture")
    def close(self, request: Request, db: DB, slug: FromPath[str], workshop_id: FromPath[int],
              form: Form) -> Template | Redirect:
        managed = managed_commune(request, db, slug, MANAGE_WORKSHOPS)
        workshop = load(db, managed, workshop_id)
        values, errors = rules.clean_closing(form)
        errors.update(form.unreadable_errors())
        registrations = {r.id for r in services.registrations_of(db, workshop)}
        attended = {int(v) for v in form.getall("attended") if v.isdigit() and int(v) in registrations}
        values["attended"] = attended
        if workshop.status == rules.CANCELLED:
            errors["form"] = "Cette rencontre est annulée : elle ne se clôt pas."
        elif workshop.starts_at > utcnow():
            errors["form"] = "La rencontre n’a pas encore commencé : elle se clôt une fois tenue."
        if errors:
            return closing_page(db, managed, workshop, values, errors, 422)
        first = workshop.status != rules.CLOSED
        services.lock(db, workshop)
        services.close(db, workshop, values["minutes"], values["attendance"], attended)
        db.commit()
        return see_other(f"{base(managed.commune)}/{workshop.id}/cloture?ok={'cloture' if first else 'cloture-modifiee'}")

    @post("/{workshop_id:int}/photos", request_max_body_size=MAX_PHOTO_UPLOAD)
    def add_photo(self, request: Request, db: DB, slug: FromPath[str], workshop_id: FromPath[int],
                  form: Form) -> Template | Redirect:
        """The photo is processed outside any transaction (it takes a while), then added in one
        short write transaction."""
        db.read()
        managed = managed_commune(request, db, slug, MANAGE_WORKSHOPS)
        workshop = load(db, managed, workshop_id)
        alt = clean_line(form.get("alt"))
        upload = form.upload("photo")
        errors = {}
        if upload is None:
            errors["photo"] = "Choisissez une photo (JPEG, PNG ou WebP, 10 Mo au plus)."
        if not alt:
            errors["alt"] = "Décrivez la photo en quelques mots, pour les personnes qui ne la voient pas."
        elif len(alt) > 200:
            errors["alt"] = "La description de la photo dépasse 200 caractères."
        if errors:
            if upload is not None:
                errors["photo"] = "Choisissez de nouveau la photo : elle n’a pas été gardée."
            return closing_page(db, managed, workshop, status_code=422, file_errors=errors, file_values={"alt": alt})
        try:
            processed = photo_upload.process_outside(db, upload)
        except PhotoError as error:
            return closing_page(db, managed, workshop, status_code=422, file_errors={"photo": str(error)},
                                file_values={"alt": alt})
        services.lock(db, workshop)
        db.refresh(workshop)
        services.add_photo(db, workshop, processed, alt)
        db.commit()
        return see_other(f"{base(managed.commune)}/{workshop.id}/cloture?ok=photo#fichiers")

    @post("/{workshop_id:int}/photos/{item_id:int}/retirer")
    def remove_photo(self, request: Request, db: DB, slug: FromPath[str], workshop_id: FromPath[int],
                     item_id: FromPath[int]) -> Redirect:
        managed = managed_commune(request, db, slug, MANAGE_WORKSHOPS)
        workshop = load(db, managed, workshop_id)
        item = get_or_404(next((p for p in workshop.photos if p.id == item_id), None), "Cette photo n’existe plus.")
        services.remove_photo(db, workshop, item)
        db.commit()
        return see_other(f"{base(managed.commune)}/{workshop.id}/cloture?ok=photo-retiree#fichiers")

    @post("/{workshop_id:int}/documents", request_max_body_size=MAX_DOCUMENT_UPLOAD)
    def add_document(self, request: Request, db: DB, slug: FromPath[str], workshop_id: FromPath[int],
                     form: Form) -> Template | Redirect:
        managed = managed_commune(request, db, slug, MANAGE_WORKSHOPS)
        workshop = load(db, managed, workshop_id)
        title = clean_line(form.get("title"))
        upload = form.upload("document")
        if upload is None:
            return closing_page(db, managed, workshop, status_code=422, file_values={"title": title},
                                file_errors={"document": "Choisissez un document PDF à joindre."})
        if len(title) > 160:
            return closing_page(db, managed, workshop, status_code=422, file_values={"title": title},
                                file_errors={"title": "Le titre du document dépasse 160 caractères."})
        services.lock(db, workshop)
        try:
            services.add_document(db, workshop, upload.filename, upload.file.read(documents.MAX_DOCUMENT + 1), title)
        except documents.DocumentRefused as refusal:
            db.rollback()
            return closing_page(db, managed, load(db, managed, workshop_id), status_code=422,
                                file_values={"title": title}, file_errors={"document": str(refusal)})
        db.commit()
        return see_other(f"{base(managed.commune)}/{workshop.id}/cloture?ok=document#fichiers")

    @post("/{workshop_id:int}/documents/{document_id:int}/retirer")
    def remove_document(self, request: Request, db: DB, slug: FromPath[str], workshop_id: FromPath[int],
                        document_id: FromPath[int]) -> Redirect:
        managed = managed_commune(request, db, slug, MANAGE_WORKSHOPS)
        workshop = load(db, managed, workshop_id)
        item = get_or_404(next((d for d in workshop.documents if d.id == document_id), None), "Ce document n’existe plus.")
        workshop.documents.remove(item)
        workshop.version += 1
        db.commit()
        return see_other(f"{base(managed.commune)}/{workshop.id}/cloture?ok=document-retire#fichiers")
