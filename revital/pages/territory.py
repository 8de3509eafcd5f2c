"""The public page of a territory, /territoires/{slug}: every commune, engaged ones first, searchable
by name or INSEE code (a GET form; with htmx, as you type), the map of the engaged communes coloured
by phase, its calls for applications, and for each engaged commune where its process stands (phase, days in it, the gate
checklist's progress, kept counts, last activity).

Anonymous visitors get it from a cache, per version of the territory and per day (the days in a
phase change at midnight); it reads the communes and their processes, never the contributions
(their count is kept on the commune), so its cost does not grow with them.
"""

from dataclasses import dataclass
from datetime import date, datetime

from litestar import Controller, Request, Response
from litestar.params import FromPath, FromQuery
from litestar.response import Template

from revital import maps
from revital.calls import rules as call_rules
from revital.calls import services as calls
from revital.communes.access import load_territory
from revital.formatting import paris
from revital.permissions import coordinates
from revital.process import phases
from revital.workshops import services as workshops
from revital.process.services import territories_with_communes
from revital.routes import get, shared_page
from revital.text import fold, french_order
from revital.web import is_fragment_request, page, principal

MAX_QUERY = 80

# One colour per phase on the territory's map, told apart by people with the common colour
# blindnesses (ColorBrewer "Set2"-like, darkened for contrast on the base maps); the legend and the
# list say the same in words.
PHASE_COLOURS = {
    phases.DIAGNOSTIC: "#d95f02",
    phases.EMERGENCE: "#7570b3",
    phases.FEASIBILITY: "#1b9e77",
    phases.PROGRAMMING: "#e7298a",
    phases.IMPLEMENTATION: "#66a61e",
}


@dataclass(frozen=True)
class CommuneFigures:
    """Where one commune of the territory stands, as the territory's pages show it."""

    commune: object
    engaged: bool
    phase: str | None = None
    since: datetime | None = None
    days: int | None = None
    checklist: tuple = ()
    contributions: int = 0
    workshops: int = 0  # held and closed
    workshop_attendance: int = 0
    # The parts of the workflow still to come: None until they exist ("—" on the page).
    action_sheets: int | None = None
    roadmap_published: bool = False
    last_activity: datetime | None = None

    @property
    def conditions_met(self) -> int:
        return phases.progress(list(self.checklist))[0]

    @property
    def phase_number(self) -> int | None:
        return phases.index(self.phase) + 1 if self.phase else None


def figures_of(db, commune, process, gate_facts, today: date, held=(0, 0)) -> CommuneFigures:
    if process is None:
        return CommuneFigures(commune, engaged=False, last_activity=commune.updated_at)
    since = process.updated_at
    return CommuneFigures(
        commune, engaged=True, phase=process.phase, since=since, workshops=held[0], workshop_attendance=held[1],
        days=max(0, (today - paris(since).date()).days),
        checklist=tuple(phases.checklist(process.phase, gate_facts(db, commune))),
        contributions=commune.published_contributions,
        last_activity=commune.updated_at,
    )


def territory_figures(db, territory, gate_facts, today: date | None = None) -> list[CommuneFigures]:
    """Every commune of the territory with its figures: engaged ones first, each group in French
    alphabetical order."""
    today = today or paris(datetime.now().astimezone()).date()
    rows = next((rows for _, rows in territories_with_communes(db, territory_id=territory.id)), [])
    held = workshops.held_counts(db, [commune.id for commune, process in rows if process is not None])
    figures = [figures_of(db, commune, process, gate_facts, today, held.get(commune.id, (0, 0)))
               for commune, process in rows]
    return sorted(figures, key=lambda f: (not f.engaged, french_order(f.commune.name)))


def clean_query(q: str) -> str:
    return " ".join(q.split())[:MAX_QUERY]


def matches(commune, query: str) -> bool:
    """A commune whose name holds the query (case, accents and hyphens aside: "etienne" finds
    Saint-Étienne-du-Valdonnez) or whose INSEE code starts with it."""
    folded = fold(query)
    if not folded:
        return True
    return folded in fold(commune.name) or commune.insee.startswith(query.strip().upper())


def territory_map(settings, territory, figures: list[CommuneFigures]):
    engaged = [f.commune for f in figures if f.engaged and f.commune.min_lon is not None]
    if not engaged:
        return None
    bbox = (min(c.min_lon for c in engaged), min(c.min_lat for c in engaged),
            max(c.max_lon for c in engaged), max(c.max_lat for c in engaged))
    return maps.territory_map(settings, bbox, f"/api/territoires/{territory.slug}/communes.geojson", PHASE_COLOURS)


def territory_page(request: Request, db, slug: str, q: str, fragment: bool) -> Template:
    territory = load_territory(db, slug)
    figures = territory_figures(db, territory, request.app.state.gate_facts)
    shown = [f for f in figures if matches(f.commune, q)]
    context = {
        "territory": territory, "demo": territory.is_demo, "q": q,
        "engaged": [f for f in shown if f.engaged], "not_engaged": [f for f in shown if not f.engaged],
        "total": len(figures), "engaged_total": sum(1 for f in figures if f.engaged),
        "labels": phases.LABELS, "phase_count": len(phases.PHASES), "colours": PHASE_COLOURS,
    }
    if fragment:
        return page("pages/_territory_rows.html", **context)
    listed = calls.calls_of(db, territory.id)
    return page("pages/territory.html", **context, map=territory_map(request.app.state.settings, territory, figures),
                coordinated=coordinates(principal(request), territory.id), calls=listed,
                call_states={c.id: calls.state_of(c) for c in listed}, call_labels=call_rules.STATES)


def page_version(versions, db, slug: str):
    found = versions.territory(db, slug)
    return None if found is None else (found, paris(datetime.now().astimezone()).date().isoformat())


class TerritoryPageController(Controller):
    @get("/territoires/{slug:str}")
    async def detail(self, request: Request, slug: FromPath[str], q: FromQuery[str] = "") -> Response:
        versions = request.app.state.versions
        fragment = is_fragment_request(request)
        q = clean_query(q)
        response = await shared_page(request, ("territory", slug, fold(q), q.strip().upper(), fragment),
                                     lambda db: page_version(versions, db, slug),
                                     lambda db: territory_page(request, db, slug, q, fragment))
        response.headers["Vary"] = "HX-Request"
        return response
