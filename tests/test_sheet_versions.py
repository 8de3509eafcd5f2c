"""Versions of a sheet: once a review has started (the first version, made when an opinion is asked),
every save makes the next one; the versions page lists them; any two compare field by field."""

from sqlalchemy import select

from revital.sheets import services
from revital.sheets.models import ActionSheet, Version
from tests.conftest import get, post, text_of
from tests.dom import parse
from tests.test_sheet_editing import ADMIN, as_, commune_id, load, new_sheet, save


def start_review(db, number: int) -> None:
    """What asking the first opinion does (revital.sheets.review): the first version."""
    with db.transaction() as s:
        sheet = s.scalar(select(ActionSheet).where(ActionSheet.commune_id == commune_id(db), ActionSheet.number == number))
        services.record_version(s, sheet, "", None)


def versions(db, number: int) -> list[Version]:
    with db.session() as s:
        sheet_id = s.scalar(select(ActionSheet.id).where(ActionSheet.commune_id == commune_id(db),
                                                         ActionSheet.number == number))
        return list(s.scalars(select(Version).where(Version.sheet_id == sheet_id).order_by(Version.number)))


def test_before_a_review_saves_make_no_version(client, db):
    as_(client, "facilitator")
    number = new_sheet(client)
    assert save(client, number, "contenu", {"description": "Avant"}).status_code == 303
    assert versions(db, number) == []
    assert "Aucune version" in text_of(get(client, f"{ADMIN}/{number}/versions").text)


def test_after_a_review_started_each_save_is_a_version_with_its_section_and_author(client, db):
    as_(client, "facilitator")
    number = new_sheet(client)
    assert save(client, number, "contenu", {"description": "Rénover la halle"}).status_code == 303
    assert save(client, number, "financement", {"cost_year": ["2027"], "cost_investment": ["10 000"]}).status_code == 303
    start_review(db, number)
    assert save(client, number, "contenu", {"description": "Rénover la halle du marché"}).status_code == 303
    assert save(client, number, "financement", {"cost_year": ["2027"], "cost_investment": ["12 500"]}).status_code == 303
    found = versions(db, number)
    assert [(v.number, v.section) for v in found] == [(1, ""), (2, "contenu"), (3, "financement")]
    assert load(db, number)["description"] == "Rénover la halle du marché"
    page = get(client, f"{ADMIN}/{number}/versions")
    assert page.status_code == 200
    table = parse(page.text).find("table", id="versions").text()
    assert "Contenu" in table and "Coût et financement" in table
    assert found[1].author_id is not None
    header = text_of(get(client, f"{ADMIN}/{number}").text)
    assert "Version 3" in header

    compared = get(client, f"{ADMIN}/{number}/versions/comparer?de=1&a=3")
    assert compared.status_code == 200
    differences = parse(compared.text).find("dl", id="differences")
    assert differences.find("ins").text().strip() == "du marché"
    assert "Avant : 10 000 € · Après : 12 500 €" in text_of(compared.text).replace("\u202f", " ").replace("\u00a0", " ")
    # The current state against a version, and a version with itself.
    assert "du marché" in text_of(get(client, f"{ADMIN}/{number}/versions/comparer?de=1&a=actuel").text)
    assert "Aucune différence" in text_of(get(client, f"{ADMIN}/{number}/versions/comparer?de=3&a=actuel").text)


def test_a_maturity_change_and_an_integrated_line_are_versions_too(client, db):
    as_(client, "admin")
    number = new_sheet(client)
    start_review(db, number)
    with db.transaction() as s:
        s.execute(ActionSheet.__table__.update().where(ActionSheet.number == number,
                                                       ActionSheet.commune_id == commune_id(db))
                  .values(maturity="fiche_projet"))
    assert post(client, f"{ADMIN}/{number}/maturite", {"maturity": "idee"}).status_code == 303
    assert [v.section for v in versions(db, number)] == ["", "maturite"]


def test_unknown_versions_are_404(client, db):
    as_(client, "coordinator")
    number = new_sheet(client)
    start_review(db, number)
    for query in ("de=9&a=1", "de=abc&a=1", "de=1&a=99999999999999999999", "de=1&a=-1"):
        assert get(client, f"{ADMIN}/{number}/versions/comparer?{query}").status_code == 404, query
    assert get(client, f"{ADMIN}/{number}/versions/comparer?de=1&a=1").status_code == 200
