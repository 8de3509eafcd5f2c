"""The public side of emergence: a commune's ideas (/communes/{slug}/pistes, by axis then "sans
axe", with their status, supports and "moi aussi"), each idea's page with its sources, the stakes
it answers, the commune's decision and official answer, the "moi aussi" on an idea (the
contributions' one mechanism: same voter, same cookie, counted once), and the open data
ideas.geojson and ideas.csv (no personal data; the ids of their sources).

Anonymous visitors get the pages from a cache, per version of the commune and count of supports;
the open data is built once per version of the commune and support period."""

import json

from litestar import Controller, Request, Response
from litestar.params import FromPath
from litestar.response import Redirect, Template
from sqlalchemy import select

from revital import exports, maps
from revital.caching import Cache, version_key
from revital.communes import services as communes
from revital.communes.access import NO_COMMUNE, load_commune
from revital.communes.models import Commune
from revital.contributions.feeds import LICENCE, SUPPORTS_LAG, support_period
from revital.contributions.models import Support
from revital.contributions.pages import VOTER_COOKIE, support_voter, voter_of
from revital.ideas import rules, services
from revital.ideas.models import NOT_RETAINED, RETAINED, Idea
from revital.lineage.models import CONTRIBUTION, PROPOSAL, STAKE, WORKSHOP
from revital.permissions import ANSWER_OFFICIALLY, MANAGE_IDEAS, can
from revital.routes import DB, get, post, shared_page, versioned_body
from revital.web import NotFound, PublicError, get_or_404, is_fragment_request, page, principal

NO_IDEA = "Cette piste d’action n’existe pas dans cette commune."
NOT_SUPPORTED = "Cette piste n’a pas été retenue : elle ne reçoit plus de soutiens."
BODIES = Cache(size=64)
GEOJSON = "application/geo+json"


def open_data_version(request: Request, slug: str, name: str):
    """(known, read) for caching.conditional: the file named after the commune's version."""
    return request.app.state.versions.commune_keys(slug, name, support_period(), missing=lambda: NotFound(NO_COMMUNE))


class Conflict(PublicError):
    status_code = 409


def ideas_url(commune) -> str:
    return f"/communes/{commune.slug}/pistes"


def idea_url(commune, idea_id: int) -> str:
    return f"/communes/{commune.slug}/pistes/{idea_id}"


def ideas_key(request: Request, db, slug: str):
    """The version of the pistes page: its commune's, and the supports of its ideas."""
    found = request.app.state.versions.commune(db, slug)
    if found is None:
        return None
    return version_key(found.key, services.supports_total(db, found.id))


def idea_key(db, slug: str, idea_id: int):
    row = db.execute(select(Commune.id, Commune.created_at, Commune.version, Idea.supports_count)
                     .join(Idea, Idea.commune_id == Commune.id)
                     .where(Commune.slug == slug, Idea.id == idea_id)).first()
    return None if row is None else (row[0], int(row[1].timestamp() * 1000), row[2], row[3])


def supported_among(db, ideas: list[Idea], voter: str | None) -> set[int]:
    if not voter or not ideas:
        return set()
    return set(db.scalars(select(Support.idea_id).where(Support.idea_id.in_([i.id for i in ideas]),
                                                        Support.voter == voter)))


def ideas_map(settings, commune, focus: int | None = None) -> maps.MapParts | None:
    """The commune's map with its ideas that have a location (static/js/revital-ideas.js); focus:
    the idea whose page it is, centred and marked."""
    if commune.min_lon is None:
        return None
    return maps.commune_map(settings, commune, ideas={"url": f"/api/communes/{commune.slug}/ideas.geojson",
                                                     "page": ideas_url(commune), "focus": focus})


def list_page(request: Request, db, commune) -> Template:
    axes = services.axes_of(db, commune.id)
    ideas = services.ideas_of(db, commune.id)
    return page("ideas/list.html", commune=commune, territory=commune.territory, demo=commune.territory.is_demo,
                groups=services.by_axis(axes, ideas), statuses=rules.STATUSES, count=len(ideas),
                retained=sum(1 for i in ideas if i.status == RETAINED),
                supported=supported_among(db, ideas, voter_of(request)),
                map=ideas_map(request.app.state.settings, commune) if any(i.lon is not None for i in ideas) else None)


def detail_page(request: Request, db, commune, idea: Idea) -> Template:
    scope = communes.scope_of(db, commune)
    who = principal(request)
    sources = services.sources_shown(db, idea)
    return page("ideas/detail.html", commune=commune, territory=commune.territory, demo=commune.territory.is_demo,
                idea=idea, axis=services.axis_in(db, commune.id, idea.axis_id) if idea.axis_id else None,
                statuses=rules.STATUSES, sources=sources, source_count=sum(len(v) for v in sources.values()),
                stakes=services.stakes_answered(db, idea), answer=services.answer_of(db, "idea", idea.id),
                answer_statuses=rules.ANSWER_STATUSES, supported=services.has_supported(db, idea, voter_of(request)),
                map=ideas_map(request.app.state.settings, commune, idea.id) if idea.lon is not None else None,
                manages=can(who, MANAGE_IDEAS, scope), answers=can(who, ANSWER_OFFICIALLY, scope))


def contribution_panel(request: Request, db, commune, contribution) -> dict:
    """What a contribution's page shows of emergence (revital.pages.contribution): the commune's
    official answer, the ideas the contribution inspired, and the answer form for the commune."""
    answers = can(principal(request), ANSWER_OFFICIALLY, communes.scope_of(db, commune))
    answer = services.answer_of(db, "contribution", contribution.id)
    return {"answer": answer, "answer_statuses": rules.ANSWER_STATUSES, "idea_statuses": rules.STATUSES,
            "inspired": services.ideas_from(db, contribution), "answers": answers,
            "answer_values": {"status": answer.status if answer else "", "text": answer.text if answer else ""}}


class IdeasController(Controller):
    path = "/communes/{slug:str}/pistes"

    @get("/")
    async def list(self, request: Request, slug: FromPath[str]) -> Response:
        def build(db) -> Template:
            return list_page(request, db, load_commune(db, slug))

        return await shared_page(request, ("pistes", slug), lambda db: ideas_key(request, db, slug), build,
                                 private_cookies=(VOTER_COOKIE,))

    @get("/{idea_id:int}")
    async def detail(self, request: Request, slug: FromPath[str], idea_id: FromPath[int]) -> Response:
        def build(db) -> Template:
            commune = load_commune(db, slug)
            return detail_page(request, db, commune, get_or_404(services.idea_in(db, commune.id, idea_id), NO_IDEA))

        return await shared_page(request, ("piste", slug, idea_id), lambda db: idea_key(db, slug, idea_id), build,
                                 private_cookies=(VOTER_COOKIE,))

    @post("/{idea_id:int}/soutenir")
    def support(self, request: Request, db: DB, slug: FromPath[str], idea_id: FromPath[int]) -> Template | Redirect:
        commune = load_commune(db, slug)
        idea = get_or_404(services.idea_in(db, commune.id, idea_id), NO_IDEA)
        if idea.status == NOT_RETAINED:
            raise Conflict(NOT_SUPPORTED)
        voter, cookies = support_voter(request)
        count, counted = services.support(db, idea, voter)
        for name in (("pistes", slug), ("piste", slug, idea_id)):
            request.app.state.pages.drop(name)
        if is_fragment_request(request):
            response = page("ideas/_support.html", commune=commune, idea=idea, supports=count, supported=True,
                            just_counted=counted)
        else:
            response = Redirect(f"{idea_url(commune, idea_id)}#soutien-{idea_id}", status_code=303)
        response.cookies.extend(cookies)
        return response


# The open data.

def public_record(idea: Idea, commune, axes: dict, sources: dict, base_url: str) -> dict:
    return {
        "id": idea.id,
        "url": f"{base_url}{idea_url(commune, idea.id)}",
        "title": idea.title,
        "text": idea.text,
        "axis_id": idea.axis_id or "",
        "axis": axes.get(idea.axis_id, ""),
        "status": idea.status,
        "status_label": rules.STATUSES.get(idea.status, idea.status),
        "decision_reason": idea.decision_reason,
        "supports": idea.supports_count,
        "longitude": "" if idea.lon is None else f"{idea.lon:.6f}",
        "latitude": "" if idea.lat is None else f"{idea.lat:.6f}",
        "place": idea.place_name,
        "source_contributions": sources[CONTRIBUTION],
        "source_workshops": sources[WORKSHOP],
        "source_proposals": sources[PROPOSAL],
        "stakes": sources[STAKE],
        "created_at": idea.created_at.isoformat(timespec="seconds"),
        "decided_at": idea.decided_at.isoformat(timespec="seconds") if idea.decided_at else "",
    }


def records(db, commune, base_url: str) -> list[dict]:
    ideas = services.ideas_of(db, commune.id)
    axes = {a.id: a.title for a in services.axes_of(db, commune.id)}
    sources = services.source_ids(db, [i.id for i in ideas])
    return [public_record(i, commune, axes, sources[i.id], base_url) for i in ideas]


def geojson_body(db, commune, base_url: str) -> bytes:
    features = []
    for record in records(db, commune, base_url):
        point = record["longitude"] != ""
        geometry = {"type": "Point", "coordinates": [float(record["longitude"]), float(record["latitude"])]} if point else None
        features.append({"type": "Feature", "id": record["id"], "geometry": geometry, "properties": record})
    return json.dumps({"type": "FeatureCollection", "licence": LICENCE, "features": features},
                      ensure_ascii=False, separators=(",", ":")).encode()


CSV_FIELDS = ["id", "url", "title", "text", "axis_id", "axis", "status", "status_label", "decision_reason", "supports",
              "longitude", "latitude", "place", "source_contributions", "source_workshops", "source_proposals", "stakes",
              "created_at", "decided_at"]
CSV_NUMERIC = frozenset({"id", "axis_id", "supports", "longitude", "latitude"})
LISTS = ("source_contributions", "source_workshops", "source_proposals", "stakes")


def csv_body(db, commune, base_url: str) -> bytes:
    """The ideas for a spreadsheet (revital.exports: formulas neutralised); sources as ids separated by spaces."""
    rows = ({**r, **{name: " ".join(str(i) for i in r[name]) for name in LISTS}} for r in records(db, commune, base_url))
    return exports.csv_bytes(CSV_FIELDS, rows, CSV_NUMERIC)



class IdeasApiController(Controller):
    path = "/api/communes/{slug:str}"

    @get("/ideas.geojson")
    async def geojson(self, request: Request, slug: FromPath[str]) -> Response:
        base_url = request.app.state.settings.base_url.rstrip("/")
        known, read = open_data_version(request, slug, "ideas-geojson")
        return await versioned_body(request, BODIES, known, read,
                                    lambda db: geojson_body(db, load_commune(db, slug), base_url), GEOJSON,
                                    max_age=SUPPORTS_LAG)

    @get("/ideas.csv")
    async def csv(self, request: Request, slug: FromPath[str]) -> Response:
        base_url = request.app.state.settings.base_url.rstrip("/")
        known, read = open_data_version(request, slug, "ideas-csv")
        return await versioned_body(request, BODIES, known, read,
                                    lambda db: csv_body(db, load_commune(db, slug), base_url), "text/csv",
                                    max_age=SUPPORTS_LAG,
                                    headers={"Content-Disposition": f'attachment; filename="pistes-{slug}.csv"'})
