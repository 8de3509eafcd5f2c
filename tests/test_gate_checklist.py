"""The gate checklist of the current phase, on the public commune page and in its back office:
each condition met or not, computed from the facts (revital.pages.gates), never stored."""

import pytest

from revital.pages import gates
from revital.process import phases
from revital.process.phases import Facts, checklist, gate, progress
from tests.conftest import MAIN, PERSONAS, get, sign_in_as
from tests.dom import parse


def items(dom):
    return [(li.get("class"), li.text()) for li in dom.find(id="conditions").find_all("li")]


def test_checklist_rules():
    assert [c.key for c in checklist(phases.DIAGNOSTIC, Facts())] == ["workshops", "stakes", "diagnostic_synthesis"]
    assert [c.met for c in checklist(phases.DIAGNOSTIC, Facts(stakes=2))] == [False, True, False]
    assert progress(checklist(phases.DIAGNOSTIC, Facts(stakes=2, closed_workshops=1))) == (2, 3)
    assert progress(checklist(phases.EMERGENCE, Facts(axes=1, retained_ideas=1))) == (2, 3)
    assert progress(checklist(phases.EMERGENCE, Facts(axes=1, retained_ideas=1, prioritisations_done=1))) == (3, 3)
    assert [c.key for c in checklist(phases.EMERGENCE, Facts())] == ["axes", "retained_ideas", "prioritisations"]
    assert [c.key for c in checklist(phases.FEASIBILITY, Facts())] == ["sheets", "covered_ideas", "reviewed_sheets"]
    assert [c.key for c in checklist(phases.PROGRAMMING, Facts(published_roadmaps=1))] == ["published_roadmap"]
    assert checklist(phases.IMPLEMENTATION, Facts()) == [] and progress([]) == (0, 0)
    assert gate(phases.DIAGNOSTIC, Facts()) == []
    for phase in phases.PHASES[1:]:  # the checklist and the gate's refusals say the same
        assert [c.unmet for c in gate(phase, Facts()) if not c.met] == phases.unmet_conditions(phase, Facts())


@pytest.mark.parametrize("persona", ["anonymous", "resident", "coordinator"])
def test_on_the_public_commune_page(as_persona, persona):
    dom = parse(get(as_persona(persona), f"/communes/{MAIN}").text)
    box = dom.find(id="conditions")
    assert box.find("h3").text() == "Conditions pour passer à « Faisabilité »"
    # The demo commune has its axes, three retained ideas (revital.ideas.demo) and a closed vote whose
    # results are published (revital.prioritisation.demo).
    assert "3 sur 3 conditions remplies." in box.text()
    assert items(dom) == [
        ("met", "✓ Remplie : Au moins un axe stratégique défini — Les axes et les pistes d’action"),
        ("met", "✓ Remplie : Au moins une piste d’action retenue — Les pistes d’action"),
        ("met", "✓ Remplie : Une hiérarchisation des pistes faite (atelier ou vote) — La hiérarchisation des pistes"),
    ]
    assert box.hrefs() == [f"/communes/{MAIN}/pistes", f"/communes/{MAIN}/pistes", f"/communes/{MAIN}/priorites"]


def test_in_the_back_office(client):
    sign_in_as(client, PERSONAS["admin"])
    dom = parse(get(client, f"/communes/{MAIN}/gestion").text)
    panel = dom.find(id="phase-panel")
    assert panel.find(id="conditions").find("h3").text() == "Conditions pour passer à « Faisabilité »"


def test_met_conditions_and_their_links(client, monkeypatch):
    """Computed from the facts gathered above the domains, each linked where it is done once the
    application serves that page."""
    monkeypatch.setattr(client.app.state, "gate_facts", lambda db, commune: Facts(axes=1))
    monkeypatch.setattr(client.app.state, "served_paths", {"/communes/{slug:str}/pistes"}, raising=False)
    sign_in_as(client, PERSONAS["resident"])
    dom = parse(get(client, f"/communes/{MAIN}").text)
    assert "1 sur 3 condition remplie." in dom.find(id="conditions").text()
    assert items(dom)[0] == ("met", "✓ Remplie : Au moins un axe stratégique défini — Les axes et les pistes d’action")
    assert dom.find(id="conditions").hrefs() == [f"/communes/{MAIN}/pistes", f"/communes/{MAIN}/pistes"]
    territory = parse(get(client, "/territoires/pays-des-sources-demo").text)
    row = next(tr for tr in territory.find("tbody").find_all("tr") if tr.find("th").find("a").text() == "Saint-Étienne-du-Valdonnez")
    assert [td.text() for td in row.find_all("td")][2] == "1 sur 3"


def test_the_last_phase_has_no_condition(client, db):
    from sqlalchemy import select, update

    from revital.communes.models import Commune
    from revital.process.models import Process

    with db.transaction() as session:
        commune_id = session.scalar(select(Commune.id).where(Commune.slug == MAIN))
        session.execute(update(Process).where(Process.commune_id == commune_id).values(phase="implementation"))
        session.execute(update(Commune).where(Commune.id == commune_id).values(version=Commune.version + 1))
    dom = parse(get(client, f"/communes/{MAIN}").text)
    assert dom.find(id="conditions") is None
    assert "C’est la dernière phase de la démarche : pas de condition à remplir." in dom.text()


def test_links_only_to_pages_that_exist(client):
    # Every part of the workflow is served now, the roadmap included.
    assert gates.links_for(client.app, replace_slug(MAIN)) == {
        "workshops": (f"/communes/{MAIN}/ateliers", "Les ateliers et leurs comptes rendus"),
        "stakes": (f"/communes/{MAIN}/diagnostic", "Le diagnostic et ses enjeux"),
        "diagnostic_synthesis": (f"/communes/{MAIN}/diagnostic", "La synthèse du diagnostic"),
        "axes": (f"/communes/{MAIN}/pistes", "Les axes et les pistes d’action"),
        "retained_ideas": (f"/communes/{MAIN}/pistes", "Les pistes d’action"),
        "prioritisations": (f"/communes/{MAIN}/priorites", "La hiérarchisation des pistes"),
        "sheets": (f"/communes/{MAIN}/fiches", "Les fiches actions"),
        "covered_ideas": (f"/communes/{MAIN}/pistes", "Les pistes d’action retenues"),
        "reviewed_sheets": (f"/communes/{MAIN}/fiches", "Les fiches actions et les avis des partenaires"),
        "published_roadmap": (f"/communes/{MAIN}/feuille-de-route", "La feuille de route")}


def replace_slug(slug):
    class Named:
        pass

    commune = Named()
    commune.slug = slug
    return commune
