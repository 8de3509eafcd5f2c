"""The diagnostic's pure rules (revital.diagnostic.rules): AFOM classes, the stake form, the selection,
the matrix by theme and AFOM class, and the versions of the synthesis."""

from dataclasses import dataclass
from datetime import datetime

from revital.diagnostic import rules

THEMES = {"commerce": "Commerce et activités", "mobilite": "Mobilité et stationnement", "logement": "Logement"}


def test_afom_classes_speak_french():
    assert rules.AFOM == {"asset": "Atout", "weakness": "Faiblesse", "opportunity": "Opportunité", "threat": "Menace"}


def test_a_good_stake_form_is_cleaned():
    fields, errors = rules.clean_stake({"theme": "commerce", "afom": "weakness", "title": "  Plus de  pain ",
                                        "text": " Le pain\r\nmanque ", "priority": "1"}, THEMES)
    assert errors == {}
    assert fields == rules.StakeFields("commerce", "weakness", "Plus de pain", "Le pain\nmanque", 1)
    fields, errors = rules.clean_stake({"theme": "commerce", "afom": "asset", "title": "x", "priority": ""}, THEMES)
    assert fields.priority is None and errors == {}


def test_a_bad_stake_form_says_why_in_french():
    fields, errors = rules.clean_stake({"theme": "inconnu", "afom": "maybe", "title": "", "priority": "7"}, THEMES)
    assert fields is None
    assert set(errors) == {"theme", "afom", "title", "priority"}
    assert errors["title"] == "Donnez un titre à l’enjeu."
    _, errors = rules.clean_stake({"theme": "commerce", "afom": "asset", "title": "t" * 161,
                                   "text": "x" * (rules.TEXT_MAX + 1)}, THEMES)
    assert set(errors) == {"title", "text"}


def test_a_selection_is_read_once_each_and_refused_when_unreadable():
    assert rules.selection_ids(["3", "1", "3"]) == ([3, 1], None)
    assert rules.selection_ids([]) == ([], None)
    ids, problem = rules.selection_ids(["3", "abc"])
    assert ids == [] and "rien n’a été enregistré" in problem
    assert rules.selection_ids(["99999999999"])[1] is not None
    assert rules.selection_ids([str(i) for i in range(1, rules.SELECTION_MAX + 2)])[1] == (
        f"Cochez au plus {rules.SELECTION_MAX} contributions à la fois.")


def stake(i, theme, afom, priority=None, title=None):
    return {"id": i, "theme": theme, "afom": afom, "priority": priority, "title": title or f"Enjeu {i}"}


def test_the_matrix_has_a_row_per_theme_in_the_communes_order_and_a_cell_per_class():
    stakes = [stake(1, "mobilite", "threat"), stake(2, "commerce", "weakness", 2, "B"),
              stake(3, "commerce", "weakness", 1, "Z"), stake(4, "commerce", "asset", None, "A"),
              stake(5, "retire", "asset"), stake(6, "commerce", "bogus")]
    rows = rules.matrix(stakes, THEMES)
    assert [r.theme for r in rows] == ["commerce", "mobilite", "retire"]
    assert [r.label for r in rows] == ["Commerce et activités", "Mobilité et stationnement", "retire"]
    assert list(rows[0].cells) == ["asset", "weakness", "opportunity", "threat"]
    assert [s["id"] for s in rows[0].cells["weakness"]] == [3, 2]  # priority first
    assert rows[0].count == 3 and rows[1].cells["threat"][0]["id"] == 1
    assert rules.afom_counts(stakes) == {"asset": 2, "weakness": 2, "opportunity": 0, "threat": 1}
    assert rules.matrix([], THEMES) == []


@dataclass
class Version:
    number: int
    status: str
    published_at: datetime | None = None


def test_the_current_version_is_the_latest_published_and_the_draft_is_apart():
    versions = [Version(1, "published", datetime(2026, 1, 1)), Version(2, "published", datetime(2026, 2, 1)),
                Version(3, "draft")]
    assert rules.latest_published(versions).number == 2
    assert rules.draft_of(versions).number == 3
    assert rules.next_number(versions) == 4
    assert rules.latest_published([Version(1, "draft")]) is None
    assert rules.draft_of(versions[:2]) is None and rules.next_number([]) == 1


def test_publishing_asks_for_an_introduction_a_stake_and_then_a_note():
    assert rules.publish_problems("Intro", 1, True, "") == {}
    assert set(rules.publish_problems("", 0, True, "")) == {"introduction", "form"}
    assert rules.publish_problems("Intro", 3, False, "") == {
        "note": "Dites en quelques mots ce qui a changé depuis la version précédente."}
    assert rules.publish_problems("Intro", 3, False, "Ajout du logement") == {}
    assert "introduction" not in rules.publish_problems("x", 1, True, "")
    assert rules.clean_introduction("a" * (rules.INTRODUCTION_MAX + 1))[1] is not None
    assert rules.clean_introduction(" ## Titre \r\n")[0] == "## Titre"
