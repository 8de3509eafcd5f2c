"""Unit tests for revital.contributions.themes: stable codes, renaming, retiring. No HTTP, no database."""

import json

from revital.contributions import themes
from revital.contributions.rules import DEFAULT_CATEGORIES
from revital.contributions.themes import Impact, Theme
from revital.text import count_fr, fold

THEMES = [Theme("commerce", "Commerce et activités"), Theme("fetes", "Fêtes et marchés"),
          Theme("vieux", "Ancien thème", retired=True)]


def rows(*changes, base=THEMES):
    """The form as shown, with some rows changed: (code, label, retired)."""
    shown = {t.code: (t.label, t.retired) for t in base}
    for code, label, retired in changes:
        shown[code] = (label, retired)
    return shown


def test_no_stored_themes_means_the_default_list():
    assert themes.load(None) == themes.load("") == themes.defaults()
    assert themes.labels(themes.load(None)) == DEFAULT_CATEGORIES
    assert themes.dump(themes.defaults()) is None


def test_the_first_format_still_reads_as_active_themes():
    stored = json.dumps({"commerce": "Commerce et activités", "fetes-et-marches": "Fêtes et marchés"})
    assert themes.load(stored) == [Theme("commerce", "Commerce et activités"), Theme("fetes-et-marches", "Fêtes et marchés")]


def test_retired_themes_are_stored_readably_and_read_back():
    stored = themes.dump(THEMES)
    assert json.loads(stored) == {"commerce": "Commerce et activités", "fetes": "Fêtes et marchés",
                                  "vieux": {"label": "Ancien thème", "retired": True}}
    assert themes.load(stored) == THEMES


def test_unreadable_stored_themes_fall_back_to_the_defaults():
    for stored in ("not json", "[1, 2]", json.dumps({"a": 3}), json.dumps({})):
        assert themes.load(stored) == themes.defaults(), stored


def test_displays_show_every_label_new_contributions_only_active_themes():
    assert themes.labels(THEMES) == {"commerce": "Commerce et activités", "fetes": "Fêtes et marchés", "vieux": "Ancien thème"}
    assert themes.active(THEMES) == {"commerce": "Commerce et activités", "fetes": "Fêtes et marchés"}
    mixed = [Theme("a", "A", retired=True), Theme("b", "B")]
    assert list(themes.labels(mixed)) == ["b", "a"]  # active ones first


def test_renaming_keeps_the_code():
    edited, errors = themes.edit(THEMES, rows(("commerce", "Commerces et artisans", False)), "")
    assert errors == {}
    assert edited[0] == Theme("commerce", "Commerces et artisans")


def test_retiring_keeps_the_theme_and_its_label():
    edited, errors = themes.edit(THEMES, rows(("fetes", "Fêtes et marchés", True)), "")
    assert errors == {}
    assert Theme("fetes", "Fêtes et marchés", retired=True) in edited
    assert "fetes" not in themes.active(edited) and themes.labels(edited)["fetes"] == "Fêtes et marchés"


def test_a_retired_theme_can_be_proposed_again():
    edited, errors = themes.edit(THEMES, rows(("vieux", "Ancien thème", False)), "")
    assert errors == {} and Theme("vieux", "Ancien thème") in edited


def test_new_themes_get_new_codes_never_taken_ones():
    _, errors = themes.edit(THEMES, rows(), "Mobilité et stationnement\n\nFÊTES ET MARCHÉS !")
    assert errors == {"new_themes": "Le thème « FÊTES ET MARCHÉS ! » existe déjà."}
    edited, errors = themes.edit(THEMES, rows(), "Mobilité et stationnement\nVieux\n")
    assert errors == {}
    assert edited[3:] == [Theme("mobilite", "Mobilité et stationnement"), Theme("vieux-2", "Vieux")]


def test_a_label_that_slugifies_to_nothing_still_gets_a_unique_code():
    edited, errors = themes.edit(THEMES, rows(), "★\n☆")
    assert errors == {}
    assert [t.code for t in edited[3:]] == ["sans-nom", "sans-nom-2"]


def test_themes_the_form_did_not_show_are_kept():
    added_meanwhile = [*THEMES, Theme("nouveau", "Ajouté par quelqu’un d’autre")]
    edited, errors = themes.edit(added_meanwhile, rows(), "")
    assert errors == {} and edited == added_meanwhile


def test_edit_errors_are_french_and_keyed_by_field():
    _, errors = themes.edit(THEMES, rows(("commerce", "  ", False)), "")
    assert errors == {"label-commerce": "Donnez un nom à ce thème ; pour ne plus le proposer, cochez « retirer »."}
    _, errors = themes.edit(THEMES, rows(("commerce", "x" * 61, False)), "")
    assert errors == {"label-commerce": "60 caractères au plus par thème (61 actuellement)."}
    _, errors = themes.edit(THEMES, rows(("fetes", "commerce et activites", False)), "")
    assert errors == {"label-fetes": "« commerce et activites » : un autre thème porte déjà ce nom."}
    _, errors = themes.edit(THEMES, rows(), "Marché\nmarche")
    assert errors == {"new_themes": "Le thème « marche » apparaît deux fois."}
    _, errors = themes.edit(THEMES, rows(), "ANCIEN THÈME")
    assert errors == {"new_themes": "« ANCIEN THÈME » est un thème retiré : décochez « retirer » sur sa ligne pour le proposer à nouveau."}
    _, errors = themes.edit(THEMES, rows(("commerce", "Commerce et activités", True), ("fetes", "Fêtes et marchés", True)), "")
    assert errors == {"themes": "Gardez au moins un thème proposé aux habitants."}
    _, errors = themes.edit(THEMES, rows(), "\n".join(f"Thème {i}" for i in range(29)))
    assert errors == {"themes": "30 thèmes proposés au plus (31 actuellement) : retirez-en quelques-uns."}


def test_codes_contributions_carry_but_the_list_lost_come_back_as_retired_themes():
    found = themes.with_orphans(THEMES, {"commerce", "logement", "fetes-anciennes"})
    assert found[3:] == [Theme("fetes-anciennes", "fetes-anciennes", retired=True), Theme("logement", "Logement", retired=True)]


def test_impacts_are_renamed_or_retired_themes_that_published_contributions_use():
    edited, _ = themes.edit(THEMES, rows(("commerce", "Commerces", False), ("fetes", "Fêtes et marchés", True),
                                         ("vieux", "Vieux thème", False)), "Nouveau")
    found = themes.impacts(THEMES, edited, {"commerce": 3, "fetes": 1})
    assert found == [Impact("commerce", "Commerce et activités", "Commerces", False, 3),
                     Impact("fetes", "Fêtes et marchés", "Fêtes et marchés", True, 1)]
    assert themes.summary(found) == "Ces changements touchent 4 contributions publiées."
    assert found[0].sentence() == "« Commerce et activités » devient « Commerces » : 3 contributions publiées afficheront le nouveau nom."
    assert found[1].sentence() == ("« Fêtes et marchés » n’est plus proposé : 1 contribution publiée le garde, "
                                   "les nouvelles ne pourront plus le choisir.")
    both = Impact("fetes", "Fêtes", "Fêtes et foires", True, 2)
    assert both.sentence() == ("« Fêtes » devient « Fêtes et foires » et n’est plus proposé : 2 contributions publiées "
                               "afficheront le nouveau nom, les nouvelles ne pourront plus le choisir.")
    assert themes.summary([found[1]]) == "Ce changement touche 1 contribution publiée."


def test_changes_no_published_contribution_shows_touch_nothing():
    edited, _ = themes.edit(THEMES, rows(("commerce", "Commerces", True)), "Nouveau")
    assert themes.impacts(THEMES, edited, {"fetes": 5}) == []
    assert themes.impacts(THEMES, THEMES, {"commerce": 5, "fetes": 5}) == []


def test_a_confirmation_names_exactly_its_changes():
    one = [Impact("commerce", "Commerce", "Commerces", False, 3)]
    same_with_other_count = [Impact("commerce", "Commerce", "Commerces", False, 4)]
    other = [Impact("commerce", "Commerce", "Commerce local", False, 3)]
    assert themes.confirmation_key(one) == themes.confirmation_key(same_with_other_count)
    assert themes.confirmation_key(one) != themes.confirmation_key(other)


def test_fold_ignores_case_accents_ligatures_and_punctuation():
    assert fold("Place de l’Église") == fold("place de l'eglise") == "place de l eglise"
    assert fold("  Grand-Rue ") == fold("grand rue")
    assert fold("Cœur du bourg") == fold("COEUR DU BOURG")
    assert fold("Lavoir") != fold("Lavoirs")
    assert fold("Ποταμός") == fold("ποταμος")


def test_count_fr_uses_the_singular_for_zero_and_one():
    assert [count_fr(n, "lieu", "lieux") for n in (0, 1, 2)] == ["0 lieu", "1 lieu", "2 lieux"]
