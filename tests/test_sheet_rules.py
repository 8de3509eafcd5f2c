"""The pure rules of action sheets (revital.sheets.rules) and the pure checks of their forms
(revital.sheets.forms.clean): no web, no database."""

import pytest

from revital.sheets import forms, rules


def sheet(**changes) -> dict:
    """A snapshot with nothing filled in (the keys of revital.sheets.snapshot)."""
    blank = {
        "number": 1, "title": "", "axis": None, "priority": None, "context": "", "objectives": "", "effects": "",
        "targets": "", "description": "", "prerequisites": "", "geometry": None, "place": "", "pilot": "",
        "elected_referent": "", "elected_referent_role": "", "technical_referent": "", "technical_referent_role": "",
        "start": None, "end": None, "maturity": "idee", "status": "draft", "status_reason": "", "operations": [],
        "partners": [], "related": [], "costs": [], "funding": [], "milestones": [], "indicators": [], "sources": {},
    }
    return {**blank, **changes}


IDEA_DONE = {"title": "Halle", "axis": {"id": 1, "title": "Commerce", "position": 0}, "description": "D",
             "sources": {"idea": [3]}}
PROJECT_DONE = {**IDEA_DONE, "context": "C", "objectives": "O", "place": "La place", "pilot": "Commune",
                "costs": [{"year": 2027, "investment_cents": 100, "operating_cents": 0}],
                "start": {"year": 2027, "quarter": 1}, "end": {"year": 2027, "quarter": 4}}
ACTION_DONE = {**PROJECT_DONE, "effects": "E", "targets": "T", "operations": [{"kind": "etude", "label": "x"}],
               "elected_referent": "A", "technical_referent": "B", "partners": [{"id": 1, "name": "CAUE"}],
               "funding": [{"funder": "Région", "organisation_id": None, "scheme": "", "amount_cents": 50, "year": None,
                            "status": "requested"}],
               "milestones": [{"label": "M", "on": "2027-03-01", "done": False}],
               "indicators": [{"name": "I", "unit": "", "baseline": "", "target": "", "source": ""}]}


# Completeness.

def test_a_blank_sheet_misses_everything_and_says_what():
    scores = rules.completeness(sheet())
    assert scores["idee"].done == 0 and scores["idee"].total == 4
    assert "Un titre" in scores["idee"].missing
    assert scores["fiche_projet"].total == 10 and scores["fiche_action"].total == 19
    assert scores["idee"].percent == 0 and not scores["idee"].complete


def test_each_stage_counts_its_own_fields_and_the_earlier_ones():
    scores = rules.completeness(sheet(**IDEA_DONE))
    assert scores["idee"].complete and scores["idee"].percent == 100
    assert scores["fiche_projet"].done == 4
    assert scores["fiche_projet"].missing == ("Le contexte", "Les objectifs", "Une localisation (un tracé ou un lieu)",
                                              "Le maître d’ouvrage", "Un coût estimé", "Le début et la fin")
    assert rules.completeness(sheet(**PROJECT_DONE))["fiche_projet"].complete
    assert rules.completeness(sheet(**ACTION_DONE))["fiche_action"].complete


def test_a_refused_line_is_no_funding_plan_and_a_geometry_is_a_location():
    refused = [{**ACTION_DONE["funding"][0], "status": "refused"}]
    assert "Un plan de financement" in rules.completeness(sheet(**{**ACTION_DONE, "funding": refused}))["fiche_action"].missing
    located = sheet(**{**PROJECT_DONE, "place": "", "geometry": {"type": "Point", "coordinates": [3.5, 44.4]}})
    assert rules.completeness(located)["fiche_projet"].complete


def test_maturity_problem_names_what_is_missing():
    assert rules.maturity_problem(sheet(**IDEA_DONE), "idee") is None
    problem = rules.maturity_problem(sheet(**IDEA_DONE), "fiche_projet")
    assert problem.startswith("Pour passer en « Fiche-projet », il manque : le contexte; les objectifs")
    assert "Choisissez une maturité" in rules.maturity_problem(sheet(), "autre")


# Euros.

@pytest.mark.parametrize("text,cents", [
    ("12 500", 1_250_000), ("12 500,50", 1_250_050), ("12500.5", 1_250_050), ("12\u00a0500,5", 1_250_050),
    ("12\u202f500 €", 1_250_000), ("1.234.567,89", 123_456_789), ("0", 0), ("7,05", 705), (" 3 ", 300),
])
def test_euros_typed_the_french_way(text, cents):
    assert rules.parse_euros(text) == cents
    assert isinstance(rules.parse_euros(text), int)


@pytest.mark.parametrize("text,words", [
    ("abc", "n’est pas un montant"), ("", "Indiquez un montant"), ("-5", "négatif"), ("12,505", "n’est pas un montant"),
    ("99999999999999", "trop élevé"), ("9" * 5000, "trop long"), ("1e5", "n’est pas un montant"), ("nan", "n’est pas"),
])
def test_euros_that_are_not_amounts_get_a_french_message(text, words):
    with pytest.raises(ValueError) as error:
        rules.parse_euros(text)
    assert words in str(error.value)


def test_euros_are_written_with_french_spaces():
    assert rules.euros(1_250_000) == "12\u202f500\u00a0€"
    assert rules.euros(1_250_050) == "12\u202f500,50\u00a0€"
    assert rules.euros(-5) == "−0,05\u00a0€"
    assert rules.euros(None) == ""


# Funding, in cents.

def plan(cost, *lines):
    return sheet(costs=[{"year": 2027, "investment_cents": cost, "operating_cents": 0}],
                 funding=[{"funder": "F", "organisation_id": None, "scheme": "", "amount_cents": amount, "year": None,
                           "status": status} for amount, status in lines])


def test_funding_share_and_remaining_cost():
    f = rules.funding(plan(1_000_000, (300_000, "granted"), (155_000, "requested"), (900_000, "refused")))
    assert (f.planned, f.granted, f.requested, f.refused) == (455_000, 300_000, 155_000, 900_000)
    assert f.remaining == 545_000
    assert f.share_tenths == 455 and f.share == "45,5\u00a0%"
    assert not f.exceeds and f.warning is None


def test_a_plan_over_the_cost_warns_with_the_excess():
    f = rules.funding(plan(100_000, (80_000, "granted"), (30_000, "requested")))
    assert f.exceeds and f.remaining == -10_000
    assert "dépasse le coût estimé" in f.warning and "100\u00a0€" in f.warning


def test_funding_without_cost_and_rounding_stay_integers():
    assert rules.funding(plan(0, (100, "granted"))).share == "—"
    f = rules.funding(plan(3, (1, "granted")))  # 33,33… %
    assert f.share_tenths == 333 and isinstance(f.share_tenths, int)
    # 0.1 + 0.2 in cents is exact.
    assert rules.funding(plan(30, (10, "granted"), (20, "requested"))).remaining == 0


# Quarters.

@pytest.mark.parametrize("text,expected", [("T1 2027", {"year": 2027, "quarter": 1}), ("2027-T4", {"year": 2027, "quarter": 4}),
                                            ("t2/2028", {"year": 2028, "quarter": 2}), ("", None)])
def test_quarters(text, expected):
    assert rules.parse_quarter(text) == expected


@pytest.mark.parametrize("text", ["T5 2027", "2027", "T1 1999", "demain"])
def test_bad_quarters(text):
    with pytest.raises(ValueError):
        rules.parse_quarter(text)


def test_the_end_cannot_come_before_the_start():
    start, end = {"year": 2027, "quarter": 3}, {"year": 2027, "quarter": 2}
    assert rules.schedule_problem(start, end) == "La fin ne peut pas précéder le début."
    assert rules.schedule_problem(end, start) is None
    assert rules.schedule_problem(start, None) is None


# Fingerprints and comparison.

def test_a_fingerprint_changes_only_with_its_own_section():
    base = sheet(**ACTION_DONE)
    changed = {**base, "description": "Autre"}
    assert rules.fingerprint(base, "contenu") != rules.fingerprint(changed, "contenu")
    for section in rules.SECTION_KEYS:
        if section != "contenu":
            assert rules.fingerprint(base, section) == rules.fingerprint(changed, section), section


def test_a_technical_meeting_linked_does_not_make_the_identity_form_stale():
    base = sheet(**IDEA_DONE)
    linked = {**base, "sources": {**base["sources"], "workshop": [9]}}
    assert rules.fingerprint(base, "identite") == rules.fingerprint(linked, "identite")
    assert rules.fingerprint(base, "identite") != rules.fingerprint({**base, "sources": {"idea": [4]}}, "identite")


def test_compare_texts_lists_amounts_and_dates():
    old = sheet(**ACTION_DONE)
    new = {**old, "description": "Rénover la halle du marché",
           "costs": [{"year": 2027, "investment_cents": 250_000, "operating_cents": 0}],
           "start": {"year": 2028, "quarter": 1},
           "operations": [{"kind": "travaux", "label": "Toiture"}]}
    old["description"] = "Rénover la halle"
    changes = {c.key: c for c in rules.compare(old, new)}
    assert changes["description"].kind == "text"
    assert ("+", "du marché") in [(op, w.strip()) for op, w in changes["description"].words]
    assert changes["cost"].before == "1\u00a0€" and changes["cost"].after == "2\u202f500\u00a0€"
    assert (changes["start"].before, changes["start"].after) == ("T1 2027", "T1 2028")
    assert changes["operations"].removed == ("Étude : x",) and changes["operations"].added == ("Travaux : Toiture",)
    assert rules.compare(old, old) == []
    assert rules.changed_sections(old, new) == ["Contenu", "Coût et financement", "Calendrier"]


def test_word_diff_keeps_the_spaces():
    ops = rules.word_diff("un deux trois", "un quatre trois")
    assert "".join(w for op, w in ops if op != "-") == "un quatre trois"
    assert "".join(w for op, w in ops if op != "+") == "un deux trois"


def test_sources_read_in_french_and_the_summary_of_a_section():
    assert rules._value("sources", {"idea": [1, 2], "stake": [3]}) == "2 pistes, 1 enjeu"
    summary = rules.section_summary(sheet(**ACTION_DONE), "financement")
    assert summary[0][1] == "Coût estimé (HT)" and summary[0][3] == ("2027 : investissement 1\u00a0€, fonctionnement 0\u00a0€",)


# The forms' checks (pure).

def test_clean_costs_refuses_a_year_twice_and_keeps_cents():
    values = {"costs": [{"year": "2027", "investment": "1 000", "operating": ""},
                        {"year": "2027", "investment": "5", "operating": "0,5"}], "funding": []}
    fields, errors = forms.clean("financement", values, forms.Choices())
    assert errors == {"cost_year-1": "L’année 2027 figure déjà plus haut : une ligne par année."}
    assert fields["costs"][0]["investment_cents"] == 100_000 and fields["costs"][1]["operating_cents"] == 50


def test_clean_funding_needs_a_funder_and_an_amount():
    values = {"costs": [], "funding": [{"funder": "", "name": "", "scheme": "DETR", "amount": "", "year": "",
                                        "status": "requested"}]}
    _, errors = forms.clean("financement", values, forms.Choices())
    assert set(errors) == {"fund_name-0", "fund_amount-0"}
    values["funding"][0].update(funder="7", amount="10")
    fields, errors = forms.clean("financement", values, forms.Choices(funders={"7": "CAUE"}))
    assert errors == {} and fields["funding"][0]["funder"] == "CAUE" and fields["funding"][0]["organisation_id"] == 7


def test_rows_left_blank_are_dropped_and_checked_milestones_follow_their_row():
    form = {"ms_label": ["", "Ouverture", ""], "ms_on": ["", "2027-06-01", ""], "ms_done": ["1"]}
    assert forms.rows_of(form, "milestones") == [{"label": "Ouverture", "on": "2027-06-01", "done": True}]
