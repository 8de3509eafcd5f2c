"""The public page of a territory, /territoires/{slug}, and its map feed."""

from datetime import date, datetime, timezone

import pytest
from sqlalchemy import select, update

from revital.communes.models import Commune
from revital.contributions.models import Contribution
from revital.formatting import paris
from revital.pages.territory import clean_query, matches
from revital.process.models import Process
from revital.process import services
from tests.conftest import MAIN, PERSONAS, get, sign_in_as, text_of
from tests.dom import parse

TERRITORY = "pays-des-sources-demo"
URL = f"/territoires/{TERRITORY}"
FEED = f"/api/territoires/{TERRITORY}/communes.geojson"
ENGAGED = ["Châteauneuf-de-Randon", "Grandrieu", "Mont Lozère et Goulet", "Saint-Étienne-du-Valdonnez"]
NOT_ENGAGED = ["Allenc", "Balsièges", "Brenoux", "Lanuéjols", "Mende", "Saint-Bauzile"]


def rows(dom):
    table = dom.find("table")
    return [] if table is None else [tr for tr in table.find("tbody").find_all("tr")]


def engaged_names(dom):
    return [tr.find("th").find("a").text() for tr in rows(dom)]


def not_engaged_names(dom):
    lists = dom.find_all("ul", class_="plain-columns")
    return [a.text() for a in lists[0].find_all("a")] if lists else []


@pytest.mark.parametrize("persona", ["anonymous", "resident", "facilitator", "student", "partner", "admin",
                                     "coordinator"])
def test_it_works_for_everyone(as_persona, persona):
    response = get(as_persona(persona), URL)
    assert response.status_code == 200
    dom = parse(response.text)
    assert dom.find("h1").text() == "Pays des Sources (démonstration)"
    assert engaged_names(dom) == ENGAGED
    assert not_engaged_names(dom) == NOT_ENGAGED
    dashboard = f"{URL}/gestion"
    assert (dashboard in dom.hrefs()) == (persona == "coordinator")


def test_unknown_territory(client):
    assert get(client, "/territoires/atlantis").status_code == 404
    assert get(client, "/api/territoires/atlantis/communes.geojson").status_code == 404


def days_in_phase(client, slug):
    """Calendar days in Paris since the commune's last phase change: the demo puts it 120 days
    before now, which is 119 calendar days when a change of summer time lies between, at night."""
    with client.app.state.db.session() as session:
        since = session.scalar(select(Process.updated_at).join(Commune, Commune.id == Process.commune_id)
                               .where(Commune.slug == slug))
    days = (paris(datetime.now(timezone.utc)).date() - paris(since).date()).days
    assert days in (119, 120)
    return days


def test_each_engaged_commune_with_its_figures(client):
    dom = parse(get(client, URL).text)
    headers = [th.text() for th in dom.find("table").find("thead").find_all("th")]
    assert headers == ["Commune", "Phase", "Depuis", "Conditions pour la phase suivante", "Contributions publiées",
                       "Ateliers tenus", "Fiches actions", "Feuille de route publiée", "Dernière activité"]
    cells = {tr.find("th").find("a").text(): [td.text() for td in tr.find_all("td")] for tr in rows(dom)}
    main = cells["Saint-Étienne-du-Valdonnez"]
    assert main[0] == "2/5 · Émergence et définition du projet"
    assert main[1] == f"{days_in_phase(client, MAIN)} jours"
    assert main[2] == "3 sur 3"  # its axes, retained ideas (revital.ideas.demo) and closed vote (prioritisation)
    # Mont Lozère et Goulet has action sheets (revital.sheets.demo), one retained idea without a sheet
    # and two sheets still waiting for a partner's opinion.
    assert main[4:7] == ["0", "—", "non"]
    assert cells["Grandrieu"][4] == "1"  # the diagnostic walk
    assert cells["Grandrieu"][0] == "1/5 · Diagnostic partagé" and cells["Grandrieu"][1] == f"{days_in_phase(client, 'grandrieu')} jours"
    assert cells["Mont Lozère et Goulet"][0] == "3/5 · Faisabilité" and cells["Mont Lozère et Goulet"][2] == "1 sur 3"
    with client.app.state.db.session() as session:
        published = dict(session.execute(select(Commune.name, Commune.published_contributions)).all())
    assert {name: int(c[3]) for name, c in cells.items()} == {name: published[name] for name in ENGAGED}
    assert main[7]  # a date


@pytest.mark.parametrize("query, engaged, others", [
    ("etienne", ["Saint-Étienne-du-Valdonnez"], []),
    ("ÉTIENNE", ["Saint-Étienne-du-Valdonnez"], []),
    ("saint", ["Saint-Étienne-du-Valdonnez"], ["Saint-Bauzile"]),
    ("chateauneuf de randon", ["Châteauneuf-de-Randon"], []),
    ("lanuejols", [], ["Lanuéjols"]),
    ("48070", ["Grandrieu"], []),
    ("48", ENGAGED, NOT_ENGAGED),
    ("4814", ["Saint-Étienne-du-Valdonnez"], []),
    ("zzz", [], []),
])
def test_the_search_without_javascript(client, query, engaged, others):
    response = get(client, URL, params={"q": query})
    assert response.status_code == 200
    dom = parse(response.text)
    assert engaged_names(dom) == engaged and not_engaged_names(dom) == others
    assert dom.find("input", name="q").get("value") == query
    form = dom.find("form", role="search")
    assert (form.get("method"), form.get("action")) == ("get", URL)
    if not engaged and not others:
        assert "Aucune commune ne correspond à cette recherche" in dom.text()


def test_the_search_with_htmx_answers_the_rows_alone(client):
    response = get(client, URL, params={"q": "etienne"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response.headers["vary"] == "HX-Request"
    dom = parse(response.text)
    assert dom.find("h1") is None and dom.find("div").get("id") == "communes-resultats"
    assert engaged_names(dom) == ["Saint-Étienne-du-Valdonnez"]
    assert "1 commune correspond à « etienne »." in dom.text()


def test_what_a_search_writes_is_escaped(client):
    response = get(client, URL, params={"q": "<script>alert(1)</script>"})
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in response.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in response.text


def test_search_rules():
    class Named:
        def __init__(self, name, insee):
            self.name, self.insee = name, insee

    commune = Named("Saint-Étienne-du-Valdonnez", "48147")
    assert matches(commune, "etienne") and matches(commune, "SAINT ÉTIENNE") and matches(commune, "st") is False
    assert matches(commune, "481") and not matches(commune, "147") and matches(commune, "  ")
    assert matches(Named("Ajaccio", "2A004"), "2a0")
    assert clean_query("  a   b ") == "a b" and len(clean_query("x" * 500)) == 80


def test_the_map_with_its_legend_and_feed(client):
    dom = parse(get(client, URL).text)
    assert dom.find(id="carte-territoire") is not None
    legend = [li.text() for li in dom.find("ul", class_="phase-legend").find_all("li")]
    assert legend == ["Diagnostic partagé", "Émergence et définition du projet", "Faisabilité", "Programmation",
                      "Mise en œuvre"]
    assert FEED in dom.hrefs()
    response = get(client, FEED)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/geo+json")
    feed = response.json()
    assert [(f["id"], f["properties"]["phase"]) for f in feed["features"]] == [
        ("48027", "feasibility"), ("48043", "implementation"), ("48070", "diagnostic"), ("48147", "emergence")]
    assert feed["features"][3]["properties"] == {"name": "Saint-Étienne-du-Valdonnez",
                                                  "url": f"/communes/{MAIN}", "phase": "emergence",
                                                  "label": "Émergence et définition du projet"}
    again = get(client, FEED, headers={"If-None-Match": response.headers["etag"]})
    assert again.status_code == 304
    zipped = client.get(FEED, headers={"Accept-Encoding": "gzip"})
    assert zipped.status_code == 200
    assert zipped.headers["content-encoding"] == "gzip" and zipped.json() == feed  # httpx decompresses


def test_engaging_a_commune_shows_at_once(client, db):
    before = get(client, URL)
    etag = get(client, FEED).headers["etag"]
    with db.transaction() as session:
        mende = session.scalar(select(Commune).where(Commune.slug == "mende"))
        services.engage(session, mende, None, "Lauréate de l’appel à candidatures.")
    client.app.state.versions.clear()
    dom = parse(get(client, URL).text)
    assert before.status_code == 200
    assert "Mende" in engaged_names(dom) and "Mende" not in not_engaged_names(dom)
    assert get(client, FEED, headers={"If-None-Match": etag}).status_code == 200


def test_the_page_reads_no_contribution(client, db, monkeypatch):
    """The count comes from the commune's kept counter: a page whose cost grows with no contribution."""
    with db.transaction() as session:
        session.execute(update(Commune).where(Commune.slug == MAIN).values(published_contributions=12345))
    client.app.state.versions.clear()
    sign_in_as(client, PERSONAS["resident"])  # not from the anonymous cache
    statements = []
    from sqlalchemy import event

    engine = client.app.state.db.engine

    def seen(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", seen)
    try:
        dom = parse(get(client, URL).text)
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    cells = {tr.find("th").find("a").text(): [td.text() for td in tr.find_all("td")] for tr in rows(dom)}
    assert cells["Saint-Étienne-du-Valdonnez"][3] == "12 345"  # a narrow no-break space, folded by text()
    assert statements and not any("FROM contributions" in s or "JOIN contributions" in s for s in statements), statements


def test_days_in_phase_count_from_the_last_transition():
    from datetime import UTC, datetime

    from revital.pages.territory import figures_of
    from revital.process.phases import Facts

    class Thing:
        pass

    commune, process = Thing(), Thing()
    commune.published_contributions, commune.updated_at = 4, datetime(2026, 3, 1, tzinfo=UTC)
    process.phase, process.updated_at = "diagnostic", datetime(2026, 2, 27, 23, 30, tzinfo=UTC)  # 28th in Paris
    row = figures_of(None, commune, process, lambda db, c: Facts(stakes=1), date(2026, 3, 3))
    assert (row.days, row.conditions_met, len(row.checklist), row.contributions, row.phase_number) == (3, 1, 3, 4, 1)
