"""Pages that belong to the site rather than to a part of the workflow."""

from litestar import Controller, Request, Response
from litestar.response import Template
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from revital.routes import get
from revital.web import page


class SiteController(Controller):
    @get("/health")
    def health(self, request: Request) -> Response:
        try:
            with request.app.state.db.session() as session:
                session.execute(text("SELECT 1"))
        except SQLAlchemyError:
            return Response({"status": "error", "database": "unreachable"}, status_code=503)
        return Response({"status": "ok", "database": "ok"}, status_code=200)

    @get("/accessibilite")
    def accessibility(self, request: Request) -> Template:
        return page("site/accessibility.html")

    @get("/confidentialite")
    def privacy(self, request: Request) -> Template:
        return page("site/privacy.html")
