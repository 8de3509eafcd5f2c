"""The coordinator's side of calls: create and edit a call, read the applications side by side,
score each criterion, select or decline with a reason, publish the results (which engages the
selected communes)."""

from litestar import Controller, Request
from litestar.params import FromPath
from litestar.response import Redirect, Response, Template

from revital import backoffice, submissions
from revital.calls import notices, rules, services
from revital.calls.controllers import NO_CALL
from revital.communes.access import managed_territory
from revital.forms import Form
from revital.localgroups.services import ensure_group
from revital.process import services as process_services
from revital.routes import DB, get, post
from revital.web import confirmation, get_or_404, page, pdf_response, see_other

MESSAGES = {
    "cree": "Appel créé. Il sera public à sa date d’ouverture ; vous pouvez encore le modifier.",
    "modifie": "Appel modifié.",
    "notes": "Notes enregistrées.",
    "decision": "Décision enregistrée. Elle sera communiquée à la commune à la publication des résultats.",
    "resultats": "Résultats publiés : les communes retenues sont engagées dans la démarche, en phase de diagnostic.",
}


CALL_BLANK = dict.fromkeys(("title", "text", "criteria", "documents", "opens_on", "closes_on"), "")


def managed_call(request, db, slug: str, call_id: int):
    """The territory, the coordinator and the call at this address (404, then 303 or 403)."""
    territory, user = managed_territory(request, db, slug)
    return territory, user, get_or_404(services.call_in(db, territory.id, call_id), NO_CALL)


def submitted(db, call, application_id: int):
    """An application of the call that was submitted (drafts are the commune's until then)."""
    return get_or_404(services.submitted_in(db, call, application_id),
                      "Cette candidature n’existe pas ou n’a pas été déposée.")


def base(slug: str) -> str:
    return backoffice.territory_base(slug) + "/appels"


def tabs(user, territory):
    return backoffice.territory_tabs(user.principal, territory.id)


def call_form_page(territory, user, status_code=200, call=None, values=None, errors=None, notice=None) -> Template:
    if call is not None and values is None:
        values = {"title": call.title, "text": call.text, "criteria": call.criteria, "documents": call.documents,
                  "opens_on": call.opens_on.isoformat(), "closes_on": call.closes_on.isoformat()}
    return page("calls/edit.html", status_code=status_code, territory=territory, demo=territory.is_demo,
                territory_tabs=tabs(user, territory), call=call, values={**CALL_BLANK, **(values or {})}, errors=errors or {}, notice=notice)


def review_page(db, territory, user, call, status_code=200, errors=None, notice=None) -> Template:
    applications = services.applications_of(db, call)
    criteria = call.criteria_list
    scored = {}
    for application in applications:
        by_criterion = services.scores_by_criterion(application)
        scored[application.id] = {
            "scores": by_criterion,
            "total": rules.total([by_criterion[i].score if i in by_criterion else None for i in range(len(criteria))],
                                 len(criteria)),
        }
    state = services.state_of(call)
    return page("calls/review.html", status_code=status_code, territory=territory, demo=territory.is_demo,
                territory_tabs=tabs(user, territory), call=call, applications=applications, criteria=criteria,
                scored=scored, state=state, states=rules.STATES, statuses=rules.STATUSES, score_labels=rules.SCORE_LABELS,
                drafts=services.drafts_count(db, call), errors=errors or {}, notice=notice,
                publish_problem=rules.can_publish_results([a.status for a in applications], state))


class CallsManagementController(Controller):
    path = "/territoires/{slug:str}/gestion/appels"

    @get("/")
    def index(self, request: Request, db: DB, slug: FromPath[str]) -> Template:
        territory, user = managed_territory(request, db, slug)
        calls = services.calls_of(db, territory.id)
        return page("calls/manage.html", territory=territory, demo=territory.is_demo, territory_tabs=tabs(user, territory),
                    calls=calls, states={c.id: services.state_of(c) for c in calls}, labels=rules.STATES,
                    counts=services.submitted_counts(db, [c.id for c in calls]))

    @get("/nouveau")
    def new(self, request: Request, db: DB, slug: FromPath[str]) -> Template:
        territory, user = managed_territory(request, db, slug)
        return call_form_page(territory, user)

    @post("/nouveau")
    def create(self, request: Request, db: DB, slug: FromPath[str], form: Form) -> Template | Redirect:
        territory, user = managed_territory(request, db, slug)
        fields, errors = rules.clean_call(form)
        errors.update(form.unreadable_errors())
        if errors:
            return call_form_page(territory, user, 422, values=dict(form), errors=errors)
        once = submissions.key_of(form)
        if (gone := submissions.taken(db, once)) is not None:  # sent twice: the first made it
            db.rollback()
            return see_other(gone or base(slug))
        call = services.save_call(db, None, territory.id, fields)
        submissions.finish(db, once, target := f"{base(slug)}/{call.id}?fait=cree")
        db.commit()
        return see_other(target)

    @get("/{call_id:int}")
    def edit(self, request: Request, db: DB, slug: FromPath[str], call_id: FromPath[int]) -> Template:
        territory, user, call = managed_call(request, db, slug, call_id)
        return call_form_page(territory, user, call=call, notice=confirmation(MESSAGES, request.query_params.get("fait", "")))

    @post("/{call_id:int}")
    def update(self, request: Request, db: DB, slug: FromPath[str], call_id: FromPath[int], form: Form) -> Template | Redirect:
        territory, user, call = managed_call(request, db, slug, call_id)
        fields, errors = rules.clean_call(form)
        errors.update(form.unreadable_errors())
        if call.results_published_at is not None:
            errors["form"] = "Les résultats de cet appel sont publiés : il ne se modifie plus."
        if errors:
            return call_form_page(territory, user, 422, call=call, values=dict(form), errors=errors)
        services.save_call(db, call, territory.id, fields)
        db.commit()
        return see_other(f"{base(slug)}/{call.id}?fait=modifie")

    @get("/{call_id:int}/candidatures")
    def review(self, request: Request, db: DB, slug: FromPath[str], call_id: FromPath[int]) -> Template:
        territory, user, call = managed_call(request, db, slug, call_id)
        return review_page(db, territory, user, call, notice=confirmation(MESSAGES, request.query_params.get("fait", "")))

    @post("/{call_id:int}/candidatures/{application_id:int}/notes")
    def score(self, request: Request, db: DB, slug: FromPath[str], call_id: FromPath[int],
              application_id: FromPath[int], form: Form) -> Template | Redirect:
        territory, user, call = managed_call(request, db, slug, call_id)
        application = submitted(db, call, application_id)
        if services.state_of(call) == rules.DECIDED:
            return review_page(db, territory, user, call, 409,
                               errors={"form": "Les résultats de cet appel sont publiés : les notes ne changent plus."})
        scores, errors = {}, {}
        for index in range(len(call.criteria_list)):
            value, comment, problem = rules.clean_score(form.get(f"score-{index}"), form.get(f"comment-{index}"))
            if problem:
                errors[f"score-{application.id}-{index}"] = problem
            scores[index] = (value, comment)
        if errors:
            return review_page(db, territory, user, call, 422, errors=errors)
        services.set_scores(db, application, scores)
        db.commit()
        return see_other(f"{base(slug)}/{call.id}/candidatures?fait=notes#candidature-{application.id}")

    @post("/{call_id:int}/candidatures/{application_id:int}/decision")
    def decide(self, request: Request, db: DB, slug: FromPath[str], call_id: FromPath[int],
               application_id: FromPath[int], form: Form) -> Template | Redirect:
        territory, user, call = managed_call(request, db, slug, call_id)
        application = submitted(db, call, application_id)
        try:
            status = rules.decide(application.status, form.get("action", ""), form.get("reason", ""), services.state_of(call))
        except rules.DecisionRefused as refusal:
            return review_page(db, territory, user, call, 422, errors={f"reason-{application.id}": str(refusal)})
        services.decide(application, status, form.get("reason", ""))
        db.commit()
        return see_other(f"{base(slug)}/{call.id}/candidatures?fait=decision#candidature-{application.id}")

    @post("/{call_id:int}/resultats")
    def publish(self, request: Request, db: DB, slug: FromPath[str], call_id: FromPath[int]) -> Template | Redirect:
        territory, user, call = managed_call(request, db, slug, call_id)
        problem = rules.can_publish_results([a.status for a in services.applications_of(db, call)], services.state_of(call))
        if problem:
            return review_page(db, territory, user, call, 409, errors={"form": problem})

        def engage(application):
            commune = application.commune
            if not process_services.is_engaged(db, commune.id):  # engaged by hand meanwhile: nothing to do
                process_services.engage(db, commune, user, f"Commune retenue à l’appel « {call.title} ».")
            ensure_group(db, commune)

        decided = services.publish_results(db, call, engage)
        notices.announce_results(db, request.app.state.settings.base_url, call, decided)
        db.commit()
        return see_other(f"{base(slug)}/{call.id}/candidatures?fait=resultats")

    @get("/{call_id:int}/candidatures/{application_id:int}/pieces/{document_id:int}")
    def document(self, request: Request, db: DB, slug: FromPath[str], call_id: FromPath[int],
                 application_id: FromPath[int], document_id: FromPath[int]) -> Response:
        territory, _, call = managed_call(request, db, slug, call_id)
        document = get_or_404(services.document_of(db, call, application_id, document_id), "Ce document n’existe plus.")
        return pdf_response(document.filename, document.data)
