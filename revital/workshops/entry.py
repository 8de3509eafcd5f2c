"""The paper sheets of a workshop, entered fast: /communes/{slug}/gestion/ateliers/{id}/saisie.

The workshop, its phase and the source ("atelier") are set once by the address; each sheet is
published at once (revital.contributions.intake, Entry PAPER, with the workshop as its Gathering).
"Where" is the cell written on the sheet ("C4", case and surrounding spaces tolerated), whose
centre on the kit's grid (revital.workshops.grid) becomes the point, or a named place, or neither.

The form is made for the keyboard: the focus starts on the kind, a radio group (arrow keys, or the
label's initial with static/js/revital.js), then the theme, the same way; Tab to the title, the
text, the cell; Enter in the cell saves. The page then comes back blank, the focus on the kind
again, with the number of the sheet just saved. Plain form and redirect: no JavaScript needed.

/communes/{slug}/gestion/saisie, the paper entry's first address, stays: it lists the workshops
held (links to their entry) above the free entry, for sheets tied to no workshop. It does not
redirect even when a single workshop was held: the free entry would be out of reach, and the
page would change its behaviour with the data.
"""

from litestar import Controller, Request
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from revital.caching import Cache
from revital.communes.access import Managed, managed_commune
from revital.contributions import intake, services as contributions
from revital.contributions import rules as contribution_rules
from revital.contributions.moderation import engaged, entry_page
from revital.db import utcnow
from revital.formatting import span_fr
from revital.forms import Form
from revital.geo import GeometryError, from_geojson
from revital.permissions import MANAGE_WORKSHOPS, MODERATE
from revital.process import phases
from revital.routes import DB, get, post
from revital.web import PublicError, get_or_404, page, see_other
from revital.workshops import grid, rules, services
from revital.workshops.models import Workshop

NO_WORKSHOP = "Cette rencontre n’existe pas dans cette commune."
CANCELLED = "Cette rencontre est annulée : aucune fiche ne peut y être rattachée."
NOT_STARTED = ("Cette rencontre n’a pas encore commencé : ses fiches se saisissent pendant ou après la "
               "rencontre.")
BLANK = {"kind": "", "category": "", "title": "", "body": "", "cell": "", "place": "", "author_name": ""}

GRIDS = Cache(size=64)  # the grid of each commune, per version of its geography


class NotOpen(PublicError):
    status_code = 409


def commune_grid(commune) -> grid.Grid | None:
    """The grid of the commune's kit (over its study perimeter, else its boundary), or None when
    it has neither; parsed once per version of its geography."""
    def build():
        for text in (commune.perimeter, commune.boundary):
            if text:
                try:
                    zone = from_geojson(text)
                except GeometryError:
                    continue
                if not zone.is_empty:
                    return grid.grid_for(zone)
        return None

    return GRIDS.get_or_build((commune.id, commune.geo_version, commune.created_at), build)


def open_workshop(db, managed: Managed, workshop_id: int) -> Workshop:
    """The commune's workshop whose sheets may be entered: 404 elsewhere, 409 if it is cancelled
    or has not started."""
    workshop = get_or_404(services.workshop_in(db, managed.commune.id, workshop_id), NO_WORKSHOP)
    if workshop.status == rules.CANCELLED:
        raise NotOpen(CANCELLED)
    if workshop.starts_at > utcnow():
        raise NotOpen(NOT_STARTED)
    return workshop


def url_of(commune, workshop: Workshop) -> str:
    return f"/communes/{commune.slug}/gestion/ateliers/{workshop.id}/saisie"


def saved_message(db, commune, workshop: Workshop, number: int) -> str | None:
    """"Fiche n° 42 enregistrée…", naming the sheet just saved (a contribution of this workshop)."""
    saved = contributions.contribution_in(db, commune.id, number) if number else None
    if saved is None or saved.workshop_id != workshop.id:
        return None
    return f"Fiche n° {saved.id} enregistrée et publiée : « {saved.title} ». Saisissez la suivante."


def workshop_entry_page(request, db, managed: Managed, workshop: Workshop, status_code=200, values=None,
                        errors=None, ok=None, token=None, notice=None) -> Template:
    commune = managed.commune
    return page(
        "workshops/entry.html", status_code=status_code, **managed.context(), workshop=workshop,
        when=span_fr(workshop.starts_at, workshop.ends_at), workshop_kinds=rules.KINDS, phase_labels=phases.LABELS,
        kinds=contribution_rules.KINDS, categories=contributions.active_categories_of(commune),
        places=contributions.place_choices(db, commune.id), has_grid=commune_grid(commune) is not None,
        values={**BLANK, **(values or {})}, errors=errors or {}, ok=ok, notice=notice,
        token=token or contribution_rules.new_form_token(request.app.state.settings.secret_key),
        action=url_of(commune, workshop), base=f"/communes/{commune.slug}/gestion/ateliers",
        max_title=contribution_rules.TITLE_MAX, max_body=contribution_rules.BODY_MAX,
    )


class WorkshopEntryController(Controller):
    path = "/communes/{slug:str}/gestion/ateliers/{workshop_id:int}/saisie"

    @get("/")
    def form(self, request: Request, db: DB, slug: FromPath[str], workshop_id: FromPath[int],
             numero: FromQuery[int] = 0) -> Template:
        managed = engaged(db, managed_commune(request, db, slug, MANAGE_WORKSHOPS))
        workshop = open_workshop(db, managed, workshop_id)
        return workshop_entry_page(request, db, managed, workshop,
                                   ok=saved_message(db, managed.commune, workshop, numero))

    @post("/")
    def save(self, request: Request, db: DB, slug: FromPath[str], workshop_id: FromPath[int],
             form: Form) -> Template | Redirect:
        db.read()
        managed = engaged(db, managed_commune(request, db, slug, MANAGE_WORKSHOPS))
        commune = managed.commune
        workshop = open_workshop(db, managed, workshop_id)
        found = commune_grid(commune)
        gathering = intake.Gathering(workshop.id, workshop.phase,
                                     (lambda label: grid.centre_of(found, label)) if found is not None else None)
        settings = request.app.state.settings
        outcome = intake.receive(db, commune, form, intake.PAPER, settings.secret_key, request.app.state.throttle,
                                 "", 0, managed.user.id, gathering=gathering)
        if outcome.contribution is not None:
            return see_other(f"{url_of(commune, workshop)}?numero={outcome.contribution.id}")
        values = {name: outcome.values.get(name, form.get(name, "")) for name in BLANK}
        return workshop_entry_page(request, db, managed, workshop, outcome.status_code, values=values,
                                   errors=outcome.errors, token=outcome.token, notice=outcome.notice)


def held_choices(db, managed: Managed) -> list[tuple[str, str, str]]:
    """(entry address, title, when and kind) of the workshops whose sheets may be entered."""
    return [(url_of(managed.commune, w), w.title, f"{rules.KINDS[w.kind]} · {span_fr(w.starts_at, w.ends_at)}")
            for w in services.held(db, managed.commune.id, utcnow())]


class PaperEntryController(Controller):
    """The paper entry's first address: the workshops held, each with its entry, and the free
    entry of sheets tied to no workshop (source "atelier", published at once)."""

    path = "/communes/{slug:str}/gestion/saisie"

    @get("/")
    def form(self, request: Request, db: DB, slug: FromPath[str], ok: FromQuery[str] = "",
             numero: FromQuery[int] = 0) -> Template:
        managed = engaged(db, managed_commune(request, db, slug, MODERATE))
        message = f"Contribution n° {numero} enregistrée et publiée. Au suivant !" if ok == "saisie" and numero else None
        return entry_page(request, db, managed, ok=message, workshops=held_choices(db, managed))

    @post("/")
    def save(self, request: Request, db: DB, slug: FromPath[str], form: Form) -> Template | Redirect:
        db.read()
        managed = engaged(db, managed_commune(request, db, slug, MODERATE))
        commune = managed.commune
        settings = request.app.state.settings
        outcome = intake.receive(db, commune, form, intake.PAPER, settings.secret_key, request.app.state.throttle,
                                 "", 0, managed.user.id)
        if outcome.contribution is not None:
            return see_other(f"/communes/{commune.slug}/gestion/saisie?ok=saisie&numero={outcome.contribution.id}")
        return entry_page(request, db, managed, outcome.status_code, values=outcome.values, errors=outcome.errors,
                          token=outcome.token, notice=outcome.notice, workshops=held_choices(db, managed))
