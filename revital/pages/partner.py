"""The public page of a partner organisation, /partenaires/{org}: who it is, and the engaged
communes it accompanies with where each one's process stands. Names no person (the partner's
accounts stay private). A signed-in partner of the organisation also sees its own work there: the
action sheets awaiting its opinion (overdue first) and the opinions it gave, in the communes it
accompanies only (revital.sheets.review); nobody else sees any sheet that is not public. An organisation's address is unique in its territory: when several
territories have one of that name, the page lists them."""

from litestar import Controller, Request
from litestar.params import FromPath
from litestar.response import Template
from sqlalchemy import select

from revital.communes.models import Commune, CommunePartner, Organisation
from revital.db import utcnow
from revital.process import phases
from revital.process.models import Process
from revital.routes import DB, get
from revital.sheets import review, review_rules, rules
from revital.text import french_order
from revital.web import NotFound, page, principal

NO_PARTNER = "Aucune organisation partenaire ne correspond à cette adresse."


def accompanied(db, organisation: Organisation) -> list[tuple[Commune, Process]]:
    """The engaged communes the organisation accompanies, with their process, in French order."""
    rows = db.execute(select(Commune, Process).join(CommunePartner, CommunePartner.commune_id == Commune.id)
                      .join(Process, Process.commune_id == Commune.id)
                      .where(CommunePartner.organisation_id == organisation.id)).all()
    return sorted(((c, p) for c, p in rows), key=lambda row: french_order(row[0].name))


class PartnerPageController(Controller):
    @get("/partenaires/{org:str}")
    def detail(self, request: Request, db: DB, org: FromPath[str]) -> Template:
        found = list(db.scalars(select(Organisation).where(Organisation.slug == org).order_by(Organisation.id)))
        if not found:
            raise NotFound(NO_PARTNER)
        if len(found) > 1:
            return page("pages/partners_named.html", organisations=found, demo=any(o.territory.is_demo for o in found))
        organisation = found[0]
        member = organisation.id in review_rules.partner_organisations(principal(request))
        return page("pages/partner.html", organisation=organisation, territory=organisation.territory,
                    demo=organisation.territory.is_demo, communes=accompanied(db, organisation),
                    labels=phases.LABELS, phase_index=phases.index, phase_count=len(phases.PHASES),
                    member=member,
                    awaiting=review.awaiting(db, organisation, review_rules.today_in_paris(utcnow())) if member else [],
                    given=review.given(db, organisation) if member else [],
                    verdicts=rules.VERDICT_LABELS, status_labels=rules.STATUS_LABELS)
