"""The public side of prioritisation: a commune's prioritisations (/communes/{slug}/priorites), a
vote's page with its ideas and the ballot form (points with the budget, or ranks), the e-mail's
confirmation link (a GET shows a button, the POST counts the ballot: mail scanners open links),
and the results once published, as bars drawn in HTML with their table.

A prioritisation in preparation is a 404 here; a vote's results are hidden until the commune
publishes them, and no page ever shows who voted."""

from litestar import Controller, Request, Response
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from revital.communes import services as communes
from revital.communes.access import load_commune
from revital.db import utcnow
from revital.formatting import datetime_fr
from revital.forms import UNREADABLE, Form
from revital.permissions import MANAGE_PRIORITIES, can
from revital.prioritisation import rules, services
from revital.prioritisation.models import Prioritisation
from revital.routes import DB, get, post, shared_page
from revital.web import NotFound, confirmation, current_user, get_or_404, page, principal, see_other

NO_PRIORITISATION = "Cette hiérarchisation des pistes n’existe pas, ou elle n’est pas encore ouverte."
NO_LINK = ("Ce lien de confirmation n’est pas valide : il a peut-être été mal copié, ou vous avez voté de nouveau "
           "depuis (seul le lien du dernier e-mail compte).")
MESSAGES = {
    "compte": "Votre bulletin est enregistré et compte. Vous pouvez le changer jusqu’à la clôture du vote.",
    "remplace": "Votre bulletin est remplacé par celui-ci ; il compte. Un seul bulletin compte par personne.",
    "a-confirmer": "Votre bulletin est enregistré. Il comptera dès que vous aurez cliqué sur le lien envoyé à votre "
                   "adresse e-mail.",
    "confirme": "Votre bulletin est confirmé : il compte. Merci d’avoir voté.",
}


def field_name(idea_id: int) -> str:
    return f"idea-{idea_id}"


def public_prioritisation(db, commune, prioritisation_id: int) -> Prioritisation:
    p = get_or_404(services.prioritisation_in(db, commune.id, prioritisation_id), NO_PRIORITISATION)
    if services.state_of(p) == rules.DRAFT:
        raise NotFound(NO_PRIORITISATION)
    return p


def closes_fr(p: Prioritisation) -> str:
    return datetime_fr(p.closes_at) if p.closes_at else "à la clôture annoncée"


def detail_page(request: Request, db, commune, p: Prioritisation, status_code: int = 200, values=None,
                errors=None, ok=None) -> Template:
    state = services.state_of(p)
    ideas = services.ideas_of(db, p)
    user = current_user(request)
    if values is None:
        mine = services.choices_of(db, services.ballot_of(db, p, services.user_voter(user.id))) if user else {}
        values = {field_name(i.id): str(mine[i.id]) if i.id in mine else "" for i in ideas}
        values["email"] = ""
    shown = state in (rules.PUBLISHED, rules.RECORDED)
    typed = [values.get(field_name(i.id), "").strip() for i in ideas]
    used = sum(int(v) for v in typed if v.isascii() and v.isdigit() and len(v) < 7)
    return page("prioritisation/detail.html", status_code=status_code, commune=commune, territory=commune.territory,
                demo=commune.territory.is_demo, p=p, state=state, states=rules.STATES, modes=rules.MODES,
                methods=rules.METHODS, ideas=ideas, values=values, errors=errors or {}, ok=ok,
                field_name=field_name, signed_in=user is not None, used=used, open=rules.accepts_ballots(state),
                results=services.results(db, p) if shown else [],
                voters=services.voters_count(db, p) if shown and p.method == rules.VOTE else 0,
                rank_options=[(str(n), f"{n}") for n in range(1, min(p.budget, len(ideas)) + 1)],
                manages=can(principal(request), MANAGE_PRIORITIES, communes.scope_of(db, commune)))


def states_key(request: Request, db, slug: str, prioritisation_id: int | None = None):
    """What the anonymous pages are kept by: the commune's version, and the state of its votes now
    (a vote opens and closes at its hour, with no version moving). None: no such commune."""
    found = request.app.state.versions.commune(db, slug)
    if found is None:
        return None
    items = services.of_commune(db, found.id) if prioritisation_id is None else [
        p for p in [services.prioritisation_in(db, found.id, prioritisation_id)] if p is not None]
    now = utcnow()
    return found.key, tuple((p.id, services.state_of(p, now)) for p in items)


class PrioritiesController(Controller):
    path = "/communes/{slug:str}/priorites"

    @get("/")
    async def list(self, request: Request, slug: FromPath[str]) -> Response:
        def build(db) -> Template:
            commune = load_commune(db, slug)
            items = services.of_commune(db, commune.id)
            now = utcnow()
            return page("prioritisation/list.html", commune=commune, territory=commune.territory,
                        demo=commune.territory.is_demo, items=items,
                        states={p.id: services.state_of(p, now) for p in items},
                        state_labels=rules.STATES, methods=rules.METHODS, modes=rules.MODES)

        return await shared_page(request, ("priorites", slug), lambda db: states_key(request, db, slug), build)

    @get("/{prioritisation_id:int}")
    async def detail(self, request: Request, slug: FromPath[str], prioritisation_id: FromPath[int],
                     ok: FromQuery[str] = "") -> Response:
        def build(db) -> Template:
            commune = load_commune(db, slug)
            return detail_page(request, db, commune, public_prioritisation(db, commune, prioritisation_id),
                               ok=confirmation(MESSAGES, ok))

        name = ("priorite", slug, prioritisation_id, ok if ok in MESSAGES else "")
        return await shared_page(request, name, lambda db: states_key(request, db, slug, prioritisation_id), build)

    @post("/{prioritisation_id:int}/bulletin")
    def vote(self, request: Request, db: DB, slug: FromPath[str], prioritisation_id: FromPath[int],
             form: Form) -> Template | Redirect:
        commune = load_commune(db, slug)
        p = public_prioritisation(db, commune, prioritisation_id)
        ideas = services.ideas_of(db, p)
        typed = {i.id: form.get(field_name(i.id), "")[:10] for i in ideas}
        values = {field_name(i): v for i, v in typed.items()}
        user = current_user(request)
        email, email_error = (None, None) if user else rules.clean_email(form.get("email"))
        values["email"] = email or ""
        errors, status_code = {}, 422
        if form.unreadable:
            errors["form"] = UNREADABLE
        elif not rules.accepts_ballots(services.state_of(p)):
            errors["form"], status_code = "Ce vote n’est pas ouvert : votre bulletin n’a pas été enregistré.", 409
        else:
            try:
                choices = rules.read_ballot(p.mode, typed, [i.id for i in ideas], p.budget)
            except rules.BallotRefused as refused:
                errors["form"] = str(refused)
            if email_error:
                errors["email"] = email_error
        if errors:
            return detail_page(request, db, commune, p, status_code, values, errors)
        voter = services.user_voter(user.id) if user else services.email_voter(email)
        try:
            cast = services.cast(db, p, voter, choices, email=email)
        except rules.BallotRefused as refused:
            db.rollback()
            return detail_page(request, db, commune, p, 409, values, {"form": str(refused)})
        if email:
            settings = request.app.state.settings
            services.send_confirmation(db, settings.base_url, settings.secret_key, commune, p, cast.ballot, closes_fr(p))
        db.commit()
        key = "a-confirmer" if email else "remplace" if cast.replaced else "compte"
        return see_other(f"/communes/{commune.slug}/priorites/{p.id}?ok={key}#bulletin")

    @get("/{prioritisation_id:int}/confirmer/{link:str}")
    def confirm_form(self, request: Request, db: DB, slug: FromPath[str], prioritisation_id: FromPath[int],
                     link: FromPath[str]) -> Template:
        commune, p, ballot = self.by_link(request, db, slug, prioritisation_id, link)
        return page("prioritisation/confirm.html", commune=commune, territory=commune.territory,
                    demo=commune.territory.is_demo, p=p, link=link, confirmed=ballot.confirmed_at is not None,
                    open=rules.accepts_ballots(services.state_of(p)), ideas={i.id: i for i in services.ideas_of(db, p)},
                    choices=sorted(services.choices_of(db, ballot).items(),
                                   key=lambda item: (-item[1], item[0]) if p.mode == rules.POINTS else (item[1], item[0])))

    @post("/{prioritisation_id:int}/confirmer/{link:str}")
    def confirm(self, request: Request, db: DB, slug: FromPath[str], prioritisation_id: FromPath[int],
                link: FromPath[str]) -> Template | Redirect:
        commune, p, ballot = self.by_link(request, db, slug, prioritisation_id, link)
        if not services.confirm(db, p, ballot):
            db.rollback()
            return detail_page(request, db, commune, p, 409, errors={
                "form": "Le vote est clos : ce bulletin n’a pas été confirmé à temps et ne compte pas."})
        db.commit()
        return see_other(f"/communes/{commune.slug}/priorites/{p.id}?ok=confirme")

    @staticmethod
    def by_link(request: Request, db, slug: str, prioritisation_id: int, link: str):
        commune = load_commune(db, slug)
        p = get_or_404(services.prioritisation_in(db, commune.id, prioritisation_id), NO_LINK)
        ballot = services.ballot_by_link(db, p, link, request.app.state.settings.secret_key)
        if ballot is None:
            raise NotFound(NO_LINK)
        return commune, p, ballot
