"""Engaged communes: only a commune with a process takes contributions; the coordinator engages one
by hand from the territory's back office (revital.process.services.engage)."""

import pytest
from sqlalchemy import func, select

from revital.accounts.models import User
from revital.communes.models import Commune, Territory
from revital.contributions import rules
from revital.contributions.models import Contribution
from revital.process import services
from revital.process.models import PhaseTransition, Process
from tests.conftest import MAIN, PERSONAS, get, post, sign_in_as, text_of
from tests.dom import parse

NOT_ENGAGED = "mende"  # a demo neighbour, in the territory but not engaged
TERRITORY = "pays-des-sources-demo"
ENGAGE = f"/territoires/{TERRITORY}/gestion/communes/engager"
REFUSED = ("Mende n’est pas (encore) engagée dans le programme de revitalisation : elle ne reçoit pas de "
           "contributions pour l’instant. Rien n’a été enregistré.")


def count(database, model, *where) -> int:
    with database.session() as session:
        return session.scalar(select(func.count()).select_from(model).where(*where))


def process_of(database, slug):
    with database.session() as session:
        return session.scalar(select(Process).join(Commune, Commune.id == Process.commune_id).where(Commune.slug == slug))


def contribution_form(client, slug=MAIN) -> dict:
    return {"token": rules.new_form_token(client.app.state.settings.secret_key), "kind": "asset",
            "category": "mobilite", "title": "La boulangerie", "body": "Elle rouvre le dimanche.",
            "where": "none", "consent": "1"}


def test_the_page_of_a_commune_not_engaged_says_so(client):
    response = get(client, f"/communes/{NOT_ENGAGED}")
    assert response.status_code == 200
    dom = parse(response.text)
    assert dom.find("h1").text() == "Mende"
    assert "Mende n’est pas (encore) engagée dans le programme de revitalisation du territoire." in dom.text()
    assert f"/communes/{NOT_ENGAGED}/contribuer" not in dom.hrefs()
    assert f"/communes/{NOT_ENGAGED}/contributions" not in dom.hrefs()
    assert dom.find(id="carte-commune") is None and dom.find(id="map-filters") is None


def test_an_engaged_commune_keeps_its_button(client):
    dom = parse(get(client, f"/communes/{MAIN}").text)
    assert f"/communes/{MAIN}/contribuer" in dom.hrefs()
    assert dom.find(id="non-engagee") is None


@pytest.mark.parametrize("persona", ["anonymous", "resident", "facilitator", "coordinator"])
def test_the_form_of_a_commune_not_engaged_refuses(as_persona, persona):
    response = get(as_persona(persona), f"/communes/{NOT_ENGAGED}/contribuer")
    assert response.status_code == 403
    assert REFUSED in text_of(response.text)


def test_a_contribution_to_a_commune_not_engaged_is_refused_and_nothing_written(client, db):
    before = count(db, Contribution)
    response = post(client, f"/communes/{NOT_ENGAGED}/contribuer", contribution_form(client))
    assert response.status_code == 403
    assert REFUSED in text_of(response.text)
    assert count(db, Contribution) == before


def test_the_paper_entry_of_a_commune_not_engaged_refuses(client, db):
    sign_in_as(client, PERSONAS["coordinator"])
    assert get(client, f"/communes/{NOT_ENGAGED}/gestion/saisie").status_code == 403
    before = count(db, Contribution)
    assert post(client, f"/communes/{NOT_ENGAGED}/gestion/saisie", contribution_form(client)).status_code == 403
    assert count(db, Contribution) == before


def test_the_open_data_of_a_commune_not_engaged_is_empty(client):
    feed = get(client, f"/api/communes/{NOT_ENGAGED}/contributions.geojson")
    assert feed.status_code == 200
    assert feed.json()["type"] == "FeatureCollection" and feed.json()["features"] == []
    csv = get(client, f"/api/communes/{NOT_ENGAGED}/contributions.csv")
    assert csv.status_code == 200
    assert len(csv.content.decode("utf-8-sig").strip().splitlines()) == 1  # the header alone


def test_its_back_office_says_it_is_not_engaged(client):
    sign_in_as(client, PERSONAS["coordinator"])
    response = get(client, f"/communes/{NOT_ENGAGED}/gestion")
    assert response.status_code == 200
    dom = parse(response.text)
    assert "Mende n’est pas (encore) engagée dans le programme" in dom.find(id="phase-panel").text()
    assert f"/territoires/{TERRITORY}/gestion/communes" in dom.find(id="phase-panel").hrefs()


def test_the_home_page_lists_engaged_communes_only(client):
    dom = parse(get(client, "/").text)
    names = [h.text() for h in dom.find_all("h3")]
    assert names == ["Châteauneuf-de-Randon", "Grandrieu", "Mont Lozère et Goulet", "Saint-Étienne-du-Valdonnez"]
    assert "Phase 2 sur 5 : Émergence et définition du projet" in dom.text()


@pytest.mark.parametrize("persona, status", [
    ("anonymous", 303), ("resident", 403), ("facilitator", 403), ("partner", 403), ("student", 403),
    ("admin", 403), ("other_admin", 403), ("coordinator", 303),
])
def test_who_may_engage_a_commune(as_persona, db, persona, status):
    response = post(as_persona(persona), ENGAGE, {"commune": "48095", "reason": "Retenue par le comité de sélection."})
    assert response.status_code == status
    assert (process_of(db, NOT_ENGAGED) is not None) == (persona == "coordinator")


def test_the_coordinator_engages_a_commune(client, db):
    sign_in_as(client, PERSONAS["coordinator"])
    page = parse(get(client, f"/territoires/{TERRITORY}/gestion/communes").text)
    form = page.find("form", action=ENGAGE)
    options = [o.get("value") for o in form.find("select", name="commune").find_all("option")]
    assert options == ["", "48003", "48016", "48030", "48081", "48095", "48137"]  # 48043 engaged by revital.roadmaps.demo
    assert get(client, "/").text.count("Mende") == 0
    response = post(client, ENGAGE, {"commune": "48095", "reason": "Retenue par le comité de sélection."})
    assert response.status_code == 303
    assert response.headers["location"] == f"/territoires/{TERRITORY}/gestion/communes?ok=engagee"
    process = process_of(db, NOT_ENGAGED)
    assert process.phase == "diagnostic"
    with db.session() as session:
        (transition,) = session.scalars(select(PhaseTransition).where(PhaseTransition.process_id == process.id)).all()
        assert (transition.kind, transition.from_phase, transition.to_phase, transition.reason, transition.user_name) == (
            "start", None, "diagnostic", "Retenue par le comité de sélection.", "Camille (coordination du Pays)")
    confirmed = get(client, response.headers["location"])
    assert "La commune est engagée dans le programme" in text_of(confirmed.text)
    client.cookies.clear()  # an anonymous visitor sees it at once: the versions were bumped
    assert "Mende" in [h.text() for h in parse(get(client, "/").text).find_all("h3")]
    dom = parse(get(client, f"/communes/{NOT_ENGAGED}").text)
    assert f"/communes/{NOT_ENGAGED}/contribuer" in dom.hrefs()
    assert get(client, f"/communes/{NOT_ENGAGED}/contribuer").status_code == 200
    response = post(client, f"/communes/{NOT_ENGAGED}/contribuer", contribution_form(client))
    assert response.status_code == 303
    assert count(db, Contribution, Contribution.phase == "diagnostic") >= 1


@pytest.mark.parametrize("form, field, message", [
    ({"commune": "48095", "reason": "court"}, "reason",
     "Expliquez en quelques mots (au moins 10 caractères) pourquoi Mende s’engage dans le programme : "
     "ce motif ouvre l’historique de sa démarche."),
    ({"commune": "", "reason": "Retenue par le comité de sélection."}, "commune",
     "Choisissez une commune du territoire dans la liste."),
    ({"commune": "63113", "reason": "Retenue par le comité de sélection."}, "commune",
     "Choisissez une commune du territoire dans la liste."),
    ({"commune": "48147", "reason": "Retenue par le comité de sélection."}, "commune",
     "Saint-Étienne-du-Valdonnez est déjà engagée dans le programme : rien n’a changé."),
], ids=["short-reason", "no-commune", "unknown", "already"])
def test_a_refused_engagement_writes_nothing(client, db, form, field, message):
    sign_in_as(client, PERSONAS["coordinator"])
    before = count(db, Process), count(db, PhaseTransition)
    response = post(client, ENGAGE, form)
    assert response.status_code == 422
    dom = parse(response.text)
    assert dom.find("p", id=f"{field}-error").text() == message
    assert dom.find("select", name="commune").get("aria-invalid") == ("true" if field == "commune" else None)
    assert (count(db, Process), count(db, PhaseTransition)) == before


def test_engage_is_one_service_function(db):
    with db.transaction() as session:
        commune = session.scalar(select(Commune).where(Commune.slug == NOT_ENGAGED))
        user = session.scalar(select(User).where(User.email == PERSONAS["coordinator"]))
        territory_version = session.scalar(select(Territory.version).where(Territory.id == commune.territory_id))
        process = services.engage(session, commune, user, "Lauréate de l’appel à candidatures 2027.")
        assert (process.phase, process.transitions[0].kind) == ("diagnostic", "start")
        assert services.is_engaged(session, commune.id)
        session.refresh(commune.territory)
        assert commune.territory.version > territory_version
        with pytest.raises(services.AlreadyEngaged):
            services.engage(session, commune, user, "Lauréate de l’appel à candidatures 2027.")
