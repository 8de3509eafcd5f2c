"""Signing in (throttled per account, slowed per address) and out; the demo accounts on the sign-in page."""

from datetime import timedelta

import anyio
from litestar import Controller, Request, Response
from litestar.datastructures import Cookie
from litestar.params import FromQuery
from litestar.response import Redirect, Template

from revital.accounts import passwords, services
from revital.accounts.models import User
from revital.communes.models import Commune, Organisation, Territory
from revital.communes.services import demo_loaded
from revital.db import utcnow
from revital.forms import Form
from revital.permissions import ROLE_LABELS
from revital.routes import DB, finish, get, in_thread, post
from revital.web import SESSION_COOKIE, confirmation, cookie_value, page, safe_next

MESSAGES = {"deconnexion": "Vous êtes déconnecté·e."}
SIGNIN_MESSAGES = {"mot-de-passe": "Votre mot de passe est changé et toutes les sessions de ce compte sont fermées : "
                                   "connectez-vous avec le nouveau.",
                   "invitation": "Votre invitation est acceptée : connectez-vous pour commencer."}

DEMO_ACCOUNTS = [
    ("coordination@revital.test", "Chargée de mission du Pays"),
    ("commune@revital.test", "Commune de Saint-Étienne-du-Valdonnez"),
    ("animation@revital.test", "Animatrice du groupe local"),
    ("partenaire@revital.test", "Partenaire technique (CAUE)"),
    ("etudiant@revital.test", "Étudiant"),
    ("habitant@revital.test", "Habitante"),
]


def session_cookie(request: Request, token: str) -> Cookie:
    settings = request.app.state.settings
    return Cookie(
        key=SESSION_COOKIE,
        value=token,
        path="/",
        httponly=True,
        secure=settings.secure_cookies,
        samesite="lax",
    )


def cleared_session_cookie(request: Request) -> Cookie:
    cookie = session_cookie(request, "")
    cookie.max_age = 0
    cookie.expires = 0
    return cookie


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def minutes_left(started, window: timedelta) -> int:
    if started is None:
        return int(window.total_seconds() // 60)
    remaining = started + window - utcnow()
    return max(1, int(remaining.total_seconds() // 60) + 1)


def signin_page(db, status_code: int, target: str, email: str, error: str) -> Template:
    return page("accounts/signin.html", status_code=status_code, next=target, expired=False,
                demo=demo_loaded(db), demo_accounts=DEMO_ACCOUNTS, errors={"form": error}, email=email, ok=None)


def attempt_signin(request: Request, db, form) -> tuple[Response, float]:
    """Check the password (reading only), then record the outcome in one write transaction.
    Returns the response and how long to wait before sending it."""
    state = request.app.state
    settings = state.settings
    email = services.normalise_email(form.get("email", ""))[:254]
    password = form.get("password", "")[: passwords.MAX_LENGTH]
    target = safe_next(form.get("next"), "/compte")
    window = timedelta(minutes=settings.signin_window_minutes)
    email_key = f"signin:email:{email}"
    address_key = f"signin:address:{client_address(request)}"
    hits, started = state.throttle.count(email_key, window)
    if hits >= settings.signin_attempts:
        minutes = minutes_left(started, window)
        response = finish(request, signin_page(
            db, 429, target, email, "Trop de tentatives de connexion à ce compte. Par sécurité, réessayez dans "
            f"{minutes} minute{'s' if minutes > 1 else ''}."))
        response.headers["Retry-After"] = str(minutes * 60)
        return response, 0.0
    user = services.authenticate(db, email, password) if email and password else None
    db.write()
    if user is None:
        state.throttle.hit(email_key, window, db)
        failures = state.throttle.hit(address_key, window, db)
        db.commit()
        response = finish(request, signin_page(db, 422, target, email, "Adresse e-mail ou mot de passe incorrect."))
        return response, services.failure_delay(failures, settings.signin_attempts)
    services.record_signin(db, user, password)
    state.throttle.clear(email_key, db)
    # Always a new session id at sign-in; the one the browser had, if any, is ended.
    old = cookie_value(request.scope, SESSION_COOKIE)
    if old:
        state.sessions.delete(old, db)
    token = state.sessions.create(user.id, db)
    state.sessions.purge(db)  # expired sessions of everyone else go too: nothing is kept past its timeout
    db.commit()
    return Redirect(target, status_code=303, cookies=[session_cookie(request, token)]), 0.0


class AccountController(Controller):
    @get("/connexion")
    def signin_form(self, request: Request, db: DB, suivant: FromQuery[str] = "", expiree: FromQuery[str] = "",
                    ok: FromQuery[str] = "") -> Template | Redirect:
        return page(
            "accounts/signin.html",
            next=safe_next(suivant, "/compte"),
            expired=bool(expiree),
            demo=demo_loaded(db),
            demo_accounts=DEMO_ACCOUNTS,
            errors={},
            email="",
            ok=confirmation(SIGNIN_MESSAGES, ok),
        )

    @post("/connexion")
    async def signin(self, request: Request, form: Form) -> Response:
        response, delay = await in_thread(request, lambda db: attempt_signin(request, db, form))
        if delay:  # slow down failures from a busy address, on the event loop: no thread waits
            await anyio.sleep(delay)
        return response

    @post("/deconnexion")
    def signout(self, request: Request) -> Redirect:
        token = cookie_value(request.scope, SESSION_COOKIE)
        if token:
            request.app.state.sessions.delete(token)
        return Redirect("/?ok=deconnexion", status_code=303, cookies=[cleared_session_cookie(request)])


def account_context(db, user_id: int) -> dict:
    """The accounts part of the account page (revital.pages.account): the person and their roles."""
    user = db.get(User, user_id)
    roles = []
    for grant in user.grants:
        where = ""
        if grant.commune_id:
            where = db.get(Commune, grant.commune_id).name
        elif grant.territory_id:
            where = db.get(Territory, grant.territory_id).name
        elif grant.organisation_id:
            where = db.get(Organisation, grant.organisation_id).name
        roles.append((ROLE_LABELS[grant.role], where, grant))
    return {"user": user, "roles": roles}
