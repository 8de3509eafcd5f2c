"""Unit tests for revital.process.phases: the phase order and the transition rules."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from revital.process.phases import (
    DIAGNOSTIC,
    EMERGENCE,
    FEASIBILITY,
    IMPLEMENTATION,
    LABELS,
    MIN_REASON_LENGTH,
    PHASES,
    PROGRAMMING,
    SUMMARIES,
    Facts,
    Transition,
    TransitionRefused,
    next_phase,
    plan,
    previous_phase,
    unmet_conditions,
)

GOOD_REASON = "Le conseil municipal l’a décidé."
ALL_MET = Facts(
    closed_workshops=1,
    stakes=3,
    has_diagnostic_synthesis=True,
    axes=2,
    retained_ideas=4,
    prioritisations_done=1,
    sheets=1,
    reviewed_sheets=1,
    published_roadmaps=1,
)

NO_WORKSHOP = "Aucun atelier du diagnostic n’est clos avec son compte rendu."
NO_STAKES = "Aucun enjeu n’a encore été dégagé du diagnostic."
NO_SYNTHESIS = "La synthèse du diagnostic n’est pas rédigée."
NO_AXES = "Aucun axe stratégique n’est défini."
NO_IDEAS = "Aucune piste d’action n’est retenue."
NO_PRIORITIES = "Les pistes d’action n’ont pas encore été hiérarchisées (atelier ou vote)."
NO_SHEETS = "Aucune fiche action n’est rédigée."
NO_REVIEW = "Aucune fiche action n’a reçu l’avis d’un partenaire technique."
NO_ROADMAP = "La feuille de route n’est pas publiée."


# --- order ----------------------------------------------------------------------------


def test_phase_order():
    assert PHASES == (DIAGNOSTIC, EMERGENCE, FEASIBILITY, PROGRAMMING, IMPLEMENTATION)


def test_every_phase_has_label_and_summary():
    assert set(LABELS) == set(PHASES)
    assert set(SUMMARIES) == set(PHASES)
    assert all(LABELS[p] and SUMMARIES[p] for p in PHASES)


@pytest.mark.parametrize(
    "phase, expected",
    [
        (DIAGNOSTIC, EMERGENCE),
        (EMERGENCE, FEASIBILITY),
        (FEASIBILITY, PROGRAMMING),
        (PROGRAMMING, IMPLEMENTATION),
        (IMPLEMENTATION, None),
    ],
)
def test_next_phase(phase, expected):
    assert next_phase(phase) == expected


@pytest.mark.parametrize(
    "phase, expected",
    [
        (DIAGNOSTIC, None),
        (EMERGENCE, DIAGNOSTIC),
        (FEASIBILITY, EMERGENCE),
        (PROGRAMMING, FEASIBILITY),
        (IMPLEMENTATION, PROGRAMMING),
    ],
)
def test_previous_phase(phase, expected):
    assert previous_phase(phase) == expected


@pytest.mark.parametrize("phase", PHASES[:-1])
def test_previous_of_next_is_identity(phase):
    assert previous_phase(next_phase(phase)) == phase


def test_unknown_phase_raises_value_error():
    with pytest.raises(ValueError):
        next_phase("nowhere")
    with pytest.raises(ValueError):
        previous_phase("nowhere")


# --- unmet_conditions -----------------------------------------------------------------


def test_entering_first_phase_has_no_conditions():
    assert unmet_conditions(DIAGNOSTIC, Facts()) == []


@pytest.mark.parametrize("phase", PHASES)
def test_all_met_means_nothing_unmet(phase):
    assert unmet_conditions(phase, ALL_MET) == []


def test_emergence_none_met():
    assert unmet_conditions(EMERGENCE, Facts()) == [NO_WORKSHOP, NO_STAKES, NO_SYNTHESIS]


def test_emergence_only_stakes():
    assert unmet_conditions(EMERGENCE, Facts(stakes=1, closed_workshops=1)) == [NO_SYNTHESIS]


def test_emergence_only_synthesis():
    assert unmet_conditions(EMERGENCE, Facts(has_diagnostic_synthesis=True, closed_workshops=2)) == [NO_STAKES]


def test_emergence_needs_a_closed_workshop():
    assert unmet_conditions(EMERGENCE, Facts(stakes=1, has_diagnostic_synthesis=True)) == [NO_WORKSHOP]


def test_emergence_met():
    assert unmet_conditions(EMERGENCE, Facts(stakes=1, has_diagnostic_synthesis=True, closed_workshops=1)) == []


def test_feasibility_none_met():
    assert unmet_conditions(FEASIBILITY, Facts()) == [NO_AXES, NO_IDEAS, NO_PRIORITIES]


def test_feasibility_partly_met():
    assert unmet_conditions(FEASIBILITY, Facts(axes=1)) == [NO_IDEAS, NO_PRIORITIES]
    assert unmet_conditions(FEASIBILITY, Facts(retained_ideas=2)) == [NO_AXES, NO_PRIORITIES]
    assert unmet_conditions(FEASIBILITY, Facts(axes=1, retained_ideas=1)) == [NO_PRIORITIES]
    assert unmet_conditions(FEASIBILITY, Facts(prioritisations_done=1)) == [NO_AXES, NO_IDEAS]


def test_feasibility_met():
    assert unmet_conditions(FEASIBILITY, Facts(axes=1, retained_ideas=1, prioritisations_done=1)) == []


def test_feasibility_ignores_emergence_facts():
    # Each gate only looks at its own facts.
    assert unmet_conditions(FEASIBILITY, Facts(stakes=5, has_diagnostic_synthesis=True)) == [NO_AXES, NO_IDEAS,
                                                                                             NO_PRIORITIES]


def test_programming_not_met():
    assert unmet_conditions(PROGRAMMING, Facts()) == [NO_SHEETS, NO_REVIEW]


def test_programming_met():
    assert unmet_conditions(PROGRAMMING, Facts(sheets=1, reviewed_sheets=1)) == []


def test_implementation_not_met():
    assert unmet_conditions(IMPLEMENTATION, Facts(reviewed_sheets=3)) == [NO_ROADMAP]


def test_implementation_met():
    assert unmet_conditions(IMPLEMENTATION, Facts(published_roadmaps=1)) == []


def test_negative_counts_are_not_met():
    assert unmet_conditions(PROGRAMMING, Facts(reviewed_sheets=-1)) == [NO_SHEETS, NO_REVIEW]


# --- plan: advancing ------------------------------------------------------------------


@pytest.mark.parametrize("current", PHASES[:-1])
def test_advance_when_gates_met(current):
    t = plan(current, "next", ALL_MET)
    assert t == Transition(current, next_phase(current), "advance", "")


def test_advance_keeps_stripped_reason():
    t = plan(DIAGNOSTIC, "next", ALL_MET, reason="  pour mémoire  ")
    assert t.kind == "advance"
    assert t.reason == "pour mémoire"


def test_advance_with_override_flag_when_met_is_a_plain_advance():
    t = plan(EMERGENCE, "next", ALL_MET, reason="", override=True)
    assert t.kind == "advance"
    assert t.to_phase == FEASIBILITY


def test_advance_refused_when_gates_not_met_names_conditions():
    with pytest.raises(TransitionRefused) as info:
        plan(DIAGNOSTIC, "next", Facts())
    message = str(info.value)
    assert message.startswith(f"Le passage à la phase « {LABELS[EMERGENCE]} » n’est pas encore possible : ")
    assert NO_STAKES in message
    assert NO_SYNTHESIS in message


def test_refusal_names_only_the_unmet_conditions():
    with pytest.raises(TransitionRefused) as info:
        plan(EMERGENCE, "next", Facts(axes=1))
    message = str(info.value)
    assert NO_IDEAS in message
    assert NO_AXES not in message
    assert LABELS[FEASIBILITY] in message


@pytest.mark.parametrize(
    "current, unmet",
    [
        (DIAGNOSTIC, [NO_STAKES, NO_SYNTHESIS]),
        (EMERGENCE, [NO_AXES, NO_IDEAS, NO_PRIORITIES]),
        (FEASIBILITY, [NO_REVIEW]),
        (PROGRAMMING, [NO_ROADMAP]),
    ],
)
def test_each_gate_refuses_without_override(current, unmet):
    with pytest.raises(TransitionRefused) as info:
        plan(current, "next", Facts(), reason=GOOD_REASON)  # a reason alone is not enough
    for condition in unmet:
        assert condition in str(info.value)


def test_next_from_last_phase_refused():
    with pytest.raises(TransitionRefused, match="déjà à sa dernière phase"):
        plan(IMPLEMENTATION, "next", ALL_MET, reason=GOOD_REASON, override=True)


# --- plan: override -------------------------------------------------------------------


def test_override_with_reason():
    t = plan(DIAGNOSTIC, "next", Facts(), reason=GOOD_REASON, override=True)
    assert t == Transition(DIAGNOSTIC, EMERGENCE, "override", GOOD_REASON)


def test_override_without_reason_refused():
    with pytest.raises(TransitionRefused) as info:
        plan(DIAGNOSTIC, "next", Facts(), override=True)
    assert "Pour passer outre" in str(info.value)
    assert f"au moins {MIN_REASON_LENGTH} caractères" in str(info.value)


def test_override_reason_exactly_min_length_accepted():
    reason = "x" * MIN_REASON_LENGTH
    t = plan(FEASIBILITY, "next", Facts(), reason=reason, override=True)
    assert t.kind == "override"
    assert t.reason == reason


def test_override_reason_one_short_refused():
    with pytest.raises(TransitionRefused, match="Pour passer outre"):
        plan(FEASIBILITY, "next", Facts(), reason="x" * (MIN_REASON_LENGTH - 1), override=True)


def test_override_whitespace_only_reason_refused():
    with pytest.raises(TransitionRefused, match="Pour passer outre"):
        plan(FEASIBILITY, "next", Facts(), reason=" \t\n" * 10, override=True)


def test_override_padding_does_not_count_towards_length():
    short = "x" * (MIN_REASON_LENGTH - 1)
    with pytest.raises(TransitionRefused):
        plan(PROGRAMMING, "next", Facts(), reason=f"     {short}     ", override=True)


def test_override_reason_is_stored_stripped():
    t = plan(PROGRAMMING, "next", Facts(), reason=f"   {GOOD_REASON}\n", override=True)
    assert t.reason == GOOD_REASON
    assert t.to_phase == IMPLEMENTATION


# --- plan: back -----------------------------------------------------------------------


@pytest.mark.parametrize("current", PHASES[1:])
def test_back_with_reason(current):
    t = plan(current, "back", Facts(), reason=GOOD_REASON)
    assert t == Transition(current, previous_phase(current), "back", GOOD_REASON)


def test_back_ignores_facts_and_override():
    t = plan(EMERGENCE, "back", ALL_MET, reason=GOOD_REASON, override=True)
    assert t.kind == "back"
    assert t.to_phase == DIAGNOSTIC


def test_back_without_reason_refused():
    with pytest.raises(TransitionRefused) as info:
        plan(EMERGENCE, "back", Facts())
    assert "revient à la phase précédente" in str(info.value)
    assert f"au moins {MIN_REASON_LENGTH} caractères" in str(info.value)


def test_back_with_short_reason_refused():
    with pytest.raises(TransitionRefused, match="revient à la phase précédente"):
        plan(IMPLEMENTATION, "back", Facts(), reason="erreur")


def test_back_with_whitespace_reason_refused():
    with pytest.raises(TransitionRefused, match="revient à la phase précédente"):
        plan(IMPLEMENTATION, "back", Facts(), reason=" " * 40)


def test_back_with_exactly_min_length_reason():
    t = plan(IMPLEMENTATION, "back", Facts(), reason="  " + "y" * MIN_REASON_LENGTH + "  ")
    assert t.reason == "y" * MIN_REASON_LENGTH


def test_back_from_first_phase_refused():
    with pytest.raises(TransitionRefused) as info:
        plan(DIAGNOSTIC, "back", ALL_MET, reason=GOOD_REASON)
    assert str(info.value) == "La démarche est déjà à sa première phase."


# --- plan: other ----------------------------------------------------------------------


@pytest.mark.parametrize("direction", ["", "forward", "NEXT", "Back", "skip"])
def test_unknown_direction_refused(direction):
    with pytest.raises(TransitionRefused) as info:
        plan(EMERGENCE, direction, ALL_MET, reason=GOOD_REASON, override=True)
    assert str(info.value) == "Transition inconnue."


def test_transition_refused_is_an_exception():
    assert issubclass(TransitionRefused, Exception)


# --- property -------------------------------------------------------------------------

facts_strategy = st.builds(
    Facts,
    stakes=st.integers(min_value=-3, max_value=5),
    has_diagnostic_synthesis=st.booleans(),
    axes=st.integers(min_value=-3, max_value=5),
    retained_ideas=st.integers(min_value=-3, max_value=5),
    prioritisations_done=st.integers(min_value=-3, max_value=5),
    sheets=st.integers(min_value=-3, max_value=5),
    reviewed_sheets=st.integers(min_value=-3, max_value=5),
    uncovered_ideas=st.integers(min_value=-3, max_value=5),
    published_roadmaps=st.integers(min_value=-3, max_value=5),
)


@given(
    current=st.sampled_from(PHASES),
    direction=st.one_of(st.sampled_from(["next", "back"]), st.text(max_size=8)),
    facts=facts_strategy,
    reason=st.one_of(st.text(max_size=30), st.just(GOOD_REASON), st.just(" " * 20)),
    override=st.booleans(),
)
def test_plan_returns_adjacent_transition_or_refuses(current, direction, facts, reason, override):
    try:
        t = plan(current, direction, facts, reason=reason, override=override)
    except TransitionRefused as refused:
        assert str(refused)  # always a message for the user
        return
    assert isinstance(t, Transition)
    assert t.from_phase == current
    assert abs(PHASES.index(t.to_phase) - PHASES.index(current)) == 1
    assert t.kind in {"advance", "override", "back"}
    if t.kind == "back":
        assert direction == "back"
        assert PHASES.index(t.to_phase) == PHASES.index(current) - 1
    else:
        assert direction == "next"
        assert PHASES.index(t.to_phase) == PHASES.index(current) + 1
    if t.kind == "advance":
        assert unmet_conditions(t.to_phase, facts) == []
    else:
        assert len(t.reason) >= MIN_REASON_LENGTH
        assert t.reason == t.reason.strip()
    if t.kind == "override":
        assert override
        assert unmet_conditions(t.to_phase, facts) != []
