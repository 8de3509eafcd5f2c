"""The tab "Semaines des étudiants" of a commune's back office: the commune (or the coordinator)
sets up a week (kind, dates, school and programme, team, brief), adds its members (accounts that
hold the student or supervisor role in the commune, invited from "Équipe et invitations"), and
publishes the proposals the supervisor approved. Drafts stay the team's: the commune sees a
proposal once approved. Every handler starts with the commune looked up for someone who may
manage its weeks (403 otherwise); a week of another commune is a 404."""

from litestar import Controller, Request
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from revital import submissions
from revital.communes.access import Managed, managed_commune
from revital.forms import Form
from revital.permissions import MANAGE_STUDENT_WEEKS
from revital.routes import DB, get, post
from revital.students import rules, services
from revital.students.access import workspace_url
from revital.students.controllers import board_url
from revital.students.models import StudentWeek
from revital.text import clean_text
from revital.web import confirmation, get_or_404, page, see_other

MESSAGES = {
    "creee": "La semaine est enregistrée. Ajoutez-y maintenant l’équipe : étudiants et encadrant·e.",
    "modifiee": "La semaine est modifiée.",
    "membre": "La personne fait partie de l’équipe de la semaine.",
    "membre-deja": "La personne faisait déjà partie de l’équipe avec ce rôle : rien n’a changé.",
    "membre-retire": "La personne ne fait plus partie de l’équipe de la semaine.",
    "publiee": "La proposition est publiée sur la page « Travaux des étudiants ».",
    "retiree": "La proposition n’est plus publiée ; elle reste approuvée.",
}
NO_WEEK = "Cette semaine n’existe pas dans cette commune."
NO_PROPOSAL = "Cette proposition n’existe pas dans cette semaine, ou elle n’est pas encore approuvée."
BLANK = {"kind": "", "title": "", "starts_on": "", "ends_on": "", "school": "", "programme": "", "team_name": "",
         "brief": ""}
VISIBLE = (rules.APPROVED, rules.PUBLISHED)


def base(commune) -> str:
    return f"/communes/{commune.slug}/gestion/etudiants"


def load(db, managed: Managed, week_id: int) -> StudentWeek:
    return get_or_404(services.week_in(db, managed.commune.id, week_id), NO_WEEK)


def values_of(week: StudentWeek) -> dict:
    return {"kind": week.kind, "title": week.title, "starts_on": week.starts_on.isoformat(),
            "ends_on": week.ends_on.isoformat(), "school": week.school, "programme": week.programme,
            "team_name": week.team_name, "brief": week.brief}


def week_page(db, managed: Managed, week: StudentWeek | None, values=None, errors=None, status_code=200, ok=None,
              member_values=None) -> Template:
    return page("students/manage_week.html", status_code=status_code, **managed.context(), week=week,
                values={**BLANK, **(values or (values_of(week) if week else {}))}, errors=errors or {}, ok=ok,
                member_values=member_values or {"email": "", "role": rules.STUDENT}, base=base(managed.commune),
                kinds=rules.KINDS, member_roles=rules.MEMBER_ROLES, statuses=rules.STATUSES, board_url=board_url,
                members=services.member_rows(db, week) if week else [],
                proposals=services.proposals_of(db, week, VISIBLE) if week else [],
                workspace=workspace_url(managed.commune, week) if week else None)


class StudentWeeksAdminController(Controller):
    path = "/communes/{slug:str}/gestion/etudiants"

    @get("/")
    def list(self, request: Request, db: DB, slug: FromPath[str], ok: FromQuery[str] = "") -> Template:
        managed = managed_commune(request, db, slug, MANAGE_STUDENT_WEEKS)
        weeks = services.weeks_of(db, managed.commune.id)
        waiting = {w.id: len(services.proposals_of(db, w, (rules.APPROVED,))) for w in weeks}
        return page("students/manage.html", **managed.context(), weeks=weeks, kinds=rules.KINDS, waiting=waiting,
                    ok=confirmation(MESSAGES, ok), base=base(managed.commune))

    @get("/nouvelle")
    def new(self, request: Request, db: DB, slug: FromPath[str]) -> Template:
        managed = managed_commune(request, db, slug, MANAGE_STUDENT_WEEKS)
        return week_page(db, managed, None)

    @post("/nouvelle")
    def create(self, request: Request, db: DB, slug: FromPath[str], form: Form) -> Template | Redirect:
        return self.write(request, db, slug, form, None)

    @get("/{week_id:int}")
    def edit(self, request: Request, db: DB, slug: FromPath[str], week_id: FromPath[int],
             ok: FromQuery[str] = "") -> Template:
        managed = managed_commune(request, db, slug, MANAGE_STUDENT_WEEKS)
        return week_page(db, managed, load(db, managed, week_id), ok=confirmation(MESSAGES, ok))

    @post("/{week_id:int}")
    def update(self, request: Request, db: DB, slug: FromPath[str], week_id: FromPath[int],
               form: Form) -> Template | Redirect:
        return self.write(request, db, slug, form, week_id)

    def write(self, request: Request, db, slug: str, form, week_id: int | None) -> Template | Redirect:
        managed = managed_commune(request, db, slug, MANAGE_STUDENT_WEEKS)
        week = load(db, managed, week_id) if week_id is not None else None
        fields, errors = rules.clean_week(form)
        errors.update(form.unreadable_errors())
        if errors:
            return week_page(db, managed, week, {name: clean_text(form.get(name)) for name in BLANK}, errors, 422)
        created = week is None
        once = submissions.key_of(form) if created else None
        if (gone := submissions.taken(db, once)) is not None:  # sent twice: the first made it
            db.rollback()
            return see_other(gone or base(managed.commune))
        week = services.save_week(db, managed.commune.id, fields, week)
        submissions.finish(db, once, target := f"{base(managed.commune)}/{week.id}?ok={'creee' if created else 'modifiee'}")
        db.commit()
        return see_other(target)

    @post("/{week_id:int}/membres")
    def add_member(self, request: Request, db: DB, slug: FromPath[str], week_id: FromPath[int],
                   form: Form) -> Template | Redirect:
        managed = managed_commune(request, db, slug, MANAGE_STUDENT_WEEKS)
        week = load(db, managed, week_id)
        email, role = clean_text(form.get("email"))[:254], form.get("role", "")
        values = {"email": email, "role": role}
        if role not in rules.MEMBER_ROLES:
            return week_page(db, managed, week, errors={"role": "Choisissez le rôle dans l’équipe : étudiant·e ou encadrant·e."},
                             status_code=422, member_values=values)
        user, problem = services.account_for_member(db, managed.commune.id, email, role)
        if problem:
            return week_page(db, managed, week, errors={"email": problem}, status_code=422, member_values=values)
        added = services.add_member(db, week, user, role)
        db.commit()
        return see_other(f"{base(managed.commune)}/{week.id}?ok={'membre' if added else 'membre-deja'}#equipe")

    @post("/{week_id:int}/membres/{member_id:int}/retirer")
    def remove_member(self, request: Request, db: DB, slug: FromPath[str], week_id: FromPath[int],
                      member_id: FromPath[int]) -> Redirect:
        managed = managed_commune(request, db, slug, MANAGE_STUDENT_WEEKS)
        week = load(db, managed, week_id)
        get_or_404(services.remove_member(db, week, member_id) or None, "Cette personne ne fait pas partie de l’équipe.")
        db.commit()
        return see_other(f"{base(managed.commune)}/{week.id}?ok=membre-retire#equipe")

    @post("/{week_id:int}/propositions/{proposal_id:int}/publier")
    def publish(self, request: Request, db: DB, slug: FromPath[str], week_id: FromPath[int],
                proposal_id: FromPath[int], form: Form) -> Template | Redirect:
        managed = managed_commune(request, db, slug, MANAGE_STUDENT_WEEKS)
        week = load(db, managed, week_id)
        proposal = services.proposal_in(db, week, proposal_id)
        if proposal is None or proposal.status not in VISIBLE:
            get_or_404(None, NO_PROPOSAL)
        action = rules.UNPUBLISH if form.get("action") == "retirer" else rules.PUBLISH
        refused = rules.refusal(proposal.status, action, rules.COMMUNE)
        if refused:
            return week_page(db, managed, week, errors={"form": refused}, status_code=409)
        services.lock(db, proposal)
        services.move(proposal, rules.next_status(proposal.status, action, rules.COMMUNE))
        db.commit()
        return see_other(f"{base(managed.commune)}/{week.id}?ok={'publiee' if action == rules.PUBLISH else 'retiree'}#propositions")
