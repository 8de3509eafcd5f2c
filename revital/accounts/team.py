"""A commune's team: who holds which role there, the invitations pending, inviting and revoking.

The territory's coordinator invites commune admins, facilitators and students of its communes; a
commune admin invites facilitators (revital.permissions.grantable_roles). An invitation is a
single-use link (revital.accounts.tokens, 7 days) sent by e-mail; it opens /invitation/{token},
where a new person chooses a name and a password and an existing account just takes the role.
Revoking a role ends every session of the person; cancelling an invitation kills its link.
"""

from litestar import Controller, Request
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template
from sqlalchemy import select

from revital.accounts import services, tokens
from revital.accounts.models import AccountToken, RoleGrant, User
from revital.communes.access import managed_commune
from revital.db import utcnow
from revital.forms import Form
from revital.mail import outbox
from revital.mail.message import valid_address
from revital.permissions import GRANTS, MANAGE_TEAM, ROLE_LABELS, can_grant, grantable_roles
from revital.routes import DB, get, post
from revital.web import confirmation, get_or_404, page, see_other

MESSAGES = {
    "invitation": "L’invitation est envoyée : son lien est valable 7 jours.",
    "invitation-annulee": "L’invitation est annulée : son lien ne fonctionne plus.",
    "role-retire": "Le rôle est retiré ; les sessions ouvertes de cette personne sont fermées.",
}
TEAM_ROLES = tuple(sorted({role for roles in GRANTS.values() for role in roles}))

INVITATION_TEXT = """Bonjour,

{inviter} vous invite à rejoindre la démarche de revitalisation du centre-bourg de {commune} sur Revital, avec le rôle : {role}.

Pour accepter, ouvrez ce lien dans les 7 jours :
{url}

Vous y choisirez votre nom et votre mot de passe (ou, si vous avez déjà un compte avec cette adresse, le rôle s’y ajoutera). Ce lien ne sert qu’une fois.

Si vous ne vous attendiez pas à cette invitation, ignorez ce message.

— Revital
"""


def team_context(db, managed) -> dict:
    commune = managed.commune
    members = db.execute(select(RoleGrant, User).join(User, User.id == RoleGrant.user_id)
                         .where(RoleGrant.commune_id == commune.id, RoleGrant.role.in_(TEAM_ROLES))
                         .order_by(RoleGrant.role, User.display_name)).all()
    pending = db.scalars(select(AccountToken).where(
        AccountToken.purpose == tokens.INVITATION, AccountToken.commune_id == commune.id,
        AccountToken.used_at.is_(None), AccountToken.expires_at > utcnow()).order_by(AccountToken.created_at)).all()
    roles = grantable_roles(managed.user.principal, managed.scope)
    return {**managed.context(), "members": members, "pending": pending, "labels": ROLE_LABELS,
            "roles": {role: ROLE_LABELS[role] for role in roles}, "revocable": set(roles)}


def team_page(db, managed, status_code=200, values=None, errors=None, ok=None) -> Template:
    return page("accounts/team.html", status_code=status_code, **team_context(db, managed),
                values=values or {}, errors=errors or {}, ok=ok)


def invitation_url(request: Request, token: str) -> str:
    return request.app.state.settings.base_url.rstrip("/") + f"/invitation/{token}"


class TeamController(Controller):
    path = "/communes/{slug:str}/gestion/equipe"

    @get("/")
    def team(self, request: Request, db: DB, slug: FromPath[str], ok: FromQuery[str] = "") -> Template | Redirect:
        managed = managed_commune(request, db, slug, MANAGE_TEAM)
        return team_page(db, managed, ok=confirmation(MESSAGES, ok))

    @post("/invitations")
    def invite(self, request: Request, db: DB, slug: FromPath[str], form: Form) -> Template | Redirect:
        managed = managed_commune(request, db, slug, MANAGE_TEAM)
        commune = managed.commune
        email = services.normalise_email(form.get("email", ""))
        role = form.get("role", "")
        values, errors = {"email": email[:254], "role": role}, {}
        if not valid_address(email) or "email" in form.unreadable:
            errors["email"] = "Saisissez l’adresse e-mail de la personne à inviter, par exemple nom@exemple.fr."
        if not can_grant(managed.user.principal, role, managed.scope):
            errors["role"] = "Choisissez un des rôles proposés."
        if not errors:
            user = services.user_by_email(db, email)
            if user is not None and any(g.role == role and g.commune_id == commune.id for g in user.grants):
                errors["email"] = f"Cette personne a déjà le rôle « {ROLE_LABELS[role]} » dans cette commune."
        if errors:
            return team_page(db, managed, 422, values, errors)
        token = tokens.issue(db, tokens.INVITATION, email, tokens.INVITATION_LIFETIME, role=role, commune_id=commune.id)
        text = INVITATION_TEXT.format(inviter=managed.user.display_name, commune=commune.name,
                                      role=ROLE_LABELS[role], url=invitation_url(request, token))
        outbox.queue(db, email, "Invitation à rejoindre la démarche", text, commune_name=commune.name, kind="invitation")
        db.commit()
        return see_other(f"/communes/{commune.slug}/gestion/equipe?ok=invitation")

    @post("/invitations/{invitation_id:int}/annuler")
    def cancel(self, request: Request, db: DB, slug: FromPath[str], invitation_id: FromPath[int]) -> Template | Redirect:
        managed = managed_commune(request, db, slug, MANAGE_TEAM)
        row = db.get(AccountToken, invitation_id)
        if row is None or row.purpose != tokens.INVITATION or row.commune_id != managed.commune.id or row.used_at:
            row = None
        row = get_or_404(row, "Cette invitation n’existe pas ou n’est plus en attente.")
        if not can_grant(managed.user.principal, row.role, managed.scope):
            return team_page(db, managed, 403, errors={"form": "Vous ne pouvez pas annuler cette invitation."})
        db.delete(row)
        db.commit()
        return see_other(f"/communes/{managed.commune.slug}/gestion/equipe?ok=invitation-annulee")

    @post("/roles/{grant_id:int}/retirer")
    def revoke(self, request: Request, db: DB, slug: FromPath[str], grant_id: FromPath[int]) -> Template | Redirect:
        managed = managed_commune(request, db, slug, MANAGE_TEAM)
        grant = db.get(RoleGrant, grant_id)
        if grant is None or grant.commune_id != managed.commune.id or grant.role not in TEAM_ROLES:
            grant = None
        grant = get_or_404(grant, "Ce rôle n’existe pas ou a déjà été retiré.")
        if not can_grant(managed.user.principal, grant.role, managed.scope):
            return team_page(db, managed, 403, errors={"form": "Vous ne pouvez pas retirer ce rôle : demandez-le à la coordination du territoire."})
        user_id = grant.user_id
        db.delete(grant)
        request.app.state.sessions.delete_user(user_id, session=db)
        db.commit()
        return see_other(f"/communes/{managed.commune.slug}/gestion/equipe?ok=role-retire")
