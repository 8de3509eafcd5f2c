"""The one-click stop of the authors' digests (revital.contributions.notices): the link of every
digest, /contributions/arreter/{id}-{token}, shows a button (e-mail scanners open links: a GET
changes nothing); its POST — the button, or a mail client's one-click POST (RFC 8058), without a
CSRF token (excluded in revital.app: the signed link is the proof) — clears the address from
every contribution that carries it."""

from litestar import Controller, Request
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from revital.contributions import notices
from revital.routes import DB, get, post
from revital.web import NotFound, page, see_other

NO_LINK = ("Ce lien n’est pas valide : il a peut-être été mal copié, ou vous avez déjà demandé à ne plus rien "
           "recevoir.")


class AuthorNoticesController(Controller):
    path = "/contributions/arreter"

    @get("/{link:str}")
    def stop_form(self, request: Request, db: DB, link: FromPath[str], ok: FromQuery[str] = "") -> Template:
        if link == "fait":
            return page("contributions/stop.html", done=True, link="")
        self.address(request, db, link)
        return page("contributions/stop.html", done=False, link=link)

    @post("/{link:str}")
    def stop(self, request: Request, db: DB, link: FromPath[str]) -> Redirect:
        notices.stop(db, self.address(request, db, link))
        db.commit()
        return see_other("/contributions/arreter/fait")

    @staticmethod
    def address(request: Request, db, link: str) -> str:
        email = notices.address_of_link(db, link, request.app.state.settings.secret_key)
        if email is None:
            raise NotFound(NO_LINK)
        return email
