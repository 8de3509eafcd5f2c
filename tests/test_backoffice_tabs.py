"""Unit tests for revital.backoffice (the tabs each person may open) and the refusal messages of
revital.permissions. No HTTP, no database."""

import pytest

from revital import backoffice
from revital.permissions import (
    COMMUNE_ADMIN,
    COORDINATOR,
    FACILITATOR,
    MANAGE_TERRITORY,
    PARTNER,
    PERMISSIONS,
    RESIDENT,
    STUDENT,
    SUPERVISOR,
    TERRITORY_PERMISSIONS,
    CommuneScope,
    Grant,
    Principal,
    can_in_territory,
    refusal,
)
from revital.web import DEFAULT_MESSAGES

COMMUNE = CommuneScope(id=100, territory_id=10, partner_organisation_ids=frozenset({1000}))

GRANTS = {
    COORDINATOR: Grant(COORDINATOR, territory_id=10),
    COMMUNE_ADMIN: Grant(COMMUNE_ADMIN, commune_id=100),
    FACILITATOR: Grant(FACILITATOR, commune_id=100),
    STUDENT: Grant(STUDENT, commune_id=100),
    SUPERVISOR: Grant(SUPERVISOR, commune_id=100),
    PARTNER: Grant(PARTNER, organisation_id=1000),
    RESIDENT: Grant(RESIDENT, commune_id=100),
}

EXPECTED_TABS = {
    COORDINATOR: ["demarche", "groupe", "perimetre", "lieux", "ateliers", "saisie", "moderation", "etudiants",
                  "diagnostic", "pistes", "priorites", "fiches", "feuille", "equipe"],
    COMMUNE_ADMIN: ["demarche", "groupe", "perimetre", "lieux", "ateliers", "saisie", "moderation", "etudiants",
                    "diagnostic", "pistes", "priorites", "fiches", "feuille", "equipe", "journal"],
    FACILITATOR: ["demarche", "groupe", "lieux", "ateliers", "saisie", "moderation", "diagnostic", "pistes", "priorites",
                  "fiches", "journal"],
    STUDENT: [],
    SUPERVISOR: [],
    PARTNER: [],
    RESIDENT: [],
}


def who(role):
    return Principal(user_id=1, grants=frozenset({GRANTS[role]}))


@pytest.mark.parametrize("role", list(GRANTS))
def test_each_role_sees_the_tabs_it_may_open(role):
    assert [tab.key for tab in backoffice.commune_tabs(who(role), COMMUNE)] == EXPECTED_TABS[role]


def test_nobody_sees_tabs_of_a_commune_elsewhere():
    elsewhere = CommuneScope(id=200, territory_id=20)
    assert all(backoffice.commune_tabs(who(role), elsewhere) == [] for role in GRANTS)
    assert backoffice.commune_tabs(Principal(), COMMUNE) == []


def test_every_tab_names_a_known_permission_and_a_page():
    for tab in backoffice.COMMUNE_TABS:
        assert tab.permission in PERMISSIONS
        assert tab.url("/communes/x/gestion").startswith("/communes/x/gestion")
    for tab in backoffice.TERRITORY_TABS:
        assert tab.permission in TERRITORY_PERMISSIONS
    assert len({t.key for t in backoffice.COMMUNE_TABS}) == len(backoffice.COMMUNE_TABS)


def test_only_the_territory_coordinator_sees_the_territory_tabs():
    assert [t.key for t in backoffice.territory_tabs(who(COORDINATOR), 10)] == ["tableau", "communes", "appels", "partenaires"]
    assert backoffice.territory_tabs(who(COORDINATOR), 20) == []
    assert all(backoffice.territory_tabs(who(role), 10) == [] for role in GRANTS if role != COORDINATOR)
    assert can_in_territory(who(COORDINATOR), MANAGE_TERRITORY, 10)


def test_a_refusal_says_who_may_open_the_page_and_whom_to_ask():
    assert refusal("manage_perimeter") == (
        "Votre compte n’a pas accès à cette page : elle est réservée à la commune et à la coordination du "
        "territoire. Demandez l’accès à la commune ou à la coordination du territoire.")
    assert refusal("moderate") == (
        "Votre compte n’a pas accès à cette page : elle est réservée à la commune, à l’animation du groupe local "
        "et à la coordination du territoire. Demandez l’accès à la commune ou à la coordination du territoire.")
    assert refusal(MANAGE_TERRITORY) == (
        "Votre compte n’a pas accès à cette page : elle est réservée à la coordination du territoire. "
        "Ce rôle est attribué par l’équipe qui administre Revital : demandez-lui l’accès.")


def test_every_permission_has_a_refusal_and_the_generic_403_says_whom_to_ask():
    for permission in [*PERMISSIONS, *TERRITORY_PERMISSIONS]:
        assert "Demandez" in refusal(permission) or "demandez" in refusal(permission)
    assert DEFAULT_MESSAGES[403] == ("Votre compte n’a pas accès à cette page. Demandez l’accès à la commune "
                                     "concernée ou à la coordination du territoire.")
