"""The coordinator's view of a territory, /territoires/{slug}/gestion: the figures of the public
territory page, what needs attention (contributions waiting for moderation, engaged communes
with no activity for 60 days), and the funders' yearly report ("bilan") as CSV, one row per
commune, through revital.exports (formulas neutralised)."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from litestar import Controller, Request, Response
from litestar.params import FromPath, FromQuery
from litestar.response import Template

from revital import backoffice, exports
from revital.calls import rules as call_rules
from revital.calls import services as calls
from revital.communes.access import managed_territory
from revital.contributions.services import pending_counts, yearly_figures
from revital.formatting import PARIS, date_fr, iso, paris
from revital.pages.territory import territory_figures
from revital.process import phases
from revital.workshops import services as workshops
from revital.routes import DB, get
from revital.web import page

INACTIVE_DAYS = 60
YEARS_OFFERED = 5

# The columns of the yearly report. Those of the parts of the workflow still to come (action sheets,
# funding) are present and empty until those parts exist.
BILAN_COLUMNS = [
    "insee", "commune", "population", "engaged", "phase", "phase_label", "days_in_phase",
    "gate_conditions_met", "gate_conditions", "participants", "contributions", "contributions_asset",
    "contributions_weakness", "contributions_idea", "supports", "workshops", "workshop_attendance",
    "action_sheets", "action_sheets_validated", "estimated_cost", "funding_requested", "funding_granted",
    "roadmap_published", "last_activity",
]
NUMERIC = frozenset({"population", "days_in_phase", "gate_conditions_met", "gate_conditions", "participants",
                     "contributions", "contributions_asset", "contributions_weakness", "contributions_idea",
                     "supports", "workshops", "workshop_attendance"})


@dataclass(frozen=True)
class Attention:
    """Something the coordinator should look at: a sentence in French and where to act on it."""

    commune: str
    text: str
    url: str


def attention(figures, pending: dict[int, int], now: datetime) -> list[Attention]:
    """What needs attention, commune by commune (the calls' applications to decide come before it:
    calls_attention). Overdue partner reviews (action sheets) join this list when they exist."""
    items = []
    for row in figures:
        if not row.engaged:
            continue
        commune = row.commune
        waiting = pending.get(commune.id, 0)
        if waiting:
            items.append(Attention(commune.name, f"{waiting} {'contribution attend' if waiting < 2 else 'contributions attendent'} "
                                   "la modération.", f"/communes/{commune.slug}/gestion/moderation"))
        if row.last_activity is not None and now - row.last_activity > timedelta(days=INACTIVE_DAYS):
            items.append(Attention(commune.name, f"Aucune activité depuis le {date_fr(row.last_activity)} "
                                   f"(plus de {INACTIVE_DAYS} jours).", f"/communes/{commune.slug}/gestion"))
    return items


def calls_attention(db, territory) -> list[Attention]:
    """Closed calls whose applications wait for a decision, or whose results wait to be published."""
    items = []
    for call in calls.calls_of(db, territory.id):
        if calls.state_of(call) != call_rules.CLOSED:
            continue
        applications = calls.applications_of(db, call)
        undecided = sum(1 for a in applications if a.status == call_rules.SUBMITTED)
        url = f"/territoires/{territory.slug}/gestion/appels/{call.id}/candidatures"
        if undecided:
            items.append(Attention(call.title, f"{undecided} {'candidature attend' if undecided < 2 else 'candidatures attendent'} "
                                   "une décision.", url))
        else:
            items.append(Attention(call.title, "Toutes les candidatures sont décidées : les résultats restent à publier.", url))
    return items


def bilan_rows(figures, yearly: dict[int, dict], held: dict[int, tuple[int, int]]) -> list[dict]:
    rows = []
    for row in figures:
        commune = row.commune
        year = yearly.get(commune.id, {})
        workshops_held, attendance = held.get(commune.id, (0, 0))
        contributions = sum(year.get(kind, 0) for kind in ("asset", "weakness", "idea"))
        rows.append({
            "insee": commune.insee, "commune": commune.name, "population": commune.population if commune.population is not None else "",
            "engaged": "oui" if row.engaged else "non",
            "phase": row.phase or "", "phase_label": phases.LABELS[row.phase] if row.phase else "",
            "days_in_phase": row.days if row.days is not None else "",
            "gate_conditions_met": row.conditions_met if row.engaged else "",
            "gate_conditions": len(row.checklist) if row.engaged else "",
            "participants": year.get("participants", 0), "contributions": contributions,
            "contributions_asset": year.get("asset", 0), "contributions_weakness": year.get("weakness", 0),
            "contributions_idea": year.get("idea", 0), "supports": year.get("supports", 0),
            "workshops": workshops_held if row.engaged else "",
            "workshop_attendance": attendance if row.engaged else "", "action_sheets": "", "action_sheets_validated": "",
            "estimated_cost": "", "funding_requested": "", "funding_granted": "",
            "roadmap_published": "oui" if row.roadmap_published else "non",
            "last_activity": iso(row.last_activity)[:10] if row.last_activity else "",
        })
    return rows


def year_of(value: str, this_year: int) -> int:
    try:
        year = int(value)
    except ValueError:
        return this_year
    return year if 2000 <= year <= this_year else this_year


class TerritoryDashboardController(Controller):
    path = "/territoires/{slug:str}/gestion"

    @get("/")
    def dashboard(self, request: Request, db: DB, slug: FromPath[str]) -> Template:
        territory, user = managed_territory(request, db, slug)
        figures = territory_figures(db, territory, request.app.state.gate_facts)
        engaged = [f for f in figures if f.engaged]
        pending = pending_counts(db, [f.commune.id for f in engaged])
        this_year = paris(datetime.now(UTC)).year
        return page(
            "pages/dashboard.html", territory=territory, demo=territory.is_demo,
            territory_tabs=backoffice.territory_tabs(user.principal, territory.id),
            engaged=engaged, not_engaged=len(figures) - len(engaged), pending=pending,
            attention=calls_attention(db, territory) + attention(figures, pending, datetime.now(UTC)),
            inactive_days=INACTIVE_DAYS,
            labels=phases.LABELS, phase_count=len(phases.PHASES),
            years=[(year, str(year)) for year in range(this_year, this_year - YEARS_OFFERED, -1)],
        )

    @get("/bilan.csv")
    def bilan(self, request: Request, db: DB, slug: FromPath[str], annee: FromQuery[str] = "") -> Response:
        territory, _ = managed_territory(request, db, slug)
        this_year = paris(datetime.now(UTC)).year
        year = year_of(annee, this_year)
        figures = territory_figures(db, territory, request.app.state.gate_facts)
        start, end = datetime(year, 1, 1, tzinfo=PARIS), datetime(year + 1, 1, 1, tzinfo=PARIS)
        engaged = [f.commune.id for f in figures if f.engaged]
        yearly = yearly_figures(db, engaged, start, end)
        held = workshops.held_counts(db, engaged, start, end)
        body = exports.csv_bytes(BILAN_COLUMNS, bilan_rows(figures, yearly, held), numeric=NUMERIC)
        return Response(body, media_type="text/csv", headers={  # Litestar adds "; charset=utf-8"
            "Content-Disposition": f'attachment; filename="bilan-{territory.slug}-{year}.csv"',
            "Cache-Control": "private, no-store"})
