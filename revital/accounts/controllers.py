from datetime import timedelta
from litestar import Controller, Request, get, post
from litestar.datastructures import Cookie
from litestar.params import FromQuery
from litestar.response import Redirect, Template

from revital.accounts import passwords, services
from revital.accounts.models import User
from revital.communes.models import Commune, Organisation, Territory
from revital.communes.services import demo_loaded
from revital.db import utcnow
from revital.permissions import ROLE_LABELS
from revital.web import DB, Form, ok_message, SESSION_COOKIE, TooManyAttempts, cookie_value, page, require_user, safe_next, see_other


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


class AccountController(Controller):
    @get("/connexion", sync_to_thread=True)
    def signin_form(self, request: Request, db: DB, suivant: FromQuery[str] = "", expiree: FromQuery[str] = "") -> Template | Redirect:
        return page(
            "accounts/signin.html",
            next=safe_next(suivant, "/compte"),
            expired=bool(expiree),
            demo=demo_loaded(db),
            demo_accounts=DEMO_ACCOUNTS,
            errors={},
            email="",
        )

    @post("/connexion", sync_to_thread=True)
    def signin(self, request: Request, db: DB, data: Form) -> Template | Redirect:
        state = request.app.state
        settings = state.settings
        email = services.normalise_email(data.get("email", ""))[:254]
        password = data.get("password", "")[: passwords.MAX_LENGTH]
        target = safe_next(data.get("next"), "/compte")
        window = timedelta(minutes=settings.signin_window_minutes)
        email_key = f"signin:email:{email}"
        address_key = f"signin:address:{client_address(request)}"
        # An address may try several accounts, but not endlessly.
        for key, limit in ((email_key, settings.signin_attempts), (address_key, settings.signin_attempts * 4)):
            hits, started = state.throttle.count(key, window)
            if hits >= limit:
                minutes = minutes_left(started, window)
                raise TooManyAttempts(
                    "Trop de tentatives de connexion. Par sécurité, réessayez dans "
                    f"{minutes} minute{'s' if minutes > 1 else ''}.",
                    headers={"Retry-After": str(minutes * 60)},
                )
        user = services.authenticate(db, email, password) if email and password else None
        if user is None:
            # The stores write in transactions of their own: end this one first (SQLite has one writer).
            db.rollback()
            state.throttle.hit(email_key, window)
            state.throttle.hit(address_key, window)
            return page(
                "accounts/signin.html",
                status_code=422,
                next=target,
                expired=False,
                demo=demo_loaded(db),
                demo_accounts=DEMO_ACCOUNTS,
                errors={"form": "Adresse e-mail ou mot de passe incorrect."},
                email=email,
            )
        db.commit()
        state.throttle.clear(email_key)
        # Always a new session id at sign-in; the one the browser had, if any, is ended.
        old = cookie_value(request.scope, SESSION_COOKIE)
        if old:
            state.sessions.delete(old)
        token = state.sessions.create(user.id)
        state.sessions.purge()  # expired sessions of everyone else go too: nothing is kept past its timeout
        return Redirect(target, status_code=303, cookies=[session_cookie(request, token)])

    @post("/deconnexion", sync_to_thread=True)
    def signout(self, request: Request) -> Redirect:
        token = cookie_value(request.scope, SESSION_COOKIE)
        if token:
            request.app.state.sessions.delete(token)
        return Redirect("/?ok=deconnexion", status_code=303, cookies=[cleared_session_cookie(request)])

    @get("/compte", sync_to_thread=True)
    def account(self, request: Request, db: DB, ok: FromQuery[str] = "") -> Template | Redirect:
        current = require_user(request)
        return page("accounts/account.html", **account_context(db, current.id), errors={}, ok=ok_message(ok))

    @post("/compte/mot-de-passe", sync_to_thread=True)
    def change_password(self, request: Request, db: DB, data: Form) -> Template | Redirect:
        current = require_user(request)
        user = db.get(User, current.id)
        old = data.get("current_password", "")
        new = data.get("new_password", "")
        confirm = data.get("confirm_password", "")
        errors = {}
        if not passwords.verify_password(user.password_hash, old[: passwords.MAX_LENGTH]):
            errors["current_password"] = "Le mot de passe actuel est incorrect."
        problem = passwords.password_problem(new, user.email)
        if problem:
            errors["new_password"] = problem
        elif new != confirm:
            errors["confirm_password"] = "Les deux saisies du nouveau mot de passe diffèrent."
        if errors:
            return page("accounts/account.html", status_code=422, **account_context(db, user.id), errors=errors, ok="")
        user.password_hash = passwords.hash_password(new)
        user.password_changed_at = utcnow()
        db.commit()
        # Every other browser signed in to this account is signed out.
        request.app.state.sessions.delete_user(user.id, keep=cookie_value(request.scope, SESSION_COOKIE))
        return see_other("/compte?ok=mot-de-passe")


def account_context(db: DB, user_id: int) -> dict:
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
    communes = {}
    for grant in user.grants:
        if grant.commune_id:
            commune = db.get(Commune, grant.commune_id)
            communes[commune.id] = commune
    return {"user": user, "roles": roles, "communes": sorted(communes.values(), key=lambda c: c.name)}
