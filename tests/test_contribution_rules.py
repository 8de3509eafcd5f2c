"""The pure rules of contributions (revital.contributions.rules): checking a submission, where it
is, its first status, moderation moves and form tokens. No web, no database."""

import pytest

from revital.contributions import rules
from revital.contributions.rules import (
    HIDDEN,
    PENDING,
    PUBLISHED,
    REJECTED,
    Location,
    ModerationRefused,
)

CATEGORIES = {"commerce": "Commerce et activités", "autre": "Autre"}
PLACES = {7: ("Place de l’église", 3.61, 44.43)}
SECRET = "a-secret-of-the-tests"


def inside(lon, lat):
    return 3.5 <= lon <= 3.7 and 44.3 <= lat <= 44.5


def submission(**changes):
    data = {
        "kind": "idea",
        "category": "commerce",
        "title": "Un marché le samedi",
        "body": "Sur la place, le matin.",
        "where": "none",
        "consent": "1",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def test_a_complete_submission_has_no_error_and_a_location():
    values, errors = rules.clean_submission(submission(), CATEGORIES, PLACES, inside)
    assert errors == {}
    assert values["location"] == Location("none")
    assert values["title"] == "Un marché le samedi"


def test_text_is_cleaned_of_control_characters_and_line_ends():
    assert rules.clean_text("  a\r\nb\rc\x00\x07\td  ") == "a\nb\nc\td"
    assert rules.clean_text(None) == ""


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"kind": "opinion"}, "kind", "Choisissez s’il s’agit d’un atout, d’un point faible ou d’une idée."),
        ({"category": "inconnu"}, "category", "Choisissez un thème dans la liste."),
        ({"title": " ab "}, "title", "Donnez un titre à votre contribution (3 caractères au moins)."),
        ({"title": "x" * 121}, "title", "Le titre ne peut pas dépasser 120 caractères (121 actuellement)."),
        ({"body": "x" * 4001}, "body", "Le texte ne peut pas dépasser 4000 caractères (4001 actuellement)."),
        ({"author_name": "x" * 81}, "author_name", "Le nom ou pseudonyme ne peut pas dépasser 80 caractères."),
        ({"author_email": "pas-une-adresse"}, "author_email",
         "Cette adresse e-mail n’est pas valide (exemple : prenom.nom@exemple.fr)."),
        ({"wants_news": "1"}, "author_email",
         "Indiquez votre adresse e-mail pour être tenu·e au courant, ou décochez la case."),
        ({"consent": None}, "consent",
         "Cochez la case pour accepter la publication de votre contribution (sans votre adresse e-mail)."),
        ({"where": None}, "where",
         "Indiquez où se situe votre contribution : sur la carte, à un lieu de la liste, ou sans lieu précis."),
    ],
)
def test_each_mistake_has_its_french_message(changes, field, message):
    values, errors = rules.clean_submission(submission(**changes), CATEGORIES, PLACES, inside)
    assert errors == {field: message}


def test_a_title_of_exactly_the_maximum_is_accepted():
    _, errors = rules.clean_submission(submission(title="x" * rules.TITLE_MAX), CATEGORIES, PLACES, inside)
    assert errors == {}


@pytest.mark.parametrize(
    ("lon", "lat", "expected"),
    [
        ("3,6123456", "44.4", Location("map", 3.612346, 44.4)),
        (" 3.6 ", " 44.4 ", Location("map", 3.6, 44.4)),
    ],
)
def test_a_point_on_the_map_accepts_a_comma_and_is_rounded(lon, lat, expected):
    location, problem = rules.clean_location({"where": "map", "lon": lon, "lat": lat, "place": ""}, PLACES, inside)
    assert (location, problem) == (expected, None)


@pytest.mark.parametrize(("lon", "lat"), [("", "44.4"), ("nan", "44.4"), ("inf", "44.4"), ("3.6", "quarante")])
def test_a_missing_or_unreadable_point_asks_for_one(lon, lat):
    location, problem = rules.clean_location({"where": "map", "lon": lon, "lat": lat, "place": ""}, PLACES, inside)
    assert location is None
    assert problem.startswith("Placez un repère sur la carte")


def test_a_point_outside_the_commune_is_refused():
    location, problem = rules.clean_location({"where": "map", "lon": "2.0", "lat": "44.4", "place": ""}, PLACES, inside)
    assert location is None
    assert problem == "Le point placé est en dehors de la commune : placez-le dans ses limites, ou choisissez un lieu."


def test_a_place_from_the_list_takes_its_name_and_position():
    location, problem = rules.clean_location({"where": "place", "place": "7"}, PLACES, inside)
    assert problem is None
    assert location == Location("place", 3.61, 44.43, 7, "Place de l’église")


@pytest.mark.parametrize("place", ["8", "", "sept", "7.0"])
def test_a_place_not_in_the_list_is_refused(place):
    location, problem = rules.clean_location({"where": "place", "place": place}, PLACES, inside)
    assert (location, problem) == (None, "Choisissez un lieu dans la liste.")


def test_places_are_read_only_when_a_place_is_chosen():
    calls = []

    def places():
        calls.append(1)
        return PLACES

    rules.clean_location({"where": "none"}, places, inside)
    assert calls == []
    rules.clean_location({"where": "place", "place": "7"}, places, inside)
    assert calls == [1]


@pytest.mark.parametrize(
    ("mode", "source", "status"),
    [
        ("a_priori", rules.ONLINE, PENDING),
        ("a_priori", rules.STUDENT, PENDING),
        ("a_priori", rules.WORKSHOP, PUBLISHED),
        ("a_posteriori", rules.ONLINE, PUBLISHED),
    ],
)
def test_initial_status(mode, source, status):
    assert rules.initial_status(mode, source) == status


@pytest.mark.parametrize(
    ("status", "action", "reason", "new"),
    [
        (PENDING, "publish", "", PUBLISHED),
        (PENDING, "reject", "Hors sujet", REJECTED),
        (PUBLISHED, "hide", "Propos injurieux", HIDDEN),
        (HIDDEN, "publish", "", PUBLISHED),
        (REJECTED, "publish", "", PUBLISHED),
    ],
)
def test_moderation_moves(status, action, reason, new):
    assert rules.moderate(status, action, reason) == new


def test_moderation_that_cannot_apply_says_why():
    with pytest.raises(ModerationRefused) as refused:
        rules.moderate(PUBLISHED, "publish", "")
    assert str(refused.value) == (
        "Impossible de « publier » une contribution publiée : elle a peut-être déjà été traitée par quelqu’un d’autre."
    )


@pytest.mark.parametrize("action", ["reject", "hide"])
def test_rejecting_or_hiding_needs_a_reason(action):
    status = PENDING if action == "reject" else PUBLISHED
    with pytest.raises(ModerationRefused) as refused:
        rules.moderate(status, action, "  ok  ")
    assert str(refused.value) == "Indiquez le motif : il est conservé et peut être communiqué à l’auteur."


def test_a_form_token_is_good_for_a_day():
    token = rules.new_form_token(SECRET, now=1_000_000)
    assert rules.check_form_token(token, SECRET, now=1_000_000) == "ok"
    assert rules.check_form_token(token, SECRET, now=1_000_000 + rules.TOKEN_MAX_AGE) == "ok"
    assert rules.check_form_token(token, SECRET, now=1_000_001 + rules.TOKEN_MAX_AGE) == "expired"
    assert rules.check_form_token(token, SECRET, now=999_999) == "expired"


@pytest.mark.parametrize(
    "forge",
    [
        lambda token: token.replace(token.split(".")[0], "2000000", 1),  # another date, same signature
        lambda token: token[:-1] + ("0" if token[-1] != "0" else "1"),
        lambda token: "a.b",
        lambda token: "",
        lambda token: None,
    ],
)
def test_a_forged_token_is_invalid(forge):
    token = rules.new_form_token(SECRET, now=1_000_000)
    assert rules.check_form_token(forge(token), SECRET, now=1_000_000) == "invalid"


def test_a_token_signed_with_another_secret_is_invalid():
    token = rules.new_form_token("another-secret", now=1_000_000)
    assert rules.check_form_token(token, SECRET, now=1_000_000) == "invalid"


def test_the_nonce_is_the_random_part_and_differs_each_time():
    first, second = rules.new_form_token(SECRET), rules.new_form_token(SECRET)
    assert rules.token_nonce(first) == first.split(".")[1]
    assert rules.token_nonce(first) != rules.token_nonce(second)
    assert rules.token_nonce("pas un jeton") == ""
    assert rules.token_nonce(None) == ""
