"""The rules of following a journal by e-mail, without HTTP or database: signed links, the weekly
schedule across daylight-saving changes, the digest's text and its escaped HTML."""

import re
from datetime import UTC, datetime, timedelta

import pytest

from revital.journal import following
from revital.journal.following import CONFIRM, STOP, digest_mark, is_due

SECRET = "test-secret-key-that-is-long-enough-for-csrf"
MADE = datetime(2025, 3, 3, 9, 15, 2, 123456, tzinfo=UTC)


def utc(*parts) -> datetime:
    return datetime(*parts, tzinfo=UTC)


# Signed links.

def test_a_token_is_url_safe_and_stable():
    first = following.token(SECRET, CONFIRM, 12, "lea@exemple.fr", MADE)
    assert first == following.token(SECRET, CONFIRM, 12, "lea@exemple.fr", MADE)
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", first)
    assert following.token(SECRET, CONFIRM, 12, " Lea@Exemple.FR ", MADE) == first
    assert following.token(SECRET, CONFIRM, 12, "lea@exemple.fr", MADE.replace(tzinfo=None)) == first


@pytest.mark.parametrize("change", [
    {"purpose": STOP}, {"follower_id": 13}, {"email": "leo@exemple.fr"}, {"secret": SECRET + "x"},
    {"created_at": MADE + timedelta(microseconds=1)},  # a row made again after an erasure
])
def test_a_token_names_its_purpose_follower_address_row_and_secret(change):
    values = {"secret": SECRET, "purpose": CONFIRM, "follower_id": 12, "email": "lea@exemple.fr", "created_at": MADE}
    reference = following.token(**values)
    assert following.token(**{**values, **change}) != reference
    assert not following.genuine(**{**values, **change}, candidate=reference)
    assert following.genuine(**values, candidate=reference)


def test_a_link_is_the_id_and_the_token():
    value = following.link(SECRET, STOP, 7, "lea@exemple.fr", MADE)
    assert following.parse_link(value) == (7, following.token(SECRET, STOP, 7, "lea@exemple.fr", MADE))


@pytest.mark.parametrize("value", [
    "", "7", "7-", "-" + "a" * 43, "x-" + "a" * 43, "0-" + "a" * 43, "7-" + "a" * 42, "7-" + "a" * 44,
    "99999999999-" + "a" * 43, "٣-" + "a" * 43, "+7-" + "a" * 43,
])
def test_anything_else_is_no_link(value):
    assert following.parse_link(value) is None


def test_a_forged_token_with_odd_characters_is_refused_without_error():
    assert not following.genuine(SECRET, STOP, 7, "lea@exemple.fr", MADE, "é" * 43)
    assert not following.genuine(SECRET, STOP, 7, "lea@exemple.fr", MADE, "\udcff" * 43)


def test_a_confirmation_link_works_for_seven_days():
    sent = utc(2025, 3, 3, 12)
    assert following.confirmable(sent, sent + timedelta(days=7))
    assert not following.confirmable(sent, sent + timedelta(days=7, seconds=1))


# The weekly schedule: Monday 08:00 in France.

@pytest.mark.parametrize("now, mark", [
    # Winter (UTC+1): Monday 07:59 in Paris is still last week's; 08:00 is this week's.
    (utc(2025, 1, 13, 6, 59), utc(2025, 1, 6, 7)),
    (utc(2025, 1, 13, 7, 0), utc(2025, 1, 13, 7)),
    (utc(2025, 1, 15, 18, 0), utc(2025, 1, 13, 7)),
    # Summer (UTC+2).
    (utc(2025, 6, 16, 5, 59), utc(2025, 6, 9, 6)),
    (utc(2025, 6, 16, 6, 0), utc(2025, 6, 16, 6)),
    # Sunday 22:30 UTC is already Monday 00:30 in Paris: before 08:00, so last week's mark.
    (utc(2025, 6, 1, 22, 30), utc(2025, 5, 26, 6)),
    # Clocks go forward on Sunday 30 March 2025: the week before at 07:00 UTC, the Monday after at 06:00.
    (utc(2025, 3, 30, 12, 0), utc(2025, 3, 24, 7)),
    (utc(2025, 3, 31, 5, 59), utc(2025, 3, 24, 7)),
    (utc(2025, 3, 31, 6, 0), utc(2025, 3, 31, 6)),
    # Clocks go back on Sunday 26 October 2025.
    (utc(2025, 10, 26, 1, 30), utc(2025, 10, 20, 6)),
    (utc(2025, 10, 27, 6, 59), utc(2025, 10, 20, 6)),
    (utc(2025, 10, 27, 7, 0), utc(2025, 10, 27, 7)),
])
def test_the_mark_is_the_last_monday_at_eight_in_paris(now, mark):
    assert digest_mark(now) == mark
    assert digest_mark(now).tzinfo is not None


def test_a_naive_time_is_taken_as_utc():
    assert digest_mark(datetime(2025, 1, 13, 7, 0)) == utc(2025, 1, 13, 7)


def test_due_when_confirmed_and_not_sent_since_the_mark():
    mark = utc(2025, 1, 13, 7)
    assert not is_due(None, None, mark)  # never confirmed
    assert is_due(utc(2025, 1, 1), None, mark)
    assert is_due(utc(2025, 1, 1), mark - timedelta(seconds=1), mark)
    assert not is_due(utc(2025, 1, 1), mark, mark)
    assert not is_due(utc(2025, 1, 1), mark + timedelta(hours=1), mark)


# The digest.

def entries():
    return [
        following.entry("La <b>halle</b> & le marché", utc(2025, 3, 4, 10),
                        "Un **grand** jour.\n\n<script>alert(1)</script> " + "mot " * 200,
                        "https://revital.example.fr/communes/x/journal/1"),
        following.entry("Atelier", utc(2025, 3, 6, 10), "", "https://revital.example.fr/communes/x/journal/2"),
    ]


def test_an_entry_has_a_plain_excerpt_of_about_300_characters():
    first = entries()[0]
    assert first.excerpt.startswith("Un grand jour.")
    assert "**" not in first.excerpt
    assert "<script>alert(1)</script>" in first.excerpt  # raw HTML is the writer's text, kept as text
    assert 250 <= len(first.excerpt) <= 301 and first.excerpt.endswith("…")


def test_the_digest_text_lists_the_entries_with_their_links_and_the_stop_link():
    text = following.digest_text("Saint-Étienne", entries(), "https://r.fr/communes/x/journal", "https://r.fr/stop")
    assert "La <b>halle</b> & le marché\nPublié le 4 mars 2025\nUn grand jour." in text
    assert "Lire l’article : https://revital.example.fr/communes/x/journal/2" in text
    assert text.index("journal/1") < text.index("journal/2")
    assert "https://r.fr/stop" in text and "un clic" in text
    assert "Tout le journal de bord : https://r.fr/communes/x/journal" in text


def test_the_digest_html_escapes_what_the_commune_wrote():
    page = following.digest_html("Saint-<i>Étienne</i>", entries(), "https://r.fr/j?a=1&b=2", "https://r.fr/stop")
    assert "<b>" not in page and "<script>" not in page and "<i>" not in page
    assert "La &lt;b&gt;halle&lt;/b&gt; &amp; le marché" in page
    assert "Saint-&lt;i&gt;Étienne&lt;/i&gt;" in page
    assert 'href="https://r.fr/j?a=1&amp;b=2"' in page
    assert 'href="https://r.fr/stop"' in page
    assert page.count("<h2>") == 2


def test_the_confirmation_and_already_following_texts():
    text = following.confirm_text("Grandrieu", "https://r.fr/confirm")
    assert "https://r.fr/confirm" in text and "7 jours" in text and "« Confirmer »" in text
    text = following.already_text("Grandrieu", "https://r.fr/journal", "https://r.fr/stop")
    assert "vous le suivez déjà" in text and "https://r.fr/stop" in text
