"""How residents take part in a commune: moderation mode, whether an account is needed, and the
themes of contributions (codes stable, labels renamed, themes retired). The participation panel of
the back office; a change that published contributions would show is saved only once confirmed."""

from litestar import Controller, Request
from litestar.params import FromPath
from litestar.response import Redirect, Template

from revital.communes.access import Managed, managed_commune
from revital.communes.services import lock
from revital.contributions import themes
from revital.contributions.rules import MODERATION_MODES
from revital.contributions.services import bump_contributions_version, theme_usage
from revital.forms import Form
from revital.permissions import MANAGE_COMMUNE, can
from revital.routes import DB, post
from revital.web import panel_page, see_other

MESSAGES = {"reglages": "Les réglages de la participation sont enregistrés."}


def theme_state(db, commune) -> tuple[list[themes.Theme], dict[str, int]]:
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


def panel(managed: Managed, db, **typed) -> dict | None:
    """The participation panel, for those who may change it (None for the others)."""
    if not can(managed.user.principal, MANAGE_COMMUNE, managed.scope):
        return None
    commune = managed.commune
    context = {
        "modes": MODERATION_MODES,
        "moderation": commune.moderation,
        "need_account": commune.contributions_need_account,
        "theme_rows": theme_rows(*theme_state(db, commune)),
        "new_themes": "",
        "impacts": [],
        "impacts_summary": "",
        "confirm_key": "",
        "theme_max": themes.LABEL_MAX,
        "errors": {},
    }
    context.update(typed)
    return context


class ParticipationController(Controller):
    path = "/communes/{slug:str}/gestion/participation"

    @post("/")
    def save(self, request: Request, db: DB, slug: FromPath[str], form: Form) -> Template | Redirect:
        managed = managed_commune(request, db, slug, MANAGE_COMMUNE)
        commune = managed.commune
        lock(db, commune)  # two people saving at once: the second edits what the first saved
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
            context = panel(managed, db, moderation=moderation, need_account=need_account, new_themes=new_text,
                            theme_rows=theme_rows(current, published, rows), impacts=impacts,
                            impacts_summary=themes.summary(impacts) if impacts else "",
                            confirm_key=themes.confirmation_key(impacts) if impacts else "", errors=errors)
            return panel_page(request, "contributions/_settings_panel.html", "Participation", 422 if errors else 200,
                              **managed.context(), participation=context)
        commune.moderation = moderation
        commune.contributions_need_account = need_account
        stored = themes.dump(edited)
        if stored != commune.categories:
            commune.categories = stored
            bump_contributions_version(db, commune.id)  # the feeds and exports show the labels
        db.commit()
        return see_other(f"/communes/{commune.slug}/gestion?ok=reglages")
