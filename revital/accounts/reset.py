"""Forgotten passwords: a link by e-mail (24 hours, single use) to choose a new one.

The request always gets the same answer, whether or not an account has the address, and at most
`signin_attempts` links leave per address and sign-in window (the sign-in throttle). Setting the
new password ends every session of the account; the person then signs in with it.
"""

from datetime import timedelta

from litestar import Controller, Request
from litestar.params import FromPath
from litestar.response import Redirect, Template

from revital.accounts import passwords, services, tokens
from revital.accounts.models import User
from revital.db import utcnow
from revital.forms import Form
from revital.mail import outbox
from revital.routes import DB, get, post
from revital.web import page, see_other

SENT = "Si un compte existe pour cette adresse, un e-mail vient de lui être envoyé."
PROBLEMS = {
    tokens.NOT_VALID: (404, "Ce lien n’est pas valide : il a peut-être été mal copié, ou remplacé par un lien "
                            "plus récent. Demandez un nouveau lien ci-dessous."),
    tokens.EXPIRED: (410, "Ce lien a expiré : il n’est valable que 24 heures. Demandez-en un nouveau ci-dessous."),
    tokens.USED: (410, "Ce lien a déjà servi : il ne s’utilise qu’une fois. Si vous avez de nouveau oublié votre "
                       "mot de passe, demandez un nouveau lien ci-dessous."),
}
FORGOT_PATH = "/connexion/mot-de-passe-oublie"

EMAIL_TEXT = """Bonjour,

Quelqu’un, vous sans doute, a demandé à changer le mot de passe de votre compte Revital ({email}).

Pour choisir un nouveau mot de passe, ouvrez ce lien dans les 24 heures :
{url}

Ce lien ne sert qu’une fois. Si vous n’avez rien demandé, ignorez ce message : votre mot de passe reste le même.

— Revital
"""


def reset_url(request: Request, token: str) -> str:
    return request.app.state.settings.base_url.rstrip("/") + f"/connexion/nouveau-mot-de-passe/{token}"


def request_link(request: Request, db, email: str) -> None:
    """In the request's write transaction: count the request, and if the address has an active
    account and is under its limit, a new link and its e-mail (committed together)."""
    settings = request.app.state.settings
    window = timedelta(minutes=settings.signin_window_minutes)
    hits = request.app.state.throttle.hit(f"reset:email:{email}", window, db)
    user = services.user_by_email(db, email)
    if user is None or not user.is_active or hits > settings.signin_attempts:
        return
    token = tokens.issue(db, tokens.RESET, user.email, tokens.RESET_LIFETIME, user.id)
    outbox.queue(db, user.email, "Choisir un nouveau mot de passe",
                 EMAIL_TEXT.format(email=user.email, url=reset_url(request, token)), kind="password-reset")


def invalid_link(problem: str) -> Template:
    status, message = PROBLEMS[problem]
    return page("accounts/reset_invalid.html", status_code=status, message=message)


def reset_form(token: str, status_code: int = 200, errors: dict | None = None) -> Template:
    return page("accounts/reset.html", status_code=status_code, token=token, errors=errors or {})


class PasswordResetController(Controller):
    @get(FORGOT_PATH)
    def forgot_form(self, request: Request, db: DB) -> Template:
        return page("accounts/forgot.html", errors={}, email="", sent=None)

    @post(FORGOT_PATH)
    def forgot(self, request: Request, db: DB, form: Form) -> Template:
        email = services.normalise_email(form.get("email", ""))
        local, _, domain = email.rpartition("@")
        if not local or "." not in domain or len(email) > 254 or " " in email or "email" in form.unreadable:
            return page("accounts/forgot.html", status_code=422, email=email[:254], sent=None,
                        errors={"email": "Saisissez l’adresse e-mail de votre compte, par exemple nom@exemple.fr."})
        request_link(request, db, email)
        db.commit()
        return page("accounts/forgot.html", errors={}, email="", sent=SENT)

    @get("/connexion/nouveau-mot-de-passe/{token:str}")
    def new_password_form(self, request: Request, db: DB, token: FromPath[str]) -> Template:
        problem = tokens.problem(tokens.find(db, tokens.RESET, token), utcnow())
        return invalid_link(problem) if problem else reset_form(token)

    @post("/connexion/nouveau-mot-de-passe/{token:str}")
    def new_password(self, request: Request, db: DB, form: Form, token: FromPath[str]) -> Template | Redirect:
        row = tokens.find(db, tokens.RESET, token, lock=True)
        problem = tokens.problem(row, utcnow())
        user = db.get(User, row.user_id) if row is not None and row.user_id else None
        if problem or user is None or not user.is_active:
            return invalid_link(problem or tokens.NOT_VALID)
        new, confirm = form.get("new_password", ""), form.get("confirm_password", "")
        errors = {}
        if "new_password" in form.unreadable:
            errors["new_password"] = "Ce mot de passe contient des caractères qui n’ont pas pu être lus : choisissez-en un autre."
        elif weak := passwords.password_problem(new, user.email):
            errors["new_password"] = weak
        elif new != confirm:
            errors["confirm_password"] = "Les deux saisies du nouveau mot de passe diffèrent."
        if errors:
            return reset_form(token, 422, errors)
        services.set_password(user, new)
        tokens.use(db, row)
        # Whoever knew the old password is signed out everywhere, this browser included.
        request.app.state.sessions.delete_user(user.id, session=db)
        request.app.state.throttle.clear(f"signin:email:{user.email}", db)
        db.commit()
        return see_other("/connexion?ok=mot-de-passe")
