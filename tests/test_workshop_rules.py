"""The pure rules of workshops: the form in Paris time, internal meetings, places and the waiting
list, who may register, closing; and the French dates of a meeting."""

from datetime import UTC, date, datetime, time

import pytest

from revital.formatting import span_fr
from revital.workshops import rules

GOOD = {"kind": "thematic", "title": "Atelier commerces", "date": "2027-03-14", "start": "18:30", "end": "20:30",
        "address": "Salle des fêtes", "public": "on", "registration_open": "on"}


def clean(**changes):
    return rules.clean_workshop({**GOOD, **changes}, {7})


@pytest.mark.parametrize("typed, expected", [
    ("18:30", time(18, 30)), ("18h30", time(18, 30)), ("18 h 30", time(18, 30)), ("9:05", time(9, 5)),
    ("18h", time(18, 0)), ("24:00", None), ("18:75", None), ("soir", None), ("", None), (None, None),
])
def test_clock_times_are_read_the_french_way(typed, expected):
    assert rules.parse_time(typed) == expected


def test_times_are_paris_time_in_winter_and_summer():
    fields, errors = clean()
    assert errors == {}
    assert fields.starts_at == datetime(2027, 3, 14, 17, 30, tzinfo=UTC)  # UTC+1
    fields, _ = clean(date="2027-07-14")
    assert fields.starts_at == datetime(2027, 7, 14, 16, 30, tzinfo=UTC)  # UTC+2
    assert fields.ends_at == datetime(2027, 7, 14, 18, 30, tzinfo=UTC)


def test_a_good_form_is_kept_as_typed():
    fields, errors = clean(place="7", address="Entrée côté parking", capacity="20", facilitators="  Lucie   Bonnet ")
    assert errors == {}
    assert (fields.place_id, fields.capacity, fields.facilitators, fields.public, fields.registration_open) == (
        7, 20, "Lucie Bonnet", True, True)


@pytest.mark.parametrize("changes, field, message", [
    ({"kind": "fête"}, "kind", "Choisissez le type de rencontre."),
    ({"title": "A"}, "title", "Donnez un titre à la rencontre"),
    ({"title": "x" * 161}, "title", "ne peut pas dépasser 160 caractères (161 actuellement)"),
    ({"date": "31/02/2027"}, "date", "Indiquez la date"),
    ({"start": "demain"}, "start", "heure de début"),
    ({"end": ""}, "end", "heure de fin"),
    ({"end": "17:00"}, "end", "La fin doit suivre le début."),
    ({"end_date": "2027-03-30"}, "end", "Une rencontre dure une semaine au plus."),
    ({"end_date": "le lendemain"}, "end_date", "jour de fin"),
    ({"place": "8", "address": ""}, "place", "Choisissez un des lieux de la liste"),
    ({"address": ""}, "address", "Indiquez où a lieu la rencontre"),
    ({"capacity": "0"}, "capacity", "entre 1 et 2000"),
    ({"capacity": "beaucoup"}, "capacity", "entre 1 et 2000"),
    ({"capacity": "99999999"}, "capacity", "entre 1 et 2000"),
])
def test_each_mistake_gets_its_french_message(changes, field, message):
    _, errors = clean(**changes)
    assert message in errors[field]


def test_a_weekend_workshop_ends_the_next_day():
    fields, errors = clean(start="09:00", end="17:00", end_date="2027-03-15")
    assert errors == {}
    assert fields.ends_at == datetime(2027, 3, 15, 16, 0, tzinfo=UTC)


@pytest.mark.parametrize("kind", sorted(rules.INTERNAL))
def test_technical_meetings_and_steering_committees_are_never_public(kind):
    fields, errors = clean(kind=kind, public="on")
    assert errors == {} and fields.public is False
    assert rules.is_public("walk", True) and not rules.is_public("walk", False)


def test_places_go_to_the_first_who_fit_and_nobody_is_passed_over():
    assert rules.seats_left(None, 40) is None and rules.seats_left(20, 25) == 0 and rules.seats_left(20, 18) == 2
    assert rules.status_for(None, 1000, 3, someone_waits=False) == rules.CONFIRMED
    assert rules.status_for(20, 18, 2, someone_waits=False) == rules.CONFIRMED
    assert rules.status_for(20, 18, 3, someone_waits=False) == rules.WAITING
    assert rules.status_for(20, 10, 1, someone_waits=True) == rules.WAITING  # the line comes first
    # 3 places freed: the first waiting (2) fits, the next (2) does not, the third (1) would, but waits its turn.
    assert rules.promotions(20, 17, [(11, 2), (12, 2), (13, 1)]) == [11]
    assert rules.promotions(20, 15, [(11, 2), (12, 2), (13, 1)]) == [11, 12, 13]
    assert rules.promotions(None, 500, [(11, 9)]) == [11]
    assert rules.promotions(20, 20, []) == []


@pytest.mark.parametrize("data, errors", [
    ({"name": "Odette", "email": "Odette@Exemple.FR", "people": "2"}, set()),
    ({"name": "Odette", "email": "", "people": ""}, set()),
    ({"name": "", "email": "", "people": "1"}, {"name"}),
    ({"name": "Odette", "email": "odette@", "people": "1"}, {"email"}),
    ({"name": "Odette", "email": "", "people": "11"}, {"people"}),
    ({"name": "Odette", "email": "", "people": "-1"}, {"people"}),
    ({"name": "x" * 81, "email": "", "people": "1"}, {"name"}),
])
def test_registration_form(data, errors):
    fields, found = rules.clean_registration(data)
    assert set(found) == errors
    if not errors:
        assert fields.email in ("odette@exemple.fr", None) and fields.people in (1, 2)


def test_who_may_register():
    now = datetime(2027, 3, 1, tzinfo=UTC)
    later = datetime(2027, 3, 14, tzinfo=UTC)
    assert rules.can_register(rules.PLANNED, True, True, later, now) is None
    assert "réservée au groupe local" in rules.can_register(rules.PLANNED, True, False, later, now)
    assert "annulée" in rules.can_register(rules.CANCELLED, True, True, later, now)
    assert "a eu lieu" in rules.can_register(rules.PLANNED, True, True, now, later)
    assert "venez directement" in rules.can_register(rules.PLANNED, False, True, later, now)


def test_closing_asks_for_minutes_and_a_count():
    values, errors = rules.clean_closing({"minutes": "Dix-huit habitants ont marché du foirail au pont.", "attendance": "18"})
    assert errors == {} and values["attendance"] == 18
    _, errors = rules.clean_closing({"minutes": "Court", "attendance": "dix"})
    assert set(errors) == {"minutes", "attendance"}
    values, errors = rules.clean_closing({"minutes": "Personne n’est venu, il pleuvait à verse.", "attendance": "0"})
    assert errors == {} and values["attendance"] == 0


def test_when_a_meeting_takes_place_in_french():
    start = datetime(2027, 3, 14, 17, 30, tzinfo=UTC)
    assert span_fr(start, datetime(2027, 3, 14, 19, 30, tzinfo=UTC)) == "dimanche 14 mars 2027, de 18 h 30 à 20 h 30"
    assert span_fr(datetime(2027, 3, 6, 8, 0, tzinfo=UTC), datetime(2027, 3, 7, 16, 0, tzinfo=UTC)) == (
        "du samedi 6 mars 2027 à 9 h au dimanche 7 mars 2027 à 17 h")
    assert span_fr(None, start) == ""


def test_a_date_typed_the_french_way():
    assert rules.parse_date("14/03/2027") == date(2027, 3, 14)
