"""Unit tests for revital.ideas.rules: the idea and axis forms, deciding on an idea, official answers.
No HTTP, no database."""

import pytest

from revital.ideas import models, rules


def inside(lon, lat):
    return 3.0 < lon < 4.0 and 44.0 < lat < 45.0


PLACES = {7: ("Place de l’église", 3.5632, 44.4566)}


def idea(data, stakes=(), axes=frozenset({1, 2}), stake_ids=frozenset({10, 11})):
    return rules.clean_idea(data, list(stakes), axes, PLACES, stake_ids, inside)


def test_statuses_are_the_models_codes_in_french():
    assert (rules.OPEN, rules.RETAINED, rules.NOT_RETAINED) == (models.OPEN, models.RETAINED, models.NOT_RETAINED)
    assert rules.STATUSES == {"open": "Ouverte", "retained": "Retenue", "not_retained": "Non retenue"}
    assert rules.ANSWER_STATUSES == {"en_etude": "À l’étude", "acceptee": "Acceptée", "refusee": "Non retenue",
                                     "realisee": "Réalisée"}


def test_an_idea_is_cleaned():
    fields, errors = idea({"title": "  Des bancs   sur la place ", "text": "Deux tilleuls.\r\n\r\nEt des bancs.",
                           "axis": "2", "place": "7"}, stakes=["10", "11", ""])
    assert errors == {}
    assert fields.title == "Des bancs sur la place" and fields.text == "Deux tilleuls.\n\nEt des bancs."
    assert (fields.axis_id, fields.place_id, fields.place_name, fields.lon, fields.lat) == (
        2, 7, "Place de l’église", 3.5632, 44.4566)
    assert fields.stake_ids == frozenset({10, 11})


def test_an_idea_needs_a_title_and_known_choices():
    fields, errors = idea({"title": " ", "axis": "99", "place": "abc"}, stakes=["12"])
    assert errors == {"title": "Donnez un titre à la piste.", "axis": "Choisissez un axe de la liste.",
                      "place": "Choisissez un lieu de la liste.", "stakes": "Choisissez des enjeux de la liste."}
    assert fields.axis_id is None and fields.stake_ids == frozenset()
    assert idea({"title": "x" * 161})[1]["title"] == "Le titre est trop long : 160 caractères au plus."


def test_an_idea_may_have_a_point_inside_the_commune():
    fields, errors = idea({"title": "Un point", "lon": "3,56", "lat": "44.45"})
    assert errors == {} and (fields.lon, fields.lat, fields.place_id) == (3.56, 44.45, None)
    assert idea({"title": "Loin", "lon": "5", "lat": "44.45"})[1] == {"lon": "Ce point est hors de la commune."}
    for lon, lat in (("3.5", ""), ("nan", "44"), ("inf", "44"), ("x", "y"), ("200", "44")):
        assert "degrés décimaux" in idea({"title": "Mal", "lon": lon, "lat": lat})[1]["lon"]
    assert idea({"title": "Nulle part"})[0].lon is None


def test_an_axis_needs_a_title():
    fields, errors = rules.clean_axis({"title": "  Habiter   le bourg ", "description": " Les maisons vides. "})
    assert errors == {} and (fields.title, fields.description) == ("Habiter le bourg", "Les maisons vides.")
    assert rules.clean_axis({"title": ""})[1] == {"title": "Donnez un titre à l’axe."}
    assert "trop longue" in rules.clean_axis({"title": "A", "description": "x" * 5001})[1]["description"]


def test_retaining_needs_an_axis():
    with pytest.raises(rules.DecisionRefused, match="Une piste retenue se range dans un axe stratégique"):
        rules.decide("retained", None, "")
    assert rules.decide("retained", 3, "  En conseil municipal. ") == ("retained", "En conseil municipal.")


def test_not_retaining_needs_a_public_reason_of_ten_characters():
    with pytest.raises(rules.DecisionRefused, match="au moins 10 caractères"):
        rules.decide("not_retained", 3, "Trop cher")  # nine characters
    assert rules.decide("not_retained", None, "Trop cher.") == ("not_retained", "Trop cher.")


def test_reopening_forgets_the_reason_and_unknown_decisions_are_refused():
    assert rules.decide("open", None, "Peu importe") == ("open", "")
    with pytest.raises(rules.DecisionRefused, match="Choisissez une décision"):
        rules.decide("maybe", 1, "")
    with pytest.raises(rules.DecisionRefused, match="trop long"):
        rules.decide("not_retained", 1, "x" * 2001)


def test_an_official_answer_needs_a_status_and_a_text():
    assert rules.clean_answer({"status": "en_etude", "text": " Étude en cours. "}) == ("en_etude", "Étude en cours.", {})
    status, text, errors = rules.clean_answer({"status": "peut-etre", "text": "  "})
    assert errors == {"status": "Choisissez l’état de la réponse dans la liste.",
                      "text": "Écrivez la réponse de la commune : elle est publique."}
    assert "trop longue" in rules.clean_answer({"status": "acceptee", "text": "x" * 5001})[2]["text"]


def test_sources_are_parsed_from_the_list():
    assert rules.parse_source("workshop:12") == ("workshop", 12)
    assert rules.parse_source("proposal:3") == ("proposal", 3)
    for value in ("contribution:3", "workshop:", "workshop:-1", "stake:1", "proposal:99999999999999", "", None):
        assert rules.parse_source(value) is None
