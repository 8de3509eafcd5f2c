"""The pure rules of calls for applications (revital.calls.rules): state by dates, the call and
application forms, scores, decisions and publishing the results."""

from datetime import date

import pytest

from revital.calls import rules

COMMUNES = {"48147": "Saint-Étienne-du-Valdonnez", "48070": "Grandrieu"}


@pytest.mark.parametrize(("today", "published", "state"), [
    (date(2027, 1, 14), False, rules.UPCOMING),
    (date(2027, 1, 15), False, rules.OPEN),  # the opening day is included
    (date(2027, 3, 31), False, rules.OPEN),  # and the closing day
    (date(2027, 4, 1), False, rules.CLOSED),
    (date(2027, 4, 1), True, rules.DECIDED),
])
def test_state_by_dates(today, published, state):
    assert rules.state(date(2027, 1, 15), date(2027, 3, 31), today, published) == state


@pytest.mark.parametrize(("typed", "expected"), [
    ("2027-03-31", date(2027, 3, 31)), ("31/03/2027", date(2027, 3, 31)), ("1.4.2027", date(2027, 4, 1)),
    ("31/02/2027", None), ("demain", None), ("", None),
])
def test_dates_typed_either_way(typed, expected):
    assert rules.parse_date(typed) == expected


def call_form(**changes):
    data = {"title": "Revitaliser nos centres-bourgs", "text": "Le Pays accompagne trois communes.",
            "criteria": "Portage politique\n\n  Enjeux de centralité  \n", "documents": "Délibération",
            "opens_on": "2027-01-15", "closes_on": "2027-03-31"}
    data.update(changes)
    return data


def test_a_complete_call():
    fields, errors = rules.clean_call(call_form())
    assert errors == {}
    assert fields.criteria == ["Portage politique", "Enjeux de centralité"]
    assert (fields.opens_on, fields.closes_on) == (date(2027, 1, 15), date(2027, 3, 31))


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"title": "Ap"}, "title", "Donnez un titre à l’appel (5 caractères au moins)."),
    ({"text": " "}, "text", "Décrivez l’appel : ce qu’il offre aux communes et ce qu’il attend d’elles."),
    ({"criteria": "\n\n"}, "criteria", "Indiquez au moins un critère de sélection, un par ligne."),
    ({"opens_on": "bientôt"}, "opens_on", "Indiquez la date d’ouverture (par exemple 15/01/2027)."),
    ({"closes_on": "2027-01-14"}, "closes_on", "La date de clôture doit suivre la date d’ouverture."),
])
def test_each_mistake_in_a_call(changes, field, message):
    _, errors = rules.clean_call(call_form(**changes))
    assert errors == {field: message}


def application(**changes):
    data = {"insee": "48147", "motivation": "Des commerces ont fermé.", "stakes": "La traversée du bourg.",
            "referent_name": "Claire Martin", "referent_role": "Adjointe", "agent_name": "Paul Roux",
            "agent_role": "Secrétaire de mairie", "agent_email": "mairie@exemple.fr", "perimeter_choice": "later"}
    data.update(changes)
    return data


def test_a_draft_needs_only_the_commune_and_the_agents_email():
    values, errors = rules.clean_application({"insee": "48070", "agent_email": "mairie@exemple.fr"}, COMMUNES, complete=False)
    assert errors == {}
    assert values["perimeter_choice"] == "later"


def test_a_submitted_application_needs_everything():
    _, errors = rules.clean_application({"insee": "48070", "agent_email": "mairie@exemple.fr"}, COMMUNES, complete=True)
    assert set(errors) == {"motivation", "stakes", "referent_name", "referent_role", "agent_name", "agent_role"}


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"insee": "75056"}, "insee", "Choisissez votre commune dans la liste des communes du territoire."),
    ({"agent_email": ""}, "agent_email",
     "Indiquez l’adresse e-mail de l’agent à contacter : le lien pour reprendre la candidature y est envoyé."),
    ({"referent_email": "pas une adresse"}, "referent_email",
     "Cette adresse e-mail n’est pas valide (exemple : prenom.nom@mairie.fr)."),
    ({"motivation": "x" * 6001}, "motivation", "Ce texte ne peut pas dépasser 6000 caractères (6001 actuellement)."),
])
def test_each_mistake_in_an_application(changes, field, message):
    _, errors = rules.clean_application(application(**changes), COMMUNES, complete=True)
    assert errors == {field: message}


@pytest.mark.parametrize(("value", "expected"), [("", (None, None)), ("0", (0, None)), ("3", (3, None)),
                                                 ("4", (None, "Notez de 0 à 3.")), ("deux", (None, "Notez de 0 à 3."))])
def test_a_score_is_0_to_3_or_blank(value, expected):
    score, comment, problem = rules.clean_score(value, "  Très bon portage  ")
    assert (score, problem) == expected
    assert comment == "Très bon portage"


def test_total_says_whether_every_criterion_is_scored():
    assert rules.total([3, 2, None], 3) == (5, 9, False)
    assert rules.total([3, 2, 0], 3) == (5, 9, True)
    assert rules.total([], 0) == (0, 0, False)


def test_a_decision_after_the_closing_date_with_a_reason():
    assert rules.decide(rules.SUBMITTED, "select", "Portage fort", rules.CLOSED) == rules.SELECTED
    assert rules.decide(rules.SELECTED, "decline", "Finalement non", rules.CLOSED) == rules.DECLINED


@pytest.mark.parametrize(("status", "action", "reason", "state", "message"), [
    (rules.SUBMITTED, "select", "Portage fort", rules.OPEN,
     "L’appel est encore ouvert : les candidatures se décident après sa clôture."),
    (rules.SUBMITTED, "select", "Portage fort", rules.DECIDED,
     "Les résultats de cet appel sont publiés : les décisions ne changent plus."),
    (rules.DRAFT, "select", "Portage fort", rules.CLOSED,
     "Cette candidature n’a pas été déposée : elle ne peut pas être examinée."),
    (rules.SUBMITTED, "decline", "non", rules.CLOSED, "Indiquez le motif de la décision : il est communiqué à la commune."),
    (rules.SUBMITTED, "maybe", "Portage fort", rules.CLOSED, "Choisissez de retenir ou de ne pas retenir la candidature."),
])
def test_decisions_refused(status, action, reason, state, message):
    with pytest.raises(rules.DecisionRefused) as refused:
        rules.decide(status, action, reason, state)
    assert str(refused.value) == message


def test_results_are_published_once_everything_is_decided():
    assert rules.can_publish_results([rules.SELECTED, rules.DECLINED], rules.CLOSED) is None
    assert rules.can_publish_results([rules.SELECTED, rules.SUBMITTED], rules.CLOSED) == (
        "Une candidature n’a pas encore de décision : retenez-la ou non avant de publier.")
    assert rules.can_publish_results([rules.SUBMITTED] * 2, rules.CLOSED) == (
        "2 candidatures n’ont pas encore de décision : décidez de chacune avant de publier.")
    assert rules.can_publish_results([], rules.OPEN) == "L’appel est encore ouvert : publiez les résultats après sa clôture."
    assert rules.can_publish_results([], rules.DECIDED) == "Les résultats sont déjà publiés."
