"""The French words of the lineage (revital.lineage.rules): counts, elisions, workshops by their dates."""

from datetime import date

from revital.lineage import rules


def test_the_issue_sentence():
    counts = {"contribution": 14, "workshop": 1, "proposal": 1}
    assert rules.sources_sentence(counts, [date(2026, 3, 12)], "née") == (
        "née de 14 contributions, de l’atelier du 12 mars et d’une proposition des étudiants")


def test_one_is_written_une_or_un_with_the_elision():
    assert rules.sources_sentence({"contribution": 1}) == "né d’une contribution"
    assert rules.sources_sentence({"stake": 1, "idea": 2}, participle="née") == "née d’un enjeu et de 2 pistes d’action"
    assert rules.sources_sentence({"observation": 1, "contribution": 2}) == (
        "né de 2 contributions et d’une observation des étudiants")


def test_workshops_are_named_by_their_dates_in_order_or_counted():
    assert rules.sources_sentence({"workshop": 2}, [date(2026, 4, 3), date(2026, 3, 1)]) == (
        "né des ateliers du 1er mars et du 3 avril")
    assert rules.sources_sentence({"workshop": 2}) == "né de 2 ateliers"
    assert rules.sources_sentence({"workshop": 1}) == "né d’un atelier"


def test_no_source_no_sentence_and_zero_counts_are_left_out():
    assert rules.sources_sentence({}) == ""
    assert rules.sources_sentence({"contribution": 0, "proposal": 0}) == ""
    assert rules.sources_sentence({"contribution": 0, "proposal": 3}) == "né de 3 propositions des étudiants"


def test_counts_take_the_singular_for_zero_and_one():
    assert rules.count_fr(0, "contribution", "contributions") == "0 contribution"
    assert rules.count_fr(1, "contribution", "contributions") == "1 contribution"
    assert rules.count_fr(2, "contribution", "contributions") == "2 contributions"
    assert rules.count_of("stake", 3) == "3 enjeux"
    assert rules.counts_line({"contribution": 3, "workshop": 1}) == "3 contributions, 1 atelier"
    assert rules.counts_line({}) == "aucune source"


def test_french_lists():
    assert rules.join_fr([]) == ""
    assert rules.join_fr(["a"]) == "a"
    assert rules.join_fr(["a", "b", "c"]) == "a, b et c"
    assert rules.day_month(date(2026, 8, 15)) == "15 août"
