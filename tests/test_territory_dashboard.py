"""The coordinator's view of a territory, /territoires/{slug}/gestion, and its yearly report (bilan.csv)."""

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, update

from revital.communes.models import Commune
from revital.contributions import rules
from revital.contributions.models import Contribution
from revital.pages.dashboard import BILAN_COLUMNS, attention
from revital.pages.territory import CommuneFigures
from tests.conftest import MAIN, PERSONAS, get, sign_in_as, text_of
from tests.dom import parse

TERRITORY = "pays-des-sources-demo"
URL = f"/territoires/{TERRITORY}/gestion"
BILAN = f"{URL}/bilan.csv"
FORMULAS = ["=HYPERLINK(\"http://evil\")", "+1+1", "-2+3", "@SUM(A1)", "\tx", "\rx"]


def this_year() -> int:
    return datetime.now(UTC).astimezone().year


def read_csv(response) -> list[dict]:
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text[1:]), delimiter=";"))


def add_contribution(db, slug, status=rules.PUBLISHED, **fields):
    with db.transaction() as session:
        commune = session.scalar(select(Commune).where(Commune.slug == slug))
        count = session.scalar(select(func.count()).select_from(Contribution))
        session.add(Contribution(commune_id=commune.id, kind=fields.pop("kind", "idea"), category="mobilite",
                                 title=fields.pop("title", "Une idée"), phase="emergence", status=status,
                                 submission_token=f"t-{count}-{fields.get('author_name', '')}", **fields))


@pytest.mark.parametrize("persona, status", [
    ("anonymous", 303), ("resident", 403), ("facilitator", 403), ("student", 403), ("partner", 403),
    ("admin", 403), ("other_admin", 403), ("coordinator", 200),
])
def test_it_checks_access(as_persona, persona, status):
    assert get(as_persona(persona), URL).status_code == status
    assert get(as_persona(persona), BILAN).status_code == status


def test_unknown_territory(client):
    sign_in_as(client, PERSONAS["coordinator"])
    assert get(client, "/territoires/atlantis/gestion").status_code == 404
    assert get(client, "/territoires/atlantis/gestion/bilan.csv").status_code == 404


def test_it_works(client, db):
    add_contribution(db, MAIN, status=rules.PENDING, title="À modérer")
    sign_in_as(client, PERSONAS["coordinator"])
    response = get(client, URL)
    assert response.status_code == 200
    dom = parse(response.text)
    assert dom.find("h1").text() == "Tableau de bord · Pays des Sources (démonstration)"
    nav = dom.find("nav", aria_label="Gestion du territoire")
    assert nav.hrefs() == [URL, f"{URL}/communes", f"{URL}/appels", f"{URL}/partenaires", f"/territoires/{TERRITORY}"]
    names = [tr.find("th").text() for tr in dom.find("table").find("tbody").find_all("tr")]
    assert names == ["Châteauneuf-de-Randon", "Grandrieu", "Mont Lozère et Goulet", "Saint-Étienne-du-Valdonnez"]
    with db.session() as session:
        pending = session.scalar(select(func.count()).select_from(Contribution).join(Commune)
                                 .where(Commune.slug == MAIN, Contribution.status == rules.PENDING))
    items = [li.text() for li in dom.find("ul", class_="attention-list").find_all("li")]
    expected = f"{pending} contribution attend la modération." if pending == 1 else f"{pending} contributions attendent la modération."
    assert f"Saint-Étienne-du-Valdonnez : {expected} Voir Saint-Étienne-du-Valdonnez" in items
    assert f"/communes/{MAIN}/gestion/moderation" in dom.find("ul", class_="attention-list").hrefs()
    form = dom.find("form", action=BILAN)
    assert form.get("method") == "get"
    assert form.find("select", name="annee").find("option").get("value") == str(this_year())
    assert "6 autres communes du territoire, pas encore engagées" in text_of(response.text)


def test_a_commune_with_no_activity_for_60_days(client, db):
    with db.transaction() as session:
        session.execute(update(Contribution).values(status=rules.PUBLISHED))  # nothing waiting
    long_ago = datetime.now(UTC) - timedelta(days=75)
    with db.write_engine.begin() as connection:  # the way time passes: no version listener
        connection.execute(update(Commune).where(Commune.slug == "grandrieu").values(updated_at=long_ago))
    sign_in_as(client, PERSONAS["coordinator"])
    dom = parse(get(client, URL).text)
    items = [li.text() for li in dom.find("ul", class_="attention-list").find_all("li")]
    assert len(items) == 1 and items[0].startswith("Grandrieu : Aucune activité depuis le ")
    assert items[0].endswith("(plus de 60 jours). Voir Grandrieu")


def test_nothing_to_report():
    class Named:
        id, name, slug = 1, "Grandrieu", "grandrieu"

    now = datetime(2026, 6, 1, tzinfo=UTC)
    fresh = CommuneFigures(Named(), engaged=True, phase="diagnostic", last_activity=now - timedelta(days=59))
    old_but_not_engaged = CommuneFigures(Named(), engaged=False, last_activity=now - timedelta(days=600))
    assert attention([fresh, old_but_not_engaged], {}, now) == []
    (item,) = attention([fresh], {1: 2}, now)
    assert (item.text, item.url) == ("2 contributions attendent la modération.", "/communes/grandrieu/gestion/moderation")


def test_the_yearly_report_counts_the_workshops_held_that_year(client, db):
    from revital.formatting import paris
    from revital.workshops.models import Workshop

    with db.session() as session:
        walk = session.scalar(select(Workshop).where(Workshop.status == "closed"))
        year = paris(walk.starts_at).year
    sign_in_as(client, PERSONAS["coordinator"])
    rows = read_csv(get(client, BILAN, params={"annee": str(year)}))
    grandrieu = next(r for r in rows if r["insee"] == "48070")
    assert (grandrieu["workshops"], grandrieu["workshop_attendance"]) == ("1", "18")  # the demo's walk
    rows = read_csv(get(client, BILAN, params={"annee": str(year - 1)}))
    assert next(r for r in rows if r["insee"] == "48070")["workshops"] == "0"
    assert next(r for r in rows if r["insee"] == "48095")["workshops"] == ""  # Mende is not engaged


def test_the_yearly_report(client, db):
    add_contribution(db, MAIN, kind="asset", author_name="Marie")
    add_contribution(db, MAIN, kind="asset", author_name="marie")  # the same pseudonym: one participant
    add_contribution(db, MAIN, kind="weakness", author_name="")
    add_contribution(db, MAIN, kind="idea", status=rules.PENDING, author_name="Paul")  # not published: not counted
    add_contribution(db, MAIN, kind="idea", author_name="Jeanne", created_at=datetime(2019, 5, 1, tzinfo=UTC))
    sign_in_as(client, PERSONAS["coordinator"])
    before = read_csv(get(client, BILAN, params={"annee": "2019"}))
    response = get(client, BILAN)
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"] == f'attachment; filename="bilan-{TERRITORY}-{this_year()}.csv"'
    rows = read_csv(response)
    assert list(rows[0]) == BILAN_COLUMNS
    assert [r["commune"] for r in rows] == ["Châteauneuf-de-Randon", "Grandrieu", "Mont Lozère et Goulet",
                                            "Saint-Étienne-du-Valdonnez", "Allenc", "Balsièges", "Brenoux",
                                            "Lanuéjols", "Mende", "Saint-Bauzile"]
    main = next(r for r in rows if r["insee"] == "48147")
    with db.session() as session:
        demo = session.execute(select(Contribution.kind, func.count()).join(Commune)
                               .where(Commune.slug == MAIN, Contribution.status == rules.PUBLISHED,
                                      Contribution.created_at >= datetime(this_year(), 1, 1, tzinfo=UTC),
                                      Contribution.title != "Une idée")
                               .group_by(Contribution.kind)).all()
    demo = dict(demo)
    assert int(main["contributions_asset"]) == demo.get("asset", 0) + 2
    assert int(main["contributions_weakness"]) == demo.get("weakness", 0) + 1
    assert int(main["contributions_idea"]) == demo.get("idea", 0)
    assert int(main["contributions"]) == sum(demo.values()) + 3
    assert (main["engaged"], main["phase"], main["phase_label"], main["gate_conditions"], main["roadmap_published"]) == (
        "oui", "emergence", "Émergence et définition du projet", "3", "non")
    assert (main["workshops"], main["workshop_attendance"]) == ("0", "0")  # the demo's are to come, or in Grandrieu
    assert all(main[c] == "" for c in ("action_sheets", "action_sheets_validated",
                                       "estimated_cost", "funding_requested", "funding_granted"))
    mende = next(r for r in rows if r["insee"] == "48095")
    assert (mende["engaged"], mende["phase"], mende["contributions"], mende["participants"]) == ("non", "", "0", "0")
    old = next(r for r in before if r["insee"] == "48147")
    assert (old["contributions"], old["contributions_idea"], old["participants"]) == ("1", "1", "1")
    assert read_csv(get(client, BILAN, params={"annee": "abc"})) == rows  # this year
    assert "@" not in response.content.decode("utf-8")  # no e-mail address in it


def test_the_participants_of_a_year(client, db):
    sign_in_as(client, PERSONAS["coordinator"])
    start = int(next(r for r in read_csv(get(client, BILAN)) if r["insee"] == "48070")["participants"])
    add_contribution(db, "grandrieu", author_name="Marie")
    add_contribution(db, "grandrieu", author_name="MARIE")
    add_contribution(db, "grandrieu", author_name="")
    add_contribution(db, "grandrieu", author_name="")
    grandrieu = next(r for r in read_csv(get(client, BILAN)) if r["insee"] == "48070")
    assert int(grandrieu["participants"]) == start + 3


def test_the_report_neutralises_formulas(client, db):
    with db.transaction() as session:
        session.execute(update(Commune).where(Commune.slug == "mende").values(name=FORMULAS[0]))
        for i, formula in enumerate(FORMULAS[1:]):
            session.execute(update(Commune).where(Commune.insee == ["48003", "48016", "48030", "48043", "48081"][i])
                            .values(name=formula))
    sign_in_as(client, PERSONAS["coordinator"])
    rows = read_csv(get(client, BILAN))
    names = {r["insee"]: r["commune"] for r in rows}
    for insee, formula in zip(["48095", "48003", "48016", "48030", "48043", "48081"], FORMULAS, strict=True):
        assert names[insee] == "'" + formula
