from litestar.response import Redirect, Template
from litestar import Controller, Request
from litestar.params import FromPath, FromQuery
from sqlalchemy import select

from revital import maps
from revital.communes import services
from revital.communes.models import Commune
import json

from revital.contributions.rules import DEFAULT_CATEGORIES, KINDS, MODERATION_MODES
from revital.contributions.services import categories_of, status_counts
from revital.text import slugify
from revital.geography.services import perimeter_summary, places_of
from revital.localgroups.forms import MEMBER_KINDS
from revital.localgroups.services import group_of
from revital.permissions import MANAGE_COMMUNE, MANAGE_LOCAL_GROUP, MANAGE_PROCESS, VIEW_BACKOFFICE, can, coordinates
from revital.process import phases
from revital.process.services import facts_for, process_of
from revital.web import get, post, DB, Form, ok_message, get_or_404, page, principal, require, see_other


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


def managed_commune(request: Request, db: DB, slug: str, permission: str):
    """The commune at this address and the person asking, who must hold permission there:
    404 for an unknown commune, otherwise 303 to sign in or 403 (see revital.web.require)."""
    commune = load_commune(db, slug)
    return commune, require(request, permission, services.scope_of(db, commune))


def load_commune(db: DB, slug: FromPath[str]) -> Commune:
    return get_or_404(services.commune_by_slug(db, slug), "Aucune commune ne correspond à cette adresse.")


class CommuneController(Controller):
    @get("/")
    def home(self, request: Request, db: DB, ok: FromQuery[str] = "") -> Template | Redirect:
        territories = services.territories_with_communes(db)
        who = principal(request)
        return page(
            "communes/home.html",
            territories=territories,
            demo=any(t.is_demo for t, _ in territories),
            labels=phases.LABELS,
            phase_count=len(phases.PHASES),
            phase_index=phases.index,
            ok=ok_message(ok),
            coordinated={t.id for t, _ in territories if coordinates(who, t.id)},
        )

    @get("/communes/{slug:str}")
    def detail(self, request: Request, db: DB, slug: FromPath[str]) -> Template | Redirect:
        commune = services.commune_by_slug(db, slug)
        if commune is None and slug.isdigit():
            commune = db.scalar(select(Commune).where(Commune.insee == slug))
            if commune is not None:
                return see_other(f"/communes/{commune.slug}")
        commune = get_or_404(commune, "Aucune commune ne correspond à cette adresse.")
        process = process_of(db, commune.id)
        group = group_of(db, commune.id)
        counts = {}
        if group:
            for member in group.members:
                counts[member.kind] = counts.get(member.kind, 0) + 1
        scope = services.scope_of(db, commune)
        places = places_of(db, commune.id)
        return page(
            "communes/detail.html",
            commune=commune,
            territory=commune.territory,
            demo=commune.territory.is_demo,
            process=process,
            steps=phase_steps(process.phase) if process else [],
            labels=phases.LABELS,
            group=group,
            member_counts=[(MEMBER_KINDS[k], n) for k, n in sorted(counts.items())],
            partners=services.partners_of(db, commune),
            map=maps.commune_map(request.app.state.settings, commune, contributions={
                "url": f"/api/communes/{commune.slug}/contributions.geojson",
                "popupUrl": f"/communes/{commune.slug}/contributions/{{id}}/carte",
                "filters": "map-filters", "count": "map-count",
            }) if commune.min_lon is not None else None,
            kinds=KINDS,
            categories=categories_of(commune),
            places=places,
            perimeter_summary=perimeter_summary(commune, places),
            contribution_count=status_counts(db, commune.id).get("published", 0),
            can_manage=can(principal(request), VIEW_BACKOFFICE, scope),
        )


class CommuneAdminController(Controller):
    path = "/communes/{slug:str}/gestion"

    @get("/")
    def overview(self, request: Request, db: DB, slug: FromPath[str], ok: FromQuery[str] = "") -> Template | Redirect:
        commune = load_commune(db, slug)
        scope = services.scope_of(db, commune)
        require(request, VIEW_BACKOFFICE, scope)
        return page("communes/admin.html", **admin_context(request, db, commune, scope), ok=ok_message(ok), errors={})

    @post("/description")
    def save_description(self, request: Request, db: DB, slug: FromPath[str], form: Form) -> Template | Redirect:
        commune = load_commune(db, slug)
        scope = services.scope_of(db, commune)
        require(request, MANAGE_COMMUNE, scope)
        text = form.get("description", "").replace("\r\n", "\n").strip()
        problem = services.description_problem(text) or form.unreadable_errors().get("description")
        if problem:
            context = admin_context(request, db, commune, scope)
            context["description"] = text
            return page("communes/admin.html", status_code=422, **context, ok=None, errors={"description": problem})
        commune.description = text
        db.commit()
        return see_other(f"/communes/{commune.slug}/gestion?ok=description")


    @post("/participation")
    def save_participation(self, request: Request, db: DB, slug: FromPath[str], form: Form) -> Template | Redirect:
        """Moderation mode, whether contributing needs an account, and the commune's list of themes."""
        commune = load_commune(db, slug)
        scope = services.scope_of(db, commune)
        require(request, MANAGE_COMMUNE, scope)
        moderation = form.get("moderation", "")
        categories, problem = parse_categories(form.get("categories", ""))
        if moderation not in MODERATION_MODES or problem:
            context = admin_context(request, db, commune, scope)
            context["categories_text"] = form.get("categories", "")
            errors = {"categories": problem} if problem else {"moderation": "Choisissez un mode de modération."}
            return page("communes/admin.html", status_code=422, **context, ok=None, errors=errors)
        commune.moderation = moderation
        commune.contributions_need_account = form.get("need_account") == "1"
        commune.categories = json.dumps(categories, ensure_ascii=False) if categories != DEFAULT_CATEGORIES else None
        db.commit()
        return see_other(f"/communes/{commune.slug}/gestion?ok=reglages")


def parse_categories(text: str) -> tuple[dict, str | None]:
    """One theme per line; the code is made from the label. Returns ({code: label}, problem)."""
    labels = [line.strip() for line in text.replace("\r", "").split("\n") if line.strip()]
    if not labels:
        return dict(DEFAULT_CATEGORIES), None
    if len(labels) > 30:
        return {}, "30 thèmes au plus."
    categories = {}
    for label in labels:
        if len(label) > 60:
            return {}, f"« {label[:60]}… » : 60 caractères au plus par thème."
        code = next((c for c, l in DEFAULT_CATEGORIES.items() if l == label), None) or slugify(label, 40)
        if code in categories:
            return {}, f"Le thème « {label} » apparaît deux fois."
        categories[code] = label
    return categories, None


def admin_context(request: Request, db: DB, commune: Commune, scope) -> dict:
    process = process_of(db, commune.id)
    who = principal(request)
    target = phases.next_phase(process.phase)
    return {
        "commune": commune,
        "territory": commune.territory,
        "demo": commune.territory.is_demo,
        "description": commune.description,
        "process": process,
        "steps": phase_steps(process.phase),
        "labels": phases.LABELS,
        "next_phase": target,
        "previous_phase": phases.previous_phase(process.phase),
        "unmet": phases.unmet_conditions(target, facts_for(db, process)) if target else [],
        "min_reason": phases.MIN_REASON_LENGTH,
        "group": group_of(db, commune.id),
        "can_manage_commune": can(who, MANAGE_COMMUNE, scope),
        "can_manage_process": can(who, MANAGE_PROCESS, scope),
        "can_manage_group": can(who, MANAGE_LOCAL_GROUP, scope),
        "phase_error": None,
        "form": {},
        "moderation_modes": MODERATION_MODES,
        "categories_text": "\n".join(categories_of(commune).values()),
    }
