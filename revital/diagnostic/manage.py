"""The Diagnostic tab of a commune's back office: the local group and the commune tick published
contributions (in a list of checkboxes, filtered by kind and theme, a page at a time; or by drawing
an area on the map, which ticks the same checkboxes) and make a new stake of them or add them to a
stake; edit a stake, its sources (remove one; cite a workshop, a student observation or proposal
of the commune); write the synthesis (introduction in Markdown with a preview) and publish it, with
a note on what changed. Every handler starts with the commune looked up for someone who may work
on its diagnostic (403 otherwise); a stake of another commune is a 404."""

from litestar import Controller, Request
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from revital import maps, submissions
from revital.communes.access import Managed, managed_commune
from revital.contributions import rules as contribution_rules
from revital.contributions.services import categories_of
from revital.diagnostic import rules, services
from revital.diagnostic.models import Stake, Synthesis
from revital.forms import Form
from revital.lineage import services as lineage
from revital.lineage.models import CONTRIBUTION, OBSERVATION, PROPOSAL, STAKE, WORKSHOP
from revital.lineage.rules import count_fr
from revital.markdown import render as render_markdown
from revital.permissions import MANAGE_DIAGNOSTIC
from revital.routes import DB, get, post
from revital.text import clean_line, clean_text
from revital.web import confirmation, cursor, get_or_404, page, see_other

MESSAGES = {
    "cree": "L’enjeu est enregistré avec ses sources.",
    "modifie": "L’enjeu est modifié.",
    "ajoutees": "Les contributions cochées sont ajoutées à l’enjeu.",
    "deja": "Les contributions cochées étaient déjà des sources de cet enjeu : rien n’a changé.",
    "source": "La source est ajoutée à l’enjeu.",
    "retiree": "La source est retirée de l’enjeu.",
    "supprime": "L’enjeu est supprimé ; les contributions, elles, restent publiées.",
    "brouillon": "Le brouillon de la synthèse est enregistré. Il n’est pas public tant qu’il n’est pas publié.",
    "publiee": "La synthèse est publiée : elle est sur la page publique du diagnostic.",
}
NO_STAKE = "Cet enjeu n’existe pas dans cette commune."
STALE = ("L’enjeu a été modifié par quelqu’un d’autre depuis l’affichage de cette page : rechargez-la avant de "
         "recommencer. Rien n’a été enregistré.")
STALE_SYNTHESIS = ("La synthèse a été modifiée par quelqu’un d’autre depuis l’affichage de cette page : rechargez-la "
                   "avant de recommencer. Rien n’a été enregistré.")
BLANK = {"theme": "", "afom": "", "title": "", "text": "", "priority": "", "version": "0"}
SOURCE_LABELS = {WORKSHOP: "Un atelier", OBSERVATION: "Une observation des étudiants",
                 PROPOSAL: "Une proposition des étudiants"}


def base(commune) -> str:
    return f"/communes/{commune.slug}/gestion/diagnostic"


def load(db, managed: Managed, stake_id: int) -> Stake:
    return get_or_404(services.stake_in(db, managed.commune.id, stake_id), NO_STAKE)


def number(value: str) -> int | None:
    return cursor(clean_line(value))


def selection_page(request: Request, db, managed: Managed, kind: str = "", theme: str = "", before: int | None = None,
                   checked=(), errors=None, status_code: int = 200, ok=None) -> Template:
    commune = managed.commune
    themes = categories_of(commune)
    kind = kind if kind in contribution_rules.KINDS else ""
    theme = theme if theme in themes else ""
    rows, older = services.selectable(db, commune.id, kind, theme, before)
    stakes = services.stakes_of(db, commune.id)
    fed = lineage.targets_of(db, CONTRIBUTION, [c.id for c in rows])
    counts = {stake_id: sum(len(ids) for ids in by_kind.values())
              for stake_id, by_kind in lineage.sources_of(db, STAKE, [s.id for s in stakes]).items()}
    area = (maps.commune_map(request.app.state.settings, commune, maps.AREA_SELECT, list="selection-contributions")
            if commune.min_lon is not None and any(c.lon is not None for c in rows) else None)
    query = "&".join(f"{k}={v}" for k, v in (("kind", kind), ("theme", theme)) if v)
    return page("diagnostic/manage.html", status_code=status_code, **managed.context(), base=base(commune),
                contributions=rows, older=rows[-1].id if older and rows else None, filters={"kind": kind, "theme": theme},
                query=query, kinds=contribution_rules.KINDS, themes=themes, checked={int(i) for i in checked},
                fed={i: len(by.get(STAKE, [])) for i, by in fed.items()}, stakes=stakes, source_counts=counts,
                afom=rules.AFOM, errors=errors or {}, ok=ok, map=area, count_fr=count_fr,
                versions=services.versions_of(db, commune.id), selection_max=rules.SELECTION_MAX)


def stake_page(db, managed: Managed, values: dict, stake: Stake | None = None, selected=(), errors=None,
               status_code: int = 200, ok=None, source_values=None) -> Template:
    commune = managed.commune
    view = services.views(db, commune, [stake])[0] if stake is not None else None
    chosen = services.published_in(db, commune.id, list(selected)) if selected else []
    return page("diagnostic/stake.html", status_code=status_code, **managed.context(), base=base(commune),
                values={**BLANK, **values}, stake=stake, view=view, selected=chosen, errors=errors or {}, ok=ok,
                stake_errors={k: v for k, v in (errors or {}).items() if k not in ("source", "sources")},
                themes=categories_of(commune), afom=rules.AFOM, priorities=rules.PRIORITIES,
                choices=services.source_choices(db, commune.id) if stake is not None else {},
                source_labels=SOURCE_LABELS, source_values={"kind": "", "source": "", **(source_values or {})},
                kinds=contribution_rules.KINDS)


def values_of(stake: Stake) -> dict:
    return {"theme": stake.theme, "afom": stake.afom, "title": stake.title, "text": stake.text,
            "priority": str(stake.priority or ""), "version": str(stake.version)}


def editor_page(db, managed: Managed, values: dict | None = None, errors=None, status_code: int = 200, ok=None,
                preview: str | None = None) -> Template:
    commune = managed.commune
    versions = services.versions_of(db, commune.id)
    draft, latest = rules.draft_of(versions), rules.latest_published(versions)
    if values is None:
        source = draft or latest
        values = {"introduction": source.introduction if source else "", "version": str(draft.version if draft else 0),
                  "note": draft.note if draft else ""}
    return page("diagnostic/editor.html", status_code=status_code, **managed.context(), base=base(commune),
                draft=draft, latest=latest, versions=versions, number=draft.number if draft else rules.next_number(versions),
                values={"introduction": "", "version": "0", "note": "", **values}, errors=errors or {}, ok=ok,
                preview=preview, stakes=services.stake_count(db, commune.id))


class DiagnosticAdminController(Controller):
    path = "/communes/{slug:str}/gestion/diagnostic"

    @get("/")
    def selection(self, request: Request, db: DB, slug: FromPath[str], kind: FromQuery[str] = "",
                  theme: FromQuery[str] = "", avant: FromQuery[str] = "", ok: FromQuery[str] = "") -> Template:
        managed = managed_commune(request, db, slug, MANAGE_DIAGNOSTIC)
        return selection_page(request, db, managed, kind, theme, cursor(avant), ok=confirmation(MESSAGES, ok))

    @post("/selection")
    def select(self, request: Request, db: DB, slug: FromPath[str], form: Form) -> Template | Redirect:
        """The selection form: "Nouvel enjeu avec la sélection" opens the stake form with the ticked
        contributions; "Ajouter à l’enjeu" links them to the stake chosen."""
        managed = managed_commune(request, db, slug, MANAGE_DIAGNOSTIC)
        commune = managed.commune
        ids, problem = rules.selection_ids(form.getall("contribution"))
        kind, theme = clean_line(form.get("kind")), clean_line(form.get("theme"))
        problem = problem or services.check_selection(db, commune.id, ids)
        action = form.get("action", "")
        stake = None
        if action == "add" and problem is None:
            stake_id = number(form.get("stake", ""))
            stake = services.stake_in(db, commune.id, stake_id) if stake_id else None
            if stake is None:
                problem = "Choisissez l’enjeu auquel ajouter les contributions cochées."
        elif action != "add" and action != "new":
            problem = problem or "Choisissez ce que vous faites de la sélection : un nouvel enjeu, ou l’ajouter à un enjeu."
        if problem:
            valid = [i for i in ids if i > 0]
            return selection_page(request, db, managed, kind, theme, checked=valid, errors={"form": problem},
                                  status_code=422)
        if action == "new":
            return stake_page(db, managed, {}, selected=ids)
        added = services.add_contributions(db, stake, ids, managed.user.id, request.app.state.settings.base_url)
        db.commit()
        return see_other(f"{base(commune)}/enjeux/{stake.id}?ok={'ajoutees' if added else 'deja'}")

    @get("/enjeux/nouveau")
    def new(self, request: Request, db: DB, slug: FromPath[str]) -> Template:
        managed = managed_commune(request, db, slug, MANAGE_DIAGNOSTIC)
        return stake_page(db, managed, {})

    @post("/enjeux/nouveau")
    def create(self, request: Request, db: DB, slug: FromPath[str], form: Form) -> Template | Redirect:
        managed = managed_commune(request, db, slug, MANAGE_DIAGNOSTIC)
        commune = managed.commune
        fields, errors = rules.clean_stake(form, categories_of(commune))
        errors.update(form.unreadable_errors())
        ids, problem = rules.selection_ids(form.getall("contribution"))
        if problem is None and ids:
            problem = services.check_selection(db, commune.id, ids)
        if problem:
            errors["form"] = problem
        if errors:
            return stake_page(db, managed, {name: form.get(name, "") for name in BLANK},
                              selected=[i for i in ids if i > 0], errors=errors, status_code=422)
        key = submissions.key_of(form)
        if (gone := submissions.taken(db, key)) is not None:  # sent twice: the first made it
            db.rollback()
            return see_other(gone or base(commune))
        stake = services.create_stake(db, commune.id, fields, ids, managed.user.id,
                                      request.app.state.settings.base_url)
        submissions.finish(db, key, target := f"{base(commune)}/enjeux/{stake.id}?ok=cree")
        db.commit()
        return see_other(target)

    @get("/enjeux/{stake_id:int}")
    def edit(self, request: Request, db: DB, slug: FromPath[str], stake_id: FromPath[int], ok: FromQuery[str] = "") -> Template:
        managed = managed_commune(request, db, slug, MANAGE_DIAGNOSTIC)
        stake = load(db, managed, stake_id)
        return stake_page(db, managed, values_of(stake), stake, ok=confirmation(MESSAGES, ok))

    @post("/enjeux/{stake_id:int}")
    def update(self, request: Request, db: DB, slug: FromPath[str], stake_id: FromPath[int], form: Form) -> Template | Redirect:
        managed = managed_commune(request, db, slug, MANAGE_DIAGNOSTIC)
        stake = load(db, managed, stake_id)
        fields, errors = rules.clean_stake(form, categories_of(managed.commune))
        errors.update(form.unreadable_errors())
        values = {name: form.get(name, "") for name in BLANK}
        if errors:
            return stake_page(db, managed, values, stake, errors=errors, status_code=422)
        seen = int(values["version"]) if values["version"].isdigit() else -1
        if services.lock(db, Stake, stake.id) != seen:
            db.rollback()
            return stake_page(db, managed, values, load(db, managed, stake_id), errors={"form": STALE}, status_code=409)
        services.write_stake(stake, fields)
        db.commit()
        return see_other(f"{base(managed.commune)}/enjeux/{stake.id}?ok=modifie")

    @post("/enjeux/{stake_id:int}/sources")
    def add_source(self, request: Request, db: DB, slug: FromPath[str], stake_id: FromPath[int],
                   form: Form) -> Template | Redirect:
        managed = managed_commune(request, db, slug, MANAGE_DIAGNOSTIC)
        stake = load(db, managed, stake_id)
        kind, source = clean_line(form.get("kind")), number(form.get("source", ""))
        if kind not in SOURCE_LABELS:
            problem = "Choisissez le genre de source : un atelier, une observation ou une proposition des étudiants."
        elif source is None:
            problem = "Choisissez la source dans la liste."
        else:
            problem = services.source_problem(db, managed.commune.id, kind, source)
        if problem:
            return stake_page(db, managed, values_of(stake), stake, errors={"source": problem}, status_code=422,
                              source_values={"kind": kind, "source": str(source or "")})
        services.add_source(db, stake, kind, source, managed.user.id)
        db.commit()
        return see_other(f"{base(managed.commune)}/enjeux/{stake.id}?ok=source#sources")

    @post("/enjeux/{stake_id:int}/sources/retirer")
    def remove_source(self, request: Request, db: DB, slug: FromPath[str], stake_id: FromPath[int],
                      form: Form) -> Template | Redirect:
        managed = managed_commune(request, db, slug, MANAGE_DIAGNOSTIC)
        stake = load(db, managed, stake_id)
        kind, source = clean_line(form.get("kind")), number(form.get("source", ""))
        if kind not in services.SOURCE_KINDS or source is None or not services.remove_source(db, stake, kind, source):
            return stake_page(db, managed, values_of(stake), stake, status_code=422,
                              errors={"sources": "Cette source n’est pas, ou plus, liée à cet enjeu."})
        db.commit()
        return see_other(f"{base(managed.commune)}/enjeux/{stake.id}?ok=retiree#sources")

    @post("/enjeux/{stake_id:int}/supprimer")
    def delete(self, request: Request, db: DB, slug: FromPath[str], stake_id: FromPath[int]) -> Redirect:
        managed = managed_commune(request, db, slug, MANAGE_DIAGNOSTIC)
        services.delete_stake(db, load(db, managed, stake_id))
        db.commit()
        return see_other(f"{base(managed.commune)}?ok=supprime")

    @get("/synthese")
    def editor(self, request: Request, db: DB, slug: FromPath[str], ok: FromQuery[str] = "") -> Template:
        managed = managed_commune(request, db, slug, MANAGE_DIAGNOSTIC)
        return editor_page(db, managed, ok=confirmation(MESSAGES, ok))

    @post("/synthese")
    def save(self, request: Request, db: DB, slug: FromPath[str], form: Form) -> Template | Redirect:
        """Save the draft (made on the first save, a copy of the last published version), or show
        the introduction's preview (nothing written)."""
        managed = managed_commune(request, db, slug, MANAGE_DIAGNOSTIC)
        introduction, problem = rules.clean_introduction(form.get("introduction"))
        values = {"introduction": introduction, "version": form.get("version", "0"), "note": clean_text(form.get("note"))}
        errors = {"introduction": problem} if problem else {}
        errors.update(form.unreadable_errors())
        if errors:
            return editor_page(db, managed, values, errors, 422)
        if form.get("action") == "preview":
            return editor_page(db, managed, values, preview=render_markdown(introduction))
        if not self.fresh(db, managed, values["version"]):
            db.rollback()
            return editor_page(db, managed, values, {"form": STALE_SYNTHESIS}, 409)
        draft = services.draft_for(db, managed.commune.id, managed.user.id)
        services.save_introduction(draft, introduction, managed.user.id)
        db.commit()
        return see_other(f"{base(managed.commune)}/synthese?ok=brouillon")

    @staticmethod
    def fresh(db, managed: Managed, version: str) -> bool:
        """The draft is as the form saw it (version 0: there was no draft then)."""
        draft = rules.draft_of(services.versions_of(db, managed.commune.id))
        seen = int(version) if version.isdigit() else -1
        return (services.lock(db, Synthesis, draft.id) if draft else 0) == seen

    @post("/synthese/publier")
    def publish(self, request: Request, db: DB, slug: FromPath[str], form: Form) -> Template | Redirect:
        managed = managed_commune(request, db, slug, MANAGE_DIAGNOSTIC)
        commune = managed.commune
        versions = services.versions_of(db, commune.id)
        draft, latest = rules.draft_of(versions), rules.latest_published(versions)
        note = clean_text(form.get("note"))
        values = {"introduction": draft.introduction if draft else "", "version": str(draft.version if draft else 0),
                  "note": note}
        if draft is None:
            return editor_page(db, managed, values, {"form": "Enregistrez d’abord le brouillon de la synthèse : "
                                                     "il n’y a rien à publier."}, 422)
        errors = rules.publish_problems(draft.introduction, services.stake_count(db, commune.id), latest is None, note)
        errors.update(form.unreadable_errors())
        if errors:
            return editor_page(db, managed, values, errors, 422)
        if not self.fresh(db, managed, form.get("version", "")):
            db.rollback()
            return editor_page(db, managed, values, {"form": STALE_SYNTHESIS}, 409)
        services.publish(db, commune, draft, note, managed.user.id)
        db.commit()
        return see_other(f"{base(commune)}/synthese?ok=publiee")
