"""A contribution's page: the contribution and its "moi aussi" (revital.contributions.pages), and
what became of it, composed here above the parts of the workflow that take it up (the stakes it
fed, the ideas it inspired, the actions that answer it). Anonymous visitors get it from a cache,
per version of the commune and count of supports."""

from litestar import Controller, Request, Response
from litestar.params import FromPath
from litestar.response import Template

from sqlalchemy import select

from revital.communes.access import load_commune
from revital.contributions.pages import VOTER_COOKIE, contribution_key, detail_context
from revital.diagnostic import services as diagnostic
from revital.diagnostic.models import Stake
from revital.ideas.models import NOT_RETAINED, RETAINED, Idea
from revital.lineage.models import CONTRIBUTION, IDEA, STAKE, Link
from revital.ideas.controllers import contribution_panel
from revital.routes import get, shared_page
from revital.web import page

DECIDED = {RETAINED: "est retenue par la commune", NOT_RETAINED: "n’est pas retenue par la commune"}


def lineage(db, commune, contribution) -> dict:
    """What became of the contribution, as a dated timeline: its publication, the stakes it fed
    (named once the commune's synthesis is published: before, the diagnostic is a draft), the
    ideas it inspired and what the commune decided about them. Two queries whatever the chain."""
    links = db.scalars(select(Link).where(Link.source_kind == CONTRIBUTION, Link.source_id == contribution.id)
                       .order_by(Link.created_at, Link.id)).all()
    events = []
    if contribution.published_at is not None:
        events.append({"at": contribution.published_at, "text": "Publiée sur la carte de la commune.", "url": None})
    stake_links = [link for link in links if link.target_kind == STAKE]
    idea_links = [link for link in links if link.target_kind == IDEA]
    public_diagnostic = bool(stake_links) and diagnostic.has_published(db, commune.id)
    stakes = {s.id: s for s in db.scalars(select(Stake).where(Stake.id.in_([link.target_id for link in stake_links])))}
    for link in stake_links:
        stake = stakes.get(link.target_id)
        if stake is None:
            continue
        if public_diagnostic:
            events.append({"at": link.created_at, "text": f"A nourri l’enjeu « {stake.title} » du diagnostic.",
                           "url": f"/communes/{commune.slug}/diagnostic#enjeu-{stake.id}"})
        else:
            events.append({"at": link.created_at, "url": None,
                           "text": "Retenue dans un enjeu du diagnostic, en cours d’écriture."})
    ideas = {i.id: i for i in db.scalars(select(Idea).where(Idea.id.in_([link.target_id for link in idea_links])))}
    for link in idea_links:
        idea = ideas.get(link.target_id)
        if idea is None:
            continue
        url = f"/communes/{commune.slug}/pistes/{idea.id}"
        events.append({"at": link.created_at, "text": f"A inspiré la piste d’action « {idea.title} ».", "url": url})
        if idea.decided_at is not None and idea.status in DECIDED:
            events.append({"at": idea.decided_at, "url": url,
                           "text": f"La piste « {idea.title} » {DECIDED[idea.status]} : {idea.decision_reason}".rstrip(" :")})
    events.sort(key=lambda event: event["at"])
    return {"events": events, "stakes": len(stake_links), "ideas": len(idea_links)}


def contribution_page(request: Request, db, slug: str, contribution_id: int) -> Template:
    commune = load_commune(db, slug)
    context = detail_context(request, db, commune, contribution_id)
    return page("pages/contribution.html", commune=commune, territory=commune.territory,
                demo=commune.territory.is_demo, lineage=lineage(db, commune, context["contribution"]),
                emergence=contribution_panel(request, db, commune, context["contribution"]), **context)


class ContributionPageController(Controller):
    @get("/communes/{slug:str}/contributions/{contribution_id:int}")
    async def detail(self, request: Request, slug: FromPath[str], contribution_id: FromPath[int]) -> Response:
        return await shared_page(request, ("contribution", slug, contribution_id),
                                 lambda db: contribution_key(db, slug, contribution_id),
                                 lambda db: contribution_page(request, db, slug, contribution_id),
                                 private_cookies=(VOTER_COOKIE,))
