"""The "Axes et pistes" tab of a commune's back office (/communes/{slug}/gestion/pistes): the local
group writes the strategic axes (and their order) and the ideas, with their sources (a resident's
idea turned into an idea keeps its link; a workshop, a students' proposal) and the stakes they
answer; the commune (ANSWER_OFFICIALLY) decides which ideas are retained, in an axis, or not, with
a public reason, and gives its official answers on ideas and contributions. Every handler starts
with the commune looked up for someone who may do that there (403 otherwise); an axis, an idea or a
contribution of another commune is a 404."""

from litestar import Controller, Request
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from revital import submissions
from revital.communes.access import Managed, managed_commune
from revital.contributions import services as contributions
from revital.contributions.rules import KINDS, PUBLISHED
from revital.forms import UNREADABLE, Form
from revital.ideas import rules, services
from revital.ideas.models import Axis, Idea
from revital.permissions import ANSWER_OFFICIALLY, MANAGE_IDEAS, can
from revital.routes import DB, get, post
from revital.web import NotFound, confirmation, get_or_404, page, see_other

MESSAGES = {
    "axe": "L’axe est enregistré.",
    "axe-supprime": "L’axe est supprimé.",
    "ordre": "L’ordre des axes est changé.",
    "piste": "La piste est enregistrée. Elle apparaît sur la page publique des pistes d’action.",
    "depuis-contribution": "La contribution est devenue une piste d’action, qui garde le lien vers elle : complétez-la.",
    "deja": "Cette contribution était déjà devenue une piste : la voici.",
    "source": "La source est ajoutée à la piste.",
    "source-retiree": "La source est retirée de la piste.",
    "decision": "La décision de la commune est enregistrée et publiée.",
    "reponse": "La réponse de la commune est publiée.",
}
NO_AXIS = "Cet axe n’existe pas dans cette commune."
NO_IDEA = "Cette piste d’action n’existe pas dans cette commune."
NO_CONTRIBUTION = "Cette contribution n’existe pas dans cette commune."
STALE = ("La piste a été modifiée par quelqu’un d’autre depuis l’affichage de cette page : rechargez-la avant de "
         "recommencer. Rien n’a été enregistré.")
IDEA_BLANK = {"title": "", "text": "", "axis": "", "place": "", "lon": "", "lat": "", "version": "0"}


def base(commune) -> str:
    return f"/communes/{commune.slug}/gestion/pistes"


def unreadable(form, errors: dict) -> dict:
    errors.update({name: UNREADABLE for name in form.unreadable})
    return errors


def list_page(db, managed: Managed, status_code=200, axis_values=None, axis_errors=None, ok=None,
              error=None) -> Template:
    commune = managed.commune
    axes = services.axes_of(db, commune.id)
    ideas = services.ideas_of(db, commune.id)
    return page("ideas/manage.html", status_code=status_code, **managed.context(), base=base(commune), axes=axes,
                groups=services.by_axis(axes, ideas), statuses=rules.STATUSES,
                idea_contributions=services.idea_contributions(db, commune.id),
                axis_values={"title": "", "description": "", **(axis_values or {})}, axis_errors=axis_errors or {},
                ok=ok, error=error)


def idea_values(db, idea: Idea) -> dict:
    return {"title": idea.title, "text": idea.text, "axis": str(idea.axis_id or ""), "place": str(idea.place_id or ""),
            "lon": "" if idea.lon is None or idea.place_id else f"{idea.lon:.6f}",
            "lat": "" if idea.lat is None or idea.place_id else f"{idea.lat:.6f}", "version": str(idea.version),
            "stakes": {str(i) for i in services.stake_ids_of(db, idea)}}


def idea_page(request: Request, db, managed: Managed, idea: Idea | None, values=None, errors=None, status_code=200,
              ok=None, source_errors=None, decision_errors=None, decision_values=None, answer_errors=None,
              answer_values=None) -> Template:
    commune = managed.commune
    answer = services.answer_of(db, "idea", idea.id) if idea else None
    if values is None:
        values = idea_values(db, idea) if idea else {}
    return page(
        "ideas/idea_form.html", status_code=status_code, **managed.context(), base=base(commune), idea=idea,
        values={**IDEA_BLANK, "stakes": set(), **values}, errors=errors or {}, ok=ok,
        axis_options=[(str(a.id), a.title) for a in services.axes_of(db, commune.id)],
        place_options=[(str(i), name) for i, (name, _, _) in contributions.place_choices(db, commune.id).items()],
        stakes=services.stakes_of(db, commune.id), statuses=rules.STATUSES,
        sources=services.sources_shown(db, idea) if idea else {}, source_options=services.source_choices(db, commune.id),
        source_errors=source_errors or {}, source_kinds=rules.SOURCE_KINDS,
        decides=can(managed.user.principal, ANSWER_OFFICIALLY, managed.scope),
        decision_errors=decision_errors or {},
        decision_values=decision_values or {"status": idea.status if idea else "",
                                            "reason": idea.decision_reason if idea else ""},
        answer=answer, answer_statuses=rules.ANSWER_STATUSES, answer_errors=answer_errors or {},
        answer_values=answer_values or {"status": answer.status if answer else "", "text": answer.text if answer else ""},
    )


def load_axis(db, managed: Managed, axis_id: int) -> Axis:
    return get_or_404(services.axis_in(db, managed.commune.id, axis_id), NO_AXIS)


def load_idea(db, managed: Managed, idea_id: int) -> Idea:
    return get_or_404(services.idea_in(db, managed.commune.id, idea_id), NO_IDEA)


class IdeasAdminController(Controller):
    path = "/communes/{slug:str}/gestion/pistes"

    @get("/")
    def list(self, request: Request, db: DB, slug: FromPath[str], ok: FromQuery[str] = "") -> Template:
        managed = managed_commune(request, db, slug, MANAGE_IDEAS)
        return list_page(db, managed, ok=confirmation(MESSAGES, ok))

    # Axes.

    @post("/axes")
    def create_axis(self, request: Request, db: DB, slug: FromPath[str], form: Form) -> Template | Redirect:
        managed = managed_commune(request, db, slug, MANAGE_IDEAS)
        fields, errors = rules.clean_axis(form)
        if unreadable(form, errors):
            return list_page(db, managed, 422, axis_values={"title": form.get("title", ""),
                                                           "description": form.get("description", "")},
                             axis_errors=errors)
        key = submissions.key_of(form)
        if (gone := submissions.taken(db, key)) is not None:  # sent twice: the first made it
            db.rollback()
            return see_other(gone or base(managed.commune))
        services.save_axis(db, managed.commune.id, fields)
        submissions.finish(db, key, f"{base(managed.commune)}?ok=axe")
        db.commit()
        return see_other(f"{base(managed.commune)}?ok=axe")

    @get("/axes/{axis_id:int}")
    def edit_axis(self, request: Request, db: DB, slug: FromPath[str], axis_id: FromPath[int]) -> Template:
        managed = managed_commune(request, db, slug, MANAGE_IDEAS)
        axis = load_axis(db, managed, axis_id)
        return self.axis_page(managed, axis, {"title": axis.title, "description": axis.description})

    @post("/axes/{axis_id:int}")
    def update_axis(self, request: Request, db: DB, slug: FromPath[str], axis_id: FromPath[int],
                    form: Form) -> Template | Redirect:
        managed = managed_commune(request, db, slug, MANAGE_IDEAS)
        axis = load_axis(db, managed, axis_id)
        fields, errors = rules.clean_axis(form)
        if unreadable(form, errors):
            return self.axis_page(managed, axis, {"title": form.get("title", ""),
                                                  "description": form.get("description", "")}, errors, 422)
        services.save_axis(db, managed.commune.id, fields, axis)
        db.commit()
        return see_other(f"{base(managed.commune)}?ok=axe")

    @post("/axes/{axis_id:int}/{move:str}")
    def move_axis(self, request: Request, db: DB, slug: FromPath[str], axis_id: FromPath[int],
                  move: FromPath[str]) -> Template | Redirect:
        managed = managed_commune(request, db, slug, MANAGE_IDEAS)
        axis = load_axis(db, managed, axis_id)
        if move == "supprimer":
            try:
                services.delete_axis(db, axis)
            except services.Refused as refused:
                db.rollback()
                return list_page(db, managed, 409, error=str(refused))
            db.commit()
            return see_other(f"{base(managed.commune)}?ok=axe-supprime")
        steps = {"monter": -1, "descendre": +1}
        if move not in steps:
            return list_page(db, managed, 404, error="Cette action n’existe pas.")
        services.move_axis(db, managed.commune.id, axis, steps[move])
        db.commit()
        return see_other(f"{base(managed.commune)}?ok=ordre")

    @staticmethod
    def axis_page(managed: Managed, axis: Axis, values: dict, errors=None, status_code=200) -> Template:
        return page("ideas/axis_form.html", status_code=status_code, **managed.context(), base=base(managed.commune),
                    axis=axis, values=values, errors=errors or {})

    # Ideas.

    @get("/nouvelle")
    def new(self, request: Request, db: DB, slug: FromPath[str]) -> Template:
        managed = managed_commune(request, db, slug, MANAGE_IDEAS)
        return idea_page(request, db, managed, None)

    @post("/nouvelle")
    def create(self, request: Request, db: DB, slug: FromPath[str], form: Form) -> Template | Redirect:
        return self.write(request, db, slug, form, None)

    @get("/{idea_id:int}")
    def edit(self, request: Request, db: DB, slug: FromPath[str], idea_id: FromPath[int],
             ok: FromQuery[str] = "") -> Template:
        managed = managed_commune(request, db, slug, MANAGE_IDEAS)
        return idea_page(request, db, managed, load_idea(db, managed, idea_id), ok=confirmation(MESSAGES, ok))

    @post("/{idea_id:int}")
    def update(self, request: Request, db: DB, slug: FromPath[str], idea_id: FromPath[int],
               form: Form) -> Template | Redirect:
        return self.write(request, db, slug, form, idea_id)

    def write(self, request: Request, db, slug: str, form, idea_id: int | None) -> Template | Redirect:
        managed = managed_commune(request, db, slug, MANAGE_IDEAS)
        commune = managed.commune
        idea = load_idea(db, managed, idea_id) if idea_id is not None else None
        places = contributions.place_choices(db, commune.id)
        fields, errors = rules.clean_idea(form, form.getall("stakes"), {a.id for a in services.axes_of(db, commune.id)},
                                          places, {s.id for s in services.stakes_of(db, commune.id)},
                                          contributions.inside_commune(commune))
        values = {name: form.get(name, "") for name in IDEA_BLANK}
        values["stakes"] = set(form.getall("stakes"))
        if unreadable(form, errors):
            return idea_page(request, db, managed, idea, values, errors, 422)
        seen = int(values["version"]) if values["version"].isdigit() and len(values["version"]) < 10 else -1
        if idea is not None and services.lock(db, idea) != seen:
            db.rollback()
            return idea_page(request, db, managed, idea, values, {"form": STALE}, 409)
        key = submissions.key_of(form) if idea is None else None
        if (gone := submissions.taken(db, key)) is not None:  # sent twice: the first made it
            db.rollback()
            return see_other(gone or base(commune))
        idea = services.save_idea(db, commune.id, fields, managed.user.id, idea)
        submissions.finish(db, key, target := f"{base(commune)}/{idea.id}?ok=piste")
        db.commit()
        return see_other(target)

    @post("/depuis-contribution/{contribution_id:int}")
    def from_contribution(self, request: Request, db: DB, slug: FromPath[str],
                          contribution_id: FromPath[int]) -> Template | Redirect:
        managed = managed_commune(request, db, slug, MANAGE_IDEAS)
        contribution = get_or_404(contributions.contribution_in(db, managed.commune.id, contribution_id), NO_CONTRIBUTION)
        try:
            idea, created = services.from_contribution(db, contribution, managed.user.id,
                                                       request.app.state.settings.base_url)
        except services.Refused as refused:
            db.rollback()
            return list_page(db, managed, 409, error=str(refused))
        db.commit()
        return see_other(f"{base(managed.commune)}/{idea.id}?ok={'depuis-contribution' if created else 'deja'}")

    @post("/{idea_id:int}/sources")
    def add_source(self, request: Request, db: DB, slug: FromPath[str], idea_id: FromPath[int],
                   form: Form) -> Template | Redirect:
        managed = managed_commune(request, db, slug, MANAGE_IDEAS)
        idea = load_idea(db, managed, idea_id)
        source = rules.parse_source(form.get("source", ""))
        try:
            if source is None:
                raise services.Refused("Choisissez un atelier ou une proposition des étudiants dans la liste.")
            services.add_source(db, idea, source[0], source[1], managed.user.id)
        except services.Refused as refused:
            db.rollback()
            return idea_page(request, db, managed, idea, status_code=422, source_errors={"source": str(refused)})
        db.commit()
        return see_other(f"{base(managed.commune)}/{idea.id}?ok=source#sources")

    @post("/{idea_id:int}/sources/retirer")
    def remove_source(self, request: Request, db: DB, slug: FromPath[str], idea_id: FromPath[int],
                      form: Form) -> Template | Redirect:
        managed = managed_commune(request, db, slug, MANAGE_IDEAS)
        idea = load_idea(db, managed, idea_id)
        kind, _, number = form.get("source", "").partition(":")
        if kind not in rules.SOURCE_KINDS or not number.isdigit() or len(number) > 11:
            return idea_page(request, db, managed, idea, status_code=422,
                             source_errors={"source": "Cette source n’est pas une source de la piste."})
        services.remove_source(db, idea, kind, int(number))
        db.commit()
        return see_other(f"{base(managed.commune)}/{idea.id}?ok=source-retiree#sources")

    # The commune's decisions and official answers.

    @post("/{idea_id:int}/decision")
    def decide(self, request: Request, db: DB, slug: FromPath[str], idea_id: FromPath[int],
               form: Form) -> Template | Redirect:
        managed = managed_commune(request, db, slug, ANSWER_OFFICIALLY)
        idea = load_idea(db, managed, idea_id)
        values = {"status": form.get("status", ""), "reason": form.get("reason", "")}
        try:
            if form.unreadable:
                raise rules.DecisionRefused(UNREADABLE)
            services.decide(db, idea, values["status"], values["reason"], request.app.state.settings.base_url)
        except rules.DecisionRefused as refused:
            db.rollback()
            return idea_page(request, db, managed, idea, status_code=422, decision_errors={"form": str(refused)},
                             decision_values=values)
        db.commit()
        return see_other(f"{base(managed.commune)}/{idea.id}?ok=decision#decider")

    @post("/{idea_id:int}/reponse")
    def answer_idea(self, request: Request, db: DB, slug: FromPath[str], idea_id: FromPath[int],
                    form: Form) -> Template | Redirect:
        managed = managed_commune(request, db, slug, ANSWER_OFFICIALLY)
        idea = load_idea(db, managed, idea_id)
        status, text, errors = rules.clean_answer(form)
        if unreadable(form, errors):
            return idea_page(request, db, managed, idea, status_code=422, answer_errors=errors,
                             answer_values={"status": form.get("status", ""), "text": form.get("text", "")})
        services.answer(db, managed.commune.id, "idea", idea.id, status, text, managed.user.id)
        db.commit()
        return see_other(f"{base(managed.commune)}/{idea.id}?ok=reponse#repondre")

    @get("/reponses/contributions/{contribution_id:int}")
    def contribution_answer_form(self, request: Request, db: DB, slug: FromPath[str],
                                 contribution_id: FromPath[int]) -> Template:
        managed = managed_commune(request, db, slug, ANSWER_OFFICIALLY)
        contribution = self.public_contribution(db, managed, contribution_id)
        answer = services.answer_of(db, "contribution", contribution.id)
        return self.answer_page(managed, contribution, answer,
                                {"status": answer.status if answer else "", "text": answer.text if answer else ""})

    @post("/reponses/contributions/{contribution_id:int}")
    def answer_contribution(self, request: Request, db: DB, slug: FromPath[str], contribution_id: FromPath[int],
                            form: Form) -> Template | Redirect:
        managed = managed_commune(request, db, slug, ANSWER_OFFICIALLY)
        contribution = self.public_contribution(db, managed, contribution_id)
        status, text, errors = rules.clean_answer(form)
        if unreadable(form, errors):
            answer = services.answer_of(db, "contribution", contribution.id)
            return self.answer_page(managed, contribution, answer,
                                    {"status": form.get("status", ""), "text": form.get("text", "")}, errors, 422)
        services.answer(db, managed.commune.id, "contribution", contribution.id, status, text, managed.user.id)
        db.commit()
        return see_other(f"/communes/{managed.commune.slug}/contributions/{contribution.id}#reponse-commune")

    @staticmethod
    def public_contribution(db, managed: Managed, contribution_id: int):
        contribution = get_or_404(contributions.contribution_in(db, managed.commune.id, contribution_id), NO_CONTRIBUTION)
        if contribution.status != PUBLISHED:
            raise NotFound("La commune ne répond qu’aux contributions publiées.")
        return contribution

    @staticmethod
    def answer_page(managed: Managed, contribution, answer, values: dict, errors=None, status_code=200) -> Template:
        return page("ideas/answer_form.html", status_code=status_code, **managed.context(), base=base(managed.commune),
                    contribution=contribution, kinds=KINDS, answer=answer, answer_statuses=rules.ANSWER_STATUSES,
                    answer_values=values, answer_errors=errors or {},
                    action=f"{base(managed.commune)}/reponses/contributions/{contribution.id}")
