"""The gate feasibility → programming: at least one action sheet, every retained idea answered by a
sheet still in play (a lineage link idea → sheet), every such sheet reviewed by at least one
partner (an opinion). Pure rules first, then the facts gathered from the database
(revital.sheets.facts through revital.pages.gates)."""

from sqlalchemy import delete, select

from revital.communes.models import Commune, Organisation
from revital.ideas.models import RETAINED, Idea
from revital.pages import gates
from revital.process import phases
from revital.process.phases import PROGRAMMING, Facts, gate, unmet_conditions
from revital.sheets import services
from revital.sheets.models import ABANDONED, FAVOURABLE, ActionSheet, Opinion
from tests.conftest import MAIN


def met(facts: Facts) -> dict[str, bool]:
    return {c.key: c.met for c in gate(PROGRAMMING, facts)}


def test_the_conditions_in_order():
    assert [c.key for c in gate(PROGRAMMING, Facts())] == ["sheets", "covered_ideas", "reviewed_sheets"]
    assert met(Facts()) == {"sheets": False, "covered_ideas": True, "reviewed_sheets": False}
    assert met(Facts(sheets=3, reviewed_sheets=3, retained_ideas=2)) == dict.fromkeys(
        ("sheets", "covered_ideas", "reviewed_sheets"), True)
    assert met(Facts(sheets=3, reviewed_sheets=2))["reviewed_sheets"] is False


def test_the_french_sentences_count():
    assert unmet_conditions(PROGRAMMING, Facts(sheets=2, reviewed_sheets=1, uncovered_ideas=1)) == [
        "Une piste d’action retenue n’a pas encore de fiche action.",
        "Une fiche action n’a pas encore reçu l’avis d’un partenaire technique."]
    assert unmet_conditions(PROGRAMMING, Facts(sheets=4, reviewed_sheets=1, uncovered_ideas=3)) == [
        "3 pistes d’action retenues n’ont pas encore de fiche action.",
        "3 fiches actions n’ont pas encore reçu l’avis d’un partenaire technique."]
    assert unmet_conditions(PROGRAMMING, Facts()) == [
        "Aucune fiche action n’est rédigée.", "Aucune fiche action n’a reçu l’avis d’un partenaire technique."]


def test_an_override_still_needs_a_reason():
    refused = None
    try:
        phases.plan(phases.FEASIBILITY, "next", Facts(sheets=1))
    except phases.TransitionRefused as err:
        refused = str(err)
    assert refused.startswith("Le passage à la phase « Programmation » n’est pas encore possible")
    assert phases.plan(phases.FEASIBILITY, "next", Facts(sheets=1), "Le conseil l’a décidé.", override=True).kind == "override"


def facts(db) -> Facts:
    with db.session() as s:
        return gates.facts_for(s, s.scalar(select(Commune).where(Commune.slug == MAIN)))


def test_the_facts_from_the_database(db):
    with db.transaction() as s:
        commune = s.scalar(select(Commune).where(Commune.slug == MAIN))
        s.execute(delete(ActionSheet).where(ActionSheet.commune_id == commune.id))
    start = facts(db)
    assert (start.sheets, start.reviewed_sheets) == (0, 0)
    assert start.uncovered_ideas == start.retained_ideas >= 2
    with db.transaction() as s:
        commune = s.scalar(select(Commune).where(Commune.slug == MAIN))
        retained = list(s.scalars(select(Idea).where(Idea.commune_id == commune.id, Idea.status == RETAINED)
                                  .order_by(Idea.id)))
        caue = s.scalar(select(Organisation).where(Organisation.slug == "caue-48"))
        first = services.create(s, commune, "", None, idea=retained[0])
        services.create(s, commune, "Sans piste", None)
        s.flush()
        s.add(Opinion(commune_id=commune.id, sheet_id=first.id, organisation_id=caue.id, version=1,
                      verdict=FAVOURABLE))
    found = facts(db)
    assert (found.sheets, found.reviewed_sheets, found.uncovered_ideas) == (2, 1, start.uncovered_ideas - 1)
    assert met(found) == {"sheets": True, "covered_ideas": False, "reviewed_sheets": False}
    with db.transaction() as s:  # an abandoned sheet covers nothing and needs no opinion
        s.execute(ActionSheet.__table__.update().where(ActionSheet.id == first.id).values(status=ABANDONED))
    found = facts(db)
    assert (found.sheets, found.reviewed_sheets, found.uncovered_ideas) == (1, 0, start.uncovered_ideas)
    with db.transaction() as s:
        commune = s.scalar(select(Commune).where(Commune.slug == MAIN))
        caue = s.scalar(select(Organisation).where(Organisation.slug == "caue-48"))
        for idea in s.scalars(select(Idea).where(Idea.commune_id == commune.id, Idea.status == RETAINED)):
            sheet = services.create(s, commune, "", None, idea=idea)
            s.flush()
            s.add(Opinion(commune_id=commune.id, sheet_id=sheet.id, organisation_id=caue.id, version=1,
                          verdict=FAVOURABLE))
        other = s.scalar(select(ActionSheet).where(ActionSheet.commune_id == commune.id,
                                                   ActionSheet.title == "Sans piste"))
        s.add(Opinion(commune_id=commune.id, sheet_id=other.id, organisation_id=caue.id, version=1,
                      verdict=FAVOURABLE))
    found = facts(db)
    assert found.uncovered_ideas == 0 and found.reviewed_sheets == found.sheets >= 3
    assert unmet_conditions(PROGRAMMING, found) == []


def test_the_checklist_links_to_the_sheets_page(client):
    links = gates.links_for(client.app, type("C", (), {"slug": MAIN})())
    assert links["sheets"] == (f"/communes/{MAIN}/fiches", "Les fiches actions")
    assert links["reviewed_sheets"][0] == f"/communes/{MAIN}/fiches"
    assert links["covered_ideas"][0] == f"/communes/{MAIN}/pistes"
