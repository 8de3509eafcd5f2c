"""Unit tests for who may grant which role where (revital.permissions.grantable_roles): pure."""

import pytest

from revital.permissions import (
    COMMUNE_ADMIN,
    COORDINATOR,
    FACILITATOR,
    PARTNER,
    RESIDENT,
    STUDENT,
    SUPERVISOR,
    CommuneScope,
    Grant,
    Principal,
    can_grant,
    grantable_roles,
)

COMMUNE = CommuneScope(id=100, territory_id=10, partner_organisation_ids=frozenset({1000}))


def who(*grants):
    return Principal(user_id=1, grants=frozenset(grants))


@pytest.mark.parametrize("grant, roles", [
    (Grant(COORDINATOR, territory_id=10), [COMMUNE_ADMIN, FACILITATOR, STUDENT, SUPERVISOR]),
    (Grant(SUPERVISOR, commune_id=100), []),
    (Grant(COMMUNE_ADMIN, commune_id=100), [FACILITATOR]),
    (Grant(FACILITATOR, commune_id=100), []),
    (Grant(STUDENT, commune_id=100), []),
    (Grant(PARTNER, organisation_id=1000), []),
    (Grant(RESIDENT, commune_id=100), []),
    (Grant(COORDINATOR, territory_id=20), []),  # another territory's coordinator
    (Grant(COMMUNE_ADMIN, commune_id=200), []),  # another commune's admin
])
def test_who_may_grant_what(grant, roles):
    assert grantable_roles(who(grant), COMMUNE) == roles


def test_roles_add_up_and_nobody_grants_coordinator_or_partner_here():
    both = who(Grant(COMMUNE_ADMIN, commune_id=100), Grant(COORDINATOR, territory_id=10))
    assert grantable_roles(both, COMMUNE) == [COMMUNE_ADMIN, FACILITATOR, STUDENT, SUPERVISOR]
    assert not can_grant(both, COORDINATOR, COMMUNE) and not can_grant(both, PARTNER, COMMUNE)
    assert not can_grant(both, "superuser", COMMUNE)
    assert grantable_roles(Principal(), COMMUNE) == []
