"""The public pages of the action sheets: /communes/{slug}/fiches and /communes/{slug}/fiches/{n}.
A validated sheet is everybody's; any other is seen only by those who may see every sheet
(SEE_SHEETS), with a banner, and does not exist for anyone else. The referents' names and the
reviewers' names never reach a public page."""

import json
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from revital.communes.models import Commune, Organisation
from revital.db import utcnow
from revital.ideas.models import RETAINED, Idea
from revital.sheets import services
from revital.sheets.models import (
    DRAFT,
    GRANTED,
    PROJECT,
    REQUESTED,
    RESERVED,
    VALIDATED,
    ActionSheet,
    Cost,
    FundingLine,
    Indicator,
    Milestone,
    Opinion,
    Reservation,
    SheetPartner,
)
from tests.conftest import MAIN, PERSONAS, get, sign_in_as, text_of
from tests.dom import parse

ELECTED = "Claudine Referente-Secrete"
TECHNICIAN = "Bernard Technicien-Cache"
REVIEWER_ID_NAME = "Architecte du CAUE"  # the partner account's display name: never public


def make_sheets(db, validated_title="Ombrager la place de l’église", draft_title="Un brouillon de fiche") -> dict:
    """Two sheets in the main demo commune: no. n (validated, complete, with an opinion of the CAUE
    and a reservation answered) and no. n+1 (a draft). Returns their numbers."""
    with db.transaction() as s:
        commune = s.scalar(select(Commune).where(Commune.slug == MAIN))
        idea = s.scalar(select(Idea).where(Idea.commune_id == commune.id, Idea.status == RETAINED).order_by(Idea.id))
        caue = s.scalar(select(Organisation).where(Organisation.slug == "caue-48"))
        sheet = services.create(s, commune, validated_title, None, idea=idea)
        sheet.context = "La place est **nue** et brûlante l’été."
        sheet.objectives = "Faire de la place un lieu où l’on s’arrête."
        sheet.pilot = "Commune de Saint-Étienne-du-Valdonnez"
        sheet.elected_referent, sheet.elected_referent_role = ELECTED, "Adjointe à l’urbanisme"
        sheet.technical_referent, sheet.technical_referent_role = TECHNICIAN, "Secrétaire de mairie"
        sheet.start_year, sheet.start_quarter, sheet.end_year, sheet.end_quarter = 2027, 1, 2028, 2
        sheet.maturity, sheet.status, sheet.validated_at, sheet.version = PROJECT, VALIDATED, utcnow(), 1
        s.flush()
        s.add_all([
            Cost(commune_id=commune.id, sheet_id=sheet.id, year=2027, investment_cents=4_000_000, operating_cents=0),
            Cost(commune_id=commune.id, sheet_id=sheet.id, year=2028, investment_cents=1_000_000, operating_cents=250_000),
            FundingLine(commune_id=commune.id, sheet_id=sheet.id, funder="État", scheme="DETR",
                        amount_cents=2_100_000, year=2027, status=GRANTED),
            FundingLine(commune_id=commune.id, sheet_id=sheet.id, funder="Région Occitanie", scheme="Bourgs-centres",
                        amount_cents=1_000_000, year=2027, status=REQUESTED),
            Milestone(commune_id=commune.id, sheet_id=sheet.id, label="Plantation des tilleuls", on=date(2027, 11, 15)),
            Indicator(commune_id=commune.id, sheet_id=sheet.id, name="Bancs posés", unit="bancs", baseline="0", target="6"),
            SheetPartner(commune_id=commune.id, sheet_id=sheet.id, organisation_id=caue.id),
        ])
        s.flush()
        opinion = Opinion(commune_id=commune.id, sheet_id=sheet.id, organisation_id=caue.id, version=1,
                          verdict=RESERVED, comments="Choisir des essences locales.", created_at=utcnow() - timedelta(days=2))
        s.add(opinion)
        s.flush()
        s.add(Reservation(commune_id=commune.id, sheet_id=sheet.id, opinion_id=opinion.id,
                          text="Prévoir l’arrosage des premières années.", answer="Un goutte-à-goutte est prévu.",
                          addressed_at=utcnow()))
        draft = services.create(s, commune, draft_title, None)
        draft.elected_referent = ELECTED
        draft.status = DRAFT
        s.flush()
        return {"validated": sheet.number, "draft": draft.number}


@pytest.fixture
def sheets(db):
    return make_sheets(db)


def url(n) -> str:
    return f"/communes/{MAIN}/fiches/{n}"


@pytest.mark.parametrize("persona", ["anonymous", "resident", "student", "other_admin", "partner", "admin",
                                     "facilitator", "coordinator"])
def test_a_validated_sheet_is_everybody_s(as_persona, sheets, persona):
    response = get(as_persona(persona), url(sheets["validated"]))
    assert response.status_code == 200
    dom = parse(response.text)
    assert dom.find("h1").text() == "Ombrager la place de l’église"
    assert dom.find(id="statut").text() == "Validée"
    assert dom.find(id="bandeau") is None
    assert dom.find(id="pilote").text() == "Commune de Saint-Étienne-du-Valdonnez"
    assert "Adjointe à l’urbanisme" in dom.find(id="elu").text()


@pytest.mark.parametrize("persona", ["anonymous", "resident", "student", "other_admin"])
def test_a_draft_does_not_exist_for_the_public(as_persona, sheets, persona):
    client = as_persona(persona)
    assert get(client, url(sheets["draft"])).status_code == 404
    assert get(client, url(sheets["draft"]) + ".pdf").status_code == 404
    listed = parse(get(client, f"/communes/{MAIN}/fiches").text)
    assert listed.find(id=f"fiche-{sheets['draft']}") is None
    assert listed.find(id=f"fiche-{sheets['validated']}") is not None


@pytest.mark.parametrize("persona", ["partner", "admin", "facilitator", "coordinator"])
def test_a_draft_is_seen_with_its_banner_by_those_who_see_every_sheet(as_persona, sheets, persona):
    client = as_persona(persona)
    dom = parse(get(client, url(sheets["draft"])).text)
    assert "Brouillon" in dom.find(id="bandeau").text()
    assert ELECTED in dom.find(id="elu").text()
    listed = parse(get(client, f"/communes/{MAIN}/fiches").text)
    row = listed.find(id=f"fiche-{sheets['draft']}")
    assert "Brouillon" in row.text() and "(non publique)" in row.text()
    assert listed.find(id="toutes") is not None


def test_the_page_shows_the_whole_sheet(client, sheets):
    dom = parse(get(client, url(sheets["validated"])).text)
    assert dom.find(id="cout").text() == "52 500 €"  # text() folds the narrow no-break spaces
    assert dom.find(id="reste").text() == "21 500 €"
    assert "DETR" in dom.find(id="financement").text() and "40 %" in dom.find(id="financement").text()
    assert "T1 2027" in dom.find(id="calendrier").text() and "T2 2028" in dom.find(id="calendrier").text()
    assert "Plantation des tilleuls" in dom.find(id="jalons").text()
    assert "Bancs posés" in dom.find(id="indicateurs").text()
    assert dom.find(id="s-context").parent.find("strong").text() == "nue"  # the context's Markdown
    pistes = dom.find(id="pistes")
    assert pistes.hrefs()[0].startswith(f"/communes/{MAIN}/pistes/")
    opinions = dom.find(id="s-avis").parent
    assert "CAUE de la Lozère : Favorable avec réserves" in opinions.text()
    assert "sur la version 1" in opinions.text()
    assert "Un goutte-à-goutte est prévu." in opinions.text()
    assert dom.find("svg", class_="sheet-map") is not None
    assert f"/communes/{MAIN}/fiches/{sheets['validated']}.pdf" in dom.hrefs()


def test_no_personal_names_on_public_pages(client, sheets):
    for path in (url(sheets["validated"]), f"/communes/{MAIN}/fiches"):
        text = get(client, path).text
        assert ELECTED not in text and TECHNICIAN not in text and REVIEWER_ID_NAME not in text


def test_what_a_sheet_and_a_comment_say_is_escaped(client, db):
    numbers = make_sheets(db, validated_title="<script>alert(1)</script>")
    with db.transaction() as s:
        opinion = s.scalar(select(Opinion).order_by(Opinion.id.desc()))
        opinion.comments = "<img src=x onerror=alert(2)>"
    for path in (url(numbers["validated"]), f"/communes/{MAIN}/fiches"):
        html = get(client, path).text
        assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
        assert "<img src=x" not in html


def test_anonymous_pages_come_from_the_cache_and_follow_changes(client, db, sheets):
    first = get(client, url(sheets["validated"]))
    assert first.status_code == 200
    with db.transaction() as s:
        sheet = s.scalar(select(ActionSheet).where(ActionSheet.number == sheets["validated"],
                                                   ActionSheet.commune_id == s.scalar(select(Commune.id).where(Commune.slug == MAIN))))
        sheet.title = "Un nouveau titre"
    client.app.state.pages.recent.clear()  # another process's change: the version moves on
    client.app.state.versions.memo.clear()
    assert parse(get(client, url(sheets["validated"])).text).find("h1").text() == "Un nouveau titre"


def test_unknown_sheets_and_addresses_are_not_found(client, sheets):
    assert get(client, url(999)).status_code == 404
    assert get(client, f"/communes/{MAIN}/fiches/trois").status_code == 404
    assert get(client, "/communes/nulle-part/fiches/1").status_code == 404
    assert get(client, "/communes/nulle-part/fiches").status_code == 404


def test_the_list_groups_validated_sheets_by_axis(client, sheets):
    dom = parse(get(client, f"/communes/{MAIN}/fiches").text)
    row = dom.find(id=f"fiche-{sheets['validated']}")
    assert row.find("a").text() == "Ombrager la place de l’église"
    assert "52 500 €" in row.text() and "T1 2027 → T2 2028" in row.text()
    assert "Fiche-projet" in row.text()
    assert row.ancestor("section").find("h2").text().startswith("Un centre-bourg où l’on s’arrête")


DEMO = "mont-lozere-et-goulet"


def test_the_demo_has_six_sheets_at_every_maturity_and_status(client, db):
    from revital.sheets.models import Version

    with db.session() as s:
        commune = s.scalar(select(Commune).where(Commune.slug == DEMO))
        found = [(sh.number, sh.maturity, sh.status, sh.version) for sh in services.sheets_of(s, commune.id)]
        versions = s.scalar(select(Version).where(Version.commune_id == commune.id, Version.number == 2))
        opinions = {o.verdict for o in s.scalars(select(Opinion).where(Opinion.commune_id == commune.id))}
    assert found == [(1, "fiche_action", "validated", 1), (2, "fiche_action", "review", 2),
                     (3, "fiche_projet", "review", 1), (4, "fiche_projet", "draft", 0), (5, "idee", "draft", 0),
                     (6, "idee", "abandoned", 0)]
    assert versions is not None and opinions == {"favourable", "reserves", "defavorable"}
    listed = parse(get(client, f"/communes/{DEMO}/fiches").text)
    assert [tr.get("id") for tr in listed.find_all("tr", id=True)] == ["fiche-1"]
    page = parse(get(client, f"/communes/{DEMO}/fiches/1").text)
    assert page.find("h1").text() == "Le parcours de l’eau, des thermes au Lot"
    assert "DDT de la Lozère : Favorable avec réserves" in page.find(id="s-avis").parent.text()
    assert "Henri Boulet" not in page.text() and "Maire délégué de Bagnols-les-Bains" in page.find(id="elu").text()
    assert get(client, f"/communes/{DEMO}/fiches/2").status_code == 404
