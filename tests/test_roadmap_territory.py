"""The territory's roadmaps (/territoires/{slug}/feuilles-de-route and its CSV for funders), and the
gate programming -> implementation that needs a published roadmap."""

import csv
import io

import pytest
from sqlalchemy import select, update

from revital.communes.models import Commune
from revital.demo import DEMO_SLUG
from revital.pages import gates
from revital.process import phases
from revital.process.models import Process
from revital.roadmaps.models import Progress
from tests.conftest import MAIN, OTHER, get
from tests.dom import parse
from tests.test_roadmap_opendata import clean, publish  # noqa: F401  (the fixture and the factory)

PAGE = f"/territoires/{DEMO_SLUG}/feuilles-de-route"


def test_the_empty_state(client, clean):
    response = get(client, PAGE)
    assert response.status_code == 200
    dom = parse(response.text)
    assert dom.find("h1").text().startswith("Feuilles de route des communes")
    assert "Aucune commune du territoire n’a encore publié sa feuille de route." in dom.find(id="empty").text()
    assert dom.find(id="totals") is None
    csv_rows = list(csv.reader(io.StringIO(get(client, PAGE + ".csv").content.decode("utf-8-sig")), delimiter=";"))
    assert len(csv_rows) == 1  # the header only


def cells(table) -> list[list[str]]:
    return [[c.text() for c in tr.find_all() if c.tag in ("th", "td")] for tr in table.find("tbody").find_all("tr")]


@pytest.mark.parametrize("persona", ["anonymous", "resident", "coordinator"])
def test_every_communes_roadmap(as_persona, clean, persona):
    main = publish(clean)
    publish(clean, OTHER, specs=[("Rénover l’ancienne école", "Habiter le bourg", "fiche_action", 10_000_000,
                                  [{"funder": "Région Occitanie", "scheme": "", "amount_cents": 3_000_000,
                                    "year": 2027, "status": "requested"}])])
    with clean.transaction() as s:
        s.add(Progress(commune_id=main["commune"], sheet_id=main["sheets"][0], status="en_cours", percent=50))
    client = as_persona(persona)
    dom = parse(get(client, PAGE).text)
    communes = dom.find(id="communes")
    assert f"/communes/{MAIN}/feuille-de-route" in communes.hrefs()
    assert f"/communes/{OTHER}/feuille-de-route" in communes.hrefs()
    totals = " ".join(dom.find(id="totals").text().replace("\u202f", " ").replace("\xa0", " ").split())
    assert "Actions 4" in totals and "Communes 2" in totals
    assert "Coût prévu 362 000,50 €" in totals  # 250 000,50 + 12 000 + 0 + 100 000
    assert "Financements obtenus 80 000 €" in totals
    assert "Financements sollicités 80 000 €" in totals  # 50 000 + 30 000
    funders = {row[0]: row for row in cells(dom.find(id="funders"))}
    assert funders["Région Occitanie"][1:3] == ["2", "2"]  # two actions, two communes
    axes = {row[0]: row for row in cells(dom.find(id="axes"))}
    assert axes["Un centre-bourg où l’on s’arrête"][1] == "2" and axes["Sans axe"][1] == "1"
    statuses = {row[0]: row for row in cells(dom.find(id="statuses"))}
    assert statuses["En cours"][1] == "1" and statuses["À venir"][1] == "3"


def test_the_csv_for_funders(client, clean):
    publish(clean)
    response = get(client, PAGE + ".csv")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    # One row per funding line, and one for the action without any.
    assert [(r["financeur"], r["statut_financement"], r["montant_eur"]) for r in rows] == [
        ("Région Occitanie", "obtenu", "80000,00"), ("État (DETR)", "sollicité", "50000,00"),
        ("Banque des Territoires", "refusé", "6000,00"), ("", "", "")]
    assert rows[0]["cout_action_eur"] == "250000,50" and rows[0]["reste_a_financer_action_eur"] == "120000,50"
    assert rows[2]["titre"].startswith("'=HYPERLINK")  # neutralised
    assert "Jeanne Secret" not in response.text and "Marie Auteure" not in response.text
    etag = response.headers["etag"]
    assert get(client, PAGE + ".csv", headers={"If-None-Match": etag}).status_code == 304


def test_unknown_territory(client):
    assert get(client, "/territoires/nulle-part/feuilles-de-route").status_code == 404
    assert get(client, "/territoires/nulle-part/feuilles-de-route.csv").status_code == 404


# The gate.


def test_the_gate_opens_once_a_roadmap_is_published(client, clean):
    with clean.transaction() as s:
        commune = s.scalar(select(Commune).where(Commune.slug == MAIN))
        s.execute(update(Process).where(Process.commune_id == commune.id).values(phase=phases.PROGRAMMING))
    with clean.session() as s:
        commune = s.scalar(select(Commune).where(Commune.slug == MAIN))
        facts = gates.facts_for(s, commune)
    assert facts.published_roadmaps == 0
    assert phases.unmet_conditions(phases.IMPLEMENTATION, facts) == ["La feuille de route n’est pas publiée."]
    publish(clean)
    with clean.session() as s:
        commune = s.scalar(select(Commune).where(Commune.slug == MAIN))
        facts = gates.facts_for(s, commune)
    assert facts.published_roadmaps == 1
    assert phases.unmet_conditions(phases.IMPLEMENTATION, facts) == []
