"""The pure rules of the partners' review (revital.sheets.review_rules): no HTTP, no database."""

from datetime import UTC, date, datetime

from revital.permissions import COMMUNE_ADMIN, PARTNER, CommuneScope, Grant, Principal
from revital.sheets import review_rules as r

COMMUNE = CommuneScope(1, 10, frozenset({5, 6}))
TODAY = date(2027, 3, 10)


def partner_of(*organisations):
    return Principal(7, frozenset(Grant(PARTNER, organisation_id=o) for o in organisations))


def test_a_partner_of_an_invited_organisation_that_was_asked_may_review():
    assert r.reviewing_organisations(partner_of(5), COMMUNE, {5}) == [5]
    assert r.refusal(partner_of(5), COMMUNE, {5}) is None


def test_a_partner_of_an_organisation_not_asked_may_not():
    assert r.reviewing_organisations(partner_of(6), COMMUNE, {5}) == []
    assert r.refusal(partner_of(6), COMMUNE, {5}) == r.NOT_ASKED


def test_a_partner_of_an_organisation_not_invited_may_not_even_if_asked():
    assert r.reviewing_organisations(partner_of(9), COMMUNE, {9}) == []
    assert r.refusal(partner_of(9), COMMUNE, {9}) == r.NOT_INVITED


def test_the_commune_is_not_a_reviewer():
    admin = Principal(1, frozenset({Grant(COMMUNE_ADMIN, commune_id=1)}))
    assert r.refusal(admin, COMMUNE, {5}) == r.NOT_A_PARTNER


def test_a_partner_of_two_organisations_reviews_for_those_asked():
    assert r.reviewing_organisations(partner_of(5, 6, 9), COMMUNE, {6, 9}) == [6]


def test_the_day_is_the_day_in_paris():
    # 23:30 UTC on 31 March is already 1 April in Paris (summer time, UTC+2).
    assert r.today_in_paris(datetime(2027, 3, 31, 23, 30, tzinfo=UTC)) == date(2027, 4, 1)
    assert r.today_in_paris(datetime(2027, 1, 31, 22, 59, tzinfo=UTC)) == date(2027, 1, 31)


def test_states_and_order():
    assert r.state(date(2027, 3, 9), False, TODAY) == r.OVERDUE
    assert r.state(date(2027, 3, 10), False, TODAY) == r.WAITING
    assert r.state(date(2027, 3, 9), True, TODAY) == r.ANSWERED
    dues = [date(2027, 3, 20), date(2027, 3, 1), date(2027, 3, 12), date(2027, 2, 1)]
    ordered = sorted(dues, key=lambda d: r.order_key(d, False, TODAY))
    assert ordered == [date(2027, 2, 1), date(2027, 3, 1), date(2027, 3, 12), date(2027, 3, 20)]


def test_the_reminder_goes_from_three_days_before_until_the_due_date_once():
    due = date(2027, 3, 13)
    assert not r.reminder_due(due, date(2027, 3, 9), False, False)
    assert r.reminder_due(due, date(2027, 3, 10), False, False)
    assert r.reminder_due(due, date(2027, 3, 13), False, False)
    assert not r.reminder_due(due, date(2027, 3, 14), False, False)
    assert not r.reminder_due(due, date(2027, 3, 10), False, True)
    assert not r.reminder_due(due, date(2027, 3, 10), True, False)
    assert r.reminded_by_asking(due, date(2027, 3, 11)) and not r.reminded_by_asking(due, date(2027, 3, 9))


def test_validation_needs_every_answer_or_a_reason():
    assert r.validation_problem("review", [], "") is None
    assert r.validation_problem("review", ["DDT de la Lozère"], "") == r.NEEDS_REASON.format(missing="DDT de la Lozère")
    assert r.validation_problem("review", ["DDT de la Lozère"], "Urgence du calendrier") is None
    assert r.validation_problem("validated", [], "") == r.NOT_IN_REVIEW


def test_a_request_is_checked():
    fields, errors = r.clean_request(["5"], "2027-03-20", " Merci ", {5, 6}, TODAY)
    assert errors == {} and fields == {"organisation_ids": [5], "due_on": date(2027, 3, 20), "message": "Merci"}
    assert r.clean_request([], "20/03/2027", "", {5}, TODAY)[1] == {"organisations": r.NO_ORGANISATION}
    assert r.clean_request(["9"], "20/03/2027", "", {5}, TODAY)[1] == {"organisations": r.NOT_PARTNERS}
    assert r.clean_request(["x"], "20/03/2027", "", {5}, TODAY)[1] == {"organisations": r.NOT_PARTNERS}
    assert r.clean_request(["5"], "31/02/2027", "", {5}, TODAY)[1] == {"due_on": r.BAD_DUE.format(value="31/02/2027")}
    assert r.clean_request(["5"], "09/03/2027", "", {5}, TODAY)[1] == {"due_on": r.PAST_DUE}
    assert r.clean_request(["5"], "", "", {5}, TODAY)[1] == {"due_on": r.NO_DUE}
    assert r.clean_request(["5"], "2029-01-01", "", {5}, TODAY)[1] == {"due_on": r.FAR_DUE}
    assert "message" in r.clean_request(["5"], "2027-03-20", "x" * 100_000, {5}, TODAY)[1]


def test_an_opinion_is_checked():
    fields, errors = r.clean_opinion("reserves", "Bien.", "Revoir le stationnement\n\n  Ajouter un abri vélos ", "",
                                     "", "", "")
    assert errors == {}
    assert fields["reservations"] == ["Revoir le stationnement", "Ajouter un abri vélos"]
    assert fields["proposed"] is None
    assert r.clean_opinion("x", "", "", "", "", "", "")[1] == {"verdict": r.NO_VERDICT}
    assert r.clean_opinion("reserves", "", "", "", "", "", "")[1] == {"reservations": r.RESERVED_NEEDS}
    assert "comments" in r.clean_opinion("favourable", "x" * 100_000, "", "", "", "", "")[1]


def test_a_proposed_line_is_in_cents():
    fields, errors = r.clean_opinion("favourable", "", "", "Banque des Territoires", "Ingénierie", "12 500,50", "2027")
    assert errors == {}
    assert fields["proposed"] == {"funder": "Banque des Territoires", "scheme": "Ingénierie", "amount_cents": 1250050,
                                  "year": 2027}
    errors = r.clean_opinion("favourable", "", "", "", "", "abc", "20x7")[1]
    assert errors["funder"] == r.NO_FUNDER and "n’est pas un montant" in errors["amount"] and errors["year"] == r.BAD_YEAR
    assert r.clean_opinion("favourable", "", "", "DSIL", "", "", "")[1] == {"amount": r.NO_AMOUNT}
