"""The account page: who the person is and their roles (accounts), and their ways into the back
office — their territory's, each commune's (a coordinator's: each engaged commune's), the moderation queue with what waits in it (communes,
contributions), and the workspaces of the student weeks they are members of (students). Only what the person may open is shown (revital.backoffice)."""

from dataclasses import dataclass

from litestar import Controller, Request
from litestar.params import FromQuery
from litestar.response import Redirect, Template
from sqlalchemy import select

from revital import backoffice
from revital.accounts import services as accounts
from revital.accounts.controllers import account_context
from revital.accounts.models import User
from revital.communes.models import Commune, Organisation, Territory
from revital.communes.services import scopes_of
from revital.contributions.services import pending_counts
from revital.forms import Form
from revital.permissions import COORDINATOR, PARTNER, Principal
from revital.process.models import Process
from revital.routes import DB, get, post
from revital.students import services as students
from revital.students.access import workspace_url
from revital.students.rules import MEMBER_ROLES
from revital.text import count_fr, french_order
from revital.web import (
    SESSION_COOKIE,
    CurrentUser,
    confirmation,
    cookie_value,
    page,
    require_user,
    see_other,
)

MESSAGES = {"mot-de-passe": "Votre mot de passe est changé ; vos autres sessions ont été fermées."}


@dataclass(frozen=True)
class Access:
    """A territory or a commune of the person's, with the ways into its back office they may open."""

    name: str
    url: str | None  # its public page, if it has one
    links: list[tuple[str, str]]  # (text, address)


def access_context(db, principal: Principal, user: User) -> dict:
    active = [g for g in user.grants if not g.pending]  # a pending role opens nothing yet
    territory_ids = {g.territory_id for g in active if g.role == COORDINATOR and g.territory_id}
    commune_ids = {g.commune_id for g in active if g.commune_id}
    organisation_ids = {g.organisation_id for g in active if g.role == PARTNER and g.organisation_id}
    organisations = sorted(db.scalars(select(Organisation).where(Organisation.id.in_(organisation_ids))),
                           key=lambda o: french_order(o.name))
    territories = list(db.scalars(select(Territory).where(Territory.id.in_(territory_ids)).order_by(Territory.name)))
    # A coordinator's way into each engaged commune of the territory (the others have no process to
    # run: the territory's back office engages them), and every commune of a direct grant.
    engaged = select(Process.commune_id)
    communes = sorted(db.scalars(select(Commune).where(
        Commune.id.in_(commune_ids) | (Commune.territory_id.in_(territory_ids) & Commune.id.in_(engaged)))),
        key=lambda c: french_order(c.name))
    scopes = scopes_of(db, communes)
    tabs = {c.id: backoffice.commune_tabs(principal, scopes[c.id]) for c in communes}
    pending = pending_counts(db, [c.id for c in communes if any(t.key == "moderation" for t in tabs[c.id])])
    territory_access = [
        Access(t.name, f"/territoires/{t.slug}", [(tab.label, tab.url(backoffice.territory_base(t.slug)))
                                                  for tab in backoffice.territory_tabs(principal, t.id)])
        for t in territories
    ]
    commune_access = []
    for commune in communes:
        base = backoffice.commune_base(commune.slug)
        links = []
        for tab in tabs[commune.id]:
            if tab.key == "demarche":
                links.append(("gestion de la commune", tab.url(base)))
            elif tab.key == "moderation":
                waiting = pending.get(commune.id, 0)
                text = count_fr(waiting, "contribution", "contributions") if waiting else "aucune contribution"
                links.append((f"modération ({text} en attente)", tab.url(base)))
        if not links and tabs[commune.id]:
            links.append((tabs[commune.id][0].label.lower(), tabs[commune.id][0].url(base)))
        commune_access.append(Access(commune.name, f"/communes/{commune.slug}", links))
    organisation_access = [Access(o.name, f"/partenaires/{o.slug}", []) for o in organisations]
    return {"territory_access": territory_access, "commune_access": commune_access,
            "organisation_access": organisation_access,
            "manages": any(a.links for a in [*territory_access, *commune_access])}


def account_page(db, current: CurrentUser, status_code: int = 200, errors: dict | None = None, ok: str | None = None) -> Template:
    context = account_context(db, current.id)
    weeks = [(week, MEMBER_ROLES.get(role, role), workspace_url(week.commune, week))
             for week, role in students.weeks_of_user(db, current.id)]
    return page("accounts/account.html", status_code=status_code, **context,
                **access_context(db, current.principal, context["user"]), student_weeks=weeks,
                errors=errors or {}, ok=ok)


class AccountPageController(Controller):
    @get("/compte")
    def account(self, request: Request, db: DB, ok: FromQuery[str] = "") -> Template | Redirect:
        return account_page(db, require_user(request), ok=confirmation(MESSAGES, ok))

    @post("/compte/mot-de-passe")
    def change_password(self, request: Request, db: DB, form: Form) -> Template | Redirect:
        current = require_user(request)
        user = db.get(User, current.id)
        new = form.get("new_password", "")
        errors = accounts.password_change_errors(user, form.get("current_password", ""), new, form.get("confirm_password", ""))
        if "new_password" in form.unreadable:
            errors["new_password"] = "Ce mot de passe contient des caractères qui n’ont pas pu être lus : choisissez-en un autre."
        if errors:
            return account_page(db, current, 422, errors)
        accounts.set_password(user, new)
        # Every other browser signed in to this account is signed out.
        request.app.state.sessions.delete_user(user.id, keep=cookie_value(request.scope, SESSION_COOKIE), session=db)
        db.commit()
        return see_other("/compte?ok=mot-de-passe")
