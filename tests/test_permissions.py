"""Unit tests for revital.permissions: pure rules, no HTTP, no database."""

import pytest

from revital.permissions import (
    ANONYMOUS,
    ANSWER_OFFICIALLY,
    MANAGE_ROADMAP,
    MANAGE_SHEETS,
    REVIEW_SHEETS,
    SEE_SHEETS,
    VALIDATE_SHEETS,
    COMMUNE_ADMIN,
    COORDINATOR,
    FACILITATOR,
    MANAGE_COMMUNE,
    MANAGE_DIAGNOSTIC,
    MANAGE_IDEAS,
    MANAGE_LOCAL_GROUP,
    MANAGE_PERIMETER,
    MANAGE_PLACES,
    MANAGE_PRIORITIES,
    MANAGE_PROCESS,
    MANAGE_STUDENT_WEEKS,
    MANAGE_TEAM,
    MANAGE_WORKSHOPS,
    MODERATE,
    PARTNER,
    PERMISSIONS,
    RESIDENT,
    REVIEW_PROPOSALS,
    ROLE_LABELS,
    ROLE_SCOPES,
    ROLES,
    SEE_INTERNAL_MEETINGS,
    STUDENT,
    STUDENT_WORKSPACE,
    SUPERVISOR,
    VIEW_BACKOFFICE,
    WRITE_JOURNAL,
    CommuneScope,
    Grant,
    Principal,
    can,
    coordinates,
    grant_problem,
    roles_in_commune,
)

TERRITORY = 10
OTHER_TERRITORY = 20
COMMUNE_ID = 100
OTHER_COMMUNE_ID = 200
INVITED_ORG = 1000
OTHER_ORG = 2000

COMMUNE = CommuneScope(id=COMMUNE_ID, territory_id=TERRITORY, partner_organisation_ids=frozenset({INVITED_ORG}))
OTHER_COMMUNE = CommuneScope(id=OTHER_COMMUNE_ID, territory_id=OTHER_TERRITORY)
# A commune of the same territory, that did not invite the organisation.
SIBLING_COMMUNE = CommuneScope(id=300, territory_id=TERRITORY)

# The permissions that manage something of the commune (its back office).
MANAGING = (VIEW_BACKOFFICE, MANAGE_COMMUNE, MANAGE_PROCESS, MANAGE_LOCAL_GROUP, MANAGE_PERIMETER, MANAGE_PLACES, MODERATE,
            MANAGE_TEAM, WRITE_JOURNAL, MANAGE_WORKSHOPS, MANAGE_STUDENT_WEEKS, MANAGE_IDEAS, ANSWER_OFFICIALLY,
            MANAGE_DIAGNOSTIC, MANAGE_PRIORITIES, MANAGE_SHEETS, VALIDATE_SHEETS, MANAGE_ROADMAP)
ALL_PERMISSIONS = MANAGING + (SEE_INTERNAL_MEETINGS, STUDENT_WORKSPACE, REVIEW_PROPOSALS, SEE_SHEETS, REVIEW_SHEETS)
COMMUNE_ROLES = (COMMUNE_ADMIN, FACILITATOR, STUDENT, SUPERVISOR, RESIDENT)


def principal(*grants: Grant, user_id: int = 1) -> Principal:
    return Principal(user_id=user_id, grants=frozenset(grants))


# What each role may do in the commune where it holds.
EXPECTED = {
    COORDINATOR: {VIEW_BACKOFFICE, MANAGE_COMMUNE, MANAGE_PROCESS, MANAGE_LOCAL_GROUP, MANAGE_PERIMETER, MANAGE_PLACES, MODERATE,
                  MANAGE_TEAM, MANAGE_WORKSHOPS, SEE_INTERNAL_MEETINGS, MANAGE_STUDENT_WEEKS, MANAGE_IDEAS,
                  ANSWER_OFFICIALLY, MANAGE_DIAGNOSTIC, MANAGE_PRIORITIES, MANAGE_SHEETS, VALIDATE_SHEETS, SEE_SHEETS,
                  MANAGE_ROADMAP},
    COMMUNE_ADMIN: {VIEW_BACKOFFICE, MANAGE_COMMUNE, MANAGE_PROCESS, MANAGE_LOCAL_GROUP, MANAGE_PERIMETER, MANAGE_PLACES, MODERATE,
                    MANAGE_TEAM, WRITE_JOURNAL, MANAGE_WORKSHOPS, SEE_INTERNAL_MEETINGS, MANAGE_STUDENT_WEEKS, MANAGE_IDEAS,
                    ANSWER_OFFICIALLY, MANAGE_DIAGNOSTIC, MANAGE_PRIORITIES, MANAGE_SHEETS, VALIDATE_SHEETS,
                    SEE_SHEETS, MANAGE_ROADMAP},
    # The local group writes the axes and ideas; the commune alone decides and answers officially.
    FACILITATOR: {VIEW_BACKOFFICE, MANAGE_LOCAL_GROUP, MANAGE_PLACES, MODERATE, WRITE_JOURNAL, MANAGE_WORKSHOPS,
                  SEE_INTERNAL_MEETINGS, MANAGE_IDEAS, MANAGE_DIAGNOSTIC, MANAGE_PRIORITIES, MANAGE_SHEETS,
                  SEE_SHEETS},
    STUDENT: {STUDENT_WORKSPACE},
    SUPERVISOR: {STUDENT_WORKSPACE, REVIEW_PROPOSALS},
    PARTNER: {SEE_INTERNAL_MEETINGS, SEE_SHEETS, REVIEW_SHEETS},
    RESIDENT: set(),
}

GRANT_HERE = {
    COORDINATOR: Grant(COORDINATOR, territory_id=TERRITORY),
    COMMUNE_ADMIN: Grant(COMMUNE_ADMIN, commune_id=COMMUNE_ID),
    FACILITATOR: Grant(FACILITATOR, commune_id=COMMUNE_ID),
    STUDENT: Grant(STUDENT, commune_id=COMMUNE_ID),
    SUPERVISOR: Grant(SUPERVISOR, commune_id=COMMUNE_ID),
    PARTNER: Grant(PARTNER, organisation_id=INVITED_ORG),
    RESIDENT: Grant(RESIDENT, commune_id=COMMUNE_ID),
}

GRANT_ELSEWHERE = {
    COORDINATOR: Grant(COORDINATOR, territory_id=OTHER_TERRITORY),
    COMMUNE_ADMIN: Grant(COMMUNE_ADMIN, commune_id=OTHER_COMMUNE_ID),
    FACILITATOR: Grant(FACILITATOR, commune_id=OTHER_COMMUNE_ID),
    STUDENT: Grant(STUDENT, commune_id=OTHER_COMMUNE_ID),
    SUPERVISOR: Grant(SUPERVISOR, commune_id=OTHER_COMMUNE_ID),
    PARTNER: Grant(PARTNER, organisation_id=OTHER_ORG),
    RESIDENT: Grant(RESIDENT, commune_id=OTHER_COMMUNE_ID),
}


# --- Principal ------------------------------------------------------------------------


def test_anonymous_is_not_authenticated_and_has_no_grants():
    assert ANONYMOUS.authenticated is False
    assert ANONYMOUS.user_id is None
    assert ANONYMOUS.grants == frozenset()


def test_principal_with_user_id_is_authenticated_even_without_grants():
    assert Principal(user_id=7).authenticated is True


def test_user_id_zero_counts_as_authenticated():
    assert Principal(user_id=0).authenticated is True


# --- roles_in_commune -----------------------------------------------------------------


def test_anonymous_has_no_role_anywhere():
    assert roles_in_commune(ANONYMOUS, COMMUNE) == set()
    assert roles_in_commune(ANONYMOUS, OTHER_COMMUNE) == set()


@pytest.mark.parametrize("role", ROLES)
def test_role_held_in_its_own_scope(role):
    assert roles_in_commune(principal(GRANT_HERE[role]), COMMUNE) == {role}


@pytest.mark.parametrize("role", ROLES)
def test_role_not_held_outside_its_scope(role):
    assert roles_in_commune(principal(GRANT_ELSEWHERE[role]), COMMUNE) == set()


def test_coordinator_holds_in_every_commune_of_the_territory():
    p = principal(Grant(COORDINATOR, territory_id=TERRITORY))
    assert roles_in_commune(p, COMMUNE) == {COORDINATOR}
    assert roles_in_commune(p, SIBLING_COMMUNE) == {COORDINATOR}
    assert roles_in_commune(p, OTHER_COMMUNE) == set()


def test_coordinator_territory_id_must_match_not_commune_id():
    # A coordinator of territory 100 is not a coordinator of the commune whose id is 100.
    p = principal(Grant(COORDINATOR, territory_id=COMMUNE_ID))
    assert roles_in_commune(p, COMMUNE) == set()


def test_commune_role_does_not_leak_to_other_communes_of_the_territory():
    p = principal(Grant(COMMUNE_ADMIN, commune_id=COMMUNE_ID))
    assert roles_in_commune(p, SIBLING_COMMUNE) == set()


def test_partner_holds_only_where_organisation_is_invited():
    p = principal(Grant(PARTNER, organisation_id=INVITED_ORG))
    assert roles_in_commune(p, COMMUNE) == {PARTNER}
    assert roles_in_commune(p, SIBLING_COMMUNE) == set()
    assert roles_in_commune(p, OTHER_COMMUNE) == set()


def test_partner_holds_wherever_the_organisation_is_invited():
    p = principal(Grant(PARTNER, organisation_id=INVITED_ORG))
    also_invites = CommuneScope(id=400, territory_id=OTHER_TERRITORY, partner_organisation_ids=frozenset({3, INVITED_ORG}))
    assert roles_in_commune(p, also_invites) == {PARTNER}


def test_partner_grant_with_commune_id_does_not_give_partner_role_by_commune():
    # Partner grants are scoped by organisation; a stray commune_id must not count.
    p = principal(Grant(PARTNER, commune_id=COMMUNE_ID, organisation_id=OTHER_ORG))
    assert roles_in_commune(p, COMMUNE) == set()
    p = principal(Grant(PARTNER, commune_id=COMMUNE_ID))
    assert roles_in_commune(p, COMMUNE) == set()


def test_partner_without_organisation_holds_nowhere():
    p = principal(Grant(PARTNER))
    assert roles_in_commune(p, COMMUNE) == set()


def test_resident_without_commune_holds_no_role_in_any_commune():
    p = principal(Grant(RESIDENT))
    assert roles_in_commune(p, COMMUNE) == set()
    assert roles_in_commune(p, OTHER_COMMUNE) == set()


def test_several_grants_combine():
    p = principal(
        Grant(FACILITATOR, commune_id=COMMUNE_ID),
        Grant(RESIDENT, commune_id=COMMUNE_ID),
        Grant(PARTNER, organisation_id=INVITED_ORG),
        Grant(COMMUNE_ADMIN, commune_id=OTHER_COMMUNE_ID),
    )
    assert roles_in_commune(p, COMMUNE) == {FACILITATOR, RESIDENT, PARTNER}
    assert roles_in_commune(p, OTHER_COMMUNE) == {COMMUNE_ADMIN}


def test_roles_in_commune_returns_a_fresh_set():
    p = principal(GRANT_HERE[FACILITATOR])
    roles = roles_in_commune(p, COMMUNE)
    roles.add(COORDINATOR)
    assert roles_in_commune(p, COMMUNE) == {FACILITATOR}


# --- can ------------------------------------------------------------------------------


@pytest.mark.parametrize("permission", ALL_PERMISSIONS)
def test_anonymous_can_nothing(permission):
    assert can(ANONYMOUS, permission, COMMUNE) is False


@pytest.mark.parametrize("permission", ALL_PERMISSIONS)
def test_authenticated_without_grants_can_nothing(permission):
    assert can(Principal(user_id=1), permission, COMMUNE) is False


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("permission", ALL_PERMISSIONS)
def test_can_in_own_commune(role, permission):
    assert can(principal(GRANT_HERE[role]), permission, COMMUNE) is (permission in EXPECTED[role])


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("permission", ALL_PERMISSIONS)
def test_cannot_in_another_commune(role, permission):
    # The grant in another scope gives nothing here...
    assert can(principal(GRANT_ELSEWHERE[role]), permission, COMMUNE) is False
    # ...and the grant here gives nothing in a commune of another territory.
    assert can(principal(GRANT_HERE[role]), permission, OTHER_COMMUNE) is False


def test_coordinator_can_everything_in_own_territory_only():
    p = principal(Grant(COORDINATOR, territory_id=TERRITORY))
    # not the journal (the commune's voice), nor the students' workspace and review (a week's team),
    # nor a partner's opinion on a sheet
    for permission in set(ALL_PERMISSIONS) - {WRITE_JOURNAL, STUDENT_WORKSPACE, REVIEW_PROPOSALS, REVIEW_SHEETS}:
        assert can(p, permission, COMMUNE)
        assert can(p, permission, SIBLING_COMMUNE)
        assert not can(p, permission, OTHER_COMMUNE)


def test_the_journal_is_written_by_the_commune_and_its_facilitators_only():
    assert not can(principal(Grant(COORDINATOR, territory_id=TERRITORY)), WRITE_JOURNAL, COMMUNE)
    assert can(principal(Grant(FACILITATOR, commune_id=COMMUNE_ID)), WRITE_JOURNAL, COMMUNE)
    assert can(principal(Grant(COMMUNE_ADMIN, commune_id=COMMUNE_ID)), WRITE_JOURNAL, COMMUNE)
    assert not can(principal(Grant(COMMUNE_ADMIN, commune_id=OTHER_COMMUNE_ID)), WRITE_JOURNAL, COMMUNE)


def test_facilitator_manages_local_group_but_not_process_or_commune():
    p = principal(Grant(FACILITATOR, commune_id=COMMUNE_ID))
    assert can(p, MANAGE_LOCAL_GROUP, COMMUNE)
    assert can(p, VIEW_BACKOFFICE, COMMUNE)
    assert not can(p, MANAGE_PROCESS, COMMUNE)
    assert not can(p, MANAGE_COMMUNE, COMMUNE)


def test_commune_admin_manages_its_commune_not_the_neighbour():
    p = principal(Grant(COMMUNE_ADMIN, commune_id=COMMUNE_ID))
    assert can(p, MANAGE_COMMUNE, COMMUNE)
    assert can(p, MANAGE_PROCESS, COMMUNE)
    assert not can(p, MANAGE_COMMUNE, SIBLING_COMMUNE)
    assert not can(p, MANAGE_PROCESS, SIBLING_COMMUNE)


def test_invited_partner_manages_nothing():
    p = principal(Grant(PARTNER, organisation_id=INVITED_ORG))
    assert roles_in_commune(p, COMMUNE) == {PARTNER}  # the role is there...
    assert not any(can(p, perm, COMMUNE) for perm in MANAGING)  # ...but it manages nothing
    assert can(p, SEE_INTERNAL_MEETINGS, COMMUNE)


def test_weak_roles_do_not_add_up_to_a_permission():
    p = principal(*(Grant(role, commune_id=COMMUNE_ID) for role in (STUDENT, SUPERVISOR, RESIDENT)),
                  Grant(PARTNER, organisation_id=INVITED_ORG))
    assert not any(can(p, perm, COMMUNE) for perm in MANAGING)


def test_one_strong_grant_among_weak_ones_is_enough():
    p = principal(
        Grant(RESIDENT, commune_id=COMMUNE_ID),
        Grant(FACILITATOR, commune_id=COMMUNE_ID),
    )
    assert can(p, MANAGE_LOCAL_GROUP, COMMUNE)
    assert not can(p, MANAGE_PROCESS, COMMUNE)


def test_can_unknown_permission_raises():
    with pytest.raises(KeyError):
        can(principal(GRANT_HERE[COORDINATOR]), "delete_everything", COMMUNE)


# --- the PERMISSIONS table ------------------------------------------------------------


def test_permissions_table_has_exactly_the_known_permissions():
    assert set(PERMISSIONS) == set(ALL_PERMISSIONS)


def test_permissions_table_only_names_known_roles():
    for roles in PERMISSIONS.values():
        assert roles <= set(ROLES)


@pytest.mark.parametrize("role", ROLES)
def test_permissions_table_per_role(role):
    held = {perm for perm, roles in PERMISSIONS.items() if role in roles}
    assert held == EXPECTED[role]


@pytest.mark.parametrize("role", (PARTNER, STUDENT, SUPERVISOR, RESIDENT))
def test_partner_student_supervisor_resident_manage_nothing(role):
    assert all(role not in PERMISSIONS[perm] for perm in MANAGING)


def test_supervisor_is_a_role_of_its_own():
    assert ROLE_LABELS[STUDENT] == "Étudiant·e" and ROLE_LABELS[SUPERVISOR] == "Encadrant·e pédagogique"
    assert ROLE_SCOPES[SUPERVISOR] == "commune"
    assert STUDENT not in PERMISSIONS[REVIEW_PROPOSALS] and SUPERVISOR in PERMISSIONS[REVIEW_PROPOSALS]


def test_facilitator_in_table():
    assert FACILITATOR in PERMISSIONS[MANAGE_LOCAL_GROUP]
    assert FACILITATOR in PERMISSIONS[VIEW_BACKOFFICE]
    assert FACILITATOR not in PERMISSIONS[MANAGE_PROCESS]
    assert FACILITATOR not in PERMISSIONS[MANAGE_COMMUNE]


def test_whoever_manages_anything_may_view_backoffice():
    for perm in (MANAGE_COMMUNE, MANAGE_PROCESS, MANAGE_LOCAL_GROUP, MANAGE_PERIMETER, MANAGE_PLACES, MODERATE):
        assert PERMISSIONS[perm] <= PERMISSIONS[VIEW_BACKOFFICE]


def test_every_role_has_a_label_and_a_scope():
    assert set(ROLE_LABELS) == set(ROLES)
    assert set(ROLE_SCOPES) == set(ROLES)
    assert ROLE_SCOPES[PARTNER] == "organisation"
    assert ROLE_SCOPES[COORDINATOR] == "territory"
    assert ROLE_SCOPES[RESIDENT] == "commune_optional"


# --- coordinates ----------------------------------------------------------------------


def test_coordinates_own_territory():
    p = principal(Grant(COORDINATOR, territory_id=TERRITORY))
    assert coordinates(p, TERRITORY) is True
    assert coordinates(p, OTHER_TERRITORY) is False


def test_coordinates_false_for_anonymous():
    assert coordinates(ANONYMOUS, TERRITORY) is False


@pytest.mark.parametrize("role", (COMMUNE_ADMIN, FACILITATOR, STUDENT, SUPERVISOR, PARTNER, RESIDENT))
def test_coordinates_false_for_other_roles_even_with_territory_id(role):
    p = principal(Grant(role, territory_id=TERRITORY, commune_id=COMMUNE_ID))
    assert coordinates(p, TERRITORY) is False


def test_coordinates_with_several_territories():
    p = principal(Grant(COORDINATOR, territory_id=TERRITORY), Grant(COORDINATOR, territory_id=OTHER_TERRITORY))
    assert coordinates(p, TERRITORY)
    assert coordinates(p, OTHER_TERRITORY)
    assert not coordinates(p, 30)


# --- grant_problem --------------------------------------------------------------------


@pytest.mark.parametrize(
    "grant",
    [
        Grant(COORDINATOR, territory_id=TERRITORY),
        Grant(COMMUNE_ADMIN, commune_id=COMMUNE_ID),
        Grant(FACILITATOR, commune_id=COMMUNE_ID),
        Grant(STUDENT, commune_id=COMMUNE_ID),
        Grant(SUPERVISOR, commune_id=COMMUNE_ID),
        Grant(PARTNER, organisation_id=INVITED_ORG),
        Grant(RESIDENT, commune_id=COMMUNE_ID),
        Grant(RESIDENT),
    ],
)
def test_well_formed_grants(grant):
    assert grant_problem(grant) is None


def test_unknown_role():
    problem = grant_problem(Grant("mayor", commune_id=COMMUNE_ID))
    assert problem is not None
    assert problem.startswith("Rôle inconnu : mayor.")
    assert "Rôles possibles : " + ", ".join(ROLES) + "." in problem


def test_empty_role_is_unknown():
    assert grant_problem(Grant("")).startswith("Rôle inconnu")


@pytest.mark.parametrize(
    "role, noun",
    [
        (COORDINATOR, "un territoire"),
        (COMMUNE_ADMIN, "une commune"),
        (FACILITATOR, "une commune"),
        (STUDENT, "une commune"),
        (PARTNER, "une organisation"),
    ],
)
def test_missing_scope(role, noun):
    assert grant_problem(Grant(role)) == f"Le rôle {ROLE_LABELS[role]} demande {noun}."


def test_missing_scope_message_in_french():
    assert grant_problem(Grant(COORDINATOR)) == "Le rôle Chargé·e de mission du territoire demande un territoire."
    assert grant_problem(Grant(PARTNER)) == "Le rôle Partenaire technique demande une organisation."


@pytest.mark.parametrize(
    "grant, noun",
    [
        (Grant(COORDINATOR, territory_id=TERRITORY, commune_id=COMMUNE_ID), "une commune"),
        (Grant(COORDINATOR, territory_id=TERRITORY, organisation_id=INVITED_ORG), "une organisation"),
        (Grant(COMMUNE_ADMIN, commune_id=COMMUNE_ID, territory_id=TERRITORY), "un territoire"),
        (Grant(FACILITATOR, commune_id=COMMUNE_ID, organisation_id=INVITED_ORG), "une organisation"),
        (Grant(STUDENT, commune_id=COMMUNE_ID, territory_id=TERRITORY), "un territoire"),
        (Grant(PARTNER, organisation_id=INVITED_ORG, commune_id=COMMUNE_ID), "une commune"),
        (Grant(PARTNER, organisation_id=INVITED_ORG, territory_id=TERRITORY), "un territoire"),
        (Grant(RESIDENT, commune_id=COMMUNE_ID, territory_id=TERRITORY), "un territoire"),
        (Grant(RESIDENT, organisation_id=INVITED_ORG), "une organisation"),
        (Grant(RESIDENT, territory_id=TERRITORY), "un territoire"),
    ],
)
def test_extra_scope(grant, noun):
    assert grant_problem(grant) == f"Le rôle {ROLE_LABELS[grant.role]} ne se rattache pas à {noun}."


def test_partner_with_commune_instead_of_organisation_reports_the_missing_organisation():
    # Missing scope is reported before extra scope.
    assert grant_problem(Grant(PARTNER, commune_id=COMMUNE_ID)) == (
        "Le rôle Partenaire technique demande une organisation."
    )


def test_coordinator_with_commune_instead_of_territory_reports_missing_territory():
    assert grant_problem(Grant(COORDINATOR, commune_id=COMMUNE_ID)) == (
        "Le rôle Chargé·e de mission du territoire demande un territoire."
    )


def test_two_extra_scopes_names_one_of_them():
    problem = grant_problem(Grant(FACILITATOR, commune_id=COMMUNE_ID, territory_id=TERRITORY, organisation_id=INVITED_ORG))
    assert problem in {
        f"Le rôle {ROLE_LABELS[FACILITATOR]} ne se rattache pas à un territoire.",
        f"Le rôle {ROLE_LABELS[FACILITATOR]} ne se rattache pas à une organisation.",
    }


def test_zero_ids_count_as_given():
    # 0 is a value, not an absence: only None means "no scope".
    assert grant_problem(Grant(COMMUNE_ADMIN, commune_id=0)) is None
    assert grant_problem(Grant(RESIDENT, territory_id=0)) is not None


def test_grants_are_hashable_and_deduplicated():
    p = Principal(user_id=1, grants=frozenset({GRANT_HERE[FACILITATOR], Grant(FACILITATOR, commune_id=COMMUNE_ID)}))
    assert len(p.grants) == 1
