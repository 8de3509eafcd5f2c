"""Following the roadmap (mise en œuvre): the back office /communes/{slug}/gestion/feuille-de-route/suivi,
where the commune (MANAGE_ROADMAP) tells where each action of its latest published roadmap stands
(status, percentage, spending against the plan) and writes dated notes with photos; and the public
page of an action's progress, /communes/{slug}/feuille-de-route/actions/{n}, with its photos.

Every back-office handler starts with the commune looked up for someone who may manage its roadmap
(303 to sign in, 403 otherwise); an action that is not in the latest published roadmap is a 404.
Nothing here changes a published snapshot."""

from datetime import date

from litestar import Controller, Request, Response
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template
from sqlalchemy.exc import IntegrityError

from revital.communes.access import Managed, load_commune, managed_commune
from revital.formatting import paris
from revital.forms import Form
from revital.permissions import MANAGE_ROADMAP
from revital.photos import upload as upload_photo
from revital.photos.upload import PhotoError
from revital.roadmaps import progress, progress_rules, services
from revital.routes import DB, get, post, shared_page
from revital.sheets import rules as sheet_rules
from revital.db import utcnow
from revital.web import confirmation, get_or_404, page, see_other

MESSAGES = {
    "suivi": "L’avancement de l’action est enregistré. Il apparaît sur la feuille de route publique.",
    "note": "La note est publiée avec l’avancement de l’action.",
    "note-supprimee": "La note est supprimée.",
}
NO_ROADMAP = "La commune n’a pas encore publié de feuille de route : publiez-la pour en suivre les actions."
NO_ACTION = "Cette action n’est pas dans la dernière version publiée de la feuille de route."
NO_NOTE = "Cette note n’existe pas ou plus."
STALE = ("L’avancement de cette action a été modifié par quelqu’un d’autre depuis l’affichage de cette page : "
         "rechargez-la pour voir son état actuel avant de recommencer. Rien n’a été enregistré.")
NOTE_BLANK = {"on": "", "text": "", "alt": ""}


def base(commune) -> str:
    return f"/communes/{commune.slug}/gestion/feuille-de-route/suivi"


def today() -> date:
    return paris(utcnow()).date()


def published(db, commune) -> tuple:
    """(the latest roadmap, its snapshot), or a 404 saying the commune has published nothing."""
    roadmap = get_or_404(services.latest(db, commune.id), NO_ROADMAP)
    return roadmap, services.snapshot_of(roadmap)


def published_action(db, commune, number: int) -> tuple:
    roadmap, snapshot = published(db, commune)
    return roadmap, get_or_404(progress.action_of(snapshot, number), NO_ACTION)


def progress_values(view: progress.ProgressView) -> dict:
    return {"status": view.status, "percent": str(view.percent), "spent": progress_rules.euros_input(view.spent_cents),
            "version": str(view.version)}


def action_page(db, managed: Managed, roadmap, action: dict, status_code: int = 200, values=None, errors=None,
                note_values=None, note_errors=None, ok=None) -> Template:
    commune = managed.commune
    views = progress.progress_of(db, commune.id)
    view = progress.view_or_default(views, action["sheet_id"])
    notes = progress.notes_by_sheet(db, commune.id, [action["sheet_id"]]).get(action["sheet_id"], [])
    return page("roadmaps/progress_form.html", status_code=status_code, **managed.context(), base=base(commune),
                roadmap=roadmap, action=action, progress=view, notes=notes, statuses=progress_rules.STATUSES,
                values=values or progress_values(view), errors=errors or {},
                note_values={**NOTE_BLANK, **(note_values or {})}, note_errors=note_errors or {}, ok=ok,
                euros=sheet_rules.euros, today=today())


class ProgressAdminController(Controller):
    path = "/communes/{slug:str}/gestion/feuille-de-route/suivi"

    @get("/")
    def list(self, request: Request, db: DB, slug: FromPath[str], ok: FromQuery[str] = "") -> Template:
        managed = managed_commune(request, db, slug, MANAGE_ROADMAP)
        commune = managed.commune
        roadmap = services.latest(db, commune.id)
        snapshot = services.snapshot_of(roadmap) if roadmap else {"actions": [], "totals": {}}
        views = progress.progress_of(db, commune.id)
        rows = [(a, progress.view_or_default(views, a["sheet_id"])) for a in snapshot.get("actions", [])]
        spent = sum(v.spent_cents for _, v in rows)
        return page("roadmaps/progress.html", **managed.context(), base=base(commune), roadmap=roadmap, rows=rows,
                    totals=snapshot.get("totals", {}), spent=spent, euros=sheet_rules.euros,
                    ok=confirmation(MESSAGES, ok))

    @get("/{number:int}")
    def edit(self, request: Request, db: DB, slug: FromPath[str], number: FromPath[int],
             ok: FromQuery[str] = "") -> Template:
        managed = managed_commune(request, db, slug, MANAGE_ROADMAP)
        roadmap, action = published_action(db, managed.commune, number)
        return action_page(db, managed, roadmap, action, ok=confirmation(MESSAGES, ok))

    @post("/{number:int}")
    def save(self, request: Request, db: DB, slug: FromPath[str], number: FromPath[int],
             form: Form) -> Template | Redirect:
        managed = managed_commune(request, db, slug, MANAGE_ROADMAP)
        commune = managed.commune
        roadmap, action = published_action(db, commune, number)
        values, errors = progress_rules.clean_progress(form)
        errors.update(form.unreadable_errors())
        typed = {name: form.get(name, "") for name in ("status", "percent", "spent", "version")}
        if errors:
            return action_page(db, managed, roadmap, action, 422, typed, errors)
        try:
            progress.save(db, commune.id, commune.slug, action, values, managed.user.id)
            db.commit()
        except (progress.Stale, IntegrityError):
            db.rollback()
            return action_page(db, managed, roadmap, action, 409, typed, {"form": STALE})
        return see_other(f"{base(commune)}/{number}?ok=suivi")

    @post("/{number:int}/notes", request_max_body_size=upload_photo.MAX_REQUEST)
    def add_note(self, request: Request, db: DB, slug: FromPath[str], number: FromPath[int],
                 form: Form) -> Template | Redirect:
        """The photo, if any, is processed outside any transaction (it takes a while), then the note
        and its photo are written in one short write transaction."""
        db.read()
        managed = managed_commune(request, db, slug, MANAGE_ROADMAP)
        commune = managed.commune
        roadmap, action = published_action(db, commune, number)
        values, errors = progress_rules.clean_note(form, today())
        errors.update(form.unreadable_errors())
        typed = {name: form.get(name, "") for name in NOTE_BLANK}
        upload = form.upload("photo")
        if upload is not None and not values["alt"]:
            errors["alt"] = "Décrivez la photo en quelques mots, pour les personnes qui ne la voient pas."
        if errors:
            if upload is not None:
                errors["photo"] = "Choisissez de nouveau la photo : elle n’a pas été gardée."
            return action_page(db, managed, roadmap, action, 422, note_values=typed, note_errors=errors)
        try:
            processed = upload_photo.process_outside(db, upload)
        except PhotoError as error:
            return action_page(db, managed, roadmap, action, 422, note_values=typed,
                               note_errors={"photo": str(error)})
        progress.add_note(db, commune.id, action["sheet_id"], values["on"], values["text"], managed.user.id,
                          processed, values["alt"])
        db.commit()
        return see_other(f"{base(commune)}/{number}?ok=note#notes")

    @post("/{number:int}/notes/{note_id:int}/supprimer")
    def remove_note(self, request: Request, db: DB, slug: FromPath[str], number: FromPath[int],
                    note_id: FromPath[int]) -> Redirect:
        managed = managed_commune(request, db, slug, MANAGE_ROADMAP)
        commune = managed.commune
        _, action = published_action(db, commune, number)
        note = get_or_404(progress.note_in(db, commune.id, action["sheet_id"], note_id), NO_NOTE)
        progress.remove_note(db, note)
        db.commit()
        return see_other(f"{base(commune)}/{number}?ok=note-supprimee#notes")


def photo_url(slug: str, token: str, thumbnail: bool = False) -> str:
    return f"/communes/{slug}/feuille-de-route/photos/{token}{'-vignette' if thumbnail else ''}.jpg"


class ActionProgressController(Controller):
    """The public side: an action's progress and notes, and the notes' photos."""

    path = "/communes/{slug:str}/feuille-de-route"

    @get("/actions/{number:int}")
    async def action(self, request: Request, slug: FromPath[str], number: FromPath[int]) -> Response:
        def build(db) -> Template:
            commune = load_commune(db, slug)
            roadmap, action = published_action(db, commune, number)
            view = progress.view_or_default(progress.progress_of(db, commune.id), action["sheet_id"])
            notes = progress.notes_by_sheet(db, commune.id, [action["sheet_id"]]).get(action["sheet_id"], [])
            return page("roadmaps/progress_action.html", commune=commune, territory=commune.territory,
                        demo=commune.territory.is_demo, roadmap=roadmap, action=action, progress=view, notes=notes,
                        euros=sheet_rules.euros, photo_url=photo_url)

        # Kept by the commune's version: a progress, a note, a publication each move it.
        return await shared_page(request, ("feuille-de-route-action", slug, number),
                                 lambda db: request.app.state.versions.commune_key(db, slug), build)

    @get("/photos/{name:str}")
    def photo(self, request: Request, db: DB, slug: FromPath[str], name: FromPath[str]) -> Response:
        token, _, ext = name.rpartition(".")
        thumbnail = token.endswith("-vignette")
        commune = load_commune(db, slug)
        found = progress.public_photo(db, commune.id, token.removesuffix("-vignette")) if ext == "jpg" else None
        photo = get_or_404(found, "Cette photo n’existe pas.")
        return Response(photo.thumbnail if thumbnail else photo.data, media_type=photo.content_type,
                        headers={"Cache-Control": "public, max-age=86400"})
