"""Accepting an invitation: /invitation/{token} (single use, 7 days). revital.accounts.team sends
those to a commune's team, revital.territories.partners those to an organisation's partners, and
revital.calls.notices the one of an applicant commune's agent (a pending role until the results).

A new person chooses their name and password; an existing account with the invited address just
takes the role. Either way the link is then used up and the person signs in.
"""

from litestar import Controller, Request
from litestar.params import FromPath
from litestar.response import Redirect, Template

from revital.accounts import passwords, services, tokens
from revital.accounts.models import RoleGrant
from revital.communes.models import Commune, Organisation
from revital.db import utcnow
from revital.forms import Form
from revital.permissions import ROLE_LABELS
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
    commune = db.get(Commune, row.commune_id) if row.commune_id else None
    organisation = db.get(Organisation, row.organisation_id) if row.organisation_id else None
    return page("accounts/invitation.html", status_code=status_code, token=token, invitation=row, commune=commune,
                organisation=organisation,
                role=ROLE_LABELS.get(row.role, row.role), existing=services.user_by_email(db, row.email) is not None,
                values=values or {}, errors=errors or {})


def usable(db, token: str, lock: bool = False):
    row = tokens.find(db, tokens.INVITATION, token, lock=lock)
    problem = tokens.problem(row, utcnow())
    if problem is None and (row.role is None or (row.commune_id is None) == (row.organisation_id is None)):
        problem = tokens.NOT_VALID  # an invitation opens one commune or one organisation
    return row, problem


def take_role(user, row) -> None:
    """Add the invited role to an account (once); a pending invitation adds it pending, never makes
    an active role pending again, and an active one activates it."""
    for grant in user.grants:
        if (grant.role, grant.commune_id, grant.organisation_id) == (row.role, row.commune_id, row.organisation_id):
            grant.pending = grant.pending and row.pending
            return
    user.grants.append(RoleGrant(role=row.role, commune_id=row.commune_id, organisation_id=row.organisation_id,
                                 pending=row.pending))


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
        if user is None:
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
            user = services.create_user(db, row.email, name, passwords.hash_password(new), [])
        take_role(user, row)
        tokens.use(db, row)
        db.commit()
        return see_other("/connexion?ok=invitation")
