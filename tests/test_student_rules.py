"""The pure rules of student weeks: the life of a proposal, who sees and edits it, the form checks."""

from datetime import date

import pytest

from revital.students import rules
from revital.students.rules import (
    APPROVE,
    APPROVED,
    CHANGES_REQUESTED,
    COMMUNE,
    DRAFT,
    PUBLISH,
    PUBLISHED,
    REQUEST_CHANGES,
    STUDENT,
    SUBMIT,
    SUBMITTED,
    SUPERVISOR,
    UNPUBLISH,
)

ACTORS = (STUDENT, SUPERVISOR, COMMUNE, None)
# Every move allowed: (status, action, actor) -> new status. Anything else is refused.
ALLOWED = {
    (DRAFT, SUBMIT, STUDENT): SUBMITTED,
    (CHANGES_REQUESTED, SUBMIT, STUDENT): SUBMITTED,
    (SUBMITTED, APPROVE, SUPERVISOR): APPROVED,
    (SUBMITTED, REQUEST_CHANGES, SUPERVISOR): CHANGES_REQUESTED,
    (APPROVED, REQUEST_CHANGES, SUPERVISOR): CHANGES_REQUESTED,
    (APPROVED, PUBLISH, COMMUNE): PUBLISHED,
    (PUBLISHED, UNPUBLISH, COMMUNE): APPROVED,
}


@pytest.mark.parametrize("status", list(rules.STATUSES))
@pytest.mark.parametrize("action", list(rules.TRANSITIONS))
@pytest.mark.parametrize("actor", ACTORS)
def test_every_transition_is_allowed_or_refused_with_a_reason(status, action, actor):
    expected = ALLOWED.get((status, action, actor))
    assert rules.next_status(status, action, actor) == expected
    if expected is None:
        assert rules.refusal(status, action, actor)
    else:
        assert rules.refusal(status, action, actor) is None


def test_refusals_say_who_may_act():
    assert rules.refusal(SUBMITTED, APPROVE, STUDENT) == "Seul·e l’encadrant·e de la semaine relit les propositions."
    assert rules.refusal(APPROVED, PUBLISH, SUPERVISOR) == "Seule la commune publie les propositions approuvées."
    assert rules.refusal(PUBLISHED, SUBMIT, STUDENT) == "La proposition est « Publiée » : cette action n’est plus possible."
    assert rules.refusal(DRAFT, "delete", STUDENT) == "Cette action n’existe pas."


def test_a_draft_cannot_be_approved_or_published_without_the_steps_between():
    assert rules.next_status(DRAFT, APPROVE, SUPERVISOR) is None
    assert rules.next_status(DRAFT, PUBLISH, COMMUNE) is None
    assert rules.next_status(SUBMITTED, PUBLISH, COMMUNE) is None


@pytest.mark.parametrize("status", list(rules.STATUSES))
def test_who_sees_a_proposal(status):
    assert rules.may_see(status, STUDENT, False) is True
    assert rules.may_see(status, SUPERVISOR, False) is True
    assert rules.may_see(status, None, True) is (status in (APPROVED, PUBLISHED))
    assert rules.may_see(status, None, False) is (status == PUBLISHED)


@pytest.mark.parametrize("status", list(rules.STATUSES))
def test_only_students_edit_and_only_drafts_or_changes_requested(status):
    assert rules.may_edit(status, STUDENT) is (status in (DRAFT, CHANGES_REQUESTED))
    assert rules.may_edit(status, SUPERVISOR) is False
    assert rules.may_edit(status, None) is False


def test_role_in_week():
    members = {1: STUDENT, 2: SUPERVISOR}
    assert [rules.roles_in_week(i, members) for i in (1, 2, 3, None)] == [STUDENT, SUPERVISOR, None, None]


def test_week_form_checks_each_field_in_french():
    fields, errors = rules.clean_week({"kind": "stage", "title": "", "starts_on": "2026-05-10", "ends_on": "2026-05-01"})
    assert errors == {
        "kind": "Choisissez le type de semaine : immersion ou design territorial.",
        "title": "Donnez un titre à la semaine (par exemple : Semaine d’immersion, printemps 2026).",
        "ends_on": "Le dernier jour vient avant le premier : vérifiez les dates.",
        "school": "Indiquez l’école ou l’université (par exemple : Université Grenoble Alpes).",
    }
    fields, errors = rules.clean_week({"kind": "design", "title": " Design ", "starts_on": "2026-05-04",
                                       "ends_on": "2026-05-08", "school": "UGA"})
    assert errors == {}
    assert (fields.kind, fields.title, fields.starts_on, fields.ends_on) == ("design", "Design", date(2026, 5, 4), date(2026, 5, 8))
    assert fields.team_name == "L’équipe des étudiants"


def test_observation_form_needs_a_kind_a_title_and_a_point_in_the_commune():
    inside = lambda lon, lat: lon > 3  # noqa: E731
    values, errors = rules.clean_observation({"kind": "x", "title": "", "lon": "", "lat": ""}, inside)
    assert set(errors) == {"kind", "title", "lon"}
    values, errors = rules.clean_observation({"kind": "asset", "title": "Le tilleul", "lon": "2,5", "lat": "44.4"}, inside)
    assert errors == {"lon": "Ce point est hors de la commune : placez le repère dans la commune."}
    values, errors = rules.clean_observation({"kind": "asset", "title": "Le tilleul", "lon": "3,5632111", "lat": "44.4566"}, inside)
    assert errors == {} and values["point"] == (3.563211, 44.4566)


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "1e400", "abc", ""])
def test_odd_numbers_are_not_positions(value):
    assert rules.parse_position(value, "44.45", lambda lon, lat: True)[0] is None


def test_asking_for_changes_needs_a_comment():
    assert rules.clean_comment("  ", REQUEST_CHANGES)[1] == "Dites à l’équipe ce qu’il faut changer : le commentaire est obligatoire."
    assert rules.clean_comment("", APPROVE) == ("", None)
    assert rules.clean_comment(" Chiffrez la phase 1. ", REQUEST_CHANGES) == ("Chiffrez la phase 1.", None)
