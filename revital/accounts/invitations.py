"""Accepting an invitation: /invitation/{token} (single use, 7 days, revital.accounts.team sends it).

A new person chooses their name and password; an existing account with the invited address just
takes the role. Either way the link is then used up and the person signs in.
"""

from litestar import Controller, Request
from litestar.params import FromPath
from litestar.response import Redirect, Template

from revital.accounts import passwords, services, tokens
from revital.accounts.models import RoleGrant
from revital.communes.models import Commune
from revital.db import utcnow
from revital.forms import Form
from revital.permissions import ROLE_LABELS, Grant
from revital.routes import DB, get, post
from revital.web import page, see_other

PROBLEMS = {
    tokens.NOT_VALID: (404, "Ce lien d’invitation n’est pas valide : il a peut-être été mal copié, annulé, ou remplacé "
                            "par une invitation plus récente. Demandez à la personne qui vous a invité·e de vous "
                            "en envoyer une nouvelle."),
    tokens.EXPIRED: (410, "Cette invitation a expiré : elle n’est valable que 7 jours. Demandez à la personne qui "
                          "vous a invité·e de vous en envoyer une nouvelle."),
    tokens.USED: (410, "Cette invitation a déjà été acceptée : connectez-vous avec votre adresse e-mail et votre "
                       "mot de passe."),
}


def invalid(problem: str) -> Template:
    status, message = PROBLEMS[problem]
    return page("accounts/reset_invalid.html", status_code=status, message=message, title="Invitation inutilisable",
                again=None)


def invitation_page(db, row, token, status_code=200, values=None, errors=None) -> Template:
    commune = db.get(Commune, row.commune_id)
    return page("accounts/invitation.html", status_code=status_code, token=token, invitation=row, commune=commune,
                role=ROLE_LABELS.get(row.role, row.role), existing=services.user_by_email(db, row.email) is not None,
                values=values or {}, errors=errors or {})


def usable(db, token: str, lock: bool = False):
    row = tokens.find(db, tokens.INVITATION, token, lock=lock)
    problem = tokens.problem(row, utcnow())
    if problem is None and (row.commune_id is None or row.role is None):
        problem = tokens.NOT_VALID
    return row, problem


class InvitationController(Controller):
    @get("/invitation/{token:str}")
    def show(self, request: Request, db: DB, token: FromPath[str]) -> Template:
        row, problem = usable(db, token)
        return invalid(problem) if problem else invitation_page(db, row, token)

    @post("/invitation/{token:str}")
    def accept(self, request: Request, db: DB, form: Form, token: FromPath[str]) -> Template | Redirect:
        row, problem = usable(db, token, lock=True)
        if problem:
            return invalid(problem)
        user = services.user_by_email(db, row.email)
        grant = Grant(row.role, commune_id=row.commune_id)
        if user is not None:
            if not any(g.role == row.role and g.commune_id == row.commune_id for g in user.grants):
                user.grants.append(RoleGrant(role=row.role, commune_id=row.commune_id))
        else:
            name = " ".join(form.get("display_name", "").split())
            new, confirm = form.get("new_password", ""), form.get("confirm_password", "")
            errors = {}
            if not name:
                errors["display_name"] = "Indiquez votre nom, tel que l’équipe le verra."
            elif len(name) > 80:
                errors["display_name"] = "Le nom ne peut pas dépasser 80 caractères."
            if "new_password" in form.unreadable:
                errors["new_password"] = "Ce mot de passe contient des caractères qui n’ont pas pu être lus : choisissez-en un autre."
            elif weak := passwords.password_problem(new, row.email):
                errors["new_password"] = weak
            elif new != confirm:
                errors["confirm_password"] = "Les deux saisies du mot de passe diffèrent."
            if errors:
                return invitation_page(db, row, token, 422, {"display_name": name[:80]}, errors)
            services.create_user(db, row.email, name, passwords.hash_password(new), [grant])
        tokens.use(db, row)
        db.commit()
        return see_other("/connexion?ok=invitation")
