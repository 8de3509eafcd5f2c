"""The territory coordinator manages its partner organisations (name, kind from a fixed list), the
engaged communes each one accompanies, and its partner accounts (invited by e-mail, revoked):
/territoires/{slug}/gestion/partenaires.

A commune an organisation accompanies is one it is invited to (CommunePartner): its partner
accounts act there (revital.permissions), and the commune page names it.
"""

from litestar import Controller, Request
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from revital import backoffice
from revital.accounts import services as accounts
from revital.accounts import tokens
from revital.accounts.models import AccountToken, RoleGrant, User
from revital.communes import organisations
from revital.communes.access import managed_territory
from revital.communes.models import Commune, CommunePartner, Organisation
from revital.db import utcnow
from revital.forms import Form
from revital.mail import outbox
from revital.mail.message import valid_address
from revital.permissions import PARTNER
from revital.process.models import Process
from revital.routes import DB, get, post
from revital.text import fold, french_order, slugify
from revital.web import confirmation, get_or_404, page, see_other

MESSAGES = {
    "ajoutee": "L’organisation est ajoutée.",
    "modifiee": "L’organisation est enregistrée.",
    "invitation": "L’invitation est envoyée : son lien est valable 7 jours.",
    "invitation-annulee": "L’invitation est annulée : son lien ne fonctionne plus.",
    "role-retire": "Le compte n’agit plus pour l’organisation ; ses sessions ouvertes sont fermées.",
}
TAKEN = "Une organisation du territoire porte déjà ce nom."

INVITATION_TEXT = """Bonjour,

{inviter}, pour {territory}, vous invite à rejoindre Revital comme partenaire technique, au nom de {organisation}.

Vous y suivrez les communes que {organisation} accompagne dans la revitalisation de leur centre-bourg{communes}, et y donnerez l’avis de l’organisation sur leurs fiches actions.

Pour accepter, ouvrez ce lien dans les 7 jours :
{url}

Vous y choisirez votre nom et votre mot de passe (ou, si vous avez déjà un compte avec cette adresse, le rôle s’y ajoutera). Ce lien ne sert qu’une fois.

Si vous ne vous attendiez pas à cette invitation, ignorez ce message.

— Revital
"""


def engaged_communes(db, territory) -> list[Commune]:
    """The communes an organisation may accompany: the engaged ones (they have a process)."""
    return sorted(db.scalars(select(Commune).join(Process, Process.commune_id == Commune.id)
                             .where(Commune.territory_id == territory.id)), key=lambda c: french_order(c.name))


def organisations_of(db, territory) -> list[Organisation]:
    return sorted(db.scalars(select(Organisation).where(Organisation.territory_id == territory.id)),
                  key=lambda o: french_order(o.name))


def accompanied(db, territory) -> dict[int, list[Commune]]:
    rows = db.execute(select(CommunePartner.organisation_id, Commune).join(Commune)
                      .where(Commune.territory_id == territory.id)).all()
    found: dict[int, list[Commune]] = {}
    for organisation_id, commune in rows:
        found.setdefault(organisation_id, []).append(commune)
    return {k: sorted(v, key=lambda c: french_order(c.name)) for k, v in found.items()}


def accounts_of(db, organisation: Organisation) -> dict:
    """The organisation's partner accounts and its invitations still pending."""
    members = db.execute(select(RoleGrant, User).join(User, User.id == RoleGrant.user_id)
                         .where(RoleGrant.organisation_id == organisation.id, RoleGrant.role == PARTNER)
                         .order_by(User.display_name)).all()
    pending = db.scalars(select(AccountToken).where(
        AccountToken.purpose == tokens.INVITATION, AccountToken.organisation_id == organisation.id,
        AccountToken.used_at.is_(None), AccountToken.expires_at > utcnow()).order_by(AccountToken.created_at)).all()
    return {"members": members, "pending": pending}


def partners_page(db, territory, user, status_code=200, values=None, errors=None, editing=None, ok=None,
                  invite_values=None, invite_errors=None) -> Template:
    communes = engaged_communes(db, territory)
    people = accounts_of(db, editing) if editing is not None else {"members": [], "pending": []}
    return page("territories/partners.html", status_code=status_code, territory=territory, demo=territory.is_demo,
                **people, invite_values=invite_values or {"email": ""}, invite_errors=invite_errors or {},
                territory_tabs=backoffice.territory_tabs(user.principal, territory.id),
                organisations=organisations_of(db, territory), accompanied=accompanied(db, territory),
                communes=communes, kinds=organisations.KINDS, kind_label=organisations.kind_label,
                values=values or {"name": "", "kind": "", "communes": []}, errors=errors or {}, editing=editing, ok=ok)


def save(db, territory, organisation: Organisation | None, form: Form) -> tuple[dict, dict, Organisation | None]:
    """Create or update the organisation from the form; nothing written when there are errors."""
    communes = {c.insee: c for c in engaged_communes(db, territory)}
    values, errors = organisations.clean(dict(form), set(communes), form.getall("communes"))
    errors.update(form.unreadable_errors())
    others = [o for o in organisations_of(db, territory) if o is not organisation]
    if not errors and any(fold(o.name) == fold(values["name"]) for o in others):
        errors["name"] = TAKEN
    if errors:
        return values, errors, None
    if organisation is None:
        slugs, slug = {o.slug for o in others}, slugify(values["name"])
        base, n = slug, 1
        while slug in slugs:  # two names that differ only by punctuation
            n += 1
            slug = f"{base}-{n}"
        organisation = Organisation(territory_id=territory.id, slug=slug, name=values["name"], kind=values["kind"])
        db.add(organisation)
        db.flush()
    else:
        organisation.name, organisation.kind = values["name"], values["kind"]
    wanted = {communes[code].id for code in values["communes"]}
    current = {row.commune_id: row for row in db.scalars(
        select(CommunePartner).where(CommunePartner.organisation_id == organisation.id))}
    for commune_id, row in current.items():
        if commune_id not in wanted and commune_id in {c.id for c in communes.values()}:
            db.delete(row)
    for commune_id in wanted - set(current):
        db.add(CommunePartner(commune_id=commune_id, organisation_id=organisation.id))
    return values, {}, organisation


class PartnersController(Controller):
    path = "/territoires/{slug:str}/gestion/partenaires"

    @get("/")
    def list(self, request: Request, db: DB, slug: FromPath[str], ok: FromQuery[str] = "") -> Template:
        territory, user = managed_territory(request, db, slug)
        return partners_page(db, territory, user, ok=confirmation(MESSAGES, ok))

    @post("/")
    def add(self, request: Request, db: DB, slug: FromPath[str], form: Form) -> Template | Redirect:
        territory, user = managed_territory(request, db, slug)
        values, errors, _ = save(db, territory, None, form)
        if errors:
            db.rollback()
            return partners_page(db, territory, user, 422, values, errors)
        db.commit()
        return see_other(f"/territoires/{territory.slug}/gestion/partenaires?ok=ajoutee")

    @get("/{org:str}")
    def edit(self, request: Request, db: DB, slug: FromPath[str], org: FromPath[str], ok: FromQuery[str] = "") -> Template:
        territory, user = managed_territory(request, db, slug)
        return self.edit_page(db, territory, user, self.organisation(db, territory, org), ok=confirmation(MESSAGES, ok))

    @post("/{org:str}")
    def update(self, request: Request, db: DB, slug: FromPath[str], org: FromPath[str], form: Form) -> Template | Redirect:
        territory, user = managed_territory(request, db, slug)
        organisation = self.organisation(db, territory, org)
        values, errors, _ = save(db, territory, organisation, form)
        if errors:
            db.rollback()
            return partners_page(db, territory, user, 422, values, errors, editing=self.organisation(db, territory, org))
        db.commit()
        return see_other(f"/territoires/{territory.slug}/gestion/partenaires?ok=modifiee")

    @post("/{org:str}/invitations")
    def invite(self, request: Request, db: DB, slug: FromPath[str], org: FromPath[str], form: Form) -> Template | Redirect:
        territory, user = managed_territory(request, db, slug)
        organisation = self.organisation(db, territory, org)
        email = accounts.normalise_email(form.get("email", ""))
        errors = {}
        if not valid_address(email) or "email" in form.unreadable:
            errors["email"] = "Saisissez l’adresse e-mail de la personne à inviter, par exemple nom@exemple.fr."
        else:
            invited = accounts.user_by_email(db, email)
            if invited is not None and any(g.role == PARTNER and g.organisation_id == organisation.id
                                           for g in invited.grants):
                errors["email"] = f"Cette personne est déjà partenaire pour {organisation.name}."
        if errors:
            return self.edit_page(db, territory, user, organisation, 422, invite_values={"email": email[:254]},
                                  invite_errors=errors)
        token = tokens.issue(db, tokens.INVITATION, email, tokens.INVITATION_LIFETIME, role=PARTNER,
                             organisation_id=organisation.id)
        names = [c.name for c in accompanied(db, territory).get(organisation.id, [])]
        text = INVITATION_TEXT.format(
            inviter=user.display_name, territory=territory.name, organisation=organisation.name,
            communes=f" ({', '.join(names)})" if names else "",
            url=request.app.state.settings.base_url.rstrip("/") + f"/invitation/{token}")
        outbox.queue(db, email, f"Invitation : partenaire pour {organisation.name}", text, kind="invitation")
        db.commit()
        return see_other(f"/territoires/{territory.slug}/gestion/partenaires/{organisation.slug}?ok=invitation#comptes")

    @post("/{org:str}/invitations/{invitation_id:int}/annuler")
    def cancel(self, request: Request, db: DB, slug: FromPath[str], org: FromPath[str],
               invitation_id: FromPath[int]) -> Redirect:
        territory, _ = managed_territory(request, db, slug)
        organisation = self.organisation(db, territory, org)
        row = db.get(AccountToken, invitation_id)
        if row is None or row.purpose != tokens.INVITATION or row.organisation_id != organisation.id or row.used_at:
            row = None
        db.delete(get_or_404(row, "Cette invitation n’existe pas ou n’est plus en attente."))
        db.commit()
        return see_other(f"/territoires/{territory.slug}/gestion/partenaires/{organisation.slug}?ok=invitation-annulee#comptes")

    @post("/{org:str}/comptes/{grant_id:int}/retirer")
    def revoke(self, request: Request, db: DB, slug: FromPath[str], org: FromPath[str], grant_id: FromPath[int]) -> Redirect:
        territory, _ = managed_territory(request, db, slug)
        organisation = self.organisation(db, territory, org)
        grant = db.get(RoleGrant, grant_id)
        if grant is None or grant.organisation_id != organisation.id or grant.role != PARTNER:
            grant = None
        grant = get_or_404(grant, "Ce compte n’agit pas ou plus pour cette organisation.")
        user_id = grant.user_id
        db.delete(grant)
        request.app.state.sessions.delete_user(user_id, session=db)
        db.commit()
        return see_other(f"/territoires/{territory.slug}/gestion/partenaires/{organisation.slug}?ok=role-retire#comptes")

    @staticmethod
    def edit_page(db, territory, user, organisation, status_code=200, ok=None, **more) -> Template:
        chosen = [c.insee for c in accompanied(db, territory).get(organisation.id, [])]
        return partners_page(db, territory, user, status_code, editing=organisation, ok=ok,
                             values={"name": organisation.name, "kind": organisation.kind, "communes": chosen}, **more)

    @staticmethod
    def organisation(db, territory, org: str) -> Organisation:
        return get_or_404(db.scalar(select(Organisation).where(Organisation.territory_id == territory.id,
                                                               Organisation.slug == org)
                                    .options(selectinload(Organisation.territory))),
                          "Aucune organisation partenaire ne correspond à cette adresse.")
