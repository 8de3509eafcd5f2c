from litestar import Controller, Request
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template
from sqlalchemy import select

from revital import backoffice, maps
from revital.communes import services
from revital.communes.models import Commune
from revital.contributions import themes
from revital.contributions.rules import KINDS, MODERATION_MODES
from revital.contributions.services import (
    bump_contributions_version,
    categories_of,
    status_counts,
    theme_usage,
)
from revital.forms import Form
from revital.geography.services import perimeter_summary, places_of
from revital.localgroups.forms import MEMBER_KINDS
from revital.localgroups.services import group_of
from revital.permissions import (
    MANAGE_COMMUNE,
    MANAGE_LOCAL_GROUP,
    MANAGE_PROCESS,
    VIEW_BACKOFFICE,
    can,
    coordinates,
)
from revital.process import phases
from revital.process.services import facts_for, process_of
from revital.routes import DB, get, post
from revital.web import get_or_404, ok_message, page, principal, require, see_other


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


def tabs_for(request: Request, db: DB, commune: Commune) -> list[backoffice.Tab]:
    """The back-office tabs the person asking may open in this commune: the menu of its pages."""
    return backoffice.commune_tabs(principal(request), services.scope_of(db, commune))


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
        """Moderation mode, whether contributing needs an account, and the commune's themes. A change
        that published contributions would show (a theme of theirs renamed or retired) is saved only
        once confirmed."""
        commune = load_commune(db, slug)
        scope = services.scope_of(db, commune)
        require(request, MANAGE_COMMUNE, scope)
        services.lock(db, commune)  # two people saving at once: the second edits what the first saved
        moderation = form.get("moderation", "")
        need_account = form.get("need_account") == "1"
        current, published = theme_state(db, commune)
        retire = set(form.getall("retire"))
        rows = {code: (form.get(f"label-{code}", ""), code in retire) for code in form.getall("themes")}
        new_text = form.get("new_themes", "")
        edited, errors = themes.edit(current, rows, new_text)
        if moderation not in MODERATION_MODES:
            errors["moderation"] = "Choisissez un mode de modération."
        errors.update(form.unreadable_errors())
        impacts = [] if errors else themes.impacts(current, edited, published)
        confirmed = bool(impacts) and form.get("confirm") == themes.confirmation_key(impacts)
        if errors or (impacts and not confirmed):
            context = admin_context(request, db, commune, scope)
            context.update(
                moderation=moderation, need_account=need_account, new_themes=new_text,
                theme_rows=theme_rows(current, published, rows), impacts=impacts,
                impacts_summary=themes.summary(impacts) if impacts else "",
                confirm_key=themes.confirmation_key(impacts) if impacts else "",
            )
            return page("communes/admin.html", status_code=422 if errors else 200, **context, ok=None, errors=errors)
        commune.moderation = moderation
        commune.contributions_need_account = need_account
        stored = themes.dump(edited)
        if stored != commune.categories:
            commune.categories = stored
            bump_contributions_version(db, commune.id)  # the feeds and exports show the labels
        db.commit()
        return see_other(f"/communes/{commune.slug}/gestion?ok=reglages")


def theme_state(db: DB, commune: Commune) -> tuple[list[themes.Theme], dict[str, int]]:
    """The commune's themes, with any code its contributions carry that the list has lost, and the
    number of published contributions of each."""
    usage = theme_usage(db, commune.id)
    published = {code: counts.get("published", 0) for code, counts in usage.items()}
    return themes.with_orphans(themes.load(commune.categories), usage), published


def theme_rows(current: list[themes.Theme], published: dict[str, int], typed: dict | None = None) -> list[dict]:
    """One row of the settings form per theme, proposed ones first: as stored, or as typed."""
    typed = typed or {}
    rows = []
    for theme in sorted(current, key=lambda t: t.retired):
        label, retired = typed.get(theme.code, (theme.label, theme.retired))
        rows.append({"code": theme.code, "label": label, "retired": retired, "published": published.get(theme.code, 0)})
    return rows


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
        "admin_tabs": backoffice.commune_tabs(who, scope),
        "moderation_modes": MODERATION_MODES,
        "moderation": commune.moderation,
        "need_account": commune.contributions_need_account,
        "theme_rows": theme_rows(*theme_state(db, commune)) if can(who, MANAGE_COMMUNE, scope) else [],
        "new_themes": "",
        "impacts": [],
        "impacts_summary": "",
        "confirm_key": "",
        "theme_max": themes.LABEL_MAX,
    }
