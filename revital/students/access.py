"""Who is asking about a student week: ownership-scoped lookups, first in every handler of the
students' workspace. A week is opened by its members only (a student or supervisor of the week who
holds that role in the commune); for anyone else signed in it does not exist (404), so that no team
learns of another team's drafts; an anonymous visitor is sent to sign in."""

from typing import NamedTuple

from litestar import Request

from revital.communes import services as communes
from revital.communes.access import load_commune
from revital.communes.models import Commune
from revital.permissions import MANAGE_STUDENT_WEEKS, REVIEW_PROPOSALS, STUDENT_WORKSPACE, CommuneScope, can
from revital.students import rules, services
from revital.students.models import Proposal, StudentWeek
from revital.web import CurrentUser, NotFound, get_or_404, principal, require_user

NO_WEEK = "Cette semaine n’existe pas dans cette commune, ou vous n’en faites pas partie."
NO_PROPOSAL = "Cette proposition n’existe pas, ou elle n’est pas publiée."


class Team(NamedTuple):
    """A week seen by one of its members."""

    commune: Commune
    scope: CommuneScope
    week: StudentWeek
    user: CurrentUser
    role: str  # rules.STUDENT or rules.SUPERVISOR

    @property
    def actor(self) -> str | None:
        """Who acts on proposals: a supervisor reviews only while holding the role in the commune."""
        if self.role == rules.SUPERVISOR and not can(self.user.principal, REVIEW_PROPOSALS, self.scope):
            return None
        return self.role

    @property
    def base(self) -> str:
        return workspace_url(self.commune, self.week)

    def context(self) -> dict:
        return {"commune": self.commune, "territory": self.commune.territory, "demo": self.commune.territory.is_demo,
                "week": self.week, "role": self.role, "actor": self.actor, "base": self.base,
                "kinds": rules.KINDS, "statuses": rules.STATUSES, "member_roles": rules.MEMBER_ROLES}


def workspace_url(commune, week) -> str:
    return f"/communes/{commune.slug}/etudiants/semaines/{week.id}/atelier"


def team_week(request: Request, db, slug: str, week_id: int) -> Team:
    commune = load_commune(db, slug)
    user = require_user(request)
    week = get_or_404(services.week_in(db, commune.id, week_id), NO_WEEK)
    scope = communes.scope_of(db, commune)
    role = rules.roles_in_week(user.id, services.members_of(db, week))
    if role is None or not can(user.principal, STUDENT_WORKSPACE, scope):
        raise NotFound(NO_WEEK)
    return Team(commune, scope, week, user, role)


def team_proposal(db, team: Team, proposal_id: int) -> Proposal:
    return get_or_404(services.proposal_in(db, team.week, proposal_id), NO_PROPOSAL)


def may_see(request: Request, db, commune, week: StudentWeek, status: str) -> bool:
    """Whether the person asking may see a proposal (or its images and boards) of this status."""
    if status == rules.PUBLISHED:
        return True
    who = principal(request)
    if who.user_id is None:
        return False
    scope = communes.scope_of(db, commune)
    role = rules.roles_in_week(who.user_id, services.members_of(db, week))
    if role is not None and not can(who, STUDENT_WORKSPACE, scope):
        role = None
    return rules.may_see(status, role, can(who, MANAGE_STUDENT_WEEKS, scope))
