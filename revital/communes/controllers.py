"""The commune presents itself: the description panel of the back office."""

from litestar import Controller, Request
from litestar.params import FromPath
from litestar.response import Redirect, Template

from revital.communes import services
from revital.communes.access import Managed, managed_commune
from revital.forms import Form
from revital.permissions import MANAGE_COMMUNE, can
from revital.routes import DB, post
from revital.web import panel_page, see_other

MESSAGES = {"description": "La présentation de la commune est enregistrée."}


def description_panel(managed: Managed, text: str | None = None, error: str | None = None) -> dict:
    return {
        "text": managed.commune.description if text is None else text,
        "error": error,
        "can_edit": can(managed.user.principal, MANAGE_COMMUNE, managed.scope),
        "max": services.DESCRIPTION_MAX,
    }


class DescriptionController(Controller):
    path = "/communes/{slug:str}/gestion/description"

    @post("/")
    def save(self, request: Request, db: DB, slug: FromPath[str], form: Form) -> Template | Redirect:
        managed = managed_commune(request, db, slug, MANAGE_COMMUNE)
        text = form.get("description", "").replace("\r\n", "\n").strip()
        problem = services.description_problem(text) or form.unreadable_errors().get("description")
        if problem:
            return panel_page(request, "communes/_description_panel.html", "Présentation", 422, **managed.context(),
                              description=description_panel(managed, text, problem))
        managed.commune.description = text
        db.commit()
        return see_other(f"/communes/{managed.commune.slug}/gestion?ok=description")
