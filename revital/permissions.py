"""Who may do what, where. Pure rules: no web framework, no database.

A person holds role grants, each in a scope: a territory (coordinator), a commune
(commune admin, facilitator, student, supervisor, resident) or an organisation (technical partner,
who acts in every commune that invited the organisation).
"""

from dataclasses import dataclass, field

COORDINATOR = "coordinator"
COMMUNE_ADMIN = "commune_admin"
FACILITATOR = "facilitator"
STUDENT = "student"
SUPERVISOR = "supervisor"
PARTNER = "partner"
RESIDENT = "resident"

ROLES = (COORDINATOR, COMMUNE_ADMIN, FACILITATOR, STUDENT, SUPERVISOR, PARTNER, RESIDENT)

ROLE_LABELS = {
    COORDINATOR: "Chargé·e de mission du territoire",
    COMMUNE_ADMIN: "Commune (élu·e, agent·e)",
    FACILITATOR: "Animateur·rice du groupe local",
    STUDENT: "Étudiant·e",
    SUPERVISOR: "Encadrant·e pédagogique",
    PARTNER: "Partenaire technique",
    RESIDENT: "Habitant·e",
}

# What each scope of grant needs: the grant's scope field for each role.
ROLE_SCOPES = {
    COORDINATOR: "territory",
    COMMUNE_ADMIN: "commune",
    FACILITATOR: "commune",
    STUDENT: "commune",
    SUPERVISOR: "commune",
    PARTNER: "organisation",
    RESIDENT: "commune_optional",
}

# Permissions in a commune, and the roles that hold them there.
VIEW_BACKOFFICE = "view_backoffice"
MANAGE_COMMUNE = "manage_commune"
MANAGE_PROCESS = "manage_process"
MANAGE_LOCAL_GROUP = "manage_local_group"
MANAGE_PERIMETER = "manage_perimeter"
MANAGE_PLACES = "manage_places"
MODERATE = "moderate"
MANAGE_TEAM = "manage_team"
WRITE_JOURNAL = "write_journal"
MANAGE_WORKSHOPS = "manage_workshops"
SEE_INTERNAL_MEETINGS = "see_internal_meetings"
MANAGE_STUDENT_WEEKS = "manage_student_weeks"
STUDENT_WORKSPACE = "student_workspace"
REVIEW_PROPOSALS = "review_proposals"
MANAGE_DIAGNOSTIC = "manage_diagnostic"
MANAGE_PRIORITIES = "manage_priorities"
MANAGE_IDEAS = "manage_ideas"
ANSWER_OFFICIALLY = "answer_officially"
MANAGE_SHEETS = "manage_sheets"
VALIDATE_SHEETS = "validate_sheets"
SEE_SHEETS = "see_sheets"
REVIEW_SHEETS = "review_sheets"
MANAGE_ROADMAP = "manage_roadmap"

PERMISSIONS = {
    VIEW_BACKOFFICE: {COORDINATOR, COMMUNE_ADMIN, FACILITATOR},
    MANAGE_COMMUNE: {COORDINATOR, COMMUNE_ADMIN},
    MANAGE_PROCESS: {COORDINATOR, COMMUNE_ADMIN},
    MANAGE_LOCAL_GROUP: {COORDINATOR, COMMUNE_ADMIN, FACILITATOR},
    MANAGE_PERIMETER: {COORDINATOR, COMMUNE_ADMIN},
    MANAGE_PLACES: {COORDINATOR, COMMUNE_ADMIN, FACILITATOR},
    MODERATE: {COORDINATOR, COMMUNE_ADMIN, FACILITATOR},
    MANAGE_TEAM: {COORDINATOR, COMMUNE_ADMIN},
    # The commune's own voice: written by the commune and its local group's facilitators.
    WRITE_JOURNAL: {COMMUNE_ADMIN, FACILITATOR},
    # The local group runs the workshops; technical meetings and steering committees are seen by
    # the local group and the partners only.
    MANAGE_WORKSHOPS: {COORDINATOR, COMMUNE_ADMIN, FACILITATOR},
    SEE_INTERNAL_MEETINGS: {COORDINATOR, COMMUNE_ADMIN, FACILITATOR, PARTNER},
    # Student weeks: the commune (and the coordinator) set them up, add their members and publish
    # the approved proposals; students and supervisors work in the workspace of the weeks they are
    # members of (revital.students.rules says which week); supervisors review the proposals.
    MANAGE_STUDENT_WEEKS: {COORDINATOR, COMMUNE_ADMIN},
    STUDENT_WORKSPACE: {STUDENT, SUPERVISOR},
    REVIEW_PROPOSALS: {SUPERVISOR},
    # The stakes and the synthesis of the diagnostic: drawn from the contributions by the local
    # group's facilitators and the commune (and the coordinator).
    MANAGE_DIAGNOSTIC: {COORDINATOR, COMMUNE_ADMIN, FACILITATOR},
    # The local group and the commune prioritise the ideas: a workshop's scores, or an online vote.
    MANAGE_PRIORITIES: {COORDINATOR, COMMUNE_ADMIN, FACILITATOR},
    # Emergence: the local group writes the axes and the ideas; the commune decides which ideas
    # are retained and gives its official answers on contributions and ideas.
    MANAGE_IDEAS: {COORDINATOR, COMMUNE_ADMIN, FACILITATOR},
    ANSWER_OFFICIALLY: {COORDINATOR, COMMUNE_ADMIN},
    # Feasibility: the commune and its local group write the action sheets; the commune asks the
    # partners for their opinion and validates or abandons a sheet. Every sheet, drafts included,
    # is seen by them and by the partners the commune invited; a partner gives an opinion only on
    # a sheet its organisation was asked about (revital.sheets.rules says which).
    MANAGE_SHEETS: {COORDINATOR, COMMUNE_ADMIN, FACILITATOR},
    VALIDATE_SHEETS: {COORDINATOR, COMMUNE_ADMIN},
    SEE_SHEETS: {COORDINATOR, COMMUNE_ADMIN, FACILITATOR, PARTNER},
    REVIEW_SHEETS: {PARTNER},
    # Programming and implementation: the commune publishes the roadmap and follows its actions.
    MANAGE_ROADMAP: {COORDINATOR, COMMUNE_ADMIN},
}

# The commune roles each role may grant (by invitation) and take back, in that commune: the
# territory's coordinator every role of the commune's team, the commune its facilitators.
GRANTS = {
    COORDINATOR: (COMMUNE_ADMIN, FACILITATOR, STUDENT, SUPERVISOR),
    COMMUNE_ADMIN: (FACILITATOR,),
}


# Permissions in a territory, and the roles that hold them there.
MANAGE_TERRITORY = "manage_territory"

TERRITORY_PERMISSIONS = {
    MANAGE_TERRITORY: {COORDINATOR},
}

# Who holds a role, as the French for "reserved to …", in the order a sentence names them.
HOLDERS = {
    COMMUNE_ADMIN: "la commune",
    FACILITATOR: "l’animation du groupe local",
    COORDINATOR: "la coordination du territoire",
    STUDENT: "l’équipe des étudiants",
    SUPERVISOR: "les encadrants pédagogiques",
    PARTNER: "les partenaires techniques invités",
    RESIDENT: "les habitants",
}


@dataclass(frozen=True)
class Grant:
    role: str
    territory_id: int | None = None
    commune_id: int | None = None
    organisation_id: int | None = None


@dataclass(frozen=True)
class Principal:
    """The person making a request; user_id None for an anonymous visitor."""

    user_id: int | None = None
    grants: frozenset[Grant] = field(default_factory=frozenset)

    @property
    def authenticated(self) -> bool:
        return self.user_id is not None


ANONYMOUS = Principal()


@dataclass(frozen=True)
class CommuneScope:
    """What the rules need to know of a commune."""

    id: int
    territory_id: int
    partner_organisation_ids: frozenset[int] = frozenset()


def roles_in_commune(principal: Principal, commune: CommuneScope) -> set[str]:
    """The roles a person holds in a commune. Each role counts only through its own scope."""
    roles = set()
    for grant in principal.grants:
        scope = ROLE_SCOPES.get(grant.role)
        if scope == "territory":
            held = grant.territory_id == commune.territory_id
        elif scope == "organisation":
            held = grant.organisation_id in commune.partner_organisation_ids
        else:
            held = grant.commune_id == commune.id
        if held:
            roles.add(grant.role)
    return roles


def can(principal: Principal, permission: str, commune: CommuneScope) -> bool:
    return bool(roles_in_commune(principal, commune) & PERMISSIONS[permission])


def coordinates(principal: Principal, territory_id: int) -> bool:
    return any(
        g.role == COORDINATOR and g.territory_id == territory_id for g in principal.grants
    )


def grantable_roles(principal: Principal, commune: CommuneScope) -> list[str]:
    """The roles this person may grant and revoke in the commune, in the order of ROLES."""
    held = roles_in_commune(principal, commune)
    allowed = {role for holder in held for role in GRANTS.get(holder, ())}
    return [role for role in ROLES if role in allowed]


def can_grant(principal: Principal, role: str, commune: CommuneScope) -> bool:
    return role in grantable_roles(principal, commune)


def can_in_territory(principal: Principal, permission: str, territory_id: int) -> bool:
    held = {COORDINATOR} if coordinates(principal, territory_id) else set()
    return bool(held & TERRITORY_PERMISSIONS[permission])


def refusal(permission: str) -> str:
    """The 403 message for a permission, in French: who may open the page, and whom to ask."""
    roles = PERMISSIONS.get(permission) or TERRITORY_PERMISSIONS[permission]
    holders = [f"à {HOLDERS[role]}" for role in ROLES_IN_SENTENCES if role in roles]
    reserved = holders[0] if len(holders) == 1 else ", ".join(holders[:-1]) + " et " + holders[-1]
    if permission in TERRITORY_PERMISSIONS:
        ask = "Ce rôle est attribué par l’équipe qui administre Revital : demandez-lui l’accès."
    else:
        ask = "Demandez l’accès à la commune ou à la coordination du territoire."
    return f"Votre compte n’a pas accès à cette page : elle est réservée {reserved}. {ask}"


ROLES_IN_SENTENCES = tuple(HOLDERS)


def grant_problem(grant: Grant) -> str | None:
    """Why a grant is malformed, in French, or None if it is well formed."""
    if grant.role not in ROLES:
        return f"Rôle inconnu : {grant.role}. Rôles possibles : {', '.join(ROLES)}."
    scope = ROLE_SCOPES[grant.role]
    given = {
        "territory": grant.territory_id,
        "commune": grant.commune_id,
        "organisation": grant.organisation_id,
    }
    if scope == "commune_optional":
        wanted = set() if grant.commune_id is None else {"commune"}
    else:
        wanted = {scope}
    extra = {name for name, value in given.items() if value is not None} - wanted
    missing = {name for name in wanted if given[name] is None}
    labels = {"territory": "un territoire", "commune": "une commune", "organisation": "une organisation"}
    if missing:
        return f"Le rôle {ROLE_LABELS[grant.role]} demande {labels[min(missing)]}."
    if extra:
        return f"Le rôle {ROLE_LABELS[grant.role]} ne se rattache pas à {labels[min(extra)]}."
    return None
