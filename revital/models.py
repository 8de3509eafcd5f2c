"""Every model, imported in one place for Alembic and the tests."""

from revital.accounts.models import RoleGrant, Throttle, User, UserSession
from revital.communes.models import Commune, CommunePartner, Organisation, Territory
from revital.db import Base
from revital.geography.models import Place
from revital.localgroups.models import LocalGroup, Member
from revital.process.models import PhaseTransition, Process

__all__ = [
    "Base",
    "Commune",
    "CommunePartner",
    "LocalGroup",
    "Member",
    "Organisation",
    "PhaseTransition",
    "Place",
    "Process",
    "RoleGrant",
    "Territory",
    "Throttle",
    "User",
    "UserSession",
]
