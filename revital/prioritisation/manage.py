"""The Priorisation tab of a commune's back office (/communes/{slug}/gestion/priorites): the local
group records a prioritisation workshop's scores (each idea's points or rank, linked to the
workshop), or prepares an online vote (points or ranks, its opening and closing in Paris time),
opens it, closes it, and publishes its results. Every handler starts with the commune looked up
for someone who may prioritise its ideas (403 otherwise); one of another commune is a 404."""

from litestar import Controller, Request
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from revital import submissions
from revital.communes.access import Managed, managed_commune
from revital.db import utcnow
from revital.formatting import paris
from revital.forms import Form
from revital.permissions import MANAGE_PRIORITIES
from revital.prioritisation import rules, services
from revital.prioritisation.controllers import field_name
from revital.prioritisation.models import Prioritisation
from revital.routes import DB, get, post
from revital.web import confirmation, get_or_404, page, see_other

MESSAGES = {
    "cree": "La hiérarchisation est enregistrée, en préparation : elle n’est pas encore publique.",
    "modifie": "La hiérarchisation est modifiée.",
    "ouvert": "Le vote est ouvert : il figure sur la page publique et prend les bulletins de ses dates.",
    "clos": "Le vote est clos : plus aucun bulletin n’est pris. Publiez les résultats quand vous le souhaitez.",
    "publie": "Les résultats sont publiés sur la page du vote.",
    "scores": "Les scores de l’atelier sont enregistrés et publiés.",
}
NO_PRIORITISATION = "Cette hiérarchisation n’existe pas dans cette commune."
BLANK = {"method": "vote", "title": "", "text": "", "mode": "points", "budget": "10", "workshop": "",
         "opens_date": "", "opens_time": "", "closes_date": "", "closes_time": ""}


def base(commune) -> str:
    return f"/communes/{commune.slug}/gestion/priorites"


def load(db, managed: Managed, prioritisation_id: int) -> Prioritisation:
    return get_or_404(services.prioritisation_in(db, managed.commune.id, prioritisation_id), NO_PRIORITISATION)


def values_of(p: Prioritisation) -> dict:
    values = {"method": p.method, "title": p.title, "text": p.text, "mode": p.mode, "budget": str(p.budget),
              "workshop": str(p.workshop_id or ""), "opens_date": "", "opens_time": "", "closes_date": "",
              "closes_time": ""}
    for name, value in (("opens", p.opens_at), ("closes", p.closes_at)):
        if value is not None:
            local = paris(value)
            values[f"{name}_date"], values[f"{name}_time"] = local.date().isoformat(), local.strftime("%H:%M")
    return values


def list_page(db, managed: Managed, ok=None, error=None, status_code=200) -> Template:
    items = services.of_commune(db, managed.commune.id, include_drafts=True)
    now = utcnow()
    return page("prioritisation/manage.html", status_code=status_code, **managed.context(), items=items,
                states={p.id: services.state_of(p, now) for p in items}, state_labels=rules.STATES,
                methods=rules.METHODS, modes=rules.MODES, ok=ok, error=error, base=base(managed.commune),
                voters={p.id: services.voters_count(db, p) for p in items if p.method == rules.VOTE},
                pending={p.id: services.pending_count(db, p) for p in items if p.method == rules.VOTE},
                ideas_count=len(services.candidate_ideas(db, managed.commune.id)))


def form_page(db, managed: Managed, values: dict, errors=None, status_code=200, p=None, ok=None) -> Template:
    workshops = services.workshops_of(db, managed.commune.id)
    return page("prioritisation/form.html", status_code=status_code, **managed.context(), values={**BLANK, **values},
                errors=errors or {}, p=p, ok=ok, base=base(managed.commune), methods=rules.METHODS, modes=rules.MODES,
                workshop_options=[(str(w.id), f"{w.title} ({paris(w.starts_at):%d/%m/%Y})") for w in workshops],
                state=services.state_of(p) if p else rules.DRAFT, states=rules.STATES)


def scores_page(db, managed: Managed, p: Prioritisation, values=None, errors=None, status_code=200, ok=None) -> Template:
    ideas = services.ideas_of(db, p)
    if values is None:
        recorded = services.scores_of(db, p)
        values = {field_name(i.id): str(recorded[i.id]) if i.id in recorded else "" for i in ideas}
    return page("prioritisation/scores.html", status_code=status_code, **managed.context(), p=p, ideas=ideas,
                values=values, errors=errors or {}, ok=ok, base=base(managed.commune), modes=rules.MODES,
                field_name=field_name, rank_options=[(str(n), str(n)) for n in range(1, len(ideas) + 1)],
                results=services.results(db, p) if p.results_published_at else [])


class PrioritiesAdminController(Controller):
    path = "/communes/{slug:str}/gestion/priorites"

    @get("/")
    def list(self, request: Request, db: DB, slug: FromPath[str], ok: FromQuery[str] = "") -> Template:
        managed = managed_commune(request, db, slug, MANAGE_PRIORITIES)
        return list_page(db, managed, ok=confirmation(MESSAGES, ok))

    @get("/nouveau")
    def new(self, request: Request, db: DB, slug: FromPath[str]) -> Template:
        managed = managed_commune(request, db, slug, MANAGE_PRIORITIES)
        return form_page(db, managed, {})

    @post("/nouveau")
    def create(self, request: Request, db: DB, slug: FromPath[str], form: Form) -> Template | Redirect:
        return self.write(request, db, slug, form, None)

    @get("/{prioritisation_id:int}")
    def edit(self, request: Request, db: DB, slug: FromPath[str], prioritisation_id: FromPath[int],
             ok: FromQuery[str] = "") -> Template:
        managed = managed_commune(request, db, slug, MANAGE_PRIORITIES)
        p = load(db, managed, prioritisation_id)
        return form_page(db, managed, values_of(p), p=p, ok=confirmation(MESSAGES, ok))

    @post("/{prioritisation_id:int}")
    def update(self, request: Request, db: DB, slug: FromPath[str], prioritisation_id: FromPath[int],
               form: Form) -> Template | Redirect:
        return self.write(request, db, slug, form, prioritisation_id)

    def write(self, request: Request, db, slug: str, form, prioritisation_id: int | None) -> Template | Redirect:
        managed = managed_commune(request, db, slug, MANAGE_PRIORITIES)
        p = load(db, managed, prioritisation_id) if prioritisation_id is not None else None
        workshop_ids = {w.id for w in services.workshops_of(db, managed.commune.id)}
        fields, errors = rules.clean_prioritisation(form, workshop_ids, p.method if p else None)
        errors.update(form.unreadable_errors())
        values = {name: form.get(name, "") for name in BLANK}
        if p is not None:
            values["method"] = p.method
            state = services.state_of(p)
            if state in (rules.CLOSED, rules.PUBLISHED):
                errors["form"] = "Ce vote est clos : il ne se modifie plus."
            elif state in (rules.OPEN, rules.SCHEDULED) and (fields.mode != p.mode or fields.budget != p.budget):
                errors["form"] = ("Le vote est ouvert : sa forme (points ou classement) et son nombre de points ne "
                                  "changent plus, pour que tous les bulletins se comptent de la même façon.")
        if errors:
            return form_page(db, managed, values, errors, 422, p)
        if p is not None:
            services.lock(db, p)
        created = p is None
        once = submissions.key_of(form) if created else None
        if (gone := submissions.taken(db, once)) is not None:  # sent twice: the first made it
            db.rollback()
            return see_other(gone or base(managed.commune))
        p = services.save(db, managed.commune.id, fields, p)
        if created and p.method == rules.WORKSHOP:
            target = f"{base(managed.commune)}/{p.id}/scores?ok=cree"
        else:
            target = f"{base(managed.commune)}?ok={'cree' if created else 'modifie'}"
        submissions.finish(db, once, target)
        db.commit()
        return see_other(target)

    @post("/{prioritisation_id:int}/{action:str}")
    def act(self, request: Request, db: DB, slug: FromPath[str], prioritisation_id: FromPath[int],
            action: FromPath[str], form: Form) -> Template | Redirect:
        """ouvrir, clore, publier."""
        managed = managed_commune(request, db, slug, MANAGE_PRIORITIES)
        p = load(db, managed, prioritisation_id)
        steps = {"ouvrir": (services.open_vote, "ouvert"), "clore": (services.close_vote, "clos"),
                 "publier": (services.publish, "publie")}
        if action not in steps:
            return list_page(db, managed, error="Cette action n’existe pas.", status_code=404)
        step, key = steps[action]
        try:
            step(db, p)
        except rules.BallotRefused as refused:
            db.rollback()
            return list_page(db, managed, error=str(refused), status_code=409)
        db.commit()
        return see_other(f"{base(managed.commune)}?ok={key}")

    @get("/{prioritisation_id:int}/scores")
    def scores(self, request: Request, db: DB, slug: FromPath[str], prioritisation_id: FromPath[int],
               ok: FromQuery[str] = "") -> Template:
        managed = managed_commune(request, db, slug, MANAGE_PRIORITIES)
        p = load(db, managed, prioritisation_id)
        if p.method != rules.WORKSHOP:
            return list_page(db, managed, error="Un vote en ligne se compte de lui-même : pas de scores à saisir.",
                             status_code=404)
        return scores_page(db, managed, p, ok=confirmation(MESSAGES, ok))

    @post("/{prioritisation_id:int}/scores")
    def record(self, request: Request, db: DB, slug: FromPath[str], prioritisation_id: FromPath[int],
               form: Form) -> Template | Redirect:
        managed = managed_commune(request, db, slug, MANAGE_PRIORITIES)
        p = load(db, managed, prioritisation_id)
        if p.method != rules.WORKSHOP:
            return list_page(db, managed, error="Un vote en ligne se compte de lui-même : pas de scores à saisir.",
                             status_code=409)
        ideas = services.ideas_of(db, p)
        typed = {i.id: form.get(field_name(i.id), "")[:10] for i in ideas}
        values = {field_name(i): v for i, v in typed.items()}
        try:
            if form.unreadable:
                raise rules.BallotRefused("Un des champs contient des caractères illisibles : corrigez-le.")
            scores = rules.read_scores(p.mode, typed, [i.id for i in ideas])
        except rules.BallotRefused as refused:
            return scores_page(db, managed, p, values, {"form": str(refused)}, 422)
        services.record_scores(db, p, scores)
        db.commit()
        return see_other(f"{base(managed.commune)}/{p.id}/scores?ok=scores")
