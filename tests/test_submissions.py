"""The back office's create forms count once (revital.submissions): the same form sent twice — a
double click, a form sent again after a slow answer — makes one record, and the second send goes
where the first went. A form shown again after an error carries a new key and still creates."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from revital import submissions
from revital.calls.models import Call
from revital.db import utcnow
from revital.diagnostic.models import Stake
from revital.formatting import paris
from revital.ideas.models import Axis, Idea
from revital.journal.models import JournalPost
from revital.prioritisation.models import Prioritisation
from revital.sheets.models import ActionSheet
from revital.students.models import StudentWeek
from revital.submissions import FormSubmission
from revital.workshops.models import Workshop
from tests.conftest import MAIN, PERSONAS, get, post, sign_in_as, text_of
from tests.dom import parse

COMMUNE = f"/communes/{MAIN}/gestion"
TERRITORY = "/territoires/pays-des-sources-demo/gestion"


def in_20_days() -> str:
    return (paris(utcnow()) + timedelta(days=20)).date().isoformat()


# (name, persona, page showing the form, its action, valid fields, the model it creates)
FORMS = [
    ("sheet", "admin", f"{COMMUNE}/fiches", f"{COMMUNE}/fiches", lambda: {"title": "Une fiche", "idea": ""},
     ActionSheet),
    ("stake", "facilitator", f"{COMMUNE}/diagnostic/enjeux/nouveau", f"{COMMUNE}/diagnostic/enjeux/nouveau",
     lambda: {"theme": "commerce", "afom": "weakness", "title": "Le pain manque", "text": "Plus de boulangerie.",
              "priority": "1", "version": "0"}, Stake),
    ("axis", "facilitator", f"{COMMUNE}/pistes", f"{COMMUNE}/pistes/axes",
     lambda: {"title": "Vivre ensemble", "description": ""}, Axis),
    ("idea", "facilitator", f"{COMMUNE}/pistes/nouvelle", f"{COMMUNE}/pistes/nouvelle",
     lambda: {"title": "Un jardin partagé", "text": "Derrière la mairie.", "axis": "", "place": "", "lon": "",
              "lat": "", "version": "0"}, Idea),
    ("workshop", "facilitator", f"{COMMUNE}/ateliers/nouveau", f"{COMMUNE}/ateliers/nouveau",
     lambda: {"kind": "thematic", "title": "Atelier logement", "date": in_20_days(), "start": "18:30", "end": "20:00",
              "address": "Salle des fêtes", "agenda": "", "capacity": "30", "public": "on",
              "registration_open": "on", "version": "0"}, Workshop),
    ("journal", "facilitator", f"{COMMUNE}/journal/nouveau", f"{COMMUNE}/journal/nouveau",
     lambda: {"title": "La balade urbaine", "body": "On a marché.", "status": "draft", "alt": "", "version": "0"},
     JournalPost),
    ("call", "coordinator", f"{TERRITORY}/appels/nouveau", f"{TERRITORY}/appels/nouveau",
     lambda: {"title": "Appel 2028", "text": "Le texte de l’appel.", "criteria": "Portage\nEnjeux", "documents": "",
              "opens_on": "2028-01-15", "closes_on": "2028-03-15"}, Call),
    ("vote", "facilitator", f"{COMMUNE}/priorites/nouveau", f"{COMMUNE}/priorites/nouveau",
     lambda: {"method": "vote", "title": "Quelles pistes d’abord ?", "text": "Répartissez 10 points.", "mode": "points",
              "budget": "10", "opens_date": utcnow().date().isoformat(), "opens_time": "00:00",
              "closes_date": (utcnow() + timedelta(days=14)).date().isoformat(), "closes_time": "20:00"},
     Prioritisation),
    ("students", "admin", f"{COMMUNE}/etudiants/nouvelle", f"{COMMUNE}/etudiants/nouvelle",
     lambda: {"kind": "design", "title": "Semaine de design", "starts_on": "2027-06-01", "ends_on": "2027-06-05",
              "school": "ENSA Lyon", "team_name": "ENSA"}, StudentWeek),
]


def count(db, model) -> int:
    with db.session() as session:
        return session.scalar(select(func.count()).select_from(model))


def key_in(html: str, action: str) -> str:
    form = parse(html).find("form", action=action)
    assert form is not None, action
    field = form.find("input", name=submissions.FIELD)
    assert field is not None, f"the form {action} carries no key"
    return field.get("value")


@pytest.mark.parametrize("name, persona, page, action, fields, model", FORMS, ids=[f[0] for f in FORMS])
def test_a_create_form_sent_twice_creates_once(client, db, name, persona, page, action, fields, model):
    sign_in_as(client, PERSONAS[persona])
    shown = get(client, page)
    assert shown.status_code == 200
    key = key_in(shown.text, action)
    before = count(db, model)
    first = post(client, action, {**fields(), submissions.FIELD: key})
    assert first.status_code == 303, text_of(first.text)[:300]
    again = post(client, action, {**fields(), submissions.FIELD: key})
    assert again.status_code == 303 and again.headers["location"] == first.headers["location"]
    assert count(db, model) == before + 1
    # Shown again, the form has a new key: a second record is a deliberate one.
    other = key_in(get(client, page).text, action)
    assert other != key
    assert post(client, action, {**fields(), submissions.FIELD: other}).status_code == 303
    assert count(db, model) == before + 2


def test_a_refused_form_claims_nothing(client, db):
    sign_in_as(client, PERSONAS["admin"])
    action = f"{COMMUNE}/fiches"
    key = key_in(get(client, action).text, action)
    assert post(client, action, {"title": "", "idea": "", submissions.FIELD: key}).status_code == 422
    assert count(db, FormSubmission) == 0
    assert post(client, action, {"title": "Corrigée", "idea": "", submissions.FIELD: key}).status_code == 303
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(ActionSheet).where(ActionSheet.title == "Corrigée")) == 1


def test_a_form_without_a_key_or_with_a_forged_one_still_works(client, db):
    sign_in_as(client, PERSONAS["admin"])
    action = f"{COMMUNE}/fiches"
    before = count(db, ActionSheet)
    for sent in ({}, {submissions.FIELD: "x"}, {submissions.FIELD: "<script>" * 10}):
        assert post(client, action, {"title": "Sans clé", "idea": "", **sent}).status_code == 303
    assert count(db, ActionSheet) == before + 3 and count(db, FormSubmission) == 0


def test_keys_older_than_two_days_are_cleared(client, db):
    with db.transaction() as session:
        session.add(FormSubmission(key="a" * 22, target="/ailleurs", created_at=utcnow() - timedelta(days=3)))
        session.add(FormSubmission(key="b" * 22, target="/ici", created_at=utcnow() - timedelta(hours=1)))
    sign_in_as(client, PERSONAS["admin"])
    action = f"{COMMUNE}/fiches"
    assert post(client, action, {"title": "Nouvelle", "idea": "", submissions.FIELD: "c" * 22}).status_code == 303
    with db.session() as session:
        assert sorted(session.scalars(select(FormSubmission.key))) == ["b" * 22, "c" * 22]
    # An old key is a new form: it creates again.
    assert post(client, action, {"title": "Encore", "idea": "", submissions.FIELD: "a" * 22}).status_code == 303


def test_a_student_proposal_sent_twice_is_one_draft(client, db):
    from revital.students.models import Proposal
    from tests.test_students import INSIDE, workspace

    sign_in_as(client, PERSONAS["student"])
    action = f"{workspace(db)}/propositions/nouvelle"
    key = key_in(get(client, action).text, action)
    before = count(db, Proposal)
    fields = {"title": "Un jardin partagé", "text": "Derrière la mairie.", "where": "point", **INSIDE,
              submissions.FIELD: key}
    first, again = post(client, action, fields), post(client, action, fields)
    assert first.status_code == again.status_code == 303
    assert again.headers["location"] == first.headers["location"]
    assert count(db, Proposal) == before + 1
