"""The "Fiches actions" tab of a commune's back office (/communes/{slug}/gestion/fiches): the list of
the sheets, a new sheet (blank or from a retained idea), the editor (the sheet's header, the
completeness of each stage, the maturity, then one form per section, swapped in place by htmx and
posted the plain way without JavaScript), the versions and their comparison. Every handler starts
with the commune looked up for someone who holds MANAGE_SHEETS there (403 otherwise); a sheet of
another commune is a 404. The review (…/fiches/{n}/avis) is revital.sheets.reviewing's."""

from litestar import Controller, Request
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template
from sqlalchemy import func, select

from revital import maps, submissions
from revital.accounts.models import User
from revital.communes.access import Managed, managed_commune
from revital.forms import Form
from revital.ideas.models import RETAINED, Idea
from revital.lineage import services as lineage
from revital.lineage.models import IDEA, SHEET
from revital.permissions import MANAGE_SHEETS
from revital.routes import DB, get, post
from revital.sheets import editing, forms, rules, services, snapshot
from revital.sheets.models import ActionSheet, Opinion
from revital.web import NotFound, confirmation, get_or_404, is_fragment_request, page, see_other

MESSAGES = {
    "creee": "La fiche est créée : complétez-la section par section.",
    "section": "La section est enregistrée.",
    "maturite": "La maturité de la fiche est changée.",
    "integree": "La ligne proposée est intégrée au plan de financement.",
    "ecartee": "La ligne proposée est écartée.",
}
NO_SHEET = "Cette fiche n’existe pas dans cette commune."
NO_VERSION = "Cette version de la fiche n’existe pas."
NO_IDEA = "Choisissez une piste retenue de la commune qui n’a pas encore de fiche."
SECTION_STATUS = {"saved": 200, "errors": 422, "conflict": 409}
QUARTER_YEARS = range(2020, 2041)


def base(commune) -> str:
    return f"/communes/{commune.slug}/gestion/fiches"


def load_sheet(db, managed: Managed, number: int) -> ActionSheet:
    return get_or_404(services.sheet_in(db, managed.commune.id, number), NO_SHEET)


def uncovered_ideas(db, commune_id: int) -> list[Idea]:
    """The commune's retained ideas that no sheet answers yet."""
    ideas = list(db.scalars(select(Idea).where(Idea.commune_id == commune_id, Idea.status == RETAINED)
                            .order_by(Idea.title)))
    covered = lineage.targets_of(db, IDEA, [i.id for i in ideas])
    return [i for i in ideas if not covered.get(i.id, {}).get(SHEET)]


def opinions_count(db, commune_id: int) -> dict[int, int]:
    return dict(db.execute(select(Opinion.sheet_id, func.count()).where(Opinion.commune_id == commune_id)
                           .group_by(Opinion.sheet_id)).all())


def list_page(db, managed: Managed, status_code=200, values=None, errors=None, ok=None) -> Template:
    commune = managed.commune
    sheets = services.sheets_of(db, commune.id)
    snaps = snapshot.load_many(db, sheets)
    rows = []
    for sheet in sheets:
        snap = snaps[sheet.id]
        scores = rules.completeness(snap)
        following = rules.MATURITIES[min(rules.MATURITIES.index(sheet.maturity) + 1, len(rules.MATURITIES) - 1)] \
            if sheet.maturity in rules.MATURITIES else rules.IDEA
        rows.append({"sheet": sheet, "snap": snap, "next": scores[following]})
    return page("sheets/manage.html", status_code=status_code, **managed.context(), base=base(commune), rows=rows,
                opinions=opinions_count(db, commune.id), ideas=uncovered_ideas(db, commune.id),
                values={"title": "", "idea": "", **(values or {})}, errors=errors or {}, ok=ok,
                maturities=rules.MATURITY_LABELS, statuses=rules.STATUS_LABELS)


def quarter_options(*current: str) -> list[tuple[str, str]]:
    values = [f"{y}-T{q}" for y in QUARTER_YEARS for q in (1, 2, 3, 4)]
    values += [v for v in current if v and v not in values and rules.QUARTER.match(v or "")]
    return [(v, rules.quarter_label(rules.parse_quarter(v))) for v in values]


def section_context(request: Request, db, managed: Managed, sheet: ActionSheet, snap: dict, section: str,
                    outcome: editing.Outcome | None = None, ok: str | None = None) -> dict:
    """What the template of one section reads (`sec`)."""
    values = outcome.values if outcome and not outcome.saved else editing.drawn_of(snap, section, sheet)
    fingerprint = outcome.fingerprint if outcome and outcome.fingerprint else rules.fingerprint(snap, section)
    sec = {"key": section, "title": rules.SECTION_TITLES[section], "form": values,
           "errors": outcome.errors if outcome else {}, "fingerprint": fingerprint, "ok": ok,
           "conflict": bool(outcome and outcome.conflict), "theirs": outcome.theirs_summary if outcome else None,
           "readonly": editing.read_only(sheet), "choices": editing.choices_of(db, sheet, section),
           "action": f"{base(managed.commune)}/{sheet.number}/sections/{section}", "blank": forms.BLANK_ROWS,
           "conflict_message": editing.CONFLICT}
    if section == "financement":
        sec["funding"] = rules.funding(snap)
        sec["proposals"] = editing.proposals_of(db, sheet)
        sec["statuses"] = rules.FUNDING_STATUS_LABELS
    if section == "contenu":
        sec["kinds"] = rules.OPERATION_LABELS
    if section == "calendrier":
        sec["quarters"] = quarter_options(values["start"], values["end"])
    if section == "localisation":
        sec["map"] = maps.commune_map(request.app.state.settings, managed.commune, maps.PERIMETER_EDITOR,
                                      field="geometry", shapes=["marker", "polyline", "polygon"], blank=True)
    return sec


def editor_page(request: Request, db, managed: Managed, sheet: ActionSheet, status_code=200, outcome=None,
                ok=None, maturity_error=None) -> Template:
    snap = snapshot.load(db, sheet)
    sections = [section_context(request, db, managed, sheet, snap, key,
                                outcome if outcome and outcome.section == key else None)
                for key in rules.SECTION_KEYS]
    return page("sheets/manage_sheet.html", status_code=status_code, **managed.context(), base=base(managed.commune),
                sheet=sheet, snap=snap, scores=rules.completeness(snap), sections=sections, ok=ok, euros=rules.euros,
                maturity_error=maturity_error, maturities=rules.MATURITY_LABELS, statuses=rules.STATUS_LABELS,
                readonly=editing.read_only(sheet))


def version_label(number) -> str:
    return "l’état actuel" if number is None else f"la version {number}"


class SheetsAdminController(Controller):
    path = "/communes/{slug:str}/gestion/fiches"

    @get("/")
    def list(self, request: Request, db: DB, slug: FromPath[str], ok: FromQuery[str] = "") -> Template:
        managed = managed_commune(request, db, slug, MANAGE_SHEETS)
        return list_page(db, managed, ok=confirmation(MESSAGES, ok))

    @post("/")
    def create(self, request: Request, db: DB, slug: FromPath[str], form: Form) -> Template | Redirect:
        managed = managed_commune(request, db, slug, MANAGE_SHEETS)
        commune = managed.commune
        values = {"title": form.get("title", ""), "idea": form.get("idea", "")}
        errors = form.unreadable_errors()
        idea = None
        if values["idea"]:
            idea = next((i for i in uncovered_ideas(db, commune.id) if str(i.id) == values["idea"]), None)
            if idea is None:
                errors["idea"] = NO_IDEA
        elif not values["title"].strip():
            errors["title"] = "Donnez un titre à la fiche, ou partez d’une piste retenue."
        if len(values["title"].strip()) > 160:
            errors["title"] = "Le titre : 160 caractères au plus."
        if errors:
            return list_page(db, managed, 422, values, errors)
        key = submissions.key_of(form)
        if (gone := submissions.taken(db, key)) is not None:  # sent twice: the first made it
            db.rollback()
            return see_other(gone or base(commune))
        sheet = services.create(db, commune, values["title"], managed.user.id, idea)
        submissions.finish(db, key, target := f"{base(commune)}/{sheet.number}?ok=creee")
        db.commit()
        return see_other(target)

    @get("/{number:int}")
    def edit(self, request: Request, db: DB, slug: FromPath[str], number: FromPath[int],
             ok: FromQuery[str] = "") -> Template:
        managed = managed_commune(request, db, slug, MANAGE_SHEETS)
        return editor_page(request, db, managed, load_sheet(db, managed, number), ok=confirmation(MESSAGES, ok))

    @post("/{number:int}/sections/{section:str}")
    def save(self, request: Request, db: DB, slug: FromPath[str], number: FromPath[int], section: FromPath[str],
             form: Form) -> Template | Redirect:
        managed = managed_commune(request, db, slug, MANAGE_SHEETS)
        sheet = load_sheet(db, managed, number)
        if section not in rules.SECTION_KEYS:
            raise NotFound("Cette section de fiche n’existe pas.")
        if form.unreadable:
            outcome = editing.Outcome(section, forms.typed(section, form.lists), form.unreadable_errors(),
                                      fingerprint=form.get("fingerprint", "")[:40])
        else:
            outcome = editing.save_section(db, sheet, section, form.lists, form.get("fingerprint", ""), managed.user.id)
        if outcome.saved:
            db.commit()
            if not is_fragment_request(request):
                return see_other(f"{base(managed.commune)}/{sheet.number}?ok=section#section-{section}")
        else:
            db.rollback()
        status = 200 if outcome.saved else 409 if outcome.conflict else 422
        if is_fragment_request(request):
            snap = snapshot.load(db, sheet)
            sec = section_context(request, db, managed, sheet, snap, section, outcome,
                                  ok=MESSAGES["section"] if outcome.saved else None)
            return page(f"sheets/_section_{section}.html", status_code=status, **managed.context(),
                        base=base(managed.commune), sheet=sheet, sec=sec, euros=rules.euros)
        return editor_page(request, db, managed, sheet, status, outcome)

    @post("/{number:int}/maturite")
    def maturity(self, request: Request, db: DB, slug: FromPath[str], number: FromPath[int],
                 form: Form) -> Template | Redirect:
        managed = managed_commune(request, db, slug, MANAGE_SHEETS)
        sheet = load_sheet(db, managed, number)
        problem = editing.set_maturity(db, sheet, form.get("maturity", ""), managed.user.id)
        if problem:
            db.rollback()
            return editor_page(request, db, managed, sheet, 422, maturity_error=problem)
        db.commit()
        return see_other(f"{base(managed.commune)}/{sheet.number}?ok=maturite#maturite")

    @post("/{number:int}/financement/propositions/{line_id:int}/{action:str}")
    def proposal(self, request: Request, db: DB, slug: FromPath[str], number: FromPath[int],
                 line_id: FromPath[int], action: FromPath[str]) -> Template | Redirect:
        managed = managed_commune(request, db, slug, MANAGE_SHEETS)
        sheet = load_sheet(db, managed, number)
        if action not in ("integrer", "ecarter"):
            raise NotFound("Cette action n’existe pas.")
        problem = editing.settle_proposal(db, sheet, line_id, action == "integrer", managed.user.id)
        if problem:
            db.rollback()
            outcome = editing.Outcome("financement", editing.drawn_of(snapshot.load(db, sheet), "financement", sheet),
                                      {"form": problem})
            return editor_page(request, db, managed, sheet, 409, outcome)
        db.commit()
        done = "integree" if action == "integrer" else "ecartee"
        return see_other(f"{base(managed.commune)}/{sheet.number}?ok={done}#section-financement")

    @get("/{number:int}/versions")
    def versions(self, request: Request, db: DB, slug: FromPath[str], number: FromPath[int]) -> Template:
        managed = managed_commune(request, db, slug, MANAGE_SHEETS)
        sheet = load_sheet(db, managed, number)
        versions = services.versions_of(db, sheet)
        authors = dict(db.execute(select(User.id, User.display_name).where(
            User.id.in_({v.author_id for v in versions if v.author_id}))).all())
        return page("sheets/manage_versions.html", **managed.context(), base=base(managed.commune), sheet=sheet,
                    versions=versions, authors=authors, titles={**rules.SECTION_TITLES, "maturite": "Maturité"})

    @get("/{number:int}/versions/comparer")
    def compare(self, request: Request, db: DB, slug: FromPath[str], number: FromPath[int], de: FromQuery[str] = "",
                a: FromQuery[str] = "") -> Template:
        managed = managed_commune(request, db, slug, MANAGE_SHEETS)
        sheet = load_sheet(db, managed, number)

        def side(text: str):
            """(number or None for the current state, snapshot)."""
            if text in ("", "actuel"):
                return None, snapshot.load(db, sheet)
            if not text.isdigit() or len(text) > 9:
                raise NotFound(NO_VERSION)
            version = get_or_404(services.version_in(db, sheet, int(text)), NO_VERSION)
            return version.number, snapshot.loads(version.snapshot)

        latest = str(sheet.version) if sheet.version else "actuel"  # by default: what changed since the last version
        (old_number, old), (new_number, new) = side(de or latest), side(a)
        return page("sheets/manage_compare.html", **managed.context(), base=base(managed.commune), sheet=sheet,
                    changes=rules.compare(old, new), old_label=version_label(old_number),
                    new_label=version_label(new_number), versions=services.versions_of(db, sheet),
                    de=str(old_number or "actuel"), a=str(new_number or "actuel"))

