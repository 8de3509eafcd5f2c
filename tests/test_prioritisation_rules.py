"""Unit tests for revital.prioritisation.rules: what a ballot must hold, the tally (points summed,
ranks as a Borda count, ties by idea id), the state of a vote from its dates, and the forms."""

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from revital.prioritisation import rules
from revital.prioritisation.rules import POINTS, RANKS, BallotRefused

IDEAS = [3, 5, 8]
NOW = datetime(2027, 3, 10, 12, tzinfo=UTC)


def refused(function, *args) -> str:
    with pytest.raises(BallotRefused) as info:
        function(*args)
    return str(info.value)


# --- a ballot ---------------------------------------------------------------------------------------

def test_points_within_the_budget():
    rules.check_ballot(POINTS, {3: 6, 5: 4}, IDEAS, 10)
    rules.check_ballot(POINTS, {3: 1}, IDEAS, 10)


def test_points_over_the_budget_say_how_many():
    assert refused(rules.check_ballot, POINTS, {3: 7, 5: 4}, IDEAS, 10) == \
        "Vous avez réparti 11 points : vous en avez 10 au plus."


def test_points_need_one_point_and_no_negative():
    assert refused(rules.check_ballot, POINTS, {}, IDEAS, 10) == "Donnez au moins un point à l’une des pistes."
    assert refused(rules.check_ballot, POINTS, {3: 0}, IDEAS, 10) == "Donnez au moins un point à l’une des pistes."
    assert "positifs ou nuls" in refused(rules.check_ballot, POINTS, {3: -1, 5: 3}, IDEAS, 10)


def test_an_idea_outside_the_vote_is_refused():
    assert "ne fait pas partie du vote" in refused(rules.check_ballot, POINTS, {99: 1}, IDEAS, 10)


def test_ranks_distinct_and_consecutive():
    rules.check_ballot(RANKS, {5: 1, 3: 2}, IDEAS, 3)
    rules.check_ballot(RANKS, {8: 1}, IDEAS, 3)
    assert refused(rules.check_ballot, RANKS, {3: 1, 5: 1}, IDEAS, 3) == "Chaque rang ne peut être donné qu’à une seule piste."
    assert "à partir de 1" in refused(rules.check_ballot, RANKS, {3: 1, 5: 3}, IDEAS, 3)
    assert "à partir de 1" in refused(rules.check_ballot, RANKS, {3: 2}, IDEAS, 3)
    assert refused(rules.check_ballot, RANKS, {3: 1, 5: 2, 8: 3}, IDEAS, 2) == "Vous pouvez classer 2 pistes au plus."
    assert "Classez au moins une piste" in refused(rules.check_ballot, RANKS, {}, IDEAS, 3)


def test_reading_the_form():
    assert rules.read_ballot(POINTS, {3: " 4 ", 5: "", 8: "0"}, IDEAS, 10) == {3: 4}
    assert rules.read_ballot(RANKS, {3: "2", 5: "1", 8: ""}, IDEAS, 3) == {3: 2, 5: 1}
    assert "entiers positifs" in refused(rules.read_ballot, POINTS, {3: "2,5"}, IDEAS, 10)
    assert "entiers positifs" in refused(rules.read_ballot, POINTS, {3: "-1"}, IDEAS, 10)
    assert "entiers positifs" in refused(rules.read_ballot, POINTS, {3: "٣"}, IDEAS, 10)  # not ASCII
    assert "commencent à 1" in refused(rules.read_ballot, RANKS, {3: "0"}, IDEAS, 3)
    assert "nombre entier" in refused(rules.read_ballot, RANKS, {3: "premier"}, IDEAS, 3)


# --- the tally --------------------------------------------------------------------------------------

def test_points_are_summed_ties_by_idea_id():
    ballots = [{3: 4, 5: 6}, {8: 6, 3: 2}, {5: 0}]
    assert rules.tally(POINTS, 10, ballots, IDEAS) == [(3, 6), (5, 6), (8, 6)]
    assert rules.tally(POINTS, 10, [{8: 10}, {5: 3}], IDEAS) == [(8, 10), (5, 3), (3, 0)]


def test_ranks_are_a_borda_count():
    # budget 3: rank 1 is worth 3, rank 2 worth 2, rank 3 worth 1
    ballots = [{5: 1, 3: 2}, {3: 1}, {8: 1, 5: 2, 3: 3}]
    assert rules.tally(RANKS, 3, ballots, IDEAS) == [(3, 6), (5, 5), (8, 3)]


def test_the_tally_ignores_unknown_ideas_and_keeps_every_idea():
    assert rules.tally(POINTS, 10, [{42: 5}], IDEAS) == [(3, 0), (5, 0), (8, 0)]


def test_workshop_scores():
    assert rules.ranking_of_scores(POINTS, {3: 12, 8: 30}, IDEAS) == [(8, 30), (3, 12), (5, 0)]
    assert rules.ranking_of_scores(RANKS, {8: 1, 3: 2}, IDEAS) == [(8, 2), (3, 1), (5, 0)]
    assert rules.read_scores(POINTS, {3: "250", 5: "", 8: "3"}, IDEAS) == {3: 250, 8: 3}
    assert "100000 points au plus" in refused(rules.read_scores, POINTS, {3: "100001"}, IDEAS)
    assert "Chaque rang" in refused(rules.read_scores, RANKS, {3: "1", 5: "1"}, IDEAS)


def test_bar_widths():
    assert rules.shares([(8, 10), (5, 5), (3, 0)]) == {8: 100, 5: 50, 3: 0}
    assert rules.shares([(8, 0)]) == {8: 0}


@given(st.lists(st.dictionaries(st.sampled_from(IDEAS), st.integers(min_value=0, max_value=10), max_size=3),
                max_size=20))
def test_the_tally_does_not_depend_on_the_order_of_ballots(ballots):
    assert rules.tally(POINTS, 10, ballots, IDEAS) == rules.tally(POINTS, 10, list(reversed(ballots)), IDEAS)
    assert sum(total for _, total in rules.tally(POINTS, 10, ballots, IDEAS)) == sum(sum(b.values()) for b in ballots)


# --- the state of a vote ----------------------------------------------------------------------------

def test_vote_states():
    before, after = NOW - timedelta(days=1), NOW + timedelta(days=1)
    assert rules.vote_state("draft", before, after, NOW) == rules.DRAFT
    assert rules.vote_state("open", after, after + timedelta(days=1), NOW) == rules.SCHEDULED
    assert rules.vote_state("open", before, after, NOW) == rules.OPEN
    assert rules.vote_state("open", before, NOW, NOW) == rules.CLOSED  # the closing instant is closed
    assert rules.vote_state("closed", before, after, NOW) == rules.CLOSED
    assert rules.vote_state("closed", before, before, NOW, published=True) == rules.PUBLISHED
    assert rules.accepts_ballots(rules.OPEN) and not rules.accepts_ballots(rules.SCHEDULED)


# --- the back office's form -------------------------------------------------------------------------

def test_a_vote_form_in_paris_time():
    fields, errors = rules.clean_prioritisation({"method": "vote", "title": "Quelles pistes ?", "mode": "points",
                                                 "budget": "10", "opens_date": "2027-07-01", "opens_time": "09:00",
                                                 "closes_date": "15/07/2027", "closes_time": ""}, set())
    assert errors == {}
    assert fields.opens_at == datetime(2027, 7, 1, 7, tzinfo=UTC)  # 9:00 in Paris in summer
    assert fields.closes_at == datetime(2027, 7, 15, 21, 59, tzinfo=UTC)
    assert fields.workshop_id is None


def test_a_vote_form_with_mistakes():
    _, errors = rules.clean_prioritisation({"method": "vote", "title": "Q", "mode": "ranks", "budget": "0",
                                            "opens_date": "2027-07-10", "closes_date": "2027-07-01"}, set())
    assert set(errors) == {"title", "budget", "closes_date"}
    assert errors["closes_date"] == "Le vote doit se clore après son ouverture."
    _, errors = rules.clean_prioritisation({"method": "sondage"}, set())
    assert {"method", "title", "mode"} <= set(errors)


def test_a_workshop_form_needs_a_workshop_of_the_commune():
    data = {"method": "workshop", "title": "Atelier du 12 mars", "mode": "points", "workshop": "7"}
    fields, errors = rules.clean_prioritisation(data, {7})
    assert errors == {} and fields.workshop_id == 7 and fields.opens_at is None
    _, errors = rules.clean_prioritisation(data, {8})
    assert set(errors) == {"workshop"}


def test_an_email():
    assert rules.clean_email(" Odette@Exemple.FR ") == ("odette@exemple.fr", None)
    assert rules.clean_email("")[1].startswith("Indiquez votre adresse")
    assert rules.clean_email("pas-une-adresse")[1] == "Cette adresse e-mail n’est pas valide."
