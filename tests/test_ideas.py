"""Emergence through HTTP: the public pistes pages and each idea's page, the "Axes et pistes" back
office (axes and their order, ideas, sources, stakes), turning a resident's idea into an idea, the
commune's decision and official answers (on ideas and on contributions' pages), supports on ideas
(the contributions' mechanism), the open data, and the gate facts."""

import csv
import io
import json
import re
import threading

import pytest
from sqlalchemy import func, select, update

from revital.communes.models import Commune
from revital.contributions.models import Contribution, Support
from revital.diagnostic.models import Stake
from revital.ideas.models import Answer, Axis, Idea
from revital.lineage.models import Link
from revital.pages.gates import facts_for
from revital.students.models import Proposal
from revital.workshops.models import Workshop
from tests.conftest import MAIN, OTHER, PERSONAS, csrf_token, get, make_client, post, sign_in_as, text_of
from tests.dom import form_values, parse

PUBLIC = f"/communes/{MAIN}/pistes"
ADMIN = f"/communes/{MAIN}/gestion/pistes"
PERSONA_NAMES = ["anonymous", "resident", "student", "supervisor", "facilitator", "partner", "admin", "other_admin",
                 "coordinator"]
MANAGERS = {"facilitator", "admin", "coordinator"}
DECIDERS = {"admin", "coordinator"}
EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")


def expected(persona: str, allowed: set) -> int:
    return 303 if persona == "anonymous" else 200 if persona in allowed else 403


def idea_id(db, title: str) -> int:
    with db.session() as session:
        return session.scalar(select(Idea.id).where(Idea.title == title))


def one_idea(db, title: str) -> Idea:
    with db.session() as session:
        return session.scalar(select(Idea).where(Idea.title == title))


def contribution_id(db, title: str) -> int:
    with db.session() as session:
        return session.scalar(select(Contribution.id).where(Contribution.title == title))


def axis_ids(db, slug=MAIN) -> list[int]:
    with db.session() as session:
        return list(session.scalars(select(Axis.id).join(Commune).where(Commune.slug == slug)
                                    .order_by(Axis.position, Axis.id)))


def as_(client, persona):
    client.cookies.delete("revital_session", domain="testserver.local")
    if persona != "anonymous":
        sign_in_as(client, PERSONAS[persona])
    return client


def new_idea(client, db, persona="facilitator", **changes) -> int:
    as_(client, persona)
    data = {"title": "Un jardin partagé", "text": "Derrière la mairie.", "axis": "", "place": "", "lon": "", "lat": "",
            "version": "0", **changes}
    response = post(client, f"{ADMIN}/nouvelle", data)
    assert response.status_code == 303, text_of(response.text)
    with db.session() as session:
        return session.scalar(select(Idea.id).order_by(Idea.id.desc()))


# The public pages.

@pytest.mark.parametrize("persona", PERSONA_NAMES)
def test_pistes_page_shows_the_ideas_by_axis_for_everyone(as_persona, persona):
    response = get(as_persona(persona), PUBLIC)
    assert response.status_code == 200
    dom = parse(response.text)
    assert dom.find("h1").text() == "Axes et pistes d’action · Saint-Étienne-du-Valdonnez"
    assert [h.text() for h in dom.find_all("h2")] == [
        "Un centre-bourg où l’on s’arrête (3)", "Circuler sans danger (3)", "Habiter le bourg (2)"]
    assert "8 pistes d’action, dont 3 retenues." in dom.find(id="chiffres").text()
    assert f"/communes/{MAIN}/contribuer" in dom.find(id="chiffres").hrefs()
    first = dom.find("section", **{"aria-labelledby": dom.find_all("h2")[0].get("id")})
    # The most supported first, with its status and its "moi aussi".
    assert [h.text() for h in first.find_all("h3")] == [
        "Un café associatif avec dépôt de pain", "Des bancs et de l’ombre sur la place", "Des commerces ambulants sur la place"]
    assert "Retenue" in first.find_all("li", **{"class": "card"})[0].text()
    assert "22 personnes soutiennent cette piste." in first.text()


def test_ideas_without_axis_come_last_under_their_own_heading(client, db):
    new_idea(client, db)
    as_(client, "anonymous")
    dom = parse(get(client, PUBLIC).text)
    assert [h.text() for h in dom.find_all("h2")][-1] == "Pistes sans axe (1)"
    assert "Un jardin partagé" in dom.find(id="axe-aucun").parent.text()


@pytest.mark.parametrize("persona", PERSONA_NAMES)
def test_an_ideas_page_for_everyone(as_persona, persona, db):
    wid = idea_id(db, "De l’école au Bramont, à pied")
    response = get(as_persona(persona), f"{PUBLIC}/{wid}")
    assert response.status_code == 200
    dom = parse(response.text)
    assert dom.find("h1").text() == "De l’école au Bramont, à pied"
    assert dom.find(id="statut").text() == "Retenue"
    sources = dom.find("section", **{"aria-labelledby": "sources"})
    assert "D’où elle vient (1)" in sources.text() and "Propositions des étudiants (1)" in sources.text()
    with db.session() as session:
        proposal = session.scalar(select(Proposal.id).where(Proposal.title == "De l’école au Bramont, à pied"))
    assert sources.hrefs() == [f"/communes/{MAIN}/etudiants#proposition-{proposal}"]
    assert dom.find(id=f"carte-commune") is not None  # its place, on a small map
    manage_link = f"{ADMIN}/{wid}" in dom.hrefs()
    assert manage_link == (persona in MANAGERS)


def test_a_not_retained_idea_shows_its_reason_and_the_communes_answer(client, db):
    dom = parse(get(client, f"{PUBLIC}/{idea_id(db, 'Un parking à l’entrée du bourg')}").text)
    assert dom.find(id="statut").text() == "Non retenue"
    assert "Le parking du pont existe déjà" in dom.find(id="decision").text()
    answer = dom.find(id="reponse-commune")
    assert "Non retenue" in answer.text() and "la commune posera des panneaux" in answer.text()
    assert dom.find("form", action=f"{PUBLIC}/{idea_id(db, 'Un parking à l’entrée du bourg')}/soutenir") is None


def test_unknown_ideas_and_ideas_of_another_commune_are_404(client, db):
    wid = idea_id(db, "Un café associatif avec dépôt de pain")
    assert get(client, f"{PUBLIC}/999999").status_code == 404
    response = get(client, f"/communes/{OTHER}/pistes/{wid}")
    assert response.status_code == 404
    assert "Cette piste d’action n’existe pas dans cette commune." in text_of(response.text)
    assert get(client, "/communes/atlantis/pistes").status_code == 404
    assert post(client, f"/communes/{OTHER}/pistes/{wid}/soutenir").status_code == 404


# The back office.

@pytest.mark.parametrize("persona", PERSONA_NAMES)
def test_back_office_pages_by_persona(client, db, persona):
    wid = idea_id(db, "Un café associatif avec dépôt de pain")
    cid = contribution_id(db, "La boulangerie a fermé")
    as_(client, persona)
    for path in (ADMIN, f"{ADMIN}/nouvelle", f"{ADMIN}/{wid}", f"{ADMIN}/axes/{axis_ids(db)[0]}"):
        assert get(client, path).status_code == expected(persona, MANAGERS), path
    assert get(client, f"{ADMIN}/reponses/contributions/{cid}").status_code == expected(persona, DECIDERS)


@pytest.mark.parametrize("persona", PERSONA_NAMES)
def test_writing_forms_by_persona(client, db, persona):
    as_(client, persona)
    before = len(axis_ids(db))
    response = post(client, f"{ADMIN}/axes", {"title": "Vivre ensemble", "description": ""})
    assert response.status_code == (303 if persona == "anonymous" or persona in MANAGERS else 403)
    assert len(axis_ids(db)) == before + (1 if persona in MANAGERS else 0)
    wid = idea_id(db, "Un plateau ralentisseur devant l’école")
    response = post(client, f"{ADMIN}/{wid}/decision", {"status": "retained", "reason": ""})
    assert response.status_code == (303 if persona == "anonymous" or persona in DECIDERS else 403)
    assert one_idea(db, "Un plateau ralentisseur devant l’école").status == ("retained" if persona in DECIDERS else "open")


def test_the_tab_is_in_the_back_office_menu(client):
    sign_in_as(client, PERSONAS["facilitator"])
    dom = parse(get(client, f"/communes/{MAIN}/gestion").text)
    assert ADMIN in dom.find("nav", **{"aria-label": "Gestion de la commune"}).hrefs()


def test_axes_are_created_ordered_and_deleted(client, db):
    sign_in_as(client, PERSONAS["facilitator"])
    response = post(client, f"{ADMIN}/axes", {"title": "", "description": "Sans titre"})
    assert response.status_code == 422
    assert "Donnez un titre à l’axe." in text_of(response.text) and ">Sans titre</textarea>" in response.text
    assert post(client, f"{ADMIN}/axes", {"title": "Vivre ensemble", "description": "La fête, les associations."}).status_code == 303
    first, second, third, fourth = axis_ids(db)
    assert post(client, f"{ADMIN}/axes/{fourth}/monter").status_code == 303
    assert axis_ids(db) == [first, second, fourth, third]
    assert post(client, f"{ADMIN}/axes/{first}/descendre").status_code == 303
    assert axis_ids(db) == [second, first, fourth, third]
    response = post(client, f"{ADMIN}/axes/{first}/supprimer")
    assert response.status_code == 409 and "Cet axe range encore des pistes" in text_of(response.text)
    assert post(client, f"{ADMIN}/axes/{fourth}/supprimer").status_code == 303
    assert axis_ids(db) == [second, first, third]
    response = post(client, f"{ADMIN}/axes/{first}", {"title": "Un bourg où l’on s’arrête", "description": ""})
    assert response.status_code == 303
    assert [h.text() for h in parse(get(client, PUBLIC).text).find_all("h2")][:2] == [
        "Circuler sans danger (3)", "Un bourg où l’on s’arrête (3)"]
    assert post(client, f"/communes/{OTHER}/gestion/pistes/axes/{first}/monter").status_code == 403
    sign_in_as(client, PERSONAS["coordinator"])
    assert post(client, f"/communes/{OTHER}/gestion/pistes/axes/{first}/monter").status_code == 404


def test_an_idea_is_written_with_its_place_and_a_bad_form_keeps_what_was_typed(client, db):
    sign_in_as(client, PERSONAS["facilitator"])
    response = post(client, f"{ADMIN}/nouvelle", {"title": "", "text": "Mon texte", "axis": "999", "lon": "9", "lat": "9",
                                                   "version": "0"})
    assert response.status_code == 422
    text = text_of(response.text)
    assert "Donnez un titre à la piste." in text and "Choisissez un axe de la liste." in text
    assert "Ce point est hors de la commune." in text and ">Mon texte</textarea>" in response.text
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(Idea).join(Commune).where(Commune.slug == MAIN)) == 8
    new = new_idea(client, db, axis=str(axis_ids(db)[2]), lon="3,5641", lat="44.4566")
    idea = one_idea(db, "Un jardin partagé")
    assert idea.id == new and (idea.lon, idea.lat, idea.axis_id, idea.status) == (3.5641, 44.4566, axis_ids(db)[2], "open")
    assert "Habiter le bourg (3)" in text_of(get(client, PUBLIC).text)


def test_a_stale_idea_form_is_refused(client, db):
    wid = idea_id(db, "Des logements pour les jeunes ménages")
    sign_in_as(client, PERSONAS["facilitator"])
    values = form_values(parse(get(client, f"{ADMIN}/{wid}").text).find("form", id="piste"))
    first = post(client, f"{ADMIN}/{wid}", {**values, "title": "Des logements pour les jeunes"})
    assert first.status_code == 303
    second = post(client, f"{ADMIN}/{wid}", {**values, "title": "Autre titre"})
    assert second.status_code == 409 and "modifiée par quelqu’un d’autre" in text_of(second.text)
    assert one_idea(db, "Des logements pour les jeunes").id == wid


def test_turning_a_residents_idea_into_an_idea_keeps_the_link_both_ways(client, db):
    with db.transaction() as session:
        session.execute(update(Contribution).where(Contribution.title == "Un marché de producteurs le samedi")
                        .values(status="published"))
    cid = contribution_id(db, "Un marché de producteurs le samedi")
    sign_in_as(client, PERSONAS["facilitator"])
    listed = parse(get(client, ADMIN).text).find("section", **{"aria-labelledby": "idees-habitants"})
    assert listed.find("form", action=f"{ADMIN}/depuis-contribution/{cid}") is not None
    response = post(client, f"{ADMIN}/depuis-contribution/{cid}")
    assert response.status_code == 303
    idea = one_idea(db, "Un marché de producteurs le samedi")
    assert response.headers["location"] == f"{ADMIN}/{idea.id}?ok=depuis-contribution"
    assert idea.text.startswith("Les producteurs du Valdonnez") and idea.place_name == "Place de l’église"
    assert idea.lon is not None and idea.status == "open"
    # Again (a double click): the same idea.
    again = post(client, f"{ADMIN}/depuis-contribution/{cid}")
    assert again.headers["location"] == f"{ADMIN}/{idea.id}?ok=deja"
    with db.session() as session:
        links = session.scalars(select(Link).where(Link.target_kind == "idea", Link.target_id == idea.id)).all()
        assert [(l.source_kind, l.source_id) for l in links] == [("contribution", cid)]
    client.cookies.delete("revital_session", domain="testserver.local")
    idea_page = parse(get(client, f"{PUBLIC}/{idea.id}").text)
    assert f"/communes/{MAIN}/contributions/{cid}" in idea_page.find("section", **{"aria-labelledby": "sources"}).hrefs()
    contribution_page = parse(get(client, f"/communes/{MAIN}/contributions/{cid}").text)
    inspired = contribution_page.find("section", **{"aria-labelledby": "pistes-inspirees"})
    assert inspired.hrefs() == [f"{PUBLIC}/{idea.id}"] and "Ouverte" in inspired.text()


def test_only_a_published_idea_contribution_becomes_an_idea(client, db):
    sign_in_as(client, PERSONAS["facilitator"])
    weakness = contribution_id(db, "La boulangerie a fermé")
    response = post(client, f"{ADMIN}/depuis-contribution/{weakness}")
    assert response.status_code == 409
    assert "Seule une contribution « idée » publiée peut devenir une piste d’action." in text_of(response.text)
    pending = contribution_id(db, "Un marché de producteurs le samedi")
    assert post(client, f"{ADMIN}/depuis-contribution/{pending}").status_code == 409
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(Idea).join(Commune).where(Commune.slug == MAIN)) == 8
    other = contribution_id(db, "Transformer une grange en logements pour jeunes")
    assert post(client, f"{ADMIN}/depuis-contribution/{other}").status_code == 404


def test_sources_from_a_workshop_or_a_proposal(client, db):
    wid = idea_id(db, "Des logements pour les jeunes ménages")
    with db.session() as session:
        workshop = session.scalar(select(Workshop.id).where(Workshop.title.like("Atelier thématique%")))
        internal = session.scalar(select(Workshop.id).where(Workshop.public.is_(False)))
        draft = session.scalar(select(Proposal.id).where(Proposal.status == "draft"))
    sign_in_as(client, PERSONAS["facilitator"])
    assert post(client, f"{ADMIN}/{wid}/sources", {"source": f"workshop:{workshop}"}).status_code == 303
    for refused in (f"workshop:{internal}", f"proposal:{draft}", "contribution:1", "n’importe quoi"):
        response = post(client, f"{ADMIN}/{wid}/sources", {"source": refused})
        assert response.status_code == 422, refused
        assert "Choisissez un atelier" in text_of(response.text)
    dom = parse(get(client, f"{PUBLIC}/{wid}").text)
    assert f"/communes/{MAIN}/ateliers/{workshop}" in dom.find("section", **{"aria-labelledby": "sources"}).hrefs()
    assert post(client, f"{ADMIN}/{wid}/sources/retirer", {"source": f"workshop:{workshop}"}).status_code == 303
    assert "Cette piste a été écrite par le groupe local." in text_of(get(client, f"{PUBLIC}/{wid}").text)


def test_the_stakes_an_idea_answers(client, db):
    with db.transaction() as session:
        main = session.scalar(select(Commune.id).where(Commune.slug == MAIN))
        other = session.scalar(select(Commune.id).where(Commune.slug == OTHER))
        session.add_all([Stake(commune_id=main, theme="mobilite", afom="weakness", title="Une traversée dangereuse"),
                         Stake(commune_id=other, theme="logement", afom="weakness", title="Des granges vides")])
    with db.session() as session:  # the demo has stakes of its own
        ours = session.scalar(select(Stake.id).where(Stake.title == "Une traversée dangereuse"))
        theirs = session.scalar(select(Stake.id).where(Stake.title == "Des granges vides"))
    wid = idea_id(db, "Un plateau ralentisseur devant l’école")
    sign_in_as(client, PERSONAS["facilitator"])
    values = form_values(parse(get(client, f"{ADMIN}/{wid}").text).find("form", id="piste"))
    response = post(client, f"{ADMIN}/{wid}", {**values, "stakes": [str(theirs)]})
    assert response.status_code == 422 and "Choisissez des enjeux de la liste." in text_of(response.text)
    assert post(client, f"{ADMIN}/{wid}", {**values, "stakes": [str(ours)]}).status_code == 303
    dom = parse(get(client, f"{PUBLIC}/{wid}").text)
    assert dom.find("section", **{"aria-labelledby": "enjeux"}).text() == (
        "Les enjeux auxquels elle répond (1) Une traversée dangereuse")
    feature = next(f for f in json.loads(get(client, f"/api/communes/{MAIN}/ideas.geojson").text)["features"]
                   if f["id"] == wid)
    assert feature["properties"]["stakes"] == [ours]
    values = form_values(parse(get(client, f"{ADMIN}/{wid}").text).find("form", id="piste"))
    assert values["stakes"] == [str(ours)]
    assert post(client, f"{ADMIN}/{wid}", {**values, "stakes": []}).status_code == 303
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(Link).where(  # the demo's sheets have stakes too
            Link.source_kind == "stake", Link.target_kind == "idea", Link.target_id == wid)) == 0


# The commune decides.

def test_retaining_needs_an_axis_and_not_retaining_a_reason_in_french(client, db):
    wid = new_idea(client, db)
    sign_in_as(client, PERSONAS["admin"])
    response = post(client, f"{ADMIN}/{wid}/decision", {"status": "retained", "reason": ""})
    assert response.status_code == 422
    assert "Une piste retenue se range dans un axe stratégique" in text_of(response.text)
    response = post(client, f"{ADMIN}/{wid}/decision", {"status": "not_retained", "reason": "Non."})
    assert response.status_code == 422
    assert "Dites pourquoi la piste n’est pas retenue (au moins 10 caractères)" in text_of(response.text)
    assert ">Non.</textarea>" in response.text
    assert one_idea(db, "Un jardin partagé").status == "open"
    reason = "Le terrain derrière la mairie est inondable."
    assert post(client, f"{ADMIN}/{wid}/decision", {"status": "not_retained", "reason": reason}).status_code == 303
    idea = one_idea(db, "Un jardin partagé")
    assert (idea.status, idea.decision_reason) == ("not_retained", reason) and idea.decided_at is not None
    client.cookies.delete("revital_session", domain="testserver.local")
    assert reason in parse(get(client, f"{PUBLIC}/{wid}").text).find(id="decision").text()


def test_the_commune_only_decides(client, db):
    wid = idea_id(db, "Un plateau ralentisseur devant l’école")
    sign_in_as(client, PERSONAS["facilitator"])
    page = parse(get(client, f"{ADMIN}/{wid}").text)
    assert page.find("form", action=f"{ADMIN}/{wid}/decision") is None
    assert page.find("form", action=f"{ADMIN}/{wid}/reponse") is None
    assert post(client, f"{ADMIN}/{wid}/decision", {"status": "retained"}).status_code == 403
    assert post(client, f"{ADMIN}/{wid}/reponse", {"status": "acceptee", "text": "Oui."}).status_code == 403
    sign_in_as(client, PERSONAS["admin"])
    assert parse(get(client, f"{ADMIN}/{wid}").text).find("form", action=f"{ADMIN}/{wid}/decision") is not None
    assert post(client, f"{ADMIN}/{wid}/decision", {"status": "retained"}).status_code == 303
    assert one_idea(db, "Un plateau ralentisseur devant l’école").status == "retained"


def test_the_gate_facts_count_axes_and_retained_ideas(client, db):
    with db.session() as session:
        commune = session.scalar(select(Commune).where(Commune.slug == MAIN))
        facts = facts_for(session, commune)
        assert (facts.axes, facts.retained_ideas) == (3, 3)
        other = facts_for(session, session.scalar(select(Commune).where(Commune.slug == OTHER)))
        assert (other.axes, other.retained_ideas) == (0, 0)
    wid = idea_id(db, "Un plateau ralentisseur devant l’école")
    sign_in_as(client, PERSONAS["admin"])
    assert post(client, f"{ADMIN}/{wid}/decision", {"status": "retained"}).status_code == 303
    with db.session() as session:
        assert facts_for(session, session.scalar(select(Commune).where(Commune.slug == MAIN))).retained_ideas == 4


# Official answers.

def test_an_official_answer_on_a_contribution_shows_on_its_page_and_updates_the_cache(client, db):
    cid = contribution_id(db, "Les berges du Bramont")
    page = f"/communes/{MAIN}/contributions/{cid}"
    assert parse(get(client, page).text).find(id="reponse-commune") is None  # kept for anonymous visitors
    sign_in_as(client, PERSONAS["admin"])
    form = parse(get(client, page).text).find("form", id="repondre")
    assert form.get("action") == f"{ADMIN}/reponses/contributions/{cid}"
    response = post(client, form.get("action"), {"status": "en_etude", "text": ""})
    assert response.status_code == 422 and "Écrivez la réponse de la commune" in text_of(response.text)
    response = post(client, form.get("action"), {"status": "en_etude", "text": "Un sentier balisé est à l’étude."})
    assert response.status_code == 303 and response.headers["location"] == f"{page}#reponse-commune"
    client.cookies.delete("revital_session", domain="testserver.local")
    answer = parse(get(client, page).text).find(id="reponse-commune")
    assert "À l’étude" in answer.text() and "Un sentier balisé est à l’étude." in answer.text()
    sign_in_as(client, PERSONAS["coordinator"])
    assert post(client, form.get("action"), {"status": "realisee", "text": "Le sentier est balisé."}).status_code == 303
    client.cookies.delete("revital_session", domain="testserver.local")
    answer = parse(get(client, page).text).find(id="reponse-commune")
    assert "Réalisée" in answer.text() and "Le sentier est balisé." in answer.text()
    assert parse(get(client, page).text).find("form", id="repondre") is None
    with db.session() as session:  # one answer, updated in place
        assert session.scalar(select(func.count()).select_from(Answer).where(
            Answer.target_kind == "contribution", Answer.target_id == cid)) == 1


def test_facilitators_do_not_answer_for_the_commune(client, db):
    cid = contribution_id(db, "Les berges du Bramont")
    sign_in_as(client, PERSONAS["facilitator"])
    assert parse(get(client, f"/communes/{MAIN}/contributions/{cid}").text).find("form", id="repondre") is None
    response = post(client, f"{ADMIN}/reponses/contributions/{cid}", {"status": "acceptee", "text": "Oui."})
    assert response.status_code == 403
    sign_in_as(client, PERSONAS["admin"])
    pending = contribution_id(db, "La fête du village en août")
    assert post(client, f"{ADMIN}/reponses/contributions/{pending}", {"status": "acceptee", "text": "Oui."}).status_code == 404


def test_the_demo_answers_on_two_contributions(client, db):
    for title, status in (("La traversée du bourg est dangereuse", "À l’étude"), ("La boulangerie a fermé", "Acceptée")):
        answer = parse(get(client, f"/communes/{MAIN}/contributions/{contribution_id(db, title)}").text).find(id="reponse-commune")
        assert status in answer.text()


def test_an_official_answer_on_an_idea(client, db):
    wid = idea_id(db, "Un café associatif avec dépôt de pain")
    assert parse(get(client, f"{PUBLIC}/{wid}").text).find(id="reponse-commune") is None
    sign_in_as(client, PERSONAS["admin"])
    response = post(client, f"{ADMIN}/{wid}/reponse", {"status": "peut-etre", "text": "Bientôt."})
    assert response.status_code == 422 and "Choisissez l’état de la réponse dans la liste." in text_of(response.text)
    assert post(client, f"{ADMIN}/{wid}/reponse", {"status": "acceptee", "text": "La salle est prêtée."}).status_code == 303
    client.cookies.delete("revital_session", domain="testserver.local")
    answer = parse(get(client, f"{PUBLIC}/{wid}").text).find(id="reponse-commune")
    assert "Acceptée" in answer.text() and "La salle est prêtée." in answer.text()


# Supports: the contributions' one mechanism.

def supports_of(db, wid) -> tuple[int, int]:
    with db.session() as session:
        return (session.scalar(select(Idea.supports_count).where(Idea.id == wid)),
                session.scalar(select(func.count()).select_from(Support).where(Support.idea_id == wid)))


def test_a_support_on_an_idea_counts_once_per_browser_and_updates_the_kept_pages(client, db):
    wid = idea_id(db, "Des logements pour les jeunes ménages")
    assert "Personne ne soutient encore cette piste." in text_of(get(client, f"{PUBLIC}/{wid}").text)
    get(client, PUBLIC)  # both kept for anonymous visitors
    first = post(client, f"{PUBLIC}/{wid}/soutenir")
    assert first.status_code == 303 and first.headers["location"] == f"{PUBLIC}/{wid}#soutien-{wid}"
    cookie = [h for h in first.headers.get_list("set-cookie") if h.startswith("revital_voter=")][0].lower()
    assert "httponly" in cookie and "secure" in cookie
    assert post(client, f"{PUBLIC}/{wid}/soutenir").status_code == 303
    assert supports_of(db, wid) == (1, 1)
    page = text_of(get(client, f"{PUBLIC}/{wid}").text)
    assert "1 personne soutient cette piste." in page and "Vous soutenez cette piste." in page
    client.cookies.delete("revital_voter", domain="testserver.local")
    assert "1 personne soutient cette piste." in parse(get(client, PUBLIC).text).find(id=f"soutien-{wid}").text()


def test_a_support_on_an_idea_counts_once_per_account_and_with_htmx(client, db):
    wid = idea_id(db, "Des logements pour les jeunes ménages")
    sign_in_as(client, PERSONAS["resident"])
    response = post(client, f"{PUBLIC}/{wid}/soutenir", headers={"HX-Request": "true"})
    assert response.status_code == 200 and response.text.lstrip().startswith(f'<div id="soutien-{wid}"')
    again = post(client, f"{PUBLIC}/{wid}/soutenir", headers={"HX-Request": "true"})
    assert "Votre soutien était déjà compté." in text_of(again.text)
    assert supports_of(db, wid) == (1, 1)
    with db.session() as session:
        assert session.scalar(select(Support.contribution_id).where(Support.idea_id == wid)) is None


def test_a_not_retained_idea_takes_no_support(client, db):
    wid = idea_id(db, "Un parking à l’entrée du bourg")
    response = post(client, f"{PUBLIC}/{wid}/soutenir")
    assert response.status_code == 409
    assert "Cette piste n’a pas été retenue : elle ne reçoit plus de soutiens." in text_of(response.text)
    assert supports_of(db, wid) == (3, 0)


def test_16_concurrent_supports_on_one_idea_count_exactly(settings, db):
    wid = idea_id(db, "Des logements pour les jeunes ménages")
    clients = [make_client(settings).__enter__() for _ in range(16)]
    for c in clients:
        csrf_token(c)
    statuses, errors = [], []

    def run(target):
        def wrapped(i):
            try:
                target(i)
            except Exception as error:  # noqa: BLE001 - reported below
                errors.append(error)

        threads = [threading.Thread(target=wrapped, args=(i,)) for i in range(16)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    run(lambda i: statuses.append(post(clients[i], f"{PUBLIC}/{wid}/soutenir").status_code))
    run(lambda i: statuses.append(post(clients[i], f"{PUBLIC}/{wid}/soutenir").status_code))  # each again: no more
    for c in clients:
        c.__exit__(None, None, None)
    assert errors == [] and statuses == [303] * 32
    assert supports_of(db, wid) == (16, 16)


# Open data.

def test_ideas_csv_neutralises_formulas_and_has_no_personal_data(client, db):
    new_idea(client, db, title="=HYPERLINK(\"http://x\")", text="@SUM(A1) +1")
    client.cookies.delete("revital_session", domain="testserver.local")
    response = get(client, f"/api/communes/{MAIN}/ideas.csv")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert len(rows) == 9
    mine = rows[-1]
    assert mine["title"] == "'=HYPERLINK(\"http://x\")" and mine["text"] == "'@SUM(A1) +1"
    café = next(r for r in rows if r["title"] == "Un café associatif avec dépôt de pain")
    assert café["source_contributions"] == str(contribution_id(db, "Un café associatif")) and café["supports"] == "22"
    assert EMAIL.search(response.text) is None and "revital.test" not in response.text


def test_ideas_geojson_is_valid_with_the_ids_of_the_sources(client, db):
    response = get(client, f"/api/communes/{MAIN}/ideas.geojson")
    assert response.status_code == 200 and response.headers["content-type"].startswith("application/geo+json")
    data = json.loads(response.text)
    assert data["type"] == "FeatureCollection" and len(data["features"]) == 8
    with db.session() as session:
        proposal = session.scalar(select(Proposal.id).where(Proposal.title == "De l’école au Bramont, à pied"))
        workshop = session.scalar(select(Workshop.id).where(Workshop.title.like("Atelier thématique%")))
    by_title = {f["properties"]["title"]: f for f in data["features"]}
    walk = by_title["De l’école au Bramont, à pied"]
    assert walk["geometry"]["type"] == "Point" and len(walk["geometry"]["coordinates"]) == 2
    assert walk["properties"]["source_proposals"] == [proposal] and walk["properties"]["status"] == "retained"
    assert by_title["Des commerces ambulants sur la place"]["properties"]["source_workshops"] == [workshop]
    assert by_title["Remettre en location les maisons vides du centre"]["geometry"] is None
    assert EMAIL.search(response.text) is None and "created_by" not in response.text
    etag = response.headers["etag"]
    assert get(client, f"/api/communes/{MAIN}/ideas.geojson", headers={"If-None-Match": etag}).status_code == 304
    assert get(client, "/api/communes/atlantis/ideas.geojson").status_code == 404


def test_the_open_data_follows_the_communes_version(client, db):
    before = get(client, f"/api/communes/{MAIN}/ideas.geojson")
    new_idea(client, db, title="Une nouvelle piste")
    client.cookies.delete("revital_session", domain="testserver.local")
    after = get(client, f"/api/communes/{MAIN}/ideas.geojson")
    assert after.headers["etag"] != before.headers["etag"]
    assert "Une nouvelle piste" in after.text


# Escaping.

def test_user_text_is_escaped_everywhere(client, db):
    evil = "<script>alert(1)</script>"
    wid = new_idea(client, db, title=evil, text=f"{evil}\n\n**gras**")
    sign_in_as(client, PERSONAS["admin"])
    assert post(client, f"{ADMIN}/axes", {"title": evil, "description": evil}).status_code == 303
    assert post(client, f"{ADMIN}/{wid}/reponse", {"status": "acceptee", "text": evil}).status_code == 303
    cid = contribution_id(db, "Les berges du Bramont")
    assert post(client, f"{ADMIN}/reponses/contributions/{cid}", {"status": "acceptee", "text": evil}).status_code == 303
    for path in (PUBLIC, f"{PUBLIC}/{wid}", ADMIN, f"{ADMIN}/{wid}", f"/communes/{MAIN}/contributions/{cid}"):
        body = get(client, path).text
        assert "<script>alert(1)</script>" not in body, path
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body, path


def test_the_ideas_map_layer_builds_no_html_from_data(client, db):
    from revital.settings import PROJECT_DIR

    source = (PROJECT_DIR / "static" / "js" / "revital-ideas.js").read_text()
    assert "innerHTML" not in source and "insertAdjacentHTML" not in source and "document.write" not in source
    page = parse(get(client, f"{PUBLIC}/{idea_id(db, 'Un café associatif avec dépôt de pain')}").text)
    assert "/static/js/revital-ideas.js" in [s.get("src") for s in page.find_all("script") if s.get("src")]
    assert get(client, "/static/js/revital-ideas.js").status_code == 200


def test_erasing_a_person_takes_back_their_supports_on_ideas(client, db):
    from revital import privacy

    wid = idea_id(db, "Des logements pour les jeunes ménages")
    cid = contribution_id(db, "Les berges du Bramont")
    before = supports_of(db, wid)[0]
    sign_in_as(client, PERSONAS["resident"])
    assert post(client, f"{PUBLIC}/{wid}/soutenir").status_code == 303
    assert post(client, f"/communes/{MAIN}/contributions/{cid}/soutenir").status_code == 303
    with db.session() as session:
        contribution_supports = session.scalar(select(Contribution.supports_count).where(Contribution.id == cid))
    with db.transaction() as session:
        assert privacy.erase(session, PERSONAS["resident"]).supports == 2
    assert supports_of(db, wid) == (before, 0)
    with db.session() as session:
        assert session.scalar(select(Contribution.supports_count).where(Contribution.id == cid)) == contribution_supports - 1


def test_eight_facilitators_turning_one_contribution_at_once_make_one_idea(settings, db):
    with db.transaction() as session:
        session.execute(update(Contribution).where(Contribution.title == "Un marché de producteurs le samedi")
                        .values(status="published"))
    cid = contribution_id(db, "Un marché de producteurs le samedi")
    clients = []
    for _ in range(8):
        c = make_client(settings).__enter__()
        sign_in_as(c, PERSONAS["facilitator"])
        csrf_token(c)
        clients.append(c)
    statuses, errors = [], []

    def turn(i):
        try:
            statuses.append(post(clients[i], f"{ADMIN}/depuis-contribution/{cid}").status_code)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=turn, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for c in clients:
        c.__exit__(None, None, None)
    assert errors == [] and statuses == [303] * 8
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(Idea).where(Idea.title == "Un marché de producteurs le samedi")) == 1
        assert session.scalar(select(func.count()).select_from(Link).where(Link.source_kind == "contribution",
                                                                            Link.source_id == cid)) == 1
