"""The territory coordinator manages its partner organisations (name, kind from a fixed list) and
the engaged communes each one accompanies: /territoires/{slug}/gestion/partenaires.

A commune an organisation accompanies is one it is invited to (CommunePartner): its partner
accounts act there (revital.permissions), and the commune page names it.
"""

from litestar import Controller, Request
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from revital import backoffice
from revital.communes import organisations
from revital.communes.access import managed_territory
from revital.communes.models import Commune, CommunePartner, Organisation
from revital.forms import Form
from revital.process.models import Process
from revital.routes import DB, get, post
from revital.text import fold, french_order, slugify
from revital.web import confirmation, get_or_404, page, see_other

MESSAGES = {"ajoutee": "L’organisation est ajoutée.", "modifiee": "L’organisation est enregistrée."}
TAKEN = "Une organisation du territoire porte déjà ce nom."


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


def partners_page(db, territory, user, status_code=200, values=None, errors=None, editing=None, ok=None) -> Template:
    communes = engaged_communes(db, territory)
    return page("territories/partners.html", status_code=status_code, territory=territory, demo=territory.is_demo,
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
    def edit(self, request: Request, db: DB, slug: FromPath[str], org: FromPath[str]) -> Template:
        territory, user = managed_territory(request, db, slug)
        organisation = self.organisation(db, territory, org)
        chosen = [c.insee for c in accompanied(db, territory).get(organisation.id, [])]
        return partners_page(db, territory, user, editing=organisation,
                             values={"name": organisation.name, "kind": organisation.kind, "communes": chosen})

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

    @staticmethod
    def organisation(db, territory, org: str) -> Organisation:
        return get_or_404(db.scalar(select(Organisation).where(Organisation.territory_id == territory.id,
                                                               Organisation.slug == org)
                                    .options(selectinload(Organisation.territory))),
                          "Aucune organisation partenaire ne correspond à cette adresse.")
