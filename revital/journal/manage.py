"""The Journal tab of a commune's back office: the commune and its facilitators write posts (title,
Markdown text with a preview, images), keep them as drafts or publish them, edit and delete them.
Every handler starts with the commune looked up for someone who may write its journal (403
otherwise); a post of another commune is a 404."""

from litestar import Controller, Request
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from revital import submissions
from revital.communes.access import Managed, managed_commune
from revital.forms import Form
from revital.journal import followers, services
from revital.journal.controllers import image_url
from revital.journal.models import PHASE, PUBLISHED
from revital.permissions import WRITE_JOURNAL
from revital.photos import upload as photo_upload
from revital.photos.upload import PhotoError
from revital.routes import DB, get, post
from revital.web import confirmation, get_or_404, page, see_other

MESSAGES = {
    "publie": "L’article est publié.",
    "brouillon": "Le brouillon est enregistré.",
    "supprime": "L’article est supprimé.",
    "image-retiree": "L’image est retirée de l’article.",
}
NO_POST = "Cet article n’existe pas dans le journal de cette commune."
STALE = ("L’article a été modifié par quelqu’un d’autre depuis l’affichage de cette page : "
         "rechargez-la avant de recommencer. Rien n’a été enregistré.")
MAX_UPLOAD = photo_upload.MAX_REQUEST


def base(commune) -> str:
    return f"/communes/{commune.slug}/gestion/journal"


def form_page(managed: Managed, values: dict, errors: dict | None = None, status_code: int = 200,
              item=None, preview: bool = False, notice: str | None = None, ok: str | None = None) -> Template:
    return page("journal/form.html", status_code=status_code, **managed.context(), values=values,
                errors=errors or {}, post=item, preview=preview, notice=notice, ok=ok, statuses=services.STATUSES,
                image_url=image_url, base=base(managed.commune), automatic=PHASE)


def load(db, managed: Managed, post_id: int):
    return get_or_404(services.post_in(db, managed.commune.id, post_id), NO_POST)


def values_of(item) -> dict:
    return {"title": item.title, "body": item.body, "status": item.status, "alt": "", "version": item.version}


class JournalAdminController(Controller):
    path = "/communes/{slug:str}/gestion/journal"

    @get("/")
    def list(self, request: Request, db: DB, slug: FromPath[str], ok: FromQuery[str] = "") -> Template:
        managed = managed_commune(request, db, slug, WRITE_JOURNAL)
        return page("journal/manage.html", **managed.context(), posts=services.posts_of(db, managed.commune.id),
                    statuses=services.STATUSES, ok=confirmation(MESSAGES, ok), base=base(managed.commune),
                    automatic=PHASE, followers=followers.confirmed_count(db, managed.commune.id))

    @get("/nouveau")
    def new(self, request: Request, db: DB, slug: FromPath[str]) -> Template:
        managed = managed_commune(request, db, slug, WRITE_JOURNAL)
        return form_page(managed, {"title": "", "body": "", "status": "draft", "alt": "", "version": 0})

    @post("/nouveau", request_max_body_size=MAX_UPLOAD)
    def create(self, request: Request, db: DB, slug: FromPath[str], form: Form) -> Template | Redirect:
        return self.write(request, db, slug, form, None)

    @get("/{post_id:int}")
    def edit(self, request: Request, db: DB, slug: FromPath[str], post_id: FromPath[int],
             ok: FromQuery[str] = "") -> Template:
        managed = managed_commune(request, db, slug, WRITE_JOURNAL)
        item = load(db, managed, post_id)
        return form_page(managed, values_of(item), item=item, ok=confirmation(MESSAGES, ok))

    @post("/{post_id:int}", request_max_body_size=MAX_UPLOAD)
    def update(self, request: Request, db: DB, slug: FromPath[str], post_id: FromPath[int],
               form: Form) -> Template | Redirect:
        return self.write(request, db, slug, form, post_id)

    def write(self, request: Request, db, slug: str, form, post_id: int | None) -> Template | Redirect:
        """Create or update a post: read and check, then the photo (outside any transaction: it
        takes a while), then one short write transaction with the post's row locked."""
        db.read()
        managed = managed_commune(request, db, slug, WRITE_JOURNAL)
        item = load(db, managed, post_id) if post_id is not None else None
        values, errors = services.clean(form)
        try:
            values["version"] = int(form.get("version", "0"))
        except ValueError:
            values["version"] = -1
        upload = form.upload("image")
        if upload is not None and not values["alt"]:
            errors["alt"] = "Décrivez l’image en quelques mots pour les personnes qui ne la voient pas."
        if form.get("action") == "apercu":  # nothing is saved; a chosen image must be chosen again
            notice = "L’aperçu ne garde pas l’image choisie : choisissez-la de nouveau avant d’enregistrer." if upload else None
            return form_page(managed, values, item=item, preview=True, notice=notice)
        if errors:
            if upload is not None:
                errors["image"] = "Choisissez de nouveau l’image : elle n’a pas été gardée."
            return form_page(managed, values, errors, 422, item)
        try:
            processed = photo_upload.process_outside(db, upload)
        except PhotoError as error:
            return form_page(managed, values, {"image": str(error)}, 422, item)
        if item is not None:
            if services.lock(db, item) != values["version"]:
                db.rollback()
                return form_page(managed, values, {"form": STALE}, 409, item)
            db.refresh(item)
        once = submissions.key_of(form) if item is None else None
        if (gone := submissions.taken(db, once)) is not None:  # sent twice: the first made it
            db.rollback()
            return see_other(gone or base(managed.commune))
        item = services.save(db, managed.commune.id, values, managed.user, item)
        if processed is not None:
            services.add_image(db, item, processed, values["alt"])
        key = "publie" if item.status == PUBLISHED else "brouillon"
        if processed is not None:
            target = f"{base(managed.commune)}/{item.id}?ok={key}#images"
        else:
            target = f"{base(managed.commune)}?ok={key}"
        submissions.finish(db, once, target)
        db.commit()
        return see_other(target)

    @get("/{post_id:int}/supprimer")
    def confirm_delete(self, request: Request, db: DB, slug: FromPath[str], post_id: FromPath[int]) -> Template:
        managed = managed_commune(request, db, slug, WRITE_JOURNAL)
        item = load(db, managed, post_id)
        return page("journal/delete.html", **managed.context(), post=item, base=base(managed.commune))

    @post("/{post_id:int}/supprimer")
    def delete(self, request: Request, db: DB, slug: FromPath[str], post_id: FromPath[int],
               form: Form) -> Template | Redirect:
        managed = managed_commune(request, db, slug, WRITE_JOURNAL)
        item = load(db, managed, post_id)
        if form.get("confirm") != "1":
            return page("journal/delete.html", status_code=422, **managed.context(), post=item,
                        base=base(managed.commune))
        services.remove(db, item)
        db.commit()
        return see_other(f"{base(managed.commune)}?ok=supprime")

    @post("/{post_id:int}/images/{image_id:int}/supprimer")
    def remove_image(self, request: Request, db: DB, slug: FromPath[str], post_id: FromPath[int],
                     image_id: FromPath[int]) -> Redirect:
        managed = managed_commune(request, db, slug, WRITE_JOURNAL)
        item = load(db, managed, post_id)
        image = get_or_404(next((i for i in item.images if i.id == image_id), None), "Cette image n’existe pas.")
        services.remove_image(db, item, image)
        db.commit()
        return see_other(f"{base(managed.commune)}/{item.id}?ok=image-retiree#images")
