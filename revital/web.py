"""What every page shares: the signed-in user, security headers, forms, rendering, errors and checks.

Permission rules themselves live in revital.permissions; this module applies them to requests.

Every handler is declared with this module's `get` and `post`: it runs in a worker thread with
its database session, its template is rendered in that same thread, and the session is closed
there before the response leaves, whatever the handler did. Nothing of a request's database work
is left for later, so no request can hold the write lock or a pooled connection while it waits
for a thread (the hang found with eight concurrent supports).
"""

import functools
import inspect
import io
import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, quote, urlsplit

import litestar
from litestar import MediaType, Request, Response
from litestar.concurrency import sync_to_thread
from litestar.datastructures import MutableScopeHeaders
from litestar.di import NamedDependency
from litestar.exceptions import (
    ClientException,
    HTTPException,
    NotAuthorizedException,
    NotFoundException,
    PermissionDeniedException,
)
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_303_SEE_OTHER
from litestar.utils.scope.state import ScopeState
from multipart import MultipartSegment, ParserError, ParserLimitReached, PushMultipartParser
from sqlalchemy.orm import Session

from revital.accounts.models import User
from revital.db import RequestSession, is_busy
from revital.permissions import ANONYMOUS, CommuneScope, Grant, Principal, can, refusal

SESSION_COOKIE = "revital_session"
FORM_PART_LIMIT = 200


class Upload:
    """An uploaded file, in memory (the request's body size is capped per handler)."""

    def __init__(self, filename: str, content_type: str, content: bytes):
        self.filename = filename
        self.content_type = content_type
        self.file = io.BytesIO(content)


class FormData(dict):
    """A submitted form: the first text value of each field (duplicates are kept in `lists`),
    the uploaded files, and the fields whose bytes were not valid UTF-8 (read with U+FFFD in
    place of the bad bytes, so that nothing typed is lost and the form can say which field)."""

    def __init__(self, lists: dict[str, list[str]] | None = None, files: dict[str, Upload] | None = None,
                 unreadable: frozenset[str] = frozenset()):
        super().__init__({name: values[0] for name, values in (lists or {}).items() if values})
        self.lists = lists or {}
        self.files = files or {}
        self.unreadable = unreadable

    def getall(self, name: str) -> list[str]:
        return list(self.lists.get(name, []))

    def upload(self, name: str) -> Upload | None:
        upload = self.files.get(name)
        return upload if upload is not None and upload.filename else None

    def unreadable_errors(self) -> dict[str, str]:
        return {name: UNREADABLE for name in sorted(self.unreadable)}

    __hash__ = object.__hash__


UNREADABLE = ("Ce champ contient des caractères qui n’ont pas pu être lus (remplacés par « \ufffd ») : "
              "corrigez-les avant d’envoyer.")
CONTROL = {c: None for c in range(32) if chr(c) not in "\t\n\r"}


def clean_value(raw: bytes) -> tuple[str, bool]:
    """Text of a form field: invalid UTF-8 replaced and reported, control characters dropped
    (PostgreSQL refuses NUL in text)."""
    try:
        text, bad = raw.decode("utf-8"), False
    except UnicodeDecodeError:
        text, bad = raw.decode("utf-8", errors="replace"), True
    return text.translate(CONTROL), bad


def parse_urlencoded(body: bytes) -> FormData:
    lists: dict[str, list[str]] = {}
    unreadable = set()
    pairs = parse_qsl(body.decode("latin-1"), keep_blank_values=True, encoding="latin-1")
    for raw_name, raw_value in pairs:
        name, _ = clean_value(raw_name.encode("latin-1"))
        value, bad = clean_value(raw_value.encode("latin-1"))
        lists.setdefault(name, []).append(value)
        if bad:
            unreadable.add(name)
    return FormData(lists, {}, frozenset(unreadable))


def parse_multipart(body: bytes, boundary: bytes) -> FormData:
    lists: dict[str, list[str]] = {}
    files: dict[str, Upload] = {}
    unreadable = set()
    segment, buffer = None, bytearray()
    try:
        with PushMultipartParser(boundary, max_segment_count=FORM_PART_LIMIT) as parser:
            for chunk in (body, b""):
                for part in parser.parse(chunk):
                    if isinstance(part, MultipartSegment):
                        segment, buffer = part, bytearray()
                    elif part:
                        buffer.extend(part)
                    elif segment is not None:
                        name, _ = clean_value(segment.name.encode("utf-8", "surrogateescape"))
                        if segment.filename:
                            files.setdefault(name, Upload(segment.filename, segment.content_type or "", bytes(buffer)))
                        else:
                            value, bad = clean_value(bytes(buffer))
                            lists.setdefault(name, []).append(value)
                            if bad:
                                unreadable.add(name)
                        segment = None
    except (ParserError, ParserLimitReached) as error:
        raise BadRequest("Ce formulaire n’a pas pu être lu : rechargez la page et envoyez-le à nouveau.") from error
    return FormData(lists, files, frozenset(unreadable))


FORM_STATE = "revital_form"


# Identifiers in addresses are database integers: anything larger names nothing.
MAX_ID = 2**31 - 1
CONTROL_CHARACTERS = frozenset(chr(c) for c in [*range(32), 127])


def odd_address(scope) -> str | None:
    """Why this address cannot name anything (control characters, an identifier out of range)."""
    for value in scope.get("path_params", {}).values():
        if isinstance(value, int) and not -MAX_ID <= value <= MAX_ID:
            return "path"
        if isinstance(value, str) and not CONTROL_CHARACTERS.isdisjoint(value):
            return "path"
    if "%" in scope.get("query_string", b"").decode("latin-1"):
        query = Request(scope).query_params
        if any(not CONTROL_CHARACTERS.isdisjoint(v) for values in query.dict().values() for v in values):
            return "query"
    return None


class FormMiddleware:
    """Refuses addresses that cannot name anything (404) or carry control characters (400), then
    reads a POSTed form once, tolerantly, before anything else does (the CSRF check included):
    invalid UTF-8 becomes U+FFFD in the field it was in, never an exception."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http":
            odd = odd_address(scope)
            if odd == "path":
                raise NotFound("Cette page n’existe pas ou n’existe plus.")
            if odd == "query":
                raise BadRequest("Cette adresse contient des caractères invalides.")
        if scope["type"] == "http" and scope["method"] in ("POST", "PUT", "PATCH", "DELETE"):
            request = Request(scope, receive)
            content_type, options = request.content_type
            form = None
            if content_type == "application/x-www-form-urlencoded":
                form = parse_urlencoded(await request.body())
            elif content_type == "multipart/form-data":
                boundary = options.get("boundary")
                if not boundary:
                    raise BadRequest("Ce formulaire n’a pas pu être lu : rechargez la page et envoyez-le à nouveau.")
                form = parse_multipart(await request.body(), boundary.encode("latin-1"))
            if form is not None:
                scope.setdefault("state", {})[FORM_STATE] = form
                # What Litestar's own request.form() returns from now on (the CSRF check reads it).
                ScopeState.from_scope(scope).form = {name: values if len(values) > 1 else values[0]
                                                     for name, values in form.lists.items() if values}
        await self.app(scope, receive, send)


def provide_form(request: Request) -> FormData:
    return request.scope.get("state", {}).get(FORM_STATE) or FormData()


def provide_db(request: Request) -> Session:
    """The request's session; it connects on first use, and writes first for anything but a read."""
    return request.app.state.db.request_session(write=request.method not in ("GET", "HEAD", "OPTIONS"))


# Handler parameter types: the request's database session, and a submitted form.
DB = NamedDependency[Session]
Form = NamedDependency[FormData]


def render(request: Request, response: Template) -> Response:
    """A Template rendered now, in this thread, as Litestar would render it later."""
    token = ScopeState.from_scope(request.scope).csrf_token
    token = token if isinstance(token, str) else ""
    context = {**response.context, "request": request,
               "csrf_input": f'<input type="hidden" name="_csrf_token" value="{token}" />'}
    body = request.app.template_engine.get_template(response.template_name).render(**context)
    rendered = Response(body.encode(), status_code=response.status_code, media_type=MediaType.HTML,
                        headers=dict(response.headers), cookies=list(response.cookies))
    return rendered


def finish(request: Request, result):
    return render(request, result) if isinstance(result, Template) else result


def closing_session(fn):
    """Run fn, render its template, and close the request's session, all in the calling thread."""
    names = inspect.signature(fn).parameters
    if "request" not in names:
        raise TypeError(f"{fn.__qualname__}: a handler takes the request")

    @functools.wraps(fn)
    def handle(*args, **kwargs):
        db = kwargs.get("db")
        try:
            return finish(kwargs["request"], fn(*args, **kwargs))
        finally:
            if db is not None:
                db.close()

    handle.closes_session = True
    return handle


def route(decorator, path: str, options: dict):
    def register(fn):
        if inspect.iscoroutinefunction(fn):
            # An async handler answers from the event loop (a cache hit, say) and does its
            # database work through in_thread(); it never takes the request's session.
            if "db" in inspect.signature(fn).parameters:
                raise TypeError(f"{fn.__qualname__}: an async handler uses in_thread(), not the db parameter")
            return decorator(path, **options)(fn)
        return decorator(path, sync_to_thread=True, **options)(closing_session(fn))

    return register


def get(path: str, **options):
    """litestar.get for a handler that runs in a worker thread (see the module's docstring)."""
    return route(litestar.get, path, options)


def post(path: str, **options):
    """litestar.post, answering 200 (not 201) unless told, in a worker thread like `get`."""
    options.setdefault("status_code", 200)
    return route(litestar.post, path, options)


async def in_thread(request: Request, fn, *args, write: bool = False):
    """For an async handler: run fn(db, *args) in a worker thread with a session of its own,
    render its template there, and close the session there."""

    def work():
        db = request.app.state.db.request_session(write=write)
        try:
            return finish(request, fn(db, *args))
        finally:
            db.close()

    return await sync_to_thread(work)


@dataclass(frozen=True)
class CurrentUser:
    id: int
    email: str
    display_name: str
    principal: Principal


def load_user(db, sessions, token: str) -> CurrentUser | None:
    info = sessions.get(token)
    if info is None:
        return None
    with db.session() as session:
        user = session.get(User, info.user_id)
        if user is None or not user.is_active:
            return None
        grants = frozenset(
            Grant(g.role, g.territory_id, g.commune_id, g.organisation_id) for g in user.grants
        )
        return CurrentUser(user.id, user.email, user.display_name, Principal(user.id, grants))


class AuthMiddleware:
    """Puts the signed-in user (or None) in scope["user"]. Anonymous requests touch no database."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http":
            scope["user"] = None
            token = cookie_value(scope, SESSION_COOKIE)
            if token:
                state = scope["litestar_app"].state
                user = await sync_to_thread(load_user, state.db, state.sessions, token)
                scope["user"] = user
                if user is None:
                    scope.setdefault("state", {})["session_expired"] = True
        await self.app(scope, receive, send)


def cookie_value(scope, name: str) -> str | None:
    for key, value in scope["headers"]:
        if key == b"cookie":
            for part in value.decode("latin-1").split(";"):
                k, _, v = part.strip().partition("=")
                if k == name and v:
                    return v
    return None


class SecurityHeadersMiddleware:
    """A CSP nonce per request and the security headers on every response."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        nonce = secrets.token_urlsafe(16)
        scope.setdefault("state", {})["csp_nonce"] = nonce
        settings = scope["litestar_app"].state.settings
        csp = content_security_policy(nonce, settings.tile_hosts)

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                headers = MutableScopeHeaders.from_message(message)
                headers["Content-Security-Policy"] = csp
                headers["X-Content-Type-Options"] = "nosniff"
                headers["Referrer-Policy"] = "same-origin"
                headers["X-Frame-Options"] = "DENY"
                headers["Permissions-Policy"] = "camera=(), microphone=(), payment=(), usb=()"
                headers["Cross-Origin-Opener-Policy"] = "same-origin"
                if settings.secure_cookies:
                    headers["Strict-Transport-Security"] = "max-age=31536000"
            await send(message)

        await self.app(scope, receive, send_with_headers)


def content_security_policy(nonce: str, tile_hosts: list[str]) -> str:
    images = " ".join(["'self'", "data:", *tile_hosts])
    return (
        "default-src 'self'; "
        f"script-src 'self' 'nonce-{nonce}'; "
        f"style-src 'self' 'nonce-{nonce}'; "
        f"img-src {images}; "
        "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
        "form-action 'self'; frame-ancestors 'none'"
    )


def current_user(request: Request) -> CurrentUser | None:
    return request.scope.get("user")


def principal(request: Request) -> Principal:
    user = current_user(request)
    return user.principal if user else ANONYMOUS


class PublicError(HTTPException):
    """An error whose detail is a French sentence meant for the person who made the request."""


class NotFound(PublicError, NotFoundException):
    pass


class BadRequest(PublicError, ClientException):
    pass


class Forbidden(PublicError, PermissionDeniedException):
    pass


class TooManyAttempts(PublicError):
    status_code = 429


def require_user(request: Request) -> CurrentUser:
    user = current_user(request)
    if user is None:
        raise NotAuthorizedException()
    return user


def require(request: Request, permission: str, commune: CommuneScope) -> CurrentUser:
    """The signed-in user if they hold permission in the commune; otherwise 303 to sign-in, or 403
    saying who may open the page and whom to ask."""
    user = require_user(request)
    if not can(user.principal, permission, commune):
        raise Forbidden(refusal(permission))
    return user


def get_or_404(value, message: str = "Cette page n’existe pas ou n’existe plus."):
    if value is None:
        raise NotFound(message)
    return value


def safe_next(target: str | None, default: str = "/compte") -> str:
    """A redirect target on this site only: a path, never another host."""
    if not target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    if "\\" in target:
        return default
    return target


def is_fragment_request(request: Request) -> bool:
    """An htmx request that swaps part of a page (a boosted one wants the whole page)."""
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.boosted


def see_other(path: str) -> Redirect:
    return Redirect(path, status_code=HTTP_303_SEE_OTHER)


# Confirmations shown after a redirect (?ok=key): fixed texts, never user input.
OK_MESSAGES = {
    "description": "La présentation de la commune est enregistrée.",
    "phase": "La démarche a changé de phase ; l’historique est à jour.",
    "membre-ajoute": "Le membre a été ajouté au groupe local.",
    "membre-retire": "Le membre a été retiré du groupe local.",
    "deconnexion": "Vous êtes déconnecté·e.",
    "mot-de-passe": "Votre mot de passe est changé ; vos autres sessions ont été fermées.",
    "perimetre": "Le périmètre d’étude du centre-bourg est enregistré.",
    "perimetre-efface": "Le périmètre d’étude a été effacé.",
    "lieu-ajoute": "Le lieu a été ajouté.",
    "lieu-modifie": "Le lieu a été modifié.",
    "lieu-supprime": "Le lieu a été supprimé.",
    "moderation-publish": "La contribution est publiée.",
    "moderation-reject": "La contribution est refusée ; le motif est conservé.",
    "moderation-hide": "La contribution est masquée ; le motif est conservé.",
    "reglages": "Les réglages de la participation sont enregistrés.",
}


def ok_message(key: str) -> str | None:
    return OK_MESSAGES.get(key)


def page(template: str, status_code: int = 200, **context: Any) -> Template:
    return Template(template_name=template, context=context, status_code=status_code, media_type=MediaType.HTML)


ERROR_TITLES = {
    400: "Requête invalide",
    403: "Accès refusé",
    404: "Page introuvable",
    405: "Méthode non autorisée",
    413: "Envoi trop volumineux",
    429: "Trop de tentatives",
    500: "Erreur du serveur",
    503: "Service indisponible",
}

CSRF_MESSAGE = (
    "Le formulaire a expiré ou n’a pas pu être vérifié. Rechargez la page et envoyez-le "
    "à nouveau : rien n’a été enregistré."
)


BUSY_MESSAGE = ("Le service est très sollicité en ce moment : réessayez dans quelques secondes. "
                "Rien n’a été enregistré.")

DEFAULT_MESSAGES = {
    400: "La requête contient des données invalides.",
    403: ("Votre compte n’a pas accès à cette page. Demandez l’accès à la commune concernée ou à la "
          "coordination du territoire."),
    404: "Cette page n’existe pas ou n’existe plus.",
    405: "Cette adresse ne s’utilise pas ainsi.",
    413: "L’envoi est trop volumineux.",
    429: "Trop de tentatives : réessayez un peu plus tard.",
    500: "Une erreur inattendue s’est produite. Elle a été enregistrée ; réessayez dans un instant.",
    503: "Le service est momentanément indisponible.",
}


def sign_in_url(request: Request) -> str:
    """Where to send a visitor who must sign in, coming back here afterwards."""
    target = request.url.path
    if request.url.query:
        target += "?" + request.url.query
    if request.method != "GET":
        referer = urlsplit(request.headers.get("referer", ""))
        target = referer.path if referer.netloc == request.url.netloc else "/"
    url = "/connexion?suivant=" + quote(safe_next(target, "/"), safe="/")
    if request.scope.get("state", {}).get("session_expired"):
        url += "&expiree=1"
    return url


def error_response(request: Request, exc: Exception) -> Response:
    if isinstance(exc, NotAuthorizedException):
        url = sign_in_url(request)
        if request.headers.get("hx-request"):
            return Response(content="", status_code=401, headers={"HX-Redirect": url})
        return Redirect(url, status_code=HTTP_303_SEE_OTHER)
    status = exc.status_code if isinstance(exc, HTTPException) else 500
    headers = exc.headers if isinstance(exc, HTTPException) and exc.headers else {}
    if is_busy(exc):
        status, message, headers = 503, BUSY_MESSAGE, {"Retry-After": "5"}
        request.logger.warning("database busy while serving %s: %s", request.url.path, exc)
    elif isinstance(exc, PublicError):
        message = exc.detail
    elif status == 403 and "CSRF" in getattr(exc, "detail", ""):
        message = CSRF_MESSAGE
    else:
        message = DEFAULT_MESSAGES.get(status, "La requête n’a pas pu aboutir.")
    if status >= 500 and status != 503:
        request.logger.exception("error while serving %s", request.url.path, exc_info=exc)
    return Template(
        template_name="error.html",
        context={"status": status, "title": ERROR_TITLES.get(status, "Erreur"), "message": message,
                 # A refused page points to what the account may open instead.
                 "account_link": status == 403 and message != CSRF_MESSAGE and current_user(request) is not None},
        status_code=status,
        headers=headers,
        media_type=MediaType.HTML,
    )
