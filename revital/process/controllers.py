from litestar import Controller, Request
from litestar.params import FromPath
from litestar.response import Redirect, Template

from revital.communes import services as communes
from revital.communes.controllers import admin_context, load_commune
from revital.forms import UNREADABLE, Form
from revital.permissions import MANAGE_PROCESS
from revital.process import services
from revital.process.phases import TransitionRefused
from revital.routes import DB, post
from revital.web import page, require, see_other


class ProcessController(Controller):
    path = "/communes/{slug:str}/gestion/phase"

    @post("/")
    def move(self, request: Request, db: DB, slug: FromPath[str], form: Form) -> Template | Redirect:
        commune = load_commune(db, slug)
        scope = communes.scope_of(db, commune)
        user = require(request, MANAGE_PROCESS, scope)
        direction = form.get("direction", "")
        reason = form.get("reason", "")[:5000]
        override = form.get("override") == "1"
        try:
            seen = int(form.get("version", ""))
        except ValueError:
            seen = -1
        try:
            if "reason" in form.unreadable:
                raise TransitionRefused(UNREADABLE)
            services.move(db, commune.id, direction, reason, override, seen, user)
        except TransitionRefused as refused:
            db.rollback()
            context = admin_context(request, db, commune, scope)
            context["phase_error"] = str(refused)
            context["form"] = {"direction": direction, "reason": reason, "override": override}
            return page("communes/admin.html", status_code=409 if isinstance(refused, services.StaleProcess) else 422,
                        **context, ok=None, errors={})
        db.commit()
        return see_other(f"/communes/{commune.slug}/gestion?ok=phase")
