"""Unit tests for revital.localgroups.forms.clean_member."""

import pytest

from revital.localgroups.forms import MEMBER_KINDS, clean_member

NAME_EMPTY = "Indiquez le nom du membre."
NAME_TOO_LONG = "Le nom ne peut pas dépasser 120 caractères."
KIND_UNKNOWN = "Choisissez la qualité du membre dans la liste."
FUNCTION_TOO_LONG = "La fonction ne peut pas dépasser 120 caractères."
EMAIL_INVALID = "Cette adresse e-mail n’est pas valide (exemple : prenom.nom@exemple.fr)."


def valid(**overrides):
    data = {"name": "Jeanne Martin", "kind": "resident", "function": "Agricultrice", "email": "jeanne@exemple.fr"}
    data.update(overrides)
    return data


def test_member_kinds():
    assert set(MEMBER_KINDS) == {"resident", "elected", "partner", "facilitator", "other"}


def test_valid_input_is_cleaned():
    cleaned, errors = clean_member(
        {
            "name": "  Jeanne Martin \n",
            "kind": " elected ",
            "function": "\tAdjointe au maire  ",
            "email": "  Jeanne.MARTIN@Exemple.FR ",
        }
    )
    assert errors == {}
    assert cleaned == {
        "name": "Jeanne Martin",
        "kind": "elected",
        "function": "Adjointe au maire",
        "email": "jeanne.martin@exemple.fr",
    }


def test_name_case_is_kept():
    cleaned, _ = clean_member(valid(name="Éloïse DE LA TOUR"))
    assert cleaned["name"] == "Éloïse DE LA TOUR"


@pytest.mark.parametrize("kind", sorted(MEMBER_KINDS))
def test_every_kind_accepted(kind):
    cleaned, errors = clean_member(valid(kind=kind))
    assert errors == {}
    assert cleaned["kind"] == kind


def test_optional_email_may_be_empty():
    for email in ("", "   ", None):
        cleaned, errors = clean_member(valid(email=email))
        assert errors == {}
        assert cleaned["email"] == ""


def test_missing_email_key_is_fine():
    data = valid()
    del data["email"]
    del data["function"]
    cleaned, errors = clean_member(data)
    assert errors == {}
    assert cleaned["email"] == ""
    assert cleaned["function"] == ""


@pytest.mark.parametrize("name", ["", "   ", "\n\t", None])
def test_empty_name(name):
    _, errors = clean_member(valid(name=name))
    assert errors == {"name": NAME_EMPTY}


def test_missing_name_key():
    data = valid()
    del data["name"]
    _, errors = clean_member(data)
    assert errors == {"name": NAME_EMPTY}


def test_name_120_chars_ok():
    _, errors = clean_member(valid(name="a" * 120))
    assert errors == {}


def test_name_too_long():
    _, errors = clean_member(valid(name="a" * 121))
    assert errors == {"name": NAME_TOO_LONG}


def test_name_length_measured_after_strip():
    cleaned, errors = clean_member(valid(name="  " + "a" * 120 + "  "))
    assert errors == {}
    assert len(cleaned["name"]) == 120


@pytest.mark.parametrize("kind", ["", "mayor", "Resident", "RESIDENT", "Habitant·e", None])
def test_unknown_kind(kind):
    _, errors = clean_member(valid(kind=kind))
    assert errors == {"kind": KIND_UNKNOWN}


def test_function_120_chars_ok():
    _, errors = clean_member(valid(function="f" * 120))
    assert errors == {}


def test_function_too_long():
    _, errors = clean_member(valid(function="f" * 121))
    assert errors == {"function": FUNCTION_TOO_LONG}


@pytest.mark.parametrize(
    "email",
    [
        "jeanne",
        "jeanne@",
        "@exemple.fr",
        "jeanne@exemple",
        "jeanne martin@exemple.fr",
        "jeanne@@exemple.fr",
        "jeanne@exemple.",
    ],
)
def test_invalid_email(email):
    _, errors = clean_member(valid(email=email))
    assert errors == {"email": EMAIL_INVALID}


def test_email_too_long():
    email = "a" * 245 + "@exemple.fr"  # 256 characters, otherwise well formed
    _, errors = clean_member(valid(email=email))
    assert errors == {"email": EMAIL_INVALID}


def test_email_of_254_chars_ok():
    email = "a" * 243 + "@exemple.fr"
    assert len(email) == 254
    _, errors = clean_member(valid(email=email))
    assert errors == {}


def test_several_errors_at_once():
    cleaned, errors = clean_member({"name": "", "kind": "x", "function": "f" * 200, "email": "nope"})
    assert errors == {
        "name": NAME_EMPTY,
        "kind": KIND_UNKNOWN,
        "function": FUNCTION_TOO_LONG,
        "email": EMAIL_INVALID,
    }
    # The cleaned values come back even when invalid, so the form can be shown again.
    assert cleaned == {"name": "", "kind": "x", "function": "f" * 200, "email": "nope"}


def test_empty_data():
    cleaned, errors = clean_member({})
    assert set(errors) == {"name", "kind"}
    assert cleaned == {"name": "", "kind": "", "function": "", "email": ""}


def test_input_not_mutated():
    data = valid(name="  Jeanne  ", email="JEANNE@EXEMPLE.FR")
    before = dict(data)
    clean_member(data)
    assert data == before
