"""Unit tests for revital.accounts.passwords: Argon2id hashing and the password rules."""

import argon2
import pytest

from revital.accounts.passwords import (
    HASHER,
    MAX_LENGTH,
    MIN_LENGTH,
    burn_time,
    common_passwords,
    dummy_hash,
    hash_password,
    needs_rehash,
    password_problem,
    verify_password,
)

PASSWORD = "cheval-bleu-sur-le-causse"

TOO_SHORT = f"Le mot de passe doit compter au moins {MIN_LENGTH} caractères."
TOO_LONG = f"Le mot de passe ne peut pas dépasser {MAX_LENGTH} caractères."
TOO_COMMON = "Ce mot de passe est trop courant : choisissez-en un autre, une phrase par exemple."
IS_EMAIL = "Le mot de passe ne doit pas reprendre votre adresse e-mail."
IS_SERVICE = "Le mot de passe ne doit pas reprendre le nom du service."


# --- hasher parameters ----------------------------------------------------------------


def test_hasher_is_argon2id():
    assert HASHER.type is argon2.Type.ID


def test_hasher_memory_cost_at_least_19_mib():
    assert HASHER.memory_cost >= 19 * 1024


def test_hasher_time_cost_at_least_2():
    assert HASHER.time_cost >= 2


def test_hasher_parallelism_positive():
    assert HASHER.parallelism >= 1


def test_hash_encodes_argon2id_and_parameters():
    encoded = hash_password(PASSWORD)
    assert encoded.startswith("$argon2id$")
    params = argon2.extract_parameters(encoded)
    assert params.type is argon2.Type.ID
    assert params.memory_cost >= 19 * 1024
    assert params.time_cost >= 2


# --- hash / verify --------------------------------------------------------------------


def test_round_trip():
    encoded = hash_password(PASSWORD)
    assert encoded != PASSWORD
    assert PASSWORD not in encoded
    assert verify_password(encoded, PASSWORD) is True


def test_round_trip_with_non_ascii_password():
    pw = "Été à Mende, ça caille ! ☃"
    assert verify_password(hash_password(pw), pw) is True


def test_hashes_are_salted():
    assert hash_password(PASSWORD) != hash_password(PASSWORD)


def test_wrong_password_is_false():
    encoded = hash_password(PASSWORD)
    assert verify_password(encoded, PASSWORD + "x") is False
    assert verify_password(encoded, PASSWORD.upper()) is False
    assert verify_password(encoded, "") is False


@pytest.mark.parametrize(
    "garbage",
    [
        "",
        "garbage",
        "$argon2id$v=19$m=65536",  # truncated
        "$argon2id$v=19$m=19456,t=2,p=1$AAAA$BBBB",  # well shaped, wrong content
        "$2b$12$abcdefghijklmnopqrstuuabcdefghijklmnopqrstuvwxyz01234",  # bcrypt
        "pbkdf2_sha256$600000$salt$hash",
    ],
)
def test_garbage_hash_is_false_not_an_exception(garbage):
    assert verify_password(garbage, PASSWORD) is False


@pytest.mark.parametrize("garbage", ["ünïcode", "$argon2id$v=19$m=19456,t=2,p=1$é$x"])
def test_non_ascii_garbage_hash_is_false_not_an_exception(garbage):
    assert verify_password(garbage, PASSWORD) is False


def test_burn_time_does_not_raise_and_dummy_hash_is_stable():
    burn_time(PASSWORD)
    assert dummy_hash() == dummy_hash()  # cached
    assert verify_password(dummy_hash(), "revital-dummy-password") is True
    assert verify_password(dummy_hash(), PASSWORD) is False


# --- needs_rehash ---------------------------------------------------------------------


def test_fresh_hash_does_not_need_rehash():
    assert needs_rehash(hash_password(PASSWORD)) is False


def test_weaker_hash_needs_rehash_but_still_verifies():
    weak = argon2.PasswordHasher(time_cost=1, memory_cost=8192).hash(PASSWORD)
    assert needs_rehash(weak) is True
    assert verify_password(weak, PASSWORD) is True


def test_argon2i_hash_needs_rehash():
    old = argon2.PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1, type=argon2.Type.I).hash(PASSWORD)
    assert needs_rehash(old) is True


def test_garbage_hash_needs_rehash():
    assert needs_rehash("garbage") is True
    assert needs_rehash("") is True


# --- password_problem -----------------------------------------------------------------


def test_min_and_max_length_constants():
    assert MIN_LENGTH == 12
    assert MAX_LENGTH == 256


def test_too_short_eleven_chars():
    assert password_problem("cheval-bleu") == TOO_SHORT  # 11 characters


def test_empty_password_too_short():
    assert password_problem("") == TOO_SHORT


def test_twelve_chars_ok():
    pw = "cheval-bleu7"
    assert len(pw) == 12
    assert password_problem(pw) is None


def test_max_length_ok():
    pw = ("causse-mejean-" * 20)[:MAX_LENGTH]
    assert len(pw) == MAX_LENGTH
    assert password_problem(pw) is None


def test_too_long():
    pw = ("causse-mejean-" * 20)[: MAX_LENGTH + 1]
    assert password_problem(pw) == TOO_LONG


def test_length_counts_characters_not_bytes():
    pw = "éèàùçêâîôûëï"  # 12 characters, 24 bytes in UTF-8
    assert password_problem(pw) is None


def test_blocklist_loaded():
    common = common_passwords()
    assert "motdepasse123" in common
    assert all(entry == entry.lower() and entry == entry.strip() and entry for entry in common)


@pytest.mark.parametrize("pw", ["motdepasse123", "Motdepasse123", "MOTDEPASSE123", "Azerty123456", "PassWord1234"])
def test_blocklisted_case_insensitive(pw):
    assert password_problem(pw) == TOO_COMMON


@pytest.mark.parametrize("pw", ["aaaaaaaaaaaaaa", "abababababab", "abcabcabcabc", "AaAaAaAaAaAaAa"])
def test_low_variety(pw):
    assert password_problem(pw) == TOO_COMMON


def test_four_distinct_characters_is_enough_variety():
    assert password_problem("abcdabcdabcd") is None


def test_equal_to_email():
    email = "jean.dupont@exemple.fr"
    assert password_problem(email, email=email) == IS_EMAIL
    assert password_problem(email.upper(), email=email) == IS_EMAIL


def test_equal_to_email_local_part():
    email = "marie.dupont-lefebvre@exemple.fr"
    assert password_problem("marie.dupont-lefebvre", email=email) == IS_EMAIL
    assert password_problem("Marie.Dupont-Lefebvre", email=email.upper()) == IS_EMAIL


def test_email_only_blocks_exact_match():
    email = "marie.dupont-lefebvre@exemple.fr"
    assert password_problem("marie.dupont-lefebvre!", email=email) is None


def test_no_email_given_does_not_block():
    assert password_problem("marie.dupont-lefebvre") is None


def test_service_name_in_short_password():
    assert password_problem("revital2026!") == IS_SERVICE
    assert password_problem("MonRevital26") == IS_SERVICE


def test_service_name_in_long_passphrase_ok():
    assert password_problem("j’aime beaucoup revital en lozère") is None


def test_long_passphrase_passes():
    assert password_problem("le brouillard monte sur l’Aubrac ce matin", email="jean.dupont@exemple.fr") is None


def test_length_checked_before_blocklist():
    assert password_problem("motdepasse") == TOO_SHORT
