"""The commune moves its process from phase to phase: the phase panel of the back office, and the
process as the public commune page shows it.

Whether a phase may be entered depends on what other parts of the workflow produced (stakes,
ideas, sheets, roadmaps): those facts are gathered above them and handed down through
`request.app.state.gate_facts(db, commune)` (revital.pages.gates), so this module imports none of them.
"""

from litestar import Controller, Request
from litestar.params import FromPath
from litestar.response import Redirect, Template

from revital.communes.access import Managed, managed_commune
from revital.forms import UNREADABLE, Form
from revital.permissions import MANAGE_PROCESS, can
from revital.process import phases, services
from revital.process.phases import TransitionRefused
from revital.routes import DB, post
from revital.web import panel_page, see_other

MESSAGES = {"phase": "La démarche a changé de phase ; l’historique est à jour."}


def phase_steps(current: str) -> list[dict]:
    """The timeline: every phase with its state relative to the current one."""
    now = phases.index(current)
    return [
        {
            "code": code,
            "label": phases.LABELS[code],
            "summary": phases.SUMMARIES[code],
            "state": "done" if i < now else "current" if i == now else "upcoming",
        }
        for i, code in enumerate(phases.PHASES)
    ]


def checklist(process, facts: phases.Facts | None, links: dict) -> dict:
    """The gate checklist of the current phase: each condition for the next one, met or not, with
    the address where it is done when the application serves it (links, from above)."""
    conditions = phases.checklist(process.phase, facts or phases.Facts())
    met, total = phases.progress(conditions)
    return {"next_phase": phases.next_phase(process.phase), "met": met, "total": total,
            "conditions": [{"condition": c, "link": links.get(c.key)} for c in conditions]}


def public_panel(db, commune, facts: phases.Facts | None = None, links: dict | None = None) -> dict:
    """The process on the public commune page: the phase, the timeline, the gate checklist, the history."""
    process = services.process_of(db, commune.id)
    return {"process": process, "steps": phase_steps(process.phase) if process else [], "labels": phases.LABELS,
            "checklist": checklist(process, facts, links or {}) if process else None}


def panel(managed: Managed, db, facts: phases.Facts, error: str | None = None, typed: dict | None = None,
          links: dict | None = None) -> dict:
    """The phase panel of the back office: where the process is, and the forms that move it."""
    process = services.process_of(db, managed.commune.id)
    if process is None:  # not engaged: nothing to move until the territory engages the commune
        return {"process": None, "territory_slug": managed.commune.territory.slug}
    target = phases.next_phase(process.phase)
    return {
        "process": process,
        "steps": phase_steps(process.phase),
        "labels": phases.LABELS,
        "next_phase": target,
        "previous_phase": phases.previous_phase(process.phase),
        "unmet": phases.unmet_conditions(target, facts) if target else [],
        "checklist": checklist(process, facts, links or {}),
        "min_reason": phases.MIN_REASON_LENGTH,
        "can_move": can(managed.user.principal, MANAGE_PROCESS, managed.scope),
        "error": error,
        "typed": typed or {},
    }


class PhaseController(Controller):
    path = "/communes/{slug:str}/gestion/phase"

    @post("/")
    def move(self, request: Request, db: DB, slug: FromPath[str], form: Form) -> Template | Redirect:
        managed = managed_commune(request, db, slug, MANAGE_PROCESS)
        commune = managed.commune
        direction = form.get("direction", "")
        reason = form.get("reason", "")[:5000]
        override = form.get("override") == "1"
        try:
            seen = int(form.get("version", ""))
        except ValueError:
            seen = -1
        try:
            if "reason" in form.unreadable:
                raise TransitionRefused(UNREADABLE)
            facts = request.app.state.gate_facts(db, commune)
            services.move(db, commune.id, direction, reason, override, seen, managed.user, facts)
        except TransitionRefused as refused:
            db.rollback()
            typed = {"direction": direction, "reason": reason, "override": override}
            context = panel(managed, db, request.app.state.gate_facts(db, commune), str(refused), typed,
                            request.app.state.gate_links(request.app, commune))
            status = 409 if isinstance(refused, services.StaleProcess) else 422
            return panel_page(request, "process/_panel.html", "Phase", status, **managed.context(), phase=context)
        db.commit()
        return see_other(f"/communes/{commune.slug}/gestion?ok=phase")
