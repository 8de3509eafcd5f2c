"""Facilitators manage the local group's members; the group as the public commune page shows it (counts, never names)."""

from litestar import Controller, Request
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from revital.communes.access import managed_commune
from revital.forms import Form
from revital.localgroups import services
from revital.localgroups.forms import MEMBER_KINDS, clean_member
from revital.localgroups.models import Member
from revital.permissions import MANAGE_LOCAL_GROUP
from revital.routes import DB, get, post
from revital.web import confirmation, get_or_404, is_fragment_request, page, see_other

MESSAGES = {
    "membre-ajoute": "Le membre a été ajouté au groupe local.",
    "membre-retire": "Le membre a été retiré du groupe local.",
}


def group_page(managed, group, status_code=200, values=None, errors=None, ok=None, fragment=False):
    """The management page, or only its #membres fragment for an htmx request."""
    return page(
        "localgroups/_members.html" if fragment else "localgroups/manage.html",
        status_code=status_code,
        **managed.context(),
        group=group,
        kinds=MEMBER_KINDS,
        values=values or {"kind": "resident"},
        errors=errors or {},
        ok=ok,
    )


def public_panel(db, commune) -> dict:
    """The local group on the public commune page: its name and how many of each kind, never names."""
    group = services.group_of(db, commune.id)
    counts = {}
    for member in group.members if group else []:
        counts[member.kind] = counts.get(member.kind, 0) + 1
    return {"group": group, "member_counts": [(MEMBER_KINDS[k], n) for k, n in sorted(counts.items())]}


class LocalGroupController(Controller):
    path = "/communes/{slug:str}/gestion/groupe-local"

    @get("/")
    def manage(self, request: Request, db: DB, slug: FromPath[str], ok: FromQuery[str] = "") -> Template | Redirect:
        managed = managed_commune(request, db, slug, MANAGE_LOCAL_GROUP)
        return group_page(managed, services.group_of(db, managed.commune.id), ok=confirmation(MESSAGES, ok))

    @post("/membres")
    def add_member(self, request: Request, db: DB, slug: FromPath[str], form: Form) -> Template | Redirect:
        managed = managed_commune(request, db, slug, MANAGE_LOCAL_GROUP)
        commune = managed.commune
        values, errors = clean_member(form)
        errors.update(form.unreadable_errors())
        fragment = is_fragment_request(request)
        if errors:
            return group_page(managed, services.group_of(db, commune.id), 422, values, errors, fragment=fragment)
        group = services.ensure_group(db, commune)
        group.members.append(Member(**values))
        db.commit()
        if fragment:
            db.refresh(group)
            return group_page(managed, group, ok=MESSAGES["membre-ajoute"], fragment=True)
        return see_other(f"/communes/{commune.slug}/gestion/groupe-local?ok=membre-ajoute")

    @post("/membres/{member_id:int}/retirer")
    def remove_member(self, request: Request, db: DB, slug: FromPath[str], member_id: FromPath[int]) -> Template | Redirect:
        managed = managed_commune(request, db, slug, MANAGE_LOCAL_GROUP)
        commune = managed.commune
        group = get_or_404(services.group_of(db, commune.id))
        member = get_or_404(services.member_in(db, group, member_id), "Ce membre ne fait pas partie du groupe local.")
        group.members.remove(member)
        db.commit()
        if is_fragment_request(request):
            return group_page(managed, group, ok=MESSAGES["membre-retire"], fragment=True)
        return see_other(f"/communes/{commune.slug}/gestion/groupe-local?ok=membre-retire")
