"""Deleting a named place, once confirmed: the place is geography's, and the page says how many
contributions chose it (they keep its name, Contribution.place_name, and their position)."""

from litestar import Controller, Request
from litestar.params import FromPath
from litestar.response import Redirect, Template

from revital.communes.access import managed_commune
from revital.contributions.services import chose_place
from revital.forms import Form
from revital.geography import services
from revital.geography.controllers import load_place
from revital.permissions import MANAGE_PLACES
from revital.routes import DB, get, post
from revital.web import page, see_other


def what_becomes_of(chosen: int, name: str) -> str:
    """What deleting the place does to the contributions that chose it, in French."""
    if chosen == 0:
        return "Aucune contribution n’a choisi ce lieu."
    if chosen == 1:
        return (f"1 contribution a choisi ce lieu : elle garde son nom, « {name} », et sa position, mais ne sera "
                "plus rattachée à un lieu de la liste.")
    return (f"{chosen} contributions ont choisi ce lieu : elles gardent son nom, « {name} », et leur position, "
            "mais ne seront plus rattachées à un lieu de la liste.")


def confirmation_page(db: DB, managed, place) -> Template:
    return page("geography/place_delete.html", **managed.context(), place=place,
                consequence=what_becomes_of(chose_place(db, place.id), place.name))


class PlaceDeletionController(Controller):
    path = "/communes/{slug:str}/gestion/lieux/{place_id:int}/supprimer"

    @get("/")
    def confirm(self, request: Request, db: DB, slug: FromPath[str], place_id: FromPath[int]) -> Template:
        managed = managed_commune(request, db, slug, MANAGE_PLACES)
        commune = managed.commune
        return confirmation_page(db, managed, load_place(db, commune, place_id))

    @post("/")
    def delete(self, request: Request, db: DB, slug: FromPath[str], place_id: FromPath[int], form: Form) -> Template | Redirect:
        managed = managed_commune(request, db, slug, MANAGE_PLACES)
        commune = managed.commune
        place = load_place(db, commune, place_id)
        if form.get("confirm") != "1":  # not sent from the confirmation page: show it
            return confirmation_page(db, managed, place)
        services.delete_place(db, place)
        db.commit()
        return see_other(f"/communes/{commune.slug}/gestion/lieux?ok=lieu-supprime")
