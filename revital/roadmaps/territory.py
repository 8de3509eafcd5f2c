"""The territory's view of its communes' roadmaps (/territoires/{slug}/feuilles-de-route): every
engaged commune's latest published roadmap, its actions counted by axis, by funder and by status
across the communes, the totals (cost, requested, granted, remaining), a link to each roadmap; and
the table for funders (/territoires/{slug}/feuilles-de-route.csv, one row per funding line).

Public, like the roadmaps themselves; anonymous visitors get the page kept per territory version
(revital.caching), and the CSV is built once per version."""

from dataclasses import dataclass, field

from litestar import Controller, Request, Response
from litestar.params import FromPath
from litestar.response import Template
from sqlalchemy import select

from revital import exports
from revital.caching import version_key
from revital.communes.access import NO_TERRITORY, load_territory
from revital.communes.models import Commune
from revital.process.models import Process
from revital.roadmaps import opendata, progress, progress_rules, services
from revital.roadmaps.api import BODIES
from revital.routes import get, shared_page, versioned_body
from revital.sheets import rules as sheet_rules
from revital.text import french_order
from revital.web import NotFound, page

NO_AXIS = "Sans axe"


@dataclass
class Line:
    """A row of a breakdown: how many actions, in how many communes, for how much."""

    label: str
    actions: int = 0
    cost_cents: int = 0
    requested_cents: int = 0
    granted_cents: int = 0
    refused_cents: int = 0
    communes: set = field(default_factory=set)


@dataclass
class Overview:
    communes: list  # [{"name", "slug", "version", "published_at", "actions", "cost_cents", "granted_cents", ...}]
    waiting: list  # engaged communes without a published roadmap: [(name, slug)]
    axes: list[Line]
    funders: list[Line]
    statuses: list[Line]
    totals: dict


def overview(published: list[dict], waiting: list[tuple[str, str]]) -> Overview:
    """Pure: the breakdowns of the communes' latest snapshots. published: [{"name", "slug", "insee",
    "version", "published_at", "snapshot", "progress": {sheet_id: ProgressView}}]."""
    axes: dict[str, Line] = {}
    funders: dict[str, Line] = {}
    statuses = {code: Line(label) for code, label in progress_rules.STATUSES.items()}
    totals = {"communes": len(published), "actions": 0, "cost_cents": 0, "requested_cents": 0, "granted_cents": 0,
              "remaining_cents": 0}
    communes = []
    for item in published:
        snapshot = item["snapshot"]
        actions = snapshot.get("actions", [])
        row = {key: item[key] for key in ("name", "slug", "version", "published_at")}
        row.update(actions=len(actions), cost_cents=0, requested_cents=0, granted_cents=0, remaining_cents=0)
        for action in actions:
            cost = int(action.get("cost_cents") or 0)
            remaining = max(int(action.get("remaining_cents") or 0), 0)
            row["cost_cents"] += cost
            row["requested_cents"] += int(action.get("requested_cents") or 0)
            row["granted_cents"] += int(action.get("granted_cents") or 0)
            row["remaining_cents"] += remaining
            axis = axes.setdefault(action.get("axis") or NO_AXIS, Line(action.get("axis") or NO_AXIS))
            axis.actions += 1
            axis.cost_cents += cost
            axis.communes.add(item["slug"])
            view = item["progress"].get(action.get("sheet_id"))
            status = statuses[view.status if view and view.status in statuses else progress_rules.UPCOMING]
            status.actions += 1
            status.cost_cents += cost
            status.communes.add(item["slug"])
            counted = set()
            for line in action.get("funding", []):
                name = (line.get("funder") or "").strip() or "Financeur non précisé"
                funder = funders.setdefault(name, Line(name))
                amount = int(line.get("amount_cents") or 0)
                key = {opendata.REQUESTED: "requested_cents", opendata.GRANTED: "granted_cents",
                       opendata.REFUSED: "refused_cents"}.get(line.get("status"))
                if key:
                    setattr(funder, key, getattr(funder, key) + amount)
                if name not in counted:
                    funder.actions += 1
                    counted.add(name)
                funder.communes.add(item["slug"])
        for key in ("cost_cents", "requested_cents", "granted_cents", "remaining_cents"):
            totals[key] += row[key]
        totals["actions"] += row["actions"]
        communes.append(row)
    return Overview(
        communes=sorted(communes, key=lambda r: french_order(r["name"])), waiting=sorted(waiting, key=lambda w: french_order(w[0])),
        axes=sorted(axes.values(), key=lambda a: (a.label == NO_AXIS, -a.actions, french_order(a.label))),
        funders=sorted(funders.values(), key=lambda f: (-(f.granted_cents + f.requested_cents), french_order(f.label))),
        statuses=[s for s in statuses.values()], totals=totals)


def published_of(db, territory) -> tuple[list[dict], list[tuple[str, str]]]:
    """The engaged communes' latest roadmaps (as `overview` takes them), and the engaged communes
    that have published none."""
    engaged = list(db.execute(select(Commune.id, Commune.name, Commune.slug, Commune.insee)
                              .join(Process, Process.commune_id == Commune.id)
                              .where(Commune.territory_id == territory.id)))
    latest = progress.latest_of_communes(db, [c.id for c in engaged])
    published, waiting = [], []
    for commune in engaged:
        roadmap = latest.get(commune.id)
        if roadmap is None:
            waiting.append((commune.name, commune.slug))
            continue
        published.append({"name": commune.name, "slug": commune.slug, "insee": commune.insee,
                          "version": roadmap.number, "published_at": roadmap.published_at,
                          "snapshot": services.snapshot_of(roadmap), "progress": progress.progress_of(db, commune.id)})
    return published, waiting


def roadmaps_page(db, slug: str) -> Template:
    territory = load_territory(db, slug)
    published, waiting = published_of(db, territory)
    return page("roadmaps/territory.html", territory=territory, demo=territory.is_demo,
                overview=overview(published, waiting), euros=sheet_rules.euros)


def funders_body(db, slug: str, base_url: str) -> bytes:
    territory = load_territory(db, slug)
    published, _ = published_of(db, territory)
    published.sort(key=lambda item: french_order(item["name"]))
    return exports.csv_bytes(opendata.FUNDERS_FIELDS, opendata.funders_rows(published, base_url),
                             opendata.FUNDERS_NUMERIC)


class TerritoryRoadmapsController(Controller):
    path = "/territoires/{slug:str}"

    @get("/feuilles-de-route")
    async def roadmaps(self, request: Request, slug: FromPath[str]) -> Response:
        versions = request.app.state.versions
        return await shared_page(request, ("territory-roadmaps", slug), lambda db: versions.territory(db, slug),
                                 lambda db: roadmaps_page(db, slug))

    @get("/feuilles-de-route.csv")
    async def funders(self, request: Request, slug: FromPath[str]) -> Response:
        versions = request.app.state.versions
        base_url = request.app.state.settings.base_url.rstrip("/")

        def of(found):
            if found is None:
                raise NotFound(NO_TERRITORY)
            return version_key("territory-roadmaps-csv", found)

        def known():
            found = versions.known_territory(slug)
            return of(found) if found is not None else None

        return await versioned_body(request, BODIES, known, lambda db: of(versions.territory(db, slug)),
                                    lambda db: funders_body(db, slug, base_url), "text/csv",
                                    headers={"Content-Disposition": f'attachment; filename="feuilles-de-route-{slug}.csv"'})
