"""What every page shares: who is asking, security headers, errors, guards and small helpers.

Permission rules themselves live in revital.permissions; this module applies them to requests.
How handlers run is revital.routes; how forms are read, revital.forms.
"""

import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit

from litestar import MediaType, Request, Response
from litestar.datastructures import MutableScopeHeaders
from litestar.exceptions import (
    ClientException,
    HTTPException,
    NotAuthorizedException,
    NotFoundException,
    PermissionDeniedException,
)
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_303_SEE_OTHER

from revital.db import is_busy
from revital.permissions import ANONYMOUS, CommuneScope, Principal, can, refusal

SESSION_COOKIE = "revital_session"

@dataclass(frozen=True)
class CurrentUser:
    id: int
    email: str
    display_name: str
    principal: Principal


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


def cursor(value: str) -> int | None:
    """A keyset page's cursor from the address (?avant=, ?apres=): a positive id, or None."""
    try:
        number = int(value)
    except ValueError:
        return None
    return number if 0 < number < 2**31 else None


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


def confirmation(messages: dict[str, str], key: str) -> str | None:
    """The confirmation shown after a redirect (?ok=key): a fixed text of the page's own part of the
    workflow, never user input."""
    return messages.get(key)


def panel_page(request: Request, panel: str, title: str, status_code: int, **context: Any) -> Template:
    """A back-office panel answering its own form: the panel alone for htmx, else on a page of its own."""
    if is_fragment_request(request):
        return page(panel, status_code=status_code, **context)
    return page("partials/panel_page.html", status_code=status_code, panel_template=panel, panel_title=title, **context)


def page(template: str, status_code: int = 200, **context: Any) -> Template:
    return Template(template_name=template, context=context, status_code=status_code, media_type=MediaType.HTML)


ERROR_TITLES = {
    400: "Requête invalide",
    403: "Accès refusé",
    404: "Page introuvable",
    405: "Méthode non autorisée",
    410: "Lien expiré",
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


def pdf_response(filename: str, data: bytes, public: bool = False, inline: bool = False) -> Response:
    """A PDF people attached, under its own name (ASCII and UTF-8 forms), never sniffed as
    anything else; cached by browsers only if public."""
    plain = filename.encode("ascii", "replace").decode().replace('"', "").replace("?", "_")
    disposition = f"{'inline' if inline else 'attachment'}; filename=\"{plain}\"; filename*=UTF-8''{quote(filename)}"
    return Response(data, media_type="application/pdf", headers={
        "Content-Disposition": disposition, "X-Content-Type-Options": "nosniff",
        "Cache-Control": "public, max-age=3600" if public else "private, no-store"})
