"""Ownership-scoped lookups, first in every handler: the commune or territory at an address, and
the person asking, who must hold a permission there (404 for an unknown address, then 303 to sign
in or 403 saying who grants access)."""

from typing import NamedTuple

from litestar import Request
from sqlalchemy import select
from sqlalchemy.orm import Session

from revital import backoffice
from revital.communes import services
from revital.communes.models import Commune, Territory
from revital.permissions import (
    MANAGE_TERRITORY,
    CommuneScope,
    can_in_territory,
    refusal,
)
from revital.web import CurrentUser, Forbidden, get_or_404, require, require_user

NO_COMMUNE = "Aucune commune ne correspond à cette adresse."
NO_TERRITORY = "Aucun territoire ne correspond à cette adresse."


class Managed(NamedTuple):
    """A commune of the back office, as seen by the person managing it."""

    commune: Commune
    scope: CommuneScope
    user: CurrentUser

    @property
    def tabs(self) -> list[backoffice.Tab]:
        return backoffice.commune_tabs(self.user.principal, self.scope)

    def context(self) -> dict:
        """What every back-office page of the commune shows: its name, territory and menu."""
        commune = self.commune
        return {"commune": commune, "territory": commune.territory, "demo": commune.territory.is_demo,
                "admin_tabs": self.tabs}


def load_commune(db: Session, slug: str) -> Commune:
    return get_or_404(services.commune_by_slug(db, slug), NO_COMMUNE)


def managed_commune(request: Request, db: Session, slug: str, permission: str) -> Managed:
    commune = load_commune(db, slug)
    scope = services.scope_of(db, commune)
    return Managed(commune, scope, require(request, permission, scope))


def load_territory(db: Session, slug: str) -> Territory:
    return get_or_404(db.scalar(select(Territory).where(Territory.slug == slug)), NO_TERRITORY)


def managed_territory(request: Request, db: Session, slug: str,
                      permission: str = MANAGE_TERRITORY) -> tuple[Territory, CurrentUser]:
    territory = load_territory(db, slug)
    user = require_user(request)
    if not can_in_territory(user.principal, permission, territory.id):
        raise Forbidden(refusal(permission))
    return territory, user
