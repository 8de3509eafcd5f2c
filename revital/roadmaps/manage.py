"""The "Feuille de route" tab of a commune's back office (/communes/{slug}/gestion/feuille-de-route,
MANAGE_ROADMAP): what publishing would make now from the validated sheets, compared with the latest
published version; the publish form (a note on what changed, required from version 2 on; the form
carries the latest version it was shown with, so a double submit publishes once); the versions
published. The following of the actions (…/feuille-de-route/suivi) is its own page."""

from litestar import Controller, Request
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from revital.communes.access import Managed, managed_commune
from revital.forms import UNREADABLE, Form
from revital.permissions import MANAGE_ROADMAP
from revital.roadmaps import builder, gantt, labels, services
from revital.routes import DB, get, post
from revital.sheets import rules as sheet_rules
from revital.web import confirmation, page, see_other

MESSAGES = {"publiee": "La nouvelle version de la feuille de route est publiée, et annoncée dans le journal de la commune."}


def base(commune) -> str:
    return f"/communes/{commune.slug}/gestion/feuille-de-route"


def manage_page(db, managed: Managed, status_code: int = 200, note: str = "", error: str | None = None,
                ok: str | None = None) -> Template:
    commune = managed.commune
    preview = services.preview(db, commune)
    latest = services.latest(db, commune.id)
    comparison = builder.compare(services.snapshot_of(latest), preview) if latest else None
    next_number = (latest.number if latest else 0) + 1
    return page("roadmaps/manage.html", status_code=status_code, **managed.context(), base=base(commune),
                preview=preview, latest=latest, comparison=comparison, versions=services.versions(db, commune.id),
                next_number=next_number, seen=latest.number if latest else 0, note=note,
                errors={"note": error} if error else {}, ok=ok, note_max=services.NOTE_MAX,
                labels=labels, sheet_rules=sheet_rules, span=gantt.quarter_span_fr, euros=sheet_rules.euros,
                unchanged=comparison is not None and builder.is_empty(comparison),
                follow_url=f"{base(commune)}/suivi")


class RoadmapAdminController(Controller):
    path = "/communes/{slug:str}/gestion/feuille-de-route"

    @get("/")
    def show(self, request: Request, db: DB, slug: FromPath[str], ok: FromQuery[str] = "") -> Template:
        managed = managed_commune(request, db, slug, MANAGE_ROADMAP)
        return manage_page(db, managed, ok=confirmation(MESSAGES, ok))

    @post("/publier")
    def publish(self, request: Request, db: DB, slug: FromPath[str], form: Form) -> Template | Redirect:
        managed = managed_commune(request, db, slug, MANAGE_ROADMAP)
        note = form.get("note", "")
        if form.unreadable:
            return manage_page(db, managed, 422, note, UNREADABLE)
        seen = form.get("seen", "")
        seen_number = int(seen) if seen.isdigit() and len(seen) < 10 else None
        try:
            roadmap = services.publish(db, managed.commune, managed.user, note, seen=seen_number)
        except services.Refused as refused:
            db.rollback()
            return manage_page(db, managed, 409 if isinstance(refused, services.Stale) else 422, note, str(refused))
        db.commit()
        for name in (("feuille-de-route", slug), ("feuille-de-route", slug, roadmap.number)):
            request.app.state.pages.drop(name)
        return see_other(f"{base(managed.commune)}?ok=publiee")
