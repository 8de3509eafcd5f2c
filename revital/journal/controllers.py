"""The public journal of a commune: /communes/{slug}/journal (published posts, newest first, by
keyset), one post at /communes/{slug}/journal/{id}, its images, and the panel of the last posts on
the commune page. Anonymous visitors get these pages from a cache, per version of the commune;
drafts are shown to those who may write them, and are a 404 for everyone else.

Following by e-mail (FollowController): /communes/{slug}/journal/suivre takes an address and
sends the confirmation link; /suivre/{id}-{token} confirms and /arreter/{id}-{token} stops, by a
button (e-mail scanners open links: a GET changes nothing). The stop address also takes the
one-click POST of mail clients (RFC 8058), without a CSRF token (excluded in revital.app): its
signed link is what proves it."""

from datetime import timedelta

from litestar import Controller, Request, Response
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from revital.communes import services as communes
from revital.communes.access import load_commune
from revital.db import utcnow
from revital.forms import Form
from revital.journal import followers, following, services
from revital.journal.models import PHASE, JournalPost
from revital.mail.message import valid_address
from revital.permissions import WRITE_JOURNAL, can
from revital.routes import DB, get, post, shared_page
from revital.web import NotFound, PublicError, confirmation, cursor, get_or_404, page, principal, see_other

NOT_PUBLIC = "Cet article n’existe pas ou n’est pas publié."


def image_url(slug: str, token: str, thumbnail: bool = False) -> str:
    return f"/communes/{slug}/journal/images/{token}{'-vignette' if thumbnail else ''}.jpg"


def follow_form(commune, email: str = "", errors: dict | None = None, level: int = 2) -> dict:
    """The follow form (journal/_follow.html): the same for everybody on a cached page; level:
    that of its heading."""
    return {"url": f"/communes/{commune.slug}/journal/suivre", "email": email, "errors": errors or {}, "level": level}


def public_panel(db, commune) -> dict:
    """The last posts on the public commune page, with the link to the journal and the follow form."""
    return {"posts": services.latest(db, commune.id), "url": f"/communes/{commune.slug}/journal",
            "follow": follow_form(commune, level=3)}


def context(commune, **more) -> dict:
    return {"commune": commune, "territory": commune.territory, "demo": commune.territory.is_demo,
            "image_url": image_url, "automatic": PHASE, **more}


def may_write(request: Request, db, commune) -> bool:
    return can(principal(request), WRITE_JOURNAL, communes.scope_of(db, commune))


def visible(request: Request, db, commune, post_id: int) -> JournalPost:
    post = get_or_404(services.post_in(db, commune.id, post_id), NOT_PUBLIC)
    if not post.published and not may_write(request, db, commune):
        raise NotFound(NOT_PUBLIC)
    return post


class JournalController(Controller):
    path = "/communes/{slug:str}/journal"

    @get("/")
    async def list(self, request: Request, slug: FromPath[str], avant: FromQuery[str] = "") -> Response:
        before = cursor(avant)

        def build(db) -> Template:
            commune = load_commune(db, slug)
            posts, older = services.public_page(db, commune.id, before)
            return page("journal/list.html", **context(commune, posts=posts, older=older, first=before is None,
                                                       count=services.public_count(db, commune.id),
                                                       follow=follow_form(commune)))

        return await shared_page(request, ("journal", slug, before), lambda db: request.app.state.versions.commune_key(db, slug), build)

    @get("/{post_id:int}")
    async def detail(self, request: Request, slug: FromPath[str], post_id: FromPath[int]) -> Response:
        def build(db) -> Template:
            commune = load_commune(db, slug)
            post = visible(request, db, commune, post_id)
            return page("journal/detail.html", **context(commune, post=post, can_write=may_write(request, db, commune)))

        return await shared_page(request, ("journal-post", slug, post_id),
                                 lambda db: request.app.state.versions.commune_key(db, slug), build)

    @get("/images/{name:str}")
    def image(self, request: Request, db: DB, slug: FromPath[str], name: FromPath[str]) -> Response:
        token, _, ext = name.rpartition(".")
        thumbnail = token.endswith("-vignette")
        token = token.removesuffix("-vignette")
        if ext != "jpg":
            raise NotFound("Cette image n’existe pas.")
        commune = load_commune(db, slug)
        found = get_or_404(services.image_by_token(db, commune.id, token), "Cette image n’existe pas.")
        photo, post = found
        if not post.published and not may_write(request, db, commune):
            raise NotFound("Cette image n’existe pas.")
        body = photo.thumbnail if thumbnail else photo.data
        cache = "public, max-age=86400" if post.published else "private, no-store"
        return Response(body, media_type=photo.content_type, headers={"Cache-Control": cache})


FOLLOW_MESSAGES = {
    "verifiez": ("C’est presque fini : vérifiez votre boîte de réception. Un e-mail vient de vous être envoyé ; "
                 "ouvrez le lien qu’il contient pour confirmer."),
    "confirme": "C’est confirmé : vous recevrez les nouvelles du journal de bord, un e-mail par semaine au plus.",
    "arrete": "C’est fait : vous ne recevrez plus les nouvelles du journal de bord de cette commune.",
}
BAD_ADDRESS = "Saisissez une adresse e-mail valide, par exemple prenom.nom@exemple.fr."
NO_LINK = ("Ce lien n’est pas valide : il a peut-être été mal copié, ou vous ne suivez plus ce journal. "
           "Vous pouvez le suivre de nouveau depuis le journal de bord de la commune.")
EXPIRED = ("Ce lien a expiré : il n’est valable que 7 jours. Demandez-en un nouveau en suivant de nouveau "
           "le journal de bord de la commune.")


class LinkExpired(PublicError):
    status_code = 410


def follow_page(commune, status_code: int = 200, email: str = "", errors: dict | None = None,
                ok: str | None = None) -> Template:
    return page("journal/follow.html", status_code=status_code,
                **context(commune, follow=follow_form(commune, email, errors), ok=ok))


def link_page(commune, follower, purpose: str) -> Template:
    return page("journal/follow_link.html", **context(commune, purpose=purpose, confirm=following.CONFIRM,
                                                        confirmed=follower.confirmed_at is not None))


class FollowController(Controller):
    path = "/communes/{slug:str}/journal"

    @get("/suivre")
    def form(self, request: Request, db: DB, slug: FromPath[str], ok: FromQuery[str] = "") -> Template:
        return follow_page(load_commune(db, slug), ok=confirmation(FOLLOW_MESSAGES, ok))

    @post("/suivre")
    def follow(self, request: Request, db: DB, slug: FromPath[str], form: Form) -> Template | Redirect:
        commune = load_commune(db, slug)
        email = form.get("email", "").strip().lower()
        if "email" in form.unreadable or not valid_address(email):
            return follow_page(commune, 422, email[:254], {"email": BAD_ADDRESS})
        settings = request.app.state.settings
        # As many requests per address as sign-in attempts in a sign-in window: nobody floods a
        # mailbox from this form. Past it, the same answer, and no e-mail.
        window = timedelta(minutes=settings.signin_window_minutes)
        if request.app.state.throttle.hit(f"follow:email:{email}", window, db) <= settings.signin_attempts:
            followers.follow(db, commune, email, settings.base_url.rstrip("/"), settings.secret_key)
        db.commit()
        return see_other(f"/communes/{commune.slug}/journal/suivre?ok=verifiez")

    def follower(self, request: Request, db, slug: str, purpose: str, link: str):
        commune = load_commune(db, slug)
        follower = followers.by_link(db, commune.id, purpose, link, request.app.state.settings.secret_key)
        if follower is None:
            raise NotFound(NO_LINK)
        if (purpose == following.CONFIRM and follower.confirmed_at is None
                and not following.confirmable(follower.created_at, utcnow())):
            raise LinkExpired(EXPIRED)
        return commune, follower

    @get("/suivre/{link:str}")
    def confirm_form(self, request: Request, db: DB, slug: FromPath[str], link: FromPath[str]) -> Template:
        commune, follower = self.follower(request, db, slug, following.CONFIRM, link)
        return link_page(commune, follower, following.CONFIRM)

    @post("/suivre/{link:str}")
    def confirm(self, request: Request, db: DB, slug: FromPath[str], link: FromPath[str], form: Form) -> Redirect:
        commune, follower = self.follower(request, db, slug, following.CONFIRM, link)
        followers.confirm(db, follower)
        db.commit()
        return see_other(f"/communes/{commune.slug}/journal/suivre?ok=confirme")

    @get("/arreter/{link:str}")
    def stop_form(self, request: Request, db: DB, slug: FromPath[str], link: FromPath[str]) -> Template:
        commune, follower = self.follower(request, db, slug, following.STOP, link)
        return link_page(commune, follower, following.STOP)

    @post("/arreter/{link:str}")
    def stop(self, request: Request, db: DB, slug: FromPath[str], link: FromPath[str], form: Form) -> Redirect:
        """The page's button, or a mail client's one-click POST (List-Unsubscribe=One-Click)."""
        commune, follower = self.follower(request, db, slug, following.STOP, link)
        followers.stop(db, follower)
        db.commit()
        return see_other(f"/communes/{commune.slug}/journal/suivre?ok=arrete")
